//! No input makes the validator panic: every corpus document, cut short and
//! with its numbers, dates and codes garbled, either validates or returns an
//! error.

use gateway_rules::{validate, RuleSet, Selection};
use gateway_xml::Limits;

/// Replaces digits and some letters so that decimals, dates and codes break.
fn garble(s: &str, seed: usize) -> String {
    s.chars()
        .enumerate()
        .map(|(i, c)| match c {
            '0'..='9' if (i + seed).is_multiple_of(3) => 'x',
            '.' if (i + seed).is_multiple_of(2) => ',',
            '-' if (i + seed).is_multiple_of(2) => ' ',
            'S' if (i + seed).is_multiple_of(5) => 'Z',
            _ => c,
        })
        .collect()
}

#[test]
fn garbled_and_truncated_documents_never_panic() {
    let limits = Limits::default();
    let sets = [
        Selection::Auto,
        Selection::Explicit(RuleSet::Peppol),
        Selection::Explicit(RuleSet::CiusRo),
        Selection::Explicit(RuleSet::PeppolSelfBilling),
    ];
    let mut checked = 0;
    for s in gateway_testdata::samples()
        .iter()
        .filter(|s| s.bytes.len() < 200_000)
    {
        let text = String::from_utf8_lossy(&s.bytes);
        for seed in 0..3 {
            let g = garble(&text, seed);
            for sel in sets {
                let _ = validate(g.as_bytes(), sel, &limits);
            }
            checked += 1;
        }
        for cut in [s.bytes.len() / 3, s.bytes.len() / 2] {
            let _ = validate(&s.bytes[..cut], Selection::Auto, &limits);
        }
    }
    assert!(checked > 1000, "only {checked} documents checked");
}

#[test]
fn unknown_root_is_an_error_not_a_report() {
    let r = validate(b"<a/>", Selection::Auto, &Limits::default());
    assert!(r.is_err());
}

#[test]
fn an_empty_cii_invoice_gets_the_official_verdict() {
    let cii = br#"<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>"#;
    let r = validate(cii, Selection::Auto, &Limits::default()).expect("a report");
    let ids: Vec<&str> = r.fatal.iter().map(|f| f.id).collect();
    // What the official CII stylesheet reports for an empty root: the
    // mandatory header fields, no line, and nothing else.
    assert_eq!(
        ids,
        [
            "BR-01", "BR-02", "BR-03", "BR-04", "BR-05", "BR-06", "BR-07", "BR-08", "BR-09",
            "BR-10", "BR-11", "BR-16"
        ]
    );
    assert!(r.warning.is_empty(), "{:?}", r.warning);
    assert!(r
        .fatal
        .iter()
        .all(|f| f.location == "/rsm:CrossIndustryInvoice"));
}
