//! Encoding detection: UTF-8 (optional BOM) or UTF-16 (BOM or `<?` sniffing),
//! and the check that the declaration agrees.

use std::borrow::Cow;

use crate::error::XmlErrorKind;

/// The encoding the bytes were found to be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    Utf8,
    Utf16,
}

/// Decode the input to UTF-8 text. Errors carry the byte offset (in the
/// input) where the problem is.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, Detected), (usize, XmlErrorKind)> {
    let (be, body) = match bytes {
        [0xFE, 0xFF, rest @ ..] => (true, rest),
        [0xFF, 0xFE, rest @ ..] => (false, rest),
        [0x00, b'<', 0x00, b'?', ..] => (true, bytes),
        [b'<', 0x00, b'?', 0x00, ..] => (false, bytes),
        _ => {
            let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            return match std::str::from_utf8(body) {
                Ok(s) => Ok((Cow::Borrowed(s), Detected::Utf8)),
                Err(e) => Err((e.valid_up_to(), XmlErrorKind::InvalidBytes("UTF-8"))),
            };
        }
    };
    if body.len() % 2 != 0 {
        return Err((bytes.len(), XmlErrorKind::InvalidBytes("UTF-16")));
    }
    let units = body.chunks_exact(2).map(|c| match c {
        [a, b] if be => u16::from_be_bytes([*a, *b]),
        [a, b] => u16::from_le_bytes([*a, *b]),
        _ => 0,
    });
    let mut out = String::with_capacity(body.len() / 2);
    for (i, ch) in char::decode_utf16(units).enumerate() {
        match ch {
            Ok(c) => out.push(c),
            Err(_) => return Err((i * 2, XmlErrorKind::InvalidBytes("UTF-16"))),
        }
    }
    Ok((Cow::Owned(out), Detected::Utf16))
}

/// Check the `encoding` pseudo-attribute of the XML declaration.
pub fn check_declared(declared: Option<&str>, actual: Detected) -> Result<(), XmlErrorKind> {
    let Some(d) = declared else { return Ok(()) };
    let up = d.trim().to_ascii_uppercase();
    let ok = match actual {
        Detected::Utf8 => up == "UTF-8" || up == "UTF8",
        Detected::Utf16 => matches!(up.as_str(), "UTF-16" | "UTF-16LE" | "UTF-16BE"),
    };
    if ok {
        return Ok(());
    }
    let known_unicode = up.starts_with("UTF-8") || up.starts_with("UTF-16");
    if known_unicode {
        Err(XmlErrorKind::EncodingMismatch {
            declared: d.to_string(),
            actual: match actual {
                Detected::Utf8 => "UTF-8",
                Detected::Utf16 => "UTF-16",
            },
        })
    } else {
        Err(XmlErrorKind::UnsupportedEncoding(d.to_string()))
    }
}
