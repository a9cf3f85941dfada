//! Namespace URIs of both syntaxes and their canonical prefixes.

/// UBL Invoice root namespace.
pub const UBL_INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
/// UBL CreditNote root namespace.
pub const UBL_CREDIT_NOTE: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
/// UBL common basic components.
pub const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
/// UBL common aggregate components.
pub const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
/// UBL common extension components.
pub const EXT: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2";
/// CII root namespace.
pub const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
/// CII reusable aggregate business information entities.
pub const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
/// CII unqualified data types.
pub const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";
/// CII qualified data types.
pub const QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
/// XML Schema instance.
pub const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Canonical prefix of a known namespace (for syntax-independent paths).
pub fn canonical_prefix(ns: &str) -> Option<&'static str> {
    Some(match ns {
        CBC => "cbc",
        CAC => "cac",
        EXT => "ext",
        RSM => "rsm",
        RAM => "ram",
        UDT => "udt",
        QDT => "qdt",
        UBL_INVOICE | UBL_CREDIT_NOTE | "" => "",
        XSI => "xsi",
        _ => return None,
    })
}

/// Append a canonical step name (`cac:Party`, `{uri}local` for unknown
/// namespaces) to `out`.
pub fn push_canonical(out: &mut String, ns: &str, local: &str) {
    match canonical_prefix(ns) {
        Some("") => {}
        Some(p) => {
            out.push_str(p);
            out.push(':');
        }
        None => {
            out.push('{');
            out.push_str(ns);
            out.push('}');
        }
    }
    out.push_str(local);
}
