//! From a MIME message to purchase documents: each PDF, JPEG, PNG or XML part becomes one,
//! stored as its original bytes through the same lifecycle step as an upload. XML invoices (UBL
//! or CII) are `received` (or auto-accepted); PDFs and images wait as `needs_review` for the
//! extraction worker, and XML that is no invoice for a person.
use gateway_store::{sha256_hex, Direction, IdempotencyKey, Store, Visibility};
use mail_parser::{Encoding, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use serde::Serialize;
use utoipa::ToSchema;

use crate::lifecycle::{LifecycleError, Submission};
use crate::Error;

/// Nested messages (forwarded mail) are looked into this deep.
const MAX_NESTING: usize = 3;

/// One importable part of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Its place among the importable parts, for recognising a retried delivery.
    pub index: usize,
    pub file_name: Option<String>,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A document made from a message (or found made already by an earlier delivery of it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedDocument {
    pub document_id: String,
    pub file_name: Option<String>,
    pub media_type: String,
    pub state: String,
    /// The same message was delivered before: nothing new was stored for this part.
    pub already_imported: bool,
}

/// The importable parts of a raw message, in order.
pub fn parts(raw: &[u8]) -> Result<Vec<Part>, Error> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| Error::Mail("the message is not in Internet Message Format".into()))?;
    if message.headers().is_empty() {
        return Err(Error::Mail("the message has no header".into()));
    }
    let mut out = Vec::new();
    collect(&message, 0, &mut out);
    Ok(out)
}

fn collect(message: &Message<'_>, depth: usize, out: &mut Vec<Part>) {
    for part in &message.parts {
        match &part.body {
            PartType::Message(nested) if depth < MAX_NESTING => collect(nested, depth + 1, out),
            PartType::Message(_) | PartType::Multipart(_) => {}
            _ => {
                if let Some((media_type, bytes)) = classify(message, part) {
                    out.push(Part {
                        index: out.len(),
                        file_name: part.attachment_name().map(str::to_string),
                        media_type,
                        bytes,
                    });
                }
            }
        }
    }
}

/// What a part is, by its bytes first (a PDF sent as `application/octet-stream` is still a PDF),
/// by its declared type or name for XML.
fn classify(message: &Message<'_>, part: &MessagePart<'_>) -> Option<(&'static str, Vec<u8>)> {
    let declared = part
        .content_type()
        .map(|ct| {
            format!(
                "{}/{}",
                ct.ctype().to_ascii_lowercase(),
                ct.subtype().unwrap_or("").to_ascii_lowercase()
            )
        })
        .unwrap_or_default();
    let name = part
        .attachment_name()
        .unwrap_or("")
        .to_ascii_lowercase()
        .to_string();
    let xml_declared = declared == "application/xml"
        || declared == "text/xml"
        || declared.ends_with("+xml")
        || name.ends_with(".xml");
    let bytes: Vec<u8> = match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => b.to_vec(),
        // Text parts come decoded to UTF-8; an XML file keeps its own bytes and encoding.
        PartType::Text(_) | PartType::Html(_) if xml_declared => original_bytes(message, part)?,
        _ => return None,
    };
    if bytes.starts_with(b"%PDF-") {
        return Some(("application/pdf", bytes));
    }
    let is_image = |magic: &[u8]| bytes.starts_with(magic);
    let image = if is_image(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if is_image(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    };
    if let Some(media_type) = image {
        // A logo shown in an HTML body (inline, referenced by Content-ID) is not a document.
        let embedded = part.content_id().is_some()
            && !part
                .content_disposition()
                .is_some_and(|d| d.is_attachment());
        return (!embedded).then_some((media_type, bytes));
    }
    if xml_declared && looks_like_xml(&bytes) {
        return Some(("application/xml", bytes));
    }
    None
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// A text part's bytes after the transfer encoding only, without the charset conversion.
fn original_bytes(message: &Message<'_>, part: &MessagePart<'_>) -> Option<Vec<u8>> {
    let raw = message
        .raw_message()
        .get(part.raw_body_offset() as usize..part.raw_end_offset() as usize)?;
    match part.encoding {
        Encoding::None => Some(raw.to_vec()),
        Encoding::QuotedPrintable => {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(raw)
        }
        Encoding::Base64 => {
            let clean: Vec<u8> = raw
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            mail_parser::decoders::base64::base64_decode(&clean)
        }
    }
}

/// Stores each importable part of `raw` as a purchase document of `company_id`. A message
/// delivered again (same bytes) finds its parts stored already and stores nothing twice.
pub async fn import_message(
    store: &dyn Store,
    company_id: &str,
    raw: &[u8],
    actor: &str,
) -> Result<Vec<ImportedDocument>, Error> {
    let parts = parts(raw)?;
    if parts.is_empty() {
        return Err(Error::Mail(
            "the message holds no PDF, JPEG, PNG or XML attachment".into(),
        ));
    }
    let message_sha256 = sha256_hex(raw);
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let index = part.index as i64;
        if let Some(id) = store
            .imported_part(company_id, &message_sha256, index)
            .await?
        {
            let only_this = Visibility::Companies(vec![company_id.to_string()]);
            if let Some(doc) = store.get_document(&only_this, &id).await? {
                out.push(ImportedDocument {
                    document_id: doc.id,
                    file_name: doc.file_name,
                    media_type: doc.media_type,
                    state: doc.state,
                    already_imported: true,
                });
                continue;
            }
        }
        // The same path as an upload: a summary, duplicate detection, auto-accept and, for a PDF
        // or an image, a job for the extraction worker. The key makes a redelivery that raced
        // the record below find this document instead of making a second one.
        let created = crate::lifecycle::submit(
            store,
            Submission {
                company_id: company_id.to_string(),
                direction: Direction::Purchase,
                source: "email".into(),
                media_type: part.media_type.into(),
                file_name: part.file_name.clone(),
                idempotency: Some(IdempotencyKey {
                    key: format!("email:{message_sha256}#{index}"),
                    request_sha256: sha256_hex(&part.bytes),
                }),
                bytes: part.bytes,
                actor: actor.to_string(),
                then: None,
            },
        )
        .await
        .map_err(|e| match e {
            LifecycleError::Store(e) => Error::Store(e),
            other => Error::Mail(other.to_string()),
        })?;
        let doc = created.document;
        store
            .record_imported_part(company_id, &message_sha256, index, &doc.id)
            .await?;
        out.push(ImportedDocument {
            document_id: doc.id,
            file_name: doc.file_name,
            media_type: doc.media_type,
            state: doc.state,
            already_imported: created.replayed,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

    fn b64(bytes: &[u8]) -> String {
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for c in bytes.chunks(3) {
            let n = (c[0] as u32) << 16
                | (*c.get(1).unwrap_or(&0) as u32) << 8
                | *c.get(2).unwrap_or(&0) as u32;
            for i in 0..4 {
                if i <= c.len() {
                    s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    s.push('=');
                }
            }
        }
        s
    }

    fn message(parts: &[(&str, &str, &[u8])]) -> Vec<u8> {
        let mut m = String::from(
            "From: ap@supplier.example\r\nTo: x@import.localhost\r\nSubject: invoices\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nPlease find attached.\r\n",
        );
        for (ctype, extra, bytes) in parts {
            m.push_str(&format!(
                "--B\r\nContent-Type: {ctype}\r\nContent-Transfer-Encoding: base64\r\n{extra}\r\n{}\r\n",
                b64(bytes)
            ));
        }
        m.push_str("--B--\r\n");
        m.into_bytes()
    }

    #[test]
    fn pdf_images_and_xml_are_found_by_content_and_kept_exactly() {
        let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Invoice>caf\u{e9}</Invoice>";
        let latin1: Vec<u8> = xml.chars().map(|c| c as u32 as u8).collect();
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let raw = message(&[
            (
                "application/octet-stream; name=\"scan.pdf\"",
                "Content-Disposition: attachment; filename=\"scan.pdf\"\r\n",
                PDF,
            ),
            (
                "text/xml; charset=iso-8859-1",
                "Content-Disposition: attachment; filename=\"inv.xml\"\r\n",
                &latin1,
            ),
            (
                "image/png",
                "Content-Disposition: attachment; filename=\"photo.png\"\r\n",
                &png,
            ),
            (
                "image/png",
                "Content-ID: <logo@x>\r\nContent-Disposition: inline\r\n",
                &png,
            ),
            (
                "application/msword",
                "Content-Disposition: attachment; filename=\"x.doc\"\r\n",
                b"\xd0\xcf\x11\xe0",
            ),
        ]);
        let found = parts(&raw).unwrap();
        let kinds: Vec<_> = found
            .iter()
            .map(|p| (p.index, p.media_type, p.file_name.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (0, "application/pdf", Some("scan.pdf")),
                (1, "application/xml", Some("inv.xml")),
                (2, "image/png", Some("photo.png")),
            ]
        );
        assert_eq!(found[0].bytes, PDF);
        assert_eq!(found[1].bytes, latin1, "the XML keeps its own encoding");
        assert_eq!(found[2].bytes, png);
    }

    #[test]
    fn a_message_that_is_a_single_pdf_and_nested_forwards() {
        let single = format!(
            "From: a@b\r\nSubject: x\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(PDF)
        );
        let found = parts(single.as_bytes()).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].bytes, PDF);

        let inner = message(&[("application/pdf", "", PDF)]);
        let outer = format!(
            "From: a@b\r\nSubject: Fwd\r\nContent-Type: multipart/mixed; boundary=\"O\"\r\n\r\n--O\r\nContent-Type: text/plain\r\n\r\nfwd\r\n--O\r\nContent-Type: message/rfc822\r\n\r\n{}\r\n--O--\r\n",
            String::from_utf8(inner).unwrap()
        );
        let found = parts(outer.as_bytes()).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].bytes, PDF);
    }

    #[test]
    fn text_only_and_garbage_have_nothing_to_import() {
        let text = b"From: a@b\r\nSubject: hi\r\n\r\n<Invoice/> in the body is no attachment\r\n";
        assert!(parts(text).unwrap().is_empty());
        assert!(parts(b"").is_err());
    }
}
