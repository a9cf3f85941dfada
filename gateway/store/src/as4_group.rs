//! Group commit of received AS4 messages (see `group`): messages stored concurrently are written
//! in one transaction, and every caller returns only once that transaction has committed, so no
//! receipt leaves before its message is durable.
//!
//! SQLite connections run `synchronous = FULL` (the WAL is fsynced at every commit, so a receipt
//! never leaves before its message survives a power loss); one fsync per group instead of one
//! per message is what makes that affordable. PostgreSQL commits durably anyway; sharing the
//! commit saves its WAL flushes and round trips.
use std::collections::HashSet;

use async_trait::async_trait;
use sqlx::{Any, Transaction};

use crate::as4::InboundMessage;
use crate::bulk::{
    check_companies, insert_blobs, insert_documents, insert_events, insert_rows, present, text,
    NewRow,
};
use crate::group::GroupWrite;
use crate::sql_store::StagedBlob;
use crate::{Direction, Event, Result};

/// One received message, its blobs already durable.
pub(crate) struct Inbound {
    pub message: InboundMessage,
    pub document_id: String,
    pub event: Event,
    pub now: String,
    pub sbd: StagedBlob,
    pub document: StagedBlob,
}

/// Received messages, written together by [`crate::group::Group`]: `true` when stored, `false`
/// when the MessageId was stored before (nothing written).
pub(crate) struct Received;

#[async_trait]
impl GroupWrite for Received {
    type Job = Inbound;
    type Done = bool;
    const WHAT: &'static str = "committing received AS4 messages";

    /// Written as if no MessageId were stored yet, one statement per table; a MessageId
    /// repeated in the group is left out after its first. Repeats of messages stored before
    /// (a sender's retry) are rare: one fails the group on the primary key, as does a company
    /// that is gone (foreign key), and the group is then written message by message, each
    /// checked first. Looking every group up front cost two more round trips per group.
    async fn all(&self, tx: &mut Transaction<'_, Any>, jobs: &[Inbound]) -> Result<Vec<bool>> {
        let mut seen = HashSet::new();
        let first: Vec<bool> = jobs
            .iter()
            .map(|j| seen.insert(j.message.message_id.as_str()))
            .collect();
        let new: Vec<&Inbound> = jobs
            .iter()
            .zip(&first)
            .filter_map(|(j, f)| f.then_some(j))
            .collect();
        insert_all(tx, &new).await?;
        Ok(first)
    }

    async fn one(&self, tx: &mut Transaction<'_, Any>, job: &Inbound) -> Result<bool> {
        let id = job.message.message_id.as_str();
        let stored = present(
            tx,
            "as4_inbound",
            "message_id",
            &[id],
            "reading an AS4 message",
        )
        .await?;
        if stored.contains(id) {
            return Ok(false);
        }
        check_companies(tx, vec![job.message.company_id.as_str()]).await?;
        insert_all(tx, &[job]).await?;
        Ok(true)
    }
}

/// Every row of `new` (distinct MessageIds), one statement per table.
async fn insert_all(tx: &mut Transaction<'_, Any>, new: &[&Inbound]) -> Result<()> {
    let Some(first) = new.first() else {
        return Ok(());
    };
    let now = first.now.as_str();
    let blobs: Vec<_> = new
        .iter()
        .flat_map(|i| [&i.sbd, &i.document])
        .map(|b| (&b.blob, b.content.as_deref()))
        .collect();
    insert_blobs(tx, &blobs, now).await?;
    let documents: Vec<NewRow> = new
        .iter()
        .map(|i| NewRow {
            id: &i.document_id,
            company_id: &i.message.company_id,
            direction: Direction::Purchase,
            source: "as4",
            media_type: "application/xml",
            file_name: &i.message.file_name,
            blob_sha256: &i.document.blob.sha256,
            state: "received",
            at: &i.now,
        })
        .collect();
    insert_documents(tx, &documents).await?;
    let events: Vec<&Event> = new.iter().map(|i| &i.event).collect();
    insert_events(tx, &events).await?;
    let messages: Vec<_> = new
        .iter()
        .map(|i| {
            let m = &i.message;
            vec![
                text(&m.message_id),
                text(&m.company_id),
                text(&i.document_id),
                text(&m.from_party),
                text(&m.sender_id),
                text(&m.receiver_id),
                text(&m.document_type),
                text(&m.process),
                text(&i.sbd.blob.sha256),
                text(&m.receipt),
                text(&i.now),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "as4_inbound",
        &[
            "message_id",
            "company_id",
            "document_id",
            "from_party",
            "sender_id",
            "receiver_id",
            "document_type",
            "process",
            "sbd_sha256",
            "receipt",
            "received_at",
        ],
        "",
        &messages,
        "recording the AS4 messages",
    )
    .await
}
