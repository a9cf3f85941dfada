//! BR-DEC-*: at most two decimals in amounts, counted as the official
//! `string-length(substring-after(x, '.')) <= 2` (on the raw text).

use gateway_xml::NodeId;

use crate::ctx::Ctx;
use crate::rule::{rules, Rule};
use crate::xp::{cbc, decimals_at_most, kid};

rules! {
    BR_DEC_01 = "BR-DEC-01", Fatal, "[BR-DEC-01]-The allowed maximum number of decimals for the Document level allowance amount (BT-92) is 2.";
    BR_DEC_02 = "BR-DEC-02", Fatal, "[BR-DEC-02]-The allowed maximum number of decimals for the Document level allowance base amount (BT-93) is 2.";
    BR_DEC_05 = "BR-DEC-05", Fatal, "[BR-DEC-05]-The allowed maximum number of decimals for the Document level charge amount (BT-99) is 2.";
    BR_DEC_06 = "BR-DEC-06", Fatal, "[BR-DEC-06]-The allowed maximum number of decimals for the Document level charge base amount (BT-100) is 2.";
    BR_DEC_09 = "BR-DEC-09", Fatal, "[BR-DEC-09]-The allowed maximum number of decimals for the Sum of Invoice line net amount (BT-106) is 2.";
    BR_DEC_10 = "BR-DEC-10", Fatal, "[BR-DEC-10]-The allowed maximum number of decimals for the Sum of allowanced on document level (BT-107) is 2.";
    BR_DEC_11 = "BR-DEC-11", Fatal, "[BR-DEC-11]-The allowed maximum number of decimals for the Sum of charges on document level (BT-108) is 2.";
    BR_DEC_12 = "BR-DEC-12", Fatal, "[BR-DEC-12]-The allowed maximum number of decimals for the Invoice total amount without VAT (BT-109) is 2.";
    BR_DEC_14 = "BR-DEC-14", Fatal, "[BR-DEC-14]-The allowed maximum number of decimals for the Invoice total amount with VAT (BT-112) is 2.";
    BR_DEC_16 = "BR-DEC-16", Fatal, "[BR-DEC-16]-The allowed maximum number of decimals for the Paid amount (BT-113) is 2.";
    BR_DEC_17 = "BR-DEC-17", Fatal, "[BR-DEC-17]-The allowed maximum number of decimals for the Rounding amount (BT-114) is 2.";
    BR_DEC_18 = "BR-DEC-18", Fatal, "[BR-DEC-18]-The allowed maximum number of decimals for the Amount due for payment (BT-115) is 2.";
    BR_DEC_13 = "BR-DEC-13", Fatal, "[BR-DEC-13]-The allowed maximum number of decimals for the Invoice total VAT amount (BT-110) is 2.";
    BR_DEC_15 = "BR-DEC-15", Fatal, "[BR-DEC-15]-The allowed maximum number of decimals for the Invoice total VAT amount in accounting currency (BT-111) is 2.";
    BR_DEC_23 = "BR-DEC-23", Fatal, "[BR-DEC-23]-The allowed maximum number of decimals for the Invoice line net amount (BT-131) is 2.";
    BR_DEC_24 = "BR-DEC-24", Fatal, "[BR-DEC-24]-The allowed maximum number of decimals for the Invoice line allowance amount (BT-136) is 2.";
    BR_DEC_25 = "BR-DEC-25", Fatal, "[BR-DEC-25]-The allowed maximum number of decimals for the Invoice line allowance base amount (BT-137) is 2.";
    BR_DEC_27 = "BR-DEC-27", Fatal, "[BR-DEC-27]-The allowed maximum number of decimals for the Invoice line charge amount (BT-141) is 2.";
    BR_DEC_28 = "BR-DEC-28", Fatal, "[BR-DEC-28]-The allowed maximum number of decimals for the Invoice line charge base amount (BT-142) is 2.";
    BR_DEC_19 = "BR-DEC-19", Fatal, "[BR-DEC-19]-The allowed maximum number of decimals for the VAT category taxable amount (BT-116) is 2.";
    BR_DEC_20 = "BR-DEC-20", Fatal, "[BR-DEC-20]-The allowed maximum number of decimals for the VAT category tax amount (BT-117) is 2.";
}

fn two(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, child: &'static str) {
    let ok = decimals_at_most(ctx.doc, kid(ctx.doc, n, cbc(child)), 2);
    ctx.check(rule, n, ok);
}

/// Document level allowance (BG-20).
pub(crate) fn doc_allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_01, n, "Amount");
    two(ctx, &BR_DEC_02, n, "BaseAmount");
}

/// Document level charge (BG-21).
pub(crate) fn doc_charge(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_05, n, "Amount");
    two(ctx, &BR_DEC_06, n, "BaseAmount");
}

/// Document totals (BG-22).
pub(crate) fn totals(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_09, n, "LineExtensionAmount");
    two(ctx, &BR_DEC_10, n, "AllowanceTotalAmount");
    two(ctx, &BR_DEC_11, n, "ChargeTotalAmount");
    two(ctx, &BR_DEC_12, n, "TaxExclusiveAmount");
    two(ctx, &BR_DEC_14, n, "TaxInclusiveAmount");
    two(ctx, &BR_DEC_16, n, "PrepaidAmount");
    two(ctx, &BR_DEC_17, n, "PayableRoundingAmount");
    two(ctx, &BR_DEC_18, n, "PayableAmount");
}

/// Root. BR-DEC-13 and BR-DEC-15 never fire in 1.3.16: their predicate
/// `cbc:TaxAmount[@currencyID = cbc:DocumentCurrencyCode]` looks for a child
/// of `TaxAmount`, so it selects nothing and the assertion holds.
pub(crate) fn root(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_DEC_13, n, true);
    ctx.check(&BR_DEC_15, n, true);
}

/// Invoice line (BG-25).
pub(crate) fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_23, n, "LineExtensionAmount");
}

/// Line allowance (BG-27).
pub(crate) fn line_allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_24, n, "Amount");
    two(ctx, &BR_DEC_25, n, "BaseAmount");
}

/// Line charge (BG-28).
pub(crate) fn line_charge(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_27, n, "Amount");
    two(ctx, &BR_DEC_28, n, "BaseAmount");
}

/// VAT breakdown (BG-23).
pub(crate) fn vat_breakdown(ctx: &mut Ctx<'_>, n: NodeId) {
    two(ctx, &BR_DEC_19, n, "TaxableAmount");
    two(ctx, &BR_DEC_20, n, "TaxAmount");
}
