//! Peppol national rules the corpus has no test files for (IS-R-*, DE-R-T02):
//! edits of the official base example whose expected ids were checked
//! against the official stylesheets (Saxon-HE) with
//! `conformance/tools/saxon_diff.py`.

use std::collections::BTreeSet;

use gateway_rules::{validate, RuleSet, Selection};
use gateway_xml::Limits;

fn base() -> String {
    let p = gateway_testdata::conformance().join("peppol-bis3-2026.5/examples/base-example.xml");
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Seller and buyer in `country`, plus an extra document reference.
fn located(country: &str, reference: &str) -> String {
    let code = |c: &str| format!("<cbc:IdentificationCode>{c}</cbc:IdentificationCode>");
    base()
        .replacen(&code("GB"), &code(country), 1)
        .replacen(&code("SE"), &code(country), 1)
        .replacen(
            "<cac:AccountingSupplierParty>",
            &format!("{reference}\n<cac:AccountingSupplierParty>"),
            1,
        )
}

fn ids(xml: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let r = validate(
        xml.as_bytes(),
        Selection::Explicit(RuleSet::Peppol),
        &Limits::default(),
    )
    .expect("validates");
    let set = |l: &[gateway_rules::Finding]| -> Vec<&'static str> {
        l.iter()
            .map(|f| f.id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    (set(&r.fatal), set(&r.warning))
}

const EINDAGI: &str = "<cac:AdditionalDocumentReference><cbc:ID>2018-01-01</cbc:ID>\
    <cbc:DocumentDescription>EINDAGI</cbc:DocumentDescription></cac:AdditionalDocumentReference>";

#[test]
fn icelandic_seller_and_buyer_rules() {
    let is = located("IS", EINDAGI);
    // The example's parties have no 0196 (kennitala) legal ids.
    assert_eq!(ids(&is), (vec!["IS-R-002", "IS-R-004"], vec![]));
    let t383 = is.replace("<cbc:InvoiceTypeCode>380", "<cbc:InvoiceTypeCode>383");
    assert_eq!(ids(&t383), (vec!["IS-R-002", "IS-R-004"], vec!["IS-R-001"]));
    // EINDAGI without a due date: IS-R-009, and IS-R-010 compares nothing.
    let no_due: String = is
        .lines()
        .filter(|l| !l.contains("<cbc:DueDate>"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        ids(&no_due).0,
        ["IS-R-002", "IS-R-004", "IS-R-009", "IS-R-010"]
    );
    // Not Icelandic: none of them.
    assert_eq!(ids(&located("NO", EINDAGI)).0, Vec::<&str>::new());
}

#[test]
fn german_external_document_location_must_be_an_absolute_url() {
    let reference = |uri: &str| {
        format!(
            "<cac:AdditionalDocumentReference><cbc:ID>att1</cbc:ID><cac:Attachment>\
             <cac:ExternalReference><cbc:URI>{uri}</cbc:URI></cac:ExternalReference>\
             </cac:Attachment></cac:AdditionalDocumentReference>"
        )
    };
    let relative = located("DE", &reference("www.example.com/doc"));
    assert_eq!(ids(&relative), (vec!["DE-R-002"], vec!["DE-R-T02"]));
    let absolute = located("DE", &reference("https://www.example.com/doc"));
    assert_eq!(ids(&absolute), (vec!["DE-R-002"], vec![]));
}
