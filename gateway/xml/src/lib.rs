//! Hardened XML layer shared by the UBL and CII codecs.
//!
//! # Why a tree
//!
//! Invoices are read by one streaming quick-xml pass into a compact, lossless
//! [`Document`]: an arena of nodes (elements, text, comments, processing
//! instructions) with interned names, resolved namespaces, attributes and the
//! line and column of every element. The typed model is then built from the
//! tree by the syntax crates, which mark what they understood ([`Tracker`]);
//! everything else becomes [`gateway_model::Preserved`] content ([`preserve`])
//! that the streaming writer of the same syntax puts back ([`stream`]). The
//! validator gets both the model (with raw lexical values) and the tree (for
//! XPath locations and attribute-level syntax rules). The arena costs 36 bytes
//! per node, keeps names and text in two buffers and positions in a line
//! index, so a 13 MB invoice needs about 38 MiB including the model.
//!
//! # Hardening
//!
//! Documents come from strangers: a DOCTYPE is refused (so no DTD, no entity
//! definitions and no expansion), only the five predefined entities and
//! character references are accepted, input size, depth, attribute count,
//! name and text length and node count are limited ([`Limits`]), only UTF-8
//! and UTF-16 with a matching declaration are read, and every error carries a
//! line and column. No input can make this crate panic.
#![forbid(unsafe_code)]

mod encoding;
mod error;
mod limits;
pub mod names;
pub mod preserve;
mod reader;
pub mod stream;
mod tracker;
mod tree;
mod writer;

pub use error::{XmlError, XmlErrorKind};
pub use limits::Limits;
pub use stream::{StreamOptions, StreamWriter};
pub use tracker::Tracker;
pub use tree::{ChildrenNamed, Document, Name, NodeId, NodeKind};
pub use writer::{write_document, WriteOptions};

/// Parse `bytes` into a [`Document`] under `limits`.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Document, XmlError> {
    reader::parse(bytes, limits)
}

/// [`parse`] with quick-xml alone: the reference its fast reader is tested
/// against (the same tree or the same error for every input).
#[doc(hidden)]
pub fn parse_reference(bytes: &[u8], limits: &Limits) -> Result<Document, XmlError> {
    reader::parse_reference(bytes, limits)
}
