//! The PEPPOL-COMMON check rules against the official BIS 3 unit tests
//! (`conformance/peppol-bis3/rules/unit-UBL-PEPPOL/PEPPOL-COMMON-R0*.xml`): for every test,
//! an expected `<error>` (or `<warning>`, for warning rules) must be found on an identifier of the rule's scheme and an expected
//! `<success>` must hold for all of them. (The rule functions are identical in BIS 3.0.21.)

mod common;

use gateway_peppol::check_identifier;
use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Default, Debug)]
struct Case {
    success: Vec<String>,
    error: Vec<String>,
    /// (element local name, parent local name, schemeID, text)
    ids: Vec<(String, String, String, String)>,
}

fn cases(xml: &str) -> Vec<Case> {
    let mut r = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut cur: Option<Case> = None;
    let mut stack: Vec<(String, Option<String>)> = Vec::new();
    let mut text = String::new();
    loop {
        match r.read_event().unwrap() {
            Event::Start(e) => {
                let name = String::from_utf8(e.local_name().as_ref().to_vec()).unwrap();
                let scheme = e
                    .try_get_attribute("schemeID")
                    .unwrap()
                    .map(|a| a.unescape_value().unwrap().into_owned());
                if name == "test" {
                    cur = Some(Case::default());
                }
                stack.push((name, scheme));
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml_content().unwrap()),
            Event::End(_) => {
                let (name, scheme) = stack.pop().unwrap();
                let parent = stack.last().map(|p| p.0.clone()).unwrap_or_default();
                if let Some(c) = cur.as_mut() {
                    match (name.as_str(), scheme) {
                        ("success", _) => c.success.push(text.trim().to_owned()),
                        ("error" | "warning", _) => c.error.push(text.trim().to_owned()),
                        ("EndpointID" | "ID" | "CompanyID", Some(s)) => {
                            c.ids.push((name.clone(), parent, s, text.clone()))
                        }
                        ("test", _) => out.push(cur.take().unwrap()),
                        _ => {}
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Which identifiers a rule's Schematron context selects, by the rule's ICD.
fn in_context(
    rule: &str,
    icd: &str,
    (elem, parent, scheme, _): &(String, String, String, String),
) -> bool {
    scheme == icd
        && match elem.as_str() {
            "EndpointID" => true,
            "ID" => parent == "PartyIdentification" && rule != "PEPPOL-COMMON-R046",
            "CompanyID" => rule != "PEPPOL-COMMON-R046",
            _ => false,
        }
}

const RULE_ICDS: &[(&str, &str)] = &[
    ("PEPPOL-COMMON-R040", "0088"),
    ("PEPPOL-COMMON-R042", "0184"),
    ("PEPPOL-COMMON-R043", "0208"),
    ("PEPPOL-COMMON-R044", "0201"),
    ("PEPPOL-COMMON-R045", "0210"),
    ("PEPPOL-COMMON-R046", "9907"),
    ("PEPPOL-COMMON-R047", "0211"),
    ("PEPPOL-COMMON-R049", "0007"),
    ("PEPPOL-COMMON-R050", "0151"),
];

#[test]
fn official_unit_tests_agree() {
    let dir = common::shared("conformance/peppol-bis3/rules/unit-UBL-PEPPOL");
    let mut checked = 0;
    for (rule, icd) in RULE_ICDS {
        let xml = std::fs::read_to_string(dir.join(format!("{rule}.xml"))).unwrap();
        for (n, case) in cases(&xml).iter().enumerate() {
            let values: Vec<String> = case
                .ids
                .iter()
                .filter(|id| in_context(rule, icd, id))
                .map(|id| id.3.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            let fails = values
                .iter()
                .any(|v| check_identifier(icd, v).iter().any(|f| f.rule == *rule));
            if case.error.iter().any(|e| e == rule) {
                assert!(fails, "{rule} test {n}: expected an error on {values:?}");
                checked += 1;
            }
            if case.success.iter().any(|e| e == rule) {
                assert!(!fails, "{rule} test {n}: expected success on {values:?}");
                checked += 1;
            }
        }
    }
    eprintln!("{checked} official cases checked");
    assert!(checked >= 43, "only {checked} cases checked");
}
