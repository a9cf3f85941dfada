//! The shared SBDH vectors (phax/peppol-commons good/ and bad/, phase4 base-sbdh.xml, the AS4
//! peer's sbd.xml), judged as ../shared/vectors/README.md says.

mod common;

use gateway_sbdh::{read, MlsType, StandardBusinessDocument, TICC_ENVELOPE_NS};

const UBL_INVOICE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";

fn good(name: &str) -> Vec<u8> {
    common::read_shared(&format!("vectors/sbdh/good/{name}"))
}

fn check_payload(input: &[u8], sbd: &StandardBusinessDocument<'_>) {
    let p = &sbd.payload;
    assert_eq!(
        p.bytes,
        &input[p.range.clone()],
        "payload is a slice of the input"
    );
    assert!(p.bytes.starts_with(b"<"), "payload starts at its start tag");
    assert!(p.bytes.ends_with(b">"), "payload ends at its end tag");
    let tail = String::from_utf8_lossy(&input[p.range.end..]);
    assert!(
        tail.trim_start().starts_with("</") && tail.contains("StandardBusinessDocument>"),
        "only the SBD end tag follows the payload: {tail:?}"
    );
}

#[test]
fn every_good_file_reads_with_its_payload_as_an_exact_slice() {
    let dir = common::shared("vectors/sbdh/good");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let input = std::fs::read(&path).unwrap();
        let sbd = read(&input).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        check_payload(&input, &sbd);
        count += 1;
    }
    assert_eq!(count, 14, "all good vectors were read");
}

#[test]
fn good_xml_fields() {
    let input = good("good.xml");
    let sbd = read(&input).unwrap();
    let h = &sbd.header;
    assert_eq!(h.sender.value(), "0088:7315458756324");
    assert_eq!(h.receiver.value(), "0088:4562458856624");
    assert_eq!(h.country_c1, "AT");
    let d = &h.document_identification;
    assert_eq!(d.standard, UBL_INVOICE_NS);
    assert_eq!(d.type_version, "2.1");
    assert_eq!(d.type_name, "Invoice");
    assert_eq!(
        d.instance_identifier,
        "3739db04-7e4e-4c89-b170-c543dd252249"
    );
    assert_eq!(d.creation_date_and_time, "2013-02-19T05:10:10Z");
    assert!(h.document_type_id.value().contains("peppol4a"));
    assert_eq!(h.document_type_id.scheme(), "busdox-docid-qns");
    assert_eq!(
        h.process_id.value(),
        "urn:www.cenbii.eu:profile:bii04:ver1.0"
    );
    assert_eq!(h.mls_to, None);
    assert_eq!(h.mls_type, None);
    assert!(h.additional_scopes.is_empty());
    assert!(sbd.warnings.is_empty());
    assert_eq!(sbd.payload.namespace.as_deref(), Some(UBL_INVOICE_NS));
    assert_eq!(sbd.payload.local_name, "Invoice");
    assert!(sbd.payload.bytes.starts_with(b"<ns4:Invoice "));
    // The payload redeclares the default namespace; only xmlns:xs of the SBD element leaks in.
    assert_eq!(
        sbd.payload.inherited_namespaces,
        [(
            Some("xs".to_owned()),
            "http://www.w3.org/2001/XMLSchema".to_owned()
        )]
    );
    assert!(sbd.payload.bytes.ends_with(b"</ns4:Invoice>"));
}

#[test]
fn mls_scopes_and_additional_scopes() {
    let sbd_input = good("good-bis3-full.xml");
    let sbd = read(&sbd_input).unwrap();
    let mls = sbd.header.mls_to.as_ref().unwrap();
    assert_eq!(mls.value, "9915:test");
    assert_eq!(mls.scheme.as_deref(), Some("iso6523-actorid-upis"));
    assert_eq!(mls.participant.as_ref().unwrap().value(), "9915:test");
    assert_eq!(sbd.header.mls_type, Some(MlsType::AlwaysSend));

    let v11_input = good("good-v11.xml");
    let v11 = read(&v11_input).unwrap();
    assert_eq!(v11.header.process_id.scheme(), "ptype");
    let extra: Vec<(&str, &str)> = v11
        .header
        .additional_scopes
        .iter()
        .map(|s| (s.scope_type.as_str(), s.instance_identifier.as_str()))
        .collect();
    assert_eq!(
        extra,
        [("AddAttr1", "Value1"), ("AddAttr2", ""), ("AddAttr3", "")]
    );

    let more_input = good("good-additional-scopes.xml");
    let more = read(&more_input).unwrap();
    assert_eq!(more.header.additional_scopes.len(), 2);
}

#[test]
fn gxs1_hybrid_and_timezones() {
    let gxs_input = good("good-gxs1.xml");
    let gxs = read(&gxs_input).unwrap();
    assert!(gxs.header.sender.value().starts_with("9958:"));
    assert!(gxs.header.receiver.value().starts_with("0204:"));
    assert_eq!(
        gxs.header.document_identification.creation_date_and_time,
        "2019-10-18T01:53:29.385+02:00"
    );

    let hybrid_input = good("good-hybrid-invoice.xml");
    let hybrid = read(&hybrid_input).unwrap();
    assert_eq!(
        hybrid.header.document_identification.standard,
        "urn:peppol:doctype:pdf+xml"
    );
    assert_eq!(hybrid.payload.namespace.as_deref(), Some(TICC_ENVELOPE_NS));
    assert_eq!(hybrid.payload.local_name, "BinaryContent");
    assert!(hybrid
        .payload
        .inherited_namespaces
        .iter()
        .all(|(prefix, _)| prefix.is_some()));
    assert_eq!(
        hybrid.header.process_id.value(),
        "urn:peppol:france:billing:regulated"
    );
}

#[test]
fn phase4_base_sbdh() {
    let input = common::read_shared("vectors/sbdh/base-sbdh.xml");
    let sbd = read(&input).unwrap();
    check_payload(&input, &sbd);
    assert_eq!(sbd.header.sender.value(), "9915:phase4-test-sender");
    assert_eq!(sbd.header.receiver.value(), "9915:helger");
    assert_eq!(
        sbd.header.document_identification.instance_identifier,
        "123456789"
    );
    assert_eq!(sbd.header.country_c1, "GB");
    assert_eq!(sbd.header.document_type_id, gateway_peppol::BIS3_INVOICE);
    assert_eq!(sbd.header.process_id, gateway_peppol::BILLING_PROCESS);
}

#[test]
fn as4_peer_sbd() {
    let input = common::read_shared("vectors/as4/generated/sbd.xml");
    let sbd = read(&input).unwrap();
    check_payload(&input, &sbd);
    let h = &sbd.header;
    assert_eq!(h.sender.value(), "0088:7315458756324");
    assert_eq!(h.receiver.value(), "0088:4562458856624");
    assert_eq!(
        h.document_identification.instance_identifier,
        "0b0e3c8e-1d4c-4d5e-9a55-6c1f1f9e2a01"
    );
    assert_eq!(h.document_type_id, gateway_peppol::BIS3_INVOICE);
    assert_eq!(h.process_id, gateway_peppol::BILLING_PROCESS);
    assert_eq!(h.country_c1, "BE");
    assert_eq!(sbd.payload.local_name, "Invoice");
}

/// Every bad vector fails with the upstream error of the README table (or, for the two MLS_TO
/// cases that upstream downgraded to warnings, reads with a warning).
#[test]
fn every_bad_file_fails_for_its_specific_reason() {
    let expected: &[(&str, &str)] = &[
        ("bad-no-xml.txt", "INVALID_SBD_XML"),
        ("bad-no-sbdh.xml", "MISSING_SBDH"),
        ("bad-invalid-header-version.xml", "INVALID_HEADER_VERSION"),
        ("bad-too-few-senders.xml", "INVALID_SBD_XML"),
        ("bad-too-many-senders.xml", "INVALID_SENDER_COUNT"),
        (
            "bad-invalid-sender-authority.xml",
            "INVALID_SENDER_AUTHORITY",
        ),
        ("bad-invalid-sender-value.xml", "INVALID_SENDER_VALUE"),
        ("bad-too-few-receivers.xml", "INVALID_SBD_XML"),
        ("bad-too-many-receivers.xml", "INVALID_RECEIVER_COUNT"),
        (
            "bad-invalid-receiver-authority.xml",
            "INVALID_RECEIVER_AUTHORITY",
        ),
        ("bad-invalid-receiver-value.xml", "INVALID_RECEIVER_VALUE"),
        ("bad-invalid-standard.xml", "INVALID_STANDARD"),
        ("bad-invalid-type-version.xml", "INVALID_TYPE_VERSION"),
        ("bad-invalid-type.xml", "INVALID_TYPE"),
        (
            "bad-invalid-instance-identifier.xml",
            "INVALID_INSTANCE_IDENTIFIER",
        ),
        ("bad-invalid-creation-date-and-time.xml", "INVALID_SBD_XML"),
        ("bad-no-business-scope.xml", "BUSINESS_SCOPE_MISSING"),
        ("bad-too-few-scopes.xml", "INVALID_SCOPE_COUNT"),
        (
            "bad-no-document-type-identifier.xml",
            "MISSING_DOCUMENT_TYPE_IDENTIFIER",
        ),
        (
            "bad-invalid-document-type-identifier.xml",
            "INVALID_DOCUMENT_TYPE_IDENTIFIER",
        ),
        (
            "bad-no-process-identifier.xml",
            "MISSING_PROCESS_IDENTIFIER",
        ),
        (
            "bad-invalid-process-identifier.xml",
            "INVALID_PROCESS_IDENTIFIER",
        ),
        ("bad-no-country-c1.xml", "MISSING_COUNTRY_C1"),
        ("bad-mls-to-empty.xml", "INVALID_SBD_XML"),
        ("bad-mls-to-no-value.xml", "INVALID_SBD_XML"),
        ("bad-mls-type-empty.xml", "INVALID_SBD_XML"),
        ("bad-mls-type-invalid-value.xml", "INVALID_MLS_TYPE"),
        ("bad-no-business-message.xml", "INVALID_SBD_XML"),
        ("bad-invalid-business-message.xml", "INVALID_SBD_XML"),
    ];
    let warnings_only = ["bad-mls-to-invalid-value.xml", "bad-mls-to-no-scheme.xml"];
    let dir = common::shared("vectors/sbdh/bad");
    let on_disk = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        on_disk,
        expected.len() + warnings_only.len(),
        "every bad file is listed"
    );
    for (file, code) in expected {
        let input = std::fs::read(dir.join(file)).unwrap();
        match read(&input) {
            Ok(_) => panic!("{file} was accepted; expected {code}"),
            Err(e) => assert_eq!(e.code(), *code, "{file}: {e}"),
        }
    }
    for file in warnings_only {
        let input = std::fs::read(dir.join(file)).unwrap();
        let sbd = read(&input).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(sbd.warnings.len(), 1, "{file}");
        assert!(sbd.warnings[0].message.contains("MLS_TO"), "{file}");
        assert!(sbd.header.mls_to.as_ref().unwrap().participant.is_none());
    }
}

#[test]
fn schema_errors_say_what_is_missing_and_where() {
    let input = common::read_shared("vectors/sbdh/bad/bad-too-few-senders.xml");
    let err = read(&input).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("Sender"), "{text}");
    assert!(text.contains("line 22"), "{text}");

    let input = common::read_shared("vectors/sbdh/bad/bad-invalid-header-version.xml");
    let err = read(&input).unwrap_err();
    assert!(err.to_string().contains("\"1.5\""), "{err}");
}
