//! Fields from positioned words, without per-supplier templates: labels
//! (see [`labels`]) and layout (the value right of or below its label, in
//! the same segment after it), then checks that raise or lower confidence.

pub mod checks;
pub mod labels;
mod model;
mod parties;
pub(crate) mod table;
mod totals;
pub mod values;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::layout::{self, BBox, Line, Page, Word};
use crate::text::fold;
use labels::Label;

pub use model::{from_model, lines_from_model};

/// One extracted business term.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Field {
    /// Normalised value: ISO dates, plain decimals, identifiers without spaces.
    pub value: String,
    /// 0..1.
    pub confidence: f32,
    /// 1-based page it was read on (none for embedded XML).
    pub page: Option<u32>,
    /// Where on the page, in points from the top-left corner.
    #[serde(rename = "box")]
    pub bbox: Option<BBox>,
}

impl Field {
    fn at(value: String, confidence: f32, page: u32, bbox: BBox) -> Field {
        Field {
            value,
            confidence: (confidence.clamp(0.0, 1.0) * 100.0).round() / 100.0,
            page: Some(page),
            bbox: Some(bbox.rounded()),
        }
    }
}

/// One invoice line (BG-25): business term id to field.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct LineItem {
    /// `BT-126`, `BT-129`, `BT-131`, `BT-146`, `BT-152`, `BT-153` ...
    pub fields: BTreeMap<String, Field>,
}

/// The terms a document cannot go without review.
pub const REQUIRED: &[&str] = &[
    "BT-1", "BT-2", "BT-5", "BT-27", "BT-44", "BT-109", "BT-110", "BT-115",
];

/// Fields and lines found.
#[derive(Debug, Default)]
pub struct Found {
    /// Business terms.
    pub fields: BTreeMap<String, Field>,
    /// Lines.
    pub lines: Vec<LineItem>,
}

/// Whether a person has to look: required fields missing or unsure.
pub fn review(fields: &BTreeMap<String, Field>, threshold: f32) -> (bool, Vec<String>) {
    let mut reasons = Vec::new();
    for id in REQUIRED {
        match fields.get(*id) {
            None => reasons.push(format!("{id}: missing")),
            Some(f) if f.confidence < threshold => {
                reasons.push(format!("{id}: confidence {:.2}", f.confidence))
            }
            _ => {}
        }
    }
    for (id, f) in fields {
        if !REQUIRED.contains(&id.as_str()) && f.confidence < threshold {
            reasons.push(format!("{id}: confidence {:.2}", f.confidence));
        }
    }
    (!reasons.is_empty(), reasons)
}

/// The document as lines, with folded word tokens for label matching.
pub(crate) struct Doc {
    pub lines: Vec<Line>,
    /// Slash dates are month first (see [`values::month_first`]).
    pub month_first: bool,
    /// Per line, per segment: (folded token, word index) pairs.
    toks: Vec<Vec<Vec<(String, usize)>>>,
}

impl Doc {
    pub fn new(pages: &[Page]) -> Doc {
        let lines: Vec<Line> = pages.iter().flat_map(layout::lines).collect();
        let toks = lines
            .iter()
            .map(|l| {
                l.segments
                    .iter()
                    .map(|s| {
                        s.words
                            .iter()
                            .enumerate()
                            .flat_map(|(i, w)| {
                                fold(&w.text)
                                    .split(' ')
                                    .filter(|t| !t.is_empty())
                                    .map(|t| (t.to_string(), i))
                                    .collect::<Vec<_>>()
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        let mut doc = Doc {
            lines,
            toks,
            month_first: false,
        };
        let english = !doc.hits(ENGLISH_DATE_LABELS).is_empty();
        let texts: Vec<String> = doc.lines.iter().map(|l| l.text()).collect();
        doc.month_first = values::month_first(texts.iter().map(String::as_str), english);
        doc
    }

    /// Every place a label occurs.
    pub fn hits(&self, table: &[Label]) -> Vec<Hit> {
        let mut out = Vec::new();
        for (li, segs) in self.toks.iter().enumerate() {
            for (si, toks) in segs.iter().enumerate() {
                for (label, weight) in table {
                    let (suffix, label) = match label.strip_prefix('*') {
                        Some(l) => (true, l),
                        None => (false, *label),
                    };
                    let want: Vec<&str> = label.split(' ').collect();
                    for start in 0..toks.len() {
                        if start + want.len() > toks.len() {
                            break;
                        }
                        let mut misread = false;
                        let ok = want.iter().enumerate().all(|(k, w)| {
                            let t = &toks[start + k].0;
                            if t == w || (suffix && k == 0 && t.ends_with(w) && t.len() > w.len()) {
                                return true;
                            }
                            // One letter misread by OCR ("Soide à payer").
                            let near = !suffix && one_edit_apart(t, w);
                            misread |= near;
                            near
                        });
                        if ok {
                            let last = toks[start + want.len() - 1].1;
                            // A label glued to more text in the same word ("Nr.471102") is not split here.
                            out.push(Hit {
                                line: li,
                                seg: si,
                                first_word: toks[start].1,
                                end_word: last + 1,
                                weight: *weight
                                    * if start == 0 { 1.0 } else { 0.8 }
                                    * if misread { 0.9 } else { 1.0 },
                                len: want.len(),
                                whole: start == 0 && want.len() == toks.len(),
                            });
                        }
                    }
                }
            }
        }
        // Longer labels first at the same place: "total ht" beats "total".
        out.sort_by(|a, b| {
            (a.line, a.seg, a.first_word)
                .cmp(&(b.line, b.seg, b.first_word))
                .then(b.len.cmp(&a.len))
        });
        out.dedup_by(|b, a| a.line == b.line && a.seg == b.seg && a.first_word == b.first_word);
        out
    }

    /// Candidate value texts for a label: the rest of its segment, the next
    /// segment right, the segment below.
    pub fn values(&self, hit: &Hit) -> Vec<Cand> {
        let line = &self.lines[hit.line];
        let seg = &line.segments[hit.seg];
        let mut out = Vec::new();
        let rest = &seg.words[hit.end_word.min(seg.words.len())..];
        let rest_empty = rest.iter().all(|w| {
            w.text
                .trim_matches(|c: char| !c.is_alphanumeric())
                .is_empty()
        });
        if !rest.is_empty() && !rest_empty {
            out.push(Cand::new(rest, line.page, hit.weight, hit.line));
        }
        // Words after the label without a digit ("Steuerbetrag in | EUR | 56,87")
        // still let the value stand further right.
        let rest_weak = rest_empty
            || !rest
                .iter()
                .any(|w| w.text.chars().any(|c| c.is_ascii_digit()));
        for (k, next) in line.segments.iter().skip(hit.seg + 1).take(3).enumerate() {
            let w = if rest_weak {
                0.95 - 0.1 * k as f32
            } else {
                0.6
            };
            out.push(Cand::new(&next.words, line.page, hit.weight * w, hit.line));
        }
        if rest_empty {
            let h = seg.bbox.height().max(4.0);
            for (k, below) in self.lines.iter().enumerate().skip(hit.line + 1).take(3) {
                if below.page != line.page || below.bbox.y0 - seg.bbox.y1 > h * 3.0 {
                    break;
                }
                let hit_seg = below.segments.iter().find(|s| {
                    s.bbox.x_overlap(&seg.bbox) > 0.0 || (s.bbox.x0 - seg.bbox.x0).abs() < h
                });
                if let Some(s) = hit_seg {
                    out.push(Cand::new(&s.words, line.page, hit.weight * 0.75, k));
                    break;
                }
            }
        }
        out
    }
}

/// Whether two words of five letters or more differ in one letter (one
/// substitution, insertion or deletion): an OCR misreading of a label word.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().min(b.len()) < 5 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

/// English date labels: with them, ambiguous slash dates are month first.
const ENGLISH_DATE_LABELS: &[Label] = &[
    ("invoice date", 1.0),
    ("date of issue", 1.0),
    ("issue date", 1.0),
    ("due date", 1.0),
    ("payment due", 1.0),
];

/// A label found.
#[derive(Clone, Debug)]
pub(crate) struct Hit {
    pub line: usize,
    pub seg: usize,
    pub first_word: usize,
    pub end_word: usize,
    pub weight: f32,
    len: usize,
    /// The label is the whole segment (a heading or a column title).
    pub whole: bool,
}

/// A candidate value: words near a label.
#[derive(Clone, Debug)]
pub(crate) struct Cand {
    pub text: String,
    pub words: Vec<Word>,
    pub page: u32,
    pub weight: f32,
    pub line: usize,
}

impl Cand {
    pub fn new(words: &[Word], page: u32, weight: f32, line: usize) -> Cand {
        Cand {
            text: words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            words: words.to_vec(),
            page,
            weight,
            line,
        }
    }

    /// Box and lowest confidence of the words a byte range of `text` covers.
    pub fn span(&self, range: &std::ops::Range<usize>) -> (BBox, f32) {
        let mut pos = 0;
        let mut bbox: Option<BBox> = None;
        let mut conf = 1.0f32;
        for w in &self.words {
            let (s, e) = (pos, pos + w.text.len());
            pos = e + 1;
            if s < range.end && e > range.start {
                bbox = Some(bbox.map_or(w.bbox, |b| b.union(w.bbox)));
                conf = conf.min(w.conf);
            }
        }
        (bbox.unwrap_or_default(), conf)
    }
}

/// OCR confidence (0..1) turned into a factor: a clean read costs nothing.
pub(crate) fn ocr_factor(conf: f32) -> f32 {
    (0.55 + conf * 0.5).min(1.0)
}

/// Extract the fields of a document from its pages' words.
pub fn extract(pages: &[Page]) -> Found {
    let doc = Doc::new(pages);
    let mut fields = BTreeMap::new();
    fn put(fields: &mut BTreeMap<String, Field>, id: &str, f: Option<Field>) {
        if let Some(f) = f {
            fields.insert(id.to_string(), f);
        }
    }
    let number = number(&doc);
    let issue = date_field(&doc, labels::ISSUE_DATE, None, number.as_ref());
    let due = date_field(&doc, labels::DUE_DATE, issue.as_ref(), None);
    put(&mut fields, "BT-1", number);
    put(&mut fields, "BT-5", currency(&doc));
    let parties = parties::find(&doc);
    put(&mut fields, "BT-27", parties.seller_name);
    put(&mut fields, "BT-31", parties.seller_vat);
    put(&mut fields, "BT-44", parties.buyer_name);
    put(&mut fields, "BT-48", parties.buyer_vat);
    put(&mut fields, "BT-84", iban(&doc));
    for (id, f) in totals::find(&doc) {
        put(&mut fields, id, Some(f));
    }
    // Date order: a due date before the issue date is doubtful; a "due
    // date" read from the issue date's own place is dropped.
    let (issue, due) = match (issue, due) {
        (Some(i), Some(mut d)) => {
            if d.value < i.value {
                d.confidence *= 0.5;
            }
            let same_place = d.bbox == i.bbox;
            (Some(i), if same_place { None } else { Some(d) })
        }
        other => other,
    };
    put(&mut fields, "BT-2", issue);
    put(&mut fields, "BT-9", due);
    let type_code = type_code(&doc);
    // A credit note carries positive amounts in EN 16931; its printout may
    // show them negative.
    let credit = type_code.as_ref().is_some_and(|t| t.value == "381");
    let negative = fields
        .get("BT-115")
        .or(fields.get("BT-109"))
        .is_some_and(|f| f.value.starts_with('-'));
    if credit && negative {
        for id in ["BT-109", "BT-110", "BT-112", "BT-115"] {
            if let Some(f) = fields.get_mut(id) {
                if let Some(v) = f.value.strip_prefix('-') {
                    f.value = v.to_string();
                }
            }
        }
    }
    put(&mut fields, "BT-3", type_code);
    let mut lines = table::read(&doc, &fields);
    if credit {
        // Printed negative on a credit note, positive in EN 16931.
        for l in &mut lines {
            for id in ["BT-129", "BT-131"] {
                if let Some(f) = l.fields.get_mut(id) {
                    if let Some(v) = f.value.strip_prefix('-') {
                        f.value = v.to_string();
                    }
                }
            }
        }
    }
    Found { fields, lines }
}

fn number(doc: &Doc) -> Option<Field> {
    let mut best: Option<Field> = None;
    let mut consider = |f: Field| {
        if best.as_ref().is_none_or(|b| f.confidence > b.confidence) {
            best = Some(f);
        }
    };
    for hit in doc.hits(labels::NUMBER) {
        for c in doc.values(&hit) {
            if let Some((v, r)) = values::document_number(&c.text) {
                let (b, conf) = c.span(&r);
                consider(Field::at(v, 0.95 * c.weight * ocr_factor(conf), c.page, b));
                break;
            }
        }
    }
    // "Rechnung Nr. 123", "Invoice # 123", "Facture FA-2017-10": the title
    // followed by a number in the same segment or right of it.
    for hit in doc.hits(labels::TITLE) {
        let page_top = doc.lines[hit.line].bbox.y0;
        for c in doc.values(&hit).into_iter().take(2) {
            if c.line != hit.line {
                continue;
            }
            if let Some((v, r)) = values::document_number(&c.text) {
                let (b, conf) = c.span(&r);
                // The title highest on page 1 is the document's own; a title
                // further down names a related document ("Facture liée").
                let top = if doc.lines[hit.line].page == 1 {
                    1.0 - (page_top / 2000.0).min(0.3)
                } else {
                    0.7
                };
                consider(Field::at(
                    v,
                    0.9 * c.weight * top * ocr_factor(conf),
                    c.page,
                    b,
                ));
                break;
            }
        }
    }
    best
}

/// The best date under a label. `anchor` is the invoice number: a date on
/// its line ("Rechnung Nr. 1 vom 05.03.2018", "Invoice # 1 issued at ...")
/// is the document's own.
fn date_field(
    doc: &Doc,
    table: &[Label],
    issue: Option<&Field>,
    anchor: Option<&Field>,
) -> Option<Field> {
    let on_anchor_line = |f: &Field| {
        let (Some(a), Some(ab), Some(fb)) = (anchor, anchor.and_then(|a| a.bbox), f.bbox) else {
            return false;
        };
        a.page == f.page && (ab.cy() - fb.cy()).abs() < ab.height().max(4.0)
    };
    let mut best: Option<Field> = None;
    for hit in doc.hits(table) {
        for c in doc.values(&hit) {
            if let Some((d, r)) = values::date_with(&c.text, doc.month_first) {
                // The date must follow its label closely, not end a sentence.
                if r.start > 24 {
                    continue;
                }
                let (b, conf) = c.span(&r);
                let mut f = Field::at(d.to_string(), 0.95 * c.weight * ocr_factor(conf), c.page, b);
                if on_anchor_line(&f) {
                    f.confidence = f.confidence.max(0.85 * ocr_factor(conf));
                }
                if issue.is_some_and(|i| i.bbox == f.bbox) {
                    continue;
                }
                if best.as_ref().is_none_or(|x| f.confidence > x.confidence) {
                    best = Some(f);
                }
                break;
            }
        }
    }
    best
}

fn currency(doc: &Doc) -> Option<Field> {
    let mut best: Option<Field> = None;
    for hit in doc.hits(labels::CURRENCY) {
        for c in doc.values(&hit) {
            if let Some(code) = values::currencies(&c.text).first() {
                let (b, conf) = c.span(&(0..c.text.len()));
                let f = Field::at(
                    code.to_string(),
                    0.95 * c.weight * ocr_factor(conf),
                    c.page,
                    b,
                );
                if best.as_ref().is_none_or(|x| f.confidence > x.confidence) {
                    best = Some(f);
                }
                break;
            }
        }
    }
    if best.is_some() {
        return best;
    }
    // No label: the code or symbol written most often next to amounts.
    let mut counts: BTreeMap<&str, (usize, u32, BBox)> = BTreeMap::new();
    for l in &doc.lines {
        for s in &l.segments {
            for c in values::currencies(&s.text) {
                let e = counts.entry(c).or_insert((0, l.page, s.bbox));
                e.0 += 1;
            }
        }
    }
    let total: usize = counts.values().map(|v| v.0).sum();
    let (code, (n, page, bbox)) = counts.into_iter().max_by_key(|(_, v)| v.0)?;
    let share = n as f32 / total as f32;
    Some(Field::at(code.to_string(), 0.5 + 0.45 * share, page, bbox))
}

fn iban(doc: &Doc) -> Option<Field> {
    let labelled: Vec<usize> = doc.hits(labels::IBAN).iter().map(|h| h.line).collect();
    let mut best: Option<Field> = None;
    for (li, line) in doc.lines.iter().enumerate() {
        // Per segment, and the whole line: OCR may space the groups of an
        // IBAN ("DE12 | 1234 | 4321") wider than a segment's gap.
        let whole: Vec<Word> = line.segments.iter().flat_map(|s| s.words.clone()).collect();
        let parts = line
            .segments
            .iter()
            .map(|s| s.words.as_slice())
            .chain((line.segments.len() > 1).then_some(whole.as_slice()));
        for words in parts {
            let c = Cand::new(words, line.page, 1.0, li);
            for (v, valid, r) in values::ibans(&c.text) {
                let near = labelled.iter().any(|&l| l == li || l + 1 == li);
                let conf = match (valid, near) {
                    (true, true) => 0.98,
                    (true, false) => 0.85,
                    // Looks like an account number after "IBAN" but fails mod-97.
                    (false, true) => 0.4,
                    (false, false) => continue,
                };
                let (b, oc) = c.span(&r);
                let f = Field::at(v, conf * ocr_factor(oc), line.page, b);
                if best.as_ref().is_none_or(|x| f.confidence > x.confidence) {
                    best = Some(f);
                }
            }
        }
    }
    best
}

/// BT-3: a credit note title says 381, anything else is an invoice (380).
fn type_code(doc: &Doc) -> Option<Field> {
    const CREDIT: &[Label] = &[
        ("gutschrift", 1.0),
        ("credit note", 1.0),
        ("avoir", 1.0),
        ("nota de credit", 1.0),
        ("factura storno", 1.0),
        ("creditnota", 1.0),
        ("creditfactuur", 1.0),
    ];
    let first_page_top = |h: &Hit| doc.lines[h.line].page == 1 && doc.lines[h.line].bbox.y0 < 300.0;
    if let Some(h) = doc
        .hits(CREDIT)
        .into_iter()
        .find(|h| first_page_top(h) && h.first_word == 0)
    {
        let l = &doc.lines[h.line];
        return Some(Field::at("381".into(), 0.7, l.page, l.segments[h.seg].bbox));
    }
    let h = doc.hits(labels::TITLE).into_iter().find(first_page_top)?;
    let l = &doc.lines[h.line];
    Some(Field::at("380".into(), 0.8, l.page, l.segments[h.seg].bbox))
}

#[cfg(test)]
mod tests {
    use super::one_edit_apart;

    #[test]
    fn labels_survive_one_misread_letter() {
        assert!(one_edit_apart("soide", "solde"));
        assert!(one_edit_apart("rechnungsnumer", "rechnungsnummer"));
        assert!(one_edit_apart("ustid", "ust1id"));
        assert!(!one_edit_apart("netto", "brutto"));
        assert!(!one_edit_apart("total", "totaux"));
        // Short words must match exactly: "tva" is not "tax".
        assert!(!one_edit_apart("tva", "tax"));
    }
}
