//! Makes the due deliveries: per connector one document at a time, in chain order, retried on
//! the Standard Webhooks schedule (or after `Retry-After`); 410 disables a webhook.
use std::sync::Arc;
use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use gateway_store::{
    ArchiveQuery, ArchivedInvoice, Attempt, ConnectorKind, DueDelivery, Store, Visibility,
};
use tokio::sync::Notify;

use super::outbound::Outbound;
use super::{mailbox, webhook};
use crate::config::WebhooksConfig;
use crate::email::EmailSender;

#[derive(Clone)]
pub struct Forwarder {
    pub store: Arc<dyn Store>,
    pub webhooks: WebhooksConfig,
    /// The relay of `[email.outbound]`, for mailbox drops; `None` when e-mail delivery is off.
    pub email: Option<Arc<dyn EmailSender>>,
    pub wake: Arc<Notify>,
}

fn at(after: Duration) -> String {
    (Utc::now() + chrono::Duration::from_std(after).unwrap_or_default())
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Forwarder {
    fn outbound(&self) -> Outbound {
        Outbound {
            allow_private: self.webhooks.allow_private,
            timeout: Duration::from_secs(self.webhooks.timeout_secs.max(1)),
        }
    }

    /// After a failed attempt: when to try again, or give up.
    fn retry(&self, attempts_before: i64, retry_after: Option<u64>, reason: String) -> Attempt {
        let n = (attempts_before + 1) as usize;
        match self.webhooks.retry_schedule_secs.get(n) {
            Some(delay) => {
                let wait = retry_after
                    .map(|r| r.min(self.webhooks.max_retry_after_secs))
                    .unwrap_or(*delay);
                Attempt::Retry {
                    at: at(Duration::from_secs(wait)),
                    reason,
                }
            }
            None => Attempt::Failed {
                reason: format!("{reason} (gave up after {n} attempts)"),
            },
        }
    }

    async fn invoice(&self, document_id: &str) -> Result<Option<ArchivedInvoice>, String> {
        let q = ArchiveQuery {
            ids: vec![document_id.to_string()],
            limit: 1,
            ..Default::default()
        };
        Ok(self
            .store
            .search_archive(&Visibility::All, &q)
            .await
            .map_err(|e| e.to_string())?
            .pop())
    }

    /// One attempt at one delivery.
    pub async fn attempt(&self, due: &DueDelivery) -> Attempt {
        let d = &due.delivery;
        let invoice = match self.invoice(&d.document_id).await {
            Ok(Some(i)) => i,
            Ok(None) => {
                return Attempt::Failed {
                    reason: "the document left the archive".into(),
                }
            }
            Err(e) => return self.retry(d.attempts, None, e),
        };
        match due.connector_kind {
            ConnectorKind::Webhook => {
                match webhook::send(&self.outbound(), due, webhook::body(&invoice)).await {
                    Ok(a) if (200..300).contains(&a.status) => Attempt::Forwarded,
                    Ok(a) if a.status == 410 => Attempt::Disable {
                        reason: format!("the endpoint answered 410 Gone at {}", at(Duration::ZERO)),
                    },
                    Ok(a) => self.retry(
                        d.attempts,
                        a.retry_after,
                        format!("the endpoint answered {}", a.status),
                    ),
                    Err(e) if e.starts_with("refused") || e.starts_with("bad URL") => {
                        Attempt::Failed { reason: e }
                    }
                    Err(e) => self.retry(d.attempts, None, e),
                }
            }
            ConnectorKind::Mailbox => match self.mail(due, &invoice).await {
                Ok(()) => Attempt::Forwarded,
                Err(e) => self.retry(d.attempts, None, e),
            },
            ConnectorKind::Feed => Attempt::Retry {
                at: at(Duration::from_secs(3600)),
                reason: "waits to be fetched".into(),
            },
        }
    }

    async fn mail(&self, due: &DueDelivery, invoice: &ArchivedInvoice) -> Result<(), String> {
        let doc = self
            .store
            .get_document(&Visibility::All, &due.delivery.document_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the document is gone")?;
        let to = match doc.direction {
            gateway_store::Direction::Sales => due.sales_email.as_deref(),
            _ => due.purchases_email.as_deref(),
        }
        .ok_or_else(|| format!("the mailbox has no address for {} invoices", doc.direction))?;
        let original = self
            .store
            .get_blob(&doc.blob.sha256)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the document's bytes are gone")?;
        mailbox::send(self.email.as_deref(), to, &doc, invoice, original).await
    }

    /// Makes every due delivery once; how many attempts were made.
    pub async fn run_once(&self) -> usize {
        let now = at(Duration::ZERO);
        let due = match self.store.due_deliveries(&now, 100).await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "reading due deliveries failed");
                return 0;
            }
        };
        let mut tasks = tokio::task::JoinSet::new();
        for item in due {
            let me = self.clone();
            tasks.spawn(async move {
                let d = &item.delivery;
                // Nodes sharing the database each run a forwarder: only the one that claims
                // the delivery sends it. The lease outlasts one attempt; a crash retries after it.
                let lease = at(Duration::from_secs(me.webhooks.timeout_secs.max(1) + 60));
                match me.store.claim_delivery(d, &lease).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => {
                        tracing::error!(error = %e, "claiming a delivery failed");
                        return;
                    }
                }
                let attempt = me.attempt(&item).await;
                match &attempt {
                    Attempt::Forwarded => tracing::info!(connector = %d.connector_id, document = %d.document_id, "forwarded"),
                    other => tracing::warn!(connector = %d.connector_id, document = %d.document_id, outcome = ?other, "delivery not made"),
                }
                if let Err(e) = me.store.record_attempt(&d.connector_id, &d.document_id, attempt).await {
                    tracing::error!(error = %e, "recording a delivery attempt failed");
                }
            });
        }
        let mut n = 0;
        while tasks.join_next().await.is_some() {
            n += 1;
        }
        n
    }

    pub fn spawn(self) {
        tokio::spawn(async move {
            loop {
                let made = self.run_once().await;
                if made == 0 {
                    tokio::select! {
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                    }
                }
            }
        });
    }
}
