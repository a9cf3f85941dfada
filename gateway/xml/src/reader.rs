//! One streaming quick-xml pass that builds a [`Document`] under [`Limits`].

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

use crate::encoding::{check_declared, decode, Detected};
use crate::error::{XmlError, XmlErrorKind};
use crate::limits::Limits;
use crate::names::{known_slot, local_key, ns_seed, NO_SLOT};
use crate::tree::{AttrData, Document, Name, NameData, NodeData, NodeKind, NIL};

mod fast;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const CACHE_SIZE: usize = 256;

/// O(1) cache index from the length and three bytes of the name: a
/// collision only costs a cache miss.
fn cache_slot(qname: &str, is_attr: bool) -> usize {
    let b = qname.as_bytes();
    let at = |i: usize| usize::from(b.get(i).copied().unwrap_or(0));
    let h = b.len().wrapping_mul(31)
        ^ at(b.len().wrapping_sub(1)).wrapping_mul(131)
        ^ at(b.len() / 2).wrapping_mul(17)
        ^ at(b.len().wrapping_sub(3)).wrapping_mul(7)
        ^ usize::from(is_attr);
    h % CACHE_SIZE
}

/// Parse bytes into a document.
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Document, XmlError> {
    parse_with(bytes, limits, true)
}

/// [`parse`] with quick-xml alone, without the fast reader: the reference
/// the fast reader is tested against (same tree, same errors).
#[doc(hidden)]
pub fn parse_reference(bytes: &[u8], limits: &Limits) -> Result<Document, XmlError> {
    parse_with(bytes, limits, false)
}

fn parse_with(bytes: &[u8], limits: &Limits, try_fast: bool) -> Result<Document, XmlError> {
    let max = limits.max_bytes.min(i32::MAX as usize);
    if bytes.len() > max {
        return Err(XmlError {
            line: 1,
            column: 1,
            kind: XmlErrorKind::TooLarge(bytes.len(), max),
        });
    }
    let (text, detected) = decode(bytes).map_err(|(off, kind)| {
        let (line, column) = position_in_bytes(bytes, off);
        XmlError { line, column, kind }
    })?;
    // The fast reader takes the common case; anything it does not read
    // (or any error) is read again by quick-xml, which reports it.
    let mut b = Builder::new(&text, detected, limits);
    let read = match if try_fast {
        fast::run(&mut b)
    } else {
        Err(fast::Fallback)
    } {
        Ok(()) => Ok(()),
        Err(fast::Fallback) => {
            b = Builder::new(&text, detected, limits);
            b.run()
        }
    };
    match read {
        Ok(()) => {
            let mut doc = b.doc;
            // One vectorised pass for the line index; columns are derived
            // from it on demand.
            doc.line_starts = std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| clamp(i + 1)))
                .collect();
            Ok(doc)
        }
        Err((off, kind)) => {
            let (line, column) = b.position(off);
            Err(XmlError { line, column, kind })
        }
    }
}

/// Line/column of a byte offset in raw (possibly invalid) input.
fn position_in_bytes(bytes: &[u8], off: usize) -> (u32, u32) {
    let head = bytes.get(..off).unwrap_or(bytes);
    let line = head.iter().filter(|&&b| b == b'\n').count() + 1;
    let last_nl = head.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = head
        .get(last_nl..)
        .unwrap_or(&[])
        .iter()
        .filter(|&&b| b & 0xC0 != 0x80)
        .count()
        + 1;
    (clamp(line), clamp(col))
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

type Fail = (usize, XmlErrorKind);

struct Open {
    id: u32,
    last_child: u32,
    ns_mark: usize,
    has_children: bool,
}

struct Builder<'a> {
    src: &'a str,
    detected: Detected,
    limits: &'a Limits,
    doc: Document,
    /// Namespace bindings in scope: (prefix, namespace id).
    bindings: Vec<(Box<str>, u32)>,
    ns_ids: HashMap<String, u32>,
    stack: Vec<Open>,
    /// Interning table: qname -> [(namespace id, name id)].
    /// Keyed by a randomly seeded hash of (namespace id, qname), so interning
    /// allocates nothing per name; `collisions` holds the (practically never
    /// used) overflow.
    intern: HashMap<u64, u32, std::hash::BuildHasherDefault<Prehashed>>,
    collisions: Vec<u32>,
    /// Random seed: names from strangers cannot be crafted to collide.
    hasher: foldhash::fast::RandomState,
    /// Direct-mapped cache of recent lookups (name id, is attribute, binding
    /// generation); only a cache, so a weak hash is fine.
    cache: Vec<Option<(u32, bool, u64)>>,
    /// Incremented whenever the namespace bindings change.
    generation: u64,
    /// Text being collected for the next text node: (start in `doc.text`,
    /// position of its first piece, whether it is whitespace only so far).
    pending: Option<(usize, usize, bool)>,
    /// Whitespace-only text seen but not yet copied (see `run`).
    pending_ws: Option<(&'a str, usize)>,
    seen_root: bool,
    root_closed: bool,
    /// Scratch for `start`: the current element's attribute names, and per
    /// attribute (name start, name length, value range in `doc.text`).
    attr_keys: String,
    attr_plain: Vec<(usize, usize, (u32, u32))>,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str, detected: Detected, limits: &'a Limits) -> Self {
        let mut doc = Document::default();
        doc.nodes.push(NodeData {
            kind: NodeKind::Document,
            name: 0,
            key: 0,
            parent: NIL,
            first_child: NIL,
            next_sibling: NIL,
            range: (0, 0),
            offset: 0,
        });
        doc.root = NIL;
        doc.ns_list = vec![String::new(), XML_NS.to_string()];
        doc.ns_seeds = vec![ns_seed(""), ns_seed(XML_NS)];
        doc.ns_slots = vec![known_slot(""), known_slot(XML_NS)];
        // "No namespace" is id 0 (see `Document::known_ns`).
        doc.known_ns[0] = 1;
        // Typical invoices: ~40 bytes of markup per node, ~1/3 text.
        // Over-reserving is cheap: untouched pages are never resident.
        doc.nodes
            .reserve((src.len() / 12).min(limits.max_nodes) + 1);
        doc.text.reserve(src.len() / 3);
        doc.attrs.reserve(src.len() / 400);
        // An invoice uses about 80 distinct names.
        doc.names.reserve(128);
        doc.name_text.reserve(2048);
        Builder {
            src,
            detected,
            limits,
            doc,
            bindings: vec![("xml".into(), 1)],
            ns_ids: HashMap::default(),
            stack: vec![Open {
                id: 0,
                last_child: NIL,
                ns_mark: 1,
                has_children: false,
            }],
            intern: HashMap::with_capacity_and_hasher(128, Default::default()),
            collisions: Vec::new(),
            hasher: foldhash::fast::RandomState::default(),
            cache: vec![None; CACHE_SIZE],
            generation: 0,
            pending: None,
            pending_ws: None,
            seen_root: false,
            root_closed: false,
            attr_keys: String::new(),
            attr_plain: Vec::new(),
        }
    }

    /// Line/column (in characters) of an offset, for errors.
    fn position(&self, off: usize) -> (u32, u32) {
        position_in_bytes(self.src.as_bytes(), off.min(self.src.len()))
    }

    fn run(&mut self) -> Result<(), Fail> {
        let src = self.src;
        let mut reader = quick_xml::Reader::from_str(src);
        {
            let cfg = reader.config_mut();
            cfg.check_end_names = true;
            cfg.check_comments = true;
            cfg.expand_empty_elements = false;
            cfg.trim_text(false);
        }
        let mut first = true;
        let has_cr = memchr::memchr(b'\r', src.as_bytes()).is_some();
        loop {
            let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let ev = reader.read_event().map_err(|e| {
                let at = usize::try_from(reader.error_position()).unwrap_or(pos);
                (at, map_qx_error(&e))
            })?;
            let is_decl = matches!(ev, Event::Decl(_));
            if !is_decl && first {
                check_declared(None, self.detected).map_err(|k| (pos, k))?;
            }
            first = false;
            match ev {
                Event::Decl(d) => {
                    let enc = match d.encoding() {
                        Some(Ok(e)) => Some(e.into_owned()),
                        Some(Err(e)) => return Err((pos, XmlErrorKind::Malformed(e.to_string()))),
                        None => None,
                    };
                    check_declared(enc.as_deref(), self.detected).map_err(|k| (pos, k))?;
                }
                Event::DocType(_) => return Err((pos, XmlErrorKind::DocType)),
                Event::Start(e) => {
                    self.flush_text(false)?;
                    self.start(&e, pos, false)?;
                }
                Event::Empty(e) => {
                    self.flush_text(false)?;
                    self.start(&e, pos, true)?;
                }
                Event::End(_) => {
                    self.flush_text(true)?;
                    self.end()?;
                }
                // Line ends are normalised only when the input has a
                // carriage return: most have none, and the per-text scan
                // for one cost more than the whole-document check.
                Event::Text(t) => self.text(
                    if has_cr {
                        t.xml10_content()
                    } else {
                        t.into_inner()
                    },
                    pos,
                )?,
                Event::CData(c) => {
                    let s = c.xml10_content();
                    if self.stack.len() <= 1 {
                        return Err((pos, XmlErrorKind::TextOutsideRoot));
                    }
                    self.push_text(&s, pos)?;
                }
                Event::GeneralRef(r) => {
                    let ch = r
                        .resolve_char_ref()
                        .map_err(|e| (pos, XmlErrorKind::Malformed(e.to_string())))?;
                    let name = r.to_string();
                    let s: String = match (ch, name.as_str()) {
                        (Some(c), _) => c.to_string(),
                        (None, "lt") => "<".into(),
                        (None, "gt") => ">".into(),
                        (None, "amp") => "&".into(),
                        (None, "apos") => "'".into(),
                        (None, "quot") => "\"".into(),
                        (None, _) => return Err((pos, XmlErrorKind::Entity(name))),
                    };
                    self.reference(&s, pos)?;
                }
                Event::Comment(c) => {
                    self.flush_text(false)?;
                    let s = c.xml10_content();
                    self.leaf(NodeKind::Comment, &s, pos)?;
                }
                Event::PI(p) => {
                    self.flush_text(false)?;
                    let s = p.to_string();
                    self.leaf(NodeKind::Pi, &s, pos)?;
                }
                Event::Eof => {
                    if let Some(open) = self.stack.last().filter(|_| self.stack.len() > 1) {
                        let n =
                            self.doc
                                .names
                                .get(self.doc.nodes.get(open.id as usize).map_or(0, |n| n.name)
                                    as usize);
                        let name = n.map_or(String::new(), |d| display_name(self.doc.name_data(d)));
                        return Err((src.len(), XmlErrorKind::Truncated(name)));
                    }
                    if !self.seen_root {
                        return Err((src.len(), XmlErrorKind::NoRoot));
                    }
                    return Ok(());
                }
            }
        }
    }

    fn push_text(&mut self, s: &str, pos: usize) -> Result<(), Fail> {
        if let Some((w, wpos)) = self.pending_ws.take() {
            self.push_text(w, wpos)?;
        }
        let ws = s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
        if self.stack.len() <= 1 {
            if ws {
                return Ok(());
            }
            return Err((pos, XmlErrorKind::TextOutsideRoot));
        }
        let (start, first_pos, ws_so_far) =
            self.pending.unwrap_or((self.doc.text.len(), pos, true));
        if self.doc.text.len() - start + s.len() > self.limits.max_text_len {
            return Err((pos, XmlErrorKind::TextTooLong(self.limits.max_text_len)));
        }
        if self.doc.text.len() + s.len() > i32::MAX as usize {
            return Err((
                pos,
                XmlErrorKind::TooLarge(self.doc.text.len() + s.len(), i32::MAX as usize),
            ));
        }
        // Appended in place: nothing else writes to the buffer until the flush.
        self.doc.text.push_str(s);
        self.pending = Some((start, first_pos, ws_so_far && ws));
        Ok(())
    }

    /// Turn pending text into a node. Whitespace-only text is dropped unless
    /// it is the only content of an element that is being closed (then it is
    /// the element's value).
    fn flush_text(&mut self, closing: bool) -> Result<(), Fail> {
        if let Some((w, wpos)) = self.pending_ws.take() {
            // Kept only as the whole value of an element being closed.
            if closing && self.stack.last().is_some_and(|o| !o.has_children) {
                self.push_text(w, wpos)?;
            } else {
                return Ok(());
            }
        }
        let Some((start, pos, ws_only)) = self.pending.take() else {
            return Ok(());
        };
        let keep = !ws_only || (closing && self.stack.last().is_some_and(|o| !o.has_children));
        if !keep {
            self.doc.text.truncate(start);
            return Ok(());
        }
        // Text nodes carry no position (their element has one), which saves
        // a third of the position bookkeeping.
        let text = (clamp(start), clamp(self.doc.text.len() - start));
        self.new_node(
            NodeData {
                kind: NodeKind::Text,
                name: 0,
                key: 0,
                parent: NIL,
                first_child: NIL,
                next_sibling: NIL,
                range: text,
                offset: clamp(pos),
            },
            pos,
        )?;
        Ok(())
    }

    fn push_buf(&mut self, s: &str, pos: usize) -> Result<(u32, u32), Fail> {
        let start = self.doc.text.len();
        if start + s.len() > i32::MAX as usize {
            return Err((
                pos,
                XmlErrorKind::TooLarge(start + s.len(), i32::MAX as usize),
            ));
        }
        self.doc.text.push_str(s);
        Ok((clamp(start), clamp(s.len())))
    }

    fn new_node(&mut self, mut data: NodeData, pos: usize) -> Result<u32, Fail> {
        if self.doc.nodes.len() >= self.limits.max_nodes {
            return Err((pos, XmlErrorKind::TooManyNodes(self.limits.max_nodes)));
        }
        let id = clamp(self.doc.nodes.len());
        let parent = self.stack.last_mut().ok_or((pos, XmlErrorKind::NoRoot))?;
        data.parent = parent.id;
        if parent.last_child == NIL {
            if let Some(p) = self.doc.nodes.get_mut(parent.id as usize) {
                p.first_child = id;
            }
        } else if let Some(prev) = self.doc.nodes.get_mut(parent.last_child as usize) {
            prev.next_sibling = id;
        }
        parent.last_child = id;
        parent.has_children = true;
        self.doc.nodes.push(data);
        Ok(id)
    }

    fn leaf(&mut self, kind: NodeKind, s: &str, pos: usize) -> Result<(), Fail> {
        if s.len() > self.limits.max_text_len {
            return Err((pos, XmlErrorKind::TextTooLong(self.limits.max_text_len)));
        }
        let text = self.push_buf(s, pos)?;
        self.new_node(
            NodeData {
                kind,
                name: 0,
                key: 0,
                parent: NIL,
                first_child: NIL,
                next_sibling: NIL,
                range: text,
                offset: clamp(pos),
            },
            pos,
        )?;
        Ok(())
    }

    /// A piece of character data (between markup and references).
    fn text(&mut self, t: Cow<'a, str>, pos: usize) -> Result<(), Fail> {
        match t {
            // Whitespace between elements is usually dropped: keep a
            // borrow and copy it only if it turns out to matter.
            Cow::Borrowed(s)
                if self.pending.is_none()
                    && self.pending_ws.is_none()
                    && self.stack.len() > 1
                    && s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n')) =>
            {
                self.pending_ws = Some((s, pos));
                Ok(())
            }
            s => self.push_text(&s, pos),
        }
    }

    /// [`Builder::text`] for a piece that is spaces, tabs and line feeds
    /// only (the fast reader's indentation, already measured).
    fn ws_text(&mut self, s: &'a str, pos: usize) -> Result<(), Fail> {
        if self.pending.is_none() && self.pending_ws.is_none() && self.stack.len() > 1 {
            self.pending_ws = Some((s, pos));
            Ok(())
        } else {
            self.push_text(s, pos)
        }
    }

    /// The replacement text of a character or entity reference.
    fn reference(&mut self, s: &str, pos: usize) -> Result<(), Fail> {
        if self.stack.len() <= 1 {
            return Err((pos, XmlErrorKind::TextOutsideRoot));
        }
        self.push_text(s, pos)
    }

    fn start(&mut self, e: &BytesStart<'_>, pos: usize, empty: bool) -> Result<(), Fail> {
        let qname = e.name();
        let qname: &str = qname.as_ref();
        self.open(qname, pos)?;
        let ns_mark = self.bindings.len();
        // First pass: namespace declarations; the other attributes' names
        // wait for them (their values are stored at once). Their keys go to
        // buffers reused for every element, which saves an allocation per
        // element with attributes.
        let mut keys = std::mem::take(&mut self.attr_keys);
        let mut plain = std::mem::take(&mut self.attr_plain);
        keys.clear();
        plain.clear();
        // Most elements have no attributes: skip the attribute parser then.
        let has_attrs = !e.attributes_raw().trim_ascii_start().is_empty();
        // quick-xml's duplicate check allocates per element; duplicates are
        // found below instead (declarations here, other attributes by
        // expanded name after interning, which includes equal raw names).
        for attr in e
            .attributes()
            .with_checks(false)
            .take(if has_attrs { usize::MAX } else { 0 })
        {
            let attr = attr.map_err(|err| (pos, XmlErrorKind::Malformed(err.to_string())))?;
            let key: &str = attr.key.into_inner();
            self.attr_limits(key, attr.value.len(), plain.len(), ns_mark, pos)?;
            let value = attr
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| (pos, map_qx_error(&err)))?;
            self.attribute(key, &value, ns_mark, &mut keys, &mut plain, pos)?;
        }
        self.finish_start(qname, ns_mark, keys, plain, pos, empty)
    }

    /// Checks before a start tag's attributes: one root, depth, name length.
    fn open(&mut self, qname: &str, pos: usize) -> Result<(), Fail> {
        if self.stack.len() == 1 {
            if self.root_closed {
                return Err((pos, XmlErrorKind::AfterRoot("a second root element".into())));
            }
            self.seen_root = true;
        }
        if self.stack.len() > self.limits.max_depth {
            return Err((pos, XmlErrorKind::TooDeep(self.limits.max_depth)));
        }
        if qname.len() > self.limits.max_name_len {
            return Err((pos, XmlErrorKind::NameTooLong(self.limits.max_name_len)));
        }
        Ok(())
    }

    /// Limits on one attribute (`raw_len`: its value as written), checked
    /// before its value is unescaped.
    fn attr_limits(
        &self,
        key: &str,
        raw_len: usize,
        plain: usize,
        ns_mark: usize,
        pos: usize,
    ) -> Result<(), Fail> {
        if plain + (self.bindings.len() - ns_mark) >= self.limits.max_attributes {
            return Err((
                pos,
                XmlErrorKind::TooManyAttributes(self.limits.max_attributes),
            ));
        }
        if key.len() > self.limits.max_name_len {
            return Err((pos, XmlErrorKind::NameTooLong(self.limits.max_name_len)));
        }
        if raw_len > self.limits.max_text_len {
            return Err((pos, XmlErrorKind::TextTooLong(self.limits.max_text_len)));
        }
        Ok(())
    }

    /// One attribute with its unescaped value: a namespace declaration is
    /// bound at once, another attribute waits in `keys`/`plain`.
    fn attribute(
        &mut self,
        key: &str,
        value: &str,
        ns_mark: usize,
        keys: &mut String,
        plain: &mut Vec<(usize, usize, (u32, u32))>,
        pos: usize,
    ) -> Result<(), Fail> {
        let declared = match key {
            "xmlns" => Some(""),
            _ => key.strip_prefix("xmlns:"),
        };
        if let Some(p) = declared {
            let bound = self.bindings.get(ns_mark..).unwrap_or(&[]);
            if bound.iter().any(|(b, _)| &**b == p) {
                return Err((pos, XmlErrorKind::Malformed("duplicate attribute".into())));
            }
        }
        if key == "xmlns" {
            let id = self.ns_id(value);
            self.bindings.push(("".into(), id));
            self.generation += 1;
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            if value.is_empty() {
                return Err((
                    pos,
                    XmlErrorKind::Malformed(format!("empty namespace for prefix {p:?}")),
                ));
            }
            let id = self.ns_id(value);
            self.bindings.push((p.into(), id));
            self.generation += 1;
        } else {
            let v = self.push_buf(value, pos)?;
            plain.push((keys.len(), key.len(), v));
            keys.push_str(key);
        }
        Ok(())
    }

    /// The element itself, once its attributes are read.
    fn finish_start(
        &mut self,
        qname: &str,
        ns_mark: usize,
        keys: String,
        plain: Vec<(usize, usize, (u32, u32))>,
        pos: usize,
        empty: bool,
    ) -> Result<(), Fail> {
        if self.bindings.len() > self.limits.max_namespaces
            || self.doc.ns_list.len() > self.limits.max_namespaces
        {
            return Err((
                pos,
                XmlErrorKind::TooManyNamespaces(self.limits.max_namespaces),
            ));
        }
        let name = self.intern(qname, false).map_err(|k| (pos, k))?;
        let attr_start = clamp(self.doc.attrs.len());
        for &(start, len, value) in &plain {
            let key = keys.get(start..start + len).unwrap_or("");
            let aname = self.intern(key, true).map_err(|k| (pos, k))?;
            self.doc.attrs.push(AttrData { name: aname, value });
        }
        // Namespaced attributes must be unique by expanded name too.
        let (s, c) = (attr_start as usize, plain.len());
        self.attr_keys = keys;
        self.attr_plain = plain;
        for i in s..s + c {
            for j in i + 1..s + c {
                let (a, b) = (self.doc.attrs.get(i), self.doc.attrs.get(j));
                if let (Some(a), Some(b)) = (a, b) {
                    let (na, nb) = (
                        self.doc.names.get(a.name as usize),
                        self.doc.names.get(b.name as usize),
                    );
                    if let (Some(na), Some(nb)) = (na, nb) {
                        let (na, nb) = (self.doc.name_data(na), self.doc.name_data(nb));
                        if na.ns == nb.ns && na.local == nb.local {
                            return Err((
                                pos,
                                XmlErrorKind::Malformed("duplicate attribute".into()),
                            ));
                        }
                    }
                }
            }
        }
        let id = self.new_node(
            NodeData {
                kind: NodeKind::Element,
                name,
                key: self.doc.names.get(name as usize).map_or(0, |d| d.key),
                parent: NIL,
                first_child: NIL,
                next_sibling: NIL,
                range: (attr_start, clamp(c)),
                offset: clamp(pos),
            },
            pos,
        )?;
        if self.stack.len() == 1 {
            self.doc.root = id;
        }
        if empty {
            if self.bindings.len() != ns_mark {
                self.bindings.truncate(ns_mark);
                self.generation += 1;
            }
            if self.stack.len() == 1 {
                self.root_closed = true;
            }
        } else {
            self.stack.push(Open {
                id,
                last_child: NIL,
                ns_mark,
                has_children: false,
            });
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), Fail> {
        if let Some(open) = self.stack.pop() {
            if self.bindings.len() != open.ns_mark {
                self.bindings.truncate(open.ns_mark);
                self.generation += 1;
            }
        }
        if self.stack.len() == 1 {
            self.root_closed = true;
        }
        Ok(())
    }

    fn resolve(&self, prefix: &str) -> Option<u32> {
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| &**p == prefix)
            .map(|(_, u)| *u)
    }

    /// Id of a namespace URI (allocated on first sight).
    fn ns_id(&mut self, uri: &str) -> u32 {
        if uri.is_empty() {
            return 0;
        }
        if uri == XML_NS {
            return 1;
        }
        if let Some(&id) = self.ns_ids.get(uri) {
            return id;
        }
        let id = clamp(self.doc.ns_list.len());
        self.doc.ns_list.push(uri.to_string());
        self.doc.ns_seeds.push(ns_seed(uri));
        let slot = known_slot(uri);
        self.doc.ns_slots.push(slot);
        if let Some(k) = self.doc.known_ns.get_mut(usize::from(slot)) {
            *k = id + 1;
        }
        self.ns_ids.insert(uri.to_string(), id);
        id
    }

    /// Intern a qualified name, resolving its namespace. Attributes without a
    /// prefix have no namespace.
    fn intern(&mut self, qname: &str, is_attr: bool) -> Result<u32, XmlErrorKind> {
        let slot = cache_slot(qname, is_attr);
        if let Some(&Some((id, a, g))) = self.cache.get(slot) {
            if a == is_attr && g == self.generation && self.qname_of(id) == qname {
                return Ok(id);
            }
        }
        let id = self.intern_slow(qname, is_attr)?;
        if let Some(c) = self.cache.get_mut(slot) {
            *c = Some((id, is_attr, self.generation));
        }
        Ok(id)
    }

    /// The qualified name text of an interned name.
    fn qname_of(&self, id: u32) -> &str {
        self.doc.names.get(id as usize).map_or("", |d| {
            self.doc
                .name_text
                .get(d.start as usize..(d.start as usize + d.len as usize))
                .unwrap_or("")
        })
    }

    fn intern_slow(&mut self, qname: &str, is_attr: bool) -> Result<u32, XmlErrorKind> {
        // A byte scan: `split_once(':')` runs a char searcher per name.
        let (prefix, local) = match qname.bytes().position(|b| b == b':') {
            Some(i) => (
                qname.get(..i).unwrap_or(""),
                qname.get(i + 1..).unwrap_or(""),
            ),
            None => ("", qname),
        };
        if local.is_empty() || local.bytes().any(|b| b == b':') {
            return Err(XmlErrorKind::Malformed(format!("invalid name {qname:?}")));
        }
        let ns = if is_attr && prefix.is_empty() {
            0
        } else {
            match self.resolve(prefix) {
                Some(u) => u,
                None if prefix.is_empty() => 0,
                None => return Err(XmlErrorKind::UnboundPrefix(prefix.to_string())),
            }
        };
        let key = std::hash::BuildHasher::hash_one(&self.hasher, (ns, qname));
        let same = |d: &Builder<'_>, id: u32| {
            d.doc.names.get(id as usize).is_some_and(|n| n.ns == ns) && d.qname_of(id) == qname
        };
        let existing = self.intern.get(&key).copied();
        if let Some(id) = existing {
            if same(self, id) {
                return Ok(id);
            }
            if let Some(&id) = self.collisions.iter().find(|&&c| same(self, c)) {
                return Ok(id);
            }
        }
        let id = clamp(self.doc.names.len());
        let seed = self.doc.ns_seeds.get(ns as usize).copied().unwrap_or(0);
        let hash = local_key(seed, local);
        let start = clamp(self.doc.name_text.len());
        self.doc.name_text.push_str(qname);
        self.doc.names.push(NameData {
            ns,
            start,
            len: clamp(qname.len()),
            prefix_len: clamp(prefix.len()),
            key: hash,
            slot: self
                .doc
                .ns_slots
                .get(ns as usize)
                .copied()
                .unwrap_or(NO_SLOT),
        });
        if existing.is_some() {
            self.collisions.push(id);
        } else {
            self.intern.insert(key, id);
        }
        Ok(id)
    }
}

/// Hasher for keys that already are hashes.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed; fold anything else for completeness.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

fn display_name(n: Name<'_>) -> String {
    if n.prefix.is_empty() {
        n.local.to_string()
    } else {
        format!("{}:{}", n.prefix, n.local)
    }
}

fn map_qx_error(e: &quick_xml::Error) -> XmlErrorKind {
    use quick_xml::escape::EscapeError;
    match e {
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => {
            XmlErrorKind::Entity(name.clone())
        }
        quick_xml::Error::Syntax(s) if s.to_string().contains("DOCTYPE") => XmlErrorKind::DocType,
        other => XmlErrorKind::Malformed(other.to_string()),
    }
}
