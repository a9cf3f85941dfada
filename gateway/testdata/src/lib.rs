//! The one way tests find shared data.
//!
//! The corpus lives in `shared/` beside the repository (`../shared` from the
//! workspace root, or `GATEWAY_SHARED`), located by `gateway-testkit`; this crate
//! lists its documents. Missing data is a test failure with a clear message,
//! never a silent skip.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use gateway_xml::names::{RSM, UBL_CREDIT_NOTE, UBL_INVOICE};
use gateway_xml::{Document, Limits, NodeId, WriteOptions};

/// The `shared` directory, found by the project's one helper (`gateway_testkit::shared_dir`).
pub fn shared() -> PathBuf {
    gateway_testkit::shared_dir()
}

/// `shared/conformance`.
pub fn conformance() -> PathBuf {
    shared().join("conformance")
}

/// Which syntax a sample is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// UBL Invoice or CreditNote.
    Ubl,
    /// CII CrossIndustryInvoice.
    Cii,
}

/// One document of the corpus.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Path relative to `conformance/`, with `#n` for the n-th test of a unit-test file.
    pub name: String,
    /// The document bytes (embedded documents re-serialized on their own).
    pub bytes: Vec<u8>,
    /// Its syntax.
    pub kind: Kind,
    /// Whether it was embedded in a VEFA `testSet` file.
    pub embedded: bool,
}

fn kind_of(doc: &Document, id: NodeId) -> Option<Kind> {
    if doc.is(id, UBL_INVOICE, "Invoice") || doc.is(id, UBL_CREDIT_NOTE, "CreditNote") {
        Some(Kind::Ubl)
    } else if doc.is(id, RSM, "CrossIndustryInvoice") {
        Some(Kind::Cii)
    } else {
        None
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "xml" | "xm"))
        {
            out.push(p);
        }
    }
}

/// Every UBL and CII document under `conformance/`: standalone files and every
/// document embedded in a VEFA `testSet` file.
pub fn samples() -> Vec<Sample> {
    let root = conformance();
    let mut files = Vec::new();
    walk(&root, &mut files);
    let limits = Limits::default();
    let mut out = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("read {}: {e}", f.display()));
        let doc = match gateway_xml::parse(&bytes, &limits) {
            Ok(d) => d,
            Err(e) => panic!("{rel}: corpus file does not parse: {e}"),
        };
        let r = doc.root();
        if let Some(kind) = kind_of(&doc, r) {
            out.push(Sample {
                name: rel,
                bytes,
                kind,
                embedded: false,
            });
            continue;
        }
        if doc.name(r).local != "testSet" {
            continue;
        }
        let tests = doc.elements(r).filter(|&t| doc.name(t).local == "test");
        for (n, t) in tests.enumerate() {
            let Some((id, kind)) = doc
                .elements(t)
                .find_map(|c| kind_of(&doc, c).map(|k| (c, k)))
            else {
                continue;
            };
            let el = doc.to_element(id);
            let opts = WriteOptions {
                root_namespaces: Vec::new(),
                indent: false,
            };
            out.push(Sample {
                name: format!("{rel}#{}", n + 1),
                bytes: gateway_xml::write_document(&el, &opts),
                kind,
                embedded: true,
            });
        }
    }
    out
}

/// The multiset of element paths with their attributes and text, as sorted
/// strings `path|attr=value,...|text`. Paths use canonical prefixes and no
/// positions, so namespace prefixes, declarations and sibling order among
/// different names do not matter; whitespace-only text is ignored.
pub fn path_values(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = String::new();
    collect(doc, doc.root(), &mut path, &mut out);
    out.sort();
    out
}

fn collect(doc: &Document, id: NodeId, path: &mut String, out: &mut Vec<String>) {
    let len = path.len();
    let n = doc.name(id);
    path.push('/');
    gateway_xml::names::push_canonical(path, n.ns, n.local);
    let mut attrs: Vec<String> = doc
        .attrs(id)
        .map(|(_, a, v)| {
            let mut k = String::new();
            gateway_xml::names::push_canonical(&mut k, a.ns, a.local);
            format!("{k}={v}")
        })
        .collect();
    attrs.sort();
    let text = doc.text(id);
    out.push(format!("{path}|{}|{}", attrs.join(","), text.trim()));
    let kids: Vec<NodeId> = doc.elements(id).collect();
    for c in kids {
        collect(doc, c, path, out);
    }
    path.truncate(len);
}

/// Lines present in `a` but not in `b` (multiset difference), for messages.
pub fn missing(a: &[String], b: &[String]) -> Vec<String> {
    let mut b = b.to_vec();
    let mut out = Vec::new();
    for x in a {
        if let Some(i) = b.iter().position(|y| y == x) {
            b.swap_remove(i);
        } else {
            out.push(x.clone());
        }
    }
    out
}

/// Reads every corpus document of one syntax, writes it back and reads that again: the model
/// must be equal and every element path, attribute and text value kept. Panics with the list of
/// failures; `SHOW=<name part>` prints the two models of matching documents.
pub fn round_trip_corpus<M, E>(
    kind: Kind,
    at_least: usize,
    read: impl Fn(&[u8]) -> Result<(Document, M), E>,
    write: impl Fn(&M) -> Vec<u8>,
) where
    M: PartialEq + std::fmt::Debug,
    E: std::fmt::Display,
{
    let all: Vec<_> = samples().into_iter().filter(|s| s.kind == kind).collect();
    assert!(
        all.len() > at_least,
        "expected the whole {kind:?} corpus, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    let (mut standalone, mut embedded) = (0, 0);
    for s in &all {
        let parsed = match read(&s.bytes) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: parse: {e}", s.name));
                continue;
            }
        };
        let out = write(&parsed.1);
        let again = match read(&out) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: re-parse: {e}", s.name));
                continue;
            }
        };
        if again.1 != parsed.1 {
            let strip = |s: String| {
                s.lines()
                    .filter(|l| {
                        !l.trim_start().starts_with("src:")
                            && !l
                                .trim()
                                .trim_end_matches(',')
                                .chars()
                                .all(|c| c.is_ascii_digit())
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let (a, b) = (
                strip(format!("{:#?}", parsed.1)),
                strip(format!("{:#?}", again.1)),
            );
            if std::env::var("SHOW").is_ok_and(|v| s.name.contains(&v)) {
                eprintln!("{a}\n-----\n{b}\n{}", String::from_utf8_lossy(&out));
            }
            let first = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            let ctx: Vec<_> = a.lines().skip(first.saturating_sub(4)).take(6).collect();
            let ctx2: Vec<_> = b.lines().skip(first.saturating_sub(4)).take(6).collect();
            failures.push(format!(
                "{}: model differs after round trip: {ctx:?} vs {ctx2:?}",
                s.name
            ));
            continue;
        }
        let (a, b) = (path_values(&parsed.0), path_values(&again.0));
        if a != b {
            let lost = missing(&a, &b);
            let added = missing(&b, &a);
            failures.push(format!(
                "{}: paths differ; lost {:?} added {:?}",
                s.name,
                lost.iter().take(3).collect::<Vec<_>>(),
                added.iter().take(3).collect::<Vec<_>>()
            ));
            continue;
        }
        if s.embedded {
            embedded += 1;
        } else {
            standalone += 1;
        }
    }
    eprintln!("{kind:?} round trip: {standalone} standalone + {embedded} embedded documents OK");
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
