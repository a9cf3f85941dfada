//! Seller and buyer: names and VAT identifiers, from party blocks (a
//! heading such as "Verkäufer" or "Bill to" and the lines under it), the
//! letterhead and the address window when there are no headings.

use std::sync::LazyLock;

use regex::Regex;

use super::checks::VatCheck;
use super::{labels, ocr_factor, values, Cand, Doc, Field};
use crate::layout::Segment;
use crate::text::fold;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Seller,
    Buyer,
    Other,
}

/// The party fields found.
#[derive(Debug, Default)]
pub(crate) struct Parties {
    pub seller_name: Option<Field>,
    pub seller_vat: Option<Field>,
    pub buyer_name: Option<Field>,
    pub buyer_vat: Option<Field>,
}

struct Heading {
    line: usize,
    seg: usize,
    role: Role,
}

fn headings(doc: &Doc) -> Vec<Heading> {
    let mut out = Vec::new();
    for (table, role) in [
        (labels::SELLER, Role::Seller),
        (labels::BUYER, Role::Buyer),
        (labels::OTHER_PARTY, Role::Other),
    ] {
        for h in doc.hits(table) {
            // A heading is a segment of its own ("Verkäufer:", "Bill to").
            if h.whole {
                out.push(Heading {
                    line: h.line,
                    seg: h.seg,
                    role,
                });
            }
        }
    }
    out.sort_by_key(|h| (h.line, h.seg));
    out
}

/// The block a segment belongs to: the nearest heading above it in the same
/// column, with no wide vertical gap between.
fn role_of(doc: &Doc, heads: &[Heading], li: usize, seg: &Segment) -> Option<Role> {
    let page = doc.lines[li].page;
    let mut prev_top = doc.lines[li].bbox.y0;
    for k in (0..=li).rev() {
        let l = &doc.lines[k];
        if l.page != page {
            return None;
        }
        let h = l.bbox.height().max(6.0);
        if prev_top - l.bbox.y1 > h * 3.5 {
            return None;
        }
        prev_top = l.bbox.y0;
        let mut in_line: Vec<&Heading> = heads.iter().filter(|x| x.line == k).collect();
        in_line.sort_by(|a, b| {
            l.segments[b.seg]
                .bbox
                .x0
                .total_cmp(&l.segments[a.seg].bbox.x0)
        });
        // The right-most heading starting left of the segment owns its column.
        // A block is a column under its heading, not the whole width.
        if let Some(hd) = in_line.iter().find(|x| {
            let hx = l.segments[x.seg].bbox.x0;
            hx <= seg.bbox.x0 + 20.0 && seg.bbox.x0 <= hx + 200.0
        }) {
            if k == li && std::ptr::eq(&l.segments[hd.seg], seg) {
                return None;
            }
            return Some(hd.role);
        }
    }
    None
}

static POSTCODE_CITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|\s)(?:[A-Z]{1,2}[- ]?)?\d{4,6}\s*\p{Lu}\p{L}").expect("valid regex")
});

const SALUTATIONS: &[&str] = &[
    "herrn", "herr", "frau", "mr", "mrs", "ms", "m", "mme", "monsieur", "madame", "domnul",
    "doamna", "dhr", "mevr", "firma",
];

fn is_name_like(s: &Segment) -> bool {
    let t = s.text.trim();
    let letters = t.chars().filter(|c| c.is_alphabetic()).count();
    let digits = t.chars().filter(|c| c.is_ascii_digit()).count();
    letters >= 3
        && digits * 3 <= letters
        && !t.ends_with(':')
        && !t.contains('@')
        && !t.starts_with(|c: char| c.is_ascii_digit())
        && !POSTCODE_CITY.is_match(t)
        && !t.to_ascii_lowercase().starts_with("http")
}

fn has_legal_form(text: &str) -> bool {
    let f = fold(text);
    labels::LEGAL_FORMS
        .iter()
        .any(|lf| f.ends_with(&format!(" {lf}")) || f.contains(&format!(" {lf} ")))
}

fn field_of(doc: &Doc, li: usize, seg: &Segment, conf: f32) -> Field {
    let _ = doc;
    Field::at(
        seg.text.trim().to_string(),
        conf * ocr_factor(seg.conf),
        doc.lines[li].page,
        seg.bbox,
    )
}

/// The name of the party in a block: a "Name:" label, else the first
/// name-like line under the heading.
fn name_in_blocks(doc: &Doc, heads: &[Heading], role: Role) -> Option<Field> {
    for h in doc.hits(labels::NAME) {
        let seg = &doc.lines[h.line].segments[h.seg];
        if h.first_word != 0 || role_of(doc, heads, h.line, seg) != Some(role) {
            continue;
        }
        // The value, not the next label down ("Name:" over "Anschrift:").
        if let Some(c) = doc
            .values(&h)
            .into_iter()
            .find(|c| !c.text.trim_end().ends_with(':'))
        {
            let text = c
                .text
                .trim_matches(|ch: char| ch == ':' || ch.is_whitespace());
            if text.chars().filter(|ch| ch.is_alphabetic()).count() >= 2 {
                let (b, conf) = c.span(&(0..c.text.len()));
                return Some(Field::at(
                    text.to_string(),
                    0.9 * ocr_factor(conf),
                    c.page,
                    b,
                ));
            }
        }
    }
    for hd in heads.iter().filter(|x| x.role == role) {
        let head = &doc.lines[hd.line].segments[hd.seg];
        let page = doc.lines[hd.line].page;
        let next_right = doc.lines[hd.line]
            .segments
            .get(hd.seg + 1)
            .map_or(f32::MAX, |s| s.bbox.x0);
        for k in hd.line + 1..(hd.line + 5).min(doc.lines.len()) {
            let l = &doc.lines[k];
            if l.page != page {
                break;
            }
            let Some(s) = l.segments.iter().find(|s| {
                s.bbox.x0 >= head.bbox.x0 - 20.0 && s.bbox.x0 < next_right.min(head.bbox.x0 + 250.0)
            }) else {
                continue;
            };
            let labelled =
                s.text.contains(':') || l.segments.iter().any(|o| o.text.starts_with(':'));
            if SALUTATIONS.contains(&fold(&s.text).as_str()) || labelled {
                continue;
            }
            if is_name_like(s) {
                let mut f = field_of(doc, k, s, 0.75);
                if let Some(next) = continuation(doc, k, s) {
                    f.value = format!("{} {}", f.value, next.text.trim());
                    f.bbox = f.bbox.map(|b| b.union(next.bbox).rounded());
                }
                return Some(f);
            }
            break;
        }
    }
    None
}

/// A name written over two lines ("MVM Musterhafter / Versicherungsverein
/// Musterstadt a.G."): the next line in the same column, close below, with
/// letters only and ending in a legal form the first line lacks.
fn continuation<'a>(doc: &'a Doc, k: usize, first: &Segment) -> Option<&'a Segment> {
    // "Metallbau GmbH & Co." goes on with "KG" on the next line.
    let open = {
        let f = fold(&first.text);
        f.ends_with(" co") || first.text.trim_end().ends_with('&')
    };
    if has_legal_form(&first.text) && !open {
        return None;
    }
    let l = &doc.lines[k];
    let next = doc.lines.get(k + 1).filter(|n| n.page == l.page)?;
    let h = first.bbox.height().max(4.0);
    if next.bbox.y0 - first.bbox.y1 > h * 0.8 {
        return None;
    }
    let s = next
        .segments
        .iter()
        .find(|s| (s.bbox.x0 - first.bbox.x0).abs() < 5.0)?;
    let ok = is_name_like(s)
        && has_legal_form(&s.text)
        && !s.text.chars().any(|c| c.is_ascii_digit())
        && !s.text.contains(':')
        && next.segments.len() == 1;
    ok.then_some(s)
}

/// A letterhead or sender line: "Name GmbH - Street 1 - 12345 City".
fn seller_from_letterhead(doc: &Doc) -> Option<Field> {
    let mut best: Option<(f32, Field)> = None;
    for (li, l) in doc.lines.iter().enumerate() {
        if l.page != 1 {
            continue;
        }
        for s in &l.segments {
            let parts: Vec<&str> = s
                .text
                .split(" - ")
                .flat_map(|p| p.split(['●', '|', '·', '•']))
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            if parts.len() < 3 || !POSTCODE_CITY.is_match(&s.text) {
                continue;
            }
            let name = parts[0];
            if name.chars().filter(|c| c.is_alphabetic()).count() < 3
                || name.chars().any(|c| c.is_ascii_digit())
            {
                continue;
            }
            let score = if has_legal_form(name) { 0.75 } else { 0.6 };
            if best.as_ref().is_none_or(|b| score > b.0) {
                let c = Cand::new(&s.words, l.page, 1.0, li);
                let (b, conf) = c.span(&(0..name.len()));
                best = Some((
                    score,
                    Field::at(name.to_string(), score * ocr_factor(conf), l.page, b),
                ));
            }
        }
    }
    best.map(|b| b.1)
}

/// A whole address on one line ("Name ● Street 12 ● 12345 City", whatever
/// the separators were read as): a street number before a post code and
/// city. That is the sender line over the address window, not the
/// recipient's block.
fn one_line_address(text: &str) -> bool {
    POSTCODE_CITY.find(text).is_some_and(|m| {
        let before = &text[..m.start()];
        before.chars().filter(|c| c.is_alphabetic()).count() >= 3
            && before.split_whitespace().any(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            })
    })
}

/// A company name (legal form) outside the buyer's and other blocks.
fn seller_by_legal_form(doc: &Doc, heads: &[Heading]) -> Option<Field> {
    let mut found: Vec<(usize, &Segment)> = Vec::new();
    for (li, l) in doc.lines.iter().enumerate() {
        for s in &l.segments {
            if has_legal_form(&s.text) && is_name_like(s) {
                if matches!(role_of(doc, heads, li, s), Some(Role::Buyer | Role::Other)) {
                    continue;
                }
                found.push((li, s));
            }
        }
    }
    // The seller's name is repeated (letterhead, footer, bank details).
    let count = |t: &str| found.iter().filter(|(_, s)| s.text == t).count();
    let (li, s) = found
        .iter()
        .max_by_key(|(li, s)| (count(&s.text), usize::MAX - li))?;
    let conf = if count(&s.text) > 1 { 0.7 } else { 0.55 };
    Some(field_of(doc, *li, s, conf))
}

/// The recipient in the address window: the block that ends with a post
/// code and city, at the top of page 1, outside any other party's block.
fn buyer_from_address_window(doc: &Doc, heads: &[Heading], seller: Option<&str>) -> Option<Field> {
    for (li, l) in doc.lines.iter().enumerate() {
        if l.page != 1 || l.bbox.y0 > 400.0 {
            continue;
        }
        let Some(pc) = l.segments.iter().find(|s| {
            POSTCODE_CITY.is_match(&s.text)
                && !s.text.contains(['●', '|', '·', '•'])
                && s.text.split(" - ").count() < 3
                && !one_line_address(&s.text)
                && role_of(doc, heads, li, s).is_none()
        }) else {
            continue;
        };
        let mut name: Option<(usize, &Segment)> = None;
        let mut prev_top = l.bbox.y0;
        for k in (li.saturating_sub(8)..li).rev() {
            let above = &doc.lines[k];
            let h = above.bbox.height().max(6.0);
            if above.page != l.page || prev_top - above.bbox.y1 > h * 2.5 {
                break;
            }
            // Lines of another column in between are skipped.
            let Some(s) = above
                .segments
                .iter()
                .find(|s| (s.bbox.x0 - pc.bbox.x0).abs() < 15.0)
            else {
                continue;
            };
            // The sender line above the window ("Name ● Street ● City") ends the block.
            let line_text = above.text();
            if line_text.contains(['●', '|', '·', '•'])
                || line_text.split(" - ").count() >= 3
                || one_line_address(&line_text)
            {
                break;
            }
            prev_top = above.bbox.y0;
            if is_name_like(s) && !SALUTATIONS.contains(&fold(&s.text).as_str()) {
                name = Some((k, s));
            }
        }
        // The seller's own address block (letterhead) is not the recipient.
        let squash = |t: &str| fold(t).replace(' ', "");
        if let Some((k, s)) =
            name.filter(|(_, s)| seller.is_none_or(|x| squash(x) != squash(&s.text)))
        {
            return Some(field_of(doc, k, s, 0.6));
        }
    }
    None
}

fn vat_ids(doc: &Doc, heads: &[Heading]) -> (Option<Field>, Option<Field>) {
    let mut seller: Vec<(f32, Field)> = Vec::new();
    let mut buyer: Vec<(f32, Field)> = Vec::new();
    for (li, l) in doc.lines.iter().enumerate() {
        let line_text = fold(&l.text());
        for s in &l.segments {
            let c = Cand::new(&s.words, l.page, 1.0, li);
            for (id, check, r) in values::vat_ids(&c.text) {
                let base = match check {
                    VatCheck::Valid => 0.95,
                    VatCheck::FormatOnly => 0.85,
                    VatCheck::Invalid => 0.55,
                };
                let (b, conf) = c.span(&r);
                let f = Field::at(id, base * ocr_factor(conf), l.page, b);
                let before = fold(&c.text[..r.start]);
                let buyer_word = |t: &str| {
                    labels::BUYER_WORDS
                        .iter()
                        .any(|w| t.split(' ').any(|x| x == *w))
                };
                let role = match role_of(doc, heads, li, s) {
                    _ if buyer_word(&before) => Role::Buyer,
                    Some(r) => r,
                    None if buyer_word(&line_text) && !line_text.contains("lieferant") => {
                        Role::Buyer
                    }
                    None => Role::Seller,
                };
                let rank = match role_of(doc, heads, li, s) {
                    Some(Role::Seller) => 2.0,
                    _ => 1.0,
                };
                match role {
                    Role::Seller => seller.push((rank, f)),
                    Role::Buyer => buyer.push((rank, f)),
                    Role::Other => {}
                }
            }
        }
    }
    let pick = |v: Vec<(f32, Field)>| {
        let count = |x: &str| v.iter().filter(|(_, f)| f.value == x).count() as f32;
        v.iter()
            .max_by(|a, b| {
                (a.0 + count(&a.1.value) * 0.1)
                    .total_cmp(&(b.0 + count(&b.1.value) * 0.1))
                    .then(b.1.page.cmp(&a.1.page))
            })
            .map(|x| x.1.clone())
    };
    (pick(seller), pick(buyer))
}

/// Find both parties.
pub(crate) fn find(doc: &Doc) -> Parties {
    let heads = headings(doc);
    let (seller_vat, buyer_vat) = vat_ids(doc, &heads);
    let seller_name = name_in_blocks(doc, &heads, Role::Seller)
        .or_else(|| seller_from_letterhead(doc))
        .or_else(|| seller_by_legal_form(doc, &heads));
    let buyer_name = name_in_blocks(doc, &heads, Role::Buyer)
        .or_else(|| {
            buyer_from_address_window(doc, &heads, seller_name.as_ref().map(|f| f.value.as_str()))
        })
        .filter(|b| seller_name.as_ref().is_none_or(|s| s.value != b.value));
    Parties {
        seller_name,
        seller_vat,
        buyer_name,
        buyer_vat,
    }
}
