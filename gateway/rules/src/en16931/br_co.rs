//! BR-CO-*: conditions and calculations (sums with the official rounding
//! `round(x * 10 * 10) div 100`, half towards positive infinity).

use gateway_xml::NodeId;
use rust_decimal::Decimal;

use crate::ctx::Ctx;
use crate::index::Ix;
use crate::rule::rules;
use crate::xp::{self, cbc, charge_is, exists, kid, kids, round, round2, vat_scheme};

rules! {
    BR_CO_05 = "BR-CO-05", Fatal, "[BR-CO-05]-Document level allowance reason code (BT-98) and Document level allowance reason (BT-97) shall indicate the same type of allowance.";
    BR_CO_21 = "BR-CO-21", Fatal, "[BR-CO-21]-Each Document level allowance (BG-20) shall contain a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98), or both.";
    BR_CO_06 = "BR-CO-06", Fatal, "[BR-CO-06]-Document level charge reason code (BT-105) and Document level charge reason (BT-104) shall indicate the same type of charge.";
    BR_CO_22 = "BR-CO-22", Fatal, "[BR-CO-22]-Each Document level charge (BG-21) shall contain a Document level charge reason (BT-104) or a Document level charge reason code (BT-105), or both.";
    BR_CO_10 = "BR-CO-10", Fatal, "[BR-CO-10]-Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131).";
    BR_CO_11 = "BR-CO-11", Fatal, "[BR-CO-11]-Sum of allowances on document level (BT-107) = Σ Document level allowance amount (BT-92).";
    BR_CO_12 = "BR-CO-12", Fatal, "[BR-CO-12]-Sum of charges on document level (BT-108) = Σ Document level charge amount (BT-99).";
    BR_CO_13 = "BR-CO-13", Fatal, "[BR-CO-13]-Invoice total amount without VAT (BT-109) = Σ Invoice line net amount (BT-131) - Sum of allowances on document level (BT-107) + Sum of charges on document level (BT-108).";
    BR_CO_16 = "BR-CO-16", Fatal, "[BR-CO-16]-Amount due for payment (BT-115) = Invoice total amount with VAT (BT-112) -Paid amount (BT-113) +Rounding amount (BT-114).";
    BR_CO_03 = "BR-CO-03", Fatal, "[BR-CO-03]-Value added tax point date (BT-7) and Value added tax point date code (BT-8) are mutually exclusive.";
    BR_CO_15 = "BR-CO-15", Fatal, "[BR-CO-15]-Invoice total amount with VAT (BT-112) = Invoice total amount without VAT (BT-109) + Invoice total VAT amount (BT-110).";
    BR_CO_18 = "BR-CO-18", Fatal, "[BR-CO-18]-An Invoice shall at least have one VAT breakdown group (BG-23).";
    BR_CO_04 = "BR-CO-04", Fatal, "[BR-CO-04]-Each Invoice line (BG-25) shall be categorized with an Invoiced item VAT category code (BT-151).";
    BR_CO_07 = "BR-CO-07", Fatal, "[BR-CO-07]-Invoice line allowance reason code (BT-140) and Invoice line allowance reason (BT-139) shall indicate the same type of allowance reason.";
    BR_CO_23 = "BR-CO-23", Fatal, "[BR-CO-23]-Each Invoice line allowance (BG-27) shall contain an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140), or both.";
    BR_CO_08 = "BR-CO-08", Fatal, "[BR-CO-08]-Invoice line charge reason code (BT-145) and Invoice line charge reason (BT-144) shall indicate the same type of charge reason.";
    BR_CO_24 = "BR-CO-24", Fatal, "[BR-CO-24]-Each Invoice line charge (BG-28) shall contain an Invoice line charge reason (BT-144) or an Invoice line charge reason code (BT-145), or both.";
    BR_CO_20 = "BR-CO-20", Fatal, "[BR-CO-20]-If Invoice line period (BG-26) is used, the Invoice line period start date (BT-134) or the Invoice line period end date (BT-135) shall be filled, or both.";
    BR_CO_19 = "BR-CO-19", Fatal, "[BR-CO-19]-If Invoicing period (BG-14) is used, the Invoicing period start date (BT-73) or the Invoicing period end date (BT-74) shall be filled, or both.";
    BR_CO_26 = "BR-CO-26", Fatal, "[BR-CO-26]-In order for the buyer to automatically identify a supplier, the Seller identifier (BT-29), the Seller legal registration identifier (BT-30) and/or the Seller VAT identifier (BT-31) shall be present.";
    BR_CO_14 = "BR-CO-14", Fatal, "[BR-CO-14]-Invoice total VAT amount (BT-110) = Σ VAT category tax amount (BT-117).";
    BR_CO_17 = "BR-CO-17", Fatal, "[BR-CO-17]-VAT category tax amount (BT-117) = VAT category taxable amount (BT-116) x (VAT category rate (BT-119) / 100), rounded to two decimals.";
    BR_CO_09 = "BR-CO-09", Fatal, "[BR-CO-09]-The Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) shall have a prefix in accordance with ISO code ISO 3166-1 alpha-2 by which the country of issue may be identified. Nevertheless, Greece may use the prefix ‘EL’.";
}

/// Context `/ubl:Invoice | /cn:CreditNote`.
pub(crate) fn root(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let tpd = exists(d, n, &[cbc!("TaxPointDate")]);
    let dc = exists(d, n, &[cac!("InvoicePeriod"), cbc!("DescriptionCode")]);
    ctx.check(&BR_CO_03, n, !(tpd && dc));
    ctx.check(
        &BR_CO_18,
        n,
        exists(d, n, &[cac!("TaxTotal"), cac!("TaxSubtotal")]),
    );
    // every $C in cbc:DocumentCurrencyCode satisfies
    //   count(cac:TaxTotal/xs:decimal(cbc:TaxAmount[@currencyID=$C])) eq 1
    //   and BT-112 = round2(BT-109 + that amount)
    let currencies: Vec<NodeId> = kids(d, n, cbc!("DocumentCurrencyCode")).collect();
    let mut ok = true;
    for c in currencies {
        let cur = xp::string(d, c);
        let mut amounts = Vec::new();
        for t in kids(d, n, cac!("TaxTotal")) {
            amounts.extend(
                kids(d, t, cbc!("TaxAmount")).filter(|&a| d.attr(a, "currencyID") == Some(&*cur)),
            );
        }
        let lmt = kid(d, n, cac!("LegalMonetaryTotal"));
        let incl = lmt.and_then(|l| kid(d, l, cbc!("TaxInclusiveAmount")));
        let excl = lmt.and_then(|l| kid(d, l, cbc!("TaxExclusiveAmount")));
        let incl = ctx.dec(&BR_CO_15, incl);
        let excl = ctx.dec(&BR_CO_15, excl);
        let tax = if amounts.len() == 1 {
            ctx.dec(&BR_CO_15, amounts.first().copied())
        } else {
            None
        };
        ok &= amounts.len() == 1
            && matches!((incl, excl, tax), (Some(i), Some(e), Some(t)) if i == round2(e + t));
    }
    ctx.check(&BR_CO_15, n, ok);
}

/// Context `cac:InvoiceLine | cac:CreditNoteLine`.
pub(crate) fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ok = kids(d, n, cac!("Item"))
        .flat_map(|i| kids(d, i, cac!("ClassifiedTaxCategory")))
        .any(|t| vat_scheme(d, t) && kid(d, t, cbc!("ID")).is_some());
    ctx.check(&BR_CO_04, n, ok);
}

/// Document level allowance: BR-CO-05 is `true()` in 1.3.16 (never fires).
pub(crate) fn doc_allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_CO_05, n, true);
    let ok = super::br_core::has_reason(ctx, n);
    ctx.check(&BR_CO_21, n, ok);
}

/// Document level charge: BR-CO-06 is `true()` (never fires).
pub(crate) fn doc_charge(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_CO_06, n, true);
    let ok = super::br_core::has_reason(ctx, n);
    ctx.check(&BR_CO_22, n, ok);
}

/// Line allowance: BR-CO-07 is `true()` (never fires).
pub(crate) fn line_allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_CO_07, n, true);
    let ok = super::br_core::has_reason(ctx, n);
    ctx.check(&BR_CO_23, n, ok);
}

/// Line charge: BR-CO-08 is `true()` (never fires).
pub(crate) fn line_charge(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_CO_08, n, true);
    let ok = super::br_core::has_reason(ctx, n);
    ctx.check(&BR_CO_24, n, ok);
}

/// Context `cac:InvoicePeriod` (document level).
pub(crate) fn period(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ok = exists(d, n, &[cbc!("StartDate")])
        || exists(d, n, &[cbc!("EndDate")])
        || exists(d, n, &[cbc!("DescriptionCode")]);
    ctx.check(&BR_CO_19, n, ok);
}

/// Context `cac:InvoiceLine/cac:InvoicePeriod`.
pub(crate) fn line_period(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ok = exists(d, n, &[cbc!("StartDate")]) || exists(d, n, &[cbc!("EndDate")]);
    ctx.check(&BR_CO_20, n, ok);
}

/// Context `cac:AccountingSupplierParty`.
pub(crate) fn seller(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let parties: Vec<NodeId> = kids(d, n, cac!("Party")).collect();
    let ok = parties.iter().any(|&p| {
        kids(d, p, cac!("PartyTaxScheme"))
            .any(|t| vat_scheme(d, t) && kid(d, t, cbc!("CompanyID")).is_some())
            || kids(d, p, cac!("PartyIdentification"))
                .flat_map(|i| kids(d, i, cbc!("ID")))
                .any(|id| d.attr(id, "schemeID") != Some("SEPA"))
            || exists(d, p, &[cac!("PartyLegalEntity"), cbc!("CompanyID")])
    });
    ctx.check(&BR_CO_26, n, ok);
}

/// Country prefixes accepted by BR-CO-09, exactly as the official string
/// (with its spaces: `contains` also accepts a shorter or spaced prefix).
const VAT_PREFIXES: &str = " 1A AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH EL ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XI YE YT ZA ZM ZW ";

/// Context `//cac:PartyTaxScheme[VAT]`.
pub(crate) fn vat_identifier(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let id = kid(d, n, cbc!("CompanyID"))
        .map(|c| xp::string(d, c))
        .unwrap_or_default();
    let prefix: String = id.chars().take(2).collect();
    ctx.check(&BR_CO_09, n, VAT_PREFIXES.contains(prefix.as_str()));
}

/// Context `/ubl:Invoice/cac:TaxTotal`.
pub(crate) fn tax_total(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let subs: Vec<NodeId> = kids(d, n, cac!("TaxSubtotal")).collect();
    if subs.is_empty() {
        return;
    }
    let amounts: Vec<NodeId> = subs
        .iter()
        .flat_map(|&s| kids(d, s, cbc!("TaxAmount")))
        .collect();
    let sum = ctx.sum(&BR_CO_14, amounts);
    let total = ctx.dec(&BR_CO_14, kid(d, n, cbc!("TaxAmount")));
    ctx.check(&BR_CO_14, n, total == Some(round2(sum)));
}

/// Context `cac:TaxTotal/cac:TaxSubtotal`: VAT amount = taxable × rate (±1).
pub(crate) fn vat_breakdown(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let pct_node = kids(d, n, cac!("TaxCategory"))
        .filter(|&t| vat_scheme(d, t))
        .find_map(|t| kid(d, t, cbc!("Percent")));
    let pct = ctx.dec(&BR_CO_17, pct_node);
    let tax = ctx.dec(&BR_CO_17, kid(d, n, cbc!("TaxAmount")));
    let base = ctx.dec(&BR_CO_17, kid(d, n, cbc!("TaxableAmount")));
    let one = Decimal::ONE;
    let ok = match (pct, tax) {
        (Some(p), Some(t)) if round(p).is_zero() => round(t).is_zero(),
        (Some(p), Some(t)) => base.is_some_and(|b| {
            let expect = round2(b.abs() * (p / Decimal::ONE_HUNDRED));
            t.abs() - one < expect && t.abs() + one > expect
        }),
        (None, Some(t)) => pct_node.is_none() && round(t).is_zero(),
        (_, None) => false,
    };
    ctx.check(&BR_CO_17, n, ok);
}

/// Context `cac:LegalMonetaryTotal`: the document totals.
pub(crate) fn totals(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let get = |ctx: &mut Ctx<'_>, rule, name| ctx.dec(rule, kid(d, n, cbc(name)));

    // BR-CO-10: `//(cac:InvoiceLine|cac:CreditNoteLine)`.
    let lines: Vec<NodeId> = ctx
        .ix
        .all(Ix::InvoiceLine)
        .iter()
        .chain(ctx.ix.all(Ix::CreditNoteLine))
        .flat_map(|&l| kids(d, l, cbc!("LineExtensionAmount")).collect::<Vec<_>>())
        .collect();
    let sum = ctx.sum(&BR_CO_10, lines);
    let lea = get(ctx, &BR_CO_10, "LineExtensionAmount");
    ctx.check(&BR_CO_10, n, lea == Some(round2(sum)));

    let parent = d.parent(n);
    for (rule, charge, name) in [
        (&BR_CO_11, false, "AllowanceTotalAmount"),
        (&BR_CO_12, true, "ChargeTotalAmount"),
    ] {
        let acs: Vec<NodeId> = parent
            .map(|p| {
                kids(d, p, cac!("AllowanceCharge"))
                    .filter(|&a| charge_is(d, a, charge))
                    .collect()
            })
            .unwrap_or_default();
        let amounts: Vec<NodeId> = acs
            .iter()
            .flat_map(|&a| kids(d, a, cbc!("Amount")))
            .collect();
        let sum = ctx.sum(rule, amounts);
        let total = kid(d, n, cbc(name));
        let value = get(ctx, rule, name);
        let ok = value == Some(round2(sum)) || (total.is_none() && acs.is_empty());
        ctx.check(rule, n, ok);
    }

    let lea = get(ctx, &BR_CO_13, "LineExtensionAmount");
    let charge = get(ctx, &BR_CO_13, "ChargeTotalAmount");
    let allow = get(ctx, &BR_CO_13, "AllowanceTotalAmount");
    let excl = get(ctx, &BR_CO_13, "TaxExclusiveAmount");
    let has_c = exists(d, n, &[cbc!("ChargeTotalAmount")]);
    let has_a = exists(d, n, &[cbc!("AllowanceTotalAmount")]);
    let expect = match (has_c, has_a) {
        (true, true) => lea
            .zip(charge)
            .zip(allow)
            .map(|((l, c), a)| round2(l + c - a)),
        (false, true) => lea.zip(allow).map(|(l, a)| round2(l - a)),
        (true, false) => lea.zip(charge).map(|(l, c)| round2(l + c)),
        (false, false) => lea,
    };
    ctx.check(&BR_CO_13, n, expect.is_some() && excl == expect);

    let payable = get(ctx, &BR_CO_16, "PayableAmount");
    let incl = get(ctx, &BR_CO_16, "TaxInclusiveAmount");
    let prepaid = get(ctx, &BR_CO_16, "PrepaidAmount");
    let rounding = get(ctx, &BR_CO_16, "PayableRoundingAmount");
    let has_p = exists(d, n, &[cbc!("PrepaidAmount")]);
    let has_r = exists(d, n, &[cbc!("PayableRoundingAmount")]);
    let due = match (has_p, has_r) {
        (true, false) => incl.zip(prepaid).map(|(i, p)| round2(i - p)),
        (false, false) => incl,
        (true, true) => incl.zip(prepaid).map(|(i, p)| round2(i - p)),
        (false, true) => incl,
    };
    let paid = if has_r {
        payable.zip(rounding).map(|(a, r)| round2(a - r))
    } else {
        payable
    };
    ctx.check(&BR_CO_16, n, due.is_some() && paid == due);
}
