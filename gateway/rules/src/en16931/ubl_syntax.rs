//! The `UBL-syntax` pattern: UBL-SR-* (cardinalities the UBL schema allows
//! but EN 16931 does not), UBL-DT-* (data types) and UBL-CR-* (elements
//! EN 16931 does not use). The `not(PATH)` rules on the root are a
//! generated table ([`super::forbidden`]); the rest are written here.

use gateway_xml::names::CAC_NS;
use std::collections::HashSet;

use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::index::Ix;
use crate::rule::rules;
use crate::xp::{self, charge_is, exists, kid, kids, Step};

rules! {
    UBL_SR_51 = "UBL-SR-51", Fatal, "[UBL-SR-51]-An address can only have one third line.";
    UBL_SR_42 = "UBL-SR-42", Fatal, "[UBL-SR-42]-Party tax scheme shall occur maximum twice in accounting supplier party";
    UBL_SR_33 = "UBL-SR-33", Fatal, "[UBL-SR-33]-Supporting document description shall occur maximum once";
    UBL_SR_43 = "UBL-SR-43", Fatal, "[UBL-SR-43]-Scheme identifier shall only be used for invoiced object (document type code with value 130 or 50)";
    UBL_DT_01 = "UBL-DT-01", Fatal, "[UBL-DT-01]-Amounts shall be decimal up to two fraction digits";
    UBL_DT_06 = "UBL-DT-06", Fatal, "[UBL-DT-06]-Binary object elements shall contain the mime code attribute";
    UBL_DT_07 = "UBL-DT-07", Fatal, "[UBL-DT-07]-Binary object elements shall contain the file name attribute";
    UBL_SR_25 = "UBL-SR-25", Fatal, "[UBL-SR-25]-Deliver to party name shall occur maximum once";
    UBL_SR_30 = "UBL-SR-30", Fatal, "[UBL-SR-30]-Document level allowance reason shall occur maximum once";
    UBL_SR_31 = "UBL-SR-31", Fatal, "[UBL-SR-31]-Document level charge reason shall occur maximum once";
    UBL_SR_53 = "UBL-SR-53", Fatal, "[UBL-SR-53]- CompanyID (VAT Identifier) must be stated when providing the PartyTaxScheme/TaxScheme/ID.";
    UBL_CR_002 = "UBL-CR-002", Warning, "[UBL-CR-002]-A UBL invoice should not include the UBLVersionID or it should be 2.1";
    UBL_CR_412 = "UBL-CR-412", Warning, "[UBL-CR-412]-A UBL invoice should not include the PaymentMeans PaymentDueDate";
    UBL_CR_665 = "UBL-CR-665", Warning, "[UBL-CR-665]-A UBL invoice should not include the AdditionalDocumentReference ID schemeID unless the DocumentTypeCode equals '130'";
    UBL_CR_666 = "UBL-CR-666", Fatal, "[UBL-CR-666]-A UBL invoice shall not include an AdditionalDocumentReference simultaneously referring an Invoice Object Identifier and an Attachment";
    UBL_CR_673 = "UBL-CR-673", Fatal, "[UBL-CR-673]-A UBL invoice shall not include an AdditionalDocumentReference simultaneously referring an Invoice Object Identifier and an Document Description";
    UBL_DT_18 = "UBL-DT-18", Warning, "[UBL-DT-18]-Name attribute should not be present";
    UBL_SR_01 = "UBL-SR-01", Fatal, "[UBL-SR-01]-Contract identifier shall occur maximum once.";
    UBL_SR_02 = "UBL-SR-02", Fatal, "[UBL-SR-02]-Receive advice identifier shall occur maximum once";
    UBL_SR_03 = "UBL-SR-03", Fatal, "[UBL-SR-03]-Despatch advice identifier shall occur maximum once";
    UBL_SR_04 = "UBL-SR-04", Fatal, "[UBL-SR-04]-Invoice object identifier shall occur maximum once";
    UBL_SR_05 = "UBL-SR-05", Fatal, "[UBL-SR-05]-Payment terms shall occur maximum once";
    UBL_SR_08 = "UBL-SR-08", Fatal, "[UBL-SR-08]-Invoice period shall occur maximum once";
    UBL_SR_09 = "UBL-SR-09", Fatal, "[UBL-SR-09]-Seller name shall occur maximum once";
    UBL_SR_10 = "UBL-SR-10", Fatal, "[UBL-SR-10]-Seller trader name shall occur maximum once";
    UBL_SR_11 = "UBL-SR-11", Fatal, "[UBL-SR-11]-Seller legal registration identifier shall occur maximum once";
    UBL_SR_12 = "UBL-SR-12", Fatal, "[UBL-SR-12]-Seller VAT identifier shall occur maximum once";
    UBL_SR_13 = "UBL-SR-13", Fatal, "[UBL-SR-13]-Seller tax registration shall occur maximum once";
    UBL_SR_14 = "UBL-SR-14", Fatal, "[UBL-SR-14]-Seller additional legal information shall occur maximum once";
    UBL_SR_15 = "UBL-SR-15", Fatal, "[UBL-SR-15]-Buyer name shall occur maximum once";
    UBL_SR_16 = "UBL-SR-16", Fatal, "[UBL-SR-16]-Buyer identifier shall occur maximum once";
    UBL_SR_17 = "UBL-SR-17", Fatal, "[UBL-SR-17]-Buyer legal registration identifier shall occur maximum once";
    UBL_SR_18 = "UBL-SR-18", Fatal, "[UBL-SR-18]-Buyer VAT identifier shall occur maximum once";
    UBL_SR_24 = "UBL-SR-24", Fatal, "[UBL-SR-24]-Deliver to information shall occur maximum once";
    UBL_SR_29 = "UBL-SR-29", Fatal, "[UBL-SR-29]-Bank creditor reference shall occur maximum once";
    UBL_SR_39 = "UBL-SR-39", Fatal, "[UBL-SR-39]-Project reference shall occur maximum once.";
    UBL_SR_40 = "UBL-SR-40", Fatal, "[UBL-SR-40]-Buyer trade name shall occur maximum once";
    UBL_SR_44 = "UBL-SR-44", Fatal, "[UBL-SR-44]-An Invoice may only have one unique PaymentID, but the PaymentID may be used for multiple PaymentMeans";
    UBL_SR_45 = "UBL-SR-45", Fatal, "[UBL-SR-45]-Due Date shall occur maximum once";
    UBL_SR_46 = "UBL-SR-46", Fatal, "[UBL-SR-46]-Payment means text shall occur maximum once";
    UBL_SR_47 = "UBL-SR-47", Fatal, "[UBL-SR-47]-When there are more than one payment means code, they shall be equal";
    UBL_SR_49 = "UBL-SR-49", Fatal, "[UBL-SR-49]-Value tax point date shall occur maximum once";
    UBL_SR_54 = "UBL-SR-54", Fatal, "[UBL-SR-54]-An Invoice shall contain maximum one Payment Card account (BG-18).";
    UBL_SR_55 = "UBL-SR-55", Fatal, "[UBL-SR-55]-An Invoice shall contain maximum one Payment Mandate (BG-19).";
    UBL_SR_56 = "UBL-SR-56", Fatal, "[UBL-SR-56]-An Invoice shall contain maximum one Originator document reference identifier (BT-17).";
    UBL_SR_34 = "UBL-SR-34", Fatal, "[UBL-SR-34]-Invoice line note shall occur maximum once";
    UBL_SR_35 = "UBL-SR-35", Fatal, "[UBL-SR-35]-Referenced purchase order line identifier shall occur maximum once";
    UBL_SR_36 = "UBL-SR-36", Fatal, "[UBL-SR-36]-Invoice line period shall occur maximum once";
    UBL_SR_37 = "UBL-SR-37", Fatal, "[UBL-SR-37]-Item price discount shall occur maximum once";
    UBL_SR_48 = "UBL-SR-48", Fatal, "[UBL-SR-48]-Invoice lines shall have one and only one classified tax category.";
    UBL_SR_50 = "UBL-SR-50", Fatal, "[UBL-SR-50]-Item description shall occur maximum once";
    UBL_SR_52 = "UBL-SR-52", Fatal, "[UBL-SR-52]-Document reference shall occur maximum once";
    UBL_SR_19 = "UBL-SR-19", Fatal, "[UBL-SR-19]-Payee name shall occur maximum once, if the Payee is different from the Seller";
    UBL_SR_20 = "UBL-SR-20", Fatal, "[UBL-SR-20]-Payee identifier shall occur maximum once, if the Payee is different from the Seller";
    UBL_SR_21 = "UBL-SR-21", Fatal, "[UBL-SR-21]-Payee legal registration identifier shall occur maximum once, if the Payee is different from the Seller";
    UBL_SR_26 = "UBL-SR-26", Fatal, "[UBL-SR-26]-Payment reference shall occur maximum once";
    UBL_SR_27 = "UBL-SR-27", Fatal, "[UBL-SR-27]-Payment means text shall occur maximum once";
    UBL_SR_28 = "UBL-SR-28", Fatal, "[UBL-SR-28]-Mandate reference identifier shall occur maximum once";
    UBL_SR_06 = "UBL-SR-06", Fatal, "[UBL-SR-06]-Preceding invoice reference shall occur maximum once";
    UBL_SR_07 = "UBL-SR-07", Fatal, "[UBL-SR-07]-If there is a preceding invoice reference, the preceding invoice number shall be present";
    UBL_SR_22 = "UBL-SR-22", Fatal, "[UBL-SR-22]-Seller tax representative name shall occur maximum once, if the Seller has a tax representative";
    UBL_SR_23 = "UBL-SR-23", Fatal, "[UBL-SR-23]-Seller tax representative VAT identifier shall occur maximum once, if the Seller has a tax representative";
    UBL_SR_32 = "UBL-SR-32", Fatal, "[UBL-SR-32]-VAT exemption reason text shall occur maximum once";
}

fn count(d: &Document, n: NodeId, steps: &[Step]) -> usize {
    let mut c = 0;
    xp::each(d, n, steps, &mut |_| c += 1);
    c
}

fn nodes(d: &Document, n: NodeId, steps: &[Step]) -> Vec<NodeId> {
    let mut v = Vec::new();
    xp::each(d, n, steps, &mut |x| v.push(x));
    v
}

fn is_line(d: &Document, n: NodeId) -> bool {
    d.is_named(n, cac!("InvoiceLine")) || d.is_named(n, cac!("CreditNoteLine"))
}

/// Runs the pattern on element `n`: the first matching context wins.
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let root = d.root();
    let name = ctx.name(n);
    let relevant = n == root
        || name.local.ends_with("Amount")
        || name.local.ends_with("BinaryObject")
        || matches!(
            name.local,
            "PostalAddress"
                | "Address"
                | "Party"
                | "AdditionalDocumentReference"
                | "Delivery"
                | "AllowanceCharge"
                | "PartyTaxScheme"
                | "InvoiceLine"
                | "CreditNoteLine"
                | "PayeeParty"
                | "PaymentMeans"
                | "BillingReference"
                | "TaxRepresentativeParty"
                | "TaxSubtotal"
        );
    if !relevant {
        return;
    }
    // `n` is an element: its cached name stands for `d.is(n, CAC, l)`.
    let is = |l: &str| name.local == l && name.in_ns(CAC_NS);
    let parent = d.parent(n);
    if is("PostalAddress") || is("Address") {
        let c = count(d, n, &[cac!("AddressLine")]);
        ctx.check(&UBL_SR_51, n, c <= 1);
    } else if is("Party") && parent.is_some_and(|p| d.is_named(p, cac!("AccountingSupplierParty")))
    {
        ctx.check(&UBL_SR_42, n, count(d, n, &[cac!("PartyTaxScheme")]) <= 2);
    } else if is("AdditionalDocumentReference") {
        ctx.check(
            &UBL_SR_33,
            n,
            count(d, n, &[cbc!("DocumentDescription")]) <= 1,
        );
        let code_is = |v: &str| kids(d, n, cbc!("DocumentTypeCode")).any(|c| xp::string(d, c) == v);
        let credit_note = d.is_named(root, crate::xp::CREDIT_NOTE);
        let scheme = kids(d, n, cbc!("ID")).any(|i| d.attr(i, "schemeID").is_some());
        let ok = code_is("130")
            || (credit_note && code_is("50"))
            || (!scheme && !exists(d, n, &[cbc!("DocumentTypeCode")]));
        ctx.check(&UBL_SR_43, n, ok);
    } else if name.local.ends_with("Amount")
        && !name.local.ends_with("PriceAmount")
        && !under_price_allowance(d, n)
    {
        ctx.check(&UBL_DT_01, n, xp::decimals_at_most(d, Some(n), 2));
    } else if name.local.ends_with("BinaryObject") {
        ctx.check(&UBL_DT_06, n, d.attr(n, "mimeCode").is_some());
        ctx.check(&UBL_DT_07, n, d.attr(n, "filename").is_some());
    } else if is("Delivery") {
        let c = count(
            d,
            n,
            &[cac!("DeliveryParty"), cac!("PartyName"), cbc!("Name")],
        );
        ctx.check(&UBL_SR_25, n, c <= 1);
    } else if is("AllowanceCharge") && charge_is(d, n, false) {
        ctx.check(
            &UBL_SR_30,
            n,
            count(d, n, &[cbc!("AllowanceChargeReason")]) <= 1,
        );
    } else if is("AllowanceCharge") && charge_is(d, n, true) {
        ctx.check(
            &UBL_SR_31,
            n,
            count(d, n, &[cbc!("AllowanceChargeReason")]) <= 1,
        );
    } else if is("PartyTaxScheme") {
        let ok =
            exists(d, n, &[cac!("TaxScheme"), cbc!("ID")]) && exists(d, n, &[cbc!("CompanyID")]);
        ctx.check(&UBL_SR_53, n, ok);
    } else if n == root {
        root_rules(ctx, n);
    } else if is_line(d, n) {
        line(ctx, n);
    } else if is("PayeeParty") {
        payee(ctx, n);
    } else if is("PaymentMeans") {
        ctx.check(&UBL_SR_26, n, count(d, n, &[cbc!("PaymentID")]) <= 1);
        ctx.check(&UBL_SR_27, n, count(d, n, &[cbc!("PaymentMeansCode")]) <= 1);
        ctx.check(
            &UBL_SR_28,
            n,
            count(d, n, &[cac!("PaymentMandate"), cbc!("ID")]) <= 1,
        );
    } else if is("BillingReference") {
        ctx.check(
            &UBL_SR_06,
            n,
            count(d, n, &[cac!("InvoiceDocumentReference")]) <= 1,
        );
        ctx.check(
            &UBL_SR_07,
            n,
            exists(d, n, &[cac!("InvoiceDocumentReference"), cbc!("ID")]),
        );
    } else if is("TaxRepresentativeParty") {
        ctx.check(
            &UBL_SR_22,
            n,
            count(d, n, &[cac!("PartyName"), cbc!("Name")]) <= 1,
        );
        ctx.check(
            &UBL_SR_23,
            n,
            count(d, n, &[cac!("PartyTaxScheme"), cbc!("CompanyID")]) <= 1,
        );
    } else if is("TaxSubtotal") {
        let c = count(d, n, &[cac!("TaxCategory"), cbc!("TaxExemptionReason")]);
        ctx.check(&UBL_SR_32, n, c <= 1);
    }
}

/// `ancestor::cac:Price/cac:AllowanceCharge` is not empty.
fn under_price_allowance(d: &Document, n: NodeId) -> bool {
    let mut cur = d.parent(n);
    while let Some(a) = cur {
        if d.is_named(a, cac!("Price")) && kid(d, a, cac!("AllowanceCharge")).is_some() {
            return true;
        }
        cur = d.parent(a);
    }
    false
}

fn line(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    ctx.check(&UBL_SR_34, n, count(d, n, &[cbc!("Note")]) <= 1);
    ctx.check(
        &UBL_SR_35,
        n,
        count(d, n, &[cac!("OrderLineReference"), cbc!("LineID")]) <= 1,
    );
    ctx.check(&UBL_SR_36, n, count(d, n, &[cac!("InvoicePeriod")]) <= 1);
    let c = count(
        d,
        n,
        &[cac!("Price"), cac!("AllowanceCharge"), cbc!("Amount")],
    );
    ctx.check(&UBL_SR_37, n, c <= 1);
    ctx.check(
        &UBL_SR_48,
        n,
        count(d, n, &[cac!("Item"), cac!("ClassifiedTaxCategory")]) == 1,
    );
    ctx.check(
        &UBL_SR_50,
        n,
        count(d, n, &[cac!("Item"), cbc!("Description")]) <= 1,
    );
    ctx.check(
        &UBL_SR_52,
        n,
        count(d, n, &[cac!("DocumentReference")]) <= 1,
    );
}

/// UBL-SR-19..21: `(PartyName/Name) != (seller RegistrationName)` is a
/// general comparison: false when either side is empty, so they fire then.
fn payee(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let names = nodes(d, n, &[cac!("PartyName"), cbc!("Name")]);
    let seller = d.parent(n).map_or_else(Vec::new, |p| {
        nodes(
            d,
            p,
            &[
                cac!("AccountingSupplierParty"),
                cac!("Party"),
                cac!("PartyLegalEntity"),
                cbc!("RegistrationName"),
            ],
        )
    });
    let differs = names
        .iter()
        .any(|&a| seller.iter().any(|&b| xp::string(d, a) != xp::string(d, b)));
    ctx.check(&UBL_SR_19, n, names.len() <= 1 && differs);
    let ids = nodes(d, n, &[cac!("PartyIdentification"), cbc!("ID")]);
    let non_sepa = ids
        .iter()
        .filter(|&&i| {
            d.attr(i, "schemeID")
                .is_none_or(|s| s.to_uppercase() != "SEPA")
        })
        .count();
    ctx.check(&UBL_SR_20, n, non_sepa <= 1 && differs);
    let c = count(d, n, &[cac!("PartyLegalEntity"), cbc!("CompanyID")]);
    ctx.check(&UBL_SR_21, n, c <= 1 && differs);
}

/// Distinct string values of `//name` (`count(//x[not(preceding::x/. = .)])`).
fn distinct(d: &Document, all: &[NodeId]) -> usize {
    let mut seen = HashSet::new();
    for &n in all {
        seen.insert(xp::string(d, n).into_owned());
    }
    seen.len()
}

fn root_rules(ctx: &mut Ctx<'_>, n: NodeId) {
    let d = ctx.doc;
    let v = kids(d, n, cbc!("UBLVersionID")).collect::<Vec<_>>();
    ctx.check(
        &UBL_CR_002,
        n,
        v.is_empty() || v.iter().any(|&x| xp::string(d, x) == "2.1"),
    );
    let credit_note = d.is_named(n, crate::xp::CREDIT_NOTE);
    ctx.check(
        &UBL_CR_412,
        n,
        credit_note || !exists(d, n, &[cac!("PaymentMeans"), cbc!("PaymentDueDate")]),
    );

    let adrs = ctx.ix.all(Ix::AdditionalDocumentReference);
    let code_130 =
        |a: NodeId| kids(d, a, cbc!("DocumentTypeCode")).any(|c| xp::string(d, c) == "130");
    let not_130 = |a: NodeId| {
        let codes: Vec<NodeId> = kids(d, a, cbc!("DocumentTypeCode")).collect();
        codes.is_empty() || codes.iter().any(|&c| xp::string(d, c) != "130")
    };
    let bad665 = adrs
        .iter()
        .any(|&a| not_130(a) && kids(d, a, cbc!("ID")).any(|i| d.attr(i, "schemeID").is_some()));
    ctx.check(&UBL_CR_665, n, !bad665);
    ctx.check(
        &UBL_CR_666,
        n,
        !adrs
            .iter()
            .any(|&a| code_130(a) && exists(d, a, &[cac!("Attachment")])),
    );
    ctx.check(
        &UBL_CR_673,
        n,
        !adrs
            .iter()
            .any(|&a| code_130(a) && exists(d, a, &[cbc!("DocumentDescription")])),
    );

    let mut names = 0usize;
    let mut pmc_names = 0usize;
    for &e in &ctx.ix.elements {
        if d.attr(e, "name").is_some() {
            names += 1;
            if d.is_named(e, cbc!("PaymentMeansCode")) {
                pmc_names += 1;
            }
        }
    }
    ctx.check(&UBL_DT_18, n, names <= pmc_names);

    let simple: [(&'static crate::Rule, &[Step]); 12] = [
        (&UBL_SR_01, &[cac!("ContractDocumentReference"), cbc!("ID")]),
        (&UBL_SR_02, &[cac!("ReceiptDocumentReference"), cbc!("ID")]),
        (&UBL_SR_03, &[cac!("DespatchDocumentReference"), cbc!("ID")]),
        (&UBL_SR_05, &[cac!("PaymentTerms"), cbc!("Note")]),
        (&UBL_SR_08, &[cac!("InvoicePeriod")]),
        (&UBL_SR_24, &[cac!("Delivery")]),
        (&UBL_SR_39, &[cac!("ProjectReference"), cbc!("ID")]),
        (&UBL_SR_45, &[cac!("PaymentMeans"), cbc!("PaymentDueDate")]),
        (
            &UBL_SR_49,
            &[cac!("InvoicePeriod"), cbc!("DescriptionCode")],
        ),
        (&UBL_SR_54, &[cac!("PaymentMeans"), cac!("CardAccount")]),
        (&UBL_SR_55, &[cac!("PaymentMeans"), cac!("PaymentMandate")]),
        (
            &UBL_SR_56,
            &[cac!("OriginatorDocumentReference"), cbc!("ID")],
        ),
    ];
    for (rule, path) in simple {
        ctx.check(rule, n, count(d, n, path) <= 1);
    }
    let adr130 = kids(d, n, cac!("AdditionalDocumentReference"))
        .filter(|&a| code_130(a))
        .map(|a| kids(d, a, cbc!("ID")).count())
        .sum::<usize>();
    ctx.check(&UBL_SR_04, n, adr130 <= 1);

    let seller = [cac!("AccountingSupplierParty"), cac!("Party")];
    let buyer = [cac!("AccountingCustomerParty"), cac!("Party")];
    let party: [(&'static crate::Rule, [Step; 2], [Step; 2]); 10] = [
        (
            &UBL_SR_09,
            seller,
            [cac!("PartyLegalEntity"), cbc!("RegistrationName")],
        ),
        (&UBL_SR_10, seller, [cac!("PartyName"), cbc!("Name")]),
        (
            &UBL_SR_11,
            seller,
            [cac!("PartyLegalEntity"), cbc!("CompanyID")],
        ),
        (
            &UBL_SR_14,
            seller,
            [cac!("PartyLegalEntity"), cbc!("CompanyLegalForm")],
        ),
        (
            &UBL_SR_15,
            buyer,
            [cac!("PartyLegalEntity"), cbc!("RegistrationName")],
        ),
        (&UBL_SR_16, buyer, [cac!("PartyIdentification"), cbc!("ID")]),
        (
            &UBL_SR_17,
            buyer,
            [cac!("PartyLegalEntity"), cbc!("CompanyID")],
        ),
        (&UBL_SR_40, buyer, [cac!("PartyName"), cbc!("Name")]),
        (
            &UBL_SR_12,
            seller,
            [cac!("PartyTaxScheme"), cbc!("CompanyID")],
        ),
        (
            &UBL_SR_18,
            buyer,
            [cac!("PartyTaxScheme"), cbc!("CompanyID")],
        ),
    ];
    for (rule, p, rest) in party {
        let path = [p[0], p[1], rest[0], rest[1]];
        let c = if rest[0].local == "PartyTaxScheme" {
            // `PartyTaxScheme[cac:TaxScheme/upper-case(cbc:ID)='VAT']` (no normalisation).
            let mut c = 0;
            xp::each(d, n, &path[..3], &mut |t| {
                if scheme_upper(d, t, |s| s == "VAT") {
                    c += kids(d, t, cbc!("CompanyID")).count();
                }
            });
            c
        } else {
            count(d, n, &path)
        };
        ctx.check(rule, n, c <= 1);
    }
    let mut c13 = 0;
    xp::each(
        d,
        n,
        &[seller[0], seller[1], cac!("PartyTaxScheme")],
        &mut |t| {
            if scheme_upper(d, t, |s| s != "VAT") {
                c13 += kids(d, t, cbc!("CompanyID")).count();
            }
        },
    );
    ctx.check(&UBL_SR_13, n, c13 <= 1);

    let sepa = ctx
        .ix
        .all(Ix::PartyIdentification)
        .iter()
        .flat_map(|&p| kids(d, p, cbc!("ID")).collect::<Vec<_>>())
        .filter(|&i| {
            d.attr(i, "schemeID")
                .is_some_and(|s| s.to_uppercase() == "SEPA")
        })
        .count();
    ctx.check(&UBL_SR_29, n, sepa <= 1);
    ctx.check(&UBL_SR_44, n, distinct(d, ctx.ix.all(Ix::PaymentId)) <= 1);
    let pmc_named = nodes(d, n, &[cac!("PaymentMeans"), cbc!("PaymentMeansCode")])
        .into_iter()
        .filter(|&c| d.attr(c, "name").is_some())
        .count();
    ctx.check(&UBL_SR_46, n, pmc_named <= 1);
    ctx.check(
        &UBL_SR_47,
        n,
        distinct(d, ctx.ix.all(Ix::PaymentMeansCode)) <= 1,
    );
}

/// `cac:TaxScheme/upper-case(cbc:ID)` satisfies `pred` for some ID.
fn scheme_upper(d: &Document, n: NodeId, pred: fn(&str) -> bool) -> bool {
    kids(d, n, cac!("TaxScheme"))
        .any(|ts| kids(d, ts, cbc!("ID")).any(|i| pred(&xp::string(d, i).to_uppercase())))
}
