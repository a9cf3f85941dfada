//! Reading an invoice once: syntax, the EN 16931 model, the list summary and the rules report.
use gateway_model::{DocumentKind, Invoice, Party, Syntax};
use gateway_rules::{Report, Selection};
use gateway_store::{fold_vat, Company, Direction, InvoiceKind, Summary};
use gateway_xml::Limits;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// A readable invoice: the model and the XML as stored.
pub struct Parsed {
    pub syntax: Syntax,
    pub invoice: Invoice,
    pub doc: gateway_xml::Document,
}

/// Reads UBL or CII; the error names the line and column.
pub fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let read = gateway_convert::read(bytes, &Limits::default()).map_err(|e| e.to_string())?;
    Ok(Parsed {
        syntax: read.syntax,
        invoice: read.invoice,
        doc: read.doc,
    })
}

pub fn syntax_name(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Ubl => "ubl",
        Syntax::Cii => "cii",
    }
}

fn party_name(p: &Party) -> Option<String> {
    p.name
        .as_ref()
        .or(p.trading_name.as_ref())
        .map(|t| t.normalized())
        .filter(|n| !n.is_empty())
}

/// The electronic address as `scheme:value`, the form of Peppol participant identifiers.
pub fn electronic_address(p: &Party) -> Option<String> {
    let a = p.electronic_address.as_ref()?;
    let value = a.value.trim();
    match a.scheme.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() && !value.is_empty() => Some(format!("{s}:{value}")),
        _ => None,
    }
}

fn vat_of(p: &Party) -> Option<String> {
    p.vat_identifier
        .as_ref()
        .and_then(|t| t.id.as_ref())
        .map(|t| t.normalized())
        .filter(|v| !v.is_empty())
}

fn day(d: &Option<gateway_model::Date>) -> Option<String> {
    d.as_ref().and_then(|d| {
        d.value
            .map(|v| v.format("%Y-%m-%d").to_string())
            .or_else(|| Some(d.raw.trim().to_string()).filter(|r| !r.is_empty()))
    })
}

/// What the document list shows, seen from `direction`: the counterparty of a purchase is the
/// seller, of a sale the buyer.
pub fn summary(p: &Parsed, direction: Direction) -> Summary {
    let inv = &p.invoice;
    let counterparty = match direction {
        Direction::Purchase => inv.seller.as_ref(),
        _ => inv.buyer.as_ref(),
    };
    let credit = inv.kind == DocumentKind::CreditNote
        || inv.type_code.as_ref().is_some_and(|c| c.code() == "381");
    let amount = inv
        .totals
        .as_ref()
        .and_then(|t| t.due.as_ref().or(t.with_vat.as_ref()));
    let cents = amount
        .and_then(|a| a.value)
        .and_then(|v| (v * Decimal::ONE_HUNDRED).round().to_i64());
    Summary {
        kind: Some(if credit {
            InvoiceKind::CreditNote
        } else {
            InvoiceKind::Invoice
        }),
        syntax: syntax_name(p.syntax).into(),
        invoice_number: inv
            .number
            .as_ref()
            .map(|t| t.normalized())
            .filter(|n| !n.is_empty()),
        issue_date: day(&inv.issue_date),
        due_date: day(&inv.due_date),
        counterparty_name: counterparty.and_then(party_name),
        counterparty_id: counterparty.and_then(electronic_address),
        counterparty_vat: counterparty.and_then(vat_of),
        currency: inv.currency.as_ref().map(|c| c.code().to_ascii_uppercase()),
        total: amount.map(|a| a.raw.trim().to_string()),
        total_cents: cents,
    }
}

/// The rules report, UBL and CII each judged in its own syntax (the locations point into the
/// document as submitted).
pub fn validate(p: &Parsed) -> Result<Report, String> {
    gateway_rules::validate_document(&p.doc, Selection::Auto).map_err(|e| e.to_string())
}

/// Why `company` may not issue this invoice: its seller must be the company, by electronic
/// address or VAT number, so that no member sends in another's name.
pub fn seller_mismatch(p: &Parsed, company: &Company) -> Option<String> {
    let Some(seller) = p.invoice.seller.as_ref() else {
        return Some("the invoice names no seller".into());
    };
    let address = electronic_address(seller).map(|a| a.to_ascii_lowercase());
    let by_address = address.as_deref().is_some_and(|a| {
        company
            .identifiers
            .iter()
            .any(|i| i.value.eq_ignore_ascii_case(a))
    });
    let by_vat = match (vat_of(seller), &company.vat_number) {
        (Some(v), Some(c)) => fold_vat(&v) == fold_vat(c),
        _ => false,
    };
    (!by_address && !by_vat).then(|| {
        format!(
            "the seller ({}) is not {}: neither its electronic address nor its VAT number is the company's",
            party_name(seller).unwrap_or_else(|| "unnamed".into()),
            company.legal_name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cii_is_judged_in_its_own_syntax_with_locations_in_the_document() {
        let cii = gateway_testkit::read_shared("conformance/en16931/cii/examples/CII_example1.xml");
        let report = validate(&parse(&cii).unwrap()).unwrap();
        assert_eq!(report.syntax, gateway_rules::Syntax::Cii);
        assert!(report.is_valid(), "{:?}", report.fatal);

        // A due amount that does not add up (BR-CO-16) is found where it is written.
        let text = String::from_utf8(cii).unwrap().replace(
            "<ram:DuePayableAmount>250.33</ram:DuePayableAmount>",
            "<ram:DuePayableAmount>99.00</ram:DuePayableAmount>",
        );
        let report = validate(&parse(text.as_bytes()).unwrap()).unwrap();
        let finding = report
            .fatal
            .iter()
            .find(|f| f.id == "BR-CO-16")
            .expect("BR-CO-16 fires");
        assert!(
            finding.location.contains("CrossIndustryInvoice"),
            "{}",
            finding.location
        );
    }
}
