//! Leaf value types: text, identifiers, exact numbers and dates that keep
//! their raw lexical form next to the parsed value.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;

use crate::codes::{Code, CurrencyList, UnitList};

/// Index of the source element a value was read from (0 = created in code).
///
/// Location metadata only: two `Src` always compare equal, so a model read
/// twice from differently laid out documents is still equal.
#[derive(Clone, Copy, Debug, Default)]
pub struct Src(pub u32);

impl Src {
    /// No source element.
    pub const NONE: Src = Src(0);
    /// Whether the value was read from a document.
    pub fn is_some(self) -> bool {
        self.0 != 0
    }
}

impl PartialEq for Src {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl Eq for Src {}

/// A text value, exactly as written (no whitespace normalisation).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(transparent)
)]
pub struct Text {
    /// The text.
    pub value: String,
    /// Where it was read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Text {
    /// A text created in code.
    pub fn new(value: impl Into<String>) -> Self {
        Text {
            value: value.into(),
            src: Src::NONE,
        }
    }
    /// The value with XPath `normalize-space` applied.
    pub fn normalized(&self) -> String {
        self.value.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// An identifier with optional scheme attributes (`schemeID`, or `listID` for
/// classifications, and their version attribute).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Identifier {
    /// The identifier text, as written.
    pub value: String,
    /// Scheme identifier (e.g. ICD `0088`, EAS code, `listID`).
    pub scheme: Option<String>,
    /// Scheme version (`listVersionID` / `schemeVersionID`).
    pub scheme_version: Option<String>,
    /// Read from a CII `GlobalID` (rather than `ID`); a CII writer puts it
    /// back there. Identifiers with a scheme always go to `GlobalID`.
    pub global: bool,
    /// Where it was read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Identifier {
    /// An identifier created in code.
    pub fn new(value: impl Into<String>, scheme: Option<String>) -> Self {
        Identifier {
            value: value.into(),
            scheme,
            scheme_version: None,
            global: false,
            src: Src::NONE,
        }
    }
}

/// Parse an `xs:decimal` lexical form strictly (no exponent, no `_`).
pub fn parse_decimal(raw: &str) -> Option<Decimal> {
    let s = raw.trim();
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let valid = digits_ok(int)
        && frac.is_none_or(digits_ok)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    if !valid {
        return None;
    }
    Decimal::from_str(s.strip_prefix('+').unwrap_or(s)).ok()
}

/// Number of digits after the decimal point in a raw decimal (BR-DEC-* rules).
pub fn fraction_digits(raw: &str) -> usize {
    raw.trim().split_once('.').map_or(0, |(_, f)| f.len())
}

/// An exact decimal number (percentages, rates, factors) with its raw text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Num {
    /// Raw lexical text, as written.
    pub raw: String,
    /// Parsed value; `None` when `raw` is not a valid `xs:decimal`.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub value: Option<Decimal>,
    /// Where it was read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Num {
    /// Read a raw lexical value.
    pub fn parse(raw: impl Into<String>, src: Src) -> Self {
        let raw = raw.into();
        Num {
            value: parse_decimal(&raw),
            raw,
            src,
        }
    }
    /// A value created in code.
    pub fn from_decimal(value: Decimal) -> Self {
        Num {
            raw: value.to_string(),
            value: Some(value),
            src: Src::NONE,
        }
    }
    /// Digits after the decimal point as written.
    pub fn fraction_digits(&self) -> usize {
        fraction_digits(&self.raw)
    }
}

/// A monetary amount: exact value, raw text and optional `currencyID`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Amount {
    /// Raw lexical text, as written.
    pub raw: String,
    /// Parsed value; `None` when `raw` is not a valid `xs:decimal`.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub value: Option<Decimal>,
    /// The `currencyID` attribute (mandatory in UBL, usually absent in CII).
    pub currency: Option<Code<CurrencyList>>,
    /// Where it was read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Amount {
    /// Read a raw lexical value.
    pub fn parse(raw: impl Into<String>, currency: Option<Code<CurrencyList>>, src: Src) -> Self {
        let raw = raw.into();
        Amount {
            value: parse_decimal(&raw),
            raw,
            currency,
            src,
        }
    }
    /// Digits after the decimal point as written.
    pub fn fraction_digits(&self) -> usize {
        fraction_digits(&self.raw)
    }
}

/// A quantity: exact value, raw text and optional unit code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Quantity {
    /// Raw lexical text, as written.
    pub raw: String,
    /// Parsed value; `None` when `raw` is not a valid `xs:decimal`.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub value: Option<Decimal>,
    /// The `unitCode` attribute (UN/ECE Rec 20/21).
    pub unit: Option<Code<UnitList>>,
    /// Where it was read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Quantity {
    /// Read a raw lexical value.
    pub fn parse(raw: impl Into<String>, unit: Option<Code<UnitList>>, src: Src) -> Self {
        let raw = raw.into();
        Quantity {
            value: parse_decimal(&raw),
            raw,
            unit,
            src,
        }
    }
}

/// A boolean indicator (`true`/`false`, also `1`/`0` per `xs:boolean`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Indicator {
    /// Raw lexical text.
    pub raw: String,
    /// Parsed value; `None` when not a valid `xs:boolean`.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub value: Option<bool>,
    /// Where it was read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Indicator {
    /// Read a raw lexical value.
    pub fn parse(raw: impl Into<String>, src: Src) -> Self {
        let raw = raw.into();
        let value = match raw.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        };
        Indicator { raw, value, src }
    }
    /// An indicator created in code.
    pub fn from_bool(b: bool) -> Self {
        Indicator {
            raw: b.to_string(),
            value: Some(b),
            src: Src::NONE,
        }
    }
}

/// Lexical date format a raw date was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateFormat {
    /// `xs:date`, `YYYY-MM-DD` with optional time zone (UBL).
    Iso,
    /// UN/CEFACT format code 102, `YYYYMMDD` (CII).
    Ccyymmdd,
}

/// A calendar date with its raw text. A malformed date still parses into the
/// model (`value == None`) so the validator can report it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
pub struct Date {
    /// Raw lexical text, as written.
    pub raw: String,
    /// Parsed date; `None` when the text is not a valid date in its format.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub value: Option<NaiveDate>,
    /// The CII `format` attribute (`102`), when the date came from CII.
    pub format: Option<String>,
    /// Where it was read.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub src: Src,
}

impl Date {
    /// Read an `xs:date` (UBL).
    pub fn parse_iso(raw: impl Into<String>, src: Src) -> Self {
        let raw = raw.into();
        Date {
            value: parse_with(&raw, DateFormat::Iso),
            raw,
            format: None,
            src,
        }
    }
    /// Read a CII `DateTimeString` with its `format` attribute.
    pub fn parse_cii(raw: impl Into<String>, format: Option<String>, src: Src) -> Self {
        let raw = raw.into();
        let value = match format.as_deref() {
            Some("102") | None => parse_with(&raw, DateFormat::Ccyymmdd),
            _ => None,
        };
        Date {
            value,
            raw,
            format,
            src,
        }
    }
    /// A date created in code.
    pub fn from_date(d: NaiveDate) -> Self {
        Date {
            raw: d.format("%Y-%m-%d").to_string(),
            value: Some(d),
            format: None,
            src: Src::NONE,
        }
    }
    /// The lexical form for `fmt`: the raw text when it already is that form
    /// of the same date (lossless round trip), else the value formatted, else
    /// the raw text unchanged (an invalid date stays visible to the validator).
    pub fn lexical(&self, fmt: DateFormat) -> String {
        match self.value {
            Some(v) if parse_with(&self.raw, fmt) == Some(v) => self.raw.clone(),
            Some(v) => match fmt {
                DateFormat::Iso => v.format("%Y-%m-%d").to_string(),
                DateFormat::Ccyymmdd => v.format("%Y%m%d").to_string(),
            },
            None => self.raw.clone(),
        }
    }
}

/// Parse `raw` strictly in format `fmt`.
pub fn parse_with(raw: &str, fmt: DateFormat) -> Option<NaiveDate> {
    let s = raw.trim();
    match fmt {
        DateFormat::Iso => {
            // xs:date allows a time zone suffix: Z or +hh:mm / -hh:mm.
            let (date, tz) = (s.get(..10)?, s.get(10..)?);
            let tz_ok = tz.is_empty()
                || tz == "Z"
                || (tz.len() == 6
                    && (tz.starts_with('+') || tz.starts_with('-'))
                    && tz.as_bytes().get(3) == Some(&b':'));
            if !tz_ok || date.as_bytes().get(4) != Some(&b'-') {
                return None;
            }
            NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
        }
        DateFormat::Ccyymmdd => {
            if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            NaiveDate::parse_from_str(s, "%Y%m%d").ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_strict_and_exact() {
        assert_eq!(parse_decimal("10.50"), Decimal::from_str("10.50").ok());
        assert_eq!(parse_decimal("-.5"), Decimal::from_str("-0.5").ok());
        assert_eq!(parse_decimal("+3"), Some(Decimal::from(3)));
        for bad in ["1e5", "1_000", "", ".", "1.2.3", "abc", "1,5"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
        assert_eq!(Num::parse("1.250", Src::NONE).fraction_digits(), 3);
    }

    #[test]
    fn dates_keep_raw_and_reject_garbage() {
        let d = Date::parse_iso("2017-11-13", Src::NONE);
        assert_eq!(d.value, NaiveDate::from_ymd_opt(2017, 11, 13));
        assert_eq!(d.lexical(DateFormat::Ccyymmdd), "20171113");
        let bad = Date::parse_iso("2017-13-45", Src::NONE);
        assert_eq!(bad.value, None);
        assert_eq!(bad.lexical(DateFormat::Iso), "2017-13-45");
        assert!(Date::parse_iso("2017-01-01+01:00", Src::NONE)
            .value
            .is_some());
        assert!(Date::parse_cii("20170101", Some("102".into()), Src::NONE)
            .value
            .is_some());
        assert!(Date::parse_cii("2017-01-01", Some("102".into()), Src::NONE)
            .value
            .is_none());
    }
}
