//! Identifiers found in the shared SBDH vectors (`vectors/sbdh/good`): what the network sends.
//! All parse leniently; the strict parser refuses exactly those a directory must not register.

mod common;

use std::collections::BTreeSet;

use gateway_peppol::{
    DocumentTypeId, Error, ParticipantId, ProcessId, BILLING_PROCESS, BIS3_INVOICE,
};

/// Texts between `open` and the next `<` in every good SBDH vector.
fn texts_after(open: &str) -> BTreeSet<String> {
    let dir = common::shared("vectors/sbdh/good");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let xml = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for part in xml.split(open).skip(1) {
            out.insert(part[..part.find('<').unwrap()].to_owned());
        }
    }
    out
}

#[test]
fn participants_of_the_sbdh_vectors() {
    let ids = texts_after(r#"<Identifier Authority="iso6523-actorid-upis">"#);
    assert_eq!(ids.len(), 5, "{ids:?}");
    for id in &ids {
        let p = ParticipantId::from_parts_lenient("iso6523-actorid-upis", id).unwrap();
        assert_eq!(p.value(), id.to_lowercase());
    }
    // The test GLNs of the vectors (also used by the AS4 vectors) have wrong check digits.
    for gln in ["0088:7315458756324", "0088:4562458856624"] {
        assert_eq!(
            ParticipantId::parse(gln).unwrap_err().code(),
            "PEPPOL-COMMON-R040",
            "{gln}"
        );
    }
    assert_eq!(
        ParticipantId::parse("9958:99000000-peppol10-99").unwrap_err(),
        Error::UnknownIcd {
            icd: "9958".into(),
            removed: false
        }
    );
    assert!(ParticipantId::parse("9915:test").is_ok());
    assert!(ParticipantId::parse("0204:991-33333TEST-33").is_ok());
}

#[test]
fn document_types_and_processes_of_the_sbdh_vectors() {
    let scopes = texts_after("<InstanceIdentifier>");
    let docs: Vec<DocumentTypeId> = scopes
        .iter()
        .filter(|s| s.starts_with("urn:oasis:names:specification:ubl:schema:xsd:"))
        .map(|s| DocumentTypeId::parse(s).unwrap())
        .collect();
    assert_eq!(docs.len(), 3);
    assert!(docs.contains(&BIS3_INVOICE));
    assert!(docs.iter().all(|d| d
        .parts()
        .is_some_and(|p| p.local_name == "Invoice" && p.version == "2.1")));
    let billing = ProcessId::parse(BILLING_PROCESS.value()).unwrap();
    assert!(scopes.contains(billing.value()));
    // good-v11.xml names the process scheme `ptype`: kept as given.
    let p = ProcessId::from_parts("ptype", "urn:www.cenbii.eu:profile:bii04:ver1.0").unwrap();
    assert_eq!(
        p.to_string(),
        "ptype::urn:www.cenbii.eu:profile:bii04:ver1.0"
    );
}
