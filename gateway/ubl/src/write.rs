//! Model -> UBL, elements in UBL 2.1 schema order, streamed (no tree).

use gateway_model::codes::Code;
use gateway_model::values::{Amount, Date, DateFormat, Identifier, Indicator, Num, Quantity, Text};
use gateway_model::xml::QName;
use gateway_model::{
    Address, AllowanceCharge, DocumentKind, Invoice, InvoiceLine, Item, LineVat, Party,
    PaymentInstructions, Period, Price, Syntax, TaxId, VatBreakdown,
};
use gateway_xml::names::{CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE};
use gateway_xml::{preserve, StreamOptions, StreamWriter};

/// Write the model as UBL 2.1 (an `Invoice` or a `CreditNote` after
/// [`Invoice::kind`]), re-emitting content preserved from a UBL source.
pub fn write(inv: &Invoice) -> Vec<u8> {
    let root_ns = match inv.kind {
        DocumentKind::Invoice => UBL_INVOICE,
        DocumentKind::CreditNote => UBL_CREDIT_NOTE,
    };
    let opts = StreamOptions {
        root_namespaces: vec![("", root_ns), ("cac", CAC), ("cbc", CBC)],
        indent: true,
        keep: preserve::keep_none,
        // Capped: a hostile model with millions of empty lines must not reserve gigabytes.
        size_hint: inv.lines.len().saturating_mul(1400).min(32 << 20) + 8192,
    };
    let mut w = W(StreamWriter::new(opts, &inv.preserved, Syntax::Ubl));
    document(&mut w, inv);
    w.0.finish()
}

/// Small vocabulary over the streaming sink (empty elements vanish there).
struct W<'p>(StreamWriter<'p>);

impl W<'_> {
    fn open(&mut self, local: &'static str) {
        self.0.open(QName::new_static(CAC, "cac", local));
    }
    fn close(&mut self) {
        self.0.close();
    }
    fn leaf(&mut self, local: &'static str, value: &str, attrs: &[(&'static str, &str)]) {
        self.0.open(QName::new_static(CBC, "cbc", local));
        for (k, v) in attrs {
            self.0.attr(QName::new_static("", "", k), v);
        }
        self.0.text(value);
        self.0.close();
    }
    fn txt(&mut self, local: &'static str, t: Option<&Text>) {
        if let Some(t) = t {
            self.leaf(local, &t.value, &[]);
        }
    }
    fn code<L>(&mut self, local: &'static str, c: Option<&Code<L>>) {
        if let Some(c) = c {
            self.leaf(local, &c.raw, &[]);
        }
    }
    fn ident(
        &mut self,
        local: &'static str,
        i: Option<&Identifier>,
        scheme: &'static str,
        version: &'static str,
    ) {
        if let Some(i) = i {
            let mut attrs = Vec::new();
            if let Some(s) = &i.scheme {
                attrs.push((scheme, s.as_str()));
            }
            if let Some(v) = &i.scheme_version {
                attrs.push((version, v.as_str()));
            }
            self.leaf(local, &i.value, &attrs);
        }
    }
    fn amount(&mut self, local: &'static str, a: Option<&Amount>) {
        if let Some(a) = a {
            match &a.currency {
                Some(c) => self.leaf(local, &a.raw, &[("currencyID", &c.raw)]),
                None => self.leaf(local, &a.raw, &[]),
            }
        }
    }
    fn quantity(&mut self, local: &'static str, q: Option<&Quantity>) {
        if let Some(q) = q {
            match &q.unit {
                Some(u) => self.leaf(local, &q.raw, &[("unitCode", &u.raw)]),
                None => self.leaf(local, &q.raw, &[]),
            }
        }
    }
    fn num(&mut self, local: &'static str, n: Option<&Num>) {
        if let Some(n) = n {
            self.leaf(local, &n.raw, &[]);
        }
    }
    fn date(&mut self, local: &'static str, d: Option<&Date>) {
        if let Some(d) = d {
            self.leaf(local, &d.lexical(DateFormat::Iso), &[]);
        }
    }
    fn indicator(&mut self, local: &'static str, i: Option<&Indicator>) {
        if let Some(i) = i {
            self.leaf(local, &i.raw, &[]);
        }
    }
    /// `cac:{agg}/cbc:{leaf}` when the text is present.
    fn nested(&mut self, agg: &'static str, leaf: &'static str, t: Option<&Text>) {
        if t.is_some() {
            self.open(agg);
            self.txt(leaf, t);
            self.close();
        }
    }
}

fn document(w: &mut W<'_>, inv: &Invoice) {
    let credit = inv.kind == DocumentKind::CreditNote;
    let root = if credit {
        QName::new_static(UBL_CREDIT_NOTE, "", "CreditNote")
    } else {
        QName::new_static(UBL_INVOICE, "", "Invoice")
    };
    w.0.open(root);
    w.txt("CustomizationID", inv.process.specification.as_ref());
    w.txt("ProfileID", inv.process.business_process.as_ref());
    w.txt("ID", inv.number.as_ref());
    w.date("IssueDate", inv.issue_date.as_ref());
    if credit {
        w.date("TaxPointDate", inv.vat_point_date.as_ref());
        w.code("CreditNoteTypeCode", inv.type_code.as_ref());
    } else {
        w.date("DueDate", inv.due_date.as_ref());
        w.code("InvoiceTypeCode", inv.type_code.as_ref());
    }
    for n in &inv.notes {
        match &n.subject_code {
            // UBL has no subject code element: the CEN convention prefixes it.
            Some(c) => w.leaf("Note", &format!("#{}#{}", c.value, n.text.value), &[]),
            None => w.txt("Note", Some(&n.text)),
        }
    }
    if !credit {
        w.date("TaxPointDate", inv.vat_point_date.as_ref());
    }
    w.code("DocumentCurrencyCode", inv.currency.as_ref());
    w.code("TaxCurrencyCode", inv.vat_currency.as_ref());
    w.txt("AccountingCost", inv.buyer_accounting_reference.as_ref());
    w.txt("BuyerReference", inv.buyer_reference.as_ref());
    if inv.invoicing_period.is_some() || inv.vat_point_date_code.is_some() {
        w.open("InvoicePeriod");
        if let Some(p) = &inv.invoicing_period {
            period_fields(w, p);
        }
        w.code("DescriptionCode", inv.vat_point_date_code.as_ref());
        w.close();
    }
    w.open("OrderReference");
    w.txt("ID", inv.purchase_order_reference.as_ref());
    w.txt("SalesOrderID", inv.sales_order_reference.as_ref());
    w.close();
    for p in &inv.preceding_invoices {
        w.open("BillingReference");
        w.open("InvoiceDocumentReference");
        w.txt("ID", p.reference.as_ref());
        w.date("IssueDate", p.issue_date.as_ref());
        w.close();
        w.close();
    }
    w.nested(
        "DespatchDocumentReference",
        "ID",
        inv.despatch_advice_reference.as_ref(),
    );
    w.nested(
        "ReceiptDocumentReference",
        "ID",
        inv.receiving_advice_reference.as_ref(),
    );
    if credit {
        w.nested(
            "ContractDocumentReference",
            "ID",
            inv.contract_reference.as_ref(),
        );
        additional_documents(w, inv);
        w.nested(
            "OriginatorDocumentReference",
            "ID",
            inv.tender_reference.as_ref(),
        );
    } else {
        w.nested(
            "OriginatorDocumentReference",
            "ID",
            inv.tender_reference.as_ref(),
        );
        w.nested(
            "ContractDocumentReference",
            "ID",
            inv.contract_reference.as_ref(),
        );
        additional_documents(w, inv);
        w.nested("ProjectReference", "ID", inv.project_reference.as_ref());
    }
    if let Some(p) = &inv.seller {
        w.open("AccountingSupplierParty");
        party(w, p, "Party", false);
        w.close();
    }
    if let Some(p) = &inv.buyer {
        w.open("AccountingCustomerParty");
        party(w, p, "Party", false);
        w.close();
    }
    if let Some(p) = &inv.payee {
        party(w, p, "PayeeParty", true);
    }
    if let Some(p) = &inv.tax_representative {
        party(w, p, "TaxRepresentativeParty", true);
    }
    if let Some(d) = &inv.delivery {
        w.open("Delivery");
        w.date("ActualDeliveryDate", d.date.as_ref());
        w.open("DeliveryLocation");
        w.ident("ID", d.location.as_ref(), "schemeID", "");
        if let Some(a) = &d.address {
            address(w, a, "Address");
        }
        w.close();
        w.open("DeliveryParty");
        w.nested("PartyName", "Name", d.party_name.as_ref());
        w.close();
        w.close();
    }
    for (i, pm) in inv.payment_instructions.iter().enumerate() {
        let due = if credit && i == 0 {
            inv.due_date.as_ref()
        } else {
            None
        };
        payment_means(w, pm, due);
    }
    if let Some(t) = &inv.payment_terms {
        w.open("PaymentTerms");
        w.txt("Note", Some(t));
        w.close();
    }
    for ac in &inv.allowances_charges {
        allowance_charge(w, ac);
    }
    for tt in &inv.tax_totals {
        w.open("TaxTotal");
        w.amount("TaxAmount", tt.amount.as_ref());
        for b in &tt.breakdown {
            subtotal(w, b);
        }
        w.close();
    }
    if let Some(tot) = &inv.totals {
        w.open("LegalMonetaryTotal");
        w.amount("LineExtensionAmount", tot.line_net.as_ref());
        w.amount("TaxExclusiveAmount", tot.without_vat.as_ref());
        w.amount("TaxInclusiveAmount", tot.with_vat.as_ref());
        w.amount("AllowanceTotalAmount", tot.allowances.as_ref());
        w.amount("ChargeTotalAmount", tot.charges.as_ref());
        w.amount("PrepaidAmount", tot.paid.as_ref());
        w.amount("PayableRoundingAmount", tot.rounding.as_ref());
        w.amount("PayableAmount", tot.due.as_ref());
        w.close();
    }
    for l in &inv.lines {
        line(w, l, credit);
    }
    w.close();
}

fn additional_documents(w: &mut W<'_>, inv: &Invoice) {
    if inv.kind == DocumentKind::CreditNote {
        if let Some(p) = &inv.project_reference {
            w.open("AdditionalDocumentReference");
            w.txt("ID", Some(p));
            w.leaf("DocumentTypeCode", "50", &[]);
            w.close();
        }
    }
    if let Some(o) = &inv.invoiced_object {
        w.open("AdditionalDocumentReference");
        w.ident("ID", Some(o), "schemeID", "");
        w.leaf("DocumentTypeCode", "130", &[]);
        w.close();
    }
    for s in &inv.supporting_documents {
        w.open("AdditionalDocumentReference");
        w.txt("ID", s.reference.as_ref());
        w.txt("DocumentTypeCode", s.type_code.as_ref());
        w.txt("DocumentDescription", s.description.as_ref());
        w.open("Attachment");
        if let Some(att) = &s.attachment {
            let mut attrs = Vec::new();
            if let Some(m) = &att.mime_code {
                attrs.push(("mimeCode", m.raw.as_str()));
            }
            if let Some(f) = &att.filename {
                attrs.push(("filename", f.as_str()));
            }
            w.leaf("EmbeddedDocumentBinaryObject", &att.content.value, &attrs);
        }
        w.nested("ExternalReference", "URI", s.uri.as_ref());
        w.close();
        w.close();
    }
}

fn period_fields(w: &mut W<'_>, p: &Period) {
    w.date("StartDate", p.start.as_ref());
    w.date("EndDate", p.end.as_ref());
}

/// A party element named `tag`; `name_in_party_name` for payee and tax
/// representative, whose name UBL carries in `cac:PartyName`.
fn party(w: &mut W<'_>, p: &Party, tag: &'static str, name_in_party_name: bool) {
    w.open(tag);
    w.ident("EndpointID", p.electronic_address.as_ref(), "schemeID", "");
    for id in &p.identifiers {
        w.open("PartyIdentification");
        w.ident("ID", Some(id), "schemeID", "");
        w.close();
    }
    let party_name = if name_in_party_name {
        &p.name
    } else {
        &p.trading_name
    };
    w.nested("PartyName", "Name", party_name.as_ref());
    if let Some(a) = &p.address {
        address(w, a, "PostalAddress");
    }
    for t in [&p.vat_identifier, &p.tax_registration]
        .into_iter()
        .flatten()
    {
        tax_scheme(w, t);
    }
    let reg_name = if name_in_party_name {
        &p.trading_name
    } else {
        &p.name
    };
    w.open("PartyLegalEntity");
    w.txt("RegistrationName", reg_name.as_ref());
    w.ident("CompanyID", p.legal_registration.as_ref(), "schemeID", "");
    w.txt("CompanyLegalForm", p.legal_information.as_ref());
    w.close();
    if let Some(c) = &p.contact {
        w.open("Contact");
        w.txt("Name", c.name.as_ref());
        w.txt("Telephone", c.telephone.as_ref());
        w.txt("ElectronicMail", c.email.as_ref());
        w.close();
    }
    w.close();
}

/// `cac:PartyTaxScheme` (the conversion layer fills in `VAT` / other
/// schemes for models that come from CII).
fn tax_scheme(w: &mut W<'_>, t: &TaxId) {
    w.open("PartyTaxScheme");
    w.txt("CompanyID", t.id.as_ref());
    w.nested("TaxScheme", "ID", t.scheme.as_ref());
    w.close();
}

fn address(w: &mut W<'_>, a: &Address, name: &'static str) {
    w.open(name);
    w.txt("StreetName", a.line1.as_ref());
    w.txt("AdditionalStreetName", a.line2.as_ref());
    w.txt("CityName", a.city.as_ref());
    w.txt("PostalZone", a.post_code.as_ref());
    w.txt("CountrySubentity", a.subdivision.as_ref());
    w.nested("AddressLine", "Line", a.line3.as_ref());
    if let Some(c) = &a.country {
        w.open("Country");
        w.code("IdentificationCode", Some(c));
        w.close();
    }
    w.close();
}

fn payment_means(w: &mut W<'_>, pm: &PaymentInstructions, due: Option<&Date>) {
    w.open("PaymentMeans");
    if pm.means_code.is_some() || pm.means_text.is_some() {
        let code = pm.means_code.as_ref().map_or("", |c| c.raw.as_str());
        match &pm.means_text {
            Some(t) => w.leaf("PaymentMeansCode", code, &[("name", &t.value)]),
            None => w.leaf("PaymentMeansCode", code, &[]),
        }
    }
    w.date("PaymentDueDate", due);
    w.txt("PaymentID", pm.remittance.as_ref());
    if let Some(c) = &pm.card {
        w.open("CardAccount");
        w.txt("PrimaryAccountNumberID", c.account_number.as_ref());
        w.txt("NetworkID", c.network.as_ref());
        w.txt("HolderName", c.holder.as_ref());
        w.close();
    }
    if let Some(ct) = &pm.credit_transfer {
        w.open("PayeeFinancialAccount");
        w.txt("ID", ct.account.as_ref());
        w.txt("Name", ct.account_name.as_ref());
        w.nested("FinancialInstitutionBranch", "ID", ct.provider.as_ref());
        w.close();
    }
    if let Some(dd) = &pm.direct_debit {
        w.open("PaymentMandate");
        w.txt("ID", dd.mandate.as_ref());
        w.nested("PayerFinancialAccount", "ID", dd.debited_account.as_ref());
        w.close();
    }
    w.close();
}

fn allowance_charge(w: &mut W<'_>, ac: &AllowanceCharge) {
    w.open("AllowanceCharge");
    w.indicator("ChargeIndicator", ac.charge.as_ref());
    w.txt("AllowanceChargeReasonCode", ac.reason_code.as_ref());
    w.txt("AllowanceChargeReason", ac.reason.as_ref());
    w.num("MultiplierFactorNumeric", ac.percentage.as_ref());
    w.amount("Amount", ac.amount.as_ref());
    w.amount("BaseAmount", ac.base_amount.as_ref());
    w.open("TaxCategory");
    w.code("ID", ac.vat_category.as_ref());
    w.num("Percent", ac.vat_rate.as_ref());
    w.nested("TaxScheme", "ID", ac.tax_scheme.as_ref());
    w.close();
    w.close();
}

fn subtotal(w: &mut W<'_>, b: &VatBreakdown) {
    w.open("TaxSubtotal");
    w.amount("TaxableAmount", b.taxable_amount.as_ref());
    w.amount("TaxAmount", b.tax_amount.as_ref());
    w.open("TaxCategory");
    w.code("ID", b.category.as_ref());
    w.num("Percent", b.rate.as_ref());
    w.code("TaxExemptionReasonCode", b.exemption_code.as_ref());
    w.txt("TaxExemptionReason", b.exemption_reason.as_ref());
    w.nested("TaxScheme", "ID", b.tax_scheme.as_ref());
    w.close();
    w.close();
}

fn line(w: &mut W<'_>, l: &InvoiceLine, credit: bool) {
    w.open(if credit {
        "CreditNoteLine"
    } else {
        "InvoiceLine"
    });
    w.txt("ID", l.id.as_ref());
    w.txt("Note", l.note.as_ref());
    w.quantity(
        if credit {
            "CreditedQuantity"
        } else {
            "InvoicedQuantity"
        },
        l.quantity.as_ref(),
    );
    w.amount("LineExtensionAmount", l.net_amount.as_ref());
    w.txt("AccountingCost", l.buyer_accounting_reference.as_ref());
    if let Some(p) = &l.period {
        w.open("InvoicePeriod");
        period_fields(w, p);
        w.close();
    }
    w.nested(
        "OrderLineReference",
        "LineID",
        l.order_line_reference.as_ref(),
    );
    w.open("DocumentReference");
    w.ident("ID", l.object_identifier.as_ref(), "schemeID", "");
    w.txt("DocumentTypeCode", l.object_type_code.as_ref());
    w.close();
    for ac in &l.allowances_charges {
        allowance_charge(w, ac);
    }
    if l.item.is_some() || l.vat.is_some() {
        item(w, l.item.as_ref(), l.vat.as_ref());
    }
    if let Some(pr) = &l.price {
        price(w, pr);
    }
    w.close();
}

fn item(w: &mut W<'_>, it: Option<&Item>, vat: Option<&LineVat>) {
    w.open("Item");
    let default = Item::default();
    let it = it.unwrap_or(&default);
    w.txt("Description", it.description.as_ref());
    w.txt("Name", it.name.as_ref());
    w.nested("BuyersItemIdentification", "ID", it.buyer_id.as_ref());
    w.nested("SellersItemIdentification", "ID", it.seller_id.as_ref());
    if let Some(s) = &it.standard_id {
        w.open("StandardItemIdentification");
        w.ident("ID", Some(s), "schemeID", "");
        w.close();
    }
    if let Some(c) = &it.origin_country {
        w.open("OriginCountry");
        w.code("IdentificationCode", Some(c));
        w.close();
    }
    for c in &it.classifications {
        w.open("CommodityClassification");
        w.ident("ItemClassificationCode", Some(c), "listID", "listVersionID");
        w.close();
    }
    if let Some(v) = vat {
        w.open("ClassifiedTaxCategory");
        w.code("ID", v.category.as_ref());
        w.num("Percent", v.rate.as_ref());
        w.nested("TaxScheme", "ID", v.tax_scheme.as_ref());
        w.close();
    }
    for a in &it.attributes {
        w.open("AdditionalItemProperty");
        w.txt("Name", a.name.as_ref());
        w.txt("Value", a.value.as_ref());
        w.close();
    }
    w.close();
}

fn price(w: &mut W<'_>, pr: &Price) {
    w.open("Price");
    w.amount("PriceAmount", pr.net.as_ref());
    w.quantity("BaseQuantity", pr.base_quantity.as_ref());
    w.open("AllowanceCharge");
    w.indicator("ChargeIndicator", pr.discount_indicator.as_ref());
    w.amount("Amount", pr.discount.as_ref());
    w.amount("BaseAmount", pr.gross.as_ref());
    w.close();
    w.close();
}
