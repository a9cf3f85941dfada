//! The writer (round trips, refusals) and hostile input for the reader.

mod common;

use gateway_peppol::{ParticipantId, BILLING_PROCESS, BIS3_INVOICE};
use gateway_sbdh::{
    read, read_with, write, DocumentIdentification, Error, Limits, MlsTo, MlsType, Sbdh, Scope,
};

fn header() -> Sbdh {
    Sbdh {
        sender: ParticipantId::parse_lenient("0088:7315458756324").unwrap(),
        receiver: ParticipantId::parse_lenient("0088:4562458856624").unwrap(),
        document_identification: DocumentIdentification {
            standard: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2".into(),
            type_version: "2.1".into(),
            instance_identifier: "0b0e3c8e-1d4c-4d5e-9a55-6c1f1f9e2a01".into(),
            type_name: "Invoice".into(),
            creation_date_and_time: "2026-11-30T02:00:00Z".into(),
        },
        document_type_id: BIS3_INVOICE,
        process_id: BILLING_PROCESS,
        country_c1: "BE".into(),
        mls_to: Some(MlsTo {
            scheme: Some("iso6523-actorid-upis".into()),
            value: "9915:test".into(),
            participant: Some(ParticipantId::parse_lenient("9915:test").unwrap()),
        }),
        mls_type: Some(MlsType::FailureOnly),
        additional_scopes: vec![Scope {
            scope_type: "X_NOTE".into(),
            instance_identifier: "a < b & c".into(),
            identifier: None,
        }],
    }
}

#[test]
fn writer_wraps_a_ubl_document_and_the_reader_gets_the_same_header_and_bytes() {
    let invoice = common::read_shared("vectors/ubl/base-example.xml");
    let sbd = write(&header(), &invoice).unwrap();
    let back = read(&sbd).unwrap();
    assert_eq!(back.header, header());
    assert!(back.warnings.is_empty());
    // The invoice minus its prolog (declaration, licence comment), byte for byte.
    let text = String::from_utf8(invoice.clone()).unwrap();
    let body = text[text.find("<Invoice").unwrap()..].trim_end();
    assert_eq!(back.payload.bytes, body.as_bytes());
    assert_eq!(back.payload.local_name, "Invoice");
}

#[test]
fn writer_round_trips_a_read_document() {
    let input = common::read_shared("vectors/sbdh/good/good-bis3-full.xml");
    let first = read(&input).unwrap();
    let again = write(&first.header, first.payload.bytes).unwrap();
    let second = read(&again).unwrap();
    assert_eq!(second.header, first.header);
    assert_eq!(second.payload.bytes, first.payload.bytes);
}

#[test]
fn writer_refuses_what_the_reader_would_refuse() {
    let invoice = common::read_shared("vectors/ubl/base-example.xml");
    let mut h = header();
    h.document_identification.type_name = "CreditNote".into();
    let err = write(&h, &invoice).unwrap_err();
    assert!(
        matches!(&err, Error::Write(m) if m.contains("Type")),
        "{err}"
    );

    let mut h = header();
    h.country_c1 = "be".into();
    assert!(matches!(write(&h, &invoice), Err(Error::Write(_))));

    let err = write(&header(), b"not xml").unwrap_err();
    assert!(matches!(err, Error::Write(_)), "{err}");
    let err = write(&header(), b"<!DOCTYPE x><Invoice/>").unwrap_err();
    assert!(matches!(err, Error::Write(_)), "{err}");
}

fn sbd_around(payload: &str) -> String {
    let invoice = common::read_shared("vectors/ubl/base-example.xml");
    let sbd = String::from_utf8(write(&header(), &invoice).unwrap()).unwrap();
    let start = sbd.find("<Invoice").unwrap();
    let end = sbd.rfind("</StandardBusinessDocument>").unwrap();
    format!("{}{payload}{}", &sbd[..start], &sbd[end..])
}

fn assert_xml_error(input: &[u8], needle: &str) {
    match read(input) {
        Err(e @ (Error::Xml { .. } | Error::Schema { .. })) => {
            assert_eq!(e.code(), "INVALID_SBD_XML");
            assert!(e.to_string().contains(needle), "{e} lacks {needle:?}");
        }
        other => panic!("expected an XML error containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn doctype_entities_and_encodings_are_refused() {
    let sbd =
        sbd_around(r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"#);
    read(sbd.as_bytes()).expect("the template itself is fine");
    let with_doctype = sbd.replacen("?>", "?><!DOCTYPE x [<!ENTITY e \"boom\">]>", 1);
    assert_xml_error(with_doctype.as_bytes(), "DOCTYPE");
    let with_entity = sbd.replacen("<HeaderVersion>1.0", "<HeaderVersion>&e;1.0", 1);
    assert_xml_error(with_entity.as_bytes(), "unknown entity");
    let latin1 = sbd.replacen("UTF-8", "ISO-8859-1", 1);
    assert_xml_error(latin1.as_bytes(), "encoding");
}

#[test]
fn text_or_a_second_element_beside_the_payload_is_refused() {
    let ns = r#"xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2""#;
    assert_xml_error(
        sbd_around(&format!("<Invoice {ns}/><Invoice {ns}/>")).as_bytes(),
        "exactly one business document",
    );
    assert_xml_error(
        sbd_around(&format!("<Invoice {ns}/>trailing")).as_bytes(),
        "trailing",
    );
}

#[test]
fn limits_and_truncation() {
    let ns = r#"xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2""#;
    let deep = format!(
        "<Invoice {ns}>{}{}</Invoice>",
        "<a>".repeat(200),
        "</a>".repeat(200)
    );
    assert_xml_error(sbd_around(&deep).as_bytes(), "deeper");
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let sbd = sbd_around(&format!("<Invoice {ns}/>"));
    let err = read_with(sbd.as_bytes(), &small).unwrap_err();
    assert!(err.to_string().contains("limit"), "{err}");
    let truncated = &sbd.as_bytes()[..sbd.len() - 20];
    assert!(read(truncated).is_err());
}

#[test]
fn errors_carry_line_and_column() {
    let sbd =
        sbd_around(r#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"#);
    let broken = sbd.replacen(
        "<HeaderVersion>1.0</HeaderVersion>",
        "<HeaderVersion>1.0</Oops>",
        1,
    );
    match read(broken.as_bytes()) {
        Err(Error::Xml { at, .. }) => {
            assert_eq!(at.line, 4, "{at}");
            assert!(at.column > 1, "{at}");
        }
        other => panic!("expected an XML error, got {other:?}"),
    }
}

#[test]
fn bytes_that_are_not_utf8_are_refused_with_their_line_in_header_and_payload() {
    let ns = r#"xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2""#;
    let sbd = sbd_around(&format!("<Invoice {ns}>\n<Note>caf\u{e9}</Note></Invoice>"));
    read(sbd.as_bytes()).expect("UTF-8 é is fine");
    let in_header = sbd.replacen("<HeaderVersion>1.0", "<HeaderVersion>1.\u{e9}0", 1);
    for (sbd, last) in [(sbd, true), (in_header, false)] {
        let mut bytes = sbd.into_bytes();
        let e_acute = "\u{e9}".as_bytes();
        let at = if last {
            bytes.windows(2).rposition(|w| w == e_acute)
        } else {
            bytes.windows(2).position(|w| w == e_acute)
        }
        .unwrap();
        // é in Latin-1: one byte where UTF-8 has two.
        bytes.splice(at..at + 2, [0xE9]);
        let line = 1 + bytes[..at].iter().filter(|b| **b == b'\n').count();
        match read(&bytes) {
            Err(e @ Error::Xml { .. }) => {
                assert!(e.to_string().contains("not UTF-8"), "{e}");
                let Error::Xml { at, .. } = &e else {
                    unreachable!()
                };
                assert_eq!(at.line as usize, line, "{e}");
            }
            other => panic!("expected an XML error, got {other:?}"),
        }
    }
}

/// Cheap deterministic fuzzing: every single-byte corruption of a real SBD gives Ok or Err,
/// never a panic.
#[test]
fn corrupted_inputs_never_panic() {
    let input = common::read_shared("vectors/sbdh/good/good-bis3-full.xml");
    let replacements = [b'<', b'>', b'&', b'"', b'/', 0u8, 0xFF, b':'];
    let mut rejected = 0;
    for (i, pos) in (0..input.len()).step_by(3).enumerate() {
        let mut bytes = input.clone();
        bytes[pos] = replacements[i % replacements.len()];
        if read(&bytes).is_err() {
            rejected += 1;
        }
        let _ = read(&bytes[..pos]);
    }
    assert!(rejected > 100, "corruptions are noticed ({rejected})");
}
