//! An owned, namespace-aware XML element tree: the form in which unknown
//! content is preserved and in which writers build their output.

use std::borrow::Cow;

/// A namespace-qualified name. `Cow` so writers use static names for free.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QName {
    /// Namespace URI (empty = no namespace).
    pub ns: Cow<'static, str>,
    /// Preferred prefix (empty = default namespace / none).
    pub prefix: Cow<'static, str>,
    /// Local name.
    pub local: Cow<'static, str>,
}

impl QName {
    /// A name from static parts.
    pub const fn new_static(ns: &'static str, prefix: &'static str, local: &'static str) -> Self {
        QName {
            ns: Cow::Borrowed(ns),
            prefix: Cow::Borrowed(prefix),
            local: Cow::Borrowed(local),
        }
    }
}

/// An attribute (never a namespace declaration: writers declare namespaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Its name.
    pub name: QName,
    /// Its value, unescaped.
    pub value: String,
}

/// A child node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// An element (boxed: keeps `Node` at 32 bytes, which matters for
    /// trees of hundreds of thousands of nodes).
    Element(Box<Element>),
    /// Character data (CDATA sections are kept as text).
    Text(String),
    /// A comment.
    Comment(String),
    /// A processing instruction (target and data, as written).
    Pi(String),
}

/// An element with attributes and ordered children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    /// Its name.
    pub name: QName,
    /// Its attributes, in document order.
    pub attrs: Vec<Attribute>,
    /// Its children, in document order.
    pub children: Vec<Node>,
}

impl Element {
    /// An empty element.
    pub fn new(name: QName) -> Self {
        Element {
            name,
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }
    /// Concatenated direct text children.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|c| match c {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }
    /// Direct element children.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(&**e),
            _ => None,
        })
    }
}
