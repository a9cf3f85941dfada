//! What a person confirmed for a supplier, used on its next invoices. A reviewed invoice leaves
//! the supplier-stable fields (its name, VAT id, IBAN, currency, how it names the buyer) under
//! the supplier's keys; a later extraction that reads one of those keys fills what it did not
//! find and is surer of what agrees. What disagrees is never overwritten: the page may be right
//! (a new account, a renamed company), so that field goes to a person. Per-invoice values
//! (number, dates, amounts) are never remembered: they cannot be known from an earlier invoice.
use std::collections::BTreeMap;

use crate::fields::Field;
use crate::text::fold;

/// The fields that do not change from one invoice of a supplier to the next.
pub const STABLE: &[&str] = &["BT-27", "BT-31", "BT-84", "BT-5", "BT-44"];

/// Stable fields a memory may fill when the page gave nothing. Not the IBAN: whether and where
/// to pay is the invoice's own statement (a paid or direct-debited invoice names no account).
const FILLABLE: &[&str] = &["BT-27", "BT-31", "BT-5", "BT-44"];

/// Confidence of a remembered value: a person confirmed it for this supplier.
const RECALLED: f32 = 0.95;
/// A value that disagrees with what a person confirmed: below any review threshold.
const DISPUTED: f32 = 0.3;

/// Identifiers compare by their letters and digits, names by their folded words.
fn same(id: &str, a: &str, b: &str) -> bool {
    match id {
        "BT-31" | "BT-84" => compact(a) == compact(b),
        _ => fold(a) == fold(b),
    }
}

fn compact(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The keys a supplier is known by: `vat:<VAT id>` and `iban:<IBAN>`, letters and digits
/// upper-cased, from the seller VAT id (BT-31) and the payment account (BT-84).
pub fn keys(fields: &BTreeMap<String, Field>) -> Vec<String> {
    [("vat", "BT-31"), ("iban", "BT-84")]
        .iter()
        .filter_map(|(kind, id)| {
            let value = compact(&fields.get(*id)?.value);
            (value.len() >= 5).then(|| format!("{kind}:{value}"))
        })
        .collect()
}

/// What to remember from a confirmed invoice: its stable fields' values.
pub fn remembered(fields: &BTreeMap<String, Field>) -> BTreeMap<String, String> {
    STABLE
        .iter()
        .filter_map(|id| Some((id.to_string(), fields.get(*id)?.value.clone())))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// Fills missing stable fields from memory (see [`FILLABLE`]), raises the confidence of those that agree and
/// sends those that disagree to review; the ids of the fields it changed.
pub fn recall(
    fields: &mut BTreeMap<String, Field>,
    memory: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut changed = Vec::new();
    for (id, value) in memory {
        if !STABLE.contains(&id.as_str()) {
            continue;
        }
        match fields.get_mut(id) {
            Some(f) => {
                // Agreeing: surer. Disagreeing: kept as read, below the review threshold.
                let confidence = match same(id, &f.value, value) {
                    true => f.confidence.max(RECALLED),
                    false => f.confidence.min(DISPUTED),
                };
                if confidence != f.confidence {
                    f.confidence = confidence;
                    changed.push(id.clone());
                }
            }
            None if FILLABLE.contains(&id.as_str()) => {
                fields.insert(
                    id.clone(),
                    Field {
                        value: value.clone(),
                        confidence: RECALLED,
                        page: None,
                        bbox: None,
                    },
                );
                changed.push(id.clone());
            }
            None => {}
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(value: &str, confidence: f32) -> Field {
        Field {
            value: value.into(),
            confidence,
            page: Some(1),
            bbox: None,
        }
    }

    #[test]
    fn a_supplier_is_known_by_its_vat_id_and_iban() {
        let fields = BTreeMap::from([
            ("BT-31".to_string(), field("de 123 456 789", 0.9)),
            (
                "BT-84".to_string(),
                field("DE02 1203 0000 0000 2020 51", 0.9),
            ),
            ("BT-1".to_string(), field("471102", 0.9)),
        ]);
        assert_eq!(
            keys(&fields),
            ["vat:DE123456789", "iban:DE02120300000000202051"]
        );
        assert!(keys(&BTreeMap::new()).is_empty());
    }

    #[test]
    fn only_stable_fields_are_remembered_and_recalled() {
        let confirmed = BTreeMap::from([
            ("BT-27".to_string(), field("Lieferant GmbH", 1.0)),
            ("BT-31".to_string(), field("DE123456789", 1.0)),
            ("BT-1".to_string(), field("471102", 1.0)),
            ("BT-115".to_string(), field("147.65", 1.0)),
        ]);
        let memory = remembered(&confirmed);
        assert_eq!(memory.keys().collect::<Vec<_>>(), ["BT-27", "BT-31"]);

        let mut next = BTreeMap::from([
            ("BT-31".to_string(), field("DE 123456789", 0.8)),
            ("BT-1".to_string(), field("471103", 0.9)),
        ]);
        let changed = recall(&mut next, &memory);
        assert_eq!(changed, ["BT-27", "BT-31"]);
        assert_eq!(next["BT-27"].value, "Lieferant GmbH", "filled");
        assert_eq!(next["BT-27"].confidence, RECALLED);
        assert_eq!(next["BT-31"].confidence, RECALLED, "agrees: surer");
        assert_eq!(next["BT-1"].value, "471103", "per-invoice values untouched");
        assert!(
            recall(&mut next, &memory).is_empty(),
            "nothing more to take over"
        );

        // The page says otherwise: kept as read, for a person to decide.
        let mut renamed = BTreeMap::from([("BT-27".to_string(), field("Lieferant AG", 0.9))]);
        assert_eq!(recall(&mut renamed, &memory), ["BT-27", "BT-31"]);
        assert_eq!(renamed["BT-27"].value, "Lieferant AG");
        assert_eq!(renamed["BT-27"].confidence, DISPUTED);
        let mut unpaid = BTreeMap::new();
        recall(
            &mut unpaid,
            &BTreeMap::from([("BT-84".into(), "DE02120300000000202051".into())]),
        );
        assert!(unpaid.is_empty(), "an account is never made up");
        let mut with_junk = BTreeMap::new();
        recall(
            &mut with_junk,
            &BTreeMap::from([("BT-1".into(), "1".into())]),
        );
        assert!(
            with_junk.is_empty(),
            "a memory never sets a per-invoice field"
        );
    }
}
