//! The `UBL-model` pattern: rule contexts in their official order; each
//! element is handled by the first rule whose context matches it.

use gateway_xml::{Document, NodeId};

use super::{br_co, br_core, br_dec, vat};
use crate::ctx::Ctx;
use crate::xp::{charge_is, kids, vat_scheme, Step};

fn parent(doc: &Document, n: NodeId) -> Option<NodeId> {
    doc.parent(n)
}

/// Whether `n`'s ancestors, nearest first, are named `steps`.
fn under(doc: &Document, n: NodeId, steps: &[Step]) -> bool {
    let mut cur = n;
    for s in steps {
        match parent(doc, cur) {
            Some(p) if doc.is_named(p, *s) => cur = p,
            _ => return false,
        }
    }
    true
}

fn is_line(doc: &Document, n: NodeId) -> bool {
    doc.is_named(n, cac!("InvoiceLine")) || doc.is_named(n, cac!("CreditNoteLine"))
}

fn under_line(doc: &Document, n: NodeId, steps: &[Step]) -> bool {
    let mut cur = n;
    for s in steps {
        match parent(doc, cur) {
            Some(p) if doc.is_named(p, *s) => cur = p,
            _ => return false,
        }
    }
    parent(doc, cur).is_some_and(|p| is_line(doc, p))
}

/// Local names of the elements some rule context of this pattern can match
/// (besides the root); everything else is skipped at once.
fn relevant(local: &str) -> bool {
    matches!(
        local,
        "AdditionalDocumentReference"
            | "EndpointID"
            | "PostalAddress"
            | "PrimaryAccountNumberID"
            | "Address"
            | "AllowanceCharge"
            | "LegalMonetaryTotal"
            | "InvoiceLine"
            | "CreditNoteLine"
            | "InvoicePeriod"
            | "AdditionalItemProperty"
            | "ItemClassificationCode"
            | "ID"
            | "Note"
            | "PayeeParty"
            | "PayeeFinancialAccount"
            | "PaymentMeans"
            | "BillingReference"
            | "AccountingSupplierParty"
            | "TaxRepresentativeParty"
            | "TaxTotal"
            | "TaxSubtotal"
            | "PartyTaxScheme"
            | "TaxCategory"
            | "ClassifiedTaxCategory"
    )
}

pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId, facts: &vat::Facts) {
    let doc = ctx.doc;
    let root = doc.root();
    let name = ctx.name(n);
    if n != root && !relevant(name.local) {
        return;
    }
    // `n` is an element: its cached name stands for `doc.is(n, ns, local)`.
    let is = |s: Step| name.is(s);
    if is(cac!("AdditionalDocumentReference")) {
        br_core::additional_document(ctx, n);
    } else if is(cbc!("EndpointID"))
        && under(doc, n, &[cac!("Party"), cac!("AccountingCustomerParty")])
    {
        br_core::buyer_endpoint(ctx, n);
    } else if is(cac!("PostalAddress"))
        && under(doc, n, &[cac!("Party"), cac!("AccountingCustomerParty")])
    {
        br_core::buyer_address(ctx, n);
    } else if is(cbc!("PrimaryAccountNumberID"))
        && under(doc, n, &[cac!("CardAccount"), cac!("PaymentMeans")])
    {
        br_core::card_number(ctx, n);
    } else if is(cac!("Address")) && under(doc, n, &[cac!("DeliveryLocation"), cac!("Delivery")]) {
        br_core::delivery_address(ctx, n);
    } else if is(cac!("AllowanceCharge"))
        && parent(doc, n) == Some(root)
        && charge_is(doc, n, false)
    {
        br_core::doc_allowance(ctx, n);
        br_co::doc_allowance(ctx, n);
        br_dec::doc_allowance(ctx, n);
    } else if is(cac!("AllowanceCharge")) && parent(doc, n) == Some(root) && charge_is(doc, n, true)
    {
        br_core::doc_charge(ctx, n);
        br_co::doc_charge(ctx, n);
        br_dec::doc_charge(ctx, n);
    } else if is(cac!("LegalMonetaryTotal")) {
        br_core::totals(ctx, n);
        br_co::totals(ctx, n);
        br_dec::totals(ctx, n);
    } else if n == root {
        br_core::root(ctx, n);
        br_co::root(ctx, n);
        br_dec::root(ctx, n);
        vat::root(ctx, n, facts);
    } else if is_line(doc, n) {
        br_core::line(ctx, n);
        br_co::line(ctx, n);
        br_dec::line(ctx, n);
    } else if is(cac!("AllowanceCharge"))
        && parent(doc, n).is_some_and(|p| is_line(doc, p))
        && charge_is(doc, n, false)
    {
        br_core::line_allowance(ctx, n);
        br_co::line_allowance(ctx, n);
        br_dec::line_allowance(ctx, n);
    } else if is(cac!("AllowanceCharge"))
        && parent(doc, n).is_some_and(|p| is_line(doc, p))
        && charge_is(doc, n, true)
    {
        br_core::line_charge(ctx, n);
        br_co::line_charge(ctx, n);
        br_dec::line_charge(ctx, n);
    } else if is(cac!("InvoicePeriod")) && parent(doc, n).is_some_and(|p| is_line(doc, p)) {
        br_core::line_period(ctx, n);
        br_co::line_period(ctx, n);
    } else if is(cac!("InvoicePeriod")) {
        br_core::period(ctx, n);
        br_co::period(ctx, n);
    } else if is(cac!("AdditionalItemProperty")) {
        br_core::item_property(ctx, n);
    } else if is(cbc!("ItemClassificationCode"))
        && under_line(doc, n, &[cac!("CommodityClassification"), cac!("Item")])
    {
        br_core::item_classification(ctx, n);
    } else if is(cbc!("ID"))
        && under_line(doc, n, &[cac!("StandardItemIdentification"), cac!("Item")])
    {
        br_core::item_standard_id(ctx, n);
    } else if is(cbc!("Note")) && parent(doc, n) == Some(root) {
        super::codelists::note(ctx, n);
    } else if is(cac!("PayeeParty")) {
        br_core::payee(ctx, n);
    } else if is(cac!("PayeeFinancialAccount"))
        && parent(doc, n).is_some_and(|p| {
            doc.is_named(p, cac!("PaymentMeans"))
                && kids(doc, p, cbc!("PaymentMeansCode")).any(|c| {
                    let s = doc.text(c);
                    s == "30" || s == "58"
                })
        })
    {
        br_core::credit_transfer_account(ctx, n);
    } else if is(cac!("PaymentMeans")) {
        br_core::payment_means(ctx, n);
    } else if is(cac!("BillingReference")) {
        br_core::billing_reference(ctx, n);
    } else if is(cac!("AccountingSupplierParty")) {
        br_co::seller(ctx, n);
    } else if is(cbc!("EndpointID"))
        && under(doc, n, &[cac!("Party"), cac!("AccountingSupplierParty")])
    {
        br_core::seller_endpoint(ctx, n);
    } else if is(cac!("PostalAddress"))
        && under(doc, n, &[cac!("Party"), cac!("AccountingSupplierParty")])
    {
        br_core::seller_address(ctx, n);
    } else if is(cac!("TaxRepresentativeParty")) {
        br_core::tax_representative(ctx, n);
    } else if is(cac!("PostalAddress")) && under(doc, n, &[cac!("TaxRepresentativeParty")]) {
        br_core::tax_representative_address(ctx, n);
    } else if is(cac!("TaxTotal")) && parent(doc, n) == Some(root) {
        br_co::tax_total(ctx, n);
    } else if is(cac!("TaxSubtotal")) && under(doc, n, &[cac!("TaxTotal")]) {
        br_core::vat_breakdown(ctx, n);
        br_co::vat_breakdown(ctx, n);
        br_dec::vat_breakdown(ctx, n);
    } else if is(cac!("PartyTaxScheme")) && vat_scheme(doc, n) {
        br_co::vat_identifier(ctx, n);
    } else {
        // The VAT category contexts come last in the official order.
        vat::visit(ctx, n);
    }
}
