//! The report of one document: selection, flags, locations and messages.

use gateway_rules::{validate, Flag, RuleSet, Selection, Syntax};
use gateway_xml::Limits;

fn base_example() -> String {
    let p = gateway_testdata::conformance().join("peppol-bis3/rules/examples/base-example.xml");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_peppol_base_example_is_valid_under_auto_selection() {
    let r = validate(
        base_example().as_bytes(),
        Selection::Auto,
        &Limits::default(),
    )
    .expect("validates");
    assert_eq!(r.rules, RuleSet::Peppol);
    assert_eq!(r.syntax, Syntax::Ubl);
    assert_eq!(r.document, "Invoice");
    assert!(r.is_valid(), "{:?}", r.fatal);
}

#[test]
fn a_wrong_total_is_reported_at_its_node_with_the_official_message() {
    let xml = base_example().replacen(
        "<cbc:PayableAmount currencyID=\"EUR\">",
        "<cbc:PayableAmount currencyID=\"EUR\">1",
        1,
    );
    let r = validate(
        xml.as_bytes(),
        Selection::Explicit(RuleSet::En16931),
        &Limits::default(),
    )
    .expect("validates");
    let f = r
        .fatal
        .iter()
        .find(|f| f.id == "BR-CO-16")
        .expect("BR-CO-16 fires");
    assert_eq!(f.flag, Flag::Fatal);
    assert_eq!(f.location, "/Invoice/cac:LegalMonetaryTotal[1]");
    assert!(f
        .message
        .starts_with("[BR-CO-16]-Amount due for payment (BT-115)"));
    assert!(!r.is_valid());
}

#[test]
fn peppol_rules_only_run_in_the_peppol_set() {
    let xml = base_example()
        .replacen("<cbc:BuyerReference>", "<cbc:BuyerReferenceX>", 1)
        .replacen("</cbc:BuyerReference>", "</cbc:BuyerReferenceX>", 1);
    let limits = Limits::default();
    let peppol = validate(
        xml.as_bytes(),
        Selection::Explicit(RuleSet::Peppol),
        &limits,
    )
    .expect("ok");
    let cen = validate(
        xml.as_bytes(),
        Selection::Explicit(RuleSet::En16931),
        &limits,
    )
    .expect("ok");
    let ids = |r: &gateway_rules::Report| r.fatal.iter().map(|f| f.id).collect::<Vec<_>>();
    assert!(
        ids(&peppol).contains(&"PEPPOL-EN16931-R003"),
        "{:?}",
        ids(&peppol)
    );
    assert!(!ids(&cen).iter().any(|i| i.starts_with("PEPPOL")));
}
