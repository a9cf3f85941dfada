//! Checks on untrusted input before and after libxml2 parses it: size, encoding, no DOCTYPE
//! (so no DTD, entity or external-subset processing can happen), depth and element count.

use crate::error::{Error, Result};
use crate::ffi::{Doc, NodeKind};

/// Limits applied to every document this crate parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input in bytes.
    pub max_bytes: usize,
    /// Deepest accepted element nesting (the document element has depth 1).
    pub max_depth: usize,
    /// Most elements accepted in one document.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 32 * 1024 * 1024,
            max_depth: 128,
            max_elements: 1_000_000,
        }
    }
}

/// Refuses input that must never reach libxml2.
pub(crate) fn precheck(xml: &[u8], limits: &Limits) -> Result<()> {
    if xml.is_empty() {
        return Err(Error::Refused("empty input".into()));
    }
    if xml.len() > limits.max_bytes {
        return Err(Error::Refused(format!(
            "input is {} bytes, more than the limit of {}",
            xml.len(),
            limits.max_bytes
        )));
    }
    // Only UTF-8: a byte scan for DOCTYPE is meaningful only in an ASCII-compatible encoding.
    if xml.starts_with(&[0xFE, 0xFF])
        || xml.starts_with(&[0xFF, 0xFE])
        || memchr::memchr(0, xml).is_some()
    {
        return Err(Error::Refused("only UTF-8 input is accepted".into()));
    }
    check_declared_encoding(xml)?;
    if contains(xml, b"<!DOCTYPE") {
        return Err(Error::Refused(
            "DOCTYPE declarations are not accepted (no DTDs or entities)".into(),
        ));
    }
    Ok(())
}

fn check_declared_encoding(xml: &[u8]) -> Result<()> {
    let body = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
    if !body.starts_with(b"<?xml") {
        return Ok(());
    }
    let end = match find(body, b"?>") {
        Some(end) if end < 1024 => end,
        _ => return Err(Error::Refused("unterminated XML declaration".into())),
    };
    let decl = String::from_utf8_lossy(&body[..end]);
    if let Some(pos) = decl.find("encoding") {
        let rest = decl[pos + "encoding".len()..].trim_start();
        let value = rest
            .strip_prefix('=')
            .map(|v| v.trim_start().trim_start_matches(['"', '\'']))
            .unwrap_or("");
        let value: String = value
            .chars()
            .take_while(|c| !matches!(c, '"' | '\''))
            .collect();
        if !value.eq_ignore_ascii_case("UTF-8") {
            return Err(Error::Refused(format!(
                "declared encoding {value:?} is not accepted (UTF-8 only)"
            )));
        }
    }
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle).is_some()
}

/// Walks the parsed tree once (iteratively) to enforce depth and element-count limits.
pub(crate) fn check_tree(doc: &Doc, limits: &Limits) -> Result<()> {
    let Some(root) = doc.root() else {
        return Err(Error::Parse {
            line: 0,
            column: 0,
            message: "no document element".into(),
        });
    };
    let mut elements = 0usize;
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        if node.kind() != NodeKind::Element {
            continue;
        }
        elements += 1;
        if depth > limits.max_depth {
            return Err(Error::Limit(format!(
                "element nesting deeper than {} at line {}",
                limits.max_depth,
                node.line()
            )));
        }
        if elements > limits.max_elements {
            return Err(Error::Limit(format!(
                "more than {} elements",
                limits.max_elements
            )));
        }
        let mut child = node.first_child();
        while let Some(c) = child {
            stack.push((c, depth + 1));
            child = c.next_sibling();
        }
    }
    Ok(())
}

/// Pre-checks, parses and post-checks `xml`.
pub(crate) fn parse(xml: &[u8], limits: &Limits) -> Result<Doc> {
    precheck(xml, limits)?;
    let doc = Doc::parse(xml)?;
    check_tree(&doc, limits)?;
    Ok(doc)
}
