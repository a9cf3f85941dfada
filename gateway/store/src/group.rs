//! Group commit: work submitted concurrently is written by one task in one transaction, with
//! one statement per table for the whole group where the writer can (see `bulk`), and committed
//! once. SQLite has one writer anyway; sharing the transaction writes the index pages the jobs
//! have in common once and syncs the log once, instead of once per request. Each job is answered
//! only after the commit. When the group fails, it is written again job by job, each in its own
//! savepoint, so that only the job at fault gets an error.
use std::sync::OnceLock;

use async_trait::async_trait;
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{mpsc, oneshot};

use crate::{Error, Result};

/// Most jobs in one transaction.
const MAX_GROUP: usize = 64;

/// How one kind of job is written.
#[async_trait]
pub(crate) trait GroupWrite: Send + Sync + 'static {
    type Job: Send + Sync + 'static;
    type Done: Send + 'static;
    /// What the log and the errors call a group.
    const WHAT: &'static str;
    /// Writes every job in `tx`, one answer per job in order; an error fails the whole group.
    async fn all(
        &self,
        tx: &mut Transaction<'_, Any>,
        jobs: &[Self::Job],
    ) -> Result<Vec<Self::Done>>;
    /// Writes one job in `tx` (inside its own savepoint).
    async fn one(&self, tx: &mut Transaction<'_, Any>, job: &Self::Job) -> Result<Self::Done>;
}

struct Queued<W: GroupWrite> {
    job: W::Job,
    reply: oneshot::Sender<Result<W::Done>>,
}

/// The queue of one group writer, started on first use.
pub(crate) struct Group<W: GroupWrite> {
    sender: OnceLock<mpsc::UnboundedSender<Queued<W>>>,
}

impl<W: GroupWrite> Default for Group<W> {
    fn default() -> Self {
        Self {
            sender: OnceLock::new(),
        }
    }
}

fn stopped(what: &'static str) -> Error {
    Error::Db {
        context: what,
        source: sqlx::Error::WorkerCrashed,
    }
}

impl<W: GroupWrite> Group<W> {
    /// Writes `job` with whatever else is waiting; returns once their transaction committed.
    /// `writer` makes the writer when the group starts.
    pub(crate) async fn write(
        &self,
        pool: &AnyPool,
        writer: impl FnOnce() -> W,
        job: W::Job,
    ) -> Result<W::Done> {
        let sender = self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(run(pool.clone(), writer(), rx));
            tx
        });
        let (reply, done) = oneshot::channel();
        sender
            .send(Queued { job, reply })
            .map_err(|_| stopped(W::WHAT))?;
        done.await.map_err(|_| stopped(W::WHAT))?
    }
}

async fn run<W: GroupWrite>(pool: AnyPool, writer: W, mut rx: mpsc::UnboundedReceiver<Queued<W>>) {
    while let Some(first) = rx.recv().await {
        let mut queued = vec![first];
        while queued.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(q) => queued.push(q),
                Err(_) => break,
            }
        }
        let (jobs, replies): (Vec<W::Job>, Vec<_>) =
            queued.into_iter().map(|q| (q.job, q.reply)).unzip();
        let results = match commit(&pool, &writer, &jobs).await {
            Ok(results) => results,
            Err(e) => {
                tracing::error!(error = %e, jobs = jobs.len(), group = W::WHAT, "group commit failed");
                jobs.iter()
                    .map(|_| {
                        Err(Error::Db {
                            context: W::WHAT,
                            source: sqlx::Error::Protocol(e.to_string()),
                        })
                    })
                    .collect()
            }
        };
        for (reply, result) in replies.into_iter().zip(results) {
            let _ = reply.send(result);
        }
    }
}

async fn commit<W: GroupWrite>(
    pool: &AnyPool,
    writer: &W,
    jobs: &[W::Job],
) -> Result<Vec<Result<W::Done>>> {
    let mut tx = begin(pool).await?;
    match writer.all(&mut tx, jobs).await {
        Ok(done) => {
            // A failed commit is not retried: whether it took effect is unknown.
            tx.commit().await.map_err(Error::db("commit"))?;
            Ok(done.into_iter().map(Ok).collect())
        }
        Err(e) => {
            // Some job is at fault (a raced key, a bad row): find out which.
            tracing::debug!(error = %e, jobs = jobs.len(), group = W::WHAT, "group written job by job");
            tx.rollback().await.map_err(Error::db("rollback"))?;
            commit_each(pool, writer, jobs).await
        }
    }
}

/// The group in one transaction, each job in its own savepoint: a job that fails is rolled back
/// alone and gets its error; the others commit.
async fn commit_each<W: GroupWrite>(
    pool: &AnyPool,
    writer: &W,
    jobs: &[W::Job],
) -> Result<Vec<Result<W::Done>>> {
    let mut tx = begin(pool).await?;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        savepoint(&mut tx, "SAVEPOINT job").await?;
        match writer.one(&mut tx, job).await {
            Ok(done) => {
                savepoint(&mut tx, "RELEASE SAVEPOINT job").await?;
                out.push(Ok(done));
            }
            Err(e) => {
                savepoint(&mut tx, "ROLLBACK TO SAVEPOINT job").await?;
                savepoint(&mut tx, "RELEASE SAVEPOINT job").await?;
                out.push(Err(e));
            }
        }
    }
    tx.commit().await.map_err(Error::db("commit"))?;
    Ok(out)
}

/// On SQLite the group takes the write lock at once. It reads before it writes, and a read
/// transaction that then wants to write fails at once ("database is locked") when another
/// connection (another process on the same file) wrote meanwhile, instead of waiting for the
/// busy timeout.
async fn begin(pool: &AnyPool) -> Result<Transaction<'static, Any>> {
    let sqlite = pool.connect_options().database_url.scheme() == "sqlite";
    let sql = if sqlite { "BEGIN IMMEDIATE" } else { "BEGIN" };
    pool.begin_with(sql).await.map_err(Error::db("begin"))
}

async fn savepoint(tx: &mut Transaction<'_, Any>, sql: &'static str) -> Result<()> {
    sqlx::query(sql)
        .execute(&mut **tx)
        .await
        .map_err(Error::db("savepoint"))?;
    Ok(())
}
