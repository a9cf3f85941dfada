//! The lifecycle's e-mail channel over the e-mail module's sender: the invoice's UBL (and the
//! PDFs it embeds) attached, to the address of the customer's directory entry. The relay's
//! transient failures are retried by the sender with doubling waits; what is left is shown on
//! the document as the delivery's failure.
use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use gateway_store::{Delivery, DeliveryRecord};
use serde_json::json;

use super::outbound::{EmailAttachment, EmailSender, OutgoingEmail};
use crate::lifecycle::channels::{ChannelSender, Outcome};
use crate::lifecycle::extract;

pub struct EmailChannel {
    pub sender: Arc<dyn EmailSender>,
}

#[async_trait]
impl ChannelSender for EmailChannel {
    fn channel(&self) -> Delivery {
        Delivery::Email
    }

    async fn deliver(&self, delivery: &DeliveryRecord, document: &[u8]) -> Outcome {
        let Some(to) = delivery
            .recipient
            .as_deref()
            .filter(|t| !t.trim().is_empty())
        else {
            return Outcome::Failed("the customer's directory entry has no e-mail address".into());
        };
        let email = match invoice_email(to, document) {
            Ok(e) => e,
            Err(e) => return Outcome::Failed(e),
        };
        match self.sender.send(&email).await {
            Ok(message_id) => Outcome::Delivered(json!({"message_id": message_id, "to": to})),
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}
impl crate::lifecycle::channels::EmailSender for EmailChannel {}

/// The message for one invoice: subject with its number and seller, the UBL attached as stored
/// (a CII invoice as its UBL rendering) and each PDF the invoice embeds.
pub fn invoice_email(to: &str, document: &[u8]) -> Result<OutgoingEmail, String> {
    let parsed = extract::parse(document)?;
    let inv = &parsed.invoice;
    let number = inv
        .number
        .as_ref()
        .map(|t| t.value.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "(no number)".into());
    let seller = inv
        .seller
        .as_ref()
        .and_then(|p| p.name.as_ref())
        .map(|t| t.value.trim().to_string())
        .unwrap_or_else(|| "your supplier".into());
    let ubl = match parsed.syntax {
        gateway_model::Syntax::Ubl => document.to_vec(),
        _ => gateway_convert::write(inv, gateway_convert::Target::Ubl),
    };
    let safe: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut attachments = Vec::new();
    for (i, doc) in inv.supporting_documents.iter().enumerate() {
        let Some(a) = &doc.attachment else { continue };
        let media_type = a.mime_code.as_ref().map(|m| m.code()).unwrap_or("");
        if !media_type.eq_ignore_ascii_case("application/pdf") {
            continue;
        }
        let text: String = a.content.value.split_whitespace().collect();
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text) else {
            continue;
        };
        attachments.push(EmailAttachment {
            name: a
                .filename
                .clone()
                .filter(|f| !f.trim().is_empty())
                .unwrap_or_else(|| format!("invoice-{safe}-{}.pdf", i + 1)),
            media_type: "application/pdf".into(),
            bytes,
        });
    }
    attachments.push(EmailAttachment {
        name: format!("invoice-{safe}.xml"),
        media_type: "application/xml".into(),
        bytes: ubl,
    });
    Ok(OutgoingEmail {
        to: to.to_string(),
        subject: format!("Invoice {number} from {seller}"),
        body: format!(
            "Hello,\n\nplease find attached invoice {number} from {seller} as a structured e-invoice (UBL){}.\n",
            if attachments.len() > 1 { " and as PDF" } else { "" }
        ),
        attachments,
    })
}
