//! Marks which nodes and attributes a syntax reader understood; the rest is
//! preserved (see [`crate::preserve`]).

use crate::tree::{Document, NodeId, NodeKind};

/// A document plus "understood" bits for its nodes and attributes.
pub struct Tracker<'d> {
    doc: &'d Document,
    used: Vec<bool>,
    used_attrs: Vec<bool>,
}

impl<'d> Tracker<'d> {
    /// Start tracking `doc`; the root is understood by definition.
    pub fn new(doc: &'d Document) -> Self {
        let mut t = Tracker {
            doc,
            used: vec![false; doc.len()],
            used_attrs: vec![false; doc.attr_count()],
        };
        t.mark(doc.root());
        t
    }

    /// The document.
    pub fn doc(&self) -> &'d Document {
        self.doc
    }

    /// Mark a node understood.
    pub fn mark(&mut self, id: NodeId) {
        if let Some(u) = self.used.get_mut(id.0 as usize) {
            *u = true;
        }
    }

    /// Take back a mark: the node turned out to carry nothing the model
    /// keeps, so it is preserved verbatim instead.
    pub fn unmark(&mut self, id: NodeId) {
        if let Some(u) = self.used.get_mut(id.0 as usize) {
            *u = false;
        }
    }

    /// Whether a node was understood.
    pub fn is_used(&self, id: NodeId) -> bool {
        self.used.get(id.0 as usize).copied().unwrap_or(false)
    }

    /// Whether an attribute (by document index) was understood.
    pub fn is_attr_used(&self, index: usize) -> bool {
        self.used_attrs.get(index).copied().unwrap_or(false)
    }

    /// First element child `{ns}local` not yet understood; marks it.
    pub fn child(&mut self, parent: NodeId, ns: &str, local: &str) -> Option<NodeId> {
        let doc = self.doc;
        let id = doc
            .elements(parent)
            .find(|&c| !self.is_used(c) && doc.is(c, ns, local))?;
        self.mark(id);
        Some(id)
    }

    /// All element children `{ns}local` not yet understood; marks them.
    pub fn children(&mut self, parent: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
        let doc = self.doc;
        let ids: Vec<NodeId> = doc
            .elements(parent)
            .filter(|&c| !self.is_used(c) && doc.is(c, ns, local))
            .collect();
        for &id in &ids {
            self.mark(id);
        }
        ids
    }

    /// Text of an element (its text children are understood with it).
    pub fn text(&mut self, id: NodeId) -> String {
        let doc = self.doc;
        for c in doc.children(id) {
            if doc.kind(c) == NodeKind::Text {
                self.mark(c);
            }
        }
        doc.text(id).into_owned()
    }

    /// Un-namespaced attribute `local`; marks it understood.
    pub fn attr(&mut self, id: NodeId, local: &str) -> Option<String> {
        let doc = self.doc;
        let (idx, _, v) = doc
            .attrs(id)
            .find(|(_, n, _)| n.ns.is_empty() && n.local == local)?;
        if let Some(u) = self.used_attrs.get_mut(idx) {
            *u = true;
        }
        Some(v.to_string())
    }
}

impl Tracker<'_> {
    /// Element children `{ns}local` not yet understood, without marking.
    pub fn peek_children(&self, parent: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
        let doc = self.doc;
        doc.elements(parent)
            .filter(|&c| !self.is_used(c) && doc.is(c, ns, local))
            .collect()
    }
}
