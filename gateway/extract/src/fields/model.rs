//! Fields from an EN 16931 model (the embedded-XML path): every value is
//! certain and has no position.

use std::collections::BTreeMap;

use gateway_model::Invoice;

use super::values::decimal_text;
use super::{Field, LineItem};

fn certain(value: String) -> Field {
    Field {
        value,
        confidence: 1.0,
        page: None,
        bbox: None,
    }
}

fn amount(a: Option<&gateway_model::Amount>) -> Option<String> {
    let a = a?;
    Some(
        a.value
            .map(decimal_text)
            .unwrap_or_else(|| a.raw.trim().to_string()),
    )
}

fn date(d: Option<&gateway_model::Date>) -> Option<String> {
    let d = d?;
    Some(
        d.value
            .map(|v| v.to_string())
            .unwrap_or_else(|| d.raw.clone()),
    )
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The key business terms of a model, normalised like the other paths.
pub fn from_model(inv: &Invoice) -> BTreeMap<String, Field> {
    let mut f = BTreeMap::new();
    let mut put = |id: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            f.insert(id.to_string(), certain(v));
        }
    };
    put(
        "BT-1",
        inv.number.as_ref().map(|t| t.value.trim().to_string()),
    );
    put("BT-2", date(inv.issue_date.as_ref()));
    put("BT-3", inv.type_code.as_ref().map(|c| c.code().to_string()));
    put("BT-5", inv.currency.as_ref().map(|c| c.code().to_string()));
    put("BT-9", date(inv.due_date.as_ref()));
    let party = |p: Option<&gateway_model::Party>| p.cloned().unwrap_or_default();
    let seller = party(inv.seller.as_ref());
    let buyer = party(inv.buyer.as_ref());
    put("BT-27", seller.name.as_ref().map(|t| t.normalized()));
    put(
        "BT-31",
        seller
            .vat_identifier
            .as_ref()
            .and_then(|t| t.id.as_ref())
            .map(|t| compact(&t.value)),
    );
    put("BT-44", buyer.name.as_ref().map(|t| t.normalized()));
    put(
        "BT-48",
        buyer
            .vat_identifier
            .as_ref()
            .and_then(|t| t.id.as_ref())
            .map(|t| compact(&t.value)),
    );
    put(
        "BT-84",
        inv.payment_instructions
            .iter()
            .filter_map(|p| p.credit_transfer.as_ref()?.account.as_ref())
            .map(|t| compact(&t.value))
            .next(),
    );
    let totals = inv.totals.clone().unwrap_or_default();
    put("BT-106", amount(totals.line_net.as_ref()));
    put("BT-109", amount(totals.without_vat.as_ref()));
    put("BT-110", amount(inv.vat_total()));
    put("BT-112", amount(totals.with_vat.as_ref()));
    put("BT-115", amount(totals.due.as_ref()));
    f
}

/// BG-25 lines of a model.
pub fn lines_from_model(inv: &Invoice) -> Vec<LineItem> {
    inv.lines
        .iter()
        .map(|l| {
            let mut fields = BTreeMap::new();
            let mut put = |id: &str, v: Option<String>| {
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    fields.insert(id.to_string(), certain(v));
                }
            };
            put("BT-126", l.id.as_ref().map(|t| t.value.trim().to_string()));
            put(
                "BT-129",
                l.quantity
                    .as_ref()
                    .map(|q| q.value.map(decimal_text).unwrap_or(q.raw.clone())),
            );
            put("BT-131", amount(l.net_amount.as_ref()));
            put(
                "BT-146",
                amount(l.price.as_ref().and_then(|p| p.net.as_ref())),
            );
            put(
                "BT-152",
                l.vat
                    .as_ref()
                    .and_then(|v| v.rate.as_ref())
                    .map(|r| r.value.map(decimal_text).unwrap_or(r.raw.clone())),
            );
            put(
                "BT-153",
                l.item
                    .as_ref()
                    .and_then(|i| i.name.as_ref())
                    .map(|t| t.normalized()),
            );
            LineItem { fields }
        })
        .collect()
}
