//! BR-CO-*: the conditions and calculations of EN 16931, CII binding.

use gateway_xml::{Document, NodeId};
use rust_decimal::Decimal;

use super::br_core::has_reason;
use super::codes_table::BR_CO_09_LIST;
use super::decls::*;
use super::model::{
    all, cmp, dbl, dec, dec_child, f64_to_dec, indicator1, one, round_f64, vat_type1, Facts, Tri,
};
use super::ram;
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::xp::{self, exists, kid, kids, round, round2};

/// Context `/rsm:CrossIndustryInvoice`: BR-CO-15.
pub(crate) fn root(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let settlements = all(
        d,
        n,
        &[
            rsm!("SupplyChainTradeTransaction"),
            ram!("ApplicableHeaderTradeSettlement"),
        ],
    );
    let sums: Vec<NodeId> = settlements
        .iter()
        .flat_map(|&s| {
            kids(
                d,
                s,
                ram!("SpecifiedTradeSettlementHeaderMonetarySummation"),
            )
        })
        .collect();
    let first = |local: &'static str| sums.iter().find_map(|&s| kid(d, s, ram(local)));
    let r = &BR_CO_15;
    let mut ok = Tri::True;
    for cur in settlements
        .iter()
        .flat_map(|&s| kids(d, s, ram!("InvoiceCurrencyCode")))
    {
        let cur = xp::string(d, cur);
        let taxes: Vec<NodeId> = sums
            .iter()
            .flat_map(|&s| kids(d, s, ram!("TaxTotalAmount")))
            .filter(|&t| d.attr(t, "currencyID") == Some(&*cur))
            .collect();
        let value = |x: Option<NodeId>| match x {
            None => Ok(None),
            Some(x) => xp::decimal(&xp::string(d, x)).map(Some).ok_or(x),
        };
        let (grand, basis) = (
            value(first("GrandTotalAmount")),
            value(first("TaxBasisTotalAmount")),
        );
        let sum = match (basis, value(taxes.first().copied())) {
            (Ok(None), _) | (_, Ok(None)) => Ok(None),
            (Err(e), _) | (_, Err(e)) => Err(e),
            (Ok(Some(b)), Ok(Some(t))) => Ok(Some(round2(b + t))),
        };
        let with_tax = Tri::of(taxes.len() == 1).and(cmp(grand, sum, |g, s| g == s));
        ok = ok.and(with_tax.or(cmp(grand, basis, |g, b| g == b)));
    }
    let ok = ok.resolve(ctx, r);
    ctx.check(r, n, ok);
}

/// Header allowance: BR-CO-05 (`true()`), BR-CO-21.
pub(crate) fn doc_allowance(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_CO_05, n, true);
    ctx.check(&BR_CO_21, n, has_reason(ctx, ac));
}

/// Header charge: BR-CO-06 (`true()`), BR-CO-22.
pub(crate) fn doc_charge(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_CO_06, n, true);
    ctx.check(&BR_CO_22, n, has_reason(ctx, ac));
}

/// Line allowance: BR-CO-07 (`true()`), BR-CO-23.
pub(crate) fn line_allowance(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_CO_07, n, true);
    ctx.check(&BR_CO_23, n, has_reason(ctx, ac));
}

/// Line charge: BR-CO-08 (`true()`), BR-CO-24.
pub(crate) fn line_charge(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_CO_08, n, true);
    ctx.check(&BR_CO_24, n, has_reason(ctx, ac));
}

/// `sum(nodes)` of untyped values: each cast to `xs:double`.
fn sum_f64(ctx: &mut Ctx<'_>, r: &'static Rule, nodes: &[NodeId]) -> f64 {
    let mut s = 0.0;
    for &x in nodes {
        if let Some(v) = dbl(ctx, r, x) {
            s += v;
        }
    }
    s
}

/// `round(x * 10 * 10) div 100` in `xs:double`.
fn round2_f64(x: f64) -> f64 {
    round_f64(x * 10.0 * 10.0) / 100.0
}

/// Context `//ram:SpecifiedTradeSettlementHeaderMonetarySummation`: BR-CO-10..13, BR-CO-16.
pub(crate) fn totals(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    // BR-CO-10: the sum of the line amounts (as doubles), cast back to xs:decimal.
    let r = &BR_CO_10;
    let lines: Vec<NodeId> = d
        .parent(n)
        .and_then(|p| d.parent(p))
        .map(|t| {
            all(
                d,
                t,
                &[
                    ram!("IncludedSupplyChainTradeLineItem"),
                    ram!("SpecifiedLineTradeSettlement"),
                    ram!("SpecifiedTradeSettlementLineMonetarySummation"),
                    ram!("LineTotalAmount"),
                ],
            )
        })
        .unwrap_or_default();
    let sum = sum_f64(ctx, r, &lines);
    let own = single_dec(ctx, r, n, "LineTotalAmount");
    let ok = match (own, f64_to_dec(sum)) {
        (Some(Some(v)), Some(s)) => v == round(s * Decimal::ONE_HUNDRED) / Decimal::ONE_HUNDRED,
        _ => false,
    };
    ctx.check(r, n, ok);
    // BR-CO-11/12: allowance/charge totals against the document level ones.
    for (r, charge, local) in [
        (&BR_CO_11, false, "AllowanceTotalAmount"),
        (&BR_CO_12, true, "ChargeTotalAmount"),
    ] {
        let acs: Vec<NodeId> = facts
            .header_settlements
            .iter()
            .flat_map(|&s| kids(d, s, ram!("SpecifiedTradeAllowanceCharge")))
            .collect::<Vec<_>>()
            .into_iter()
            .filter(|&ac| indicator1(ctx, r, ac, charge))
            .collect();
        let mine: Vec<NodeId> = kids(d, n, ram(local)).collect();
        let amounts: Vec<NodeId> = acs
            .iter()
            .filter_map(|&ac| kid(d, ac, ram!("ActualAmount")))
            .collect();
        let ok = if acs.is_empty() && mine.is_empty() {
            true
        } else {
            let expected = round2_f64(sum_f64(ctx, r, &amounts));
            let mut eq = false;
            for m in mine {
                eq |= dbl(ctx, r, m) == Some(expected);
            }
            eq
        };
        ctx.check(r, n, ok);
    }
    // BR-CO-13: TaxBasisTotalAmount = LineTotal - AllowanceTotal + ChargeTotal.
    let r = &BR_CO_13;
    let get = |ctx: &mut Ctx<'_>, l: &'static str| dec(ctx, r, kid(d, n, ram(l)));
    let (basis, line, allow, charge) = (
        get(ctx, "TaxBasisTotalAmount"),
        get(ctx, "LineTotalAmount"),
        get(ctx, "AllowanceTotalAmount"),
        get(ctx, "ChargeTotalAmount"),
    );
    let has = |l: &'static str| exists(d, n, &[ram(l)]);
    let eq = |x: Option<Decimal>| basis.is_some() && x.is_some() && basis == x.map(round2);
    let ok = eq(line.zip(allow).zip(charge).map(|((l, a), c)| l - a + c))
        || (eq(line.zip(allow).map(|(l, a)| l - a)) && !has("ChargeTotalAmount"))
        || (eq(line.zip(charge).map(|(l, c)| l + c)) && !has("AllowanceTotalAmount"))
        || (eq(line) && !has("ChargeTotalAmount") && !has("AllowanceTotalAmount"));
    ctx.check(r, n, ok);
    // BR-CO-16: DuePayableAmount = GrandTotal - TotalPrepaid + Rounding.
    let r = &BR_CO_16;
    let get = |ctx: &mut Ctx<'_>, l: &'static str| dec(ctx, r, kid(d, n, ram(l)));
    let (due, grand, paid, rounding) = (
        get(ctx, "DuePayableAmount"),
        get(ctx, "GrandTotalAmount"),
        get(ctx, "TotalPrepaidAmount"),
        get(ctx, "RoundingAmount"),
    );
    let eq = |x: Option<Decimal>| due.is_some() && x.is_some() && due == x;
    let ok = eq(grand.zip(paid).zip(rounding).map(|((g, p), r)| g - p + r))
        || (eq(grand.zip(rounding).map(|(g, r)| g + r)) && !has("TotalPrepaidAmount"))
        || (eq(grand.zip(paid).map(|(g, p)| g - p)) && !has("RoundingAmount"))
        || (eq(grand) && !has("TotalPrepaidAmount") && !has("RoundingAmount"));
    ctx.check(r, n, ok);
}

/// `xs:decimal(ram:<local>)`: `Some(None)` when absent, `None` when not
/// evaluable (several values, or not a decimal: unprocessable).
fn single_dec(
    ctx: &mut Ctx<'_>,
    r: &'static Rule,
    n: NodeId,
    local: &'static str,
) -> Option<Option<Decimal>> {
    let d = ctx.doc;
    let v: Vec<NodeId> = kids(d, n, ram(local)).collect();
    match v.as_slice() {
        [] => Some(None),
        [x] => dec(ctx, r, Some(*x)).map(Some),
        [x, ..] => {
            ctx.fail(r, *x, "more than one value where one is expected");
            None
        }
    }
}

/// Context `//ram:IncludedSupplyChainTradeLineItem`: BR-CO-04, BR-CO-18.
pub(crate) fn line(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    let taxes = all(
        d,
        n,
        &[
            ram!("SpecifiedLineTradeSettlement"),
            ram!("ApplicableTradeTax"),
        ],
    );
    let mut ok = false;
    for t in taxes {
        ok |= vat_type1(ctx, &BR_CO_04, t) && exists(d, t, &[ram!("CategoryCode")]);
    }
    ctx.check(&BR_CO_04, n, ok);
    ctx.check(&BR_CO_18, n, facts.header_tax);
}

fn has_period_date(d: &Document, n: NodeId) -> bool {
    exists(d, n, &[ram!("StartDateTime")]) || exists(d, n, &[ram!("EndDateTime")])
}

/// Line period: BR-CO-20.
pub(crate) fn line_period(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_CO_20, n, has_period_date(ctx.doc, n));
}

/// Invoicing period: BR-CO-19.
pub(crate) fn period(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_CO_19, n, has_period_date(ctx.doc, n));
}

/// Context `//ram:SellerTradeParty`: BR-CO-26.
pub(crate) fn seller(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ok = exists(d, n, &[ram!("ID")])
        || exists(d, n, &[ram!("GlobalID")])
        || exists(d, n, &[ram!("SpecifiedLegalOrganization"), ram!("ID")])
        || all(d, n, &[ram!("SpecifiedTaxRegistration"), ram!("ID")])
            .into_iter()
            .any(|i| d.attr(i, "schemeID") == Some("VA"));
    ctx.check(&BR_CO_26, n, ok);
}

/// Context `…MonetarySummation/ram:TaxTotalAmount[@currencyID = invoice currency]`: BR-CO-14
/// (the breakdown amounts are summed as doubles).
pub(crate) fn tax_total(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    let r = &BR_CO_14;
    let amounts: Vec<NodeId> = facts
        .header_settlements
        .iter()
        .flat_map(|&s| kids(d, s, ram!("ApplicableTradeTax")))
        .flat_map(|t| kids(d, t, ram!("CalculatedAmount")))
        .collect();
    let expected = round2_f64(sum_f64(ctx, r, &amounts));
    let ok = dbl(ctx, r, n) == Some(expected);
    ctx.check(r, n, ok);
}

/// Context `//ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']`: BR-CO-09,
/// the first two characters are a country prefix.
pub(crate) fn vat_identifier(ctx: &mut Ctx<'_>, n: NodeId) {
    let s = xp::string(ctx.doc, n);
    let prefix: String = s.chars().take(2).collect();
    let ok = BR_CO_09_LIST.contains(&format!(" {prefix} "));
    ctx.check(&BR_CO_09, n, ok);
}

/// Generic header `ram:ApplicableTradeTax`: BR-CO-03, BR-CO-17.
pub(crate) fn vat_breakdown(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    let ok = !(facts.tax_point_date && facts.due_date_type_code);
    ctx.check(&BR_CO_03, n, ok);
    let r = &BR_CO_17;
    let codes: Vec<NodeId> = kids(d, n, ram!("TypeCode")).collect();
    let Some(code) = one(ctx, r, &codes) else {
        return;
    };
    let vat = code.is_some_and(|t| {
        let mut w = xp::string(d, t).to_uppercase();
        w = w
            .split([' ', '\t', '\r', '\n'])
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        w == "VAT"
    });
    let rate = if vat {
        dec_child(d, n, "RateApplicablePercent")
    } else {
        Ok(None)
    };
    let calc = dec_child(d, n, "CalculatedAmount");
    let basis = dec_child(d, n, "BasisAmount");
    let round0 = |x: Result<Option<Decimal>, NodeId>, zero: bool| {
        cmp(x, Ok(Some(())), move |v, _| round(v).is_zero() == zero)
    };
    let expected = match (basis, rate) {
        // Arithmetic evaluates its left operand first: an empty one gives ().
        (Err(e), _) => Err(e),
        (Ok(None), _) => Ok(None),
        (Ok(Some(b)), Ok(Some(rt))) => Ok(Some(round2(b.abs() * (rt / Decimal::ONE_HUNDRED)))),
        (Ok(Some(_)), rt) => rt.map(|_| None),
    };
    let abs_calc = calc.map(|c| c.map(|v| v.abs()));
    let within = cmp(abs_calc, expected, |c, e| c - Decimal::ONE <= e).and(cmp(
        abs_calc,
        expected,
        |c, e| c + Decimal::ONE >= e,
    ));
    let no_rate = match rate {
        Ok(r) => Tri::of(r.is_none()),
        Err(e) => Tri::Error(e),
    };
    let ok = round0(rate, true)
        .and(round0(calc, true))
        .or(round0(rate, false).and(within))
        .or(no_rate.and(round0(calc, true)))
        .resolve(ctx, r);
    ctx.check(r, n, ok);
}
