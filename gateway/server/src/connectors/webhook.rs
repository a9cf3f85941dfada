//! One Standard Webhooks delivery attempt and what it means for the document.
use gateway_store::{ArchivedInvoice, DueDelivery};
use serde::Serialize;

use super::keys;
use super::outbound::{Answer, Outbound};

/// The event body: what was archived, enough to fetch it through the API.
#[derive(Debug, Serialize)]
pub struct Payload<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub timestamp: String,
    pub data: &'a ArchivedInvoice,
}

pub fn body(invoice: &ArchivedInvoice) -> Vec<u8> {
    let payload = Payload {
        kind: "document.archived",
        timestamp: invoice.archived_at.clone(),
        data: invoice,
    };
    serde_json::to_vec(&payload).unwrap_or_default()
}

/// Sends one attempt; `Ok(answer)` for any HTTP answer, `Err` when none came.
pub async fn send(out: &Outbound, due: &DueDelivery, body: Vec<u8>) -> Result<Answer, String> {
    let url = due.url.as_deref().ok_or("the webhook has no URL")?;
    let secret = due.secret.as_deref().ok_or("the webhook has no secret")?;
    let timestamp = chrono::Utc::now().timestamp();
    let msg_id = &due.delivery.message_id;
    let signature = keys::sign(secret, msg_id, timestamp, &body)?;
    let headers = [
        ("content-type", "application/json".to_string()),
        ("webhook-id", msg_id.clone()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature),
    ];
    out.post(url, &headers, body).await
}
