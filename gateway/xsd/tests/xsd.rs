//! The official UBL 2.1 and CII D16B schemas from the shared artefacts:
//! valid examples pass, an invalid document is reported with its line, a
//! document cannot make libxml2 read files, and one compiled schema serves
//! several threads at once.

use std::sync::Arc;

use gateway_xsd::Schemas;

const INVOICE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";

fn schemas() -> Schemas {
    Schemas::load(&gateway_testdata::conformance()).expect("the shared artefacts have the schemas")
}

fn read(rel: &str) -> Vec<u8> {
    let p = gateway_testdata::conformance().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn official_examples_are_schema_valid() {
    let s = schemas();
    let inv = s.validate(
        INVOICE_NS,
        "Invoice",
        &read("peppol-bis3-2026.5/examples/base-example.xml"),
    );
    assert!(inv.checked && inv.valid, "{inv:?}");
    let cn = s.validate(
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
        "CreditNote",
        &read("peppol-bis3-2026.5/examples/base-creditnote-correction.xml"),
    );
    assert!(cn.checked && cn.valid, "{cn:?}");
    let cii = s.validate(
        "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
        "CrossIndustryInvoice",
        &read("en16931/cii/examples/CII_example1.xml"),
    );
    assert!(cii.checked && cii.valid, "{cii:?}");
}

#[test]
fn an_element_out_of_order_is_reported_with_its_line() {
    let s = schemas();
    let xml = String::from_utf8(read("peppol-bis3-2026.5/examples/base-example.xml")).unwrap();
    // Move the document currency code before the issue date: schema order broken.
    let moved = xml.replacen(
        "<cbc:IssueDate>",
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n<cbc:IssueDate>",
        1,
    );
    let line = moved
        .lines()
        .position(|l| l.contains("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"))
        .unwrap() as u32
        + 1;
    let r = s.validate(INVOICE_NS, "Invoice", moved.as_bytes());
    assert!(r.checked && !r.valid);
    assert_eq!(r.errors[0].line, line, "{:?}", r.errors);
    assert!(
        r.errors[0].message.contains("DocumentCurrencyCode"),
        "{:?}",
        r.errors
    );
}

#[test]
fn documents_cannot_reach_files_or_the_network() {
    let s = schemas();
    let xml = String::from_utf8(read("peppol-bis3-2026.5/examples/base-example.xml")).unwrap();
    let secret = std::env::temp_dir().join("gateway-xsd-xxe-secret.txt");
    std::fs::write(&secret, "TOPSECRET").unwrap();
    let doctype = format!(
        "<!DOCTYPE Invoice [<!ENTITY x SYSTEM \"file://{}\"><!ENTITY n SYSTEM \"http://127.0.0.1:9/x\">]>\n<Invoice",
        secret.display()
    );
    let evil = xml
        .replacen("<Invoice", &doctype, 1)
        .replacen("<cbc:Note>", "<cbc:Note>&x;&n;", 1);
    let r = s.validate(INVOICE_NS, "Invoice", evil.as_bytes());
    // Not substituted: libxml2 keeps entity references, never the file's text.
    assert!(r.checked);
    assert!(
        r.errors.iter().all(|e| !e.message.contains("TOPSECRET")),
        "{r:?}"
    );
    let _ = std::fs::remove_file(secret);
}

#[test]
fn one_compiled_schema_serves_many_threads() {
    let s = Arc::new(schemas());
    let good = read("peppol-bis3-2026.5/examples/base-example.xml");
    let bad = String::from_utf8(good.clone())
        .unwrap()
        .replacen(
            "<cbc:IssueDate>",
            "<cbc:Bogus>1</cbc:Bogus><cbc:IssueDate>",
            1,
        )
        .into_bytes();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let (s, good, bad) = (s.clone(), good.clone(), bad.clone());
            std::thread::spawn(move || {
                for _ in 0..20 {
                    let doc = if i % 2 == 0 { &good } else { &bad };
                    let r = s.validate(INVOICE_NS, "Invoice", doc);
                    assert_eq!(r.valid, i % 2 == 0, "{r:?}");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn a_directory_without_schemas_is_a_clear_error() {
    let dir = std::env::temp_dir().join("gateway-xsd-empty");
    std::fs::create_dir_all(&dir).unwrap();
    let e = Schemas::load(&dir).unwrap_err().to_string();
    assert!(e.contains("UBL-Invoice-2.1.xsd"), "{e}");
    let unknown = schemas().validate("urn:x", "Order", b"<Order xmlns='urn:x'/>");
    assert!(!unknown.checked);
}

/// Every standalone corpus document gets the schema verdict the oracle
/// recorded (lxml / libxml2 over the same schemas).
#[test]
fn schema_verdicts_agree_with_the_oracle() {
    let s = schemas();
    let root = gateway_testdata::conformance();
    let mut checked = 0;
    for src in ["en16931", "en16931-cii", "peppol-bis3-2026.5", "cius-ro"] {
        let json =
            std::fs::read_to_string(root.join("oracle").join(format!("{src}.json"))).unwrap();
        let oracle: serde_json::Value = serde_json::from_str(&json).unwrap();
        for (key, v) in oracle.as_object().unwrap() {
            let Some(want) = v.get("xsd_valid").and_then(|x| x.as_bool()) else {
                continue;
            };
            if key.contains('#') {
                continue; // unit tests: embedded documents, not files
            }
            let bytes = std::fs::read(root.join(key)).unwrap();
            let doc = gateway_xml::parse(&bytes, &gateway_xml::Limits::default()).unwrap();
            let name = doc.name(doc.root());
            let (ns, local) = (name.ns.to_string(), name.local.to_string());
            let r = s.validate(&ns, &local, &bytes);
            assert!(r.checked, "{key}");
            assert_eq!(r.valid, want, "{key}: {:?}", r.errors);
            checked += 1;
        }
    }
    assert_eq!(checked, 48 + 15 + 46 + 11);
}
