//! The invoice and its business groups (EN 16931-1, clause 6).

use crate::codes::{
    AllowanceReasonCode, ChargeReasonCode, Code, CountryCode, CurrencyCode, DocumentTypeCode,
    MimeCode, PaymentMeansCode, VatCategoryCode, VatDateCode, VatExemptionCode,
};
use crate::preserved::Preserved;
use crate::values::{Amount, Date, Identifier, Indicator, Num, Quantity, Src, Text};
use crate::Syntax;

/// Invoice or credit note (UBL root element; CII always uses one root).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum DocumentKind {
    /// UBL `Invoice` / CII invoice.
    #[default]
    Invoice,
    /// UBL `CreditNote`.
    CreditNote,
}

/// An EN 16931 invoice (the whole semantic model).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Invoice {
    /// Root kind.
    pub kind: DocumentKind,
    /// The syntax it was read from, if read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub source_syntax: Option<Syntax>,
    /// Source element of the root.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
    /// BT-1 Invoice number.
    pub number: Option<Text>,
    /// BT-2 Invoice issue date.
    pub issue_date: Option<Date>,
    /// BT-3 Invoice type code (UNTDID 1001).
    pub type_code: Option<DocumentTypeCode>,
    /// BT-5 Invoice currency code.
    pub currency: Option<CurrencyCode>,
    /// BT-6 VAT accounting currency code.
    pub vat_currency: Option<CurrencyCode>,
    /// BT-7 Value added tax point date.
    pub vat_point_date: Option<Date>,
    /// BT-8 Value added tax point date code (UNTDID 2005).
    pub vat_point_date_code: Option<VatDateCode>,
    /// BT-9 Payment due date.
    pub due_date: Option<Date>,
    /// BT-10 Buyer reference.
    pub buyer_reference: Option<Text>,
    /// BT-11 Project reference (and its name, which UBL requires as `cbc:Name` in
    /// some profiles; CII `ram:Name`).
    pub project_reference: Option<Text>,
    /// Name of the project (CII `SpecifiedProcuringProject/Name`).
    pub project_name: Option<Text>,
    /// BT-12 Contract reference.
    pub contract_reference: Option<Text>,
    /// BT-13 Purchase order reference.
    pub purchase_order_reference: Option<Text>,
    /// BT-14 Sales order reference.
    pub sales_order_reference: Option<Text>,
    /// BT-15 Receiving advice reference.
    pub receiving_advice_reference: Option<Text>,
    /// BT-16 Despatch advice reference.
    pub despatch_advice_reference: Option<Text>,
    /// BT-17 Tender or lot reference.
    pub tender_reference: Option<Text>,
    /// BT-18 Invoiced object identifier (BT-18-1 scheme identifier).
    pub invoiced_object: Option<Identifier>,
    /// BT-19 Buyer accounting reference.
    pub buyer_accounting_reference: Option<Text>,
    /// BT-20 Payment terms.
    pub payment_terms: Option<Text>,
    /// BG-1 INVOICE NOTE (0..n).
    pub notes: Vec<Note>,
    /// BG-2 PROCESS CONTROL.
    pub process: ProcessControl,
    /// BG-3 PRECEDING INVOICE REFERENCE (0..n).
    pub preceding_invoices: Vec<PrecedingInvoice>,
    /// BG-4 SELLER (`None` when the document has no seller element).
    pub seller: Option<Party>,
    /// BG-7 BUYER (`None` when the document has no buyer element).
    pub buyer: Option<Party>,
    /// BG-10 PAYEE.
    pub payee: Option<Party>,
    /// BG-11 SELLER TAX REPRESENTATIVE PARTY.
    pub tax_representative: Option<Party>,
    /// BG-13 DELIVERY INFORMATION.
    pub delivery: Option<Delivery>,
    /// BG-14 INVOICING PERIOD.
    pub invoicing_period: Option<Period>,
    /// BG-16 PAYMENT INSTRUCTIONS; both syntaxes repeat the payment means
    /// element (one per account), so the model keeps the repetition.
    pub payment_instructions: Vec<PaymentInstructions>,
    /// BT-89 Mandate reference identifier where CII carries it (payment
    /// terms); UBL carries it in [`DirectDebit::mandate`].
    pub mandate_reference: Option<Text>,
    /// BT-90 Bank assigned creditor identifier where CII carries it
    /// (`CreditorReferenceID`); UBL uses a party identifier with scheme `SEPA`.
    pub creditor_reference: Option<Text>,
    /// BG-20 DOCUMENT LEVEL ALLOWANCES and BG-21 DOCUMENT LEVEL CHARGES, in
    /// document order (`charge` tells which).
    pub allowances_charges: Vec<AllowanceCharge>,
    /// BG-22 DOCUMENT TOTALS (`None` when the document has no totals element).
    pub totals: Option<Totals>,
    /// Tax totals as the syntax groups them: BT-110 / BT-111 with the
    /// BG-23 VAT BREAKDOWN entries that belong to them (see
    /// [`Invoice::vat_breakdown`] for the flat view).
    pub tax_totals: Vec<TaxTotal>,
    /// BG-24 ADDITIONAL SUPPORTING DOCUMENTS (0..n).
    pub supporting_documents: Vec<SupportingDocument>,
    /// BG-25 INVOICE LINE (1..n).
    pub lines: Vec<InvoiceLine>,
    /// Unknown content kept for a lossless round trip in the source syntax.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub preserved: Preserved,
}

/// BG-1 INVOICE NOTE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Note {
    /// BT-21 Invoice note subject code (UNTDID 4451).
    pub subject_code: Option<Text>,
    /// BT-22 Invoice note.
    pub text: Text,
}

/// BG-2 PROCESS CONTROL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct ProcessControl {
    /// BT-23 Business process type.
    pub business_process: Option<Text>,
    /// BT-24 Specification identifier.
    pub specification: Option<Text>,
}

/// BG-3 PRECEDING INVOICE REFERENCE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct PrecedingInvoice {
    /// BT-25 Preceding Invoice reference.
    pub reference: Option<Text>,
    /// BT-26 Preceding Invoice issue date.
    pub issue_date: Option<Date>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// A trade party: BG-4 SELLER, BG-7 BUYER, BG-10 PAYEE or BG-11 SELLER TAX
/// REPRESENTATIVE. Terms not defined for a role stay empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Party {
    /// BT-27 Seller name / BT-44 Buyer name / BT-59 Payee name /
    /// BT-62 Seller tax representative name (legal registration name).
    pub name: Option<Text>,
    /// BT-28 Seller trading name / BT-45 Buyer trading name (UBL `PartyName`;
    /// for payee and tax representative UBL carries their name here).
    pub trading_name: Option<Text>,
    /// BT-29 Seller identifier / BT-46 Buyer identifier / BT-60 Payee
    /// identifier, with BT-29-1 / BT-46-1 / BT-60-1 scheme identifier (0..n
    /// for the seller). A `SEPA` scheme identifier is BT-90 Bank assigned
    /// creditor identifier.
    pub identifiers: Vec<Identifier>,
    /// BT-30 Seller / BT-47 Buyer / BT-61 Payee legal registration identifier,
    /// with BT-30-1 / BT-47-1 / BT-61-1 scheme identifier.
    pub legal_registration: Option<Identifier>,
    /// BT-31 Seller VAT identifier / BT-48 Buyer VAT identifier /
    /// BT-63 Seller tax representative VAT identifier.
    pub vat_identifier: Option<TaxId>,
    /// BT-32 Seller tax registration identifier (a tax scheme other than VAT).
    pub tax_registration: Option<TaxId>,
    /// BT-33 Seller additional legal information.
    pub legal_information: Option<Text>,
    /// BT-34 Seller electronic address / BT-49 Buyer electronic address, with
    /// BT-34-1 / BT-49-1 scheme identifier (EAS).
    pub electronic_address: Option<Identifier>,
    /// BG-5 SELLER POSTAL ADDRESS / BG-8 BUYER POSTAL ADDRESS /
    /// BG-12 SELLER TAX REPRESENTATIVE POSTAL ADDRESS.
    pub address: Option<Address>,
    /// BG-6 SELLER CONTACT / BG-9 BUYER CONTACT.
    pub contact: Option<Contact>,
    /// Source element of the party.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// A postal address: BG-5, BG-8, BG-12 or BG-15.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Address {
    /// BT-35 / BT-50 / BT-64 / BT-75 Address line 1.
    pub line1: Option<Text>,
    /// BT-36 / BT-51 / BT-65 / BT-76 Address line 2.
    pub line2: Option<Text>,
    /// BT-162 / BT-163 / BT-164 / BT-165 Address line 3.
    pub line3: Option<Text>,
    /// BT-37 / BT-52 / BT-66 / BT-77 City.
    pub city: Option<Text>,
    /// BT-38 / BT-53 / BT-67 / BT-78 Post code.
    pub post_code: Option<Text>,
    /// BT-39 / BT-54 / BT-68 / BT-79 Country subdivision.
    pub subdivision: Option<Text>,
    /// BT-40 / BT-55 / BT-69 / BT-80 Country code (ISO 3166-1 alpha-2).
    pub country: Option<CountryCode>,
    /// Source element of the address.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-6 SELLER CONTACT / BG-9 BUYER CONTACT.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Contact {
    /// BT-41 Seller contact point / BT-56 Buyer contact point.
    pub name: Option<Text>,
    /// BT-42 Seller contact telephone number / BT-57 Buyer contact telephone number.
    pub telephone: Option<Text>,
    /// BT-43 Seller contact email address / BT-58 Buyer contact email address.
    pub email: Option<Text>,
    /// Source element of the contact.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-13 DELIVERY INFORMATION.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Delivery {
    /// BT-70 Deliver to party name.
    pub party_name: Option<Text>,
    /// BT-71 Deliver to location identifier (BT-71-1 scheme identifier).
    pub location: Option<Identifier>,
    /// BT-72 Actual delivery date.
    pub date: Option<Date>,
    /// BG-15 DELIVER TO ADDRESS.
    pub address: Option<Address>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-14 INVOICING PERIOD / BG-26 INVOICE LINE PERIOD.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Period {
    /// BT-73 Invoicing period start date / BT-134 Invoice line period start date.
    pub start: Option<Date>,
    /// BT-74 Invoicing period end date / BT-135 Invoice line period end date.
    pub end: Option<Date>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-16 PAYMENT INSTRUCTIONS (one payment means element of the syntax).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct PaymentInstructions {
    /// BT-81 Payment means type code (UNTDID 4461).
    pub means_code: Option<PaymentMeansCode>,
    /// BT-82 Payment means text.
    pub means_text: Option<Text>,
    /// BT-83 Remittance information.
    pub remittance: Option<Text>,
    /// BG-17 CREDIT TRANSFER.
    pub credit_transfer: Option<CreditTransfer>,
    /// BG-18 PAYMENT CARD INFORMATION.
    pub card: Option<PaymentCard>,
    /// BG-19 DIRECT DEBIT.
    pub direct_debit: Option<DirectDebit>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-17 CREDIT TRANSFER.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct CreditTransfer {
    /// BT-84 Payment account identifier (IBAN or proprietary id).
    pub account: Option<Text>,
    /// Proprietary account id (CII `ProprietaryID`), when not an IBAN.
    pub proprietary_id: bool,
    /// BT-85 Payment account name.
    pub account_name: Option<Text>,
    /// BT-86 Payment service provider identifier (BIC).
    pub provider: Option<Text>,
}

/// BG-18 PAYMENT CARD INFORMATION.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct PaymentCard {
    /// BT-87 Payment card primary account number.
    pub account_number: Option<Text>,
    /// Card network (UBL `cbc:NetworkID`, mandatory in UBL).
    pub network: Option<Text>,
    /// BT-88 Payment card holder name.
    pub holder: Option<Text>,
}

/// BG-19 DIRECT DEBIT.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct DirectDebit {
    /// BT-89 Mandate reference identifier.
    pub mandate: Option<Text>,
    /// BT-90 Bank assigned creditor identifier (CII location; in UBL it is a
    /// seller or payee identifier with scheme `SEPA`).
    pub creditor_id: Option<Text>,
    /// BT-91 Debited account identifier.
    pub debited_account: Option<Text>,
}

/// Allowance or charge: BG-20, BG-21 (document level) or BG-27, BG-28 (line).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct AllowanceCharge {
    /// Charge indicator: `false` = allowance (BG-20/BG-27), `true` = charge (BG-21/BG-28).
    pub charge: Option<Indicator>,
    /// BT-92 / BT-99 / BT-136 / BT-141 amount.
    pub amount: Option<Amount>,
    /// BT-93 / BT-100 / BT-137 / BT-142 base amount.
    pub base_amount: Option<Amount>,
    /// BT-94 / BT-101 / BT-138 / BT-143 percentage.
    pub percentage: Option<Num>,
    /// BT-95 / BT-102 VAT category code (document level only).
    pub vat_category: Option<VatCategoryCode>,
    /// BT-96 / BT-103 VAT rate (document level only).
    pub vat_rate: Option<Num>,
    /// Tax scheme (UBL `cac:TaxScheme/cbc:ID`, CII `ram:TypeCode`), normally `VAT`.
    pub tax_scheme: Option<Text>,
    /// BT-97 / BT-104 / BT-139 / BT-144 reason.
    pub reason: Option<Text>,
    /// BT-98 / BT-140 allowance reason code (UNTDID 5189) or BT-105 / BT-145
    /// charge reason code (UNTDID 7161), raw.
    pub reason_code: Option<Text>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl AllowanceCharge {
    /// Whether this is a charge (`true`), an allowance (`false`) or unknown.
    pub fn is_charge(&self) -> Option<bool> {
        self.charge.as_ref().and_then(|c| c.value)
    }
    /// The reason code as an allowance code (UNTDID 5189).
    pub fn allowance_reason(&self) -> Option<AllowanceReasonCode> {
        self.reason_code
            .as_ref()
            .map(|t| Code::new(t.value.clone(), t.src))
    }
    /// The reason code as a charge code (UNTDID 7161).
    pub fn charge_reason(&self) -> Option<ChargeReasonCode> {
        self.reason_code
            .as_ref()
            .map(|t| Code::new(t.value.clone(), t.src))
    }
}

/// BG-22 DOCUMENT TOTALS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Totals {
    /// BT-106 Sum of Invoice line net amount.
    pub line_net: Option<Amount>,
    /// BT-107 Sum of allowances on document level.
    pub allowances: Option<Amount>,
    /// BT-108 Sum of charges on document level.
    pub charges: Option<Amount>,
    /// BT-109 Invoice total amount without VAT.
    pub without_vat: Option<Amount>,
    /// BT-112 Invoice total amount with VAT.
    pub with_vat: Option<Amount>,
    /// BT-113 Paid amount.
    pub paid: Option<Amount>,
    /// BT-114 Rounding amount.
    pub rounding: Option<Amount>,
    /// BT-115 Amount due for payment.
    pub due: Option<Amount>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// One tax total: UBL `cac:TaxTotal`; in CII the `TaxTotalAmount` elements
/// (the first one carries all `ApplicableTradeTax` breakdowns).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct TaxTotal {
    /// BT-110 Invoice total VAT amount (currency = BT-5) or BT-111 Invoice
    /// total VAT amount in accounting currency (currency = BT-6).
    pub amount: Option<Amount>,
    /// BG-23 VAT BREAKDOWN entries of this total.
    pub breakdown: Vec<VatBreakdown>,
    /// Source element.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Invoice {
    /// BG-23 VAT BREAKDOWN, all entries in document order.
    pub fn vat_breakdown(&self) -> impl Iterator<Item = &VatBreakdown> {
        self.tax_totals.iter().flat_map(|t| t.breakdown.iter())
    }
    /// BT-110 Invoice total VAT amount: the tax total in the invoice currency
    /// (BT-5), else the first one.
    pub fn vat_total(&self) -> Option<&Amount> {
        let amounts = || self.tax_totals.iter().filter_map(|t| t.amount.as_ref());
        let cur = self.currency.as_ref().map(|c| c.code());
        amounts()
            .find(|a| a.currency.as_ref().map(|c| c.code()) == cur)
            .or_else(|| amounts().next())
    }
    /// BT-111 Invoice total VAT amount in accounting currency (BT-6).
    pub fn vat_total_accounting(&self) -> Option<&Amount> {
        let cur = self.vat_currency.as_ref()?.code();
        self.tax_totals
            .iter()
            .filter_map(|t| t.amount.as_ref())
            .find(|a| a.currency.as_ref().is_some_and(|c| c.code() == cur))
    }
}

/// BG-23 VAT BREAKDOWN.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct VatBreakdown {
    /// BT-116 VAT category taxable amount.
    pub taxable_amount: Option<Amount>,
    /// BT-117 VAT category tax amount.
    pub tax_amount: Option<Amount>,
    /// BT-118 VAT category code.
    pub category: Option<VatCategoryCode>,
    /// BT-119 VAT category rate.
    pub rate: Option<Num>,
    /// BT-120 VAT exemption reason text.
    pub exemption_reason: Option<Text>,
    /// BT-121 VAT exemption reason code (VATEX).
    pub exemption_code: Option<VatExemptionCode>,
    /// Tax scheme (UBL `cac:TaxScheme/cbc:ID`, CII `ram:TypeCode`), normally `VAT`.
    pub tax_scheme: Option<Text>,
    /// BT-7 / BT-8 in CII are carried per breakdown; kept here when present.
    pub tax_point_date: Option<Date>,
    /// CII `DueDateTypeCode` (BT-8) as carried on this breakdown.
    pub due_date_code: Option<VatDateCode>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-24 ADDITIONAL SUPPORTING DOCUMENTS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct SupportingDocument {
    /// BT-122 Supporting document reference.
    pub reference: Option<Text>,
    /// Document type code (UBL `cbc:DocumentTypeCode`, CII `ram:TypeCode`, `916`).
    pub type_code: Option<Text>,
    /// BT-123 Supporting document description.
    pub description: Option<Text>,
    /// BT-124 External document location.
    pub uri: Option<Text>,
    /// BT-125 Attached document.
    pub attachment: Option<Attachment>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BT-125 Attached document (base64 content as written).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Attachment {
    /// BT-125 content (base64 text, not decoded: kept lossless and cheap).
    pub content: Text,
    /// BT-125-1 Attached document Mime code.
    pub mime_code: Option<MimeCode>,
    /// BT-125-2 Attached document Filename.
    pub filename: Option<String>,
}

/// BG-25 INVOICE LINE.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct InvoiceLine {
    /// BT-126 Invoice line identifier.
    pub id: Option<Text>,
    /// BT-127 Invoice line note.
    pub note: Option<Text>,
    /// BT-128 Invoice line object identifier (BT-128-1 scheme identifier).
    pub object_identifier: Option<Identifier>,
    /// Document type code written with BT-128 (UBL `cbc:DocumentTypeCode`,
    /// CII `ram:TypeCode`, normally `130`).
    pub object_type_code: Option<Text>,
    /// BT-129 Invoiced quantity with BT-130 unit of measure code.
    pub quantity: Option<Quantity>,
    /// BT-131 Invoice line net amount.
    pub net_amount: Option<Amount>,
    /// BT-132 Referenced purchase order line reference.
    pub order_line_reference: Option<Text>,
    /// BT-133 Invoice line Buyer accounting reference.
    pub buyer_accounting_reference: Option<Text>,
    /// BG-26 INVOICE LINE PERIOD.
    pub period: Option<Period>,
    /// BG-27 INVOICE LINE ALLOWANCES and BG-28 INVOICE LINE CHARGES.
    pub allowances_charges: Vec<AllowanceCharge>,
    /// BG-29 PRICE DETAILS (`None` when the line has no price element).
    pub price: Option<Price>,
    /// BG-30 LINE VAT INFORMATION (`None` when absent).
    pub vat: Option<LineVat>,
    /// BG-31 ITEM INFORMATION (`None` when the line has no item element).
    pub item: Option<Item>,
    /// Source element of the line.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-29 PRICE DETAILS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Price {
    /// BT-146 Item net price.
    pub net: Option<Amount>,
    /// BT-147 Item price discount.
    pub discount: Option<Amount>,
    /// BT-148 Item gross price.
    pub gross: Option<Amount>,
    /// BT-149 Item price base quantity with BT-150 unit of measure code.
    pub base_quantity: Option<Quantity>,
    /// Base quantity of the gross price (CII only).
    pub gross_base_quantity: Option<Quantity>,
    /// UBL `cac:Price/cac:AllowanceCharge/cbc:ChargeIndicator` as written.
    pub discount_indicator: Option<Indicator>,
    /// Source element of the group.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

/// BG-30 LINE VAT INFORMATION.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct LineVat {
    /// BT-151 Invoiced item VAT category code.
    pub category: Option<VatCategoryCode>,
    /// BT-152 Invoiced item VAT rate.
    pub rate: Option<Num>,
    /// Tax scheme (UBL `cac:TaxScheme/cbc:ID`, CII `ram:TypeCode`), normally `VAT`.
    pub tax_scheme: Option<Text>,
}

/// BG-31 ITEM INFORMATION.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Item {
    /// BT-153 Item name.
    pub name: Option<Text>,
    /// BT-154 Item description.
    pub description: Option<Text>,
    /// BT-155 Item Seller's identifier.
    pub seller_id: Option<Text>,
    /// BT-156 Item Buyer's identifier.
    pub buyer_id: Option<Text>,
    /// BT-157 Item standard identifier (BT-157-1 scheme identifier).
    pub standard_id: Option<Identifier>,
    /// BT-158 Item classification identifier (BT-158-1 scheme identifier,
    /// BT-158-2 scheme version identifier).
    pub classifications: Vec<Identifier>,
    /// BT-159 Item country of origin.
    pub origin_country: Option<CountryCode>,
    /// BG-32 ITEM ATTRIBUTES.
    pub attributes: Vec<ItemAttribute>,
}

/// BG-32 ITEM ATTRIBUTES.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct ItemAttribute {
    /// BT-160 Item attribute name.
    pub name: Option<Text>,
    /// BT-161 Item attribute value.
    pub value: Option<Text>,
}

/// A tax registration (BT-31, BT-32, BT-48, BT-63) with its scheme as written:
/// UBL `cac:TaxScheme/cbc:ID` (`VAT` or other), CII `@schemeID` (`VA` / `FC`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct TaxId {
    /// The identifier.
    pub id: Option<Text>,
    /// The scheme as written in the source syntax.
    pub scheme: Option<Text>,
}
