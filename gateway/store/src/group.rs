//! Group commit: documents submitted concurrently are written by one task in one transaction,
//! with one statement per table for the whole group (see `bulk`), and committed once. SQLite has
//! one writer anyway; sharing the transaction writes the index pages they have in common once and
//! syncs the log once, instead of once per request. Each request is answered only after the
//! commit. When the group fails, it is written again request by request, each in its own
//! savepoint, so that only the request at fault gets an error.
use std::sync::OnceLock;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::blob::BlobLocation;
use crate::{bulk, *};

/// Most requests in one transaction.
const MAX_GROUP: usize = 64;

struct Job {
    batch: Vec<NewInvoice>,
    blobs: Vec<BlobRef>,
    reply: oneshot::Sender<Result<Vec<Created>>>,
}

#[derive(Default)]
pub(crate) struct GroupCommit {
    sender: OnceLock<mpsc::UnboundedSender<Job>>,
}

fn stopped() -> Error {
    Error::Db {
        context: "group commit",
        source: sqlx::Error::WorkerCrashed,
    }
}

impl GroupCommit {
    /// Writes one request's documents (their blob bytes already durable) with whatever else is
    /// waiting, and returns when their transaction has committed.
    pub(crate) async fn write(
        &self,
        pool: &AnyPool,
        location: &BlobLocation,
        batch: Vec<NewInvoice>,
        blobs: Vec<BlobRef>,
    ) -> Result<Vec<Created>> {
        let sender = self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(writer(pool.clone(), location.clone(), rx));
            tx
        });
        let (reply, done) = oneshot::channel();
        sender
            .send(Job {
                batch,
                blobs,
                reply,
            })
            .map_err(|_| stopped())?;
        done.await.map_err(|_| stopped())?
    }
}

async fn writer(pool: AnyPool, location: BlobLocation, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let results = match commit_group(&pool, &location, &jobs).await {
            Ok(results) => results,
            Err(e) => {
                tracing::error!(error = %e, requests = jobs.len(), "group commit failed");
                jobs.iter()
                    .map(|_| {
                        Err(Error::Db {
                            context: "committing a group of documents",
                            source: sqlx::Error::Protocol(e.to_string()),
                        })
                    })
                    .collect()
            }
        };
        for (job, result) in jobs.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

async fn savepoint(tx: &mut sqlx::Transaction<'_, sqlx::Any>, sql: &'static str) -> Result<()> {
    sqlx::query(sql)
        .execute(&mut **tx)
        .await
        .map_err(Error::db("savepoint"))?;
    Ok(())
}

async fn commit_group(
    pool: &AnyPool,
    location: &BlobLocation,
    jobs: &[Job],
) -> Result<Vec<Result<Vec<Created>>>> {
    let now = time::now();
    let mut tx = pool.begin().await.map_err(Error::db("begin"))?;
    let docs: Vec<(&NewInvoice, &BlobRef)> = jobs
        .iter()
        .flat_map(|job| job.batch.iter().zip(&job.blobs))
        .collect();
    match bulk::insert_invoices(&mut tx, location, &docs, &now).await {
        Ok(created) => {
            // A failed commit is not retried: whether it took effect is unknown.
            tx.commit().await.map_err(Error::db("commit"))?;
            let mut created = created.into_iter();
            Ok(jobs
                .iter()
                .map(|job| Ok(created.by_ref().take(job.batch.len()).collect()))
                .collect())
        }
        Err(e) => {
            // Some request is at fault (a raced idempotency key, a bad row): find out which.
            tracing::debug!(error = %e, requests = jobs.len(), "group written request by request");
            tx.rollback().await.map_err(Error::db("rollback"))?;
            commit_each(pool, location, jobs, &now).await
        }
    }
}

/// The group in one transaction, each request in its own savepoint: a request whose documents
/// fail is rolled back alone and gets its error; the others commit.
async fn commit_each(
    pool: &AnyPool,
    location: &BlobLocation,
    jobs: &[Job],
    now: &str,
) -> Result<Vec<Result<Vec<Created>>>> {
    let mut tx = pool.begin().await.map_err(Error::db("begin"))?;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        savepoint(&mut tx, "SAVEPOINT request").await?;
        let docs: Vec<(&NewInvoice, &BlobRef)> = job.batch.iter().zip(&job.blobs).collect();
        match bulk::insert_invoices(&mut tx, location, &docs, now).await {
            Ok(done) => {
                savepoint(&mut tx, "RELEASE SAVEPOINT request").await?;
                out.push(Ok(done));
            }
            Err(e) => {
                savepoint(&mut tx, "ROLLBACK TO SAVEPOINT request").await?;
                savepoint(&mut tx, "RELEASE SAVEPOINT request").await?;
                out.push(Err(e));
            }
        }
    }
    tx.commit().await.map_err(Error::db("commit"))?;
    Ok(out)
}
