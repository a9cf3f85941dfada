//! The mailbox drop: an e-mail per archived document to the accountant's purchases or sales
//! address, the UBL and the original attached, through the relay of `[email.outbound]`.
use gateway_store::{ArchivedInvoice, Document};

use crate::email::{EmailAttachment, EmailSender, OutgoingEmail};

/// The UBL of a document: itself when it is UBL, converted when it is CII, none otherwise.
pub fn ubl_of(doc: &Document, original: &[u8]) -> Option<Vec<u8>> {
    if !doc.media_type.contains("xml") {
        return None;
    }
    let read = gateway_convert::read(original, &gateway_xml::Limits::default()).ok()?;
    Some(match read.syntax {
        gateway_model::Syntax::Ubl => original.to_vec(),
        _ => gateway_convert::write(&read.invoice, gateway_convert::Target::Ubl),
    })
}

pub fn original_name(doc: &Document) -> String {
    doc.file_name.clone().unwrap_or_else(|| {
        let ext = match doc.media_type.as_str() {
            "application/pdf" => "pdf",
            "image/jpeg" => "jpg",
            "image/png" => "png",
            _ => "xml",
        };
        format!("{}-original.{ext}", doc.id)
    })
}

/// Sends the drop through the outbound relay; the error says why it did not go.
pub async fn send(
    sender: Option<&dyn EmailSender>,
    to: &str,
    doc: &Document,
    invoice: &ArchivedInvoice,
    original: Vec<u8>,
) -> Result<(), String> {
    let sender = sender.ok_or("e-mail delivery is off: set email.outbound.relay")?;
    let number = invoice.invoice_number.as_deref().unwrap_or(&doc.id);
    let party = invoice.counterparty_name.as_deref().unwrap_or("");
    let body = format!(
        "{} invoice {number} {party}\nIssued {}, due {}, total {} {}.\nDocument {} in the gateway archive (entry {}).\n",
        doc.direction,
        invoice.issue_date.as_deref().unwrap_or("-"),
        invoice.due_date.as_deref().unwrap_or("-"),
        invoice.total.as_deref().unwrap_or("-"),
        invoice.currency.as_deref().unwrap_or(""),
        doc.id,
        invoice.entry_seq,
    );
    let mut attachments = Vec::new();
    if let Some(ubl) = ubl_of(doc, &original) {
        attachments.push(EmailAttachment {
            name: format!("{number}-ubl.xml"),
            media_type: "application/xml".into(),
            bytes: ubl,
        });
    }
    attachments.push(EmailAttachment {
        name: original_name(doc),
        media_type: doc.media_type.clone(),
        bytes: original,
    });
    let email = OutgoingEmail {
        to: to.to_string(),
        subject: format!("Invoice {number} {party}").trim().to_string(),
        body,
        attachments,
    };
    sender
        .send(&email)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
