//! PEPPOL-EN16931-R*: the transaction rules of the Peppol layer (the
//! leading rules of its main pattern, in their official order; contexts
//! further down the pattern cannot take these elements away).

use crate::xp::norm;
use gateway_xml::names::CAC;
use gateway_xml::names::CBC_NS;
use gateway_xml::{Document, NodeId, NodeKind};
use rust_decimal::Decimal;

use super::self_billing::{self, Layer};
use crate::ctx::Ctx;
use crate::rule::rules;
use crate::xp::{self, cac, cbc, exists, first, kid, kids};

rules! {
    R008 = "PEPPOL-EN16931-R008", Fatal, "[PEPPOL-EN16931-R008]-Document MUST not contain empty elements.";
    R080 = "PEPPOL-EN16931-R080", Fatal, "[PEPPOL-EN16931-R080]-Only one project reference is allowed on document level";
    R001 = "PEPPOL-EN16931-R001", Fatal, "[PEPPOL-EN16931-R001]-Business process MUST be provided.";
    R007 = "PEPPOL-EN16931-R007", Fatal, "[PEPPOL-EN16931-R007]-Business process MUST have an approved identifier.";
    R002 = "PEPPOL-EN16931-R002", Fatal, "[PEPPOL-EN16931-R002]-No more than one note is allowed on document level, unless both the buyer and seller are German organizations.";
    R003 = "PEPPOL-EN16931-R003", Fatal, "[PEPPOL-EN16931-R003]-A buyer reference or purchase order reference MUST be provided.";
    R004 = "PEPPOL-EN16931-R004", Fatal, "[PEPPOL-EN16931-R004]-Specification identifier MUST begin with the value 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0' and follow the format rules for the identifier.";
    R053 = "PEPPOL-EN16931-R053", Fatal, "[PEPPOL-EN16931-R053]-Only one tax total with tax subtotals MUST be provided.";
    R054 = "PEPPOL-EN16931-R054", Fatal, "[PEPPOL-EN16931-R054]-Only one tax total without tax subtotals MUST be provided when tax currency code is provided.";
    R055 = "PEPPOL-EN16931-R055", Fatal, "[PEPPOL-EN16931-R055]-Invoice total VAT amount and Invoice total VAT amount in accounting currency MUST have the same operational sign";
    R005 = "PEPPOL-EN16931-R005", Fatal, "[PEPPOL-EN16931-R005]-VAT accounting currency code MUST be different from invoice currency code when provided.";
    R010 = "PEPPOL-EN16931-R010", Fatal, "[PEPPOL-EN16931-R010]-Buyer electronic address MUST be provided";
    R020 = "PEPPOL-EN16931-R020", Fatal, "[PEPPOL-EN16931-R020]-Seller electronic address MUST be provided";
    R041 = "PEPPOL-EN16931-R041", Fatal, "[PEPPOL-EN16931-R041]-Allowance/charge base amount MUST be provided when allowance/charge percentage is provided.";
    R042 = "PEPPOL-EN16931-R042", Fatal, "[PEPPOL-EN16931-R042]-Allowance/charge percentage MUST be provided when allowance/charge base amount is provided.";
    R040 = "PEPPOL-EN16931-R040", Fatal, "[PEPPOL-EN16931-R040]-Allowance/charge amount must equal base amount * percentage/100 if base amount and percentage exists";
    R043 = "PEPPOL-EN16931-R043", Fatal, "[PEPPOL-EN16931-R043]-Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'";
    R061 = "PEPPOL-EN16931-R061", Fatal, "[PEPPOL-EN16931-R061]-Mandate reference MUST be provided for direct debit.";
    R051 = "PEPPOL-EN16931-R051", Fatal, "[PEPPOL-EN16931-R051]-All currencyID attributes must have the same value as the invoice currency code (BT-5), except for the invoice total VAT amount in accounting currency (BT-111).";
}

/// `normalize-space()`.
/// Pattern `//*[not(*) and not(normalize-space())]`: R008, empty elements.
pub(crate) fn empty_elements(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    if d.elements(n).next().is_some() {
        return;
    }
    let empty = d
        .children(n)
        .filter(|&c| d.kind(c) == NodeKind::Text)
        .all(|c| xp::blank(d.node_text(c)));
    ctx.check(&R008, n, !empty);
}

/// Business process ids that make `$profile` '01' or '02'.
pub(crate) const PROFILES: [&str; 4] = [
    "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
    "urn:peppol:france:billing:regulated",
    "urn:peppol:france:billing:non-regulated",
    "urn:peppol:bis:billing_with_response",
];

const CUSTOMIZATION: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";

fn is_root_doc(d: &Document, n: NodeId) -> bool {
    d.is_named(n, crate::xp::INVOICE) || d.is_named(n, crate::xp::CREDIT_NOTE)
}

/// Document-level values the element rules compare with, read once.
pub(crate) struct DocFacts {
    /// `$documentCurrencyCode`: the string values of `/*/cbc:DocumentCurrencyCode`.
    currency: Vec<String>,
    /// Billing or self-billing Schematron.
    layer: Layer,
}

impl DocFacts {
    pub(crate) fn collect(d: &Document, layer: Layer) -> DocFacts {
        DocFacts {
            layer,
            currency: kids(d, d.root(), cbc!("DocumentCurrencyCode"))
                .map(|c| xp::string(d, c).into_owned())
                .collect(),
        }
    }
}

/// The main pattern's first rules; each element takes the first that matches.
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId, facts: &DocFacts) {
    let d = ctx.doc;
    let root = d.root();
    let name = ctx.name(n);
    if n == root && d.is_named(n, crate::xp::CREDIT_NOTE) {
        // A pattern of its own.
        let c = kids(d, n, cac!("AdditionalDocumentReference"))
            .filter(|&a| kids(d, a, cbc!("DocumentTypeCode")).any(|c| xp::string(d, c) == "50"))
            .count();
        ctx.check(&R080, n, c <= 1);
    }
    let parent = d.parent(n);
    let in_party = |of: &str| name.is(cac!("Party")) && parent.is_some_and(|p| d.is(p, CAC, of));
    if n == root && is_root_doc(d, n) {
        document(ctx, n, facts.layer);
    } else if name.is(cbc!("TaxCurrencyCode")) {
        let mine = norm(&text_nodes(d, n));
        let doc_cc = parent
            .and_then(|p| kid(d, p, cbc!("DocumentCurrencyCode")))
            .map(|c| norm(&text_nodes(d, c)))
            .unwrap_or_default();
        ctx.check(&R005, n, mine != doc_cc);
    } else if in_party("AccountingCustomerParty") {
        ctx.check(&R010, n, exists(d, n, &[cbc!("EndpointID")]));
    } else if in_party("AccountingSupplierParty") {
        ctx.check(&R020, n, exists(d, n, &[cbc!("EndpointID")]));
    } else if name.is(cac!("AllowanceCharge")) && allowance_context(d, n) {
        allowance(ctx, n);
    } else if name.is(cac!("PaymentMeans")) && direct_debit(d, n) {
        ctx.check(
            &R061,
            n,
            exists(d, n, &[cac!("PaymentMandate"), cbc!("ID")]),
        );
    } else if name.in_ns(CBC_NS) && currency_context(d, n, name.local, facts.layer) {
        let ok = d
            .attr(n, "currencyID")
            .is_some_and(|a| facts.currency.iter().any(|c| c == a));
        ctx.check(&R051, n, ok);
    } else {
        super::lines::visit(ctx, n);
    }
}

/// `text()` children concatenated (the rules use `x/text()` on leaves).
fn text_nodes(d: &Document, n: NodeId) -> String {
    d.children(n)
        .filter(|&c| d.kind(c) == NodeKind::Text)
        .map(|c| d.node_text(c))
        .collect()
}

/// Context `ubl-creditnote:CreditNote | ubl-invoice:Invoice`.
fn document(ctx: &mut Ctx<'_>, n: NodeId, layer: Layer) {
    let d = ctx.doc;
    let profile = kid(d, n, cbc!("ProfileID")).map(|p| norm(&xp::string(d, p)));
    ctx.check(&R001, n, profile.is_some());
    let known = |p: &str| match layer {
        Layer::Billing => PROFILES.contains(&p),
        Layer::SelfBilling => self_billing::known_profile(p),
    };
    ctx.check(&R007, n, profile.is_some_and(|p| known(&p)));
    let country_is_de = |party: &'static str| {
        first(
            d,
            n,
            &[
                cac(party),
                cac!("Party"),
                cac!("PostalAddress"),
                cac!("Country"),
                cbc!("IdentificationCode"),
            ],
        )
        .is_some_and(|c| norm(&xp::string(d, c)).to_uppercase() == "DE")
    };
    let notes = kids(d, n, cbc!("Note")).count();
    ctx.check(
        &R002,
        n,
        notes <= 1
            || (country_is_de("AccountingSupplierParty")
                && country_is_de("AccountingCustomerParty")),
    );
    ctx.check(
        &R003,
        n,
        exists(d, n, &[cbc!("BuyerReference")])
            || exists(d, n, &[cac!("OrderReference"), cbc!("ID")]),
    );
    let cust = kid(d, n, cbc!("CustomizationID"))
        .map(|c| norm(&text_nodes(d, c)))
        .unwrap_or_default();
    let (r004, prefix) = match layer {
        Layer::Billing => (&R004, CUSTOMIZATION),
        Layer::SelfBilling => (&self_billing::R004, self_billing::CUSTOMIZATION),
    };
    ctx.check(r004, n, cust.starts_with(prefix) && !cust.contains("::"));
    let totals: Vec<NodeId> = kids(d, n, cac!("TaxTotal")).collect();
    let with_sub = totals
        .iter()
        .filter(|&&t| exists(d, t, &[cac!("TaxSubtotal")]))
        .count();
    ctx.check(&R053, n, with_sub == 1);
    let has_tcc = exists(d, n, &[cbc!("TaxCurrencyCode")]);
    ctx.check(&R054, n, totals.len() - with_sub == usize::from(has_tcc));
    if has_tcc {
        let code = |l: &'static str| {
            kid(d, n, cbc(l))
                .map(|c| norm(&xp::string(d, c)))
                .unwrap_or_default()
        };
        let (tcc, dcc) = (code("TaxCurrencyCode"), code("DocumentCurrencyCode"));
        let amounts = |cur: &str| -> Vec<NodeId> {
            totals
                .iter()
                .flat_map(|&t| kids(d, t, cbc!("TaxAmount")))
                .filter(|&a| d.attr(a, "currencyID") == Some(cur))
                .collect()
        };
        let (ta, da) = (amounts(&tcc), amounts(&dcc));
        let le =
            |ctx: &mut Ctx<'_>, v: &[NodeId]| ctx.any_num(&R055, v.iter().copied(), |x| x <= 0.0);
        let ge =
            |ctx: &mut Ctx<'_>, v: &[NodeId]| ctx.any_num(&R055, v.iter().copied(), |x| x >= 0.0);
        let neg = le(ctx, &ta) && le(ctx, &da);
        let pos = ge(ctx, &ta) && ge(ctx, &da);
        ctx.check(&R055, n, neg || pos);
    }
}

/// `Invoice/AllowanceCharge | Invoice/InvoiceLine/AllowanceCharge` (and the
/// credit note forms): document level or on a line of the matching kind.
fn allowance_context(d: &Document, n: NodeId) -> bool {
    let root = d.root();
    let Some(p) = d.parent(n) else { return false };
    if p == root {
        return is_root_doc(d, root);
    }
    let line = if d.is_named(root, crate::xp::INVOICE) {
        "InvoiceLine"
    } else {
        "CreditNoteLine"
    };
    d.is(p, CAC, line) && d.parent(p) == Some(root)
}

/// R041 / R042 / (R040 + R043): the first matching context wins.
fn allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let mfn = kid(d, n, cbc!("MultiplierFactorNumeric"));
    let base = kid(d, n, cbc!("BaseAmount"));
    match (mfn, base) {
        (Some(_), None) => ctx.check(&R041, n, false),
        (None, Some(_)) => ctx.check(&R042, n, false),
        _ => {
            let ok = match (mfn, base) {
                (Some(m), Some(b)) => {
                    let amount = match kid(d, n, cbc!("Amount")) {
                        Some(a) => ctx.dec(&R040, Some(a)),
                        None => Some(Decimal::ZERO),
                    };
                    let m = ctx.dec(&R040, Some(m));
                    let b = ctx.dec(&R040, Some(b));
                    let slack = Decimal::new(2, 2);
                    match (amount, m, b) {
                        (Some(a), Some(m), Some(b)) => {
                            let val = b * m / Decimal::ONE_HUNDRED;
                            a + slack >= val && a - slack <= val
                        }
                        _ => false,
                    }
                }
                _ => true,
            };
            ctx.check(&R040, n, ok);
            let ci = kid(d, n, cbc!("ChargeIndicator"))
                .map(|c| norm(&text_nodes(d, c)))
                .unwrap_or_default();
            ctx.check(&R043, n, ci == "true" || ci == "false");
        }
    }
}

/// `cac:PaymentMeans[normalize-space(cbc:PaymentMeansCode) = ('49', '59')]`.
fn direct_debit(d: &Document, n: NodeId) -> bool {
    kid(d, n, cbc!("PaymentMeansCode"))
        .is_some_and(|c| matches!(norm(&xp::string(d, c)).as_str(), "49" | "59"))
}

/// The R051 context: amounts in the document currency (the self-billing
/// layer leaves out `cac:TaxSubtotal/cbc:TaxAmount`).
fn currency_context(d: &Document, n: NodeId, local: &str, layer: Layer) -> bool {
    match local {
        "Amount"
        | "BaseAmount"
        | "PriceAmount"
        | "TaxableAmount"
        | "LineExtensionAmount"
        | "TaxExclusiveAmount"
        | "TaxInclusiveAmount"
        | "AllowanceTotalAmount"
        | "ChargeTotalAmount"
        | "PrepaidAmount"
        | "PayableRoundingAmount"
        | "PayableAmount" => true,
        "TaxAmount" => d.parent(n).is_some_and(|p| {
            (layer == Layer::Billing && d.is_named(p, cac!("TaxSubtotal")))
                || (d.is_named(p, cac!("TaxTotal")) && exists(d, p, &[cac!("TaxSubtotal")]))
        }),
        _ => false,
    }
}
