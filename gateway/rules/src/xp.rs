//! The few XPath operations the official rules use, over the arena tree,
//! without allocation in the common case. Semantics follow XPath 2.0 as
//! Saxon applies it (general comparisons are existential, `round` rounds
//! half towards positive infinity, `normalize-space` strips only XML
//! whitespace).

use std::borrow::Cow;

use gateway_xml::names::{Expanded, Namespace, CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE};
use gateway_xml::{Document, NodeId, NodeKind};
use rust_decimal::Decimal;

/// One child step: namespace and local name, with the name key that makes
/// matching a child one integer comparison.
pub(crate) type Step = Expanded;

/// `cbc:` step.
pub(crate) const fn cbc(l: &'static str) -> Step {
    const NS: Namespace = Namespace::new(CBC);
    NS.name(l)
}
/// `cac:` step.
pub(crate) const fn cac(l: &'static str) -> Step {
    const NS: Namespace = Namespace::new(CAC);
    NS.name(l)
}

/// The UBL invoice root element.
pub(crate) const INVOICE: Step = Expanded::new(UBL_INVOICE, "Invoice");
/// The UBL credit note root element.
pub(crate) const CREDIT_NOTE: Step = Expanded::new(UBL_CREDIT_NOTE, "CreditNote");

/// Child elements matching `s`.
pub(crate) fn kids(doc: &Document, n: NodeId, s: Step) -> impl Iterator<Item = NodeId> + '_ {
    doc.children_named(n, s)
}

/// First child element matching `s`.
pub(crate) fn kid(doc: &Document, n: NodeId, s: Step) -> Option<NodeId> {
    kids(doc, n, s).next()
}

/// First node (document order) reached by the child path `steps`.
pub(crate) fn first(doc: &Document, n: NodeId, steps: &[Step]) -> Option<NodeId> {
    match steps.split_first() {
        None => Some(n),
        Some((s, rest)) => kids(doc, n, *s).find_map(|c| first(doc, c, rest)),
    }
}

/// `exists(path)`.
pub(crate) fn exists(doc: &Document, n: NodeId, steps: &[Step]) -> bool {
    first(doc, n, steps).is_some()
}

/// Calls `f` for every node reached by `steps`, in document order.
pub(crate) fn each(doc: &Document, n: NodeId, steps: &[Step], f: &mut dyn FnMut(NodeId)) {
    match steps.split_first() {
        None => f(n),
        Some((s, rest)) => {
            for c in kids(doc, n, *s) {
                each(doc, c, rest, f);
            }
        }
    }
}

/// String value of an element: all descendant text, concatenated.
pub(crate) fn string(doc: &Document, n: NodeId) -> Cow<'_, str> {
    if doc.elements(n).next().is_none() {
        return doc.text(n);
    }
    let mut s = String::new();
    push_text(doc, n, &mut s);
    Cow::Owned(s)
}

fn push_text(doc: &Document, n: NodeId, out: &mut String) {
    for c in doc.children(n) {
        match doc.kind(c) {
            NodeKind::Text => out.push_str(doc.node_text(c)),
            NodeKind::Element => push_text(doc, c, out),
            _ => {}
        }
    }
}

fn is_xml_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// `normalize-space(s)`: whitespace runs collapsed to one space, trimmed.
pub(crate) fn norm(s: &str) -> String {
    let t = s.trim_matches(is_xml_ws);
    // Most values (codes, ids, amounts) are already normal: one copy.
    let mut prev_space = false;
    let normal = t.bytes().all(|b| {
        let ok = match b {
            b' ' => !prev_space,
            b'\t' | b'\r' | b'\n' => false,
            _ => true,
        };
        prev_space = b == b' ';
        ok
    });
    if normal {
        return t.to_string();
    }
    t.split(is_xml_ws)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `normalize-space(s) != ''`.
pub(crate) fn blank(s: &str) -> bool {
    s.chars().all(is_xml_ws)
}

/// `normalize-space(node) != ''` for an optional node (absent = '').
pub(crate) fn filled(doc: &Document, n: Option<NodeId>) -> bool {
    n.is_some_and(|n| !blank(&string(doc, n)))
}

/// `normalize-space(path) != ''` (first node of the path, as Saxon does for a
/// singleton; the rules' paths are singletons in valid UBL).
pub(crate) fn filled_at(doc: &Document, n: NodeId, steps: &[Step]) -> bool {
    filled(doc, first(doc, n, steps))
}

/// `normalize-space(.)` equals `v`.
pub(crate) fn norm_eq(doc: &Document, n: NodeId, v: &str) -> bool {
    let s = string(doc, n);
    let mut words = s.split(is_xml_ws).filter(|w| !w.is_empty());
    let mut want = v.split(' ').filter(|w| !w.is_empty());
    loop {
        match (words.next(), want.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// `string-length(substring-after(node, '.')) <= max` on the first node of a
/// path; an absent node gives '' (passes). Counts characters as XPath does,
/// including any trailing whitespace.
pub(crate) fn decimals_at_most(doc: &Document, n: Option<NodeId>, max: usize) -> bool {
    let Some(n) = n else { return true };
    let s = string(doc, n);
    s.split_once('.').map_or(0, |(_, f)| f.chars().count()) <= max
}

/// `xs:boolean` cast of an untyped value (whitespace collapsed).
pub(crate) fn boolean(s: &str) -> Option<bool> {
    match s.trim_matches(is_xml_ws) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// `cbc:ChargeIndicator = true()` / `= false()` (existential over children).
pub(crate) fn charge_is(doc: &Document, n: NodeId, want: bool) -> bool {
    kids(doc, n, cbc!("ChargeIndicator")).any(|c| boolean(&string(doc, c)) == Some(want))
}

/// `xs:decimal` cast: whitespace collapsed, strict lexical form.
pub(crate) fn decimal(s: &str) -> Option<Decimal> {
    let t = s.trim_matches(is_xml_ws);
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let ok = int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(int.is_empty() && frac.is_empty());
    if !ok {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    t.parse::<Decimal>().ok()
}

/// Value of a node as `xs:decimal`, `Err` when not castable.
pub(crate) fn dec_of(doc: &Document, n: NodeId) -> Result<Decimal, ()> {
    decimal(&string(doc, n)).ok_or(())
}

/// XPath `round()`: nearest integer, halves towards positive infinity.
pub(crate) fn round(d: Decimal) -> Decimal {
    (d + Decimal::new(5, 1)).floor()
}

/// `round(x * 10 * 10) div 100`: the official two-decimal rounding.
pub(crate) fn round2(d: Decimal) -> Decimal {
    round(d * Decimal::ONE_HUNDRED) / Decimal::ONE_HUNDRED
}

/// Untyped value compared with a number: cast to `xs:double`.
pub(crate) fn double(s: &str) -> Option<f64> {
    let t = s.trim_matches(is_xml_ws);
    match t {
        "INF" | "+INF" => Some(f64::INFINITY),
        "-INF" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ if t
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') =>
        {
            None
        }
        _ => t.parse().ok(),
    }
}

/// `cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT'`.
pub(crate) fn vat_scheme(doc: &Document, n: NodeId) -> bool {
    kids(doc, n, cac!("TaxScheme")).any(|ts| {
        kids(doc, ts, cbc!("ID")).any(|id| {
            let s = string(doc, id);
            let mut w = s.split(is_xml_ws).filter(|w| !w.is_empty());
            matches!((w.next(), w.next()), (Some(x), None) if x.to_uppercase() == "VAT")
        })
    })
}

/// A calendar date as (year, month, day), ordered.
pub(crate) type Ymd = (i32, u32, u32);

/// `xs:date` cast (`YYYY-MM-DD` with optional zone), as a comparable triple.
/// The zone is ignored: the rules compare dates of one document.
pub(crate) fn date(s: &str) -> Option<Ymd> {
    let t = s.trim_matches(is_xml_ws);
    let (date, tz) = (t.get(..10)?, t.get(10..)?);
    let tz_ok = tz.is_empty()
        || tz == "Z"
        || (tz.len() == 6 && tz.starts_with(['+', '-']) && tz.as_bytes().get(3) == Some(&b':'));
    let b = date.as_bytes();
    if !tz_ok || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let y: i32 = date.get(..4)?.parse().ok()?;
    let m: u32 = date.get(5..7)?.parse().ok()?;
    let d: u32 = date.get(8..10)?.parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let max = *days.get(m.checked_sub(1)? as usize)?;
    (d >= 1 && d <= max).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_rounding_is_half_up_to_positive_infinity() {
        let d = |s: &str| decimal(s).unwrap_or_default();
        assert_eq!(round2(d("1.005")), d("1.01"));
        assert_eq!(round2(d("-1.005")), d("-1.00"));
        assert_eq!(round(d("-2.5")), d("-2"));
        assert_eq!(decimal(" 12.50\n"), Some(d("12.5")));
        assert_eq!(decimal("1e3"), None);
        assert_eq!(decimal("."), None);
    }

    #[test]
    fn norm_collapses_xml_whitespace_only() {
        assert_eq!(norm("  a \t\r\n b  c "), "a b c");
        assert_eq!(norm("a b"), "a b");
        assert_eq!(norm("a  b"), "a b");
        assert_eq!(norm("\u{a0}x\u{a0}"), "\u{a0}x\u{a0}");
        assert_eq!(norm(" \n "), "");
    }

    #[test]
    fn booleans_and_doubles_follow_xsd_casts() {
        assert_eq!(boolean(" true "), Some(true));
        assert_eq!(boolean("0"), Some(false));
        assert_eq!(boolean("TRUE"), None);
        assert_eq!(double("1e2"), Some(100.0));
        assert_eq!(double("abc"), None);
    }
}
