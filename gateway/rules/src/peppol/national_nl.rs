//! Dutch national rules (NL-R-001..009), for sellers whose postal country
//! code is NL.

use crate::xp::norm;
use gateway_xml::names::CAC;
use gateway_xml::names::{CAC_NS, CBC_NS};
use gateway_xml::{Document, NodeId};

use crate::ctx::Ctx;
use crate::index::Ix;
use crate::rule::rules;
use crate::xp::{self, cac, exists, first, kid};

rules! {
    NL_R_001 = "NL-R-001", Fatal, "[NL-R-001]-For suppliers in the Netherlands, if the document is a creditnote, the document MUST contain an invoice reference (cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID)";
    NL_R_002 = "NL-R-002", Fatal, "[NL-R-002]-For suppliers in the Netherlands the supplier's address (cac:AccountingSupplierParty/cac:Party/cac:PostalAddress) MUST contain street name (cbc:StreetName), city (cbc:CityName) and post code (cbc:PostalZone)";
    NL_R_003 = "NL-R-003", Fatal, "[NL-R-003]-For suppliers in the Netherlands, the legal entity identifier MUST be either a KVK or OIN number (schemeID 0106 or 0190)";
    NL_R_004 = "NL-R-004", Fatal, "[NL-R-004]-For suppliers in the Netherlands, if the customer is in the Netherlands, the customer address (cac:AccountingCustomerParty/cac:Party/cac:PostalAddress) MUST contain the street name (cbc:StreetName), the city (cbc:CityName) and post code (cbc:PostalZone)";
    NL_R_005 = "NL-R-005", Fatal, "[NL-R-005]-For suppliers in the Netherlands, if the customer is in the Netherlands, the customer's legal entity identifier MUST be either a KVK or OIN number (schemeID 0106 or 0190)";
    NL_R_006 = "NL-R-006", Fatal, "[NL-R-006]-For suppliers in the Netherlands, if the fiscal representative is in the Netherlands, the representative's address (cac:TaxRepresentativeParty/cac:PostalAddress) MUST contain street name (cbc:StreetName), city (cbc:CityName) and post code (cbc:PostalZone)";
    NL_R_007 = "NL-R-007", Fatal, "[NL-R-007]-For suppliers in the Netherlands, the supplier MUST provide a means of payment (cac:PaymentMeans) if the payment is from customer to supplier";
    NL_R_008 = "NL-R-008", Fatal, "[NL-R-008]-For suppliers in the Netherlands, if the customer is in the Netherlands, the payment means code (cac:PaymentMeans/cbc:PaymentMeansCode) MUST be one of 30, 48, 49, 57, 58 or 59";
    NL_R_009 = "NL-R-009", Fatal, "[NL-R-009]-For suppliers in the Netherlands, if an order line reference (cac:OrderLineReference/cbc:LineID) is used, there must be an order reference on the document level (cac:OrderReference/cbc:ID)";
}

/// The pattern's variables: which parties are in the Netherlands.
pub(crate) struct Facts {
    supplier: bool,
    customer: bool,
    representative: bool,
}

impl Facts {
    pub(crate) fn collect(d: &Document) -> Facts {
        let root = d.root();
        let nl = |path: &[xp::Step]| {
            first(d, root, path).is_some_and(|c| norm(&xp::string(d, c)).to_uppercase() == "NL")
        };
        let party = |p: &'static str| {
            nl(&[
                cac(p),
                cac!("Party"),
                cac!("PostalAddress"),
                cac!("Country"),
                cbc!("IdentificationCode"),
            ])
        };
        Facts {
            supplier: party("AccountingSupplierParty"),
            customer: party("AccountingCustomerParty"),
            representative: nl(&[
                cac!("TaxRepresentativeParty"),
                cac!("PostalAddress"),
                cac!("Country"),
                cbc!("IdentificationCode"),
            ]),
        }
    }
}

fn under(d: &Document, n: NodeId, path: &[&str]) -> bool {
    let mut cur = n;
    for l in path {
        match d.parent(cur) {
            Some(p) if d.is(p, CAC, l) => cur = p,
            _ => return false,
        }
    }
    true
}

fn address_complete(d: &Document, n: NodeId) -> bool {
    exists(d, n, &[cbc!("StreetName")])
        && exists(d, n, &[cbc!("CityName")])
        && exists(d, n, &[cbc!("PostalZone")])
}

fn kvk_or_oin(d: &Document, n: NodeId) -> bool {
    let s = d.attr(n, "schemeID").unwrap_or("");
    let joined = format!(" {s} ");
    (joined.contains(" 0106 ") || joined.contains(" 0190 ")) && !xp::blank(&xp::string(d, n))
}

pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId, f: &Facts) {
    if !f.supplier {
        return;
    }
    let d = ctx.doc;
    let name = ctx.name(n);
    let both = f.customer;
    match (name.in_ns(CBC_NS), name.local) {
        (true, "CreditNoteTypeCode") => {
            let ok = exists(
                d,
                d.root(),
                &[
                    cac!("BillingReference"),
                    cac!("InvoiceDocumentReference"),
                    cbc!("ID"),
                ],
            );
            ctx.check(&NL_R_001, n, ok);
        }
        (false, "PostalAddress")
            if name.in_ns(CAC_NS) && under(d, n, &["Party", "AccountingSupplierParty"]) =>
        {
            ctx.check(&NL_R_002, n, address_complete(d, n));
        }
        (true, "CompanyID")
            if under(
                d,
                n,
                &["PartyLegalEntity", "Party", "AccountingSupplierParty"],
            ) =>
        {
            ctx.check(&NL_R_003, n, kvk_or_oin(d, n));
        }
        (false, "PostalAddress")
            if name.in_ns(CAC_NS) && both && under(d, n, &["Party", "AccountingCustomerParty"]) =>
        {
            ctx.check(&NL_R_004, n, address_complete(d, n));
        }
        (true, "CompanyID")
            if both
                && under(
                    d,
                    n,
                    &["PartyLegalEntity", "Party", "AccountingCustomerParty"],
                ) =>
        {
            ctx.check(&NL_R_005, n, kvk_or_oin(d, n));
        }
        (false, "PostalAddress")
            if name.in_ns(CAC_NS)
                && f.representative
                && under(d, n, &["TaxRepresentativeParty"]) =>
        {
            ctx.check(&NL_R_006, n, address_complete(d, n));
        }
        (false, "LegalMonetaryTotal") if name.in_ns(CAC_NS) => {
            let root = d.root();
            let payable = ctx.dec(&NL_R_007, kid(d, n, cbc!("PayableAmount")));
            let invoice_nothing_due = d.is_named(root, crate::xp::INVOICE)
                && payable.is_some_and(|p| p <= rust_decimal::Decimal::ZERO);
            let credit_nothing_due = d.is_named(root, crate::xp::CREDIT_NOTE)
                && payable.is_some_and(|p| p >= rust_decimal::Decimal::ZERO);
            let has_means = !ctx.ix.all(Ix::PaymentMeans).is_empty();
            ctx.check(
                &NL_R_007,
                n,
                invoice_nothing_due || credit_nothing_due || has_means,
            );
        }
        (false, "PaymentMeans") if name.in_ns(CAC_NS) && both => {
            let code = kid(d, n, cbc!("PaymentMeansCode"))
                .map(|c| norm(&xp::string(d, c)))
                .unwrap_or_default();
            ctx.check(
                &NL_R_008,
                n,
                matches!(code.as_str(), "30" | "48" | "49" | "57" | "58" | "59"),
            );
        }
        (true, "LineID")
            if d.parent(n)
                .is_some_and(|p| d.is_named(p, cac!("OrderLineReference"))) =>
        {
            ctx.check(
                &NL_R_009,
                n,
                exists(d, d.root(), &[cac!("OrderReference"), cbc!("ID")]),
            );
        }
        _ => {}
    }
}
