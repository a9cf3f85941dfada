//! BR-01 … BR-65: the core business rules of EN 16931, CII binding.

use gateway_xml::NodeId;

use super::decls::*;
use super::model::{all, attr_filled1, filled1, one, vat_type1, Facts};
use super::ram;
use crate::ctx::Ctx;
use crate::rule::Rule;
use crate::xp::{self, exists, kid, kids, Step};

const AGREEMENT: [Step; 2] = [
    rsm!("SupplyChainTradeTransaction"),
    ram!("ApplicableHeaderTradeAgreement"),
];

/// `normalize-space(path) != ''` below the root with the agreement prefix.
fn party_filled(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, tail: &[Step]) -> bool {
    let mut p = AGREEMENT.to_vec();
    p.extend_from_slice(tail);
    filled1(ctx, rule, n, &p)
}

fn party_exists(ctx: &Ctx<'_>, n: NodeId, tail: &[Step]) -> bool {
    let mut p = AGREEMENT.to_vec();
    p.extend_from_slice(tail);
    exists(ctx.doc, n, &p)
}

/// `normalize-space(P/ram:URIUniversalCommunication[1]/ram:URIID/@schemeID) != '' or not(P/ram:URIUniversalCommunication)`.
fn endpoint_scheme(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, party: &'static str) -> bool {
    let d = ctx.doc;
    let parties = all(d, n, &[AGREEMENT[0], AGREEMENT[1], ram(party)]);
    let comms: Vec<NodeId> = parties
        .iter()
        .filter_map(|&p| kid(d, p, ram!("URIUniversalCommunication")))
        .collect();
    if comms.is_empty() {
        return true;
    }
    let ids: Vec<NodeId> = comms
        .iter()
        .flat_map(|&c| kids(d, c, ram!("URIID")))
        .collect();
    attr_filled1(ctx, rule, &ids, "schemeID")
}

/// Context `/rsm:CrossIndustryInvoice`.
pub(crate) fn root(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    let guideline = [
        rsm!("ExchangedDocumentContext"),
        ram!("GuidelineSpecifiedDocumentContextParameter"),
        ram!("ID"),
    ];
    let ok = filled1(ctx, &BR_01, n, &guideline);
    ctx.check(&BR_01, n, ok);
    let ok = filled1(ctx, &BR_02, n, &[rsm!("ExchangedDocument"), ram!("ID")]);
    ctx.check(&BR_02, n, ok);
    let issue = [
        rsm!("ExchangedDocument"),
        ram!("IssueDateTime"),
        udt!("DateTimeString"),
    ];
    let dates: Vec<NodeId> = all(d, n, &issue)
        .into_iter()
        .filter(|&x| d.attr(x, "format") == Some("102"))
        .collect();
    let ok = one(ctx, &BR_03, &dates).is_none_or(|x| xp::filled(d, x));
    ctx.check(&BR_03, n, ok);
    let ok = filled1(
        ctx,
        &BR_04,
        n,
        &[rsm!("ExchangedDocument"), ram!("TypeCode")],
    );
    ctx.check(&BR_04, n, ok);
    let currency = [
        rsm!("SupplyChainTradeTransaction"),
        ram!("ApplicableHeaderTradeSettlement"),
        ram!("InvoiceCurrencyCode"),
    ];
    let ok = filled1(ctx, &BR_05, n, &currency);
    ctx.check(&BR_05, n, ok);
    let ok = party_filled(ctx, &BR_06, n, &[ram!("SellerTradeParty"), ram!("Name")]);
    ctx.check(&BR_06, n, ok);
    let ok = party_filled(ctx, &BR_07, n, &[ram!("BuyerTradeParty"), ram!("Name")]);
    ctx.check(&BR_07, n, ok);
    for (party, exists_rule, country_rule) in [
        ("SellerTradeParty", &BR_08, &BR_09),
        ("BuyerTradeParty", &BR_10, &BR_11),
    ] {
        let ok = party_exists(ctx, n, &[ram(party), ram!("PostalTradeAddress")]);
        ctx.check(exists_rule, n, ok);
        let country = [ram(party), ram!("PostalTradeAddress"), ram!("CountryID")];
        let ok = party_filled(ctx, country_rule, n, &country);
        ctx.check(country_rule, n, ok);
    }
    ctx.check(&BR_16, n, facts.any_line);
    let ok = endpoint_scheme(ctx, &BR_62, n, "SellerTradeParty");
    ctx.check(&BR_62, n, ok);
    let ok = endpoint_scheme(ctx, &BR_63, n, "BuyerTradeParty");
    ctx.check(&BR_63, n, ok);
}

/// Context `//ram:SpecifiedTradeSettlementHeaderMonetarySummation`: BR-12..15, BR-53.
pub(crate) fn totals(ctx: &mut Ctx<'_>, n: NodeId, facts: &Facts) {
    let d = ctx.doc;
    ctx.check(&BR_12, n, exists(d, n, &[ram!("LineTotalAmount")]));
    ctx.check(&BR_13, n, exists(d, n, &[ram!("TaxBasisTotalAmount")]));
    ctx.check(&BR_14, n, exists(d, n, &[ram!("GrandTotalAmount")]));
    ctx.check(&BR_15, n, exists(d, n, &[ram!("DuePayableAmount")]));
    let codes = |local: &'static str| -> Vec<String> {
        facts
            .header_settlements
            .iter()
            .flat_map(|&s| kids(d, s, ram(local)))
            .map(|c| xp::string(d, c).into_owned())
            .collect()
    };
    let tax_cur = codes("TaxCurrencyCode");
    let inv_cur = codes("InvoiceCurrencyCode");
    let ok = tax_cur.is_empty()
        || (kids(d, n, ram!("TaxTotalAmount")).any(|t| {
            d.attr(t, "currencyID")
                .is_some_and(|c| tax_cur.iter().any(|x| x == c))
        }) && !tax_cur.iter().any(|t| inv_cur.contains(t)));
    ctx.check(&BR_53, n, ok);
}

/// Context `//ram:IncludedSupplyChainTradeLineItem`: BR-21..28, BR-64.
pub(crate) fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let line_id = [ram!("AssociatedDocumentLineDocument"), ram!("LineID")];
    let ok = filled1(ctx, &BR_21, n, &line_id);
    ctx.check(&BR_21, n, ok);
    let qty = [ram!("SpecifiedLineTradeDelivery"), ram!("BilledQuantity")];
    ctx.check(&BR_22, n, exists(d, n, &qty));
    let unit = all(d, n, &qty)
        .into_iter()
        .any(|q| d.attr(q, "unitCode").is_some());
    ctx.check(&BR_23, n, unit);
    let ok = exists(
        d,
        n,
        &[
            ram!("SpecifiedLineTradeSettlement"),
            ram!("SpecifiedTradeSettlementLineMonetarySummation"),
            ram!("LineTotalAmount"),
        ],
    );
    ctx.check(&BR_24, n, ok);
    let ok = filled1(
        ctx,
        &BR_25,
        n,
        &[ram!("SpecifiedTradeProduct"), ram!("Name")],
    );
    ctx.check(&BR_25, n, ok);
    let net = all(
        d,
        n,
        &[
            ram!("SpecifiedLineTradeAgreement"),
            ram!("NetPriceProductTradePrice"),
            ram!("ChargeAmount"),
        ],
    );
    ctx.check(&BR_26, n, !net.is_empty());
    // `() >= 0` is false: a line without a net price also fails BR-27.
    let ok = ctx.any_num(&BR_27, net, |v| v >= 0.0);
    ctx.check(&BR_27, n, ok);
    let gross = all(
        d,
        n,
        &[
            ram!("SpecifiedLineTradeAgreement"),
            ram!("GrossPriceProductTradePrice"),
            ram!("ChargeAmount"),
        ],
    );
    let ok = gross.is_empty() || ctx.any_num(&BR_28, gross, |v| v >= 0.0);
    ctx.check(&BR_28, n, ok);
    let ids = all(d, n, &[ram!("SpecifiedTradeProduct"), ram!("GlobalID")]);
    let ok = attr_filled1(ctx, &BR_64, &ids, "schemeID") || ids.is_empty();
    ctx.check(&BR_64, n, ok);
}

/// `(../ram:Reason) or (../ram:ReasonCode)` with `ac` = `..`.
pub(crate) fn has_reason(ctx: &Ctx<'_>, ac: NodeId) -> bool {
    exists(ctx.doc, ac, &[ram!("Reason")]) || exists(ctx.doc, ac, &[ram!("ReasonCode")])
}

/// `(../ram:CategoryTradeTax[upper-case(ram:TypeCode) = 'VAT']/ram:CategoryCode)`.
fn vat_category(ctx: &mut Ctx<'_>, rule: &'static Rule, ac: NodeId) -> bool {
    let d = ctx.doc;
    let mut any = false;
    for t in kids(d, ac, ram!("CategoryTradeTax")).collect::<Vec<_>>() {
        any |= vat_type1(ctx, rule, t) && exists(d, t, &[ram!("CategoryCode")]);
    }
    any
}

/// Header allowance (ChargeIndicator context): BR-31..33.
pub(crate) fn doc_allowance(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_31, n, exists(ctx.doc, ac, &[ram!("ActualAmount")]));
    let ok = vat_category(ctx, &BR_32, ac);
    ctx.check(&BR_32, n, ok);
    ctx.check(&BR_33, n, has_reason(ctx, ac));
}

/// Header charge: BR-36..38.
pub(crate) fn doc_charge(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_36, n, exists(ctx.doc, ac, &[ram!("ActualAmount")]));
    let ok = vat_category(ctx, &BR_37, ac);
    ctx.check(&BR_37, n, ok);
    ctx.check(&BR_38, n, has_reason(ctx, ac));
}

/// Line allowance: BR-41, BR-42.
pub(crate) fn line_allowance(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_41, n, exists(ctx.doc, ac, &[ram!("ActualAmount")]));
    ctx.check(&BR_42, n, has_reason(ctx, ac));
}

/// Line charge: BR-43, BR-44.
pub(crate) fn line_charge(ctx: &mut Ctx<'_>, n: NodeId, ac: NodeId) {
    ctx.check(&BR_43, n, exists(ctx.doc, ac, &[ram!("ActualAmount")]));
    ctx.check(&BR_44, n, has_reason(ctx, ac));
}

/// `(End/udt:DateTimeString[@format='102']) >= (Start/…) or not(End) or not(Start)`:
/// untyped against untyped compares as strings.
fn period_ordered(ctx: &Ctx<'_>, n: NodeId) -> bool {
    let d = ctx.doc;
    let strings = |end: &'static str| -> Vec<String> {
        all(d, n, &[ram(end), udt!("DateTimeString")])
            .into_iter()
            .filter(|&x| d.attr(x, "format") == Some("102"))
            .map(|x| xp::string(d, x).into_owned())
            .collect()
    };
    if !exists(d, n, &[ram!("EndDateTime")]) || !exists(d, n, &[ram!("StartDateTime")]) {
        return true;
    }
    let (ends, starts) = (strings("EndDateTime"), strings("StartDateTime"));
    ends.iter().any(|e| starts.iter().any(|s| e >= s))
}

/// Context `//ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod`: BR-30.
pub(crate) fn line_period(ctx: &mut Ctx<'_>, n: NodeId) {
    let ok = period_ordered(ctx, n);
    ctx.check(&BR_30, n, ok);
}

/// Context `//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod`: BR-29.
pub(crate) fn period(ctx: &mut Ctx<'_>, n: NodeId) {
    let ok = period_ordered(ctx, n);
    ctx.check(&BR_29, n, ok);
}

/// Context `//ram:DesignatedProductClassification`: BR-65.
pub(crate) fn classification(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let codes: Vec<NodeId> = kids(d, n, ram!("ClassCode")).collect();
    let ok = attr_filled1(ctx, &BR_65, &codes, "listID") || codes.is_empty();
    ctx.check(&BR_65, n, ok);
}

/// Context `//ram:AdditionalReferencedDocument`: BR-52.
pub(crate) fn additional_document(ctx: &mut Ctx<'_>, n: NodeId) {
    let ok = filled1(ctx, &BR_52, n, &[ram!("IssuerAssignedID")]);
    ctx.check(&BR_52, n, ok);
}

/// Context `//ram:ApplicableTradeSettlementFinancialCard`: BR-51
/// (`string-length(normalize-space(ram:ID)) <= 10`).
pub(crate) fn card(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ids: Vec<NodeId> = kids(d, n, ram!("ID")).collect();
    let Some(id) = one(ctx, &BR_51, &ids) else {
        return;
    };
    let len = id.map_or(0, |i| {
        let s = xp::string(d, i);
        let words: Vec<&str> = s
            .split([' ', '\t', '\r', '\n'])
            .filter(|w| !w.is_empty())
            .collect();
        words.iter().map(|w| w.chars().count()).sum::<usize>() + words.len().saturating_sub(1)
    });
    ctx.check(&BR_51, n, len <= 10);
}

/// Context `…PaymentMeans[TypeCode 30 or 58]/ram:PayeePartyCreditorFinancialAccount`: BR-50, BR-61.
pub(crate) fn credit_transfer_account(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ok = filled1(ctx, &BR_50, n, &[ram!("IBANID")])
        | filled1(ctx, &BR_50, n, &[ram!("ProprietaryID")]);
    ctx.check(&BR_50, n, ok);
    let ok = exists(d, n, &[ram!("IBANID")]) || exists(d, n, &[ram!("ProprietaryID")]);
    ctx.check(&BR_61, n, ok);
}

/// Context `/rsm:…/ram:ApplicableHeaderTradeDelivery`: BR-57.
pub(crate) fn delivery(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let address = [ram!("ShipToTradeParty"), ram!("PostalTradeAddress")];
    let country = [address[0], address[1], ram!("CountryID")];
    let ok = !exists(d, n, &address) || filled1(ctx, &BR_57, n, &country);
    ctx.check(&BR_57, n, ok);
}

/// Context `//ram:ApplicableProductCharacteristic`: BR-54.
pub(crate) fn item_attribute(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ok = exists(d, n, &[ram!("Description")]) && exists(d, n, &[ram!("Value")]);
    ctx.check(&BR_54, n, ok);
}

/// Context `//ram:PayeeTradeParty`: BR-17, the payee differs from the seller.
pub(crate) fn payee(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let seller = d
        .parent(n)
        .and_then(|p| d.parent(p))
        .map(|t| {
            all(
                d,
                t,
                &[
                    ram!("ApplicableHeaderTradeAgreement"),
                    ram!("SellerTradeParty"),
                ],
            )
        })
        .unwrap_or_default();
    let same = |path: &[Step]| {
        let mine: Vec<String> = all(d, n, path)
            .into_iter()
            .map(|x| xp::string(d, x).into_owned())
            .collect();
        seller.iter().any(|&s| {
            all(d, s, path)
                .into_iter()
                .any(|x| mine.iter().any(|m| *m == xp::string(d, x)))
        })
    };
    let ok = exists(d, n, &[ram!("Name")])
        && !same(&[ram!("Name")])
        && !same(&[ram!("ID")])
        && !same(&[ram!("SpecifiedLegalOrganization"), ram!("ID")]);
    ctx.check(&BR_17, n, ok);
}

/// Context `//ram:SpecifiedTradeSettlementPaymentMeans`: BR-49.
pub(crate) fn payment_means(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_49, n, exists(ctx.doc, n, &[ram!("TypeCode")]));
}

/// Context `/rsm:…/ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument`: BR-55.
pub(crate) fn preceding_invoice(ctx: &mut Ctx<'_>, n: NodeId) {
    let ok = filled1(ctx, &BR_55, n, &[ram!("IssuerAssignedID")]);
    ctx.check(&BR_55, n, ok);
}

/// Context `//ram:SellerTaxRepresentativeTradeParty`: BR-18..20, BR-56.
pub(crate) fn tax_representative(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let ok = filled1(ctx, &BR_18, n, &[ram!("Name")]);
    ctx.check(&BR_18, n, ok);
    ctx.check(&BR_19, n, exists(d, n, &[ram!("PostalTradeAddress")]));
    let ok = filled1(
        ctx,
        &BR_20,
        n,
        &[ram!("PostalTradeAddress"), ram!("CountryID")],
    );
    ctx.check(&BR_20, n, ok);
    let vat: Vec<NodeId> = all(d, n, &[ram!("SpecifiedTaxRegistration"), ram!("ID")])
        .into_iter()
        .filter(|&i| d.attr(i, "schemeID") == Some("VA"))
        .collect();
    let ok = one(ctx, &BR_56, &vat).is_none_or(|x| xp::filled(d, x));
    ctx.check(&BR_56, n, ok);
}

/// Generic header `ram:ApplicableTradeTax` context: BR-45..48.
pub(crate) fn vat_breakdown(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_45, n, exists(d, n, &[ram!("BasisAmount")]));
    ctx.check(&BR_46, n, exists(d, n, &[ram!("CalculatedAmount")]));
    let vat = vat_type1(ctx, &BR_47, n);
    ctx.check(&BR_47, n, vat && exists(d, n, &[ram!("CategoryCode")]));
    let ok = vat
        && (exists(d, n, &[ram!("RateApplicablePercent")])
            || kids(d, n, ram!("CategoryCode")).any(|c| xp::string(d, c) == "O"));
    ctx.check(&BR_48, n, ok);
}
