//! Conformance harness (pure: the caller supplies the bytes): validates every
//! corpus document and compares the fired rule ids with the oracle verdicts
//! of the official stylesheets (`shared/conformance/oracle/<source>.json`).
//!
//! Two measures, both honest about what is not built yet:
//! * per document: the sets of fired fatal and warning ids are equal (and
//!   counts where a unit test states `number`);
//! * per rule id we implement: it fires (with its flag) on exactly the
//!   documents where the oracle has it fire. Ids the oracle fires that we do
//!   not implement are listed, never silently dropped.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use serde_json::Value;

use crate::{implemented_rules, Flag, RuleSet, Selection, Syntax};

/// The oracle sources this harness knows.
pub const SOURCES: [&str; 4] = ["en16931", "en16931-cii", "peppol-bis3-2026.5", "cius-ro"];

/// Fired ids of one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Unique ids fired with flag fatal.
    pub fatal: BTreeSet<String>,
    /// Unique ids fired with flag warning.
    pub warning: BTreeSet<String>,
    /// Firings per id.
    pub counts: BTreeMap<String, u64>,
    /// Exact counts a unit test states (`number="N"`); oracle only.
    pub number: BTreeMap<String, u64>,
}

/// Parses `oracle/<source>.json` into (document key, verdict), in key order.
pub fn parse_oracle(json: &str) -> Result<Vec<(String, Verdict)>, String> {
    let v: Value = serde_json::from_str(json).map_err(|e| format!("oracle JSON: {e}"))?;
    let obj = v.as_object().ok_or("oracle JSON is not an object")?;
    let set = |x: Option<&Value>| -> BTreeSet<String> {
        x.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let map = |x: Option<&Value>| -> BTreeMap<String, u64> {
        x.and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, n)| Some((k.clone(), n.as_u64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out: Vec<(String, Verdict)> = obj
        .iter()
        .map(|(k, r)| {
            let verdict = Verdict {
                fatal: set(r.get("fatal")),
                warning: set(r.get("warning")),
                counts: map(r.get("counts")),
                number: map(r.get("expected").and_then(|e| e.get("number"))),
            };
            (k.clone(), verdict)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The rule set the oracle applied to `key` of `source`.
pub fn rule_set_for(source: &str, key: &str) -> RuleSet {
    match source {
        "peppol-bis3-2026.5" if key.rsplit('/').next().is_some_and(|f| f.starts_with("SB-")) => {
            RuleSet::PeppolSelfBilling
        }
        "peppol-bis3-2026.5" | "peppol-bis3" => RuleSet::Peppol,
        "cius-ro" => RuleSet::CiusRo,
        _ => RuleSet::En16931,
    }
}

/// Per-rule agreement over one source.
#[derive(Clone, Debug, Default)]
pub struct RuleStat {
    /// Documents checked.
    pub total: usize,
    /// Documents where we and the oracle agree on this id.
    pub agree: usize,
    /// Documents where the oracle fires this id (0: agreement is only "never fires").
    pub oracle_fired: usize,
    /// Documents that disagree (first few).
    pub disagree: Vec<String>,
}

/// The outcome for one source.
#[derive(Clone, Debug, Default)]
pub struct SourceSummary {
    /// Source name.
    pub name: String,
    /// Documents in the oracle.
    pub docs: usize,
    /// Documents whose fatal and warning id sets (and stated counts) agree fully.
    pub agree: usize,
    /// Documents where every id the oracle fires is one we implement.
    pub in_scope: usize,
    /// Of those, documents that agree fully.
    pub in_scope_agree: usize,
    /// Documents missing from the corpus or that we could not validate.
    pub errors: Vec<(String, String)>,
    /// Per implemented rule id.
    pub rules: BTreeMap<&'static str, RuleStat>,
    /// Ids fired by the oracle that we do not implement, with document counts.
    pub unimplemented: BTreeMap<String, usize>,
    /// Documents that disagree, with the ids that differ (`+id` only we fire, `-id` only the oracle).
    pub disagreements: Vec<(String, Vec<String>)>,
}

impl SourceSummary {
    /// Implemented rule ids that agree on every document.
    pub fn rules_agreeing(&self) -> usize {
        self.rules.values().filter(|s| s.agree == s.total).count()
    }

    /// Implemented rule ids that agree everywhere and fire on at least one document.
    pub fn rules_agreeing_exercised(&self) -> usize {
        self.rules
            .values()
            .filter(|s| s.agree == s.total && s.oracle_fired > 0)
            .count()
    }
}

fn ours(bytes: &[u8], rules: RuleSet) -> Result<(Syntax, Verdict), String> {
    let limits = gateway_xml::Limits::default();
    let r =
        crate::validate(bytes, Selection::Explicit(rules), &limits).map_err(|e| e.to_string())?;
    let mut v = Verdict::default();
    for f in r.fatal.iter().chain(&r.warning) {
        match f.flag {
            Flag::Fatal => v.fatal.insert(f.id.to_string()),
            Flag::Warning => v.warning.insert(f.id.to_string()),
        };
        *v.counts.entry(f.id.to_string()).or_default() += 1;
    }
    Ok((r.syntax, v))
}

/// The documents of one corpus file (`rel`: its path relative to the suite
/// root): the file itself when it is an invoice, else every document embedded
/// in a VEFA `testSet` file, keyed `rel#n` (n: 1-based position of the
/// `<test>`), re-serialized on its own as the oracle did.
pub fn corpus_documents(rel: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let doc = gateway_xml::parse(bytes, &gateway_xml::Limits::default())
        .map_err(|e| format!("{rel}: {e}"))?;
    let is_invoice = |n| crate::report::identify_node(&doc, n);
    let root = doc.root();
    if is_invoice(root) {
        return Ok(vec![(rel.to_string(), bytes.to_vec())]);
    }
    if doc.name(root).local != "testSet" {
        return Ok(Vec::new());
    }
    let opts = gateway_xml::WriteOptions {
        root_namespaces: Vec::new(),
        indent: false,
    };
    Ok(doc
        .elements(root)
        .filter(|&t| doc.name(t).local == "test")
        .enumerate()
        .filter_map(|(i, t)| {
            let inv = doc.elements(t).find(|&c| is_invoice(c))?;
            let el = doc.to_element(inv);
            Some((
                format!("{rel}#{}", i + 1),
                gateway_xml::write_document(&el, &opts),
            ))
        })
        .collect())
}

/// Runs one source: `oracle` is the parsed oracle, `docs` the corpus bytes by key.
pub fn run_source(
    name: &str,
    oracle: &[(String, Verdict)],
    docs: &HashMap<String, Vec<u8>>,
) -> SourceSummary {
    run_source_with(name, oracle, docs, &mut || {})
}

/// [`run_source`], calling `tick` after each document (progress).
pub fn run_source_with(
    name: &str,
    oracle: &[(String, Verdict)],
    docs: &HashMap<String, Vec<u8>>,
    tick: &mut dyn FnMut(),
) -> SourceSummary {
    let mut s = SourceSummary {
        name: name.to_string(),
        docs: oracle.len(),
        ..SourceSummary::default()
    };
    for (key, want) in oracle {
        tick();
        let Some(bytes) = docs.get(key) else {
            s.errors.push((key.clone(), "not in the corpus".into()));
            continue;
        };
        let rules = rule_set_for(name, key);
        let (syntax, got) = match ours(bytes, rules) {
            Ok(x) => x,
            Err(e) => {
                s.errors.push((key.clone(), e));
                continue;
            }
        };
        let implemented = implemented_rules(rules, syntax);
        let known: BTreeSet<&str> = implemented.iter().map(|r| r.id).collect();
        let mut diff = Vec::new();
        for id in got.fatal.symmetric_difference(&want.fatal) {
            diff.push(format!(
                "{}{id}",
                if got.fatal.contains(id) { "+" } else { "-" }
            ));
        }
        for id in got.warning.symmetric_difference(&want.warning) {
            diff.push(format!(
                "{}{id} (warning)",
                if got.warning.contains(id) { "+" } else { "-" }
            ));
        }
        for (id, n) in &want.number {
            let g = got.counts.get(id).copied().unwrap_or(0);
            if g != *n {
                diff.push(format!("{id}: {g} firings, test states {n}"));
            }
        }
        let in_scope = want
            .fatal
            .iter()
            .chain(&want.warning)
            .all(|id| known.contains(id.as_str()));
        if in_scope {
            s.in_scope += 1;
        }
        for id in want.fatal.iter().chain(&want.warning) {
            if !known.contains(id.as_str()) {
                *s.unimplemented.entry(id.clone()).or_default() += 1;
            }
        }
        for r in &implemented {
            let (g, w) = match r.flag {
                Flag::Fatal => (got.fatal.contains(r.id), want.fatal.contains(r.id)),
                Flag::Warning => (got.warning.contains(r.id), want.warning.contains(r.id)),
            };
            let count_ok = want
                .number
                .get(r.id)
                .is_none_or(|n| got.counts.get(r.id).copied().unwrap_or(0) == *n);
            let st = s.rules.entry(r.id).or_default();
            st.total += 1;
            st.oracle_fired += usize::from(w);
            if g == w && count_ok {
                st.agree += 1;
            } else if st.disagree.len() < 5 {
                st.disagree.push(key.clone());
            }
        }
        if diff.is_empty() {
            s.agree += 1;
            if in_scope {
                s.in_scope_agree += 1;
            }
        } else {
            s.disagreements.push((key.clone(), diff));
        }
    }
    s
}

impl fmt::Display for SourceSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "== {} ==", self.name)?;
        writeln!(
            f,
            "  documents agreeing:            {:>5} / {}",
            self.agree, self.docs
        )?;
        writeln!(
            f,
            "  only implemented rules fired:  {:>5} / {} (agreeing {})",
            self.in_scope, self.docs, self.in_scope_agree
        )?;
        writeln!(
            f,
            "  implemented rule ids agreeing: {:>5} / {} ({} of them fire somewhere in this source)",
            self.rules_agreeing(),
            self.rules.len(),
            self.rules_agreeing_exercised()
        )?;
        for (id, st) in self.rules.iter().filter(|(_, st)| st.agree != st.total) {
            writeln!(
                f,
                "    {id}: {}/{} e.g. {}",
                st.agree,
                st.total,
                st.disagree.join(", ")
            )?;
        }
        for (k, e) in &self.errors {
            writeln!(f, "  error {k}: {e}")?;
        }
        let unimpl: Vec<String> = self
            .unimplemented
            .iter()
            .map(|(k, n)| format!("{k}({n})"))
            .collect();
        writeln!(
            f,
            "  fired by the oracle, not implemented ({}): {}",
            unimpl.len(),
            unimpl.join(" ")
        )?;
        Ok(())
    }
}
