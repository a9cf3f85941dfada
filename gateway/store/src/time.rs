use chrono::{SecondsFormat, Utc};

/// Now as RFC 3339 UTC with milliseconds: sortable as text on both backends.
pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}
