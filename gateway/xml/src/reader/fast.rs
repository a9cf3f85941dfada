//! The common case read without quick-xml: one pass over the already
//! validated text that borrows every name, value and text piece (quick-xml
//! re-validates the UTF-8 of each event and keeps its own stack of open
//! names, which was a third of the parse).
//!
//! It reads a strict subset of XML: elements, quoted attributes without
//! references or line breaks, text with the five predefined entities,
//! comments, and a plain XML declaration at the start. It feeds the same
//! [`Builder`] steps, in the same order and at the same offsets, as the
//! quick-xml reader does, so the tree is the same. Anything else (CDATA,
//! processing instructions, character references, DOCTYPE, any error at
//! all, limits included) is a [`Fallback`]: the caller reads the document
//! again with quick-xml, which gives the one precise error or the result.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memmem};

use super::{Builder, Fail};
use crate::encoding::check_declared;
use crate::tree::NodeKind;

/// The fast reader gave up; read the document with quick-xml.
#[derive(Debug)]
pub(super) struct Fallback;

impl From<Fail> for Fallback {
    fn from(_: Fail) -> Self {
        Fallback
    }
}

type Res<T> = Result<T, Fallback>;

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Bytes of a name this reader accepts (quick-xml accepts more; those
/// names go to it), as a table: one load per byte of every name.
const NAME_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':') || c >= 0x80;
        b += 1;
    }
    t
};

fn is_name_byte(b: u8) -> bool {
    NAME_BYTE[usize::from(b)]
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

/// End (exclusive) of the name starting at `i`, which must be non-empty.
fn name_end(bytes: &[u8], i: usize) -> Res<usize> {
    if !bytes.get(i).copied().is_some_and(is_name_start) {
        return Err(Fallback);
    }
    let len = bytes
        .get(i..)
        .unwrap_or(&[])
        .iter()
        .position(|&b| !is_name_byte(b))
        .ok_or(Fallback)?;
    Ok(i + len)
}

/// Length of the run of spaces, tabs and line feeds that `s` starts with
/// (runs of spaces eight at a time).
fn ws_run(s: &[u8]) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    let mut n = 0;
    loop {
        match s.get(n) {
            Some(b'\n' | b'\t') => n += 1,
            Some(b' ') => {
                while let Some(chunk) = s.get(n..n + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()) {
                    if u64::from_ne_bytes(chunk) != SPACES {
                        break;
                    }
                    n += 8;
                }
                while s.get(n) == Some(&b' ') {
                    n += 1;
                }
            }
            _ => return n,
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).copied().is_some_and(is_ws) {
        i += 1;
    }
    i
}

/// `s` with line ends normalised as quick-xml's `xml10_content` does
/// (`\r\n` and a lone `\r` become `\n`).
fn eols(s: &str) -> Cow<'_, str> {
    if !s.contains('\r') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// A quoted value starting at `i` (the quote): (value range, end after
/// the closing quote).
fn quoted(bytes: &[u8], i: usize) -> Res<(usize, usize, usize)> {
    let q = *bytes.get(i).ok_or(Fallback)?;
    if q != b'"' && q != b'\'' {
        return Err(Fallback);
    }
    let rest = bytes.get(i + 1..).ok_or(Fallback)?;
    let len = memchr(q, rest).ok_or(Fallback)?;
    Ok((i + 1, i + 1 + len, i + 2 + len))
}

/// The encoding named by a plain declaration `<?xml version="1.0"
/// [encoding=".."] [standalone=".."]?>` (its text after `<?xml`); any
/// other declaration falls back.
fn declaration(bytes: &[u8], src: &str) -> Res<(Option<(usize, usize)>, usize)> {
    let mut i = 5;
    let mut encoding = None;
    let mut seen_version = false;
    loop {
        let j = skip_ws(bytes, i);
        if bytes.get(j..j + 2) == Some(b"?>") {
            return if seen_version {
                Ok((encoding, j + 2))
            } else {
                Err(Fallback)
            };
        }
        if j == i {
            return Err(Fallback);
        }
        let k = name_end(bytes, j)?;
        if bytes.get(k) != Some(&b'=') {
            return Err(Fallback);
        }
        let (vs, ve, next) = quoted(bytes, k + 1)?;
        let value = src.get(vs..ve).ok_or(Fallback)?;
        match (src.get(j..k).ok_or(Fallback)?, seen_version, encoding) {
            ("version", false, None) if value == "1.0" => seen_version = true,
            ("encoding", true, None)
                if !value.is_empty()
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) =>
            {
                encoding = Some((vs, ve));
            }
            ("standalone", true, _) if value == "yes" || value == "no" => {}
            _ => return Err(Fallback),
        }
        i = next;
    }
}

/// Reads the whole document into `b`, or gives up.
pub(super) fn run(b: &mut Builder<'_>) -> Res<()> {
    let src = b.src;
    let bytes = src.as_bytes();
    let has_cr = memchr(b'\r', bytes).is_some();
    let mut i = 0;
    if bytes.starts_with(b"<?xml") && bytes.get(5).copied().is_some_and(is_ws) {
        let (enc, next) = declaration(bytes, src)?;
        let enc = match enc {
            Some((s, e)) => Some(src.get(s..e).ok_or(Fallback)?),
            None => None,
        };
        check_declared(enc, b.detected).map_err(|_| Fallback)?;
        i = next;
    }
    loop {
        // Indentation between tags is most of the text: measured eight
        // bytes at a time and handed over as whitespace without a search.
        let ws = ws_run(bytes.get(i..).unwrap_or(&[]));
        if ws > 0 && bytes.get(i + ws) == Some(&b'<') {
            b.ws_text(src.get(i..i + ws).ok_or(Fallback)?, i)?;
            i += ws;
        }
        let rest = bytes.get(i..).unwrap_or(&[]);
        let Some(rel) = memchr2(b'<', b'&', rest) else {
            if i < bytes.len() {
                let piece = src.get(i..).ok_or(Fallback)?;
                b.text(if has_cr { eols(piece) } else { piece.into() }, i)?;
            }
            break;
        };
        let j = i + rel;
        if rel > 0 {
            let piece = src.get(i..j).ok_or(Fallback)?;
            b.text(if has_cr { eols(piece) } else { piece.into() }, i)?;
        }
        if bytes.get(j) == Some(&b'&') {
            i = reference(b, bytes, j)?;
            continue;
        }
        i = match bytes.get(j + 1) {
            Some(b'/') => end_tag(b, bytes, j)?,
            Some(b'!') if bytes.get(j..j + 4) == Some(b"<!--") => comment(b, src, j, has_cr)?,
            Some(b'!' | b'?') | None => return Err(Fallback),
            Some(_) => start_tag(b, src, j)?,
        };
    }
    if b.stack.len() > 1 || !b.seen_root {
        return Err(Fallback);
    }
    Ok(())
}

/// `&lt;`, `&gt;`, `&amp;`, `&apos;`, `&quot;` at `j`; returns the offset after it.
fn reference(b: &mut Builder<'_>, bytes: &[u8], j: usize) -> Res<usize> {
    let rest = bytes.get(j + 1..).unwrap_or(&[]);
    let (s, len) = if rest.starts_with(b"lt;") {
        ("<", 3)
    } else if rest.starts_with(b"gt;") {
        (">", 3)
    } else if rest.starts_with(b"amp;") {
        ("&", 4)
    } else if rest.starts_with(b"apos;") {
        ("'", 5)
    } else if rest.starts_with(b"quot;") {
        ("\"", 5)
    } else {
        return Err(Fallback);
    };
    b.reference(s, j)?;
    Ok(j + 1 + len)
}

/// `</name>` at `j`, closing the open element of exactly that name (its
/// name is compared, not scanned).
fn end_tag(b: &mut Builder<'_>, bytes: &[u8], j: usize) -> Res<usize> {
    if b.stack.len() <= 1 {
        return Err(Fallback);
    }
    let open = b.stack.last().map_or(0, |o| o.id);
    let name = b.doc.nodes.get(open as usize).map_or(u32::MAX, |n| n.name);
    let k = j + 2 + b.qname_of(name).len();
    if bytes.get(j + 2..k) != Some(b.qname_of(name).as_bytes()) || bytes.get(k) != Some(&b'>') {
        return Err(Fallback);
    }
    b.flush_text(true)?;
    b.end()?;
    Ok(k + 1)
}

/// `<!-- .. -->` at `j` (without `--` inside).
fn comment(b: &mut Builder<'_>, src: &str, j: usize, has_cr: bool) -> Res<usize> {
    let bytes = src.as_bytes();
    let body = bytes.get(j + 4..).ok_or(Fallback)?;
    let len = memmem::find(body, b"-->").ok_or(Fallback)?;
    let text = src.get(j + 4..j + 4 + len).ok_or(Fallback)?;
    if text.is_empty() || text.contains("--") || text.ends_with('-') {
        return Err(Fallback);
    }
    b.flush_text(false)?;
    let text = if has_cr { eols(text) } else { text.into() };
    b.leaf(NodeKind::Comment, &text, j)?;
    Ok(j + 4 + len + 3)
}

/// `<name a="v" ...>` or `<name .../>` at `j`.
fn start_tag(b: &mut Builder<'_>, src: &str, j: usize) -> Res<usize> {
    let bytes = src.as_bytes();
    let k = name_end(bytes, j + 1)?;
    let qname = src.get(j + 1..k).ok_or(Fallback)?;
    b.flush_text(false)?;
    b.open(qname, j)?;
    let ns_mark = b.bindings.len();
    let mut keys = std::mem::take(&mut b.attr_keys);
    let mut plain = std::mem::take(&mut b.attr_plain);
    keys.clear();
    plain.clear();
    let mut i = k;
    let empty = loop {
        let at = skip_ws(bytes, i);
        match bytes.get(at) {
            Some(b'>') => {
                i = at + 1;
                break false;
            }
            Some(b'/') if bytes.get(at + 1) == Some(&b'>') => {
                i = at + 2;
                break true;
            }
            // An attribute needs whitespace before it.
            _ if at == i => return Err(Fallback),
            _ => {}
        }
        let ke = name_end(bytes, at)?;
        // `Eq ::= S? '=' S?`
        let eq = skip_ws(bytes, ke);
        if bytes.get(eq) != Some(&b'=') {
            return Err(Fallback);
        }
        let (vs, ve, next) = quoted(bytes, skip_ws(bytes, eq + 1))?;
        let raw = bytes.get(vs..ve).ok_or(Fallback)?;
        // Values that need unescaping or normalising go to quick-xml.
        if raw
            .iter()
            .any(|&c| matches!(c, b'<' | b'&' | b'\t' | b'\n' | b'\r'))
        {
            return Err(Fallback);
        }
        let key = src.get(at..ke).ok_or(Fallback)?;
        let value = src.get(vs..ve).ok_or(Fallback)?;
        b.attr_limits(key, value.len(), plain.len(), ns_mark, j)?;
        b.attribute(key, value, ns_mark, &mut keys, &mut plain, j)?;
        i = next;
    };
    b.finish_start(qname, ns_mark, keys, plain, j, empty)?;
    Ok(i)
}
