//! CII -> model mapping.

use gateway_model::codes::{Code, CodeList};
use gateway_model::values::{Amount, Date, Identifier, Indicator, Num, Quantity, Src, Text};
use gateway_model::{
    Address, AllowanceCharge, Attachment, Contact, CreditTransfer, Delivery, DirectDebit,
    DocumentKind, Invoice, InvoiceLine, Item, ItemAttribute, LineVat, Note, Party, PaymentCard,
    PaymentInstructions, Period, PrecedingInvoice, Price, SupportingDocument, Syntax, TaxId,
    TaxTotal, Totals, VatBreakdown,
};
use gateway_xml::names::{RAM, RSM};
use gateway_xml::{preserve, Document, Limits, NodeId, Tracker};

use crate::{Error, Parsed};

/// Parse CII bytes under `limits`.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Parsed, Error> {
    let doc = gateway_xml::parse(bytes, limits)?;
    let invoice = read_document(&doc)?;
    Ok(Parsed { doc, invoice })
}

/// Build the model from an already parsed tree.
pub fn read_document(doc: &Document) -> Result<Invoice, Error> {
    let root = doc.root();
    if !doc.is(root, RSM, "CrossIndustryInvoice") {
        let (line, column) = doc.line_col(root);
        let n = doc.name(root);
        return Err(Error::NotCii {
            line,
            column,
            found: format!("{{{}}}{}", n.ns, n.local),
        });
    }
    let mut r = R {
        t: Tracker::new(doc),
    };
    let mut inv = r.invoice(root);
    inv.preserved = preserve::collect(&r.t, Syntax::Cii);
    Ok(inv)
}

struct R<'d> {
    t: Tracker<'d>,
}

fn src(id: NodeId) -> Src {
    id.into()
}

impl R<'_> {
    fn el(&mut self, p: NodeId, local: &str) -> Option<NodeId> {
        self.t.child(p, RAM, local)
    }
    fn els(&mut self, p: NodeId, local: &str) -> Vec<NodeId> {
        self.t.children(p, RAM, local)
    }
    fn text(&mut self, p: NodeId, local: &str) -> Option<Text> {
        let id = self.el(p, local)?;
        Some(self.text_of(id))
    }
    fn text_of(&mut self, id: NodeId) -> Text {
        Text {
            value: self.t.text(id),
            src: src(id),
        }
    }
    fn nested(&mut self, p: NodeId, agg: &str, leaf: &str) -> Option<Text> {
        let a = self.el(p, agg)?;
        let t = self.text(a, leaf);
        if t.is_none() {
            self.t.unmark(a);
        }
        t
    }
    fn ident(&mut self, p: NodeId, local: &str) -> Option<Identifier> {
        let id = self.el(p, local)?;
        Some(self.ident_of(id))
    }
    fn ident_of(&mut self, id: NodeId) -> Identifier {
        Identifier {
            value: self.t.text(id),
            scheme: self.t.attr(id, "schemeID"),
            scheme_version: None,
            global: false,
            src: src(id),
        }
    }
    fn code<L: CodeList>(&mut self, p: NodeId, local: &str) -> Option<Code<L>> {
        let id = self.el(p, local)?;
        Some(Code::new(self.t.text(id), src(id)))
    }
    fn amount(&mut self, p: NodeId, local: &str) -> Option<Amount> {
        let id = self.el(p, local)?;
        Some(self.amount_of(id))
    }
    fn amount_of(&mut self, id: NodeId) -> Amount {
        let cur = self.t.attr(id, "currencyID").map(|c| Code::new(c, src(id)));
        Amount::parse(self.t.text(id), cur, src(id))
    }
    fn quantity(&mut self, p: NodeId, local: &str) -> Option<Quantity> {
        let id = self.el(p, local)?;
        let unit = self.t.attr(id, "unitCode").map(|c| Code::new(c, src(id)));
        Some(Quantity::parse(self.t.text(id), unit, src(id)))
    }
    fn num(&mut self, p: NodeId, local: &str) -> Option<Num> {
        let id = self.el(p, local)?;
        Some(Num::parse(self.t.text(id), src(id)))
    }
    /// `ram:{local}/{udt|qdt}:{DateTimeString|DateString}` with `@format`.
    fn date(&mut self, p: NodeId, local: &str) -> Option<Date> {
        let w = self.el(p, local)?;
        let doc = self.t.doc();
        let Some(inner) = doc
            .elements(w)
            .find(|&c| matches!(doc.name(c).local, "DateTimeString" | "DateString"))
        else {
            self.t.unmark(w);
            return None;
        };
        self.t.mark(inner);
        let format = self.t.attr(inner, "format");
        Some(Date::parse_cii(self.t.text(inner), format, src(inner)))
    }
    /// `ram:ChargeIndicator/udt:Indicator`.
    fn indicator(&mut self, p: NodeId, local: &str) -> Option<Indicator> {
        let w = self.el(p, local)?;
        let doc = self.t.doc();
        let Some(inner) = doc.elements(w).find(|&c| doc.name(c).local == "Indicator") else {
            self.t.unmark(w);
            return None;
        };
        self.t.mark(inner);
        Some(Indicator::parse(self.t.text(inner), src(inner)))
    }

    fn invoice(&mut self, root: NodeId) -> Invoice {
        let mut inv = Invoice {
            kind: DocumentKind::Invoice,
            source_syntax: Some(Syntax::Cii),
            src: src(root),
            ..Invoice::default()
        };
        if let Some(c) = self.t.child(root, RSM, "ExchangedDocumentContext") {
            inv.process.business_process =
                self.nested(c, "BusinessProcessSpecifiedDocumentContextParameter", "ID");
            inv.process.specification =
                self.nested(c, "GuidelineSpecifiedDocumentContextParameter", "ID");
        }
        if let Some(d) = self.t.child(root, RSM, "ExchangedDocument") {
            inv.number = self.text(d, "ID");
            inv.type_code = self.code(d, "TypeCode");
            inv.issue_date = self.date(d, "IssueDateTime");
            for n in self.els(d, "IncludedNote") {
                let text = self.text(n, "Content").unwrap_or_default();
                let subject_code = self.text(n, "SubjectCode");
                inv.notes.push(Note { subject_code, text });
            }
        }
        let Some(tx) = self.t.child(root, RSM, "SupplyChainTradeTransaction") else {
            return inv;
        };
        let line_ids = self.els(tx, "IncludedSupplyChainTradeLineItem");
        inv.lines.reserve_exact(line_ids.len());
        for l in line_ids {
            let line = self.line(l);
            inv.lines.push(line);
        }
        if let Some(a) = self.el(tx, "ApplicableHeaderTradeAgreement") {
            self.agreement(a, &mut inv);
        }
        if let Some(d) = self.el(tx, "ApplicableHeaderTradeDelivery") {
            self.delivery(d, &mut inv);
        }
        if let Some(s) = self.el(tx, "ApplicableHeaderTradeSettlement") {
            self.settlement(s, &mut inv);
        }
        inv
    }

    fn agreement(&mut self, a: NodeId, inv: &mut Invoice) {
        inv.buyer_reference = self.text(a, "BuyerReference");
        if let Some(p) = self.el(a, "SellerTradeParty") {
            inv.seller = Some(self.party(p));
        }
        if let Some(p) = self.el(a, "BuyerTradeParty") {
            inv.buyer = Some(self.party(p));
        }
        if let Some(p) = self.el(a, "SellerTaxRepresentativeTradeParty") {
            inv.tax_representative = Some(self.party(p));
        }
        inv.sales_order_reference =
            self.nested(a, "SellerOrderReferencedDocument", "IssuerAssignedID");
        inv.purchase_order_reference =
            self.nested(a, "BuyerOrderReferencedDocument", "IssuerAssignedID");
        inv.contract_reference = self.nested(a, "ContractReferencedDocument", "IssuerAssignedID");
        let doc = self.t.doc();
        for d in self.t.peek_children(a, RAM, "AdditionalReferencedDocument") {
            let type_code = doc
                .elements(d)
                .find(|&c| doc.is(c, RAM, "TypeCode"))
                .map(|c| doc.text(c).trim().to_string());
            let has_id = doc.elements(d).any(|c| doc.is(c, RAM, "IssuerAssignedID"));
            self.t.mark(d);
            match type_code.as_deref() {
                Some("50") if has_id && inv.tender_reference.is_none() => {
                    inv.tender_reference = self.text(d, "IssuerAssignedID");
                    let _ = self.text(d, "TypeCode");
                }
                Some("130") if has_id && inv.invoiced_object.is_none() => {
                    let mut id = self.ident(d, "IssuerAssignedID");
                    let _ = self.text(d, "TypeCode");
                    if let (Some(i), Some(s)) = (id.as_mut(), self.text(d, "ReferenceTypeCode")) {
                        i.scheme = Some(s.value);
                    }
                    inv.invoiced_object = id;
                }
                _ => {
                    let sd = self.supporting_document(d);
                    inv.supporting_documents.push(sd);
                }
            }
        }
        if let Some(p) = self.el(a, "SpecifiedProcuringProject") {
            inv.project_reference = self.text(p, "ID");
            inv.project_name = self.text(p, "Name");
        }
    }

    fn supporting_document(&mut self, d: NodeId) -> SupportingDocument {
        let mut sd = SupportingDocument {
            reference: self.text(d, "IssuerAssignedID"),
            uri: self.text(d, "URIID"),
            type_code: self.text(d, "TypeCode"),
            description: self.text(d, "Name"),
            src: src(d),
            ..SupportingDocument::default()
        };
        if let Some(b) = self.el(d, "AttachmentBinaryObject") {
            sd.attachment = Some(Attachment {
                mime_code: self.t.attr(b, "mimeCode").map(|m| Code::new(m, src(b))),
                filename: self.t.attr(b, "filename"),
                content: self.text_of(b),
            });
        }
        sd
    }

    fn delivery(&mut self, d: NodeId, inv: &mut Invoice) {
        let mut del = Delivery {
            src: src(d),
            ..Delivery::default()
        };
        let mut any = false;
        if let Some(p) = self.el(d, "ShipToTradeParty") {
            any = true;
            del.location = self.ident(p, "ID").or_else(|| self.ident(p, "GlobalID"));
            del.party_name = self.text(p, "Name");
            if let Some(a) = self.el(p, "PostalTradeAddress") {
                del.address = Some(self.address(a));
            }
        }
        if let Some(e) = self.el(d, "ActualDeliverySupplyChainEvent") {
            del.date = self.date(e, "OccurrenceDateTime");
            any |= del.date.is_some();
            if del.date.is_none() {
                self.t.unmark(e);
            }
        }
        if any {
            inv.delivery = Some(del);
        }
        inv.despatch_advice_reference =
            self.nested(d, "DespatchAdviceReferencedDocument", "IssuerAssignedID");
        inv.receiving_advice_reference =
            self.nested(d, "ReceivingAdviceReferencedDocument", "IssuerAssignedID");
    }

    fn settlement(&mut self, s: NodeId, inv: &mut Invoice) {
        inv.creditor_reference = self.text(s, "CreditorReferenceID");
        let remittance = self.text(s, "PaymentReference");
        inv.vat_currency = self.code(s, "TaxCurrencyCode");
        inv.currency = self.code(s, "InvoiceCurrencyCode");
        if let Some(p) = self.el(s, "PayeeTradeParty") {
            inv.payee = Some(self.party(p));
        }
        for m in self.els(s, "SpecifiedTradeSettlementPaymentMeans") {
            let pm = self.payment_means(m);
            inv.payment_instructions.push(pm);
        }
        // BT-83 belongs to BG-16; CII carries it once at settlement level.
        match inv.payment_instructions.first_mut() {
            Some(first) => first.remittance = remittance,
            None if remittance.is_some() => inv.payment_instructions.push(PaymentInstructions {
                remittance,
                ..PaymentInstructions::default()
            }),
            None => {}
        }
        let mut breakdown = Vec::new();
        for t in self.els(s, "ApplicableTradeTax") {
            breakdown.push(self.vat_breakdown(t));
        }
        if let Some(p) = self.el(s, "BillingSpecifiedPeriod") {
            inv.invoicing_period = Some(self.period(p));
        }
        for a in self.els(s, "SpecifiedTradeAllowanceCharge") {
            let ac = self.allowance_charge(a);
            inv.allowances_charges.push(ac);
        }
        if let Some(t) = self.el(s, "SpecifiedTradePaymentTerms") {
            inv.payment_terms = self.text(t, "Description");
            inv.due_date = self.date(t, "DueDateDateTime");
            inv.mandate_reference = self.text(t, "DirectDebitMandateID");
        }
        let mut amounts = Vec::new();
        if let Some(m) = self.el(s, "SpecifiedTradeSettlementHeaderMonetarySummation") {
            let mut tot = Totals {
                line_net: self.amount(m, "LineTotalAmount"),
                charges: self.amount(m, "ChargeTotalAmount"),
                allowances: self.amount(m, "AllowanceTotalAmount"),
                without_vat: self.amount(m, "TaxBasisTotalAmount"),
                src: src(m),
                ..Totals::default()
            };
            for t in self.els(m, "TaxTotalAmount") {
                amounts.push(self.amount_of(t));
            }
            tot.rounding = self.amount(m, "RoundingAmount");
            tot.with_vat = self.amount(m, "GrandTotalAmount");
            tot.paid = self.amount(m, "TotalPrepaidAmount");
            tot.due = self.amount(m, "DuePayableAmount");
            inv.totals = Some(tot);
        }
        // The first tax total carries the whole breakdown (CII has no grouping).
        let mut amounts = amounts.into_iter();
        inv.tax_totals.push(TaxTotal {
            amount: amounts.next(),
            breakdown,
            src: src(s),
        });
        inv.tax_totals.extend(amounts.map(|a| TaxTotal {
            amount: Some(a),
            ..TaxTotal::default()
        }));
        if inv.tax_totals.len() == 1
            && inv
                .tax_totals
                .first()
                .is_some_and(|t| t.amount.is_none() && t.breakdown.is_empty())
        {
            inv.tax_totals.clear();
        }
        for d in self.els(s, "InvoiceReferencedDocument") {
            inv.preceding_invoices.push(PrecedingInvoice {
                reference: self.text(d, "IssuerAssignedID"),
                issue_date: self.date(d, "FormattedIssueDateTime"),
                src: src(d),
            });
        }
        inv.buyer_accounting_reference =
            self.nested(s, "ReceivableSpecifiedTradeAccountingAccount", "ID");
    }

    fn party(&mut self, p: NodeId) -> Party {
        let mut party = Party {
            src: src(p),
            ..Party::default()
        };
        for i in self.els(p, "ID") {
            // A scheme belongs on GlobalID; one on ram:ID stays preserved.
            let id = Identifier {
                value: self.t.text(i),
                scheme: None,
                scheme_version: None,
                global: false,
                src: src(i),
            };
            party.identifiers.push(id);
        }
        for i in self.els(p, "GlobalID") {
            let mut id = self.ident_of(i);
            id.global = true;
            party.identifiers.push(id);
        }
        party.name = self.text(p, "Name");
        party.legal_information = self.text(p, "Description");
        if let Some(o) = self.el(p, "SpecifiedLegalOrganization") {
            party.legal_registration = self.ident(o, "ID");
            party.trading_name = self.text(o, "TradingBusinessName");
        }
        if let Some(c) = self.el(p, "DefinedTradeContact") {
            party.contact = Some(Contact {
                name: self.text(c, "PersonName"),
                telephone: self.nested(c, "TelephoneUniversalCommunication", "CompleteNumber"),
                email: self.nested(c, "EmailURIUniversalCommunication", "URIID"),
                src: src(c),
            });
        }
        if let Some(a) = self.el(p, "PostalTradeAddress") {
            party.address = Some(self.address(a));
        }
        if let Some(u) = self.el(p, "URIUniversalCommunication") {
            party.electronic_address = self.ident(u, "URIID");
            if party.electronic_address.is_none() {
                self.t.unmark(u);
            }
        }
        let doc = self.t.doc();
        for r in self.t.peek_children(p, RAM, "SpecifiedTaxRegistration") {
            let scheme = doc
                .elements(r)
                .find(|&c| doc.is(c, RAM, "ID"))
                .and_then(|c| doc.attr(c, "schemeID"))
                .map(|s| s.trim() == "VA");
            let slot = match scheme {
                Some(true) if party.vat_identifier.is_none() => &mut party.vat_identifier,
                Some(false) if party.tax_registration.is_none() => &mut party.tax_registration,
                _ => continue,
            };
            self.t.mark(r);
            if let Some(i) = self.el(r, "ID") {
                let scheme = self.t.attr(i, "schemeID").map(Text::new);
                *slot = Some(TaxId {
                    id: Some(self.text_of(i)),
                    scheme,
                });
            }
        }
        party
    }

    fn address(&mut self, a: NodeId) -> Address {
        Address {
            post_code: self.text(a, "PostcodeCode"),
            line1: self.text(a, "LineOne"),
            line2: self.text(a, "LineTwo"),
            line3: self.text(a, "LineThree"),
            city: self.text(a, "CityName"),
            country: self.code(a, "CountryID"),
            subdivision: self.text(a, "CountrySubDivisionName"),
            src: src(a),
        }
    }

    fn period(&mut self, p: NodeId) -> Period {
        Period {
            start: self.date(p, "StartDateTime"),
            end: self.date(p, "EndDateTime"),
            src: src(p),
        }
    }

    fn payment_means(&mut self, m: NodeId) -> PaymentInstructions {
        let mut pi = PaymentInstructions {
            means_code: self.code(m, "TypeCode"),
            means_text: self.text(m, "Information"),
            src: src(m),
            ..PaymentInstructions::default()
        };
        if let Some(c) = self.el(m, "ApplicableTradeSettlementFinancialCard") {
            pi.card = Some(PaymentCard {
                account_number: self.text(c, "ID"),
                network: None,
                holder: self.text(c, "CardholderName"),
            });
        }
        if let Some(d) = self.el(m, "PayerPartyDebtorFinancialAccount") {
            pi.direct_debit = Some(DirectDebit {
                debited_account: self.text(d, "IBANID"),
                ..DirectDebit::default()
            });
        }
        let account = self.el(m, "PayeePartyCreditorFinancialAccount");
        let bank = self.el(m, "PayeeSpecifiedCreditorFinancialInstitution");
        if account.is_some() || bank.is_some() {
            let mut ct = CreditTransfer::default();
            if let Some(a) = account {
                ct.account = self.text(a, "IBANID");
                ct.account_name = self.text(a, "AccountName");
                if ct.account.is_none() {
                    ct.account = self.text(a, "ProprietaryID");
                    ct.proprietary_id = ct.account.is_some();
                }
            }
            if let Some(b) = bank {
                ct.provider = self.text(b, "BICID");
            }
            pi.credit_transfer = Some(ct);
        }
        pi
    }

    fn vat_breakdown(&mut self, t: NodeId) -> VatBreakdown {
        VatBreakdown {
            tax_amount: self.amount(t, "CalculatedAmount"),
            tax_scheme: self.text(t, "TypeCode"),
            exemption_reason: self.text(t, "ExemptionReason"),
            taxable_amount: self.amount(t, "BasisAmount"),
            category: self.code(t, "CategoryCode"),
            exemption_code: self.code(t, "ExemptionReasonCode"),
            tax_point_date: self.date(t, "TaxPointDate"),
            due_date_code: self.code(t, "DueDateTypeCode"),
            rate: self.num(t, "RateApplicablePercent"),
            src: src(t),
        }
    }

    fn allowance_charge(&mut self, a: NodeId) -> AllowanceCharge {
        let mut ac = AllowanceCharge {
            charge: self.indicator(a, "ChargeIndicator"),
            percentage: self.num(a, "CalculationPercent"),
            base_amount: self.amount(a, "BasisAmount"),
            amount: self.amount(a, "ActualAmount"),
            reason_code: self.text(a, "ReasonCode"),
            reason: self.text(a, "Reason"),
            src: src(a),
            ..AllowanceCharge::default()
        };
        if let Some(t) = self.el(a, "CategoryTradeTax") {
            ac.tax_scheme = self.text(t, "TypeCode");
            ac.vat_category = self.code(t, "CategoryCode");
            ac.vat_rate = self.num(t, "RateApplicablePercent");
        }
        ac
    }

    fn line(&mut self, l: NodeId) -> InvoiceLine {
        let mut line = InvoiceLine {
            src: src(l),
            ..InvoiceLine::default()
        };
        if let Some(d) = self.el(l, "AssociatedDocumentLineDocument") {
            line.id = self.text(d, "LineID");
            line.note = self.nested(d, "IncludedNote", "Content");
        }
        if let Some(p) = self.el(l, "SpecifiedTradeProduct") {
            line.item = Some(self.item(p));
        }
        if let Some(a) = self.el(l, "SpecifiedLineTradeAgreement") {
            line.order_line_reference = self.nested(a, "BuyerOrderReferencedDocument", "LineID");
            let mut price = Price {
                src: src(a),
                ..Price::default()
            };
            let mut any = false;
            if let Some(g) = self.el(a, "GrossPriceProductTradePrice") {
                any = true;
                price.gross = self.amount(g, "ChargeAmount");
                price.gross_base_quantity = self.quantity(g, "BasisQuantity");
                if let Some(ac) = self.el(g, "AppliedTradeAllowanceCharge") {
                    price.discount_indicator = self.indicator(ac, "ChargeIndicator");
                    price.discount = self.amount(ac, "ActualAmount");
                }
            }
            if let Some(n) = self.el(a, "NetPriceProductTradePrice") {
                any = true;
                price.net = self.amount(n, "ChargeAmount");
                price.base_quantity = self.quantity(n, "BasisQuantity");
            }
            if any {
                line.price = Some(price);
            }
        }
        if let Some(d) = self.el(l, "SpecifiedLineTradeDelivery") {
            line.quantity = self.quantity(d, "BilledQuantity");
        }
        if let Some(s) = self.el(l, "SpecifiedLineTradeSettlement") {
            if let Some(t) = self.el(s, "ApplicableTradeTax") {
                line.vat = Some(LineVat {
                    tax_scheme: self.text(t, "TypeCode"),
                    category: self.code(t, "CategoryCode"),
                    rate: self.num(t, "RateApplicablePercent"),
                });
            }
            if let Some(p) = self.el(s, "BillingSpecifiedPeriod") {
                line.period = Some(self.period(p));
            }
            for a in self.els(s, "SpecifiedTradeAllowanceCharge") {
                let ac = self.allowance_charge(a);
                line.allowances_charges.push(ac);
            }
            if let Some(m) = self.el(s, "SpecifiedTradeSettlementLineMonetarySummation") {
                line.net_amount = self.amount(m, "LineTotalAmount");
            }
            if let Some(d) = self.el(s, "AdditionalReferencedDocument") {
                let mut id = self.ident(d, "IssuerAssignedID");
                line.object_type_code = self.text(d, "TypeCode");
                if let (Some(i), Some(s)) = (id.as_mut(), self.text(d, "ReferenceTypeCode")) {
                    i.scheme = Some(s.value);
                }
                line.object_identifier = id;
            }
            line.buyer_accounting_reference =
                self.nested(s, "ReceivableSpecifiedTradeAccountingAccount", "ID");
        }
        line
    }

    fn item(&mut self, p: NodeId) -> Item {
        let mut item = Item {
            standard_id: self.ident(p, "GlobalID"),
            seller_id: self.text(p, "SellerAssignedID"),
            buyer_id: self.text(p, "BuyerAssignedID"),
            name: self.text(p, "Name"),
            description: self.text(p, "Description"),
            ..Item::default()
        };
        for c in self.els(p, "ApplicableProductCharacteristic") {
            item.attributes.push(ItemAttribute {
                name: self.text(c, "Description"),
                value: self.text(c, "Value"),
            });
        }
        for c in self.els(p, "DesignatedProductClassification") {
            if let Some(cc) = self.el(c, "ClassCode") {
                let mut id = self.ident_of(cc);
                id.scheme = self.t.attr(cc, "listID");
                id.scheme_version = self.t.attr(cc, "listVersionID");
                item.classifications.push(id);
            }
        }
        if let Some(o) = self.el(p, "OriginTradeCountry") {
            item.origin_country = self.code(o, "ID");
        }
        item
    }
}
