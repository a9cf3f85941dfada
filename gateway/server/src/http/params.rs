//! Query parameters that several lists read the same way: amounts, days and comma lists, with
//! one wording for what is wrong with them.
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::problem::Problem;

/// A decimal amount in cents (`100.50` → 10050).
pub fn cents(field: &str, v: &Option<String>) -> Result<Option<i64>, Problem> {
    v.as_deref()
        .map(|t| {
            t.trim()
                .parse::<Decimal>()
                .ok()
                .and_then(|d| (d * Decimal::ONE_HUNDRED).round().to_i64())
                .ok_or_else(|| {
                    Problem::bad_request(
                        "invalid",
                        format!("{field}: `{t}` is not a decimal amount"),
                    )
                })
        })
        .transpose()
}

/// A day, `YYYY-MM-DD` (an RFC 3339 time is read by its date); kept as given.
pub fn day(field: &str, v: &Option<String>) -> Result<Option<String>, Problem> {
    if let Some(t) = v {
        let day = t.get(..10).unwrap_or(t);
        if chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err() {
            return Err(Problem::bad_request(
                "invalid",
                format!("{field}: `{t}` is not a date (YYYY-MM-DD)"),
            ));
        }
    }
    Ok(v.clone())
}

/// `a, b,,c` → `[a, b, c]`; nothing when absent.
pub fn comma_list(v: &Option<String>) -> Vec<String> {
    v.as_deref()
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
