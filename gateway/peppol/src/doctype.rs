//! Document type and process identifiers, and the Peppol BIS Billing 3 constants.
//!
//! Unlike participant ids, their values are case-sensitive (Peppol policy); only the scheme folds.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The document type identifier scheme of Peppol BIS documents.
pub const DOCTYPE_SCHEME: &str = "busdox-docid-qns";
/// The wildcard document type scheme (Peppol Policy for use of Identifiers 4.x).
pub const DOCTYPE_WILDCARD_SCHEME: &str = "peppol-doctype-wildcard";
/// The process identifier scheme.
pub const PROCESS_SCHEME: &str = "cenbii-procid-ubl";

/// Peppol policy limits (characters).
pub const MAX_DOCTYPE_VALUE_LEN: usize = 500;
pub const MAX_PROCESS_VALUE_LEN: usize = 200;

const BIS3_INVOICE_VALUE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
const BIS3_CREDIT_NOTE_VALUE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
const SELFBILLING_INVOICE_VALUE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0::2.1";
const SELFBILLING_CREDIT_NOTE_VALUE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0::2.1";

/// Peppol BIS Billing 3.0 UBL invoice.
pub const BIS3_INVOICE: DocumentTypeId = DocumentTypeId::from_static(BIS3_INVOICE_VALUE);
/// Peppol BIS Billing 3.0 UBL credit note.
pub const BIS3_CREDIT_NOTE: DocumentTypeId = DocumentTypeId::from_static(BIS3_CREDIT_NOTE_VALUE);
/// Peppol BIS Self-Billing 3.0 UBL invoice.
pub const SELFBILLING_INVOICE: DocumentTypeId =
    DocumentTypeId::from_static(SELFBILLING_INVOICE_VALUE);
/// Peppol BIS Self-Billing 3.0 UBL credit note.
pub const SELFBILLING_CREDIT_NOTE: DocumentTypeId =
    DocumentTypeId::from_static(SELFBILLING_CREDIT_NOTE_VALUE);
/// The Peppol BIS Billing 3 process.
pub const BILLING_PROCESS: ProcessId =
    ProcessId::from_static("urn:fdc:peppol.eu:2017:poacc:billing:01:1.0");
/// The Peppol BIS Self-Billing 3 process.
pub const SELFBILLING_PROCESS: ProcessId =
    ProcessId::from_static("urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0");

/// A document type identifier, e.g. [`BIS3_INVOICE`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentTypeId {
    scheme: Cow<'static, str>,
    value: Cow<'static, str>,
}

/// The parts of a `busdox-docid-qns` value: `{root ns}::{local name}##{customization}::{version}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocTypeParts<'a> {
    pub root_namespace: &'a str,
    pub local_name: &'a str,
    pub customization_id: &'a str,
    pub version: &'a str,
}

impl DocumentTypeId {
    const fn from_static(value: &'static str) -> Self {
        DocumentTypeId {
            scheme: Cow::Borrowed(DOCTYPE_SCHEME),
            value: Cow::Borrowed(value),
        }
    }

    /// Parses `busdox-docid-qns::value`, `peppol-doctype-wildcard::value`, or a bare value
    /// (scheme `busdox-docid-qns`).
    pub fn parse(s: &str) -> Result<Self, Error> {
        let (scheme, value) = split_scheme(s.trim(), "document type identifier", DOCTYPE_SCHEME)?;
        Self::from_parts(scheme, value)
    }

    /// From the XML form (`scheme` attribute and text). The scheme must be a Peppol doc type scheme.
    pub fn from_parts(scheme: &str, value: &str) -> Result<Self, Error> {
        let what = "document type identifier";
        let scheme = scheme.trim().to_ascii_lowercase();
        if scheme != DOCTYPE_SCHEME && scheme != DOCTYPE_WILDCARD_SCHEME {
            return Err(Error::WrongScheme {
                what,
                expected: DOCTYPE_SCHEME,
                found: scheme,
            });
        }
        check_value(what, value, MAX_DOCTYPE_VALUE_LEN)?;
        Ok(DocumentTypeId {
            scheme: Cow::Owned(scheme),
            value: Cow::Owned(value.to_owned()),
        })
    }

    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// Splits a `busdox-docid-qns` value into its parts; `None` when it does not have them.
    pub fn parts(&self) -> Option<DocTypeParts<'_>> {
        let (root_qname, sub) = self.value.split_once("##")?;
        let (root_namespace, local_name) = root_qname.rsplit_once("::")?;
        let (customization_id, version) = sub.rsplit_once("::")?;
        Some(DocTypeParts {
            root_namespace,
            local_name,
            customization_id,
            version,
        })
    }
}

/// A process identifier, e.g. [`BILLING_PROCESS`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProcessId {
    scheme: Cow<'static, str>,
    value: Cow<'static, str>,
}

impl ProcessId {
    const fn from_static(value: &'static str) -> Self {
        ProcessId {
            scheme: Cow::Borrowed(PROCESS_SCHEME),
            value: Cow::Borrowed(value),
        }
    }

    /// Parses `cenbii-procid-ubl::value` or a bare value (scheme `cenbii-procid-ubl`).
    pub fn parse(s: &str) -> Result<Self, Error> {
        let (scheme, value) = split_scheme(s.trim(), "process identifier", PROCESS_SCHEME)?;
        Self::from_parts(scheme, value)
    }

    /// From the XML form. Any scheme without `::` is kept (old SMP entries use others).
    pub fn from_parts(scheme: &str, value: &str) -> Result<Self, Error> {
        let what = "process identifier";
        let scheme = scheme.trim();
        if scheme.is_empty() {
            return Err(Error::Empty {
                what: "process identifier scheme",
            });
        }
        if scheme.contains("::") {
            return Err(Error::WrongScheme {
                what,
                expected: PROCESS_SCHEME,
                found: scheme.to_owned(),
            });
        }
        check_value("process identifier scheme", scheme, MAX_PROCESS_VALUE_LEN)?;
        check_value(what, value, MAX_PROCESS_VALUE_LEN)?;
        Ok(ProcessId {
            scheme: Cow::Owned(scheme.to_ascii_lowercase()),
            value: Cow::Owned(value.to_owned()),
        })
    }

    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    pub fn value(&self) -> &str {
        &self.value
    }
}

/// Splits `scheme::value`. A scheme never holds `:`, while values (URNs) start with `urn:`, so a
/// prefix before the first `::` that has a colon is part of a bare value.
fn split_scheme<'a>(
    s: &'a str,
    what: &'static str,
    default: &'static str,
) -> Result<(&'a str, &'a str), Error> {
    match s.split_once("::") {
        Some((scheme, value)) if !scheme.contains(':') => {
            if scheme.is_empty() {
                return Err(Error::WrongScheme {
                    what,
                    expected: default,
                    found: String::new(),
                });
            }
            Ok((scheme, value))
        }
        _ => Ok((default, s)),
    }
}

fn check_value(what: &'static str, value: &str, max: usize) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::Empty { what });
    }
    let len = value.chars().count();
    if len > max {
        return Err(Error::TooLong { what, len, max });
    }
    if let Some((pos, ch)) = value.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(Error::BadChar { what, ch, pos });
    }
    Ok(())
}

macro_rules! string_forms {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}::{}", self.scheme, self.value)
            }
        }

        impl FromStr for $t {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_forms!(DocumentTypeId);
string_forms!(ProcessId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_and_parsing() {
        let full = format!("busdox-docid-qns::{BIS3_INVOICE_VALUE}");
        assert_eq!(DocumentTypeId::parse(&full).unwrap(), BIS3_INVOICE);
        assert_eq!(
            DocumentTypeId::parse(BIS3_INVOICE_VALUE).unwrap(),
            BIS3_INVOICE
        );
        let upper_scheme = format!("BUSDOX-DOCID-QNS::{BIS3_INVOICE_VALUE}");
        assert_eq!(DocumentTypeId::parse(&upper_scheme).unwrap(), BIS3_INVOICE);
        assert_eq!(BIS3_INVOICE.to_string(), full);
        let cn = BIS3_CREDIT_NOTE;
        let p = cn.parts().unwrap();
        assert_eq!(
            p.root_namespace,
            "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
        );
        assert_eq!(p.local_name, "CreditNote");
        assert_eq!(
            p.customization_id,
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
        );
        assert_eq!(p.version, "2.1");
        assert_eq!(
            SELFBILLING_INVOICE.parts().unwrap().customization_id,
            "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0"
        );
        assert_eq!(
            ProcessId::parse("cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0")
                .unwrap(),
            BILLING_PROCESS
        );
        assert_eq!(
            ProcessId::parse("urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0").unwrap(),
            SELFBILLING_PROCESS
        );
        assert_eq!(
            BILLING_PROCESS.to_string(),
            "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
        );
    }

    #[test]
    fn values_are_case_sensitive() {
        let lower = DocumentTypeId::parse(&BIS3_INVOICE_VALUE.to_lowercase()).unwrap();
        assert_ne!(lower, BIS3_INVOICE);
    }

    #[test]
    fn errors() {
        assert_eq!(
            DocumentTypeId::parse("foo::bar").unwrap_err(),
            Error::WrongScheme {
                what: "document type identifier",
                expected: DOCTYPE_SCHEME,
                found: "foo".into()
            }
        );
        assert_eq!(
            DocumentTypeId::parse("busdox-docid-qns::").unwrap_err(),
            Error::Empty {
                what: "document type identifier"
            }
        );
        let long = "x".repeat(501);
        assert_eq!(
            DocumentTypeId::parse(&long).unwrap_err(),
            Error::TooLong {
                what: "document type identifier",
                len: 501,
                max: 500
            }
        );
        assert_eq!(
            ProcessId::parse("a\nb").unwrap_err(),
            Error::BadChar {
                what: "process identifier",
                ch: '\n',
                pos: 1
            }
        );
        assert!(DocumentTypeId::parse("urn:x::y").unwrap().parts().is_none());
    }

    #[test]
    fn serde() {
        let json = serde_json::to_string(&BIS3_INVOICE).unwrap();
        assert_eq!(
            serde_json::from_str::<DocumentTypeId>(&json).unwrap(),
            BIS3_INVOICE
        );
        let json = serde_json::to_string(&BILLING_PROCESS).unwrap();
        assert_eq!(
            serde_json::from_str::<ProcessId>(&json).unwrap(),
            BILLING_PROCESS
        );
    }
}
