//! The CEN layer as the CIUS-RO 1.0.9 artefact has it: an EN 16931 release
//! older than 1.3.16. The 1.3.16 layer runs (with this artefact's code
//! lists, `codelists_table.rs`), then `adjust` turns its findings into what
//! the older release reports:
//! * renamed: BR-AF-* / BR-AG-* were BR-IG-* / BR-IP-*; UBL-SR-54/55 were
//!   BR-66/67; a few UBL-CR messages used other element names;
//! * absent: BR-27 (the CIUS-RO pattern has its own), UBL-SR-51/52/53/56,
//!   UBL-SR-22/23 (their old test counts from the wrong node: never fires),
//!   UBL-CR-487/572/577/583/674 (old tests name misspelled elements);
//! * other tests: BR-01…BR-52 emptiness without `normalize-space`, BR-51 on
//!   the card account (a warning there), BR-B-02 over every tax category, BR-CO-26 counting
//!   SEPA identifiers, UBL-SR-43 testing `@scheme`;
//! * only here: BR-CO-25 and UBL-CR-631.

use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::rule::{rules, Rule};
use crate::xp::{self, cac, first, kid, kids, Step};

rules! {
    BR_IG_01 = "BR-IG-01", Fatal, "[BR-IG-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"IGIC\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"IGIC\".";
    BR_IG_02 = "BR-IG-02", Fatal, "[BR-IG-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_IG_03 = "BR-IG-03", Fatal, "[BR-IG-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_IG_04 = "BR-IG-04", Fatal, "[BR-IG-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_IG_05 = "BR-IG-05", Fatal, "[BR-IG-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IGIC\" the invoiced item VAT rate (BT-152) shall be 0 (zero) or greater than zero.";
    BR_IG_06 = "BR-IG-06", Fatal, "[BR-IG-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IGIC\" the Document level allowance VAT rate (BT-96) shall be 0 (zero) or greater than zero.";
    BR_IG_07 = "BR-IG-07", Fatal, "[BR-IG-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IGIC\" the Document level charge VAT rate (BT-103) shall be 0 (zero) or greater than zero.";
    BR_IG_08 = "BR-IG-08", Fatal, "[BR-IG-08]-For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"IGIC\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"IGIC\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119).";
    BR_IG_09 = "BR-IG-09", Fatal, "[BR-IG-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"IGIC\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).";
    BR_IG_10 = "BR-IG-10", Fatal, "[BR-IG-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"IGIC\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).";
    BR_IP_01 = "BR-IP-01", Fatal, "[BR-IP-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"IPSI\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"IPSI\".";
    BR_IP_02 = "BR-IP-02", Fatal, "[BR-IP-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_IP_03 = "BR-IP-03", Fatal, "[BR-IP-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_IP_04 = "BR-IP-04", Fatal, "[BR-IP-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_IP_05 = "BR-IP-05", Fatal, "[BR-IP-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IPSI\" the Invoiced item VAT rate (BT-152) shall be 0 (zero) or greater than zero.";
    BR_IP_06 = "BR-IP-06", Fatal, "[BR-IP-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IPSI\" the Document level allowance VAT rate (BT-96) shall be 0 (zero) or greater than zero.";
    BR_IP_07 = "BR-IP-07", Fatal, "[BR-IP-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IPSI\" the Document level charge VAT rate (BT-103) shall be 0 (zero) or greater than zero.";
    BR_IP_08 = "BR-IP-08", Fatal, "[BR-IP-08]-For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"IPSI\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"IPSI\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119).";
    BR_IP_09 = "BR-IP-09", Fatal, "[BR-IP-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"IPSI\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).";
    BR_IP_10 = "BR-IP-10", Fatal, "[BR-IP-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"IPSI\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).";
    BR_66 = "BR-66", Fatal, "[BR-66]-An Invoice shall contain maximum one Payment Card account (BG-18).";
    BR_67 = "BR-67", Fatal, "[BR-67]-An Invoice shall contain maximum one Payment Mandate (BG-19).";
    BR_CO_25 = "BR-CO-25", Fatal, "[BR-CO-25]-In case the Amount due for payment (BT-115) is positive, either the Payment due date (BT-9) or the Payment terms (BT-20) shall be present.";
    UBL_CR_631 = "UBL-CR-631", Warning, "[UBL-CR-631]-A UBL invoice should not include the InvoiceLine Item Price OrderableUnitFactorRate";
    UBL_SR_43 = "UBL-SR-43", Fatal, "[UBL-SR-43]-Scheme identifier shall only be used for invoiced object (document type code with value 130)";
    UBL_CR_183 = "UBL-CR-183", Warning, "[UBL-CR-183]-A UBL invoice should not include the AccountingSupplierParty Party PartyLegalEntity CorporationStockAmount";
    UBL_CR_247 = "UBL-CR-247", Warning, "[UBL-CR-247]-A UBL invoice should not include the AccountingCustomerParty Party PartyLegalEntity CorporationStockAmount";
    UBL_CR_282 = "UBL-CR-282", Warning, "[UBL-CR-282]-A UBL invoice should not include the PayeeParty PartyLegalEntity CorporationStockAmount";
    UBL_CR_358 = "UBL-CR-358", Warning, "[UBL-CR-358]-A UBL invoice should not include the Delivery DeliveryLocation ValidationPeriod";
    UBL_CR_384 = "UBL-CR-384", Warning, "[UBL-CR-384]-A UBL invoice should not include the Delivery PromisedDeliveryPeriod";
    UBL_CR_419 = "UBL-CR-419", Warning, "[UBL-CR-419]-A UBL invoice should not include the PaymentMeans CardAccount IssuerNumberID";
    BR_51 = "BR-51", Warning, "[BR-51]-In accordance with card payments security standards an invoice should never include a full card primary account number (BT-87). At the moment PCI Security Standards Council has defined that the first 6 digits and last 4 digits are the maximum number of digits to be shown.";
}

/// 1.3.16 rules the older release does not have (by id; BR-27 is the CEN
/// one, the CIUS-RO pattern has its own), or whose old test never fires.
pub(crate) const ABSENT: [&str; 12] = [
    "BR-27",
    "UBL-SR-22",
    "UBL-SR-23",
    "UBL-SR-51",
    "UBL-SR-52",
    "UBL-SR-53",
    "UBL-SR-56",
    "UBL-CR-487",
    "UBL-CR-572",
    "UBL-CR-577",
    "UBL-CR-583",
    "UBL-CR-674",
];

/// 1.3.16 rules replaced by `RULES` here (same id or renamed).
fn replacement(id: &str) -> Option<&'static Rule> {
    let renamed: [(&str, &Rule); 30] = [
        ("BR-AF-01", &BR_IG_01),
        ("BR-AF-02", &BR_IG_02),
        ("BR-AF-03", &BR_IG_03),
        ("BR-AF-04", &BR_IG_04),
        ("BR-AF-05", &BR_IG_05),
        ("BR-AF-06", &BR_IG_06),
        ("BR-AF-07", &BR_IG_07),
        ("BR-AF-08", &BR_IG_08),
        ("BR-AF-09", &BR_IG_09),
        ("BR-AF-10", &BR_IG_10),
        ("BR-AG-01", &BR_IP_01),
        ("BR-AG-02", &BR_IP_02),
        ("BR-AG-03", &BR_IP_03),
        ("BR-AG-04", &BR_IP_04),
        ("BR-AG-05", &BR_IP_05),
        ("BR-AG-06", &BR_IP_06),
        ("BR-AG-07", &BR_IP_07),
        ("BR-AG-08", &BR_IP_08),
        ("BR-AG-09", &BR_IP_09),
        ("BR-AG-10", &BR_IP_10),
        ("UBL-SR-54", &BR_66),
        ("UBL-SR-55", &BR_67),
        ("UBL-SR-43", &UBL_SR_43),
        ("UBL-CR-183", &UBL_CR_183),
        ("UBL-CR-247", &UBL_CR_247),
        ("UBL-CR-282", &UBL_CR_282),
        ("UBL-CR-358", &UBL_CR_358),
        ("UBL-CR-384", &UBL_CR_384),
        ("UBL-CR-419", &UBL_CR_419),
        ("BR-51", &BR_51),
    ];
    renamed.iter().find(|(old, _)| *old == id).map(|(_, r)| *r)
}

/// 1.3.16 ids whose older test is re-evaluated in `adjust` (their 1.3.16
/// findings are dropped first).
const RETESTED: [&str; 4] = ["BR-B-02", "BR-51", "UBL-SR-43", "BR-CO-26"];

/// Emptiness tests written `(path) != ''` in the older release: a
/// whitespace-only value passes there. (id, path from the context node)
const NOT_NORMALISED: [(&str, &[Step]); 16] = [
    ("BR-01", &[cbc!("CustomizationID")]),
    ("BR-02", &[cbc!("ID")]),
    ("BR-03", &[cbc!("IssueDate")]),
    ("BR-04", &[cbc!("InvoiceTypeCode")]),
    ("BR-05", &[cbc!("DocumentCurrencyCode")]),
    (
        "BR-06",
        &[
            cac!("AccountingSupplierParty"),
            cac!("Party"),
            cac!("PartyLegalEntity"),
            cbc!("RegistrationName"),
        ],
    ),
    (
        "BR-07",
        &[
            cac!("AccountingCustomerParty"),
            cac!("Party"),
            cac!("PartyLegalEntity"),
            cbc!("RegistrationName"),
        ],
    ),
    ("BR-09", &[cac!("Country"), cbc!("IdentificationCode")]),
    ("BR-11", &[cac!("Country"), cbc!("IdentificationCode")]),
    ("BR-18", &[cac!("PartyName"), cbc!("Name")]),
    ("BR-20", &[cac!("Country"), cbc!("IdentificationCode")]),
    ("BR-21", &[cbc!("ID")]),
    ("BR-25", &[cac!("Item"), cbc!("Name")]),
    ("BR-50", &[cbc!("ID")]),
    ("BR-52", &[cbc!("ID")]),
    ("BR-04", &[cbc!("CreditNoteTypeCode")]),
];

/// `(path) != ''`: some node of the path has a non-empty string value.
fn raw_filled(d: &Document, n: NodeId, steps: &[Step]) -> bool {
    let mut any = false;
    xp::each(d, n, steps, &mut |c| any |= !xp::string(d, c).is_empty());
    any
}

/// The rules of the CEN layer as CIUS-RO has it, in the 1.3.16 order.
pub(crate) fn implemented() -> Vec<&'static Rule> {
    let mut out: Vec<&'static Rule> = crate::en16931::RULES
        .iter()
        .filter(|r| !ABSENT.contains(&r.id))
        .map(|r| replacement(r.id).unwrap_or(r))
        .collect();
    // BR-CO-25 and UBL-CR-631 exist only in the older release.
    for &r in RULES {
        if !out.iter().any(|o| std::ptr::eq(*o, r)) {
            out.push(r);
        }
    }
    out
}

/// Turns the 1.3.16 findings into the older release's, then runs the rules
/// whose test changed. Call after the CEN layer, before the CIUS-RO pattern.
pub(crate) fn adjust(ctx: &mut Ctx<'_>) {
    ctx.rewrite(|d, rule, n| {
        if ABSENT.contains(&rule.id) || RETESTED.contains(&rule.id) {
            return None;
        }
        let passes_unnormalised = NOT_NORMALISED
            .iter()
            .any(|(id, steps)| *id == rule.id && raw_filled(d, n, steps));
        if passes_unnormalised {
            return None;
        }
        Some(replacement(rule.id).unwrap_or(rule))
    });
    let d = ctx.doc;
    let root = d.root();
    let invoice = d.is_named(root, crate::xp::INVOICE);
    if !(invoice || d.is_named(root, crate::xp::CREDIT_NOTE)) {
        return;
    }
    // UBL-CR-631 (syntax pattern, root context).
    let line = if invoice {
        "InvoiceLine"
    } else {
        "CreditNoteLine"
    };
    let orderable = xp::exists(
        d,
        root,
        &[cac(line), cac!("Price"), cbc!("OrderableUnitFactorRate")],
    );
    ctx.check(&UBL_CR_631, root, !orderable);
    // BR-B-02 over every tax category of the document (`//`).
    let (mut b, mut s) = (false, false);
    for &n in &ctx.ix.elements {
        if d.is_named(n, cbc!("ID"))
            && d.parent(n).is_some_and(|p| {
                d.is_named(p, cac!("TaxCategory")) || d.is_named(p, cac!("ClassifiedTaxCategory"))
            })
        {
            let v = xp::string(d, n);
            b |= v == "B";
            s |= v == "S";
        }
    }
    retest_b02(ctx, root, b, s);
    for pm in kids(d, root, cac!("PaymentMeans")) {
        for card in kids(d, pm, cac!("CardAccount")) {
            let pan = kid(d, card, cbc!("PrimaryAccountNumberID"))
                .map(|p| xp::string(d, p).chars().count())
                .unwrap_or(0);
            ctx.check(&BR_51, card, pan <= 10);
        }
    }
    for adr in kids(d, root, cac!("AdditionalDocumentReference")) {
        let code = |v: &str| kids(d, adr, cbc!("DocumentTypeCode")).any(|c| xp::string(d, c) == v);
        let scheme = kids(d, adr, cbc!("ID")).any(|i| d.attr(i, "scheme").is_some());
        let ok = code("130")
            || (!invoice && code("50"))
            || (!scheme && kid(d, adr, cbc!("DocumentTypeCode")).is_none());
        ctx.check(&UBL_SR_43, adr, ok);
    }
    if let Some(seller) = kid(d, root, cac!("AccountingSupplierParty")) {
        let vat = kids(d, seller, cac!("Party"))
            .flat_map(|p| kids(d, p, cac!("PartyTaxScheme")))
            .filter(|&pts| {
                kids(d, pts, cac!("TaxScheme"))
                    .flat_map(|t| kids(d, t, cbc!("ID")))
                    .any(|i| xp::string(d, i).to_uppercase().trim() == "VAT")
            })
            .any(|pts| kid(d, pts, cbc!("CompanyID")).is_some());
        let ok =
            vat || xp::exists(
                d,
                seller,
                &[cac!("Party"), cac!("PartyIdentification"), cbc!("ID")],
            ) || xp::exists(
                d,
                seller,
                &[cac!("Party"), cac!("PartyLegalEntity"), cbc!("CompanyID")],
            );
        if let Some(rule) = crate::en16931::rule_by_id("BR-CO-26") {
            ctx.check(rule, seller, ok);
        }
    }
    // BR-CO-25 on `/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount`.
    if invoice {
        if let Some(amount) = first(
            d,
            root,
            &[cac!("LegalMonetaryTotal"), cbc!("PayableAmount")],
        ) {
            let terms = ctx.ix.elements.iter().any(|&n| {
                d.is_named(n, cbc!("DueDate"))
                    || (d.is_named(n, cbc!("Note"))
                        && d.parent(n)
                            .is_some_and(|p| d.is_named(p, cac!("PaymentTerms"))))
            });
            let positive = ctx.any_num(&BR_CO_25, [amount], |v| v > 0.0);
            ctx.check(&BR_CO_25, amount, !positive || terms);
        }
    }
}

/// BR-B-02 as the older release tests it.
fn retest_b02(ctx: &mut Ctx<'_>, root: NodeId, b: bool, s: bool) {
    let rule = crate::en16931::rule_by_id("BR-B-02");
    if let Some(rule) = rule {
        ctx.check(rule, root, !(b && s));
    }
}
