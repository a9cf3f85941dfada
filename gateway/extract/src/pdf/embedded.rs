//! XML invoices attached to a PDF: Factur-X / ZUGFeRD 2.x (`factur-x.xml`,
//! `zugferd-invoice.xml`), ZUGFeRD 1 and XRechnung attachments.

use lopdf::{Document, Object};

use crate::Error;

/// An attachment larger than this is not an invoice we read.
const MAX_ATTACHMENT: usize = 50 * 1024 * 1024;

/// An invoice read from an attachment.
#[derive(Debug, Clone)]
pub struct Found {
    /// The attachment's file name.
    pub name: String,
    /// The model.
    pub invoice: gateway_model::Invoice,
}

/// An attached file.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// File name (`/UF`, else `/F`).
    pub name: String,
    /// Decoded content.
    pub bytes: Vec<u8>,
}

/// All embedded files reachable from file specifications.
pub fn attachments(doc: &Document) -> Vec<Attachment> {
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(dict) = obj.as_dict() else { continue };
        let Ok(ef) = dict.get(b"EF") else { continue };
        let Ok((_, ef)) = doc.dereference(ef) else {
            continue;
        };
        let Ok(ef) = ef.as_dict() else { continue };
        let Some(stream_ref) = ef.get(b"UF").or_else(|_| ef.get(b"F")).ok() else {
            continue;
        };
        let Ok((_, Object::Stream(stream))) = doc.dereference(stream_ref) else {
            continue;
        };
        let name = [b"UF".as_slice(), b"F"]
            .iter()
            .find_map(|k| dict.get(k).ok().and_then(|o| o.as_str().ok()))
            .map(decode_text_string)
            .unwrap_or_default();
        let bytes = if stream.dict.get(b"Filter").is_ok() {
            match stream.decompressed_content() {
                Ok(b) => b,
                Err(_) => continue,
            }
        } else {
            stream.content.clone()
        };
        if bytes.len() <= MAX_ATTACHMENT {
            out.push(Attachment { name, bytes });
        }
    }
    out
}

/// The first XML attachment that is a UBL or CII invoice; standard names
/// first. An XML attachment named as the invoice that cannot be read is an
/// error (with the codec's line and column), other XML files are skipped.
pub fn find_invoice(doc: &Document) -> Result<Option<Found>, Error> {
    let mut files = attachments(doc);
    files.retain(|a| looks_like_xml(&a.bytes));
    files.sort_by_key(|a| !is_standard_name(&a.name));
    let limits = gateway_xml::Limits::default();
    for a in files {
        match gateway_convert::read(&a.bytes, &limits) {
            Ok(r) => {
                return Ok(Some(Found {
                    name: a.name,
                    invoice: r.invoice,
                }))
            }
            Err(gateway_convert::Error::UnknownSyntax { .. }) => continue,
            Err(source) if is_standard_name(&a.name) => {
                return Err(Error::Embedded {
                    name: a.name,
                    source,
                })
            }
            Err(_) => continue,
        }
    }
    Ok(None)
}

fn is_standard_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "factur-x.xml" | "zugferd-invoice.xml" | "zugferd-invoice.xml " | "xrechnung.xml"
    ) || n.starts_with("zugferd")
        || n.starts_with("factur-x")
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    b.iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|c| *c == b'<')
}

/// A PDF text string: UTF-16BE with a byte order mark, else PDFDocEncoding
/// (read as Latin-1, which agrees for file names).
fn decode_text_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        b.iter().map(|&c| c as char).collect()
    }
}
