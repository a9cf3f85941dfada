//! Serialize an owned element tree as UTF-8 XML, declaring namespaces where
//! they are first needed (the tree carries namespace URIs, not declarations).

use gateway_model::xml::{Element, Node, QName};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// How to write.
#[derive(Clone, Debug)]
pub struct WriteOptions {
    /// Namespaces declared on the root in this order: (prefix, uri).
    pub root_namespaces: Vec<(&'static str, &'static str)>,
    /// Indent element-only content by two spaces per level.
    pub indent: bool,
}

/// Write a document with an XML declaration.
pub fn write_document(root: &Element, opts: &WriteOptions) -> Vec<u8> {
    let mut w = Writer {
        out: String::with_capacity(4096),
        scope: Vec::new(),
        indent: opts.indent,
    };
    w.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let pre: Vec<(String, String)> = opts
        .root_namespaces
        .iter()
        .map(|(p, u)| (p.to_string(), u.to_string()))
        .collect();
    w.element(root, 0, &pre);
    w.out.push('\n');
    w.out.into_bytes()
}

struct Writer {
    out: String,
    /// Bindings in scope: (prefix, uri).
    scope: Vec<(String, String)>,
    indent: bool,
}

impl Writer {
    fn bound(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        self.scope
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }

    /// Prefix to use for `name`, declaring it in `decls` when needed.
    fn prefix_for(&self, name: &QName, is_attr: bool, decls: &mut Vec<(String, String)>) -> String {
        let ns = &*name.ns;
        let in_decls = |p: &str, d: &Vec<(String, String)>| {
            d.iter().rev().find(|(x, _)| x == p).map(|(_, u)| u.clone())
        };
        let current = |p: &str, d: &Vec<(String, String)>| {
            in_decls(p, d).or_else(|| self.bound(p).map(str::to_string))
        };
        if ns.is_empty() {
            if !is_attr && current("", decls).is_some_and(|u| !u.is_empty()) {
                decls.push((String::new(), String::new()));
            }
            return String::new();
        }
        let mut prefix = name.prefix.to_string();
        if is_attr && prefix.is_empty() {
            prefix = "ns0".into();
        }
        match current(&prefix, decls) {
            Some(u) if u == ns => {}
            _ => decls.push((prefix.clone(), ns.to_string())),
        }
        prefix
    }

    fn element(&mut self, el: &Element, depth: usize, pre: &[(String, String)]) {
        let mark = self.scope.len();
        let mut decls: Vec<(String, String)> = pre.to_vec();
        let eprefix = self.prefix_for(&el.name, false, &mut decls);
        let aprefixes: Vec<String> = el
            .attrs
            .iter()
            .map(|a| self.prefix_for(&a.name, true, &mut decls))
            .collect();
        self.out.push('<');
        push_qname(&mut self.out, &eprefix, &el.name.local);
        for (p, u) in &decls {
            self.out
                .push_str(if p.is_empty() { " xmlns" } else { " xmlns:" });
            self.out.push_str(p);
            self.out.push_str("=\"");
            escape_attr(&mut self.out, u);
            self.out.push('"');
        }
        for (a, p) in el.attrs.iter().zip(&aprefixes) {
            self.out.push(' ');
            push_qname(&mut self.out, p, &a.name.local);
            self.out.push_str("=\"");
            escape_attr(&mut self.out, &a.value);
            self.out.push('"');
        }
        self.scope.extend(decls);
        if el.children.is_empty() {
            self.out.push_str("/>");
            self.scope.truncate(mark);
            return;
        }
        self.out.push('>');
        // Indent only element content: a leaf holding just a comment must
        // keep an empty string value.
        let element_only = self.indent
            && el.children.iter().all(|c| !matches!(c, Node::Text(_)))
            && el.children.iter().any(|c| matches!(c, Node::Element(_)));
        for c in &el.children {
            if element_only {
                self.newline(depth + 1);
            }
            match c {
                Node::Element(e) => self.element(e, depth + 1, &[]),
                Node::Text(t) => escape_text(&mut self.out, t),
                Node::Comment(t) => {
                    self.out.push_str("<!--");
                    self.out.push_str(t);
                    self.out.push_str("-->");
                }
                Node::Pi(t) => {
                    self.out.push_str("<?");
                    self.out.push_str(t);
                    self.out.push_str("?>");
                }
            }
        }
        if element_only {
            self.newline(depth);
        }
        self.out.push_str("</");
        push_qname(&mut self.out, &eprefix, &el.name.local);
        self.out.push('>');
        self.scope.truncate(mark);
    }

    fn newline(&mut self, depth: usize) {
        self.out.push('\n');
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }
}

fn push_qname(out: &mut String, prefix: &str, local: &str) {
    if !prefix.is_empty() {
        out.push_str(prefix);
        out.push(':');
    }
    out.push_str(local);
}

/// Serialize a preserved node at `depth` with `scope` in force (used by the
/// streaming writer to put preserved content back).
pub(crate) fn write_node(
    out: &mut String,
    node: &Node,
    depth: usize,
    indent: bool,
    scope: &[(String, String)],
) {
    match node {
        Node::Element(e) => {
            let mut w = Writer {
                out: String::new(),
                scope: scope.to_vec(),
                indent,
            };
            w.element(e, depth, &[]);
            out.push_str(&w.out);
        }
        Node::Text(t) => escape_text(out, t),
        Node::Comment(t) => {
            out.push_str("<!--");
            out.push_str(t);
            out.push_str("-->");
        }
        Node::Pi(t) => {
            out.push_str("<?");
            out.push_str(t);
            out.push_str("?>");
        }
    }
}

pub(crate) fn escape_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

pub(crate) fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}
