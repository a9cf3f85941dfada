//! Peppol self-billing (`peppol-sb`): the corpus never makes its rules fire,
//! so these edits of the official SB examples do. Each expected id set was
//! checked against the official stylesheets (CEN + PEPPOL-EN16931-UBL-SB.xslt,
//! Saxon-HE) with `conformance/tools/saxon_diff.py`.

use std::collections::BTreeSet;

use gateway_rules::{implemented_rules, validate, RuleSet, Selection, Syntax};
use gateway_xml::Limits;

fn example(name: &str) -> String {
    let p = gateway_testdata::conformance()
        .join("peppol-bis3-2026.5/examples")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn fatal_ids(xml: &str, rules: RuleSet) -> BTreeSet<&'static str> {
    let r = validate(
        xml.as_bytes(),
        Selection::Explicit(rules),
        &Limits::default(),
    )
    .expect("validates");
    assert!(r.warning.is_empty(), "{:?}", r.warning);
    r.fatal.iter().map(|f| f.id).collect()
}

fn ids(list: &[&'static str]) -> BTreeSet<&'static str> {
    list.iter().copied().collect()
}

const INVOICE: &str = "SB-base-example.xml";
const R004: &str = "PEPPOL-EN16931-R004";
const R007: &str = "PEPPOL-EN16931-R007";

#[test]
fn auto_picks_self_billing_and_the_official_examples_pass() {
    for name in [
        INVOICE,
        "SB-base-creditnote-correction.xml",
        "SB-Allowance-example.xml",
    ] {
        let r = validate(
            example(name).as_bytes(),
            Selection::Auto,
            &Limits::default(),
        )
        .expect("validates");
        assert_eq!(r.rules, RuleSet::PeppolSelfBilling, "{name}");
        assert!(r.fatal.is_empty() && r.warning.is_empty(), "{name}: {r:?}");
    }
}

#[test]
fn type_codes_follow_the_self_billing_profile() {
    let inv = example(INVOICE);
    // 380 is a billing invoice type, not a self-billing one.
    let t380 = inv.replace("<cbc:InvoiceTypeCode>389", "<cbc:InvoiceTypeCode>380");
    assert_eq!(
        fatal_ids(&t380, RuleSet::PeppolSelfBilling),
        ids(&["PEPPOL-EN16931-P0100"])
    );
    // P0112 (326/384 only between German parties) is not a self-billing rule.
    let t326 = inv.replace("<cbc:InvoiceTypeCode>389", "<cbc:InvoiceTypeCode>326");
    assert_eq!(
        fatal_ids(&t326, RuleSet::PeppolSelfBilling),
        ids(&["PEPPOL-EN16931-P0100"])
    );
    assert_eq!(
        fatal_ids(&t326, RuleSet::Peppol),
        ids(&["PEPPOL-EN16931-P0112", R004, R007])
    );
    let cn = example("SB-base-creditnote-correction.xml")
        .replace("<cbc:CreditNoteTypeCode>261", "<cbc:CreditNoteTypeCode>381");
    assert_eq!(
        fatal_ids(&cn, RuleSet::PeppolSelfBilling),
        ids(&["PEPPOL-EN16931-P0101"])
    );
}

#[test]
fn business_process_and_specification_identifier_are_the_self_billing_ones() {
    let inv = example(INVOICE);
    let billing_profile = inv.replace(
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0",
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
    );
    assert_eq!(
        fatal_ids(&billing_profile, RuleSet::PeppolSelfBilling),
        ids(&[R007])
    );
    // Profile '02' is known, and P0100 only constrains profile '01'.
    let profile_02 = inv
        .replace(
            "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0",
            "<cbc:ProfileID>urn:peppol:bis:billing_with_response",
        )
        .replace("<cbc:InvoiceTypeCode>389", "<cbc:InvoiceTypeCode>380");
    assert_eq!(fatal_ids(&profile_02, RuleSet::PeppolSelfBilling), ids(&[]));
    let billing_id = inv.replace("poacc:selfbilling:3.0<", "poacc:billing:3.0<");
    let r = validate(
        billing_id.as_bytes(),
        Selection::Explicit(RuleSet::PeppolSelfBilling),
        &Limits::default(),
    )
    .expect("validates");
    let f: Vec<_> = r.fatal.iter().collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].id, R004);
    assert!(
        f[0].message.contains("poacc:selfbilling:3.0"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].location, "/Invoice");
    // Under auto the billing identifier selects the billing layer instead.
    let auto = validate(billing_id.as_bytes(), Selection::Auto, &Limits::default()).unwrap();
    assert_eq!(auto.rules, RuleSet::Peppol);
}

#[test]
fn subtotal_tax_amounts_are_outside_r051_in_self_billing() {
    let inv = example(INVOICE);
    let mut lines: Vec<&str> = inv.lines().collect();
    let sub = lines
        .iter()
        .position(|l| l.contains("<cac:TaxSubtotal>"))
        .expect("a subtotal");
    let amount = (sub..lines.len())
        .find(|&i| lines[i].contains("<cbc:TaxAmount currencyID=\"EUR\">"))
        .expect("its tax amount");
    let usd = lines[amount].replace("\"EUR\"", "\"USD\"");
    lines[amount] = &usd;
    let xml = lines.join("\n");
    assert_eq!(fatal_ids(&xml, RuleSet::PeppolSelfBilling), ids(&[]));
    assert!(fatal_ids(&xml, RuleSet::Peppol).contains("PEPPOL-EN16931-R051"));
}

#[test]
fn the_self_billing_layer_has_its_62_rules_and_no_national_ones() {
    let cen = implemented_rules(RuleSet::En16931, Syntax::Ubl).len();
    let sb = implemented_rules(RuleSet::PeppolSelfBilling, Syntax::Ubl);
    assert_eq!(sb.len() - cen, 62);
    let layer: Vec<_> = sb[cen..].iter().map(|r| r.id).collect();
    assert!(
        layer.iter().all(|id| id.starts_with("PEPPOL-")),
        "{layer:?}"
    );
    assert!(!layer.contains(&"PEPPOL-EN16931-P0112"));
}
