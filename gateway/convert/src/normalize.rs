//! Moving terms between the places the two syntaxes give them, and filling
//! in what the target schema requires, so a converted document is
//! schema-sensible. Only applied when the model comes from the other syntax.

use gateway_model::codes::Code;
use gateway_model::values::{Amount, Identifier, Indicator, Text};
use gateway_model::{
    AllowanceCharge, DirectDebit, DocumentKind, Invoice, PaymentInstructions, Preserved, Syntax,
};

/// UNTDID 2005 (UBL `DescriptionCode`) <-> UNTDID 2475 (CII `DueDateTypeCode`).
const DATE_CODES: [(&str, &str); 3] = [("3", "5"), ("35", "29"), ("432", "72")];

/// Type codes that UBL writes as a `CreditNote`.
const CREDIT_NOTE_TYPES: [&str; 9] = ["81", "83", "261", "262", "296", "308", "381", "396", "532"];

fn retarget(inv: &mut Invoice, syntax: Syntax) {
    inv.preserved = Preserved::default();
    inv.source_syntax = Some(syntax);
}

/// Prepare a model (read from CII) for the UBL writer.
pub fn for_ubl(inv: &mut Invoice) {
    retarget(inv, Syntax::Ubl);
    let credit = inv
        .type_code
        .as_ref()
        .is_some_and(|c| CREDIT_NOTE_TYPES.contains(&c.code()));
    inv.kind = if credit {
        DocumentKind::CreditNote
    } else {
        DocumentKind::Invoice
    };
    let cur = inv.currency.clone();
    // BT-7 / BT-8 live on each CII breakdown; UBL has them once.
    let first = inv
        .tax_totals
        .iter()
        .flat_map(|t| t.breakdown.iter())
        .next()
        .cloned();
    if let Some(b) = first {
        if inv.vat_point_date.is_none() {
            inv.vat_point_date = b.tax_point_date.clone();
        }
        if inv.vat_point_date_code.is_none() {
            inv.vat_point_date_code = b.due_date_code.as_ref().map(|c| {
                let ubl = DATE_CODES
                    .iter()
                    .find(|(_, cii)| *cii == c.code())
                    .map_or(c.code(), |(u, _)| u);
                Code::new(ubl, c.src)
            });
        }
    }
    for p in [
        &mut inv.seller,
        &mut inv.buyer,
        &mut inv.payee,
        &mut inv.tax_representative,
    ]
    .into_iter()
    .flatten()
    {
        if let Some(v) = p.vat_identifier.as_mut() {
            v.scheme = Some(Text::new("VAT"));
        }
        if let Some(t) = p.tax_registration.as_mut() {
            t.scheme = Some(Text::new("TAX"));
        }
    }
    // BT-90: CII CreditorReferenceID -> seller identifier with scheme SEPA.
    if let Some(c) = inv.creditor_reference.take() {
        let seller = inv.seller.get_or_insert_with(Default::default);
        seller
            .identifiers
            .push(Identifier::new(c.value, Some("SEPA".into())));
    }
    // BT-89: CII payment terms -> UBL PaymentMeans/PaymentMandate.
    if let Some(m) = inv.mandate_reference.take() {
        if inv.payment_instructions.is_empty() {
            inv.payment_instructions
                .push(PaymentInstructions::default());
        }
        if let Some(pi) = inv.payment_instructions.first_mut() {
            pi.direct_debit
                .get_or_insert_with(DirectDebit::default)
                .mandate = Some(m);
        }
    }
    // UBL-SR-43: a supporting document has no type code in UBL (916 is CII's).
    for d in &mut inv.supporting_documents {
        if d.type_code
            .as_ref()
            .is_some_and(|t| t.value.trim() == "916")
        {
            d.type_code = None;
        }
    }
    if inv.sales_order_reference.is_some() && inv.purchase_order_reference.is_none() {
        inv.purchase_order_reference = Some(Text::new("NA"));
    }
    for n in &mut inv.notes {
        // UBL has no subject code element: the CEN convention is "#CODE#text".
        if let Some(c) = n.subject_code.take() {
            n.text.value = format!("#{}#{}", c.value, n.text.value);
        }
    }
    for l in &mut inv.lines {
        if let Some(p) = l.price.as_mut() {
            if p.gross.is_some() || p.discount.is_some() {
                if p.discount.is_none() {
                    // UBL needs the discount amount (BT-147) when the gross price is given.
                    if let (Some(g), Some(n)) = (
                        p.gross.as_ref().and_then(|a| a.value),
                        p.net.as_ref().and_then(|a| a.value),
                    ) {
                        let d = g - n;
                        p.discount = Some(Amount::parse(d.to_string(), None, Default::default()));
                    }
                }
                p.discount_indicator
                    .get_or_insert_with(|| Indicator::from_bool(false));
            }
            if p.gross_base_quantity.is_some() && p.base_quantity.is_none() {
                p.base_quantity = p.gross_base_quantity.clone();
            }
        }
    }
    // UBL requires cbc:TaxAmount in a tax total: sum the breakdown when CII
    // had no TaxTotalAmount.
    if let Some(t) = inv.tax_totals.first_mut() {
        if t.amount.is_none() {
            let sum = t
                .breakdown
                .iter()
                .map(|b| b.tax_amount.as_ref().and_then(|a| a.value))
                .try_fold(rust_decimal::Decimal::ZERO, |acc, v| v.map(|v| acc + v));
            if let Some(sum) = sum {
                t.amount = Some(Amount::parse(
                    sum.to_string(),
                    cur.clone(),
                    Default::default(),
                ));
            }
        }
    }
    // UBL requires currencyID on every amount.
    visit_amounts(inv, &mut |a, _| {
        if a.currency.is_none() {
            a.currency = cur.clone();
        }
    });
    default_tax_schemes(inv, "VAT");
}

/// Prepare a model (read from UBL) for the CII writer.
pub fn for_cii(inv: &mut Invoice) {
    retarget(inv, Syntax::Cii);
    inv.kind = DocumentKind::Invoice;
    if inv.vat_point_date.is_some() || inv.vat_point_date_code.is_some() {
        let code = inv.vat_point_date_code.as_ref().map(|c| {
            let cii = DATE_CODES
                .iter()
                .find(|(u, _)| *u == c.code())
                .map_or(c.code(), |(_, cii)| cii);
            Code::new(cii, c.src)
        });
        // CII-SR-461: one TaxPointDate only; the first breakdown carries it.
        if let Some(b) = inv
            .tax_totals
            .iter_mut()
            .flat_map(|t| t.breakdown.iter_mut())
            .next()
        {
            b.tax_point_date = inv.vat_point_date.clone();
            b.due_date_code = code;
        }
    }
    for p in [
        &mut inv.seller,
        &mut inv.buyer,
        &mut inv.payee,
        &mut inv.tax_representative,
    ]
    .into_iter()
    .flatten()
    {
        if let Some(v) = p.vat_identifier.as_mut() {
            v.scheme = Some(Text::new("VA"));
        }
        if let Some(t) = p.tax_registration.as_mut() {
            t.scheme = Some(Text::new("FC"));
        }
    }
    // BT-90: a seller or payee identifier with scheme SEPA is CII's CreditorReferenceID.
    for p in [&mut inv.seller, &mut inv.payee].into_iter().flatten() {
        if let Some(i) = p
            .identifiers
            .iter()
            .position(|i| i.scheme.as_deref() == Some("SEPA"))
        {
            let id = p.identifiers.remove(i);
            if inv.creditor_reference.is_none() {
                inv.creditor_reference = Some(Text::new(id.value));
            }
        }
    }
    // BT-89: PaymentMandate/ID -> payment terms.
    for pi in &mut inv.payment_instructions {
        if let Some(dd) = pi.direct_debit.as_mut() {
            if let Some(m) = dd.mandate.take() {
                inv.mandate_reference.get_or_insert(m);
            }
            if dd.debited_account.is_none() {
                pi.direct_debit = None;
            }
        }
    }
    if inv.project_reference.is_some() && inv.project_name.is_none() {
        // CII requires a project name and UBL has none: repeat the
        // reference rather than invent text.
        inv.project_name = inv.project_reference.clone();
    }
    for n in &mut inv.notes {
        if let Some((code, text)) = split_subject(&n.text.value) {
            n.subject_code = Some(Text::new(code));
            n.text.value = text;
        }
    }
    // CII carries currencyID only on the tax total amounts.
    visit_amounts(inv, &mut |a, is_tax_total| {
        if !is_tax_total {
            a.currency = None;
        }
    });
    // CII's BR-53 forbids a VAT accounting currency equal to the invoice
    // currency (UBL allows it); it then says nothing, so drop it.
    if let (Some(v), Some(c)) = (&inv.vat_currency, &inv.currency) {
        if v.code() == c.code() {
            inv.vat_currency = None;
        }
    }
    // CII compares the tax scheme exactly (CII-DT-037): " VAT" -> "VAT".
    let trim = |t: &mut Option<Text>| {
        if let Some(t) = t.as_mut() {
            if t.value.trim() != t.value {
                t.value = t.value.trim().to_string();
            }
        }
    };
    for b in inv
        .tax_totals
        .iter_mut()
        .flat_map(|t| t.breakdown.iter_mut())
    {
        trim(&mut b.tax_scheme);
    }
    for ac in inv.allowances_charges.iter_mut().chain(
        inv.lines
            .iter_mut()
            .flat_map(|l| l.allowances_charges.iter_mut()),
    ) {
        trim(&mut ac.tax_scheme);
    }
    for l in &mut inv.lines {
        if let Some(v) = l.vat.as_mut() {
            trim(&mut v.tax_scheme);
        }
    }
    // CII marks supporting documents with type code 916 (CII-DT-015/021/022).
    for d in &mut inv.supporting_documents {
        if d.type_code.is_none() {
            d.type_code = Some(Text::new("916"));
        }
    }
    // D16B allows one InvoiceReferencedDocument at header level.
    inv.preceding_invoices.truncate(1);
    for l in &mut inv.lines {
        if let Some(p) = l.price.as_mut() {
            if p.gross.is_none() {
                // CII needs the gross price (BT-148) to carry a discount.
                if let (Some(n), Some(d)) = (
                    p.net.as_ref().and_then(|a| a.value),
                    p.discount.as_ref().and_then(|a| a.value),
                ) {
                    p.gross = Some(Amount::parse((n + d).to_string(), None, Default::default()));
                }
            }
        }
        if l.object_identifier.is_some() && l.object_type_code.is_none() {
            l.object_type_code = Some(Text::new("130"));
        }
    }
    default_tax_schemes(inv, "VAT");
}

/// `#AAI#text` -> (`AAI`, `text`).
fn split_subject(s: &str) -> Option<(String, String)> {
    let rest = s.strip_prefix('#')?;
    let (code, text) = rest.split_once('#')?;
    let ok = !code.is_empty() && code.len() <= 3 && code.chars().all(|c| c.is_ascii_alphanumeric());
    ok.then(|| (code.to_string(), text.to_string()))
}

fn default_tax_schemes(inv: &mut Invoice, scheme: &str) {
    let fill = |t: &mut Option<Text>| {
        if t.is_none() {
            *t = Some(Text::new(scheme));
        }
    };
    for b in inv
        .tax_totals
        .iter_mut()
        .flat_map(|t| t.breakdown.iter_mut())
    {
        fill(&mut b.tax_scheme);
    }
    let acs = |v: &mut Vec<AllowanceCharge>, fill: &dyn Fn(&mut Option<Text>)| {
        for ac in v {
            if ac.vat_category.is_some() {
                fill(&mut ac.tax_scheme);
            }
        }
    };
    acs(&mut inv.allowances_charges, &fill);
    for l in &mut inv.lines {
        if let Some(v) = l.vat.as_mut() {
            fill(&mut v.tax_scheme);
        }
    }
}

/// Call `f` on every amount; the flag says whether it is a tax total
/// (BT-110/BT-111), which keeps its currency in both syntaxes.
fn visit_amounts(inv: &mut Invoice, f: &mut dyn FnMut(&mut Amount, bool)) {
    for t in &mut inv.tax_totals {
        if let Some(a) = t.amount.as_mut() {
            f(a, true);
        }
        for b in &mut t.breakdown {
            for a in [&mut b.taxable_amount, &mut b.tax_amount]
                .into_iter()
                .flatten()
            {
                f(a, false);
            }
        }
    }
    if let Some(t) = inv.totals.as_mut() {
        for a in [
            &mut t.line_net,
            &mut t.allowances,
            &mut t.charges,
            &mut t.without_vat,
            &mut t.with_vat,
            &mut t.paid,
            &mut t.rounding,
            &mut t.due,
        ]
        .into_iter()
        .flatten()
        {
            f(a, false);
        }
    }
    let ac = |v: &mut Vec<AllowanceCharge>, f: &mut dyn FnMut(&mut Amount, bool)| {
        for x in v {
            for a in [&mut x.amount, &mut x.base_amount].into_iter().flatten() {
                f(a, false);
            }
        }
    };
    ac(&mut inv.allowances_charges, f);
    for l in &mut inv.lines {
        if let Some(a) = l.net_amount.as_mut() {
            f(a, false);
        }
        ac(&mut l.allowances_charges, f);
        if let Some(p) = l.price.as_mut() {
            for a in [&mut p.net, &mut p.discount, &mut p.gross]
                .into_iter()
                .flatten()
            {
                f(a, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_codes_split() {
        assert_eq!(
            split_subject("#AAI#hello"),
            Some(("AAI".into(), "hello".into()))
        );
        assert_eq!(split_subject("no code"), None);
        assert_eq!(split_subject("#toolong#x"), None);
    }
}
