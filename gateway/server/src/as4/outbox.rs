//! The durable AS4 outbox: [`Outbox::enqueue`] queues a document for a receiver; the worker
//! started by `serve` claims due messages with a lease (a crashed worker's message is taken
//! again after the lease, with the same MessageId), sends, and records the receipt, a retry with
//! exponential backoff, or the final failure.
use std::sync::Arc;
use std::time::Duration;

use gateway_store::{NewOutbound, Outbound, Store};

use super::send::{SendError, Sender};

/// What the lifecycle hands over to be sent.
#[derive(Debug, Clone)]
pub struct As4Send {
    pub document_id: Option<String>,
    pub company_id: String,
    /// Participant ids (`0208:...` or with the `iso6523-actorid-upis::` scheme).
    pub sender_id: String,
    pub receiver_id: String,
    /// Document type identifier value (`urn:oasis:...::Invoice##...::2.1`).
    pub doctype: String,
    /// Process identifier value.
    pub process: String,
    /// The business document (UBL/CII); the SBDH is added when sending.
    pub payload: Vec<u8>,
}

pub struct Outbox;

impl Outbox {
    /// Queues a message; the worker sends it as soon as it is due. A document's message has
    /// the document's id as its MessageId, so that queueing it again (the sweeper after a
    /// crash) finds the first one instead of sending a second.
    pub async fn enqueue(store: &dyn Store, send: As4Send) -> gateway_store::Result<Outbound> {
        let message_id = match &send.document_id {
            Some(document) => format!("{document}@gateway"),
            None => format!("{}@gateway", uuid::Uuid::new_v4()),
        };
        store
            .enqueue_outbound(NewOutbound {
                message_id,
                document_id: send.document_id,
                company_id: send.company_id,
                sender_id: send.sender_id,
                receiver_id: send.receiver_id,
                document_type: send.doctype,
                process: send.process,
                payload: send.payload,
            })
            .await
    }
}

/// Retry policy of the worker.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max_attempts: u32,
    pub base: Duration,
    pub max_delay: Duration,
    pub lease: Duration,
    pub idle: Duration,
}

impl Policy {
    /// Delay after the `attempt`-th failure: base, 2 base, 4 base ... capped.
    pub fn delay(&self, attempt: i64) -> Duration {
        let exp = attempt.clamp(1, 30) as u32 - 1;
        self.base
            .saturating_mul(2u32.saturating_pow(exp))
            .min(self.max_delay)
    }
}

/// Runs workers until the process ends.
pub fn spawn_workers(store: Arc<dyn Store>, sender: Arc<Sender>, policy: Policy, workers: usize) {
    for n in 0..workers {
        let (store, sender) = (store.clone(), sender.clone());
        let owner = format!(
            "{}-{}-{n}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        );
        tokio::spawn(async move {
            loop {
                match work_once(&*store, &sender, &policy, &owner).await {
                    Ok(true) => {}
                    Ok(false) => tokio::time::sleep(policy.idle).await,
                    Err(e) => {
                        tracing::error!(error = %e, "AS4 outbox");
                        tokio::time::sleep(policy.idle * 10).await;
                    }
                }
            }
        });
    }
}

/// Claims and handles one due message; `false` when none was due.
pub async fn work_once(
    store: &dyn Store,
    sender: &Sender,
    policy: &Policy,
    owner: &str,
) -> gateway_store::Result<bool> {
    let Some(job) = store.claim_outbound(owner, policy.lease).await? else {
        return Ok(false);
    };
    match sender.send(&job).await {
        Ok((url, receipt)) => {
            tracing::info!(message_id = %job.message_id, %url, attempts = job.attempts, "AS4 message delivered");
            store.outbound_sent(&job.id, &url, &receipt).await?;
            crate::lifecycle::peppol::outbox_result(store, &job, Ok((&url, &receipt))).await;
        }
        Err(SendError::Retry(e)) if job.attempts < i64::from(policy.max_attempts) => {
            let delay = policy.delay(job.attempts);
            tracing::warn!(message_id = %job.message_id, error = %e, retry_in_ms = delay.as_millis() as u64, "AS4 send failed; will retry");
            store.outbound_retry(&job.id, &e, delay).await?;
        }
        Err(SendError::Retry(e)) | Err(SendError::Final(e)) => {
            tracing::error!(message_id = %job.message_id, error = %e, attempts = job.attempts, "AS4 message not delivered");
            store.outbound_failed(&job.id, &e).await?;
            crate::lifecycle::peppol::outbox_result(store, &job, Err(&e)).await;
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = Policy {
            max_attempts: 5,
            base: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            lease: Duration::from_secs(60),
            idle: Duration::from_millis(100),
        };
        let d: Vec<u64> = (1..=6).map(|a| p.delay(a).as_secs()).collect();
        assert_eq!(d, vec![1, 2, 4, 8, 10, 10]);
    }
}
