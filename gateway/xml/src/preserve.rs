//! Collect what a reader did not understand (see `gateway_model::preserved`
//! for the scheme); [`crate::stream::StreamWriter`] puts it back.

use gateway_model::preserved::{Preserved, PreservedEntry, PreservedItem};
use std::borrow::Cow;

use gateway_model::xml::{Attribute, QName};
use gateway_model::Syntax;

use crate::names::push_canonical;
use crate::tracker::Tracker;
use crate::tree::{NodeId, NodeKind};

/// Everything under understood elements that was not itself understood.
///
/// An understood element that carries no content (no understood text or
/// attribute anywhere below it) is preserved verbatim instead: writers never
/// emit empty elements from the model (see [`crate::stream`]), so this keeps
/// the two sides symmetric.
pub fn collect(t: &Tracker<'_>, syntax: Syntax) -> Preserved {
    let doc = t.doc();
    let root = doc.root();
    let n = doc.len();
    let idx = |i: usize| NodeId(u32::try_from(i).unwrap_or(u32::MAX));
    // Pass 1 (children before parents): which understood nodes carry content.
    let mut content = vec![false; n];
    for i in (1..n).rev() {
        let id = idx(i);
        if !t.is_used(id) {
            continue;
        }
        let own = match doc.kind(id) {
            NodeKind::Text => true,
            NodeKind::Element => doc.attr_range(id).any(|a| t.is_attr_used(a)),
            _ => false,
        };
        let has = own || content.get(i).copied().unwrap_or(false);
        if let Some(c) = content.get_mut(i) {
            *c = has;
        }
        if has {
            if let Some(c) = doc.parent(id).and_then(|p| content.get_mut(p.0 as usize)) {
                *c = true;
            }
        }
    }
    if let Some(c) = content.get_mut(root.0 as usize) {
        *c = true;
    }
    let t = Effective { t, content };
    // Pass 2: which understood elements have something to preserve below them,
    // so that paths are only built where needed.
    let mut needs = vec![false; n];
    for i in (1..n).rev() {
        let id = idx(i);
        let Some(parent) = doc.parent(id) else {
            continue;
        };
        let mut mark_parent = false;
        if t.is_used(id) {
            let own =
                doc.kind(id) == NodeKind::Element && doc.attr_range(id).any(|a| !t.is_attr_used(a));
            if own {
                if let Some(x) = needs.get_mut(i) {
                    *x = true;
                }
            }
            mark_parent = needs.get(i).copied().unwrap_or(false);
        } else if t.is_used(parent) {
            mark_parent = match doc.kind(id) {
                NodeKind::Text => doc.elements(parent).next().is_some(),
                _ => true,
            };
        }
        if mark_parent {
            if let Some(x) = needs.get_mut(parent.0 as usize) {
                *x = true;
            }
        }
    }
    let mut entries = Vec::new();
    if needs.get(root.0 as usize).copied().unwrap_or(false) {
        let mut path = String::from("/");
        let nm = doc.name(root);
        push_canonical(&mut path, nm.ns, nm.local);
        walk(&t, &needs, root, &mut path, &mut entries);
    }
    // Canonical order (by path, stable within a path): a source whose
    // elements are out of schema order is written in schema order, and
    // reading that back must give the same entries.
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Preserved {
        syntax: Some(syntax),
        entries,
    }
}

/// Tracker view where contentless elements count as not understood.
struct Effective<'a, 'd> {
    t: &'a Tracker<'d>,
    content: Vec<bool>,
}

impl<'d> Effective<'_, 'd> {
    fn doc(&self) -> &'d crate::Document {
        self.t.doc()
    }
    fn is_used(&self, id: NodeId) -> bool {
        self.t.is_used(id) && self.content.get(id.0 as usize).copied().unwrap_or(false)
    }
    fn is_attr_used(&self, idx: usize) -> bool {
        self.t.is_attr_used(idx)
    }
}

fn walk(
    t: &Effective<'_, '_>,
    needs: &[bool],
    id: NodeId,
    path: &mut String,
    out: &mut Vec<PreservedEntry>,
) {
    let doc = t.doc();
    for (idx, name, value) in doc.attrs(id) {
        if !t.is_attr_used(idx) {
            out.push(PreservedEntry {
                path: path.clone(),
                item: PreservedItem::Attribute(Attribute {
                    name: QName {
                        ns: Cow::Owned(name.ns.to_string()),
                        prefix: Cow::Owned(name.prefix.to_string()),
                        local: Cow::Owned(name.local.to_string()),
                    },
                    value: value.to_string(),
                }),
            });
        }
    }
    let mut known = 0u32;
    let has_elements = doc.elements(id).next().is_some();
    // Positions among understood same-named siblings, counted as we go
    // (a rescan per child would be quadratic on hostile input).
    let mut seen: std::collections::HashMap<(&str, &str), u32> = std::collections::HashMap::new();
    for c in doc.children(id) {
        let used = t.is_used(c);
        match doc.kind(c) {
            NodeKind::Element if used => {
                known += 1;
                let n = doc.name(c);
                let pos = {
                    let e = seen.entry((n.ns, n.local)).or_insert(0);
                    *e += 1;
                    *e
                };
                if !needs.get(c.0 as usize).copied().unwrap_or(false) {
                    continue;
                }
                let len = path.len();
                path.push('/');
                push_canonical(path, n.ns, n.local);
                path.push_str(&format!("[{pos}]"));
                walk(t, needs, c, path, out);
                path.truncate(len);
            }
            // Text of an understood leaf is in the model; stray text next to
            // understood elements is kept.
            NodeKind::Text if used || !has_elements => {}
            _ => out.push(PreservedEntry {
                path: path.clone(),
                item: PreservedItem::Child {
                    anchor: known,
                    node: doc.to_node(c),
                },
            }),
        }
    }
}

/// A `keep` predicate that keeps nothing.
pub fn keep_none(_: &str, _: &str) -> bool {
    false
}
