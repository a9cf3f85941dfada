//! Writes a Standard Business Document around a business document. The output is read back
//! with [`crate::read`] before it is returned, so the writer never emits what the reader refuses.

use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::model::Sbdh;
use crate::SBDH_NS;

/// Wraps `payload` (an XML document; its BOM, XML declaration and prolog comments are dropped) in an SBD
/// with `header`. Returns the complete UTF-8 document.
pub fn write(header: &Sbdh, payload: &[u8]) -> Result<Vec<u8>> {
    let body = strip_prolog(payload);
    if !body.starts_with(b"<") || body.starts_with(b"<!") || body.starts_with(b"<?") {
        return Err(Error::Write(
            "the payload must start with its root element (after an optional XML declaration)"
                .into(),
        ));
    }
    let mut out = String::with_capacity(2048);
    let d = &header.document_identification;
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <StandardBusinessDocument xmlns=\"{SBDH_NS}\">\n\
         \x20 <StandardBusinessDocumentHeader>\n\
         \x20   <HeaderVersion>1.0</HeaderVersion>\n\
         \x20   <Sender>\n\
         \x20     <Identifier Authority=\"{scheme}\">{sender}</Identifier>\n\
         \x20   </Sender>\n\
         \x20   <Receiver>\n\
         \x20     <Identifier Authority=\"{scheme}\">{receiver}</Identifier>\n\
         \x20   </Receiver>\n\
         \x20   <DocumentIdentification>\n\
         \x20     <Standard>{standard}</Standard>\n\
         \x20     <TypeVersion>{type_version}</TypeVersion>\n\
         \x20     <InstanceIdentifier>{instance}</InstanceIdentifier>\n\
         \x20     <Type>{type_name}</Type>\n\
         \x20     <CreationDateAndTime>{created}</CreationDateAndTime>\n\
         \x20   </DocumentIdentification>\n\
         \x20   <BusinessScope>\n",
        scheme = header.sender.scheme(),
        sender = esc(header.sender.value()),
        receiver = esc(header.receiver.value()),
        standard = esc(&d.standard),
        type_version = esc(&d.type_version),
        instance = esc(&d.instance_identifier),
        type_name = esc(&d.type_name),
        created = esc(&d.creation_date_and_time),
    );
    scope(
        &mut out,
        "DOCUMENTID",
        header.document_type_id.value(),
        Some(header.document_type_id.scheme()),
    );
    scope(
        &mut out,
        "PROCESSID",
        header.process_id.value(),
        Some(header.process_id.scheme()),
    );
    scope(&mut out, "COUNTRY_C1", &header.country_c1, None);
    if let Some(mls) = &header.mls_to {
        scope(&mut out, "MLS_TO", &mls.value, mls.scheme.as_deref());
    }
    if let Some(mls) = header.mls_type {
        scope(&mut out, "MLS_TYPE", mls.as_str(), None);
    }
    for extra in &header.additional_scopes {
        scope(
            &mut out,
            &extra.scope_type,
            &extra.instance_identifier,
            extra.identifier.as_deref(),
        );
    }
    out.push_str("    </BusinessScope>\n  </StandardBusinessDocumentHeader>\n  ");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(trim_end(body));
    bytes.extend_from_slice(b"\n</StandardBusinessDocument>\n");
    let check = crate::read(&bytes)
        .map_err(|e| Error::Write(format!("the result would not be valid: {e}")))?;
    if check.header != *header {
        return Err(Error::Write(
            "the header does not survive a round trip (check identifiers and scopes)".into(),
        ));
    }
    Ok(bytes)
}

fn scope(out: &mut String, kind: &str, value: &str, identifier: Option<&str>) {
    let _ = write!(
        out,
        "      <Scope>\n        <Type>{}</Type>\n        <InstanceIdentifier>{}</InstanceIdentifier>\n",
        esc(kind),
        esc(value)
    );
    if let Some(id) = identifier {
        let _ = writeln!(out, "        <Identifier>{}</Identifier>", esc(id));
    }
    out.push_str("      </Scope>\n");
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Drops a UTF-8 BOM, the XML declaration, comments, processing instructions and whitespace
/// before the root element (they are not part of the business document).
fn strip_prolog(payload: &[u8]) -> &[u8] {
    let mut body = payload.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(payload);
    loop {
        body = trim_start(body);
        let end = if body.starts_with(b"<?") {
            find(body, b"?>").map(|e| e + 2)
        } else if body.starts_with(b"<!--") {
            find(body, b"-->").map(|e| e + 3)
        } else {
            return body;
        };
        match end {
            Some(end) => body = &body[end..],
            None => return body,
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn trim_end(b: &[u8]) -> &[u8] {
    let n = b
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    &b[..b.len() - n]
}
