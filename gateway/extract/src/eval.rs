//! Scoring extractions against ground truth: per-field precision and
//! recall, the straight-through rate (no review, every key field right) and
//! the critical error rate (a wrong value accepted without review).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::fields::{labels::LEGAL_FORMS, values::parse_number, Field, LineItem};
use crate::text::fold;
use crate::Extraction;

/// The fields the acceptance criteria name, with their meaning.
pub const KEY_FIELDS: &[(&str, &str)] = &[
    ("BT-1", "invoice number"),
    ("BT-2", "issue date"),
    ("BT-9", "due date"),
    ("BT-27", "seller name"),
    ("BT-31", "seller VAT id"),
    ("BT-44", "buyer name"),
    ("BT-5", "currency"),
    ("BT-109", "net total"),
    ("BT-110", "VAT total"),
    ("BT-115", "amount due"),
    ("BT-84", "IBAN"),
];

/// The line fields scored (BG-25), with their meaning.
pub const LINE_FIELDS: &[(&str, &str)] = &[
    ("BT-153", "item name"),
    ("BT-129", "quantity"),
    ("BT-146", "net price"),
    ("BT-131", "line amount"),
];

/// Accepted values per business term (a term may legitimately have
/// several, e.g. two payment accounts), and the invoice lines when the
/// truth has them (`None`: unknown, not scored).
#[derive(Clone, Debug, Default)]
pub struct Truth(
    pub BTreeMap<String, Vec<String>>,
    pub Option<Vec<BTreeMap<String, String>>>,
);

impl Truth {
    /// From the corpus's ground-truth JSON (`BT-1`, `BG-4.name`, ...).
    pub fn from_json(v: &serde_json::Value) -> Truth {
        let mut t = BTreeMap::new();
        let vals = |x: Option<&serde_json::Value>| -> Vec<String> {
            match x {
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .filter_map(|e| e.as_str().map(str::to_string))
                    .collect(),
                Some(serde_json::Value::Number(n)) => vec![n.to_string()],
                _ => Vec::new(),
            }
        };
        for (id, path) in [
            ("BT-1", "/BT-1"),
            ("BT-2", "/BT-2"),
            ("BT-9", "/BT-9"),
            ("BT-5", "/BT-5"),
            ("BT-27", "/BG-4/name"),
            ("BT-31", "/BG-4/vat_identifier"),
            ("BT-44", "/BG-7/name"),
            ("BT-109", "/BT-109"),
            ("BT-110", "/BT-110"),
            ("BT-115", "/BT-115"),
            ("BT-84", "/BT-84"),
        ] {
            let v = vals(v.pointer(path));
            if !v.is_empty() {
                t.insert(id.to_string(), v);
            }
        }
        let lines = v.get("BG-25").and_then(|l| l.as_array()).map(|ls| {
            ls.iter()
                .map(|l| {
                    l.as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .collect()
        });
        Truth(t, lines)
    }

    /// From fields and lines of a trusted extraction (the embedded XML).
    pub fn from_fields(f: &BTreeMap<String, Field>, lines: &[LineItem]) -> Truth {
        Truth(
            KEY_FIELDS
                .iter()
                .filter_map(|(id, _)| f.get(*id).map(|x| (id.to_string(), vec![x.value.clone()])))
                .collect(),
            Some(
                lines
                    .iter()
                    .map(|l| {
                        l.fields
                            .iter()
                            .map(|(k, v)| (k.clone(), v.value.clone()))
                            .collect()
                    })
                    .collect(),
            ),
        )
    }
}

fn compact_upper(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

fn strip_legal_form(folded: &str) -> &str {
    for lf in LEGAL_FORMS {
        if let Some(s) = folded.strip_suffix(lf) {
            if let Some(s) = s.strip_suffix(' ') {
                return s;
            }
        }
    }
    folded
}

/// Whether a predicted value is right for a term. Names compare folded
/// (case, accents, punctuation), without a trailing legal form, and a
/// multi-line name in the truth also matches its last line (salutation or
/// identifier lines above the name).
pub fn matches(id: &str, pred: &str, truth: &str) -> bool {
    match id {
        "BT-109" | "BT-110" | "BT-112" | "BT-115" | "BT-106" | "BT-129" | "BT-131" | "BT-146" => {
            let p: Option<Decimal> = pred.parse().ok();
            let t: Option<Decimal> = truth.trim().parse().ok().or_else(|| parse_number(truth));
            p.is_some() && p == t
        }
        "BT-27" | "BT-44" => {
            let p = fold(pred);
            let lines: Vec<&str> = truth.lines().filter(|l| !l.trim().is_empty()).collect();
            let whole = fold(truth);
            let last = lines.last().map(|l| fold(l)).unwrap_or_default();
            p == whole
                || strip_legal_form(&p) == strip_legal_form(&whole)
                || (lines.len() > 1
                    && (p == last || strip_legal_form(&p) == strip_legal_form(&last)))
        }
        "BT-1" | "BT-5" | "BT-31" | "BT-84" => compact_upper(pred) == compact_upper(truth),
        // Item names compare folded, spaces aside (OCR splits and joins words).
        "BT-153" => {
            let squeeze = |s: &str| fold(s).replace(' ', "");
            // A name over several lines in the truth also matches one of them.
            squeeze(pred) == squeeze(truth)
                || (truth.contains('\n') && truth.lines().any(|l| squeeze(pred) == squeeze(l)))
        }
        _ => pred.trim() == truth.trim(),
    }
}

/// Outcome of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Right value.
    Correct,
    /// A value differing from the truth.
    Wrong,
    /// No value, the truth has one.
    Missed,
    /// A value, the truth has none.
    Spurious,
}

/// Scores of one document.
#[derive(Clone, Debug, Serialize)]
pub struct DocScore {
    /// The file.
    pub file: String,
    /// Where the fields came from.
    pub source: &'static str,
    /// Sent to review.
    pub needs_review: bool,
    /// Outcome per key field (fields absent on both sides are left out).
    pub fields: BTreeMap<String, Outcome>,
    /// No review and every key field right.
    pub straight_through: bool,
    /// Wrong values accepted without review.
    pub critical_errors: usize,
    /// Invoice lines, when the truth has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<LineScore>,
}

/// Scores of one document's lines.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LineScore {
    /// Lines in the truth.
    pub expected: usize,
    /// Lines read.
    pub found: usize,
    /// Outcomes per line field over the aligned lines.
    pub fields: BTreeMap<String, LineFieldCount>,
}

/// Counts of one line field in one document or a corpus.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct LineFieldCount {
    /// Right values.
    pub correct: usize,
    /// Wrong values.
    pub wrong: usize,
    /// Wrong values with a confidence at or above the review threshold.
    pub wrong_confident: usize,
    /// Values missing (or their line missing).
    pub missed: usize,
    /// Values where the truth has none (or no such line).
    pub spurious: usize,
}

/// Align predicted lines to true lines in order (most matching fields),
/// then count per field.
pub fn score_lines(
    truth: &[BTreeMap<String, String>],
    pred: &[LineItem],
    threshold: f32,
) -> LineScore {
    let right = |p: &LineItem, t: &BTreeMap<String, String>, id: &str| matches!((p.fields.get(id), t.get(id)), (Some(p), Some(t)) if matches(id, &p.value, t));
    let sim = |p: &LineItem, t: &BTreeMap<String, String>| {
        LINE_FIELDS.iter().filter(|(id, _)| right(p, t, id)).count()
    };
    // Longest common subsequence weighted by matching fields.
    let (n, m) = (pred.len(), truth.len());
    let mut dp = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let s = sim(&pred[i], &truth[j]);
            let take = if s > 0 { s + dp[i + 1][j + 1] } else { 0 };
            dp[i][j] = take.max(dp[i + 1][j]).max(dp[i][j + 1]);
        }
    }
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        let s = sim(&pred[i], &truth[j]);
        if s > 0 && dp[i][j] == s + dp[i + 1][j + 1] {
            pairs.push((Some(i), Some(j)));
            i += 1;
            j += 1;
        } else if dp[i + 1][j] >= dp[i][j + 1] {
            pairs.push((Some(i), None));
            i += 1;
        } else {
            pairs.push((None, Some(j)));
            j += 1;
        }
    }
    pairs.extend((i..n).map(|i| (Some(i), None)));
    pairs.extend((j..m).map(|j| (None, Some(j))));
    // With as many lines read as true, unmatched lines in the same place
    // pair up (their fields are wrong, not missing and spurious).
    let mut fields: BTreeMap<String, LineFieldCount> = BTreeMap::new();
    for (p, t) in pairs {
        for (id, _) in LINE_FIELDS {
            let c = fields.entry(id.to_string()).or_default();
            let pv = p.and_then(|i| pred[i].fields.get(*id));
            let tv = t.and_then(|j| truth[j].get(*id));
            match (pv, tv) {
                (Some(pv), Some(tv)) if matches(id, &pv.value, tv) => c.correct += 1,
                (Some(pv), Some(_)) => {
                    c.wrong += 1;
                    if pv.confidence >= threshold {
                        c.wrong_confident += 1;
                    }
                }
                (None, Some(_)) => c.missed += 1,
                (Some(_), None) => c.spurious += 1,
                (None, None) => {}
            }
        }
    }
    LineScore {
        expected: m,
        found: n,
        fields,
    }
}

/// Score one extraction.
pub fn score(file: &str, truth: &Truth, x: &Extraction) -> DocScore {
    let mut fields = BTreeMap::new();
    for (id, _) in KEY_FIELDS {
        let pred = x.fields.get(*id).map(|f| f.value.as_str());
        let t = truth.0.get(*id);
        let outcome = match (pred, t) {
            (Some(p), Some(t)) if t.iter().any(|t| matches(id, p, t)) => Outcome::Correct,
            (Some(_), Some(_)) => Outcome::Wrong,
            (None, Some(_)) => Outcome::Missed,
            (Some(_), None) => Outcome::Spurious,
            (None, None) => continue,
        };
        fields.insert(id.to_string(), outcome);
    }
    let all_right = fields.values().all(|o| *o == Outcome::Correct);
    // A value where the truth is silent (an optional term the embedded XML
    // of a MINIMUM profile leaves out, but the printout shows) is not known
    // to be wrong: it counts against precision, not as a critical error.
    let critical_errors = if x.needs_review {
        0
    } else {
        fields.values().filter(|o| **o == Outcome::Wrong).count()
    };
    DocScore {
        file: file.to_string(),
        source: x.source.as_str(),
        needs_review: x.needs_review,
        fields,
        straight_through: !x.needs_review && all_right,
        critical_errors,
        lines: truth
            .1
            .as_ref()
            .map(|t| score_lines(t, &x.lines, crate::Options::default().review_threshold)),
    }
}

/// Per-field counts.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct FieldTally {
    /// Right values.
    pub correct: usize,
    /// Wrong values.
    pub wrong: usize,
    /// Missing values.
    pub missed: usize,
    /// Values where the truth has none.
    pub spurious: usize,
    /// correct / (correct + wrong + spurious).
    pub precision: f64,
    /// correct / (correct + wrong + missed).
    pub recall: f64,
}

/// The summary over a corpus.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// Documents scored.
    pub documents: usize,
    /// Documents that could not be read at all.
    pub failed: usize,
    /// Per key field.
    pub fields: BTreeMap<String, FieldTally>,
    /// Right / all scored key-field values (correct + wrong + missed + spurious).
    pub field_accuracy: f64,
    /// Share of documents with no review and every key field right.
    pub straight_through_rate: f64,
    /// Wrong values (contradicting the truth) accepted without review /
    /// key-field values given.
    pub critical_error_rate: f64,
    /// Share of documents sent to review.
    pub review_rate: f64,
    /// Invoice lines (documents whose truth has lines).
    pub lines: LineSummary,
}

/// Line figures over a corpus.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LineSummary {
    /// Documents whose truth has lines.
    pub documents: usize,
    /// Of those, with as many lines read as true.
    pub count_right: usize,
    /// count_right / documents.
    pub count_rate: f64,
    /// Lines in the truth.
    pub expected: usize,
    /// Lines read.
    pub found: usize,
    /// Per line field.
    pub fields: BTreeMap<String, LineTally>,
}

/// One line field over a corpus.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct LineTally {
    /// The counts.
    #[serde(flatten)]
    pub count: LineFieldCount,
    /// correct / (correct + wrong + spurious).
    pub precision: f64,
    /// correct / (correct + wrong + missed).
    pub recall: f64,
}

/// Sum up document scores.
pub fn summarize(docs: &[DocScore], failed: usize) -> Summary {
    let mut s = Summary {
        documents: docs.len() + failed,
        failed,
        ..Default::default()
    };
    for d in docs {
        for (id, o) in &d.fields {
            let t = s.fields.entry(id.clone()).or_default();
            match o {
                Outcome::Correct => t.correct += 1,
                Outcome::Wrong => t.wrong += 1,
                Outcome::Missed => t.missed += 1,
                Outcome::Spurious => t.spurious += 1,
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let (mut right, mut all, mut given) = (0, 0, 0);
    for t in s.fields.values_mut() {
        t.precision = ratio(t.correct, t.correct + t.wrong + t.spurious);
        t.recall = ratio(t.correct, t.correct + t.wrong + t.missed);
        right += t.correct;
        all += t.correct + t.wrong + t.missed + t.spurious;
        given += t.correct + t.wrong + t.spurious;
    }
    let n = s.documents;
    s.field_accuracy = ratio(right, all);
    s.straight_through_rate = ratio(docs.iter().filter(|d| d.straight_through).count(), n);
    s.critical_error_rate = if given == 0 {
        0.0
    } else {
        docs.iter().map(|d| d.critical_errors).sum::<usize>() as f64 / given as f64
    };
    s.review_rate = ratio(docs.iter().filter(|d| d.needs_review).count(), n);
    for l in docs.iter().filter_map(|d| d.lines.as_ref()) {
        s.lines.documents += 1;
        s.lines.count_right += usize::from(l.expected == l.found);
        s.lines.expected += l.expected;
        s.lines.found += l.found;
        for (id, c) in &l.fields {
            let t = &mut s.lines.fields.entry(id.clone()).or_default().count;
            t.correct += c.correct;
            t.wrong += c.wrong;
            t.wrong_confident += c.wrong_confident;
            t.missed += c.missed;
            t.spurious += c.spurious;
        }
    }
    s.lines.count_rate = ratio(s.lines.count_right, s.lines.documents);
    for t in s.lines.fields.values_mut() {
        let c = t.count;
        t.precision = ratio(c.correct, c.correct + c.wrong + c.spurious);
        t.recall = ratio(c.correct, c.correct + c.wrong + c.missed);
    }
    s
}

/// PDFs and images under `dir`, sorted, as paths relative to it.
pub fn corpus_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                matches!(
                    x.to_ascii_lowercase().as_str(),
                    "pdf" | "png" | "jpg" | "jpeg" | "tif" | "tiff"
                )
            }) {
                if let Ok(rel) = p.strip_prefix(dir) {
                    out.push(rel.to_path_buf());
                }
            }
        }
    }
    out.sort();
    out
}

/// The truth for a corpus file: `TRUTH/groundtruth/<path with / as __>.json`,
/// else the XML embedded in `TRUTH/<path>` (the original PDF).
pub fn truth_for(truth_dir: &std::path::Path, rel: &std::path::Path) -> Option<Truth> {
    let key = rel.to_string_lossy().replace(['/', '\\'], "__");
    let json = truth_dir.join("groundtruth").join(format!("{key}.json"));
    if let Ok(bytes) = std::fs::read(&json) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            return Some(Truth::from_json(&v));
        }
    }
    let original = truth_dir.join(rel);
    let bytes = std::fs::read(original).ok()?;
    let doc = crate::pdf::load(&bytes).ok()?;
    let found = crate::pdf::embedded::find_invoice(&doc).ok()??;
    Some(Truth::from_fields(
        &crate::fields::from_model(&found.invoice),
        &crate::fields::lines_from_model(&found.invoice),
    ))
}
