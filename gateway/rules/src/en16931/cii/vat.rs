//! The VAT category families for CII: BR-S, BR-Z, BR-E, BR-AE, BR-IC (K),
//! BR-G, BR-O, BR-AF (L), BR-AG (M) and BR-B. Each family has the same ten
//! rules on four contexts (breakdown, document allowance, document charge,
//! line); the per-family differences of the official text (which party
//! identifiers, which rate condition, how the taxable amount is checked)
//! are the table [`FAMILIES`].

use std::collections::HashMap;
use std::sync::LazyLock;

use gateway_xml::{Document, NodeId};
use rust_decimal::Decimal;

use super::decls::*;
use super::model::{abs, cmp, dbl, dbl_child, dec, dec_child, indicator1, one, to_f64, Facts};
use super::ram;
use crate::ctx::Ctx;
use crate::index::Index;
use crate::rule::Rule;
use crate::xp::{self, exists, kid, kids, round2};

/// Party identifiers of the document, in the forms the rules use.
#[derive(Default)]
pub(crate) struct PartyIds {
    /// `//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID = ('VA','FC')]` / `[@schemeID = 'VA']`.
    seller_va_fc_any: bool,
    seller_va_any: bool,
    /// The same under `/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement`.
    seller_va_fc_abs: bool,
    seller_va_abs: bool,
    /// Tax representative, `'VA'`: anywhere / absolute.
    rep_va_any: bool,
    rep_va_abs: bool,
    /// `//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID = 'VA']`.
    buyer_va_any: bool,
    /// `//ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID`.
    buyer_legal_any: bool,
}

impl PartyIds {
    pub(crate) fn collect(d: &Document, ix: &Index, _root: NodeId) -> PartyIds {
        let mut p = PartyIds::default();
        let agreement = [
            rsm!("CrossIndustryInvoice"),
            rsm!("SupplyChainTradeTransaction"),
            ram!("ApplicableHeaderTradeAgreement"),
        ];
        for &n in &ix.elements {
            if !d.is_named(n, ram!("ID")) {
                continue;
            }
            let Some(reg) = d.parent(n) else { continue };
            let Some(party) = d.parent(reg) else { continue };
            let scheme = d.attr(n, "schemeID");
            let va = scheme == Some("VA");
            let va_fc = va || scheme == Some("FC");
            if d.is_named(reg, ram!("SpecifiedTaxRegistration")) {
                let at_abs = abs(d, party, &agreement);
                if d.is_named(party, ram!("SellerTradeParty")) {
                    p.seller_va_fc_any |= va_fc;
                    p.seller_va_any |= va;
                    p.seller_va_fc_abs |= va_fc && at_abs;
                    p.seller_va_abs |= va && at_abs;
                } else if d.is_named(party, ram!("SellerTaxRepresentativeTradeParty")) {
                    p.rep_va_any |= va;
                    p.rep_va_abs |= va && at_abs;
                } else if d.is_named(party, ram!("BuyerTradeParty")) {
                    p.buyer_va_any |= va;
                }
            } else if d.is_named(reg, ram!("SpecifiedLegalOrganization"))
                && d.is_named(party, ram!("BuyerTradeParty"))
            {
                p.buyer_legal_any = true;
            }
        }
        p
    }

    fn ok(&self, parties: Parties) -> bool {
        match parties {
            Parties::SellerAbs => self.seller_va_fc_abs || self.rep_va_abs,
            Parties::SellerAndBuyer => {
                (self.seller_va_fc_any || self.rep_va_any)
                    && (self.buyer_va_any || self.buyer_legal_any)
            }
            Parties::SellerVa => self.seller_va_any || self.rep_va_any,
            Parties::SellerVaAndBuyerVa => {
                (self.seller_va_any || self.rep_va_any) && self.buyer_va_any
            }
            Parties::NoVat => !self.seller_va_abs && !self.rep_va_abs && !self.buyer_va_any,
        }
    }
}

/// BR-x-02..04: the party identifiers required.
#[derive(Clone, Copy)]
enum Parties {
    /// Seller VAT (`VA`/`FC`) or representative VAT id, absolute paths (S, Z, E, AF, AG).
    SellerAbs,
    /// As `SellerAbs` anywhere, and buyer VAT or legal id (AE).
    SellerAndBuyer,
    /// Seller or representative `VA` id anywhere (G).
    SellerVa,
    /// Seller or representative `VA` id, and buyer `VA` id (IC).
    SellerVaAndBuyerVa,
    /// No seller, representative or buyer VAT id (O).
    NoVat,
}

/// BR-x-05..07: the rate on lines and allowances/charges.
#[derive(Clone, Copy)]
enum Rate {
    Zero,
    Positive,
    NonNegative,
    Absent,
}

/// BR-x-01: how the breakdown must match the categories in use.
#[derive(Clone, Copy)]
enum One {
    /// Lines/allowances of the category ⇒ at least one more breakdown entry (S, AF, AG).
    Some,
    /// None anywhere, or exactly one breakdown with lines/allowances (Z, E, AE, IC, G).
    Exactly,
    /// No breakdown, or exactly one with lines/allowances (O).
    BreakdownOnly,
}

/// BR-x-08: the taxable amount of the breakdown.
#[derive(Clone, Copy, PartialEq)]
enum Taxable {
    /// Within ±1 of lines + charges − allowances of the category.
    Tolerance,
    /// As `Tolerance`, indicators read with `cast as xs:boolean` (Z).
    ToleranceCast,
    /// Per rate of the breakdown's owner, exactly (S, AF, AG).
    ByRate,
    /// Exactly, indicators cast (O).
    ExactCast,
}

struct Family {
    code: &'static str,
    prefix: &'static str,
    one: One,
    parties: Parties,
    rate: Rate,
    taxable: Taxable,
    /// BR-x-10: an exemption reason is required (true) or forbidden (false).
    exemption_required: bool,
}

const FAMILIES: [Family; 9] = [
    Family {
        code: "S",
        prefix: "BR-S",
        one: One::Some,
        parties: Parties::SellerAbs,
        rate: Rate::Positive,
        taxable: Taxable::ByRate,
        exemption_required: false,
    },
    Family {
        code: "Z",
        prefix: "BR-Z",
        one: One::Exactly,
        parties: Parties::SellerAbs,
        rate: Rate::Zero,
        taxable: Taxable::ToleranceCast,
        exemption_required: false,
    },
    Family {
        code: "E",
        prefix: "BR-E",
        one: One::Exactly,
        parties: Parties::SellerAbs,
        rate: Rate::Zero,
        taxable: Taxable::Tolerance,
        exemption_required: true,
    },
    Family {
        code: "AE",
        prefix: "BR-AE",
        one: One::Exactly,
        parties: Parties::SellerAndBuyer,
        rate: Rate::Zero,
        taxable: Taxable::Tolerance,
        exemption_required: true,
    },
    Family {
        code: "K",
        prefix: "BR-IC",
        one: One::Exactly,
        parties: Parties::SellerVaAndBuyerVa,
        rate: Rate::Zero,
        taxable: Taxable::Tolerance,
        exemption_required: true,
    },
    Family {
        code: "G",
        prefix: "BR-G",
        one: One::Exactly,
        parties: Parties::SellerVa,
        rate: Rate::Zero,
        taxable: Taxable::Tolerance,
        exemption_required: true,
    },
    Family {
        code: "O",
        prefix: "BR-O",
        one: One::BreakdownOnly,
        parties: Parties::NoVat,
        rate: Rate::Absent,
        taxable: Taxable::ExactCast,
        exemption_required: true,
    },
    Family {
        code: "L",
        prefix: "BR-AF",
        one: One::Some,
        parties: Parties::SellerAbs,
        rate: Rate::Positive,
        taxable: Taxable::ByRate,
        exemption_required: false,
    },
    Family {
        code: "M",
        prefix: "BR-AG",
        one: One::Some,
        parties: Parties::SellerAbs,
        rate: Rate::NonNegative,
        taxable: Taxable::ByRate,
        exemption_required: false,
    },
];

fn family(code: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.code == code)
}

static BY_ID: LazyLock<HashMap<&'static str, &'static Rule>> =
    LazyLock::new(|| RULES.iter().map(|r| (r.id, *r)).collect());

/// Rule `BR-<family>-<nn>`.
fn rule(f: &Family, nn: u8) -> Option<&'static Rule> {
    BY_ID.get(format!("{}-{nn:02}", f.prefix).as_str()).copied()
}

/// Context `/rsm:CrossIndustryInvoice`: BR-x-01 and BR-B-01/02.
pub(crate) fn root(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    for f in &FAMILIES {
        let (line, head, ac) = (
            facts.line_cat(f.code),
            facts.head_cat(f.code),
            facts.ac_cat(f.code),
        );
        let ok = match f.one {
            One::Some => (line + head >= 2 || line == 0) && (ac + head >= 2 || ac == 0),
            One::Exactly => {
                (head == 0 && line == 0 && ac == 0) || (head == 1 && (line > 0 || ac > 0))
            }
            One::BreakdownOnly => head == 0 || (head == 1 && (line > 0 || ac > 0)),
        };
        if let Some(r) = rule(f, 1) {
            ctx.check(r, n, ok);
        }
    }
    ctx.check(&BR_B_01, n, !facts.category_b || !facts.country_not_it);
    ctx.check(&BR_B_02, n, !(facts.category_b && facts.category_s));
}

/// `ram:RateApplicablePercent` of `n` against the family's condition.
fn rate_ok(ctx: &mut Ctx<'_>, r: &'static Rule, n: NodeId, kind: Rate) -> bool {
    let d = ctx.doc;
    let rates: Vec<NodeId> = kids(d, n, ram!("RateApplicablePercent")).collect();
    match kind {
        Rate::Absent => rates.is_empty(),
        Rate::Zero => ctx.any_num(r, rates, |v| v == 0.0),
        Rate::Positive => ctx.any_num(r, rates, |v| v > 0.0),
        Rate::NonNegative => ctx.any_num(r, rates, |v| v >= 0.0),
    }
}

/// Line context `…/ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax[code][VAT]`: BR-x-02, BR-x-05.
pub(crate) fn line_category(ctx: &mut Ctx<'_>, n: NodeId, code: &str, facts: &Facts) {
    let Some(f) = family(code) else { return };
    if let Some(r) = rule(f, 2) {
        ctx.check(r, n, facts.ids.ok(f.parties));
    }
    if let Some(r) = rule(f, 5) {
        let ok = rate_ok(ctx, r, n, f.rate);
        ctx.check(r, n, ok);
    }
}

/// `…/ram:SpecifiedTradeAllowanceCharge[indicator]/ram:CategoryTradeTax[code][VAT]`:
/// BR-x-03 and -06 (allowance) or -04 and -07 (charge).
pub(crate) fn allowance_category(
    ctx: &mut Ctx<'_>,
    n: NodeId,
    code: &str,
    allowance: bool,
    facts: &Facts,
) {
    let Some(f) = family(code) else { return };
    let (parties, rate) = if allowance { (3, 6) } else { (4, 7) };
    if let Some(r) = rule(f, parties) {
        ctx.check(r, n, facts.ids.ok(f.parties));
    }
    if let Some(r) = rule(f, rate) {
        let ok = rate_ok(ctx, r, n, f.rate);
        ctx.check(r, n, ok);
    }
}

/// `ram:ExemptionReason` or `ram:ExemptionReasonCode` under `tax`.
fn has_exemption(d: &Document, tax: NodeId) -> bool {
    exists(d, tax, &[ram!("ExemptionReason")]) || exists(d, tax, &[ram!("ExemptionReasonCode")])
}

/// Context `…/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode[. = code]`
/// (AE, E, G, K, S, Z): BR-x-08..10, BR-IC-11/12.
pub(crate) fn header_category(
    ctx: &mut Ctx<'_>,
    n: NodeId,
    tax: NodeId,
    code: &str,
    facts: &Facts,
) {
    let d = ctx.doc;
    let Some(f) = family(code) else { return };
    if let Some(r) = rule(f, 8) {
        let ok = match f.taxable {
            Taxable::ByRate => by_rate(ctx, r, tax, code, facts),
            _ => within_one(
                ctx,
                r,
                tax,
                code,
                f.taxable == Taxable::ToleranceCast,
                facts,
            ),
        };
        ctx.check(r, n, ok);
    }
    if code == "S" {
        let ok = s09(ctx, tax);
        ctx.check(&BR_S_09, n, ok);
    } else if let Some(r) = rule(f, 9) {
        let calc: Vec<NodeId> = kids(d, tax, ram!("CalculatedAmount")).collect();
        let ok = ctx.any_num(r, calc, |v| v == 0.0);
        ctx.check(r, n, ok);
    }
    if let Some(r) = rule(f, 10) {
        ctx.check(r, n, has_exemption(d, tax) == f.exemption_required);
    }
    if code == "K" {
        let delivery = [
            rsm!("CrossIndustryInvoice"),
            rsm!("SupplyChainTradeTransaction"),
            ram!("ApplicableHeaderTradeDelivery"),
        ];
        let root = d.root();
        let at_delivery = |tail: &[crate::xp::Step]| {
            let mut found = false;
            if d.is_named(root, delivery[0]) {
                let mut path: Vec<crate::xp::Step> = delivery[1..].to_vec();
                path.extend_from_slice(tail);
                xp::each(d, root, &path, &mut |_| found = true);
            }
            found
        };
        let settlement = d.parent(tax);
        let period = |end: &'static str| {
            settlement.is_some_and(|s| exists(d, s, &[ram!("BillingSpecifiedPeriod"), ram(end)]))
        };
        let ok = at_delivery(&[
            ram!("ActualDeliverySupplyChainEvent"),
            ram!("OccurrenceDateTime"),
            udt!("DateTimeString"),
        ]) || period("StartDateTime")
            || period("EndDateTime");
        ctx.check(&BR_IC_11, n, ok);
        let ok = at_delivery(&[
            ram!("ShipToTradeParty"),
            ram!("PostalTradeAddress"),
            ram!("CountryID"),
        ]);
        ctx.check(&BR_IC_12, n, ok);
    }
}

/// Context `…/ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax[code][VAT]` (L, M, O).
pub(crate) fn header_tax(ctx: &mut Ctx<'_>, n: NodeId, code: &str, facts: &Facts) {
    let d = ctx.doc;
    let Some(f) = family(code) else { return };
    if code == "O" {
        let ok = exact(ctx, &BR_O_08, n, facts);
        ctx.check(&BR_O_08, n, ok);
        let calc: Vec<NodeId> = kids(d, n, ram!("CalculatedAmount")).collect();
        let ok = ctx.any_num(&BR_O_09, calc, |v| v == 0.0);
        ctx.check(&BR_O_09, n, ok);
        ctx.check(&BR_O_10, n, has_exemption(d, n));
        ctx.check(&BR_O_11, n, !facts.tax_not_o);
        ctx.check(&BR_O_12, n, !facts.tax_not_o);
        ctx.check(&BR_O_13, n, !facts.ac_tax_not_o);
        ctx.check(&BR_O_14, n, !facts.ac_tax_not_o);
        return;
    }
    // `../ram:RateApplicablePercent`: the rates of the settlement (none in CII), as written.
    if let (Some(r), Some(owner)) = (rule(f, 8), d.parent(n)) {
        let ok = by_rate(ctx, r, owner, code, facts);
        ctx.check(r, n, ok);
    }
    if let Some(r) = rule(f, 9) {
        ctx.check(r, n, true);
    }
    if let Some(r) = rule(f, 10) {
        ctx.check(r, n, !has_exemption(d, n));
    }
}

/// The allowances (false) or charges (true) of the header settlement,
/// with the indicator read by `= true()` or by `cast as xs:boolean` (`cast`).
fn header_acs(
    ctx: &mut Ctx<'_>,
    r: &'static Rule,
    facts: &Facts,
    charge: bool,
    cast: bool,
    code: &str,
) -> Vec<NodeId> {
    let d = ctx.doc;
    let mut out = Vec::new();
    for &s in &facts.header_settlements {
        for ac in kids(d, s, ram!("SpecifiedTradeAllowanceCharge")) {
            // `[indicator and ram:CategoryTradeTax/ram:CategoryCode = code]`: a
            // false category decides without the indicator's cast.
            if !kids(d, ac, ram!("CategoryTradeTax"))
                .any(|t| super::model::has_category(d, t, code))
            {
                continue;
            }
            if cast {
                let ind: Vec<NodeId> = kids(d, ac, ram!("ChargeIndicator"))
                    .flat_map(|c| kids(d, c, udt!("Indicator")))
                    .collect();
                match ind.as_slice() {
                    [i] => match xp::boolean(&xp::string(d, *i)) {
                        Some(b) if b == charge => out.push(ac),
                        Some(_) => {}
                        None => ctx.fail(r, *i, "value is not an xs:boolean"),
                    },
                    _ => ctx.fail(r, ac, "cast as xs:boolean needs exactly one indicator"),
                }
            } else if indicator1(ctx, r, ac, charge) {
                out.push(ac);
            }
        }
    }
    out
}

/// `round(sum(…)*10*10) div 100` of lines + charges − allowances of `code`
/// (and of `rate` when given).
fn category_total(
    ctx: &mut Ctx<'_>,
    r: &'static Rule,
    code: &str,
    rate: Option<Decimal>,
    cast: bool,
    facts: &Facts,
) -> Decimal {
    let d = ctx.doc;
    let rate_matches = |ctx: &mut Ctx<'_>, tax_owner: NodeId, child: &'static str| -> bool {
        let Some(want) = rate else { return true };
        let mut any = false;
        for t in kids(d, tax_owner, ram(child)).collect::<Vec<_>>() {
            let rates: Vec<NodeId> = kids(d, t, ram!("RateApplicablePercent")).collect();
            if let Some(p @ Some(_)) = one(ctx, r, &rates) {
                any |= dec(ctx, r, p) == Some(want);
            }
        }
        any
    };
    let mut lines = Decimal::ZERO;
    for &ls in &facts.line_settlements {
        let cat =
            kids(d, ls, ram!("ApplicableTradeTax")).any(|t| super::model::has_category(d, t, code));
        if !cat || !rate_matches(ctx, ls, "ApplicableTradeTax") {
            continue;
        }
        // `…Summation/xs:decimal(ram:LineTotalAmount)`: one amount per summation.
        for m in
            kids(d, ls, ram!("SpecifiedTradeSettlementLineMonetarySummation")).collect::<Vec<_>>()
        {
            let amounts: Vec<NodeId> = kids(d, m, ram!("LineTotalAmount")).collect();
            if let Some(Some(v)) = one(ctx, r, &amounts).map(|a| dec(ctx, r, a)) {
                lines += v;
            }
        }
    }
    let mut acs = [Decimal::ZERO, Decimal::ZERO];
    for (i, charge) in [(0, true), (1, false)] {
        for ac in header_acs(ctx, r, facts, charge, cast, code) {
            let cat = kids(d, ac, ram!("CategoryTradeTax"))
                .any(|t| super::model::has_category(d, t, code));
            if !cat || !rate_matches(ctx, ac, "CategoryTradeTax") {
                continue;
            }
            if let Some(v) = dec(ctx, r, kid(d, ac, ram!("ActualAmount"))) {
                acs[i] += v;
            }
        }
    }
    round2(lines) + round2(acs[0]) - round2(acs[1])
}

/// `../ram:BasisAmount ± 1` brackets the category total (the basis is cast
/// to `xs:double`; several basis amounts cannot be).
fn within_one(
    ctx: &mut Ctx<'_>,
    r: &'static Rule,
    tax: NodeId,
    code: &str,
    cast: bool,
    facts: &Facts,
) -> bool {
    let d = ctx.doc;
    let basis: Vec<NodeId> = kids(d, tax, ram!("BasisAmount")).collect();
    let total = to_f64(category_total(ctx, r, code, None, cast, facts));
    match basis.as_slice() {
        [] => false,
        [b] => dbl(ctx, r, *b).is_some_and(|b| b - 1.0 < total && b + 1.0 > total),
        [b, ..] => {
            ctx.fail(r, *b, "arithmetic on more than one basis amount");
            true
        }
    }
}

/// `every $rate in owner/ram:RateApplicablePercent/xs:decimal(.) satisfies
/// owner/ram:BasisAmount = total($rate)`.
fn by_rate(ctx: &mut Ctx<'_>, r: &'static Rule, owner: NodeId, code: &str, facts: &Facts) -> bool {
    let d = ctx.doc;
    let rates: Vec<NodeId> = kids(d, owner, ram!("RateApplicablePercent")).collect();
    let basis: Vec<NodeId> = kids(d, owner, ram!("BasisAmount")).collect();
    let mut ok = true;
    for p in rates {
        let Some(rate) = dec(ctx, r, Some(p)) else {
            continue;
        };
        let total = to_f64(category_total(ctx, r, code, Some(rate), false, facts));
        let mut eq = false;
        for &b in &basis {
            eq |= dbl(ctx, r, b) == Some(total);
        }
        ok &= eq;
    }
    ok
}

/// BR-O-08: `ram:BasisAmount = total` (existential, as doubles).
fn exact(ctx: &mut Ctx<'_>, r: &'static Rule, tax: NodeId, facts: &Facts) -> bool {
    let d = ctx.doc;
    let total = to_f64(category_total(ctx, r, "O", None, true, facts));
    let mut eq = false;
    for b in kids(d, tax, ram!("BasisAmount")).collect::<Vec<_>>() {
        eq |= dbl(ctx, r, b) == Some(total);
    }
    eq
}

/// BR-S-09: `abs(calc) ∓ 1` brackets `round(abs(basis) * rate) div 100`
/// (the rate is untyped, so the product is an `xs:double`).
fn s09(ctx: &mut Ctx<'_>, tax: NodeId) -> bool {
    let d = ctx.doc;
    let calc = dec_child(d, tax, "CalculatedAmount").map(|c| c.map(|v| to_f64(v.abs())));
    let basis = dec_child(d, tax, "BasisAmount");
    let rate = dbl_child(d, tax, "RateApplicablePercent");
    // Arithmetic evaluates its left operand first: an empty one gives ().
    let expected = match (basis, rate) {
        (Err(e), _) => Err(e),
        (Ok(None), _) => Ok(None),
        (Ok(Some(b)), Ok(Some(r))) => {
            Ok(Some(super::model::round_f64(to_f64(b.abs()) * r) / 100.0))
        }
        (Ok(Some(_)), r) => r.map(|_| None),
    };
    cmp(calc, expected, |c, e| c - 1.0 < e)
        .and(cmp(calc, expected, |c, e| c + 1.0 > e))
        .resolve(ctx, &BR_S_09)
}
