//! Canonical XML over a whole document or one selected element, for callers that sign or digest
//! in Rust (Ed25519, AS4 references). Exclusive c14n of an element runs natively
//! ([`crate::exc_c14n`], byte-identical to libxml2); the rest goes through libxml2.

use crate::error::{Error, Result};
use crate::exc_c14n;
use crate::ffi::{Doc, Node, NodeKind};
use crate::input::{self, Limits};

/// Canonicalization algorithms, with their XML Signature URIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// Canonical XML 1.0 (inclusive), comments removed.
    C14n10,
    /// Canonical XML 1.0 (inclusive) with comments.
    C14n10WithComments,
    /// Exclusive XML Canonicalization 1.0, comments removed.
    ExcC14n,
    /// Exclusive XML Canonicalization 1.0 with comments.
    ExcC14nWithComments,
}

impl Algorithm {
    /// The algorithm URI used in `CanonicalizationMethod` / `Transform`.
    pub fn uri(self) -> &'static str {
        match self {
            Algorithm::C14n10 => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            Algorithm::C14n10WithComments => {
                "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
            }
            Algorithm::ExcC14n => "http://www.w3.org/2001/10/xml-exc-c14n#",
            Algorithm::ExcC14nWithComments => "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        }
    }

    /// The algorithm for a URI, if supported.
    pub fn from_uri(uri: &str) -> Option<Algorithm> {
        [
            Algorithm::C14n10,
            Algorithm::C14n10WithComments,
            Algorithm::ExcC14n,
            Algorithm::ExcC14nWithComments,
        ]
        .into_iter()
        .find(|a| a.uri() == uri)
    }

    pub(crate) fn exclusive(self) -> bool {
        matches!(self, Algorithm::ExcC14n | Algorithm::ExcC14nWithComments)
    }

    pub(crate) fn with_comments(self) -> bool {
        matches!(
            self,
            Algorithm::C14n10WithComments | Algorithm::ExcC14nWithComments
        )
    }
}

/// Which part of the document to canonicalize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector<'a> {
    /// The whole document.
    Document,
    /// The document element and its content.
    DocumentElement,
    /// The only element with this namespace and local name (an error when absent or repeated).
    Element {
        namespace: &'a str,
        local_name: &'a str,
    },
    /// The only element carrying an `Id`/`ID`/`id` attribute (any namespace, e.g. `wsu:Id`) with
    /// this value; an error when absent or repeated (a repeated Id is a wrapping attempt).
    ById(&'a str),
}

/// Canonicalizes the selected part of `xml`. `inclusive_prefixes` is the exclusive c14n
/// `InclusiveNamespaces PrefixList` (ignored by inclusive c14n); `#default` names the default
/// namespace.
pub fn canonicalize(
    xml: &[u8],
    selector: Selector<'_>,
    algorithm: Algorithm,
    inclusive_prefixes: &[&str],
) -> Result<Vec<u8>> {
    canonicalize_with(
        xml,
        selector,
        algorithm,
        inclusive_prefixes,
        &Limits::default(),
    )
}

/// [`canonicalize`] with explicit limits.
pub fn canonicalize_with(
    xml: &[u8],
    selector: Selector<'_>,
    algorithm: Algorithm,
    inclusive_prefixes: &[&str],
    limits: &Limits,
) -> Result<Vec<u8>> {
    let part = [Part {
        selector,
        algorithm,
        inclusive_prefixes,
    }];
    if exc_c14n::supports(&part) {
        return exc_c14n::canonicalize_parts(xml, &part, limits)?
            .pop()
            .expect("one part");
    }
    let doc = input::parse(xml, limits)?;
    let node = select(&doc, selector)?;
    let prefixes: Vec<String> = if algorithm.exclusive() {
        inclusive_prefixes.iter().map(|p| (*p).to_owned()).collect()
    } else {
        Vec::new()
    };
    doc.c14n(
        algorithm.exclusive(),
        algorithm.with_comments(),
        &prefixes,
        node,
        None,
    )
}

/// One part of a document for [`canonicalize_parts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part<'a> {
    pub selector: Selector<'a>,
    pub algorithm: Algorithm,
    /// As in [`canonicalize`].
    pub inclusive_prefixes: &'a [&'a str],
}

/// Canonicalizes several parts of `xml` with one parse (a signature's SignedInfo and its
/// same-document references): the outer error is the document's, each part has its own result.
pub fn canonicalize_parts(xml: &[u8], parts: &[Part<'_>]) -> Result<Vec<Result<Vec<u8>>>> {
    if exc_c14n::supports(parts) {
        return exc_c14n::canonicalize_parts(xml, parts, &Limits::default());
    }
    canonicalize_parts_libxml2(xml, parts)
}

/// [`canonicalize_parts`] always through libxml2: the reference the native exclusive
/// canonicalization is tested against.
pub fn canonicalize_parts_libxml2(xml: &[u8], parts: &[Part<'_>]) -> Result<Vec<Result<Vec<u8>>>> {
    let doc = input::parse(xml, &Limits::default())?;
    Ok(parts
        .iter()
        .map(|part| {
            let node = select(&doc, part.selector)?;
            let prefixes: Vec<String> = if part.algorithm.exclusive() {
                part.inclusive_prefixes
                    .iter()
                    .map(|p| (*p).to_owned())
                    .collect()
            } else {
                Vec::new()
            };
            doc.c14n(
                part.algorithm.exclusive(),
                part.algorithm.with_comments(),
                &prefixes,
                node,
                None,
            )
        })
        .collect())
}

fn select<'d>(doc: &'d Doc, selector: Selector<'_>) -> Result<Option<Node<'d>>> {
    let root = doc
        .root()
        .ok_or_else(|| Error::C14n("no document element".into()))?;
    let matches = match selector {
        Selector::Document => return Ok(None),
        Selector::DocumentElement => return Ok(Some(root)),
        Selector::Element {
            namespace,
            local_name,
        } => elements(root)
            .into_iter()
            .filter(|n| n.is(namespace, local_name))
            .collect::<Vec<_>>(),
        Selector::ById(id) => elements(root)
            .into_iter()
            .filter(|n| {
                n.attributes()
                    .iter()
                    .any(|a| matches!(a.name.as_str(), "Id" | "ID" | "id") && a.value == id)
            })
            .collect(),
    };
    match matches.as_slice() {
        [one] => Ok(Some(*one)),
        [] => Err(Error::C14n(format!("no element matches {selector:?}"))),
        many => Err(Error::C14n(format!(
            "{} elements match {selector:?}; exactly one is required",
            many.len()
        ))),
    }
}

/// Every element of the tree below and including `root`, in document order.
pub(crate) fn elements<'d>(root: Node<'d>) -> Vec<Node<'d>> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if node.kind() != NodeKind::Element {
            continue;
        }
        out.push(node);
        let children = node.element_children();
        stack.extend(children.into_iter().rev());
    }
    out
}
