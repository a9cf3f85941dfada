//! Model -> CII D16B, elements in schema order, streamed (no tree).

use gateway_model::codes::Code;
use gateway_model::values::{
    parse_with, Amount, Date, DateFormat, Identifier, Indicator, Num, Quantity, Text,
};
use gateway_model::xml::QName;
use gateway_model::{
    Address, AllowanceCharge, Invoice, InvoiceLine, Party, PaymentInstructions, Period, Syntax,
    TaxId,
};
use gateway_xml::names::{QDT, RAM, RSM, UDT};
use gateway_xml::{preserve, StreamOptions, StreamWriter};

use crate::keep;

/// Write the model as a CII D16B `CrossIndustryInvoice`, re-emitting content
/// preserved from a CII source.
pub fn write(inv: &Invoice) -> Vec<u8> {
    // Schema-mandatory empty containers are added for models from elsewhere;
    // a CII source's own empty containers come back through `preserved`.
    let from_cii = inv.preserved.syntax == Some(Syntax::Cii);
    let opts = StreamOptions {
        root_namespaces: vec![("rsm", RSM), ("qdt", QDT), ("ram", RAM), ("udt", UDT)],
        indent: true,
        keep: if from_cii { preserve::keep_none } else { keep },
        // Capped: a hostile model with millions of empty lines must not reserve gigabytes.
        size_hint: inv.lines.len().saturating_mul(2000).min(32 << 20) + 8192,
    };
    let mut w = W(StreamWriter::new(opts, &inv.preserved, Syntax::Cii));
    document(&mut w, inv);
    w.0.finish()
}

/// Small vocabulary over the streaming sink (empty elements vanish there).
struct W<'p>(StreamWriter<'p>);

impl W<'_> {
    fn open(&mut self, local: &'static str) {
        self.0.open(QName::new_static(RAM, "ram", local));
    }
    fn open_rsm(&mut self, local: &'static str) {
        self.0.open(QName::new_static(RSM, "rsm", local));
    }
    fn close(&mut self) {
        self.0.close();
    }
    fn leaf_in(&mut self, name: QName, value: &str, attrs: &[(&'static str, &str)]) {
        self.0.open(name);
        for (k, v) in attrs {
            self.0.attr(QName::new_static("", "", k), v);
        }
        self.0.text(value);
        self.0.close();
    }
    fn leaf(&mut self, local: &'static str, value: &str, attrs: &[(&'static str, &str)]) {
        self.leaf_in(QName::new_static(RAM, "ram", local), value, attrs);
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
    fn ident(&mut self, local: &'static str, i: Option<&Identifier>) {
        if let Some(i) = i {
            match &i.scheme {
                Some(s) => self.leaf(local, &i.value, &[("schemeID", s)]),
                None => self.leaf(local, &i.value, &[]),
            }
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
    /// `ram:{local}/{inner}` with `format` (`102` unless the source said
    /// otherwise or had none).
    fn date_in(&mut self, local: &'static str, d: Option<&Date>, inner: QName) {
        let Some(d) = d else { return };
        let (value, format) = match d.format.as_deref() {
            Some(f) if f != "102" => (d.raw.clone(), Some(f)),
            Some(f) => (d.lexical(DateFormat::Ccyymmdd), Some(f)),
            // A CII date written without @format stays so; others get 102.
            None if parse_with(&d.raw, DateFormat::Ccyymmdd).is_some() => (d.raw.clone(), None),
            None => (d.lexical(DateFormat::Ccyymmdd), Some("102")),
        };
        self.open(local);
        match format {
            Some(f) => self.leaf_in(inner, &value, &[("format", f)]),
            None => self.leaf_in(inner, &value, &[]),
        }
        self.close();
    }
    fn date(&mut self, local: &'static str, d: Option<&Date>) {
        self.date_in(local, d, QName::new_static(UDT, "udt", "DateTimeString"));
    }
    fn indicator(&mut self, local: &'static str, i: Option<&Indicator>) {
        if let Some(i) = i {
            self.open(local);
            self.leaf_in(QName::new_static(UDT, "udt", "Indicator"), &i.raw, &[]);
            self.close();
        }
    }
    /// `ram:{agg}/ram:{leaf}`.
    fn nested(&mut self, agg: &'static str, leaf: &'static str, t: Option<&Text>) {
        if t.is_some() {
            self.open(agg);
            self.txt(leaf, t);
            self.close();
        }
    }
}

fn document(w: &mut W<'_>, inv: &Invoice) {
    w.open_rsm("CrossIndustryInvoice");
    w.open_rsm("ExchangedDocumentContext");
    w.nested(
        "BusinessProcessSpecifiedDocumentContextParameter",
        "ID",
        inv.process.business_process.as_ref(),
    );
    w.nested(
        "GuidelineSpecifiedDocumentContextParameter",
        "ID",
        inv.process.specification.as_ref(),
    );
    w.close();
    w.open_rsm("ExchangedDocument");
    w.txt("ID", inv.number.as_ref());
    w.code("TypeCode", inv.type_code.as_ref());
    w.date("IssueDateTime", inv.issue_date.as_ref());
    for n in &inv.notes {
        w.open("IncludedNote");
        w.txt("Content", Some(&n.text));
        w.txt("SubjectCode", n.subject_code.as_ref());
        w.close();
    }
    w.close();
    w.open_rsm("SupplyChainTradeTransaction");
    for l in &inv.lines {
        line(w, l);
    }
    agreement(w, inv);
    delivery(w, inv);
    settlement(w, inv);
    w.close();
    w.close();
}

fn agreement(w: &mut W<'_>, inv: &Invoice) {
    w.open("ApplicableHeaderTradeAgreement");
    w.txt("BuyerReference", inv.buyer_reference.as_ref());
    if let Some(p) = &inv.seller {
        party(w, p, "SellerTradeParty");
    }
    if let Some(p) = &inv.buyer {
        party(w, p, "BuyerTradeParty");
    }
    if let Some(p) = &inv.tax_representative {
        party(w, p, "SellerTaxRepresentativeTradeParty");
    }
    w.nested(
        "SellerOrderReferencedDocument",
        "IssuerAssignedID",
        inv.sales_order_reference.as_ref(),
    );
    w.nested(
        "BuyerOrderReferencedDocument",
        "IssuerAssignedID",
        inv.purchase_order_reference.as_ref(),
    );
    w.nested(
        "ContractReferencedDocument",
        "IssuerAssignedID",
        inv.contract_reference.as_ref(),
    );
    for s in &inv.supporting_documents {
        w.open("AdditionalReferencedDocument");
        w.txt("IssuerAssignedID", s.reference.as_ref());
        w.txt("URIID", s.uri.as_ref());
        w.txt("TypeCode", s.type_code.as_ref());
        w.txt("Name", s.description.as_ref());
        if let Some(att) = &s.attachment {
            let mut attrs = Vec::new();
            if let Some(m) = &att.mime_code {
                attrs.push(("mimeCode", m.raw.as_str()));
            }
            if let Some(f) = &att.filename {
                attrs.push(("filename", f.as_str()));
            }
            w.leaf("AttachmentBinaryObject", &att.content.value, &attrs);
        }
        w.close();
    }
    if let Some(t) = &inv.tender_reference {
        w.open("AdditionalReferencedDocument");
        w.txt("IssuerAssignedID", Some(t));
        w.leaf("TypeCode", "50", &[]);
        w.close();
    }
    if let Some(o) = &inv.invoiced_object {
        w.open("AdditionalReferencedDocument");
        w.leaf("IssuerAssignedID", &o.value, &[]);
        w.leaf("TypeCode", "130", &[]);
        if let Some(s) = &o.scheme {
            w.leaf("ReferenceTypeCode", s, &[]);
        }
        w.close();
    }
    w.open("SpecifiedProcuringProject");
    w.txt("ID", inv.project_reference.as_ref());
    w.txt("Name", inv.project_name.as_ref());
    w.close();
    w.close();
}

fn delivery(w: &mut W<'_>, inv: &Invoice) {
    w.open("ApplicableHeaderTradeDelivery");
    if let Some(del) = &inv.delivery {
        w.open("ShipToTradeParty");
        let global = del.location.as_ref().is_some_and(|l| l.scheme.is_some());
        w.ident(
            if global { "GlobalID" } else { "ID" },
            del.location.as_ref(),
        );
        w.txt("Name", del.party_name.as_ref());
        if let Some(a) = &del.address {
            address(w, a);
        }
        w.close();
        w.open("ActualDeliverySupplyChainEvent");
        w.date("OccurrenceDateTime", del.date.as_ref());
        w.close();
    }
    w.nested(
        "DespatchAdviceReferencedDocument",
        "IssuerAssignedID",
        inv.despatch_advice_reference.as_ref(),
    );
    w.nested(
        "ReceivingAdviceReferencedDocument",
        "IssuerAssignedID",
        inv.receiving_advice_reference.as_ref(),
    );
    w.close();
}

fn settlement(w: &mut W<'_>, inv: &Invoice) {
    w.open("ApplicableHeaderTradeSettlement");
    w.txt("CreditorReferenceID", inv.creditor_reference.as_ref());
    let remittance = inv
        .payment_instructions
        .iter()
        .find_map(|p| p.remittance.as_ref());
    w.txt("PaymentReference", remittance);
    w.code("TaxCurrencyCode", inv.vat_currency.as_ref());
    w.code("InvoiceCurrencyCode", inv.currency.as_ref());
    if let Some(p) = &inv.payee {
        party(w, p, "PayeeTradeParty");
    }
    for pm in &inv.payment_instructions {
        payment_means(w, pm);
    }
    for b in inv.vat_breakdown() {
        w.open("ApplicableTradeTax");
        w.amount("CalculatedAmount", b.tax_amount.as_ref());
        w.txt("TypeCode", b.tax_scheme.as_ref());
        w.txt("ExemptionReason", b.exemption_reason.as_ref());
        w.amount("BasisAmount", b.taxable_amount.as_ref());
        w.code("CategoryCode", b.category.as_ref());
        w.code("ExemptionReasonCode", b.exemption_code.as_ref());
        w.date_in(
            "TaxPointDate",
            b.tax_point_date.as_ref(),
            QName::new_static(UDT, "udt", "DateString"),
        );
        w.code("DueDateTypeCode", b.due_date_code.as_ref());
        w.num("RateApplicablePercent", b.rate.as_ref());
        w.close();
    }
    if let Some(p) = &inv.invoicing_period {
        period(w, p);
    }
    for ac in &inv.allowances_charges {
        allowance_charge(w, ac);
    }
    w.open("SpecifiedTradePaymentTerms");
    w.txt("Description", inv.payment_terms.as_ref());
    w.date("DueDateDateTime", inv.due_date.as_ref());
    w.txt("DirectDebitMandateID", inv.mandate_reference.as_ref());
    w.close();
    if let Some(tot) = &inv.totals {
        w.open("SpecifiedTradeSettlementHeaderMonetarySummation");
        w.amount("LineTotalAmount", tot.line_net.as_ref());
        w.amount("ChargeTotalAmount", tot.charges.as_ref());
        w.amount("AllowanceTotalAmount", tot.allowances.as_ref());
        w.amount("TaxBasisTotalAmount", tot.without_vat.as_ref());
        for t in &inv.tax_totals {
            w.amount("TaxTotalAmount", t.amount.as_ref());
        }
        w.amount("RoundingAmount", tot.rounding.as_ref());
        w.amount("GrandTotalAmount", tot.with_vat.as_ref());
        w.amount("TotalPrepaidAmount", tot.paid.as_ref());
        w.amount("DuePayableAmount", tot.due.as_ref());
        w.close();
    }
    for p in &inv.preceding_invoices {
        w.open("InvoiceReferencedDocument");
        w.txt("IssuerAssignedID", p.reference.as_ref());
        w.date_in(
            "FormattedIssueDateTime",
            p.issue_date.as_ref(),
            QName::new_static(QDT, "qdt", "DateTimeString"),
        );
        w.close();
    }
    w.nested(
        "ReceivableSpecifiedTradeAccountingAccount",
        "ID",
        inv.buyer_accounting_reference.as_ref(),
    );
    w.close();
}

fn party(w: &mut W<'_>, p: &Party, name: &'static str) {
    w.open(name);
    let global = |i: &&Identifier| i.global || i.scheme.is_some();
    for id in p.identifiers.iter().filter(|i| !global(i)) {
        w.ident("ID", Some(id));
    }
    for id in p.identifiers.iter().filter(global) {
        w.ident("GlobalID", Some(id));
    }
    w.txt("Name", p.name.as_ref());
    w.txt("Description", p.legal_information.as_ref());
    w.open("SpecifiedLegalOrganization");
    w.ident("ID", p.legal_registration.as_ref());
    w.txt("TradingBusinessName", p.trading_name.as_ref());
    w.close();
    if let Some(c) = &p.contact {
        w.open("DefinedTradeContact");
        w.txt("PersonName", c.name.as_ref());
        w.nested(
            "TelephoneUniversalCommunication",
            "CompleteNumber",
            c.telephone.as_ref(),
        );
        w.nested("EmailURIUniversalCommunication", "URIID", c.email.as_ref());
        w.close();
    }
    if let Some(a) = &p.address {
        address(w, a);
    }
    if let Some(ea) = &p.electronic_address {
        w.open("URIUniversalCommunication");
        w.ident("URIID", Some(ea));
        w.close();
    }
    for t in [&p.vat_identifier, &p.tax_registration]
        .into_iter()
        .flatten()
    {
        tax_registration(w, t);
    }
    w.close();
}

fn tax_registration(w: &mut W<'_>, t: &TaxId) {
    w.open("SpecifiedTaxRegistration");
    let id = t.id.as_ref().map_or("", |i| i.value.as_str());
    match &t.scheme {
        Some(s) => w.leaf("ID", id, &[("schemeID", &s.value)]),
        None => w.leaf("ID", id, &[]),
    }
    w.close();
}

fn address(w: &mut W<'_>, a: &Address) {
    w.open("PostalTradeAddress");
    w.txt("PostcodeCode", a.post_code.as_ref());
    w.txt("LineOne", a.line1.as_ref());
    w.txt("LineTwo", a.line2.as_ref());
    w.txt("LineThree", a.line3.as_ref());
    w.txt("CityName", a.city.as_ref());
    w.code("CountryID", a.country.as_ref());
    w.txt("CountrySubDivisionName", a.subdivision.as_ref());
    w.close();
}

fn period(w: &mut W<'_>, p: &Period) {
    w.open("BillingSpecifiedPeriod");
    w.date("StartDateTime", p.start.as_ref());
    w.date("EndDateTime", p.end.as_ref());
    w.close();
}

fn payment_means(w: &mut W<'_>, pm: &PaymentInstructions) {
    w.open("SpecifiedTradeSettlementPaymentMeans");
    w.code("TypeCode", pm.means_code.as_ref());
    w.txt("Information", pm.means_text.as_ref());
    if let Some(c) = &pm.card {
        w.open("ApplicableTradeSettlementFinancialCard");
        w.txt("ID", c.account_number.as_ref());
        w.txt("CardholderName", c.holder.as_ref());
        w.close();
    }
    if let Some(dd) = &pm.direct_debit {
        w.nested(
            "PayerPartyDebtorFinancialAccount",
            "IBANID",
            dd.debited_account.as_ref(),
        );
    }
    if let Some(ct) = &pm.credit_transfer {
        w.open("PayeePartyCreditorFinancialAccount");
        if !ct.proprietary_id {
            w.txt("IBANID", ct.account.as_ref());
        }
        w.txt("AccountName", ct.account_name.as_ref());
        if ct.proprietary_id {
            w.txt("ProprietaryID", ct.account.as_ref());
        }
        w.close();
        w.nested(
            "PayeeSpecifiedCreditorFinancialInstitution",
            "BICID",
            ct.provider.as_ref(),
        );
    }
    w.close();
}

fn allowance_charge(w: &mut W<'_>, ac: &AllowanceCharge) {
    w.open("SpecifiedTradeAllowanceCharge");
    w.indicator("ChargeIndicator", ac.charge.as_ref());
    w.num("CalculationPercent", ac.percentage.as_ref());
    w.amount("BasisAmount", ac.base_amount.as_ref());
    w.amount("ActualAmount", ac.amount.as_ref());
    w.txt("ReasonCode", ac.reason_code.as_ref());
    w.txt("Reason", ac.reason.as_ref());
    w.open("CategoryTradeTax");
    w.txt("TypeCode", ac.tax_scheme.as_ref());
    w.code("CategoryCode", ac.vat_category.as_ref());
    w.num("RateApplicablePercent", ac.vat_rate.as_ref());
    w.close();
    w.close();
}

fn line(w: &mut W<'_>, l: &InvoiceLine) {
    w.open("IncludedSupplyChainTradeLineItem");
    w.open("AssociatedDocumentLineDocument");
    w.txt("LineID", l.id.as_ref());
    w.nested("IncludedNote", "Content", l.note.as_ref());
    w.close();
    if let Some(it) = &l.item {
        w.open("SpecifiedTradeProduct");
        w.ident("GlobalID", it.standard_id.as_ref());
        w.txt("SellerAssignedID", it.seller_id.as_ref());
        w.txt("BuyerAssignedID", it.buyer_id.as_ref());
        w.txt("Name", it.name.as_ref());
        w.txt("Description", it.description.as_ref());
        for a in &it.attributes {
            w.open("ApplicableProductCharacteristic");
            w.txt("Description", a.name.as_ref());
            w.txt("Value", a.value.as_ref());
            w.close();
        }
        for c in &it.classifications {
            w.open("DesignatedProductClassification");
            let mut attrs = Vec::new();
            if let Some(s) = &c.scheme {
                attrs.push(("listID", s.as_str()));
            }
            if let Some(v) = &c.scheme_version {
                attrs.push(("listVersionID", v.as_str()));
            }
            w.leaf("ClassCode", &c.value, &attrs);
            w.close();
        }
        if let Some(c) = &it.origin_country {
            w.open("OriginTradeCountry");
            w.code("ID", Some(c));
            w.close();
        }
        w.close();
    }
    w.open("SpecifiedLineTradeAgreement");
    w.nested(
        "BuyerOrderReferencedDocument",
        "LineID",
        l.order_line_reference.as_ref(),
    );
    if let Some(pr) = &l.price {
        w.open("GrossPriceProductTradePrice");
        w.amount("ChargeAmount", pr.gross.as_ref());
        w.quantity("BasisQuantity", pr.gross_base_quantity.as_ref());
        w.open("AppliedTradeAllowanceCharge");
        w.indicator("ChargeIndicator", pr.discount_indicator.as_ref());
        w.amount("ActualAmount", pr.discount.as_ref());
        w.close();
        w.close();
        w.open("NetPriceProductTradePrice");
        w.amount("ChargeAmount", pr.net.as_ref());
        w.quantity("BasisQuantity", pr.base_quantity.as_ref());
        w.close();
    }
    w.close();
    w.open("SpecifiedLineTradeDelivery");
    w.quantity("BilledQuantity", l.quantity.as_ref());
    w.close();
    w.open("SpecifiedLineTradeSettlement");
    if let Some(v) = &l.vat {
        w.open("ApplicableTradeTax");
        w.txt("TypeCode", v.tax_scheme.as_ref());
        w.code("CategoryCode", v.category.as_ref());
        w.num("RateApplicablePercent", v.rate.as_ref());
        w.close();
    }
    if let Some(p) = &l.period {
        period(w, p);
    }
    for ac in &l.allowances_charges {
        allowance_charge(w, ac);
    }
    w.open("SpecifiedTradeSettlementLineMonetarySummation");
    w.amount("LineTotalAmount", l.net_amount.as_ref());
    w.close();
    w.open("AdditionalReferencedDocument");
    if let Some(o) = &l.object_identifier {
        w.leaf("IssuerAssignedID", &o.value, &[]);
    }
    w.txt("TypeCode", l.object_type_code.as_ref());
    if let Some(sch) = l.object_identifier.as_ref().and_then(|o| o.scheme.as_ref()) {
        w.leaf("ReferenceTypeCode", sch, &[]);
    }
    w.close();
    w.nested(
        "ReceivableSpecifiedTradeAccountingAccount",
        "ID",
        l.buyer_accounting_reference.as_ref(),
    );
    w.close();
    w.close();
}
