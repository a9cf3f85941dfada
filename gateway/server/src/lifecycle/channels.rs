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
