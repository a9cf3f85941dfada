//! Small reading helpers over the hardened `gateway-xml` tree, and XML text escaping.

use gateway_xml::{Document, Limits, NodeId};

use crate::error::{Error, Result};

/// Parses with limits fit for SOAP headers; errors become `make(message)`.
pub(crate) fn parse(bytes: &[u8], what: &str, make: fn(String) -> Error) -> Result<Document> {
    let limits = Limits {
        max_bytes: 4 << 20,
        max_depth: 32,
        max_nodes: 50_000,
        ..Limits::default()
    };
    gateway_xml::parse(bytes, &limits).map_err(|e| make(format!("{what}: {e}")))
}

pub(crate) fn children(doc: &Document, id: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
    doc.elements(id).filter(|&c| doc.is(c, ns, local)).collect()
}

pub(crate) fn child(doc: &Document, id: NodeId, ns: &str, local: &str) -> Option<NodeId> {
    doc.elements(id).find(|&c| doc.is(c, ns, local))
}

/// Exactly one child element `{ns}local`.
pub(crate) fn one(doc: &Document, id: NodeId, ns: &str, local: &str) -> Result<NodeId> {
    match children(doc, id, ns, local).as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::Header(format!(
            "{} has no {local} element",
            doc.xpath(id)
        ))),
        many => Err(Error::Header(format!(
            "{} has {} {local} elements; one is allowed",
            doc.xpath(id),
            many.len()
        ))),
    }
}

/// Trimmed text of the only child `{ns}local`.
pub(crate) fn text_of(doc: &Document, id: NodeId, ns: &str, local: &str) -> Result<String> {
    let node = one(doc, id, ns, local)?;
    let text = doc.text(node).trim().to_owned();
    if text.is_empty() {
        return Err(Error::Header(format!("{} is empty", doc.xpath(node))));
    }
    Ok(text)
}

pub(crate) fn opt_text(doc: &Document, id: NodeId, ns: &str, local: &str) -> Option<String> {
    child(doc, id, ns, local).map(|n| doc.text(n).trim().to_owned())
}

/// Every element below and including `id` named `{ns}local`.
pub(crate) fn descendants(doc: &Document, id: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack = vec![id];
    while let Some(n) = stack.pop() {
        if doc.is(n, ns, local) {
            out.push(n);
        }
        stack.extend(doc.elements(n));
    }
    out
}

/// The value of the attribute with namespace `ns` (empty: none) and local name `local`.
pub(crate) fn attr_ns<'d>(doc: &'d Document, id: NodeId, ns: &str, local: &str) -> Option<&'d str> {
    doc.attrs(id)
        .find(|(_, n, _)| n.ns == ns && n.local == local)
        .map(|(_, _, v)| v)
}

/// `wsu:Id`, or a plain `Id`.
pub(crate) fn id_attr(doc: &Document, id: NodeId) -> Option<&str> {
    attr_ns(doc, id, crate::ns::WSU, "Id").or_else(|| doc.attr(id, "Id"))
}

/// Escapes text for element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}
