//! Group commit of received AS4 messages: messages stored concurrently are written by one task
//! in one transaction, each in its own savepoint, and every caller returns only once that
//! transaction has committed, so no receipt leaves before its message is durable.
//!
//! SQLite connections run `synchronous = FULL` (the WAL is fsynced at every commit, so a receipt
//! never leaves before its message survives a power loss); one fsync per group instead of one
//! per message is what makes that affordable. PostgreSQL commits durably anyway; sharing the
//! commit saves its WAL flushes and round trips.
use std::sync::OnceLock;

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot};

use crate::as4::InboundMessage;
use crate::sql_store::{insert_blob_row, insert_event, StagedBlob};
use crate::{Direction, Error, Event, Result};

/// Most messages in one transaction.
const MAX_GROUP: usize = 64;

/// One received message, its blobs already durable.
pub(crate) struct Inbound {
    pub message: InboundMessage,
    pub document_id: String,
    pub event: Event,
    pub now: String,
    pub sbd: StagedBlob,
    pub document: StagedBlob,
}

struct Job {
    inbound: Inbound,
    /// `true` when stored, `false` when the MessageId was stored meanwhile (nothing written).
    reply: oneshot::Sender<Result<bool>>,
}

#[derive(Default)]
pub(crate) struct InboundGroup {
    sender: OnceLock<mpsc::UnboundedSender<Job>>,
}

fn stopped() -> Error {
    Error::Db {
        context: "AS4 group commit",
        source: sqlx::Error::WorkerCrashed,
    }
}

impl InboundGroup {
    /// Stores `inbound` with whatever else is waiting; returns once committed.
    pub(crate) async fn write(&self, pool: &AnyPool, inbound: Inbound) -> Result<bool> {
        let sender = self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(writer(pool.clone(), rx));
            tx
        });
        let (reply, done) = oneshot::channel();
        sender.send(Job { inbound, reply }).map_err(|_| stopped())?;
        done.await.map_err(|_| stopped())?
    }
}

async fn writer(pool: AnyPool, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let results = match commit_group(&pool, &jobs).await {
            Ok(results) => results,
            Err(e) => {
                tracing::error!(error = %e, messages = jobs.len(), "AS4 group commit failed");
                jobs.iter()
                    .map(|_| {
                        Err(Error::Db {
                            context: "committing received AS4 messages",
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

async fn commit_group(pool: &AnyPool, jobs: &[Job]) -> Result<Vec<Result<bool>>> {
    // Every SQLite connection runs `synchronous = FULL` (see `db.rs`): the commit is durable.
    let mut conn = pool.acquire().await.map_err(Error::db("acquire"))?;
    commit_in(&mut conn, jobs).await
}

async fn commit_in(conn: &mut sqlx::AnyConnection, jobs: &[Job]) -> Result<Vec<Result<bool>>> {
    let mut tx = sqlx::Connection::begin(conn)
        .await
        .map_err(Error::db("begin"))?;
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        savepoint(&mut tx, "SAVEPOINT inbound").await?;
        match insert(&mut tx, &job.inbound).await {
            Ok(true) => out.push(Ok(true)),
            Ok(false) => {
                savepoint(&mut tx, "ROLLBACK TO SAVEPOINT inbound").await?;
                out.push(Ok(false));
            }
            Err(e) => {
                savepoint(&mut tx, "ROLLBACK TO SAVEPOINT inbound").await?;
                out.push(Err(e));
            }
        }
        savepoint(&mut tx, "RELEASE SAVEPOINT inbound").await?;
    }
    tx.commit().await.map_err(Error::db("commit"))?;
    Ok(out)
}

async fn savepoint(tx: &mut sqlx::Transaction<'_, sqlx::Any>, sql: &'static str) -> Result<()> {
    sqlx::query(sql)
        .execute(&mut **tx)
        .await
        .map_err(Error::db("savepoint"))?;
    Ok(())
}

/// The blob rows, the member's document, its first event and the message row; `false` when
/// the MessageId is already there.
async fn insert(tx: &mut sqlx::Transaction<'_, sqlx::Any>, i: &Inbound) -> Result<bool> {
    let m = &i.message;
    insert_blob_row(&mut **tx, &i.sbd).await?;
    insert_blob_row(&mut **tx, &i.document).await?;
    sqlx::query(
        "INSERT INTO documents (id, company_id, direction, source, media_type, file_name, blob_sha256, state, created_at, updated_at)
         VALUES ($1, $2, $3, 'as4', 'application/xml', $4, $5, 'received', $6, $6)",
    )
    .bind(i.document_id.as_str())
    .bind(m.company_id.as_str())
    .bind(Direction::Purchase.as_str())
    .bind(m.file_name.clone())
    .bind(i.document.blob.sha256.as_str())
    .bind(i.now.as_str())
    .execute(&mut **tx)
    .await
    .map_err(Error::db("creating the received document"))?;
    insert_event(tx, &i.event).await?;
    let inserted = sqlx::query(
        "INSERT INTO as4_inbound (message_id, company_id, document_id, from_party, sender_id, receiver_id, document_type, process, sbd_sha256, receipt, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (message_id) DO NOTHING",
    )
    .bind(m.message_id.as_str())
    .bind(m.company_id.as_str())
    .bind(i.document_id.as_str())
    .bind(m.from_party.as_str())
    .bind(m.sender_id.as_str())
    .bind(m.receiver_id.as_str())
    .bind(m.document_type.as_str())
    .bind(m.process.as_str())
    .bind(i.sbd.blob.sha256.as_str())
    .bind(m.receipt.as_str())
    .bind(i.now.as_str())
    .execute(&mut **tx)
    .await
    .map_err(Error::db("recording the AS4 message"))?
    .rows_affected();
    Ok(inserted == 1)
}
