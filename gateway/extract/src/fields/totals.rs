//! Document totals: candidates per label, then the combination that adds
//! up (net + VAT = total, payable = total) wins and gains confidence.

use rust_decimal::Decimal;

use super::values::{amount, decimal_text};
use super::{labels, ocr_factor, Doc, Field};
use crate::layout::BBox;

#[derive(Clone, Debug)]
struct Amt {
    /// Computed from two other totals rather than read.
    derived: bool,
    value: Decimal,
    score: f32,
    page: u32,
    bbox: BBox,
}

fn candidates(doc: &Doc, table: &[labels::Label]) -> Vec<Amt> {
    let mut out: Vec<Amt> = Vec::new();
    for hit in doc.hits(table) {
        for c in doc.values(&hit) {
            let Some((v, r)) = amount(&c.text) else {
                continue;
            };
            // The amount must follow its label closely, not end a sentence.
            if r.start > 20 {
                continue;
            }
            let raw = &c.text[r.clone()];
            let decimals = if raw.contains([',', '.']) { 1.0 } else { 0.6 };
            let (bbox, conf) = c.span(&r);
            out.push(Amt {
                derived: false,
                value: v,
                score: c.weight * decimals * ocr_factor(conf),
                page: c.page,
                bbox,
            });
            break;
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    // The same value found under several labels counts once, at its best.
    let mut seen: Vec<Amt> = Vec::new();
    for a in out {
        if !seen.iter().any(|s| s.value == a.value) {
            seen.push(a);
        }
    }
    seen.truncate(5);
    seen
}

/// BT-109, BT-110, BT-112 and BT-115 with cross-checked confidence.
pub(crate) fn find(doc: &Doc) -> Vec<(&'static str, Field)> {
    let net = candidates(doc, labels::NET_TOTAL);
    let mut vat = candidates(doc, labels::VAT_TOTAL);
    let gross = candidates(doc, labels::GROSS_TOTAL);
    let pay = candidates(doc, labels::PAYABLE);
    // VAT unreadable (or only breakdown amounts found): total less net, unsure.
    if let (Some(n), Some(g)) = (net.first(), gross.first()) {
        let v = g.value - n.value;
        if !vat.iter().any(|a| a.value == v) {
            vat.push(Amt {
                derived: true,
                value: v,
                score: 0.3,
                page: g.page,
                bbox: g.bbox,
            });
        }
    }
    // VAT unreadable (or only breakdown amounts found): total less net, unsure.
    if let (Some(n), Some(g)) = (net.first(), gross.first()) {
        let v = g.value - n.value;
        if !vat.iter().any(|a| a.value == v) {
            vat.push(Amt {
                derived: true,
                value: v,
                score: 0.3,
                page: g.page,
                bbox: g.bbox,
            });
        }
    }
    if std::env::var_os("GATEWAY_EXTRACT_TRACE").is_some() {
        for (n, c) in [
            ("net", &net),
            ("vat", &vat),
            ("gross", &gross),
            ("pay", &pay),
        ] {
            eprintln!(
                "{n}: {:?}",
                c.iter()
                    .map(|a| (a.value.to_string(), a.score))
                    .collect::<Vec<_>>()
            );
        }
    }
    fn opts(v: &[Amt]) -> Vec<Option<&Amt>> {
        let mut o: Vec<Option<&Amt>> = v.iter().map(Some).collect();
        o.push(None);
        o
    }
    let mut best: Option<(f32, [Option<&Amt>; 4], Checks)> = None;
    for n in opts(&net) {
        for v in opts(&vat) {
            for g in opts(&gross) {
                for p in opts(&pay) {
                    let checks = Checks::of(n, v, g, p);
                    let s = [n, v, g, p].iter().flatten().map(|a| a.score).sum::<f32>()
                        + checks.bonus();
                    if best.as_ref().is_none_or(|b| s > b.0) {
                        best = Some((s, [n, v, g, p], checks));
                    }
                }
            }
        }
    }
    let Some((_, [n, v, g, p], checks)) = best else {
        return Vec::new();
    };
    let field = |a: &Amt, ok: Option<bool>| {
        let conf = match ok {
            _ if a.derived => 0.5,
            Some(true) => 0.6 + 0.4 * a.score.min(1.0),
            Some(false) => a.score * 0.6,
            None => a.score * 0.9,
        };
        Field::at(decimal_text(a.value), conf, a.page, a.bbox)
    };
    let mut out = Vec::new();
    let mut n_f = n.map(|a| field(a, checks.sum));
    let mut v_f = v.map(|a| field(a, checks.sum));
    let mut g_f = g.map(|a| field(a, checks.sum.or(checks.payable)));
    let p_f = p.map(|a| field(a, checks.payable.or(checks.sum_payable)));
    // One missing term of net + VAT = total follows from the other two, unsure.
    match (n, v, g.or(p)) {
        (Some(n), Some(v), None) => {
            g_f = Some(Field::at(
                decimal_text(n.value + v.value),
                0.5,
                n.page,
                n.bbox,
            ))
        }
        (Some(n), None, Some(t)) => {
            v_f = Some(Field::at(
                decimal_text(t.value - n.value),
                0.5,
                t.page,
                t.bbox,
            ))
        }
        (None, Some(v), Some(t)) => {
            n_f = Some(Field::at(
                decimal_text(t.value - v.value),
                0.5,
                t.page,
                t.bbox,
            ))
        }
        _ => {}
    }
    let p_f = p_f.or_else(|| {
        // No "amount due" label: the total with VAT is due, less sure.
        g_f.clone().map(|mut f| {
            f.confidence = (f.confidence * 0.8 * 100.0).round() / 100.0;
            f
        })
    });
    let g_f = g_f.or_else(|| {
        if checks.sum_payable == Some(true) {
            p_f.clone()
        } else {
            None
        }
    });
    for (id, f) in [
        ("BT-109", n_f),
        ("BT-110", v_f),
        ("BT-112", g_f),
        ("BT-115", p_f),
    ] {
        if let Some(f) = f {
            out.push((id, f));
        }
    }
    out
}

/// Which identities hold (`None` when a term is missing).
#[derive(Clone, Copy, Debug)]
struct Checks {
    /// net + VAT = total.
    sum: Option<bool>,
    /// payable = total (or less, after prepayments).
    payable: Option<bool>,
    /// net + VAT = payable, when there is no total.
    sum_payable: Option<bool>,
}

impl Checks {
    fn of(n: Option<&Amt>, v: Option<&Amt>, g: Option<&Amt>, p: Option<&Amt>) -> Checks {
        let sum = match (n, v, g) {
            (Some(_), Some(v), Some(_)) if v.derived => None,
            (Some(n), Some(v), Some(g)) => Some(n.value + v.value == g.value),
            _ => None,
        };
        let payable = match (g, p) {
            (Some(g), Some(p)) => Some(p.value == g.value || (p.value.abs() < g.value.abs())),
            _ => None,
        };
        let sum_payable = match (n, v, g, p) {
            (Some(n), Some(v), None, Some(p)) => Some(n.value + v.value == p.value),
            _ => None,
        };
        Checks {
            sum,
            payable,
            sum_payable,
        }
    }

    fn bonus(&self) -> f32 {
        let b = |c: Option<bool>, yes: f32, no: f32| match c {
            Some(true) => yes,
            Some(false) => no,
            None => 0.0,
        };
        b(self.sum, 2.0, -0.5) + b(self.payable, 0.3, -0.5) + b(self.sum_payable, 1.5, 0.0)
    }
}
