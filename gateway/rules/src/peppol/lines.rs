//! PEPPOL-EN16931-R1xx and the price rules: the line-level contexts of the
//! main Peppol pattern (after the document-level ones in `en16931_r.rs`).

use crate::xp::norm;
use gateway_xml::names::CAC;
use gateway_xml::names::{CAC_NS, CBC_NS};
use gateway_xml::{Document, NodeId, NodeKind};
use rust_decimal::Decimal;

use crate::ctx::Ctx;
use crate::rule::{rules, Rule};
use crate::xp::{self, cbc, exists, kid, kids, round2};

rules! {
    R110 = "PEPPOL-EN16931-R110", Fatal, "[PEPPOL-EN16931-R110]-Start date of line period MUST be within invoice period.";
    R111 = "PEPPOL-EN16931-R111", Fatal, "[PEPPOL-EN16931-R111]-End date of line period MUST be within invoice period.";
    R120 = "PEPPOL-EN16931-R120", Fatal, "[PEPPOL-EN16931-R120]-Invoice line net amount MUST equal (Invoiced quantity * (Item net price/item price base quantity) + Sum of invoice line charge amount - sum of invoice line allowance amount";
    R121 = "PEPPOL-EN16931-R121", Fatal, "[PEPPOL-EN16931-R121]-Base quantity MUST be a positive number above zero.";
    R100 = "PEPPOL-EN16931-R100", Fatal, "[PEPPOL-EN16931-R100]-Only one invoiced object is allowed pr line";
    R101 = "PEPPOL-EN16931-R101", Fatal, "[PEPPOL-EN16931-R101]-Element Document reference can only be used for Invoice line object";
    R044 = "PEPPOL-EN16931-R044", Fatal, "[PEPPOL-EN16931-R044]-Charge on price level is NOT allowed. Only value 'false' allowed.";
    R046 = "PEPPOL-EN16931-R046", Fatal, "[PEPPOL-EN16931-R046]-Item net price MUST equal (Gross price - Allowance amount) when gross price is provided.";
    R130 = "PEPPOL-EN16931-R130", Fatal, "[PEPPOL-EN16931-R130]-Unit code of price base quantity MUST be same as invoiced quantity.";
}

fn text_nodes(d: &Document, n: NodeId) -> String {
    d.children(n)
        .filter(|&c| d.kind(c) == NodeKind::Text)
        .map(|c| d.node_text(c))
        .collect()
}

fn line_name(d: &Document) -> &'static str {
    if d.is_named(d.root(), crate::xp::INVOICE) {
        "InvoiceLine"
    } else {
        "CreditNoteLine"
    }
}

/// Handles `n` if one of these contexts matches; returns whether one did.
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId) -> bool {
    let d = ctx.doc;
    let name = ctx.name(n);
    let parent = d.parent(n);
    match (name.in_ns(CBC_NS), name.in_ns(CAC_NS), name.local) {
        (true, _, "StartDate") if line_period_date(d, n, "StartDate") => {
            period_bound(ctx, &R110, n, "StartDate", |line, doc| line >= doc);
            true
        }
        (true, _, "EndDate") if line_period_date(d, n, "EndDate") => {
            period_bound(ctx, &R111, n, "EndDate", |line, doc| line <= doc);
            true
        }
        (_, true, "InvoiceLine" | "CreditNoteLine") => {
            line(ctx, n);
            true
        }
        (_, true, "AllowanceCharge") if parent.is_some_and(|p| d.is_named(p, cac!("Price"))) => {
            price_allowance(ctx, n);
            true
        }
        (true, _, "BaseQuantity")
            if d.attr(n, "unitCode").is_some()
                && parent.is_some_and(|p| d.is_named(p, cac!("Price"))) =>
        {
            let line = parent.and_then(|p| d.parent(p));
            let qty = |l: &'static str| {
                line.map_or_else(Vec::new, |ln| kids(d, ln, cbc(l)).collect::<Vec<_>>())
            };
            let has = !qty("InvoicedQuantity").is_empty() || !qty("CreditedQuantity").is_empty();
            let mine = d.attr(n, "unitCode");
            let theirs = if d.is_named(d.root(), crate::xp::INVOICE) {
                qty("InvoicedQuantity")
            } else {
                qty("CreditedQuantity")
            };
            let ok = !has
                || theirs
                    .iter()
                    .any(|&q| d.attr(q, "unitCode").is_some() && d.attr(q, "unitCode") == mine);
            ctx.check(&R130, n, ok);
            true
        }
        _ => false,
    }
}

/// `Invoice[cac:InvoicePeriod/cbc:X]/cac:InvoiceLine/cac:InvoicePeriod/cbc:X`.
fn line_period_date(d: &Document, n: NodeId, which: &'static str) -> bool {
    let root = d.root();
    let Some(period) = d
        .parent(n)
        .filter(|&p| d.is_named(p, cac!("InvoicePeriod")))
    else {
        return false;
    };
    let Some(line) = d.parent(period).filter(|&l| d.is(l, CAC, line_name(d))) else {
        return false;
    };
    d.parent(line) == Some(root) && exists(d, root, &[cac!("InvoicePeriod"), cbc(which)])
}

fn period_bound(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    n: NodeId,
    which: &'static str,
    ok: fn(xp::Ymd, xp::Ymd) -> bool,
) {
    let d = ctx.doc;
    let doc_date = xp::first(d, d.root(), &[cac!("InvoicePeriod"), cbc(which)]);
    let line = xp::date(&text_nodes(d, n));
    let whole = doc_date.and_then(|x| xp::date(&xp::string(d, x)));
    match (line, whole) {
        (Some(l), Some(w)) => ctx.check(rule, n, ok(l, w)),
        (None, _) => ctx.fail(rule, n, "value is not an xs:date"),
        (_, None) => {
            if let Some(x) = doc_date {
                ctx.fail(rule, x, "value is not an xs:date");
            }
        }
    }
}

/// Context `cac:InvoiceLine | cac:CreditNoteLine`.
fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let or = |ctx: &mut Ctx<'_>, node: Option<NodeId>, default: Decimal| match node {
        Some(x) => ctx.dec(&R120, Some(x)).unwrap_or(default),
        None => default,
    };
    let lea = or(ctx, kid(d, n, cbc!("LineExtensionAmount")), Decimal::ZERO);
    let qty_name = if d.is_named(d.root(), crate::xp::INVOICE) {
        "InvoicedQuantity"
    } else {
        "CreditedQuantity"
    };
    let qty = or(ctx, kid(d, n, cbc(qty_name)), Decimal::ONE);
    let price = kid(d, n, cac!("Price"));
    let amount = or(
        ctx,
        price.and_then(|p| kid(d, p, cbc!("PriceAmount"))),
        Decimal::ZERO,
    );
    let bq_node = price.and_then(|p| kid(d, p, cbc!("BaseQuantity")));
    let bq = match bq_node.and_then(|b| ctx.dec(&R120, Some(b))) {
        Some(b) if !b.is_zero() => b,
        _ => Decimal::ONE,
    };
    let total = |ctx: &mut Ctx<'_>, ind: &str| {
        let acs: Vec<NodeId> = kids(d, n, cac!("AllowanceCharge"))
            .filter(|&a| {
                kid(d, a, cbc!("ChargeIndicator")).is_some_and(|c| norm(&xp::string(d, c)) == ind)
            })
            .collect();
        if acs.is_empty() {
            return Decimal::ZERO;
        }
        let amounts: Vec<NodeId> = acs
            .iter()
            .flat_map(|&a| kids(d, a, cbc!("Amount")).collect::<Vec<_>>())
            .collect();
        round2(ctx.sum(&R120, amounts))
    };
    let allowances = total(ctx, "false");
    let charges = total(ctx, "true");
    let slack = Decimal::new(2, 2);
    // checked arithmetic: an overflow is a failed assertion, never a panic.
    let ok = amount
        .checked_div(bq)
        .and_then(|unit| qty.checked_mul(unit))
        .map(|v| v + charges - allowances)
        .is_some_and(|val| lea + slack >= val && lea - slack <= val);
    ctx.check(&R120, n, ok);
    let ok121 = match bq_node {
        None => true,
        Some(b) => ctx.dec(&R121, Some(b)).is_some_and(|v| v > Decimal::ZERO),
    };
    ctx.check(&R121, n, ok121);
    let refs: Vec<NodeId> = kids(d, n, cac!("DocumentReference")).collect();
    ctx.check(&R100, n, refs.len() <= 1);
    let ok101 = refs.is_empty()
        || refs
            .iter()
            .any(|&r| kids(d, r, cbc!("DocumentTypeCode")).any(|c| xp::string(d, c) == "130"));
    ctx.check(&R101, n, ok101);
}

/// Context `cac:Price/cac:AllowanceCharge`.
fn price_allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ci = kid(d, n, cbc!("ChargeIndicator"))
        .map(|c| norm(&xp::string(d, c)))
        .unwrap_or_default();
    ctx.check(&R044, n, ci == "false");
    let Some(base) = kid(d, n, cbc!("BaseAmount")) else {
        ctx.check(&R046, n, true);
        return;
    };
    let price = d.parent(n).and_then(|p| kid(d, p, cbc!("PriceAmount")));
    let price = ctx.dec(&R046, price);
    let base = ctx.dec(&R046, Some(base));
    let amount = ctx.dec(&R046, kid(d, n, cbc!("Amount")));
    let ok = matches!((price, base, amount), (Some(p), Some(b), Some(a)) if p == b - a);
    ctx.check(&R046, n, ok);
}
