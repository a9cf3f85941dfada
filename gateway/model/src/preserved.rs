//! Content the model does not understand, kept for a lossless round trip.
//!
//! Each entry is keyed by the *path of the known element it belongs to*, in a
//! canonical form (`/Invoice/cac:InvoiceLine[2]/cac:Item[1]`, namespace URIs
//! mapped to fixed prefixes, positions counted among same-named siblings).
//! The writer of the same syntax rebuilds the known tree from the model,
//! computes the same paths and puts every entry back: unknown child elements
//! after the same number of known siblings as in the source, unknown
//! attributes on the same element. This keeps the mapping code free of
//! bookkeeping: readers only mark what they understood.

use crate::xml::{Attribute, Element, Node};
use crate::Syntax;

/// One piece of preserved content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreservedItem {
    /// An unknown child element (or comment) of the known element at `path`,
    /// placed after `anchor` known siblings.
    Child {
        /// Number of known element children before it in the source.
        anchor: u32,
        /// The content.
        node: Node,
    },
    /// An unknown attribute of the known element at `path`.
    Attribute(Attribute),
}

/// A preserved item with the canonical path of its known element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreservedEntry {
    /// Canonical path of the known element.
    pub path: String,
    /// The item.
    pub item: PreservedItem,
}

/// All unknown content of one source document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Preserved {
    /// The syntax it came from; only a writer of that syntax re-emits it.
    pub syntax: Option<Syntax>,
    /// Entries in document order.
    pub entries: Vec<PreservedEntry>,
}

impl Preserved {
    /// Whether nothing was preserved.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Preserved elements (for callers that want to inspect extensions).
    pub fn elements(&self) -> impl Iterator<Item = (&str, &Element)> {
        self.entries.iter().filter_map(|e| match &e.item {
            PreservedItem::Child {
                node: Node::Element(el),
                ..
            } => Some((e.path.as_str(), &**el)),
            _ => None,
        })
    }
}
