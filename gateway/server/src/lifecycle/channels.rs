//! Hooks for the outbound channels that live elsewhere: the e-mail sender (SMTP) and the Peppol
//! AS4 outbox. Sending an invoice only queues a delivery row; a worker drains the queue of its
//! channel through a [`ChannelSender`] and records each outcome on the document's journal.
use async_trait::async_trait;
use gateway_store::{Delivery, DeliveryRecord, DeliveryStatus, Store};

/// What a channel reports for one delivery.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Delivered, with the channel's proof (AS4 receipt, SMTP message id, …).
    Delivered(serde_json::Value),
    /// Failed for good or for now; the reason is shown on the document.
    Failed(String),
}

/// One outbound channel. The e-mail channel (`EmailSender`) attaches the UBL (and the PDF when
/// there is one) and sends to `delivery.recipient`; the Peppol channel hands the document to the
/// AS4 outbox for `delivery.recipient` (a participant identifier).
#[async_trait]
pub trait ChannelSender: Send + Sync {
    fn channel(&self) -> Delivery;
    async fn deliver(&self, delivery: &DeliveryRecord, document: &[u8]) -> Outcome;
}

/// The e-mail channel's sender: implemented over SMTP by the e-mail module.
pub trait EmailSender: ChannelSender {}

/// The Peppol channel's sender: implemented by the AS4 outbox.
pub trait PeppolOutbox: ChannelSender {}

/// Drains up to `limit` queued deliveries of `sender`'s channel; returns how many were tried.
/// Each outcome is recorded (delivery row, summary, journal event) before the next is tried.
pub async fn drain(
    store: &dyn Store,
    sender: &dyn ChannelSender,
    limit: u32,
) -> Result<usize, gateway_store::Error> {
    let queued = store.queued_deliveries(sender.channel(), limit).await?;
    let actor = format!("system:{}", sender.channel());
    for delivery in &queued {
        let doc = store
            .get_document(&gateway_store::Visibility::All, &delivery.document_id)
            .await?
            .ok_or_else(|| gateway_store::Error::NotFound {
                what: "document",
                id: delivery.document_id.clone(),
            })?;
        let bytes = store
            .get_blob(&doc.blob.sha256)
            .await?
            .ok_or_else(|| gateway_store::Error::BlobMissing(doc.blob.sha256.clone()))?;
        let (status, proof, reason) = match sender.deliver(delivery, &bytes).await {
            Outcome::Delivered(proof) => (DeliveryStatus::Delivered, Some(proof), None),
            Outcome::Failed(reason) => (DeliveryStatus::Failed, None, Some(reason)),
        };
        store
            .complete_delivery(&delivery.id, status, proof, reason, &actor)
            .await?;
    }
    Ok(queued.len())
}

/// Runs `sender`'s queue until the process ends: drains whenever `wake` is notified (a send
/// queued something) and at least every `every`, so a delivery queued by another node or before
/// a restart goes out too.
pub fn spawn_worker(
    store: std::sync::Arc<dyn Store>,
    sender: std::sync::Arc<dyn ChannelSender>,
    wake: std::sync::Arc<tokio::sync::Notify>,
    every: std::time::Duration,
) {
    tokio::spawn(async move {
        loop {
            match drain(&*store, &*sender, 50).await {
                // A full batch: more may be waiting.
                Ok(50) => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(channel = %sender.channel(), error = %e, "delivery queue")
                }
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(every) => {}
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use gateway_store::*;
    use serde_json::json;

    use super::*;
    use crate::lifecycle::fixtures::{queued_sale, store_with_company};

    /// A stand-in for the SMTP sender: the edge of the world, recording what it was given.
    struct Recorder {
        seen: Mutex<Vec<(String, usize)>>,
    }

    #[async_trait]
    impl ChannelSender for Recorder {
        fn channel(&self) -> Delivery {
            Delivery::Email
        }
        async fn deliver(&self, delivery: &DeliveryRecord, document: &[u8]) -> Outcome {
            let to = delivery.recipient.clone().unwrap_or_default();
            self.seen.lock().unwrap().push((to.clone(), document.len()));
            if to.ends_with("@bounce.example") {
                Outcome::Failed("550 no such mailbox".into())
            } else {
                Outcome::Delivered(json!({"message_id": "<1@gateway>"}))
            }
        }
    }
    impl EmailSender for Recorder {}

    #[tokio::test]
    async fn drain_delivers_the_queue_of_its_channel_and_records_each_outcome() {
        for db in gateway_testkit::test_databases().await {
            let (store, company) = store_with_company(&db).await;
            let mut ids = Vec::new();
            for (n, to, channel) in [
                (1, "ap@customer.example", Delivery::Email),
                (2, "ap@bounce.example", Delivery::Email),
                (3, "0088:5790000435975", Delivery::Peppol),
            ] {
                let bytes = format!("<Invoice>{n}</Invoice>").into_bytes();
                ids.push(queued_sale(&store, &company, bytes, channel, to).await);
            }
            let sender = Recorder {
                seen: Mutex::new(Vec::new()),
            };
            assert_eq!(drain(&store, &sender, 10).await.unwrap(), 2);
            assert_eq!(
                *sender.seen.lock().unwrap(),
                [
                    ("ap@customer.example".to_string(), 20),
                    ("ap@bounce.example".to_string(), 20)
                ]
            );
            let status = |id: &str| {
                let store = &store;
                let id = id.to_string();
                async move {
                    let d = store
                        .document_detail(&Visibility::All, &id)
                        .await
                        .unwrap()
                        .unwrap();
                    (d.row.delivery_status, d.row.status_reason)
                }
            };
            assert_eq!(status(&ids[0]).await, (Some("delivered".into()), None));
            assert_eq!(
                status(&ids[1]).await,
                (Some("failed".into()), Some("550 no such mailbox".into()))
            );
            assert_eq!(
                status(&ids[2]).await.0.as_deref(),
                Some("queued"),
                "not the e-mail channel's"
            );
            let events = store
                .events(&Visibility::All, &ids[1])
                .await
                .unwrap()
                .unwrap();
            assert_eq!(events.last().unwrap().kind, "delivery_failed");
            assert_eq!(events.last().unwrap().actor, "system:email");
            assert_eq!(
                drain(&store, &sender, 10).await.unwrap(),
                0,
                "nothing left queued"
            );
        }
    }
}
