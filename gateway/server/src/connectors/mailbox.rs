//! The mailbox drop: an e-mail per archived document to the accountant's purchases or sales
//! address, the UBL and the original attached.
use gateway_store::{ArchivedInvoice, Document};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::ArchiveConfig;

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

pub async fn send(
    config: &ArchiveConfig,
    to: &str,
    doc: &Document,
    invoice: &ArchivedInvoice,
    original: Vec<u8>,
) -> Result<(), String> {
    let from: Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| format!("archive.mail_from: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("address `{to}`: {e}"))?;
    let number = invoice.invoice_number.as_deref().unwrap_or(&doc.id);
    let party = invoice.counterparty_name.as_deref().unwrap_or("");
    let text = format!(
        "{} invoice {number} {party}\nIssued {}, due {}, total {} {}.\nDocument {} in the gateway archive (entry {}).\n",
        doc.direction,
        invoice.issue_date.as_deref().unwrap_or("-"),
        invoice.due_date.as_deref().unwrap_or("-"),
        invoice.total.as_deref().unwrap_or("-"),
        invoice.currency.as_deref().unwrap_or(""),
        doc.id,
        invoice.entry_seq,
    );
    let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(text));
    if let Some(ubl) = ubl_of(doc, &original) {
        parts = parts.singlepart(Attachment::new(format!("{number}-ubl.xml")).body(
            ubl,
            ContentType::parse("application/xml").map_err(|e| e.to_string())?,
        ));
    }
    let ctype = ContentType::parse(&doc.media_type).map_err(|e| e.to_string())?;
    parts = parts.singlepart(Attachment::new(original_name(doc)).body(original, ctype));
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(format!("Invoice {number} {party}").trim().to_string())
        .multipart(parts)
        .map_err(|e| format!("building the e-mail: {e}"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.smtp_host)
        .port(config.smtp_port)
        .timeout(Some(std::time::Duration::from_secs(30)))
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("SMTP {}:{}: {e}", config.smtp_host, config.smtp_port))
}
