//! The generated ICD table matches its sources in shared (and the generator agrees).

mod common;

use std::collections::BTreeSet;

use gateway_peppol::{icd_table, IcdStatus};

fn current_codes() -> BTreeSet<String> {
    let sch = String::from_utf8(common::read_shared(
        "conformance/peppol-bis3-2026.5/sch/PEPPOL-EN16931-UBL.sch",
    ))
    .unwrap();
    let start = sch
        .find(r#"<let name="eaid" value="tokenize('"#)
        .expect("eaid list in the 2026.5 Schematron");
    let rest = &sch[start..];
    let list = &rest[rest.find('\'').unwrap() + 1..];
    let list = &list[..list.find('\'').unwrap()];
    list.split_whitespace().map(str::to_owned).collect()
}

fn eas_codes() -> BTreeSet<String> {
    let xml = String::from_utf8(common::read_shared(
        "conformance/peppol-bis3/structure/codelist/eas.xml",
    ))
    .unwrap();
    xml.split("<Id>")
        .skip(1)
        .map(|s| s[..s.find("</Id>").unwrap()].trim().to_owned())
        .collect()
}

#[test]
fn table_matches_sources() {
    let current = current_codes();
    let eas = eas_codes();
    assert!(current.len() > 70, "{current:?}");
    let active: BTreeSet<String> = icd_table()
        .iter()
        .filter(|e| e.status == IcdStatus::Active)
        .map(|e| e.code.to_owned())
        .collect();
    let removed: BTreeSet<String> = icd_table()
        .iter()
        .filter(|e| e.status == IcdStatus::Removed)
        .map(|e| e.code.to_owned())
        .collect();
    assert_eq!(active, current);
    assert_eq!(removed, eas.difference(&current).cloned().collect());
    for e in icd_table() {
        assert_eq!(e.name.is_some(), eas.contains(e.code), "{}", e.code);
    }
}

#[test]
fn every_rule_icd_is_known() {
    for icd in gateway_peppol::icds_with_rules() {
        // 9907 (R046) is long gone from the lists but still has a rule in the Schematron.
        assert!(
            icd == "9907" || gateway_peppol::lookup_icd(icd).is_some(),
            "{icd}"
        );
    }
}

#[test]
fn generator_agrees_when_python_is_present() {
    let Some(py) = common::python3() else { return };
    let out = std::process::Command::new(py)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/gen_icd.py"))
        .arg("--check")
        .env("GATEWAY_SHARED", common::shared_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
