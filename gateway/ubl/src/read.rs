//! UBL -> model mapping.

use gateway_model::codes::{Code, CodeList};
use gateway_model::values::{Amount, Date, Identifier, Indicator, Num, Quantity, Src, Text};
use gateway_model::{
    Address, AllowanceCharge, Attachment, Contact, CreditTransfer, Delivery, DirectDebit,
    DocumentKind, Invoice, InvoiceLine, Item, ItemAttribute, LineVat, Note, Party, PaymentCard,
    PaymentInstructions, Period, PrecedingInvoice, Price, SupportingDocument, Syntax, TaxId,
    TaxTotal, Totals, VatBreakdown,
};
use gateway_xml::names::{CAC, CBC, UBL_CREDIT_NOTE, UBL_INVOICE};
use gateway_xml::{preserve, Document, Limits, NodeId, Tracker};

use crate::{Error, Parsed};

/// Parse UBL bytes under `limits`.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Parsed, Error> {
    let doc = gateway_xml::parse(bytes, limits)?;
    let invoice = read_document(&doc)?;
    Ok(Parsed { doc, invoice })
}

/// Build the model from an already parsed tree.
pub fn read_document(doc: &Document) -> Result<Invoice, Error> {
    let root = doc.root();
    let kind = if doc.is(root, UBL_INVOICE, "Invoice") {
        DocumentKind::Invoice
    } else if doc.is(root, UBL_CREDIT_NOTE, "CreditNote") {
        DocumentKind::CreditNote
    } else {
        let (line, column) = doc.line_col(root);
        let n = doc.name(root);
        return Err(Error::NotUbl {
            line,
            column,
            found: format!("{{{}}}{}", n.ns, n.local),
        });
    };
    let mut r = R {
        t: Tracker::new(doc),
    };
    let mut inv = r.invoice(root, kind);
    inv.preserved = preserve::collect(&r.t, Syntax::Ubl);
    Ok(inv)
}

struct R<'d> {
    t: Tracker<'d>,
}

fn src(id: NodeId) -> Src {
    id.into()
}

impl R<'_> {
    fn cac(&mut self, p: NodeId, local: &str) -> Option<NodeId> {
        self.t.child(p, CAC, local)
    }
    fn cacs(&mut self, p: NodeId, local: &str) -> Vec<NodeId> {
        self.t.children(p, CAC, local)
    }
    fn text(&mut self, p: NodeId, local: &str) -> Option<Text> {
        let id = self.t.child(p, CBC, local)?;
        Some(self.text_of(id))
    }
    fn text_of(&mut self, id: NodeId) -> Text {
        Text {
            value: self.t.text(id),
            src: src(id),
        }
    }
    fn ident(&mut self, p: NodeId, local: &str, scheme: &str, version: &str) -> Option<Identifier> {
        let id = self.t.child(p, CBC, local)?;
        Some(self.ident_of(id, scheme, version))
    }
    fn ident_of(&mut self, id: NodeId, scheme: &str, version: &str) -> Identifier {
        Identifier {
            value: self.t.text(id),
            scheme: self.t.attr(id, scheme),
            scheme_version: if version.is_empty() {
                None
            } else {
                self.t.attr(id, version)
            },
            global: false,
            src: src(id),
        }
    }
    fn code<L: CodeList>(&mut self, p: NodeId, local: &str) -> Option<Code<L>> {
        let id = self.t.child(p, CBC, local)?;
        Some(Code::new(self.t.text(id), src(id)))
    }
    fn amount(&mut self, p: NodeId, local: &str) -> Option<Amount> {
        let id = self.t.child(p, CBC, local)?;
        Some(self.amount_of(id))
    }
    fn amount_of(&mut self, id: NodeId) -> Amount {
        let cur = self.t.attr(id, "currencyID").map(|c| Code::new(c, src(id)));
        Amount::parse(self.t.text(id), cur, src(id))
    }
    fn quantity(&mut self, p: NodeId, local: &str) -> Option<Quantity> {
        let id = self.t.child(p, CBC, local)?;
        let unit = self.t.attr(id, "unitCode").map(|c| Code::new(c, src(id)));
        Some(Quantity::parse(self.t.text(id), unit, src(id)))
    }
    fn num(&mut self, p: NodeId, local: &str) -> Option<Num> {
        let id = self.t.child(p, CBC, local)?;
        Some(Num::parse(self.t.text(id), src(id)))
    }
    fn date(&mut self, p: NodeId, local: &str) -> Option<Date> {
        let id = self.t.child(p, CBC, local)?;
        Some(Date::parse_iso(self.t.text(id), src(id)))
    }
    fn indicator(&mut self, p: NodeId, local: &str) -> Option<Indicator> {
        let id = self.t.child(p, CBC, local)?;
        Some(Indicator::parse(self.t.text(id), src(id)))
    }
    /// `cac:{agg}/cbc:{leaf}` as text.
    fn nested_text(&mut self, p: NodeId, agg: &str, leaf: &str) -> Option<Text> {
        let a = self.cac(p, agg)?;
        self.text(a, leaf)
    }
    /// `cac:TaxScheme/cbc:ID`.
    fn tax_scheme(&mut self, p: NodeId) -> Option<Text> {
        self.nested_text(p, "TaxScheme", "ID")
    }

    fn invoice(&mut self, root: NodeId, kind: DocumentKind) -> Invoice {
        let credit = kind == DocumentKind::CreditNote;
        let mut inv = Invoice {
            kind,
            source_syntax: Some(Syntax::Ubl),
            src: src(root),
            ..Invoice::default()
        };
        // Lines first: once marked, the many line elements are skipped
        // cheaply by every later lookup among the root's children.
        let line_name = if credit {
            "CreditNoteLine"
        } else {
            "InvoiceLine"
        };
        let line_ids = self.cacs(root, line_name);
        inv.lines.reserve_exact(line_ids.len());
        for l in line_ids {
            let line = self.line(l, credit);
            inv.lines.push(line);
        }
        inv.process.specification = self.text(root, "CustomizationID");
        inv.process.business_process = self.text(root, "ProfileID");
        inv.number = self.text(root, "ID");
        inv.issue_date = self.date(root, "IssueDate");
        if !credit {
            inv.due_date = self.date(root, "DueDate");
        }
        inv.type_code = self.code(
            root,
            if credit {
                "CreditNoteTypeCode"
            } else {
                "InvoiceTypeCode"
            },
        );
        for id in self.t.children(root, CBC, "Note") {
            let text = self.text_of(id);
            inv.notes.push(Note {
                subject_code: None,
                text,
            });
        }
        inv.vat_point_date = self.date(root, "TaxPointDate");
        inv.currency = self.code(root, "DocumentCurrencyCode");
        inv.vat_currency = self.code(root, "TaxCurrencyCode");
        inv.buyer_accounting_reference = self.text(root, "AccountingCost");
        inv.buyer_reference = self.text(root, "BuyerReference");
        if let Some(p) = self.cac(root, "InvoicePeriod") {
            let mut period = self.period(p);
            inv.vat_point_date_code = self.code(p, "DescriptionCode");
            period.src = src(p);
            inv.invoicing_period = Some(period);
        }
        if let Some(o) = self.cac(root, "OrderReference") {
            inv.purchase_order_reference = self.text(o, "ID");
            inv.sales_order_reference = self.text(o, "SalesOrderID");
        }
        for b in self.cacs(root, "BillingReference") {
            if let Some(d) = self.cac(b, "InvoiceDocumentReference") {
                inv.preceding_invoices.push(PrecedingInvoice {
                    reference: self.text(d, "ID"),
                    issue_date: self.date(d, "IssueDate"),
                    src: src(d),
                });
            }
        }
        inv.despatch_advice_reference = self.nested_text(root, "DespatchDocumentReference", "ID");
        inv.receiving_advice_reference = self.nested_text(root, "ReceiptDocumentReference", "ID");
        inv.tender_reference = self.nested_text(root, "OriginatorDocumentReference", "ID");
        inv.contract_reference = self.nested_text(root, "ContractDocumentReference", "ID");
        for d in self.cacs(root, "AdditionalDocumentReference") {
            self.additional_document(d, &mut inv);
        }
        if let Some(p) = self.nested_text(root, "ProjectReference", "ID") {
            inv.project_reference = Some(p);
        }
        inv.seller = self.role_party(root, "AccountingSupplierParty");
        inv.buyer = self.role_party(root, "AccountingCustomerParty");
        if let Some(p) = self.cac(root, "PayeeParty") {
            inv.payee = Some(self.party(p, true));
        }
        if let Some(p) = self.cac(root, "TaxRepresentativeParty") {
            inv.tax_representative = Some(self.party(p, true));
        }
        if let Some(d) = self.cac(root, "Delivery") {
            inv.delivery = Some(self.delivery(d));
        }
        for m in self.cacs(root, "PaymentMeans") {
            let pm = self.payment_means(m, credit);
            if credit && inv.due_date.is_none() {
                inv.due_date = pm.1;
            }
            inv.payment_instructions.push(pm.0);
        }
        if let Some(t) = self.cac(root, "PaymentTerms") {
            inv.payment_terms = self.text(t, "Note");
        }
        for a in self.cacs(root, "AllowanceCharge") {
            let ac = self.allowance_charge(a);
            inv.allowances_charges.push(ac);
        }
        for t in self.cacs(root, "TaxTotal") {
            let mut total = TaxTotal {
                amount: self.amount(t, "TaxAmount"),
                src: src(t),
                ..TaxTotal::default()
            };
            for s in self.cacs(t, "TaxSubtotal") {
                let vb = self.vat_breakdown(s);
                total.breakdown.push(vb);
            }
            inv.tax_totals.push(total);
        }
        if let Some(m) = self.cac(root, "LegalMonetaryTotal") {
            inv.totals = Some(Totals {
                line_net: self.amount(m, "LineExtensionAmount"),
                without_vat: self.amount(m, "TaxExclusiveAmount"),
                with_vat: self.amount(m, "TaxInclusiveAmount"),
                allowances: self.amount(m, "AllowanceTotalAmount"),
                charges: self.amount(m, "ChargeTotalAmount"),
                paid: self.amount(m, "PrepaidAmount"),
                rounding: self.amount(m, "PayableRoundingAmount"),
                due: self.amount(m, "PayableAmount"),
                src: src(m),
            });
        }
        inv
    }

    fn additional_document(&mut self, d: NodeId, inv: &mut Invoice) {
        let doc = self.t.doc();
        let has_id = doc.elements(d).any(|c| doc.is(c, CBC, "ID"));
        let is_object = has_id
            && doc
                .elements(d)
                .find(|&c| doc.is(c, CBC, "DocumentTypeCode"))
                .is_some_and(|c| doc.text(c).trim() == "130");
        let is_project = has_id
            && inv.kind == DocumentKind::CreditNote
            && doc
                .elements(d)
                .find(|&c| doc.is(c, CBC, "DocumentTypeCode"))
                .is_some_and(|c| doc.text(c).trim() == "50");
        if is_project && inv.project_reference.is_none() {
            // A credit note has no ProjectReference; BT-11 uses type code 50.
            inv.project_reference = self.text(d, "ID");
            let _ = self.text(d, "DocumentTypeCode");
            return;
        }
        if is_object && inv.invoiced_object.is_none() {
            inv.invoiced_object = self.ident(d, "ID", "schemeID", "");
            // The type code 130 is implied by the term; keep it understood.
            let _ = self.text(d, "DocumentTypeCode");
            return;
        }
        let mut sd = SupportingDocument {
            reference: self.text(d, "ID"),
            type_code: self.text(d, "DocumentTypeCode"),
            description: self.text(d, "DocumentDescription"),
            src: src(d),
            ..SupportingDocument::default()
        };
        if let Some(a) = self.cac(d, "Attachment") {
            if let Some(b) = self.t.child(a, CBC, "EmbeddedDocumentBinaryObject") {
                sd.attachment = Some(Attachment {
                    mime_code: self.t.attr(b, "mimeCode").map(|m| Code::new(m, src(b))),
                    filename: self.t.attr(b, "filename"),
                    content: self.text_of(b),
                });
            }
            sd.uri = self.nested_text(a, "ExternalReference", "URI");
        }
        inv.supporting_documents.push(sd);
    }

    /// `cac:{role}/cac:Party`; a role element without a party is kept verbatim.
    fn role_party(&mut self, root: NodeId, role: &str) -> Option<Party> {
        let s = self.cac(root, role)?;
        match self.cac(s, "Party") {
            Some(p) => Some(self.party(p, false)),
            None => {
                self.t.unmark(s);
                None
            }
        }
    }

    /// Keep `id` understood only when it produced something (else the model
    /// could not write it back, so it is preserved verbatim).
    fn keep_if(&mut self, id: NodeId, produced: bool) {
        if !produced {
            self.t.unmark(id);
        }
    }

    fn period(&mut self, p: NodeId) -> Period {
        Period {
            start: self.date(p, "StartDate"),
            end: self.date(p, "EndDate"),
            src: src(p),
        }
    }

    /// A party; `name_in_party_name` for payee and tax representative, whose
    /// name UBL carries in `cac:PartyName`.
    fn party(&mut self, p: NodeId, name_in_party_name: bool) -> Party {
        let mut party = Party {
            src: src(p),
            ..Party::default()
        };
        party.electronic_address = self.ident(p, "EndpointID", "schemeID", "");
        for i in self.cacs(p, "PartyIdentification") {
            if let Some(id) = self.ident(i, "ID", "schemeID", "") {
                party.identifiers.push(id);
            }
        }
        if let Some(n) = self.cac(p, "PartyName") {
            let name = self.text(n, "Name");
            if name_in_party_name {
                party.name = name;
            } else {
                party.trading_name = name;
            }
        }
        if let Some(a) = self.cac(p, "PostalAddress") {
            party.address = Some(self.address(a));
        }
        let doc = self.t.doc();
        for ts in self.t.peek_children(p, CAC, "PartyTaxScheme") {
            let scheme = doc
                .elements(ts)
                .find(|&c| doc.is(c, CAC, "TaxScheme"))
                .and_then(|s| doc.elements(s).find(|&c| doc.is(c, CBC, "ID")))
                .map(|c| doc.text(c).trim() == "VAT");
            let slot = match scheme {
                Some(true) if party.vat_identifier.is_none() => &mut party.vat_identifier,
                Some(false) if party.tax_registration.is_none() => &mut party.tax_registration,
                _ => continue,
            };
            self.t.mark(ts);
            let id = self.text(ts, "CompanyID");
            let scheme = self.tax_scheme(ts);
            *slot = Some(TaxId { id, scheme });
        }
        if let Some(le) = self.cac(p, "PartyLegalEntity") {
            let reg = self.text(le, "RegistrationName");
            if name_in_party_name {
                // Payee legal registration only; no legal name term.
                if reg.is_some() {
                    party.trading_name = reg;
                }
            } else {
                party.name = reg;
            }
            party.legal_registration = self.ident(le, "CompanyID", "schemeID", "");
            party.legal_information = self.text(le, "CompanyLegalForm");
        }
        if let Some(c) = self.cac(p, "Contact") {
            party.contact = Some(Contact {
                name: self.text(c, "Name"),
                telephone: self.text(c, "Telephone"),
                email: self.text(c, "ElectronicMail"),
                src: src(c),
            });
        }
        party
    }

    fn address(&mut self, a: NodeId) -> Address {
        Address {
            line1: self.text(a, "StreetName"),
            line2: self.text(a, "AdditionalStreetName"),
            city: self.text(a, "CityName"),
            post_code: self.text(a, "PostalZone"),
            subdivision: self.text(a, "CountrySubentity"),
            line3: self.nested_text(a, "AddressLine", "Line"),
            country: self.cac(a, "Country").and_then(|c| {
                let code = self.code(c, "IdentificationCode");
                if code.is_none() {
                    self.t.unmark(c);
                }
                code
            }),
            src: src(a),
        }
    }

    fn delivery(&mut self, d: NodeId) -> Delivery {
        let mut del = Delivery {
            date: self.date(d, "ActualDeliveryDate"),
            src: src(d),
            ..Delivery::default()
        };
        if let Some(l) = self.cac(d, "DeliveryLocation") {
            del.location = self.ident(l, "ID", "schemeID", "");
            if let Some(a) = self.cac(l, "Address") {
                del.address = Some(self.address(a));
            }
        }
        if let Some(p) = self.cac(d, "DeliveryParty") {
            del.party_name = self.nested_text(p, "PartyName", "Name");
        }
        del
    }

    /// One payment means; also returns a credit note's `PaymentDueDate` (BT-9).
    fn payment_means(&mut self, m: NodeId, credit: bool) -> (PaymentInstructions, Option<Date>) {
        let mut pi = PaymentInstructions {
            src: src(m),
            ..PaymentInstructions::default()
        };
        if let Some(c) = self.t.child(m, CBC, "PaymentMeansCode") {
            pi.means_text = self.t.attr(c, "name").map(|n| Text {
                value: n,
                src: src(c),
            });
            pi.means_code = Some(Code::new(self.t.text(c), src(c)));
        }
        let due = if credit {
            self.date(m, "PaymentDueDate")
        } else {
            None
        };
        pi.remittance = self.text(m, "PaymentID");
        if let Some(c) = self.cac(m, "CardAccount") {
            pi.card = Some(PaymentCard {
                account_number: self.text(c, "PrimaryAccountNumberID"),
                network: self.text(c, "NetworkID"),
                holder: self.text(c, "HolderName"),
            });
        }
        if let Some(a) = self.cac(m, "PayeeFinancialAccount") {
            pi.credit_transfer = Some(CreditTransfer {
                account: self.text(a, "ID"),
                account_name: self.text(a, "Name"),
                provider: self.nested_text(a, "FinancialInstitutionBranch", "ID"),
                proprietary_id: false,
            });
        }
        if let Some(md) = self.cac(m, "PaymentMandate") {
            pi.direct_debit = Some(DirectDebit {
                mandate: self.text(md, "ID"),
                debited_account: self.nested_text(md, "PayerFinancialAccount", "ID"),
                creditor_id: None,
            });
        }
        (pi, due)
    }

    fn allowance_charge(&mut self, a: NodeId) -> AllowanceCharge {
        let mut ac = AllowanceCharge {
            charge: self.indicator(a, "ChargeIndicator"),
            reason_code: self.text(a, "AllowanceChargeReasonCode"),
            reason: self.text(a, "AllowanceChargeReason"),
            percentage: self.num(a, "MultiplierFactorNumeric"),
            amount: self.amount(a, "Amount"),
            base_amount: self.amount(a, "BaseAmount"),
            src: src(a),
            ..AllowanceCharge::default()
        };
        if let Some(tc) = self.cac(a, "TaxCategory") {
            ac.vat_category = self.code(tc, "ID");
            ac.vat_rate = self.num(tc, "Percent");
            ac.tax_scheme = self.tax_scheme(tc);
            let produced =
                ac.vat_category.is_some() || ac.vat_rate.is_some() || ac.tax_scheme.is_some();
            self.keep_if(tc, produced);
        }
        ac
    }

    fn vat_breakdown(&mut self, s: NodeId) -> VatBreakdown {
        let mut vb = VatBreakdown {
            taxable_amount: self.amount(s, "TaxableAmount"),
            tax_amount: self.amount(s, "TaxAmount"),
            src: src(s),
            ..VatBreakdown::default()
        };
        if let Some(tc) = self.cac(s, "TaxCategory") {
            vb.category = self.code(tc, "ID");
            vb.rate = self.num(tc, "Percent");
            vb.exemption_code = self.code(tc, "TaxExemptionReasonCode");
            vb.exemption_reason = self.text(tc, "TaxExemptionReason");
            vb.tax_scheme = self.tax_scheme(tc);
            let produced = vb.category.is_some()
                || vb.rate.is_some()
                || vb.exemption_code.is_some()
                || vb.exemption_reason.is_some()
                || vb.tax_scheme.is_some();
            self.keep_if(tc, produced);
        }
        vb
    }

    fn line(&mut self, l: NodeId, credit: bool) -> InvoiceLine {
        let mut line = InvoiceLine {
            id: self.text(l, "ID"),
            note: self.text(l, "Note"),
            quantity: self.quantity(
                l,
                if credit {
                    "CreditedQuantity"
                } else {
                    "InvoicedQuantity"
                },
            ),
            net_amount: self.amount(l, "LineExtensionAmount"),
            buyer_accounting_reference: self.text(l, "AccountingCost"),
            src: src(l),
            ..InvoiceLine::default()
        };
        if let Some(p) = self.cac(l, "InvoicePeriod") {
            line.period = Some(self.period(p));
        }
        line.order_line_reference = self.nested_text(l, "OrderLineReference", "LineID");
        if let Some(d) = self.cac(l, "DocumentReference") {
            line.object_identifier = self.ident(d, "ID", "schemeID", "");
            line.object_type_code = self.text(d, "DocumentTypeCode");
        }
        for a in self.cacs(l, "AllowanceCharge") {
            let ac = self.allowance_charge(a);
            line.allowances_charges.push(ac);
        }
        if let Some(i) = self.cac(l, "Item") {
            line.item = Some(self.item(i, &mut line.vat));
        }
        if let Some(p) = self.cac(l, "Price") {
            line.price = Some(self.price(p));
        }
        line
    }

    fn item(&mut self, i: NodeId, vat: &mut Option<LineVat>) -> Item {
        let mut item = Item {
            description: self.text(i, "Description"),
            name: self.text(i, "Name"),
            buyer_id: self.nested_text(i, "BuyersItemIdentification", "ID"),
            seller_id: self.nested_text(i, "SellersItemIdentification", "ID"),
            ..Item::default()
        };
        if let Some(s) = self.cac(i, "StandardItemIdentification") {
            item.standard_id = self.ident(s, "ID", "schemeID", "");
        }
        if let Some(o) = self.cac(i, "OriginCountry") {
            item.origin_country = self.code(o, "IdentificationCode");
        }
        for c in self.cacs(i, "CommodityClassification") {
            if let Some(id) = self.ident(c, "ItemClassificationCode", "listID", "listVersionID") {
                item.classifications.push(id);
            }
        }
        if let Some(tc) = self.cac(i, "ClassifiedTaxCategory") {
            *vat = Some(LineVat {
                category: self.code(tc, "ID"),
                rate: self.num(tc, "Percent"),
                tax_scheme: self.tax_scheme(tc),
            });
        }
        for a in self.cacs(i, "AdditionalItemProperty") {
            item.attributes.push(ItemAttribute {
                name: self.text(a, "Name"),
                value: self.text(a, "Value"),
            });
        }
        item
    }

    fn price(&mut self, p: NodeId) -> Price {
        let mut price = Price {
            net: self.amount(p, "PriceAmount"),
            base_quantity: self.quantity(p, "BaseQuantity"),
            src: src(p),
            ..Price::default()
        };
        if let Some(a) = self.cac(p, "AllowanceCharge") {
            price.discount_indicator = self.indicator(a, "ChargeIndicator");
            price.discount = self.amount(a, "Amount");
            price.gross = self.amount(a, "BaseAmount");
        }
        price
    }
}
