//! Peppol AS4 storage: received messages with their receipts (duplicate elimination that
//! survives restarts) and the durable outbox of messages to send.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{SecondsFormat, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::journal::event_hash;
use crate::sql_store::{get, new_id, non_empty};
use crate::{time, Error, Event, Result, SqlStore, GENESIS_HASH};

/// A received message that passed every check, with the receipt that will answer it.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    pub message_id: String,
    /// The member company whose participant is the final recipient.
    pub company_id: String,
    pub from_party: String,
    pub sender_id: String,
    pub receiver_id: String,
    pub document_type: String,
    pub process: String,
    /// The whole Standard Business Document, kept as received.
    pub sbd: Vec<u8>,
    /// What lands in the member's inbox (the business document).
    pub document: Vec<u8>,
    pub file_name: Option<String>,
    /// The signed receipt (XML).
    pub receipt: String,
}

/// What storing an inbound message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// Stored now, as this document.
    Stored { document_id: String },
    /// The MessageId was stored before: nothing was written; answer this receipt again.
    Duplicate {
        document_id: String,
        receipt: String,
    },
}

/// A message to send, as the lifecycle hands it over.
#[derive(Debug, Clone)]
pub struct NewOutbound {
    pub message_id: String,
    pub document_id: Option<String>,
    pub company_id: String,
    pub sender_id: String,
    pub receiver_id: String,
    pub document_type: String,
    pub process: String,
    /// The business document (the SBDH is added when sending).
    pub payload: Vec<u8>,
}

/// A Peppol delivery that never reached the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrandedDelivery {
    pub document_id: String,
    pub company_id: String,
    /// The receiving participant.
    pub recipient: Option<String>,
}

/// An outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub id: String,
    pub message_id: String,
    pub document_id: Option<String>,
    pub company_id: String,
    pub sender_id: String,
    pub receiver_id: String,
    pub document_type: String,
    pub process: String,
    pub payload_sha256: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub endpoint_url: Option<String>,
    /// The built message (Content-Type and body blob), once the first attempt made it.
    pub message_content_type: Option<String>,
    pub message_sha256: Option<String>,
    pub receipt: Option<String>,
}

#[async_trait]
pub trait As4Store: Send + Sync {
    /// Stores the message row, the SBD and the member's document in one transaction, unless the
    /// MessageId is already stored: then nothing is written and the stored receipt comes back.
    async fn record_inbound(&self, m: InboundMessage) -> Result<Inbound>;
    /// The receipt stored for a received MessageId.
    async fn inbound_receipt(&self, message_id: &str) -> Result<Option<String>>;
    /// How many messages were received for a company.
    async fn count_inbound(&self, company_id: &str) -> Result<i64>;

    /// Queues a message; due at once. A MessageId queued already gives that row back and
    /// queues nothing, so a hand-over repeated after a crash never sends twice.
    async fn enqueue_outbound(&self, m: NewOutbound) -> Result<Outbound>;
    /// Peppol deliveries still queued, created before `before`, for which the outbox holds no
    /// message: the process stopped between storing the document and handing it over.
    async fn stranded_peppol_deliveries(
        &self,
        before: &str,
        limit: u32,
    ) -> Result<Vec<StrandedDelivery>>;
    /// Takes the next due message (pending and due, or sending with an expired lease) for
    /// `lease`; another worker cannot take it until the lease ends.
    async fn claim_outbound(&self, owner: &str, lease: Duration) -> Result<Option<Outbound>>;
    /// Keeps the message as built for its first attempt; retries send exactly these bytes.
    async fn outbound_built(&self, id: &str, content_type: &str, body: &[u8]) -> Result<()>;
    /// The message got a verified receipt.
    async fn outbound_sent(&self, id: &str, endpoint_url: &str, receipt: &str) -> Result<()>;
    /// The attempt failed; try again after `delay`.
    async fn outbound_retry(&self, id: &str, error: &str, delay: Duration) -> Result<()>;
    /// The message cannot be delivered: give up.
    async fn outbound_failed(&self, id: &str, error: &str) -> Result<()>;
    async fn get_outbound(&self, id: &str) -> Result<Option<Outbound>>;
}

fn later(delay: Duration) -> String {
    let d = chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::days(365));
    (Utc::now() + d).to_rfc3339_opts(SecondsFormat::Millis, true)
}

const OUTBOX_COLUMNS: &str = "id, message_id, document_id, company_id, sender_id, receiver_id, document_type, process, payload_sha256, state, attempts, next_attempt_at, last_error, endpoint_url, message_content_type, message_sha256, receipt";

fn outbound_from(r: &AnyRow) -> Result<Outbound> {
    Ok(Outbound {
        id: get(r, "id")?,
        message_id: get(r, "message_id")?,
        document_id: get(r, "document_id")?,
        company_id: get(r, "company_id")?,
        sender_id: get(r, "sender_id")?,
        receiver_id: get(r, "receiver_id")?,
        document_type: get(r, "document_type")?,
        process: get(r, "process")?,
        payload_sha256: get(r, "payload_sha256")?,
        state: get(r, "state")?,
        attempts: get(r, "attempts")?,
        next_attempt_at: get(r, "next_attempt_at")?,
        last_error: get(r, "last_error")?,
        endpoint_url: get(r, "endpoint_url")?,
        message_content_type: get(r, "message_content_type")?,
        message_sha256: get(r, "message_sha256")?,
        receipt: get(r, "receipt")?,
    })
}

#[async_trait]
impl As4Store for SqlStore {
    async fn record_inbound(&self, mut m: InboundMessage) -> Result<Inbound> {
        non_empty("message_id", &m.message_id)?;
        // A MessageId stored before and a missing company are the group's to find (`as4_group`).
        // Blobs are durable before the rows that point at them; the bytes move, not copied.
        let sbd = self.stage_blob(std::mem::take(&mut m.sbd)).await?;
        let document = self.stage_blob(std::mem::take(&mut m.document)).await?;
        let now = time::now();
        let document_id = new_id();
        let mut event = Event {
            document_id: document_id.clone(),
            seq: 1,
            company_id: m.company_id.clone(),
            actor: format!("as4:{}", m.from_party),
            at: now.clone(),
            kind: "created".into(),
            from_state: None,
            to_state: "received".into(),
            detail: serde_json::json!({
                "source": "as4",
                "media_type": "application/xml",
                "file_name": m.file_name,
                "sha256": document.blob.sha256,
                "size": document.blob.size,
                "as4_message_id": m.message_id,
                "sender": m.sender_id,
                "document_type": m.document_type,
            }),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        event.hash = event_hash(&event);
        let message_id = m.message_id.clone();
        // Committed with the messages received meanwhile (`as4_group`): returns after the commit.
        let stored = self
            .inbound_group
            .write(
                self.write(),
                || crate::as4_group::Received,
                crate::as4_group::Inbound {
                    message: m,
                    document_id: document_id.clone(),
                    event,
                    now,
                    sbd,
                    document,
                },
            )
            .await?;
        if stored {
            return Ok(Inbound::Stored { document_id });
        }
        // Stored before, or by another request meanwhile: keep its document only.
        self.inbound_row(&message_id)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "AS4 message",
                id: message_id,
            })
    }

    async fn inbound_receipt(&self, message_id: &str) -> Result<Option<String>> {
        Ok(match self.inbound_row(message_id).await? {
            Some(Inbound::Duplicate { receipt, .. }) => Some(receipt),
            _ => None,
        })
    }

    async fn count_inbound(&self, company_id: &str) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM as4_inbound WHERE company_id = $1")
            .bind(company_id)
            .fetch_one(self.read())
            .await
            .map_err(Error::db("counting AS4 messages"))?;
        get(&row, "n")
    }

    async fn enqueue_outbound(&self, m: NewOutbound) -> Result<Outbound> {
        non_empty("message_id", &m.message_id)?;
        self.ensure_companies_exist(std::slice::from_ref(&m.company_id))
            .await?;
        let blob = crate::Store::put_blob(self, &m.payload).await?;
        let id = new_id();
        let now = time::now();
        sqlx::query(
            "INSERT INTO as4_outbox (id, message_id, document_id, company_id, sender_id, receiver_id, document_type, process, payload_sha256, state, attempts, next_attempt_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $10, $10, $10)
             ON CONFLICT (message_id) DO NOTHING",
        )
        .bind(id.as_str())
        .bind(m.message_id.as_str())
        .bind(m.document_id.clone())
        .bind(m.company_id.as_str())
        .bind(m.sender_id.as_str())
        .bind(m.receiver_id.as_str())
        .bind(m.document_type.as_str())
        .bind(m.process.as_str())
        .bind(blob.sha256.as_str())
        .bind(now.as_str())
        .execute(self.write())
        .await
        .map_err(Error::db("queueing the AS4 message"))?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM as4_outbox WHERE message_id = $1"
        )))
        .bind(m.message_id.as_str())
        .fetch_optional(self.write())
        .await
        .map_err(Error::db("reading the queued AS4 message"))?;
        row.as_ref()
            .map(outbound_from)
            .transpose()?
            .ok_or(Error::NotFound {
                what: "outbox message",
                id: m.message_id,
            })
    }

    async fn stranded_peppol_deliveries(
        &self,
        before: &str,
        limit: u32,
    ) -> Result<Vec<StrandedDelivery>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT d.document_id, d.company_id, d.recipient FROM deliveries d
             WHERE d.channel = 'peppol' AND d.status = 'queued' AND d.created_at < $1
               AND NOT EXISTS (SELECT 1 FROM as4_outbox o WHERE o.document_id = d.document_id)
             ORDER BY d.created_at LIMIT {}",
            limit.clamp(1, 1000)
        )))
        .bind(before)
        .fetch_all(self.write())
        .await
        .map_err(Error::db("looking for stranded Peppol deliveries"))?
        .iter()
        .map(|r| {
            Ok(StrandedDelivery {
                document_id: get(r, "document_id")?,
                company_id: get(r, "company_id")?,
                recipient: get(r, "recipient")?,
            })
        })
        .collect()
    }

    async fn claim_outbound(&self, owner: &str, lease: Duration) -> Result<Option<Outbound>> {
        let now = time::now();
        let due = "((state = 'pending' AND next_attempt_at <= $3) OR (state = 'sending' AND lease_until < $3))";
        let sql = format!(
            "UPDATE as4_outbox SET state = 'sending', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
             WHERE id = (SELECT id FROM as4_outbox WHERE {due} ORDER BY next_attempt_at LIMIT 1) AND {due}
             RETURNING {OUTBOX_COLUMNS}"
        );
        // Only fixed SQL is spliced in; values are bound.
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner)
            .bind(later(lease))
            .bind(now.as_str())
            .fetch_optional(self.write())
            .await
            .map_err(Error::db("claiming an outbox message"))?;
        row.as_ref().map(outbound_from).transpose()
    }

    async fn outbound_built(&self, id: &str, content_type: &str, body: &[u8]) -> Result<()> {
        let blob = crate::Store::put_blob(self, body).await?;
        sqlx::query(
            "UPDATE as4_outbox SET message_content_type = $2, message_sha256 = $3, updated_at = $4 WHERE id = $1 AND message_sha256 IS NULL",
        )
        .bind(id)
        .bind(content_type)
        .bind(blob.sha256.as_str())
        .bind(time::now())
        .execute(self.write())
        .await
        .map_err(Error::db("keeping the built message"))?;
        Ok(())
    }

    async fn outbound_sent(&self, id: &str, endpoint_url: &str, receipt: &str) -> Result<()> {
        sqlx::query(
            "UPDATE as4_outbox SET state = 'sent', receipt = $2, endpoint_url = $3, last_error = NULL, lease_owner = NULL, lease_until = NULL, updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(receipt)
        .bind(endpoint_url)
        .bind(time::now())
        .execute(self.write())
        .await
        .map_err(Error::db("recording the receipt"))?;
        Ok(())
    }

    async fn outbound_retry(&self, id: &str, error: &str, delay: Duration) -> Result<()> {
        sqlx::query(
            "UPDATE as4_outbox SET state = 'pending', last_error = $2, next_attempt_at = $3, lease_owner = NULL, lease_until = NULL, updated_at = $4 WHERE id = $1 AND state = 'sending'",
        )
        .bind(id)
        .bind(error)
        .bind(later(delay))
        .bind(time::now())
        .execute(self.write())
        .await
        .map_err(Error::db("scheduling a retry"))?;
        Ok(())
    }

    async fn outbound_failed(&self, id: &str, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE as4_outbox SET state = 'failed', last_error = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3 WHERE id = $1",
        )
        .bind(id)
        .bind(error)
        .bind(time::now())
        .execute(self.write())
        .await
        .map_err(Error::db("recording a failed delivery"))?;
        Ok(())
    }

    async fn get_outbound(&self, id: &str) -> Result<Option<Outbound>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {OUTBOX_COLUMNS} FROM as4_outbox WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.read())
        .await
        .map_err(Error::db("reading the outbox"))?;
        row.as_ref().map(outbound_from).transpose()
    }
}

impl SqlStore {
    async fn inbound_row(&self, message_id: &str) -> Result<Option<Inbound>> {
        // The write pool: a duplicate right after a commit must see it.
        let row = sqlx::query("SELECT document_id, receipt FROM as4_inbound WHERE message_id = $1")
            .bind(message_id)
            .fetch_optional(self.write())
            .await
            .map_err(Error::db("reading an AS4 message"))?;
        row.map(|r| {
            Ok(Inbound::Duplicate {
                document_id: r.try_get("document_id").map_err(Error::db("reading"))?,
                receipt: r.try_get("receipt").map_err(Error::db("reading"))?,
            })
        })
        .transpose()
    }
}
