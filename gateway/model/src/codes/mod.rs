//! Code values: raw text plus membership in an official code list.
//!
//! A code that is not in its list still parses (the validator reports it with
//! the matching BR-CL rule); [`Code::is_known`] tells which case applies.

mod lists;

pub use lists::*;

use std::fmt;
use std::marker::PhantomData;

use crate::values::Src;

/// An official code list.
pub trait CodeList {
    /// Name of the list, for messages.
    const NAME: &'static str;
    /// The codes, sorted (byte order).
    const CODES: &'static [&'static str];
}

/// A code value from list `L`, kept exactly as written.
pub struct Code<L> {
    /// The code as written (not trimmed).
    pub raw: String,
    /// Where it was read.
    pub src: Src,
    list: PhantomData<L>,
}

impl<L: CodeList> Code<L> {
    /// A code read from a document.
    pub fn new(raw: impl Into<String>, src: Src) -> Self {
        Code {
            raw: raw.into(),
            src,
            list: PhantomData,
        }
    }
    /// A code created in code.
    pub fn from_str_code(raw: &str) -> Self {
        Self::new(raw, Src::NONE)
    }
    /// The code after `normalize-space`, as the official rules compare it.
    pub fn code(&self) -> &str {
        self.raw.trim()
    }
    /// Whether the (trimmed) code is in the official list.
    pub fn is_known(&self) -> bool {
        let c = self.code();
        !c.contains(char::is_whitespace) && L::CODES.binary_search(&c).is_ok()
    }
}

impl<L> Clone for Code<L> {
    fn clone(&self) -> Self {
        Code {
            raw: self.raw.clone(),
            src: self.src,
            list: PhantomData,
        }
    }
}
impl<L> PartialEq for Code<L> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl<L> Eq for Code<L> {}
impl<L: CodeList> fmt::Debug for Code<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:?})", L::NAME, self.raw)
    }
}
impl<L> fmt::Display for Code<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

macro_rules! code_list {
    ($(#[$m:meta])* $marker:ident, $alias:ident, $name:literal, $codes:expr) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $marker;
        impl CodeList for $marker {
            const NAME: &'static str = $name;
            const CODES: &'static [&'static str] = $codes;
        }
        $(#[$m])*
        pub type $alias = Code<$marker>;
    };
}

code_list!(/// UNTDID 1001 document type (BT-3).
    DocTypeList, DocumentTypeCode, "UNTDID1001", UNTDID_1001);
code_list!(/// ISO 4217 currency (BT-5, BT-6, currencyID).
    CurrencyList, CurrencyCode, "ISO4217", ISO_4217);
code_list!(/// UNTDID 2005 VAT point date code (BT-8).
    DateCodeList, VatDateCode, "UNTDID2005", UNTDID_2005);
code_list!(/// ISO 3166-1 alpha-2 country (BT-40, BT-55, BT-69, BT-80, BT-159).
    CountryList, CountryCode, "ISO3166", ISO_3166);
code_list!(/// UNTDID 4461 payment means (BT-81).
    PaymentMeansList, PaymentMeansCode, "UNTDID4461", UNTDID_4461);
code_list!(/// UNTDID 5305 VAT category (BT-95, BT-102, BT-118, BT-151).
    VatCategoryList, VatCategoryCode, "UNTDID5305", UNTDID_5305);
code_list!(/// UNTDID 5189 allowance reason (BT-98, BT-140).
    AllowanceReasonList, AllowanceReasonCode, "UNTDID5189", UNTDID_5189);
code_list!(/// UNTDID 7161 charge reason (BT-105, BT-145).
    ChargeReasonList, ChargeReasonCode, "UNTDID7161", UNTDID_7161);
code_list!(/// CEF VATEX exemption reason (BT-121).
    VatexList, VatExemptionCode, "VATEX", VATEX);
code_list!(/// UN/ECE Rec 20/21 unit of measure (BT-130, BT-150).
    UnitList, UnitCode, "UNECERec20", UNECE_REC20);
code_list!(/// MIME code of an attachment (BT-125-1).
    MimeList, MimeCode, "MIMECode", MIME);

/// A code is its text in JSON (the `serde` feature): `"EUR"`.
#[cfg(feature = "serde")]
impl<L> serde::Serialize for Code<L> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

#[cfg(feature = "serde")]
impl<'de, L: CodeList> serde::Deserialize<'de> for Code<L> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <String as serde::Deserialize>::deserialize(d)?;
        Ok(Code::new(raw, Src::NONE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        for l in [
            UNTDID_1001,
            ISO_4217,
            ISO_3166,
            UNECE_REC20,
            VATEX,
            EAS,
            ISO_6523_ICD,
        ] {
            assert!(l.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn unknown_codes_are_kept() {
        assert!(CurrencyCode::from_str_code("EUR").is_known());
        assert!(CurrencyCode::from_str_code(" EUR ").is_known());
        let bad = CurrencyCode::from_str_code("EURO");
        assert!(!bad.is_known());
        assert_eq!(bad.raw, "EURO");
        assert!(VatCategoryCode::from_str_code("S").is_known());
        assert!(UnitCode::from_str_code("C62").is_known());
        assert!(DocumentTypeCode::from_str_code("380").is_known());
        assert!(DocumentTypeCode::from_str_code("381").is_known());
        assert!(!DocumentTypeCode::from_str_code("380 381").is_known());
    }
}
