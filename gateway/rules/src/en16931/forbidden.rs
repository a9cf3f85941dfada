//! Evaluates the generated table of `not(PATH)` root rules (UBL-CR-*,
//! UBL-DT-08..28) in one walk: the paths are compiled once into a trie, so
//! a document costs one lookup per element the trie can reach, whatever the
//! number of rules (about 700).

use std::sync::LazyLock;

use gateway_xml::names::{Expanded, CAC, CBC, EXT};
use gateway_xml::{Document, Name, NodeId};

use super::forbidden_table::TABLE;
use crate::ctx::Ctx;
use crate::index::Index;

use crate::fnv::FnvMap;

#[derive(Default)]
struct TNode {
    /// Child steps by name key: (name, trie node). Keyed by the name key the
    /// parser computed, so matching a child hashes no string.
    kids: FnvMap<u32, Vec<(Expanded, usize)>>,
    /// Rules (table indexes) whose path ends at this element.
    rules: Vec<usize>,
    /// Rules whose path ends with an attribute of this element.
    attrs: Vec<(&'static str, usize)>,
}

struct Compiled {
    nodes: Vec<TNode>,
    /// Trie root for paths from the document element.
    root: usize,
    /// `//@name` rules.
    any_attr: FnvMap<&'static str, usize>,
    /// First steps of the `//` paths: (name, trie node), few enough that
    /// comparing keys beats a table look-up for every element.
    desc_first: Vec<(Expanded, usize)>,
    /// Bit `key % 64` set for every name in `desc_first`: most elements are
    /// ruled out by one test.
    desc_mask: u64,
}

fn step(s: &'static str) -> Option<Expanded> {
    let (p, l) = s.split_once(':')?;
    let ns = match p {
        "cbc" => CBC,
        "cac" => CAC,
        "ext" => EXT,
        _ => return None,
    };
    Some(Expanded::new(ns, l))
}

fn add(
    nodes: &mut Vec<TNode>,
    from: usize,
    steps: &[&'static str],
    attr: Option<&'static str>,
    rule: usize,
) {
    let Some((first, rest)) = steps.split_first() else {
        match attr {
            Some(a) => nodes[from].attrs.push((a, rule)),
            None => nodes[from].rules.push(rule),
        }
        return;
    };
    // `(a|b)` unions the first step.
    let alts: Vec<&'static str> = first
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split('|')
        .collect();
    for alt in alts {
        let Some(name) = step(alt) else {
            continue;
        };
        let existing = nodes[from]
            .kids
            .get(&name.key)
            .and_then(|v| v.iter().find(|(n, _)| *n == name))
            .map(|x| x.1);
        let next = match existing {
            Some(i) => i,
            None => {
                nodes.push(TNode::default());
                let i = nodes.len() - 1;
                nodes[from]
                    .kids
                    .entry(name.key)
                    .or_default()
                    .push((name, i));
                i
            }
        };
        add(nodes, next, rest, attr, rule);
    }
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let mut nodes = vec![TNode::default(), TNode::default()];
    let mut any_attr = FnvMap::default();
    for (i, (_, path)) in TABLE.iter().enumerate() {
        let (desc, body) = match path.strip_prefix("//") {
            Some(b) => (true, b),
            None => (false, *path),
        };
        let mut parts: Vec<&'static str> = body.split('/').collect();
        let attr = parts.last().and_then(|p| p.strip_prefix('@'));
        if attr.is_some() {
            parts.pop();
        }
        match (desc, parts.is_empty(), attr) {
            (true, true, Some(a)) => {
                any_attr.insert(a, i);
            }
            _ => add(&mut nodes, usize::from(desc), &parts, attr, i),
        }
    }
    let desc_first: Vec<(Expanded, usize)> = nodes[1]
        .kids
        .iter()
        .flat_map(|v| v.1.iter().copied())
        .collect();
    let desc_mask = desc_first
        .iter()
        .fold(0u64, |m, (e, _)| m | 1 << (e.key & 63));
    Compiled {
        nodes,
        root: 0,
        any_attr,
        desc_first,
        desc_mask,
    }
});

fn matches(c: &Compiled, doc: &Document, ix: &Index<'_>, t: usize, n: NodeId) -> Option<usize> {
    let name = ix.name(doc, n);
    c.nodes[t]
        .kids
        .get(&name.key)?
        .iter()
        .find(|(e, _)| name.is(*e))
        .map(|x| x.1)
}

fn hit(c: &Compiled, doc: &Document, ix: &Index<'_>, t: usize, n: NodeId, fired: &mut [bool]) {
    let node = &c.nodes[t];
    for &r in &node.rules {
        if let Some(f) = fired.get_mut(r) {
            *f = true;
        }
    }
    for &(a, r) in &node.attrs {
        if doc.attr(n, a).is_some() {
            if let Some(f) = fired.get_mut(r) {
                *f = true;
            }
        }
    }
    if !node.kids.is_empty() {
        for k in doc.elements(n) {
            if let Some(t2) = matches(c, doc, ix, t, k) {
                hit(c, doc, ix, t2, k, fired);
            }
        }
    }
}

/// The table rules over one document: the `//` paths are matched as the
/// engine's walk passes each element; the root paths at the end.
pub(crate) struct Scan {
    fired: Vec<bool>,
}

impl Scan {
    pub(crate) fn new() -> Scan {
        Scan {
            fired: vec![false; TABLE.len()],
        }
    }

    /// The `//a/...` paths and `//@name` at element `n`.
    pub(crate) fn element(&mut self, doc: &Document, ix: &Index<'_>, n: NodeId, name: Name<'_>) {
        let c = &*COMPILED;
        if c.desc_mask & (1 << (name.key & 63)) != 0 {
            if let Some(&(_, t)) = c.desc_first.iter().find(|(e, _)| name.is(*e)) {
                hit(c, doc, ix, t, n, &mut self.fired);
            }
        }
        for (_, a, _) in doc.attrs(n) {
            if a.ns.is_empty() {
                if let Some(&r) = c.any_attr.get(a.local) {
                    if let Some(f) = self.fired.get_mut(r) {
                        *f = true;
                    }
                }
            }
        }
    }

    /// The root paths, then every table rule fires once on the root.
    pub(crate) fn finish(mut self, ctx: &mut Ctx<'_>) {
        let c = &*COMPILED;
        let (doc, ix) = (ctx.doc, ctx.ix);
        let root = doc.root();
        for k in doc.elements(root) {
            if let Some(t) = matches(c, doc, ix, c.root, k) {
                hit(c, doc, ix, t, k, &mut self.fired);
            }
        }
        for (i, (rule, _)) in TABLE.iter().enumerate() {
            ctx.check(rule, root, !self.fired.get(i).copied().unwrap_or(false));
        }
    }
}
