//! Model-level guarantees the validator relies on.

use gateway_convert::read;
use gateway_model::codes::{self, CodeList};
use gateway_testdata::conformance;
use gateway_xml::Limits;

/// Every business term and group of EN 16931 is documented with its number.
#[test]
fn every_bt_and_bg_is_documented() {
    let src = include_str!("../../model/src/invoice.rs");
    let missing_bt: Vec<u32> = (1..=165)
        .filter(|n| *n != 4) // BT-4 does not exist in EN 16931-1
        .filter(|n| {
            let t = format!("BT-{n}");
            !src.match_indices(&t)
                .any(|(i, _)| !src[i + t.len()..].starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    let missing_bg: Vec<u32> = (1..=32)
        .filter(|n| {
            let t = format!("BG-{n}");
            !src.match_indices(&t)
                .any(|(i, _)| !src[i + t.len()..].starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    assert!(missing_bt.is_empty(), "undocumented terms: {missing_bt:?}");
    assert!(missing_bg.is_empty(), "undocumented groups: {missing_bg:?}");
}

/// The generated code tables equal the lists in the official Schematron.
#[test]
fn code_lists_match_the_official_schematron() {
    let path = conformance().join("en16931/ubl/schematron/codelist/EN16931-UBL-codes.sch");
    let sch = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list_of = |rule: &str| -> Vec<String> {
        let at = sch
            .find(&format!("id=\"{rule}\""))
            .unwrap_or_else(|| panic!("{rule} missing"));
        let test_at = sch[..at].rfind("test=\"").expect("test attribute");
        let test = &sch[test_at..at];
        // Union of every `contains( '...' ...)` list; MIME codes are `= '...'` tests.
        let mut codes: Vec<String> = Vec::new();
        for piece in test.split("contains(").skip(1) {
            let piece = piece.trim_start();
            if let Some(body) = piece.strip_prefix('\'') {
                let list = body.split('\'').next().unwrap_or("");
                codes.extend(list.split_whitespace().map(str::to_string));
            }
        }
        if codes.is_empty() {
            codes = test
                .split("= '")
                .skip(1)
                .filter_map(|p| p.split('\'').next())
                .map(str::to_string)
                .collect();
        }
        codes.sort();
        codes.dedup();
        codes
    };
    let ours = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for (rule, table) in [
        ("BR-CL-01", codes::UNTDID_1001),
        ("BR-CL-03", codes::ISO_4217),
        ("BR-CL-06", codes::UNTDID_2005),
        ("BR-CL-10", codes::ISO_6523_ICD),
        ("BR-CL-13", codes::UNTDID_7143),
        ("BR-CL-14", codes::ISO_3166),
        ("BR-CL-16", codes::UNTDID_4461),
        ("BR-CL-17", codes::UNTDID_5305),
        ("BR-CL-19", codes::UNTDID_5189),
        ("BR-CL-20", codes::UNTDID_7161),
        ("BR-CL-22", codes::VATEX),
        ("BR-CL-23", codes::UNECE_REC20),
        ("BR-CL-24", codes::MIME),
        ("BR-CL-25", codes::EAS),
    ] {
        assert_eq!(ours(table), list_of(rule), "{rule}");
    }
    assert_eq!(codes::CurrencyList::CODES.len(), codes::ISO_4217.len());
}

fn doc(path: &str) -> Vec<u8> {
    let p = conformance().join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn ubl_values_are_exact_and_located() {
    let r = read(
        &doc("peppol-bis3/rules/examples/base-example.xml"),
        &Limits::default(),
    )
    .expect("reads");
    let inv = &r.invoice;
    assert_eq!(
        inv.number.as_ref().map(|t| t.value.as_str()),
        Some("Snippet1")
    );
    let due = inv
        .totals
        .as_ref()
        .and_then(|t| t.due.as_ref())
        .expect("BT-115");
    assert_eq!(due.value.map(|v| v.to_string()).as_deref(), Some("1656.25"));
    assert_eq!(due.currency.as_ref().map(|c| c.code()), Some("EUR"));
    assert_eq!(
        inv.issue_date
            .as_ref()
            .and_then(|d| d.value)
            .map(|d| d.to_string())
            .as_deref(),
        Some("2017-11-13")
    );
    // Every value knows its element: the validator reports XPaths.
    assert_eq!(
        r.doc.xpath(gateway_xml::NodeId(due.src.0)),
        "/Invoice/cac:LegalMonetaryTotal[1]/cbc:PayableAmount[1]"
    );
    let line = inv.lines.get(1).expect("line 2");
    assert_eq!(
        r.doc.xpath(gateway_xml::NodeId(line.src.0)),
        "/Invoice/cac:InvoiceLine[2]"
    );
    let (l, c) = r.doc.line_col(gateway_xml::NodeId(line.src.0));
    assert!(l > 100 && c >= 1, "{l}:{c}");
}

#[test]
fn cii_values_are_exact() {
    let r = read(
        &doc("en16931/cii/examples/CII_example1.xml"),
        &Limits::default(),
    )
    .expect("reads");
    let inv = &r.invoice;
    assert_eq!(r.syntax, gateway_model::Syntax::Cii);
    assert!(inv.number.is_some());
    let d = inv.issue_date.as_ref().expect("BT-2");
    assert_eq!(d.format.as_deref(), Some("102"));
    assert!(d.value.is_some());
    assert!(inv.vat_breakdown().count() >= 1);
    assert!(inv.vat_total().is_some());
}

/// Malformed values and unknown codes still reach the model, with the raw
/// text kept for the validator (BR-DEC-*, BR-CL-*, date rules).
#[test]
fn malformed_values_parse_as_invalid_raw_values() {
    let xml = br#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:IssueDate>2017-02-30</cbc:IssueDate>
  <cbc:DocumentCurrencyCode>EURO</cbc:DocumentCurrencyCode>
  <cac:LegalMonetaryTotal>
    <cbc:PayableAmount currencyID="EUR">12.345</cbc:PayableAmount>
    <cbc:PrepaidAmount currencyID="EUR">1,5</cbc:PrepaidAmount>
  </cac:LegalMonetaryTotal>
</Invoice>"#;
    let inv = read(xml, &Limits::default()).expect("reads").invoice;
    let d = inv.issue_date.expect("date kept");
    assert_eq!((d.raw.as_str(), d.value), ("2017-02-30", None));
    let c = inv.currency.expect("currency kept");
    assert!(!c.is_known());
    assert_eq!(c.raw, "EURO");
    let t = inv.totals.expect("totals");
    let due = t.due.expect("BT-115");
    assert_eq!(due.fraction_digits(), 3);
    let paid = t.paid.expect("BT-113");
    assert_eq!((paid.raw.as_str(), paid.value), ("1,5", None));
}

/// Extensions and unknown elements survive UBL -> model -> UBL verbatim.
#[test]
fn extensions_are_preserved() {
    let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
  xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2">
  <ext:UBLExtensions><ext:UBLExtension><ext:ExtensionContent><x:Sig xmlns:x="urn:x" a="1">v<x:i/></x:Sig></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>
  <cbc:UBLVersionID>2.1</cbc:UBLVersionID>
  <cbc:ID schemeAgencyID="9">A1</cbc:ID>
</Invoice>"#;
    let r = read(xml, &Limits::default()).expect("reads");
    assert_eq!(r.invoice.preserved.elements().count(), 2);
    let out = gateway_ubl::write(&r.invoice);
    let s = String::from_utf8(out).expect("UTF-8");
    assert!(
        s.contains(r#"<x:Sig xmlns:x="urn:x" a="1">v<x:i/></x:Sig>"#),
        "{s}"
    );
    assert!(
        s.contains(r#"<cbc:ID schemeAgencyID="9">A1</cbc:ID>"#),
        "{s}"
    );
    let ext = s.find("UBLExtensions").unwrap_or(usize::MAX);
    let ver = s.find("UBLVersionID").unwrap_or(0);
    let id = s.find("<cbc:ID").unwrap_or(0);
    assert!(ext < ver && ver < id, "schema order kept: {s}");
}

/// Documents and models move across threads (validation runs in parallel).
#[test]
fn parsed_documents_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<gateway_xml::Document>();
    check::<gateway_model::Invoice>();
    check::<gateway_convert::Read>();
    check::<gateway_convert::Error>();
}
