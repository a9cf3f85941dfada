//! An EN 16931 model built from extracted fields (for `--format ubl`).

use std::collections::BTreeMap;

use gateway_model::codes::Code;
use gateway_model::{
    Amount, CreditTransfer, Date, Invoice, InvoiceLine, Item, LineVat, Num, Party,
    PaymentInstructions, Price, Quantity, TaxId, TaxTotal, Text, Totals,
};

use crate::fields::{Field, LineItem};

/// The model of the fields; absent fields stay absent (the validator names them).
pub fn invoice(fields: &BTreeMap<String, Field>, lines: &[LineItem]) -> Invoice {
    let get = |id: &str| fields.get(id).map(|f| f.value.clone());
    let currency = get("BT-5").map(|c| Code::from_str_code(&c));
    let amount =
        |id: &str| get(id).map(|v| Amount::parse(v, currency.clone(), gateway_model::Src::NONE));
    let date = |id: &str| get(id).map(|v| Date::parse_iso(v, gateway_model::Src::NONE));
    let party = |name: &str, vat: &str| Party {
        name: get(name).map(Text::new),
        vat_identifier: get(vat).map(|v| TaxId {
            id: Some(Text::new(v)),
            scheme: Some(Text::new("VAT")),
        }),
        ..Default::default()
    };
    Invoice {
        number: get("BT-1").map(Text::new),
        issue_date: date("BT-2"),
        type_code: Some(Code::from_str_code(get("BT-3").as_deref().unwrap_or("380"))),
        currency: currency.clone(),
        due_date: date("BT-9"),
        seller: Some(party("BT-27", "BT-31")),
        buyer: Some(party("BT-44", "BT-48")),
        payment_instructions: get("BT-84")
            .map(|iban| PaymentInstructions {
                means_code: Some(Code::from_str_code("58")),
                credit_transfer: Some(CreditTransfer {
                    account: Some(Text::new(iban)),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .into_iter()
            .collect(),
        totals: Some(Totals {
            line_net: amount("BT-106").or_else(|| amount("BT-109")),
            without_vat: amount("BT-109"),
            with_vat: amount("BT-112"),
            due: amount("BT-115"),
            ..Default::default()
        }),
        tax_totals: vec![TaxTotal {
            amount: amount("BT-110"),
            ..Default::default()
        }],
        lines: lines
            .iter()
            .map(|l| invoice_line(l, currency.clone()))
            .collect(),
        ..Default::default()
    }
}

/// One BG-25 line; absent terms stay absent.
fn invoice_line(
    l: &LineItem,
    currency: Option<Code<gateway_model::codes::CurrencyList>>,
) -> InvoiceLine {
    let get = |id: &str| l.fields.get(id).map(|f| f.value.clone());
    let amount =
        |id: &str| get(id).map(|v| Amount::parse(v, currency.clone(), gateway_model::Src::NONE));
    let unit = get("BT-130").map(|u| Code::from_str_code(&u));
    InvoiceLine {
        id: get("BT-126").map(Text::new),
        quantity: get("BT-129").map(|q| Quantity::parse(q, unit, gateway_model::Src::NONE)),
        net_amount: amount("BT-131"),
        price: amount("BT-146").map(|p| Price {
            net: Some(p),
            ..Default::default()
        }),
        vat: (l.fields.contains_key("BT-151") || l.fields.contains_key("BT-152")).then(|| {
            LineVat {
                category: get("BT-151").map(|c| Code::from_str_code(&c)),
                rate: get("BT-152").map(|r| Num::parse(r, gateway_model::Src::NONE)),
                tax_scheme: Some(Text::new("VAT")),
            }
        }),
        item: Some(Item {
            name: get("BT-153").map(Text::new),
            ..Default::default()
        }),
        ..Default::default()
    }
}
