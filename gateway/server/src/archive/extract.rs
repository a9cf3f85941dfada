//! The searchable fields of an archived invoice, read from its stored XML (UBL or CII).
use gateway_model::{Invoice, Party};
use gateway_store::{ArchiveFields, Direction, Document};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// What search needs; empty (no fields) for a document that is not an invoice we can read.
pub fn fields(doc: &Document, bytes: &[u8]) -> ArchiveFields {
    if !doc.media_type.contains("xml") {
        return ArchiveFields {
            content: doc.file_name.clone().unwrap_or_default(),
            ..Default::default()
        };
    }
    match gateway_convert::read(bytes, &gateway_xml::Limits::default()) {
        Ok(read) => from_invoice(&read.invoice, doc.direction),
        Err(e) => {
            tracing::warn!(document = %doc.id, error = %e, "archived document is not a readable invoice; archived without search fields");
            ArchiveFields {
                content: doc.file_name.clone().unwrap_or_default(),
                ..Default::default()
            }
        }
    }
}

pub fn from_invoice(inv: &Invoice, direction: Direction) -> ArchiveFields {
    // A purchase invoice's counterparty is its seller; a sales invoice's, its buyer.
    let counterparty = match direction {
        Direction::Sales => inv.buyer.as_ref(),
        _ => inv.seller.as_ref(),
    };
    let amount = inv
        .totals
        .as_ref()
        .and_then(|t| t.due.as_ref().or(t.with_vat.as_ref()));
    let total_cents = amount
        .and_then(|a| a.value)
        .and_then(|v| (v * Decimal::from(100)).round().to_i64());
    let mut content: Vec<String> = Vec::new();
    let mut push = |t: Option<&str>| {
        if let Some(t) = t.filter(|t| !t.trim().is_empty()) {
            content.push(t.to_string());
        }
    };
    push(inv.number.as_ref().map(|t| t.value.as_str()));
    for p in [&inv.seller, &inv.buyer, &inv.payee].into_iter().flatten() {
        push(p.name.as_ref().map(|t| t.value.as_str()));
        push(p.trading_name.as_ref().map(|t| t.value.as_str()));
        if let Some(a) = &p.address {
            push(a.city.as_ref().map(|t| t.value.as_str()));
        }
    }
    for n in &inv.notes {
        push(Some(&n.text.value));
    }
    for r in [
        &inv.buyer_reference,
        &inv.purchase_order_reference,
        &inv.contract_reference,
        &inv.project_reference,
        &inv.payment_terms,
    ]
    .into_iter()
    .flatten()
    {
        push(Some(&r.value));
    }
    for line in &inv.lines {
        push(line.note.as_ref().map(|t| t.value.as_str()));
        if let Some(item) = &line.item {
            push(item.name.as_ref().map(|t| t.value.as_str()));
            push(item.description.as_ref().map(|t| t.value.as_str()));
        }
    }
    ArchiveFields {
        invoice_number: inv.number.as_ref().map(|t| t.normalized()),
        counterparty_name: counterparty.and_then(party_name),
        counterparty_ids: counterparty.map(party_ids).unwrap_or_default(),
        issue_date: inv
            .issue_date
            .as_ref()
            .and_then(|d| d.value)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        due_date: inv
            .due_date
            .as_ref()
            .and_then(|d| d.value)
            .map(|d| d.format("%Y-%m-%d").to_string()),
        currency: inv.currency.as_ref().map(|c| c.code().to_string()),
        total: amount.map(|a| a.raw.trim().to_string()),
        total_cents,
        content: content.join(" "),
    }
}

fn party_name(p: &Party) -> Option<String> {
    p.name
        .as_ref()
        .or(p.trading_name.as_ref())
        .map(|t| t.normalized())
}

fn party_ids(p: &Party) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for t in [&p.vat_identifier, &p.tax_registration]
        .into_iter()
        .flatten()
    {
        if let Some(id) = &t.id {
            ids.push(id.value.clone());
        }
    }
    for id in p
        .identifiers
        .iter()
        .chain(p.legal_registration.iter())
        .chain(p.electronic_address.iter())
    {
        ids.push(match &id.scheme {
            Some(s) => format!("{s}:{}", id.value),
            None => id.value.clone(),
        });
    }
    ids
}
