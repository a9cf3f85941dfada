//! BR-DEC-*: at most two decimals on amounts, CII binding.

use gateway_xml::NodeId;

use super::decls::*;
use super::model::{all, dbl, one, round_f64, Facts};
use super::ram;
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::xp::{self, decimals_at_most, kid, kids, Step};

/// `string-length(substring-after(path, '.')) <= 2` (one value at most).
fn two(ctx: &mut Ctx<'_>, rule: &'static Rule, ctx_node: NodeId, of: NodeId, path: &[Step]) {
    let nodes = all(ctx.doc, of, path);
    let Some(x) = one(ctx, rule, &nodes) else {
        return;
    };
    let ok = decimals_at_most(ctx.doc, x, 2);
    ctx.check(rule, ctx_node, ok);
}

/// As [`two`] for `ram:ActualAmount[1]`: the first one only.
fn two_first(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    ctx_node: NodeId,
    of: NodeId,
    local: &'static str,
) {
    let ok = decimals_at_most(ctx.doc, kid(ctx.doc, of, ram(local)), 2);
    ctx.check(rule, ctx_node, ok);
}

/// Header allowance (ChargeIndicator context, `ac` = `..`): BR-DEC-01, 02.
pub(crate) fn doc_allowance(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    two_first(ctx, &BR_DEC_01, n, ac, "ActualAmount");
    two(ctx, &BR_DEC_02, n, ac, &[ram!("BasisAmount")]);
}

/// Header charge: BR-DEC-05, 06.
pub(crate) fn doc_charge(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    two_first(ctx, &BR_DEC_05, n, ac, "ActualAmount");
    two(ctx, &BR_DEC_06, n, ac, &[ram!("BasisAmount")]);
}

/// Line allowance: BR-DEC-24, 25.
pub(crate) fn line_allowance(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    two_first(ctx, &BR_DEC_24, n, ac, "ActualAmount");
    two(ctx, &BR_DEC_25, n, ac, &[ram!("BasisAmount")]);
}

/// Line charge: BR-DEC-27, 28.
pub(crate) fn line_charge(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    two_first(ctx, &BR_DEC_27, n, ac, "ActualAmount");
    two(ctx, &BR_DEC_28, n, ac, &[ram!("BasisAmount")]);
}

/// `ram:TaxTotalAmount[(@currencyID = C and . = round(. * 100) div 100) or not(cond)]`
/// exists (the value is untyped, so the arithmetic is in `xs:double`).
fn tax_total_ok(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    n: NodeId,
    currencies: &[String],
    invoice: bool,
) -> bool {
    let d = ctx.doc;
    let totals: Vec<NodeId> = kids(d, n, ram!("TaxTotalAmount")).collect();
    if totals.is_empty() {
        return true;
    }
    let mut any = false;
    for t in totals {
        let same = d
            .attr(t, "currencyID")
            .is_some_and(|c| currencies.iter().any(|x| x == c));
        let ok = if same {
            dbl(ctx, rule, t).is_some_and(|v| v == round_f64(v * 100.0) / 100.0)
        } else if invoice {
            true
        } else {
            currencies.is_empty()
        };
        any |= ok;
    }
    any
}

/// Context `//ram:SpecifiedTradeSettlementHeaderMonetarySummation`: BR-DEC-09..18.
pub(crate) fn totals(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    for (rule, local) in [
        (&BR_DEC_09, "LineTotalAmount"),
        (&BR_DEC_10, "AllowanceTotalAmount"),
        (&BR_DEC_11, "ChargeTotalAmount"),
        (&BR_DEC_12, "TaxBasisTotalAmount"),
        (&BR_DEC_14, "GrandTotalAmount"),
        (&BR_DEC_16, "TotalPrepaidAmount"),
        (&BR_DEC_17, "RoundingAmount"),
        (&BR_DEC_18, "DuePayableAmount"),
    ] {
        two(ctx, rule, n, n, &[ram(local)]);
    }
    let codes = |local: &'static str| -> Vec<String> {
        facts
            .header_settlements
            .iter()
            .flat_map(|&s| kids(d, s, ram(local)))
            .map(|c| xp::string(d, c).into_owned())
            .collect()
    };
    let invoice = codes("InvoiceCurrencyCode");
    let ok = tax_total_ok(ctx, &BR_DEC_13, n, &invoice, true);
    ctx.check(&BR_DEC_13, n, ok);
    let tax = codes("TaxCurrencyCode");
    let ok = tax_total_ok(ctx, &BR_DEC_15, n, &tax, false);
    ctx.check(&BR_DEC_15, n, ok);
}

/// Context `//ram:IncludedSupplyChainTradeLineItem`: BR-DEC-23.
pub(crate) fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    let path = [
        ram!("SpecifiedLineTradeSettlement"),
        ram!("SpecifiedTradeSettlementLineMonetarySummation"),
        ram!("LineTotalAmount"),
    ];
    two(ctx, &BR_DEC_23, n, n, &path);
}

/// Generic header `ram:ApplicableTradeTax`: BR-DEC-19, 20.
pub(crate) fn vat_breakdown(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_19, n, n, &[ram!("BasisAmount")]);
    two(ctx, &BR_DEC_20, n, n, &[ram!("CalculatedAmount")]);
}
