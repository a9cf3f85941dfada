//! Streaming writer: syntax writers emit the model in schema order through
//! `open` / `attr` / `text` / `close`; the sink writes XML straight into the
//! output, drops elements that end up without content (the reader preserves
//! such elements verbatim, see [`crate::preserve::collect`]) and puts
//! preserved content back by canonical path and anchor. No tree is built, so
//! writing costs little more memory than the output itself.

use std::borrow::Cow;
use std::collections::HashMap;

use gateway_model::preserved::{Preserved, PreservedItem};
use gateway_model::xml::{Attribute, Node, QName};
use gateway_model::Syntax;

use crate::names::push_canonical;
use crate::writer::{escape_attr, escape_text, write_node};

/// Options of the streaming writer.
#[derive(Clone, Debug)]
pub struct StreamOptions {
    /// Namespaces declared on the root: (prefix, uri). Every element the
    /// syntax writer opens must use one of these.
    pub root_namespaces: Vec<(&'static str, &'static str)>,
    /// Indent element content by two spaces per level.
    pub indent: bool,
    /// Elements written even when empty (schema-mandatory containers).
    pub keep: fn(&str, &str) -> bool,
    /// Expected output size, to allocate once.
    pub size_hint: usize,
}

struct Frame {
    name: QName,
    attrs: Vec<Attribute>,
    /// Start tag written.
    materialized: bool,
    /// Start tag still open (`>` not yet written).
    tag_open: bool,
    /// Child elements or preserved nodes written (for indentation).
    has_element_children: bool,
    /// Text written: no indentation inside (it would change the value).
    has_text: bool,
    /// Known element children written so far (the preserved anchor).
    known: u32,
    /// Path length before this element's step.
    path_len: usize,
    /// Positions of same-named children: (ns, local, count).
    counts: Vec<(Cow<'static, str>, Cow<'static, str>, u32)>,
    /// Next preserved child item of this element not yet written.
    next_item: usize,
}

/// The sink.
pub struct StreamWriter<'p> {
    out: String,
    frames: Vec<Frame>,
    path: String,
    by_path: HashMap<&'p str, Vec<&'p PreservedItem>>,
    scope: Vec<(String, String)>,
    opts: StreamOptions,
}

impl<'p> StreamWriter<'p> {
    /// A writer for `syntax`; preserved content of that syntax is put back.
    pub fn new(opts: StreamOptions, preserved: &'p Preserved, syntax: Syntax) -> Self {
        let mut by_path: HashMap<&'p str, Vec<&'p PreservedItem>> = HashMap::new();
        if preserved.syntax == Some(syntax) {
            for e in &preserved.entries {
                by_path.entry(e.path.as_str()).or_default().push(&e.item);
            }
        }
        let mut out = String::with_capacity(opts.size_hint.max(1024));
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let scope = opts
            .root_namespaces
            .iter()
            .map(|(p, u)| (p.to_string(), u.to_string()))
            .collect();
        StreamWriter {
            out,
            frames: Vec::new(),
            path: String::new(),
            by_path,
            scope,
            opts,
        }
    }

    /// Open an element (written only if it gets content).
    pub fn open(&mut self, name: QName) {
        self.frames.push(Frame {
            name,
            attrs: Vec::new(),
            materialized: false,
            tag_open: false,
            has_element_children: false,
            has_text: false,
            known: 0,
            path_len: 0,
            counts: Vec::new(),
            next_item: 0,
        });
    }

    /// Add an attribute to the element just opened (before any child).
    pub fn attr(&mut self, name: QName, value: &str) {
        if let Some(f) = self.frames.last_mut() {
            if !f.materialized {
                f.attrs.push(Attribute {
                    name,
                    value: value.to_string(),
                });
            }
        }
    }

    /// Text content of the current element (empty text adds nothing).
    pub fn text(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        let depth = self.frames.len();
        if depth == 0 {
            return;
        }
        self.materialize(depth - 1);
        self.end_start_tag();
        if let Some(f) = self.frames.last_mut() {
            f.has_text = true;
        }
        escape_text(&mut self.out, value);
    }

    /// Close the current element.
    pub fn close(&mut self) {
        let Some(top) = self.frames.last() else {
            return;
        };
        let keep = self.frames.len() == 1
            || !top.attrs.is_empty()
            || (self.opts.keep)(&top.name.ns, &top.name.local);
        if !top.materialized && keep {
            let i = self.frames.len() - 1;
            self.materialize(i);
        }
        let Some(f) = self.frames.last() else { return };
        if !f.materialized {
            self.frames.pop();
            return;
        }
        // Preserved children anchored after the last known child.
        self.flush_items(u32::MAX);
        let depth = self.frames.len() - 1;
        let Some(f) = self.frames.pop() else { return };
        if f.tag_open {
            self.out.push_str("/>");
        } else {
            if f.has_element_children && !f.has_text && self.opts.indent {
                newline(&mut self.out, depth);
            }
            self.out.push_str("</");
            push_qname(&mut self.out, &f.name);
            self.out.push('>');
        }
        self.path.truncate(f.path_len);
    }

    /// Finish the document.
    pub fn finish(mut self) -> Vec<u8> {
        while !self.frames.is_empty() {
            self.close();
        }
        self.out.push('\n');
        self.out.into_bytes()
    }

    fn end_start_tag(&mut self) {
        if let Some(f) = self.frames.last_mut() {
            if f.tag_open {
                self.out.push('>');
                f.tag_open = false;
            }
        }
    }

    /// Write the start tags of frame `i` and its unwritten ancestors.
    fn materialize(&mut self, i: usize) {
        if self.frames.get(i).is_none_or(|f| f.materialized) {
            return;
        }
        if i > 0 {
            self.materialize(i - 1);
        }
        let track = !self.by_path.is_empty();
        // In the parent: preserved children that come before this one, then count it.
        if i > 0 {
            let known = self.frames.get(i - 1).map_or(0, |p| p.known);
            self.flush_items_of(i - 1, known);
            if let Some(p) = self.frames.get_mut(i - 1) {
                if p.tag_open {
                    self.out.push('>');
                    p.tag_open = false;
                }
                p.known += 1;
                p.has_element_children = true;
            }
        }
        let pos = if track && i > 0 {
            let (ns, local) = match self.frames.get(i) {
                Some(f) => (f.name.ns.clone(), f.name.local.clone()),
                None => return,
            };
            let Some(p) = self.frames.get_mut(i - 1) else {
                return;
            };
            match p
                .counts
                .iter_mut()
                .find(|(n, l, _)| *n == ns && *l == local)
            {
                Some(c) => {
                    c.2 += 1;
                    c.2
                }
                None => {
                    p.counts.push((ns, local, 1));
                    1
                }
            }
        } else {
            1
        };
        let path_len = self.path.len();
        if track {
            let Some(f) = self.frames.get(i) else { return };
            self.path.push('/');
            push_canonical(&mut self.path, &f.name.ns, &f.name.local);
            if i > 0 {
                self.path.push('[');
                self.path.push_str(&pos.to_string());
                self.path.push(']');
            }
        }
        let parent_has_text = i > 0 && self.frames.get(i - 1).is_some_and(|p| p.has_text);
        if self.opts.indent && i > 0 && !parent_has_text {
            newline(&mut self.out, i);
        }
        let Some(f) = self.frames.get_mut(i) else {
            return;
        };
        f.materialized = true;
        f.tag_open = true;
        f.path_len = path_len;
        self.out.push('<');
        push_qname(&mut self.out, &f.name);
        if i == 0 {
            for (p, u) in &self.opts.root_namespaces {
                self.out
                    .push_str(if p.is_empty() { " xmlns" } else { " xmlns:" });
                self.out.push_str(p);
                self.out.push_str("=\"");
                escape_attr(&mut self.out, u);
                self.out.push('"');
            }
        }
        let attrs = std::mem::take(&mut f.attrs);
        let extra: Vec<&Attribute> = if track {
            self.by_path
                .get(self.path.as_str())
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|it| match it {
                            PreservedItem::Attribute(a)
                                if !attrs.iter().any(|x| x.name == a.name) =>
                            {
                                Some(a)
                            }
                            _ => None,
                        })
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        for a in attrs.iter().chain(extra) {
            self.out.push(' ');
            if !a.name.ns.is_empty() {
                // Namespaced attributes only come from preserved content;
                // declare their namespace locally.
                let prefix = if a.name.prefix.is_empty() {
                    "ns0"
                } else {
                    &a.name.prefix
                };
                self.out.push_str("xmlns:");
                self.out.push_str(prefix);
                self.out.push_str("=\"");
                escape_attr(&mut self.out, &a.name.ns);
                self.out.push_str("\" ");
                self.out.push_str(prefix);
                self.out.push(':');
            }
            self.out.push_str(&a.name.local);
            self.out.push_str("=\"");
            escape_attr(&mut self.out, &a.value);
            self.out.push('"');
        }
    }

    /// Write preserved children of the top frame with anchor <= `upto`.
    fn flush_items(&mut self, upto: u32) {
        let i = self.frames.len().saturating_sub(1);
        self.flush_items_of(i, upto);
    }

    fn flush_items_of(&mut self, i: usize, upto: u32) {
        if self.by_path.is_empty() {
            return;
        }
        let Some(f) = self.frames.get(i) else { return };
        if !f.materialized {
            return;
        }
        // The frame's own path is the current path only when it is the
        // deepest materialized frame; compute it from its stored length.
        let end = self
            .frames
            .get(i + 1)
            .filter(|c| c.materialized)
            .map_or(self.path.len(), |c| c.path_len);
        let Some(path) = self.path.get(..end) else {
            return;
        };
        let Some(items) = self.by_path.get(path) else {
            return;
        };
        let mut next = f.next_item;
        let mut written = Vec::new();
        while let Some(item) = items.get(next) {
            match item {
                PreservedItem::Child { anchor, node } if *anchor <= upto => written.push(node),
                PreservedItem::Child { .. } => break,
                PreservedItem::Attribute(_) => {}
            }
            next += 1;
        }
        let mut in_text = false;
        if let Some(f) = self.frames.get_mut(i) {
            f.next_item = next;
            if written.iter().any(|n| matches!(n, Node::Text(_))) {
                f.has_text = true;
            }
            in_text = f.has_text;
            if !written.is_empty() {
                if f.tag_open {
                    self.out.push('>');
                    f.tag_open = false;
                }
                if written
                    .iter()
                    .any(|n| matches!(n, Node::Element(_) | Node::Comment(_)))
                {
                    f.has_element_children = true;
                }
            }
        }
        for node in written {
            let indent = self.opts.indent && !in_text;
            if indent {
                newline(&mut self.out, i + 1);
            }
            write_node(&mut self.out, node, i + 1, self.opts.indent, &self.scope);
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn push_qname(out: &mut String, name: &QName) {
    if !name.prefix.is_empty() {
        out.push_str(&name.prefix);
        out.push(':');
    }
    out.push_str(&name.local);
}
