//! CIUS-RO 1.0.9: edits of the official example whose expected ids were
//! checked against the official stylesheet (EN16931-CIUS_RO-UBL-validation.xslt,
//! Saxon-HE) with `conformance/tools/saxon_diff.py`: the BR-RO pattern, the
//! older CEN release it embeds (BR-CO-25, its code lists) and selection.

use std::collections::BTreeSet;

use gateway_rules::{validate, RuleSet, Selection};
use gateway_xml::Limits;

fn example0() -> String {
    let p = gateway_testdata::conformance().join("cius-ro/examples/ubl_b2g_example0.xml");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// (fatal ids, warning ids) under auto selection, which must pick CIUS-RO.
fn ids(xml: &str) -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    let r = validate(xml.as_bytes(), Selection::Auto, &Limits::default()).expect("validates");
    assert_eq!(r.rules, RuleSet::CiusRo);
    (
        r.fatal.iter().map(|f| f.id).collect(),
        r.warning.iter().map(|f| f.id).collect(),
    )
}

fn fatal(xml: &str) -> Vec<&'static str> {
    let (f, w) = ids(xml);
    assert_eq!(w.into_iter().collect::<Vec<_>>(), ["UBL-CR-681"]);
    f.into_iter().collect()
}

#[test]
fn the_official_example_passes_with_its_one_warning() {
    assert!(fatal(&example0()).is_empty());
}

#[test]
fn ro_pattern_rules_fire_with_their_official_ids() {
    let x = example0();
    let edit = |from: &str, to: &str| {
        assert!(x.contains(from), "{from}");
        x.replacen(from, to, 1)
    };
    assert_eq!(
        fatal(&edit("<cbc:ID>TOSL108</cbc:ID>", "<cbc:ID>TOSL</cbc:ID>")),
        ["BR-RO-010"]
    );
    assert_eq!(
        fatal(&edit(
            "<cbc:InvoiceTypeCode>380",
            "<cbc:InvoiceTypeCode>386"
        )),
        ["BR-RO-020_1"]
    );
    assert_eq!(
        fatal(&edit(
            "CIUS-RO:1.0.1</cbc:CustomizationID>",
            "CIUS-RO:1.0.0</cbc:CustomizationID>"
        )),
        ["BR-RO-001"]
    );
    // The same postal zone is the seller's, buyer's and tax representative's.
    assert_eq!(
        fatal(&x.replace(
            "<cbc:PostalZone>54321</cbc:PostalZone>",
            "<cbc:PostalZone>123456789012345678901</cbc:PostalZone>"
        )),
        ["BR-RO-L0201", "BR-RO-L0202", "BR-RO-L0203"]
    );
}

#[test]
fn the_embedded_cen_release_has_its_own_rules_and_code_lists() {
    let x = example0();
    // BR-CO-25 exists only in the older CEN release: no due date, no terms.
    let mut no_terms: Vec<&str> = x.lines().filter(|l| !l.contains("<cbc:DueDate>")).collect();
    no_terms.retain(|l| !l.contains("<cbc:Note>"));
    let no_terms = no_terms.join("\n");
    assert_eq!(fatal(&no_terms), ["BR-CO-25"]);
    // Its ISO 4217 list still has BGN and not yet CNH (1.3.16: the reverse).
    let bgn = x.replace(
        "<cbc:DocumentCurrencyCode>RON",
        "<cbc:DocumentCurrencyCode>BGN",
    );
    assert_eq!(fatal(&bgn), ["BR-CO-15"]);
    let cnh = x.replace(
        "<cbc:DocumentCurrencyCode>RON",
        "<cbc:DocumentCurrencyCode>CNH",
    );
    assert_eq!(fatal(&cnh), ["BR-CL-04", "BR-CO-15"]);
    let r = validate(
        bgn.as_bytes(),
        Selection::Explicit(RuleSet::En16931),
        &Limits::default(),
    )
    .unwrap();
    assert!(r.fatal.iter().any(|f| f.id == "BR-CL-04"));
}

#[test]
fn old_flags_and_stylesheet_stops_are_reproduced() {
    let x = example0();
    // BR-51 is a warning in the older CEN release (fatal in 1.3.16 would be wrong here).
    let pan = x.replacen(
        "<cbc:PrimaryAccountNumberID>1234</cbc:PrimaryAccountNumberID>",
        "<cbc:PrimaryAccountNumberID>12345678901234</cbc:PrimaryAccountNumberID>",
        1,
    );
    let (f, w) = ids(&pan);
    assert!(f.is_empty(), "{f:?}");
    assert_eq!(w.into_iter().collect::<Vec<_>>(), ["BR-51", "UBL-CR-681"]);
    // Two reason codes on a document charge: the official stylesheet stops
    // (normalize-space of two items); so do we, with the location.
    let two = x.replacen(
        "<cbc:AllowanceChargeReasonCode>ABL</cbc:AllowanceChargeReasonCode>",
        "<cbc:AllowanceChargeReasonCode>ABL</cbc:AllowanceChargeReasonCode>\
         <cbc:AllowanceChargeReasonCode>ABK</cbc:AllowanceChargeReasonCode>",
        1,
    );
    let e = validate(two.as_bytes(), Selection::Auto, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("/Invoice/cac:AllowanceCharge[1]: BR-RO-L1018"),
        "{e}"
    );
}
