//! BR-01 … BR-65: the core business rules of EN 16931 (UBL binding).

use gateway_xml::NodeId;

use crate::ctx::Ctx;
use crate::index::Ix;
use crate::rule::rules;
use crate::xp::{self, exists, filled_at, kid, kids, vat_scheme};

rules! {
    BR_52 = "BR-52", Fatal, "[BR-52]-Each Additional supporting document (BG-24) shall contain a Supporting document reference (BT-122).";
    BR_63 = "BR-63", Fatal, "[BR-63]-The Buyer electronic address (BT-49) shall have a Scheme identifier.";
    BR_11 = "BR-11", Fatal, "[BR-11]-The Buyer postal address shall contain a Buyer country code (BT-55).";
    BR_51 = "BR-51", Warning, "[BR-51]-In accordance with card payments security standards an invoice should never include a full card primary account number (BT-87). At the moment PCI Security Standards Council has defined that the first 6 digits and last 4 digits are the maximum number of digits to be shown.";
    BR_57 = "BR-57", Fatal, "[BR-57]-Each Deliver to address (BG-15) shall contain a Deliver to country code (BT-80).";
    BR_31 = "BR-31", Fatal, "[BR-31]-Each Document level allowance (BG-20) shall have a Document level allowance amount (BT-92).";
    BR_32 = "BR-32", Fatal, "[BR-32]-Each Document level allowance (BG-20) shall have a Document level allowance VAT category code (BT-95).";
    BR_33 = "BR-33", Fatal, "[BR-33]-Each Document level allowance (BG-20) shall have a Document level allowance reason (BT-97) or a Document level allowance reason code (BT-98).";
    BR_36 = "BR-36", Fatal, "[BR-36]-Each Document level charge (BG-21) shall have a Document level charge amount (BT-99).";
    BR_37 = "BR-37", Fatal, "[BR-37]-Each Document level charge (BG-21) shall have a Document level charge VAT category code (BT-102).";
    BR_38 = "BR-38", Fatal, "[BR-38]-Each Document level charge (BG-21) shall have a Document level charge reason (BT-104) or a Document level charge reason code (BT-105).";
    BR_12 = "BR-12", Fatal, "[BR-12]-An Invoice shall have the Sum of Invoice line net amount (BT-106).";
    BR_13 = "BR-13", Fatal, "[BR-13]-An Invoice shall have the Invoice total amount without VAT (BT-109).";
    BR_14 = "BR-14", Fatal, "[BR-14]-An Invoice shall have the Invoice total amount with VAT (BT-112).";
    BR_15 = "BR-15", Fatal, "[BR-15]-An Invoice shall have the Amount due for payment (BT-115).";
    BR_01 = "BR-01", Fatal, "[BR-01]-An Invoice shall have a Specification identifier (BT-24).";
    BR_02 = "BR-02", Fatal, "[BR-02]-An Invoice shall have an Invoice number (BT-1).";
    BR_03 = "BR-03", Fatal, "[BR-03]-An Invoice shall have an Invoice issue date (BT-2).";
    BR_04 = "BR-04", Fatal, "[BR-04]-An Invoice shall have an Invoice type code (BT-3).";
    BR_05 = "BR-05", Fatal, "[BR-05]-An Invoice shall have an Invoice currency code (BT-5).";
    BR_06 = "BR-06", Fatal, "[BR-06]-An Invoice shall contain the Seller name (BT-27).";
    BR_07 = "BR-07", Fatal, "[BR-07]-An Invoice shall contain the Buyer name (BT-44).";
    BR_08 = "BR-08", Fatal, "[BR-08]-An Invoice shall contain the Seller postal address.";
    BR_10 = "BR-10", Fatal, "[BR-10]-An Invoice shall contain the Buyer postal address (BG-8).";
    BR_16 = "BR-16", Fatal, "[BR-16]-An Invoice shall have at least one Invoice line (BG-25)";
    BR_53 = "BR-53", Fatal, "[BR-53]-If the VAT accounting currency code (BT-6) is present, then the Invoice total VAT amount in accounting currency (BT-111) shall be provided.";
    BR_21 = "BR-21", Fatal, "[BR-21]-Each Invoice line (BG-25) shall have an Invoice line identifier (BT-126).";
    BR_22 = "BR-22", Fatal, "[BR-22]-Each Invoice line (BG-25) shall have an Invoiced quantity (BT-129).";
    BR_23 = "BR-23", Fatal, "[BR-23]-An Invoice line (BG-25) shall have an Invoiced quantity unit of measure code (BT-130).";
    BR_24 = "BR-24", Fatal, "[BR-24]-Each Invoice line (BG-25) shall have an Invoice line net amount (BT-131).";
    BR_25 = "BR-25", Fatal, "[BR-25]-Each Invoice line (BG-25) shall contain the Item name (BT-153).";
    BR_26 = "BR-26", Fatal, "[BR-26]-Each Invoice line (BG-25) shall contain the Item net price (BT-146).";
    BR_27 = "BR-27", Fatal, "[BR-27]-The Item net price (BT-146) shall NOT be negative.";
    BR_28 = "BR-28", Fatal, "[BR-28]-The Item gross price (BT-148) shall NOT be negative.";
    BR_41 = "BR-41", Fatal, "[BR-41]-Each Invoice line allowance (BG-27) shall have an Invoice line allowance amount (BT-136).";
    BR_42 = "BR-42", Fatal, "[BR-42]-Each Invoice line allowance (BG-27) shall have an Invoice line allowance reason (BT-139) or an Invoice line allowance reason code (BT-140).";
    BR_43 = "BR-43", Fatal, "[BR-43]-Each Invoice line charge (BG-28) shall have an Invoice line charge amount (BT-141).";
    BR_44 = "BR-44", Fatal, "[BR-44]-Each Invoice line charge shall have an Invoice line charge reason or an invoice line allowance reason code.";
    BR_30 = "BR-30", Fatal, "[BR-30]-If both Invoice line period start date (BT-134) and Invoice line period end date (BT-135) are given then the Invoice line period end date (BT-135) shall be later or equal to the Invoice line period start date (BT-134).";
    BR_29 = "BR-29", Fatal, "[BR-29]-If both Invoicing period start date (BT-73) and Invoicing period end date (BT-74) are given then the Invoicing period end date (BT-74) shall be later or equal to the Invoicing period start date (BT-73).";
    BR_54 = "BR-54", Fatal, "[BR-54]-Each Item attribute (BG-32) shall contain an Item attribute name (BT-160) and an Item attribute value (BT-161).";
    BR_65 = "BR-65", Fatal, "[BR-65]-The Item classification identifier (BT-158) shall have a Scheme identifier.";
    BR_64 = "BR-64", Fatal, "[BR-64]-The Item standard identifier (BT-157) shall have a Scheme identifier.";
    BR_17 = "BR-17", Fatal, "[BR-17]-The Payee name (BT-59) shall be provided in the Invoice, if the Payee (BG-10) is different from the Seller (BG-4)";
    BR_50 = "BR-50", Fatal, "[BR-50]-A Payment account identifier (BT-84) shall be present if Credit transfer (BG-17) information is provided in the Invoice.";
    BR_49 = "BR-49", Fatal, "[BR-49]-A Payment instruction (BG-16) shall specify the Payment means type code (BT-81).";
    BR_61 = "BR-61", Fatal, "[BR-61]-If the Payment means type code (BT-81) means SEPA credit transfer, Local credit transfer or Non-SEPA international credit transfer, the Payment account identifier (BT-84) shall be present.";
    BR_55 = "BR-55", Fatal, "[BR-55]-Each Preceding Invoice reference (BG-3) shall contain a Preceding Invoice reference (BT-25).";
    BR_62 = "BR-62", Fatal, "[BR-62]-The Seller electronic address (BT-34) shall have a Scheme identifier.";
    BR_09 = "BR-09", Fatal, "[BR-09]-The Seller postal address (BG-5) shall contain a Seller country code (BT-40).";
    BR_18 = "BR-18", Fatal, "[BR-18]-The Seller tax representative name (BT-62) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11)";
    BR_19 = "BR-19", Fatal, "[BR-19]-The Seller tax representative postal address (BG-12) shall be provided in the Invoice, if the Seller (BG-4) has a Seller tax representative party (BG-11).";
    BR_56 = "BR-56", Fatal, "[BR-56]-Each Seller tax representative party (BG-11) shall have a Seller tax representative VAT identifier (BT-63).";
    BR_20 = "BR-20", Fatal, "[BR-20]-The Seller tax representative postal address (BG-12) shall contain a Tax representative country code (BT-69), if the Seller (BG-4) has a Seller tax representative party (BG-11).";
    BR_45 = "BR-45", Fatal, "[BR-45]-Each VAT breakdown (BG-23) shall have a VAT category taxable amount (BT-116).";
    BR_46 = "BR-46", Fatal, "[BR-46]-Each VAT breakdown (BG-23) shall have a VAT category tax amount (BT-117).";
    BR_47 = "BR-47", Fatal, "[BR-47]-Each VAT breakdown (BG-23) shall be defined through a VAT category code (BT-118).";
    BR_48 = "BR-48", Fatal, "[BR-48]-Each VAT breakdown (BG-23) shall have a VAT category rate (BT-119), except if the Invoice is not subject to VAT.";
}

/// Context `/ubl:Invoice | /cn:CreditNote`.
pub(crate) fn root(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_01, n, filled_at(d, n, &[cbc!("CustomizationID")]));
    ctx.check(&BR_02, n, filled_at(d, n, &[cbc!("ID")]));
    ctx.check(&BR_03, n, filled_at(d, n, &[cbc!("IssueDate")]));
    ctx.check(
        &BR_04,
        n,
        filled_at(d, n, &[cbc!("InvoiceTypeCode")])
            || filled_at(d, n, &[cbc!("CreditNoteTypeCode")]),
    );
    ctx.check(&BR_05, n, filled_at(d, n, &[cbc!("DocumentCurrencyCode")]));
    let seller = [cac!("AccountingSupplierParty"), cac!("Party")];
    let buyer = [cac!("AccountingCustomerParty"), cac!("Party")];
    ctx.check(
        &BR_06,
        n,
        filled_at(
            d,
            n,
            &[
                seller[0],
                seller[1],
                cac!("PartyLegalEntity"),
                cbc!("RegistrationName"),
            ],
        ),
    );
    ctx.check(
        &BR_07,
        n,
        filled_at(
            d,
            n,
            &[
                buyer[0],
                buyer[1],
                cac!("PartyLegalEntity"),
                cbc!("RegistrationName"),
            ],
        ),
    );
    ctx.check(
        &BR_08,
        n,
        exists(d, n, &[seller[0], seller[1], cac!("PostalAddress")]),
    );
    ctx.check(
        &BR_10,
        n,
        exists(d, n, &[buyer[0], buyer[1], cac!("PostalAddress")]),
    );
    ctx.check(
        &BR_16,
        n,
        exists(d, n, &[cac!("InvoiceLine")]) || exists(d, n, &[cac!("CreditNoteLine")]),
    );
    // every $c in cbc:TaxCurrencyCode satisfies exists(//cac:TaxTotal/cbc:TaxAmount[@currencyID=$c])
    let ok = kids(d, n, cbc!("TaxCurrencyCode")).all(|c| {
        let cur = xp::string(d, c);
        ctx.ix
            .all(Ix::TaxTotal)
            .iter()
            .any(|&t| kids(d, t, cbc!("TaxAmount")).any(|a| d.attr(a, "currencyID") == Some(&*cur)))
    });
    ctx.check(&BR_53, n, ok);
}

/// Context `cac:InvoiceLine | cac:CreditNoteLine`.
pub(crate) fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_21, n, filled_at(d, n, &[cbc!("ID")]));
    let qty = kid(d, n, cbc!("InvoicedQuantity")).or_else(|| kid(d, n, cbc!("CreditedQuantity")));
    ctx.check(&BR_22, n, qty.is_some());
    let unit = kids(d, n, cbc!("InvoicedQuantity"))
        .chain(kids(d, n, cbc!("CreditedQuantity")))
        .any(|q| d.attr(q, "unitCode").is_some());
    ctx.check(&BR_23, n, unit);
    ctx.check(&BR_24, n, exists(d, n, &[cbc!("LineExtensionAmount")]));
    ctx.check(&BR_25, n, filled_at(d, n, &[cac!("Item"), cbc!("Name")]));
    ctx.check(
        &BR_26,
        n,
        exists(d, n, &[cac!("Price"), cbc!("PriceAmount")]),
    );
    let mut prices = Vec::new();
    xp::each(d, n, &[cac!("Price"), cbc!("PriceAmount")], &mut |p| {
        prices.push(p)
    });
    // `() >= 0` is false: a line without a price also fails BR-27.
    let ok = ctx.any_num(&BR_27, prices, |v| v >= 0.0);
    ctx.check(&BR_27, n, ok);
    let mut gross = Vec::new();
    xp::each(
        d,
        n,
        &[cac!("Price"), cac!("AllowanceCharge"), cbc!("BaseAmount")],
        &mut |p| gross.push(p),
    );
    let ok = gross.is_empty() || ctx.any_num(&BR_28, gross, |v| v >= 0.0);
    ctx.check(&BR_28, n, ok);
}

/// Context `/ubl:Invoice/cac:AllowanceCharge[cbc:ChargeIndicator = false()]`.
pub(crate) fn doc_allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_31, n, exists(d, n, &[cbc!("Amount")]));
    ctx.check(&BR_32, n, vat_category_id(ctx, n));
    ctx.check(&BR_33, n, has_reason(ctx, n));
}

/// Context `/ubl:Invoice/cac:AllowanceCharge[cbc:ChargeIndicator = true()]`.
pub(crate) fn doc_charge(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_36, n, exists(d, n, &[cbc!("Amount")]));
    ctx.check(&BR_37, n, vat_category_id(ctx, n));
    ctx.check(&BR_38, n, has_reason(ctx, n));
}

/// Line allowance (BG-27).
pub(crate) fn line_allowance(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_41, n, exists(ctx.doc, n, &[cbc!("Amount")]));
    ctx.check(&BR_42, n, has_reason(ctx, n));
}

/// Line charge (BG-28).
pub(crate) fn line_charge(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_43, n, exists(ctx.doc, n, &[cbc!("Amount")]));
    ctx.check(&BR_44, n, has_reason(ctx, n));
}

/// `exists(cbc:AllowanceChargeReason) or exists(cbc:AllowanceChargeReasonCode)`.
pub(crate) fn has_reason(ctx: &Ctx<'_>, n: NodeId) -> bool {
    exists(ctx.doc, n, &[cbc!("AllowanceChargeReason")])
        || exists(ctx.doc, n, &[cbc!("AllowanceChargeReasonCode")])
}

/// `exists(cac:TaxCategory[cac:TaxScheme/normalize-space(upper-case(cbc:ID))='VAT']/cbc:ID)`.
fn vat_category_id(ctx: &Ctx<'_>, n: NodeId) -> bool {
    let d = ctx.doc;
    kids(d, n, cac!("TaxCategory")).any(|t| vat_scheme(d, t) && kid(d, t, cbc!("ID")).is_some())
}

/// Context `cac:LegalMonetaryTotal`.
pub(crate) fn totals(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_12, n, exists(d, n, &[cbc!("LineExtensionAmount")]));
    ctx.check(&BR_13, n, exists(d, n, &[cbc!("TaxExclusiveAmount")]));
    ctx.check(&BR_14, n, exists(d, n, &[cbc!("TaxInclusiveAmount")]));
    ctx.check(&BR_15, n, exists(d, n, &[cbc!("PayableAmount")]));
}

/// Context `cac:InvoiceLine/cac:InvoicePeriod`.
pub(crate) fn line_period(ctx: &mut Ctx<'_>, n: NodeId) {
    let ok = period_ordered(ctx, &BR_30, n);
    ctx.check(&BR_30, n, ok);
}

/// Context `cac:InvoicePeriod` (document level).
pub(crate) fn period(ctx: &mut Ctx<'_>, n: NodeId) {
    let ok = period_ordered(ctx, &BR_29, n);
    ctx.check(&BR_29, n, ok);
}

/// `xs:date(cbc:EndDate) >= xs:date(cbc:StartDate)` when both exist.
fn period_ordered(ctx: &mut Ctx<'_>, rule: &'static crate::Rule, n: NodeId) -> bool {
    let d = ctx.doc;
    let (Some(s), Some(e)) = (kid(d, n, cbc!("StartDate")), kid(d, n, cbc!("EndDate"))) else {
        return true;
    };
    match (xp::date(&xp::string(d, s)), xp::date(&xp::string(d, e))) {
        (Some(s), Some(e)) => e >= s,
        (None, _) => {
            ctx.fail(rule, s, "value is not an xs:date");
            true
        }
        (_, None) => {
            ctx.fail(rule, e, "value is not an xs:date");
            true
        }
    }
}

/// Context `cac:AdditionalDocumentReference`.
pub(crate) fn additional_document(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_52, n, filled_at(ctx.doc, n, &[cbc!("ID")]));
}

/// Context `cac:AccountingCustomerParty/cac:Party/cbc:EndpointID`.
pub(crate) fn buyer_endpoint(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_63, n, ctx.doc.attr(n, "schemeID").is_some());
}

/// Context `cac:AccountingSupplierParty/cac:Party/cbc:EndpointID`.
pub(crate) fn seller_endpoint(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_62, n, ctx.doc.attr(n, "schemeID").is_some());
}

/// Context `cac:AccountingCustomerParty/cac:Party/cac:PostalAddress`.
pub(crate) fn buyer_address(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(
        &BR_11,
        n,
        filled_at(ctx.doc, n, &[cac!("Country"), cbc!("IdentificationCode")]),
    );
}

/// Context `cac:AccountingSupplierParty/cac:Party/cac:PostalAddress`.
pub(crate) fn seller_address(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(
        &BR_09,
        n,
        filled_at(ctx.doc, n, &[cac!("Country"), cbc!("IdentificationCode")]),
    );
}

/// Context `cac:PaymentMeans/cac:CardAccount/cbc:PrimaryAccountNumberID` (warning).
pub(crate) fn card_number(ctx: &mut Ctx<'_>, n: NodeId) {
    let s = xp::string(ctx.doc, n);
    let len: usize = s
        .split([' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().count() + 1)
        .sum();
    ctx.check(&BR_51, n, len.saturating_sub(1) <= 10);
}

/// Context `cac:Delivery/cac:DeliveryLocation/cac:Address`.
pub(crate) fn delivery_address(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(
        &BR_57,
        n,
        exists(ctx.doc, n, &[cac!("Country"), cbc!("IdentificationCode")]),
    );
}

/// Context `//cac:AdditionalItemProperty`.
pub(crate) fn item_property(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(
        &BR_54,
        n,
        exists(d, n, &[cbc!("Name")]) && exists(d, n, &[cbc!("Value")]),
    );
}

/// Context `…/cac:CommodityClassification/cbc:ItemClassificationCode`.
pub(crate) fn item_classification(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_65, n, ctx.doc.attr(n, "listID").is_some());
}

/// Context `…/cac:StandardItemIdentification/cbc:ID`.
pub(crate) fn item_standard_id(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_64, n, ctx.doc.attr(n, "schemeID").is_some());
}

/// Context `cac:PayeeParty`: the payee must differ from the seller.
pub(crate) fn payee(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let mut names = Vec::new();
    xp::each(d, n, &[cac!("PartyName"), cbc!("Name")], &mut |x| {
        names.push(x)
    });
    let same = |mine: &[NodeId], path: &[xp::Step]| {
        let mut theirs = Vec::new();
        if let Some(p) = d.parent(n) {
            xp::each(d, p, path, &mut |x| theirs.push(x));
        }
        mine.iter()
            .any(|&a| theirs.iter().any(|&b| xp::string(d, a) == xp::string(d, b)))
    };
    let mut ids = Vec::new();
    xp::each(d, n, &[cac!("PartyIdentification"), cbc!("ID")], &mut |x| {
        ids.push(x)
    });
    let ok = !names.is_empty()
        && !same(
            &names,
            &[
                cac!("AccountingSupplierParty"),
                cac!("Party"),
                cac!("PartyName"),
                cbc!("Name"),
            ],
        )
        && !same(
            &ids,
            &[
                cac!("AccountingSupplierParty"),
                cac!("Party"),
                cac!("PartyIdentification"),
                cbc!("ID"),
            ],
        );
    ctx.check(&BR_17, n, ok);
}

/// Context `cac:PaymentMeans[code 30 or 58]/cac:PayeeFinancialAccount`.
pub(crate) fn credit_transfer_account(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(&BR_50, n, filled_at(ctx.doc, n, &[cbc!("ID")]));
}

/// Context `cac:PaymentMeans`.
pub(crate) fn payment_means(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let code = kid(d, n, cbc!("PaymentMeansCode"));
    ctx.check(&BR_49, n, code.is_some());
    let code_is = |v: &str| code.is_some_and(|c| xp::norm_eq(d, c, v));
    let transfer = code_is("30") || code_is("58");
    // normalize-space(()) is '' which is != '30': absent code passes.
    let ok = !transfer || exists(d, n, &[cac!("PayeeFinancialAccount"), cbc!("ID")]);
    ctx.check(&BR_61, n, ok);
}

/// Context `cac:BillingReference`.
pub(crate) fn billing_reference(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(
        &BR_55,
        n,
        exists(ctx.doc, n, &[cac!("InvoiceDocumentReference"), cbc!("ID")]),
    );
}

/// Context `cac:TaxRepresentativeParty`.
pub(crate) fn tax_representative(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(
        &BR_18,
        n,
        filled_at(d, n, &[cac!("PartyName"), cbc!("Name")]),
    );
    ctx.check(&BR_19, n, exists(d, n, &[cac!("PostalAddress")]));
    let ok = kids(d, n, cac!("PartyTaxScheme"))
        .any(|t| vat_scheme(d, t) && kid(d, t, cbc!("CompanyID")).is_some());
    ctx.check(&BR_56, n, ok);
}

/// Context `cac:TaxRepresentativeParty/cac:PostalAddress`.
pub(crate) fn tax_representative_address(ctx: &mut Ctx<'_>, n: NodeId) {
    ctx.check(
        &BR_20,
        n,
        filled_at(ctx.doc, n, &[cac!("Country"), cbc!("IdentificationCode")]),
    );
}

/// Context `cac:TaxTotal/cac:TaxSubtotal`.
pub(crate) fn vat_breakdown(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&BR_45, n, exists(d, n, &[cbc!("TaxableAmount")]));
    ctx.check(&BR_46, n, exists(d, n, &[cbc!("TaxAmount")]));
    ctx.check(&BR_47, n, vat_category_id(ctx, n));
    let ok = kids(d, n, cac!("TaxCategory"))
        .filter(|&t| vat_scheme(d, t))
        .any(|t| {
            kid(d, t, cbc!("Percent")).is_some()
                || kid(d, t, cbc!("ID")).is_some_and(|i| xp::norm_eq(d, i, "O"))
        });
    ctx.check(&BR_48, n, ok);
}
