//! The compact lossless document tree (an arena).

use std::borrow::Cow;

use gateway_model::xml::{Attribute, Element, Node, QName};

use crate::names::{name_key, Expanded, Namespace, KNOWN, NO_SLOT};

/// Index of a node in a [`Document`]. `NodeId(0)` is the document node; it is
/// also what `gateway_model::Src(0)` (no source) maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl From<NodeId> for gateway_model::Src {
    fn from(n: NodeId) -> Self {
        gateway_model::Src(n.0)
    }
}

/// Kind of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// The document node (index 0).
    Document,
    /// An element.
    Element,
    /// Character data.
    Text,
    /// A comment.
    Comment,
    /// A processing instruction.
    Pi,
}

/// A namespace-resolved name (a view into the document).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Name<'d> {
    /// Namespace URI ("" = none).
    pub ns: &'d str,
    /// Prefix as written ("" = none).
    pub prefix: &'d str,
    /// Local name.
    pub local: &'d str,
    /// [`crate::names::name_key`] of `ns` and `local`.
    pub key: u32,
    /// [`crate::names::known_slot`] of `ns`.
    pub slot: u8,
}

impl Name<'_> {
    /// Whether this is the name `e` (the key first, the strings to confirm;
    /// a known namespace by its slot).
    #[inline]
    pub fn is(&self, e: Expanded) -> bool {
        self.key == e.key
            && self.local == e.local
            && if e.slot == NO_SLOT {
                self.ns == e.ns
            } else {
                self.slot == e.slot
            }
    }

    /// Whether the name is in namespace `ns` (one byte compared for a
    /// known namespace).
    #[inline]
    pub fn in_ns(&self, ns: Namespace) -> bool {
        if ns.slot == NO_SLOT {
            self.ns == ns.uri
        } else {
            self.slot == ns.slot
        }
    }
}

/// An interned name: namespace id and the qualified name's range in
/// `Document::name_text` (no allocation per name).
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameData {
    pub ns: u32,
    pub start: u32,
    pub len: u32,
    /// Length of the prefix (0 = none).
    pub prefix_len: u32,
    /// [`crate::names::name_key`] of the namespace URI and local name.
    pub key: u32,
    /// [`crate::names::known_slot`] of the namespace.
    pub slot: u8,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeData {
    pub kind: NodeKind,
    pub name: u32,
    /// Elements: the name's key (copied here so a walk over siblings that
    /// looks for one name reads nothing but the nodes); others: 0.
    pub key: u32,
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    /// Elements: attribute range in `Document::attrs`; text, comment and PI
    /// nodes: their text range in `Document::text` (one field keeps nodes small).
    pub range: (u32, u32),
    /// Byte offset of the node's start in the (UTF-8) document text.
    pub offset: u32,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct AttrData {
    pub name: u32,
    pub value: (u32, u32),
}

/// A parsed document: nodes in document order, names interned, all text in
/// one buffer. Namespace declarations are resolved into the names and not
/// kept as attributes (writers declare what they use).
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) attrs: Vec<AttrData>,
    pub(crate) names: Vec<NameData>,
    pub(crate) name_text: String,
    /// Namespace URIs by id (0 = no namespace, 1 = xml).
    pub(crate) ns_list: Vec<String>,
    /// `names::ns_seed` of each namespace, by id.
    pub(crate) ns_seeds: Vec<u32>,
    /// [`crate::names::known_slot`] of each namespace, by id.
    pub(crate) ns_slots: Vec<u8>,
    /// Namespace id + 1 of each [`KNOWN`] namespace (0 = not in the document).
    pub(crate) known_ns: [u32; KNOWN.len()],
    pub(crate) text: String,
    /// Byte offset of each line start, for line/column on demand.
    pub(crate) line_starts: Vec<u32>,
    pub(crate) root: u32,
}

/// `u32::MAX` marks "no node" in links.
pub(crate) const NIL: u32 = u32::MAX;

impl Document {
    #[inline]
    fn node(&self, id: NodeId) -> Option<&NodeData> {
        self.nodes.get(id.0 as usize)
    }

    #[inline]
    fn slice(&self, (start, len): (u32, u32)) -> &str {
        let s = start as usize;
        self.text.get(s..s + len as usize).unwrap_or("")
    }

    /// The root element.
    #[inline]
    pub fn root(&self) -> NodeId {
        NodeId(self.root)
    }

    /// Number of nodes (including the document node).
    #[inline]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the document has no nodes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Kind of a node.
    #[inline]
    pub fn kind(&self, id: NodeId) -> NodeKind {
        self.node(id).map_or(NodeKind::Document, |n| n.kind)
    }

    /// Resolve an interned name.
    #[inline]
    pub(crate) fn name_data(&self, d: &NameData) -> Name<'_> {
        let q = self
            .name_text
            .get(d.start as usize..(d.start as usize + d.len as usize))
            .unwrap_or("");
        let (prefix, local) = if d.prefix_len == 0 {
            ("", q)
        } else {
            (
                q.get(..d.prefix_len as usize).unwrap_or(""),
                q.get(d.prefix_len as usize + 1..).unwrap_or(""),
            )
        };
        Name {
            ns: self.ns_list.get(d.ns as usize).map_or("", String::as_str),
            prefix,
            local,
            key: d.key,
            slot: d.slot,
        }
    }

    /// Whether interned name `d` is `e` (called once the keys agree): a
    /// known namespace compares ids, the local name its bytes.
    #[inline]
    fn confirm(&self, d: &NameData, e: Expanded) -> bool {
        let ns_ok = if e.slot == NO_SLOT {
            self.ns_list.get(d.ns as usize).map(String::as_str) == Some(e.ns)
        } else {
            self.known_ns.get(usize::from(e.slot)) == Some(&d.ns.wrapping_add(1))
        };
        let skip = if d.prefix_len == 0 {
            0
        } else {
            d.prefix_len as usize + 1
        };
        ns_ok
            && self
                .name_text
                .get(d.start as usize + skip..d.start as usize + d.len as usize)
                == Some(e.local)
    }

    /// Name of an element (an empty name for other nodes).
    #[inline]
    pub fn name(&self, id: NodeId) -> Name<'_> {
        self.node(id)
            .filter(|n| n.kind == NodeKind::Element)
            .and_then(|n| self.names.get(n.name as usize))
            .map_or(
                Name {
                    ns: "",
                    prefix: "",
                    local: "",
                    key: name_key("", ""),
                    slot: 0,
                },
                |d| self.name_data(d),
            )
    }

    /// Index of an element's name in [`Document::distinct_names`] (`None`
    /// for other nodes).
    #[inline]
    pub fn name_index(&self, id: NodeId) -> Option<usize> {
        self.node(id)
            .filter(|n| n.kind == NodeKind::Element)
            .map(|n| n.name as usize)
    }

    /// Every distinct element and attribute name of the document, resolved,
    /// by [`Document::name_index`]: a caller that looks at every element's
    /// name resolves each of the (about 80) names once, not once per element.
    pub fn distinct_names(&self) -> Vec<Name<'_>> {
        self.names.iter().map(|d| self.name_data(d)).collect()
    }

    /// Whether `id` is an element named `{ns}local`.
    #[inline]
    pub fn is(&self, id: NodeId, ns: &str, local: &str) -> bool {
        // Hot path of every mapping lookup: compare the local name straight
        // from the name buffer before touching the namespace.
        let Some(n) = self.node(id).filter(|n| n.kind == NodeKind::Element) else {
            return false;
        };
        let Some(d) = self.names.get(n.name as usize) else {
            return false;
        };
        let skip = if d.prefix_len == 0 {
            0
        } else {
            d.prefix_len as usize + 1
        };
        let (start, end) = (d.start as usize + skip, d.start as usize + d.len as usize);
        self.name_text.get(start..end) == Some(local)
            && self.ns_list.get(d.ns as usize).map(String::as_str) == Some(ns)
    }

    /// Whether `id` is an element named `e`: one integer comparison for an
    /// element of another name, the strings only to confirm a match.
    #[inline]
    pub fn is_named(&self, id: NodeId, e: Expanded) -> bool {
        let Some(n) = self.node(id) else {
            return false;
        };
        n.key == e.key
            && n.kind == NodeKind::Element
            && self
                .names
                .get(n.name as usize)
                .is_some_and(|d| self.confirm(d, e))
    }

    /// 1-based line and column of a node's start. The column counts UTF-8
    /// bytes (computed on demand from a line index, which keeps parsing
    /// fast; parse errors count characters).
    pub fn line_col(&self, id: NodeId) -> (u32, u32) {
        let Some(n) = self.node(id) else {
            return (0, 0);
        };
        let line = self.line_starts.partition_point(|&s| s <= n.offset);
        let start = line
            .checked_sub(1)
            .and_then(|l| self.line_starts.get(l))
            .copied()
            .unwrap_or(0);
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            n.offset.saturating_sub(start).saturating_add(1),
        )
    }

    /// Parent node.
    #[inline]
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.node(id)
            .map(|n| n.parent)
            .filter(|&p| p != NIL)
            .map(NodeId)
    }

    /// All child nodes in order.
    #[inline]
    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children {
            doc: self,
            next: self.node(id).map_or(NIL, |n| n.first_child),
        }
    }

    /// Element children named `e`, in order. The rules' child steps: one
    /// walk over the sibling links that compares name keys, with no name
    /// resolved for a child of another name.
    #[inline]
    pub fn children_named(&self, id: NodeId, e: Expanded) -> ChildrenNamed<'_> {
        ChildrenNamed {
            doc: self,
            next: self.node(id).map_or(NIL, |n| n.first_child),
            e,
        }
    }

    /// Element children in order.
    #[inline]
    pub fn elements(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.children(id)
            .filter(move |&c| self.kind(c) == NodeKind::Element)
    }

    /// Raw content of a text, comment or PI node.
    #[inline]
    pub fn node_text(&self, id: NodeId) -> &str {
        self.node(id)
            .filter(|n| n.kind != NodeKind::Element)
            .map_or("", |n| self.slice(n.range))
    }

    /// Text content of an element: its direct text children, concatenated.
    #[inline]
    pub fn text(&self, id: NodeId) -> Cow<'_, str> {
        let mut texts = self
            .children(id)
            .filter(|&c| self.kind(c) == NodeKind::Text);
        let Some(first) = texts.next() else {
            return Cow::Borrowed("");
        };
        match texts.next() {
            None => Cow::Borrowed(self.node_text(first)),
            Some(second) => {
                let mut s = String::from(self.node_text(first));
                s.push_str(self.node_text(second));
                for t in texts {
                    s.push_str(self.node_text(t));
                }
                Cow::Owned(s)
            }
        }
    }

    /// Attributes of an element: (index, name, value).
    #[inline]
    pub fn attrs(&self, id: NodeId) -> impl Iterator<Item = (usize, Name<'_>, &str)> + '_ {
        let (start, count) = self
            .node(id)
            .filter(|n| n.kind == NodeKind::Element)
            .map_or((0, 0), |n| n.range);
        (start as usize..(start as usize + count as usize)).filter_map(move |i| {
            let a = self.attrs.get(i)?;
            let n = self.names.get(a.name as usize)?;
            Some((i, self.name_data(n), self.slice(a.value)))
        })
    }

    /// Indexes of an element's attributes (cheap: no name lookups).
    #[inline]
    pub fn attr_range(&self, id: NodeId) -> std::ops::Range<usize> {
        let (start, count) = self
            .node(id)
            .filter(|n| n.kind == NodeKind::Element)
            .map_or((0, 0), |n| n.range);
        start as usize..start as usize + count as usize
    }

    /// Value of the un-namespaced attribute `local`.
    #[inline]
    pub fn attr(&self, id: NodeId, local: &str) -> Option<&str> {
        let range = self.attr_range(id);
        if range.is_empty() {
            return None;
        }
        // An element has one or two attributes: comparing namespace id and
        // length, then the bytes, costs less than hashing `local` for a key.
        self.attrs.get(range)?.iter().find_map(|a| {
            let d = self.names.get(a.name as usize)?;
            // Namespace id 0 is "no namespace"; such a name has no prefix.
            (d.ns == 0
                && d.len as usize == local.len()
                && self
                    .name_text
                    .get(d.start as usize..d.start as usize + d.len as usize)
                    == Some(local))
            .then(|| self.slice(a.value))
        })
    }

    /// Number of attributes in the document (size of attribute bitsets).
    #[inline]
    pub fn attr_count(&self) -> usize {
        self.attrs.len()
    }

    /// An XPath to the node, with prefixes as written and 1-based positions
    /// among same-named siblings: `/Invoice/cac:InvoiceLine[2]/cbc:ID[1]`.
    pub fn xpath(&self, id: NodeId) -> String {
        let mut steps = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            if self.kind(c) != NodeKind::Element {
                break;
            }
            let n = self.name(c);
            let qn = if n.prefix.is_empty() {
                n.local.to_string()
            } else {
                format!("{}:{}", n.prefix, n.local)
            };
            match self.parent(c) {
                Some(p) if self.kind(p) == NodeKind::Element => {
                    let pos = self
                        .elements(p)
                        .take_while(|&s| s != c)
                        .filter(|&s| self.is(s, n.ns, n.local))
                        .count()
                        + 1;
                    steps.push(format!("{qn}[{pos}]"));
                }
                _ => steps.push(qn),
            }
            cur = self.parent(c);
        }
        steps.reverse();
        let mut out = String::new();
        for s in steps {
            out.push('/');
            out.push_str(&s);
        }
        out
    }

    /// The model-level name of an element.
    pub fn qname(&self, id: NodeId) -> QName {
        let n = self.name(id);
        QName {
            ns: Cow::Owned(n.ns.to_string()),
            prefix: Cow::Owned(n.prefix.to_string()),
            local: Cow::Owned(n.local.to_string()),
        }
    }

    /// An owned copy of a node and its subtree (for preserving).
    pub fn to_node(&self, id: NodeId) -> Node {
        match self.kind(id) {
            NodeKind::Text => Node::Text(self.node_text(id).to_string()),
            NodeKind::Comment => Node::Comment(self.node_text(id).to_string()),
            NodeKind::Pi => Node::Pi(self.node_text(id).to_string()),
            NodeKind::Element | NodeKind::Document => Node::Element(Box::new(self.to_element(id))),
        }
    }

    /// An owned copy of an element subtree.
    pub fn to_element(&self, id: NodeId) -> Element {
        let attrs = self
            .attrs(id)
            .map(|(_, n, v)| Attribute {
                name: QName {
                    ns: Cow::Owned(n.ns.to_string()),
                    prefix: Cow::Owned(n.prefix.to_string()),
                    local: Cow::Owned(n.local.to_string()),
                },
                value: v.to_string(),
            })
            .collect();
        Element {
            name: self.qname(id),
            attrs,
            children: self.children(id).map(|c| self.to_node(c)).collect(),
        }
    }
}

/// Iterator over the children of a node.
pub struct Children<'d> {
    doc: &'d Document,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    #[inline]
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NIL {
            return None;
        }
        let id = NodeId(self.next);
        self.next = self.doc.node(id).map_or(NIL, |n| n.next_sibling);
        Some(id)
    }
}

/// Iterator over the element children of one name (see
/// [`Document::children_named`]).
pub struct ChildrenNamed<'d> {
    doc: &'d Document,
    next: u32,
    e: Expanded,
}

impl Iterator for ChildrenNamed<'_> {
    type Item = NodeId;
    #[inline]
    fn next(&mut self) -> Option<NodeId> {
        // `NIL` is out of range, so `get` ends the walk.
        while let Some(n) = self.doc.nodes.get(self.next as usize) {
            let id = NodeId(self.next);
            self.next = n.next_sibling;
            if n.key == self.e.key
                && n.kind == NodeKind::Element
                && self
                    .doc
                    .names
                    .get(n.name as usize)
                    .is_some_and(|d| self.doc.confirm(d, self.e))
            {
                return Some(id);
            }
        }
        None
    }
}
