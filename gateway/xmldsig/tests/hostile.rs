//! Hostile and malformed input: always an error, never a panic, never network or file access.

mod common;

use gateway_xmldsig::{
    canonicalize, canonicalize_with, verify_enveloped, Algorithm, CertDer, Error, Limits, Selector,
    SigningKey, Trust,
};

fn c14n(xml: &[u8]) -> Result<Vec<u8>, Error> {
    canonicalize(xml, Selector::Document, Algorithm::ExcC14n, &[])
}

fn assert_refused(result: Result<impl std::fmt::Debug, Error>, needle: &str) {
    match result {
        Err(Error::Refused(m)) => assert!(m.contains(needle), "{m:?} lacks {needle:?}"),
        other => panic!("expected Refused containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn doctype_with_internal_entities_is_refused_before_parsing() {
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"#;
    assert_refused(c14n(laughs), "DOCTYPE");
    assert_refused(
        verify_enveloped(laughs, Trust::EmbeddedCertificate),
        "DOCTYPE",
    );
}

#[test]
fn external_entity_and_external_dtd_are_refused() {
    let xxe =
        br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
    assert_refused(c14n(xxe), "DOCTYPE");
    let dtd = br#"<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>"#;
    assert_refused(c14n(dtd), "DOCTYPE");
}

#[test]
fn undeclared_entities_are_a_parse_error_not_a_lookup() {
    match c14n(b"<r>&undefined;</r>") {
        Err(Error::Parse { line, message, .. }) => {
            assert_eq!(line, 1);
            assert!(message.contains("undefined"), "{message}");
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn non_xml_gives_a_parse_error_with_position() {
    match c14n(b"hello, this is not XML") {
        Err(Error::Parse { line, .. }) => assert_eq!(line, 1),
        other => panic!("expected a parse error, got {other:?}"),
    }
    match c14n(b"<a>\n<b>\n</a>") {
        Err(Error::Parse { line, .. }) => assert_eq!(line, 3),
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert_refused(c14n(b""), "empty");
}

#[test]
fn other_encodings_are_refused() {
    assert_refused(
        c14n(b"<?xml version=\"1.0\" encoding=\"UTF-7\"?><r>+ADw-</r>"),
        "UTF-7",
    );
    assert_refused(c14n(b"\xFF\xFE<\x00r\x00/\x00>\x00"), "UTF-8");
    c14n(b"<?xml version='1.0' encoding='utf-8'?><r/>").expect("utf-8 in any case");
}

#[test]
fn deep_and_large_documents_are_refused() {
    let depth = 100_000;
    let deep = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let err = c14n(deep.as_bytes()).unwrap_err();
    assert!(
        matches!(err, Error::Parse { .. } | Error::Limit(_)),
        "{err:?}"
    );

    let limits = Limits {
        max_depth: 10,
        ..Limits::default()
    };
    let eleven = format!("{}{}", "<a>".repeat(11), "</a>".repeat(11));
    let err = canonicalize_with(
        eleven.as_bytes(),
        Selector::Document,
        Algorithm::C14n10,
        &[],
        &limits,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Limit(m) if m.contains("deeper")),
        "{err:?}"
    );

    let limits = Limits {
        max_bytes: 1024,
        ..Limits::default()
    };
    let big = format!("<r>{}</r>", "x".repeat(2000));
    let err = canonicalize_with(
        big.as_bytes(),
        Selector::Document,
        Algorithm::C14n10,
        &[],
        &limits,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Refused(m) if m.contains("limit")),
        "{err:?}"
    );
}

#[test]
fn wrapped_or_misplaced_signatures_are_refused() {
    let valid = common::read_shared("vectors/smp/signed-service-metadata2.xml");
    let text = String::from_utf8(valid).unwrap();
    let start = text.find("<Signature").unwrap();
    let end = text.find("</Signature>").unwrap() + "</Signature>".len();
    let signature = &text[start..end];

    // A second copy of the signature anywhere.
    let twice = text.replacen(signature, &format!("{signature}{signature}"), 1);
    let err = verify_enveloped(twice.as_bytes(), Trust::EmbeddedCertificate).unwrap_err();
    assert!(
        matches!(&err, Error::Structure(m) if m.contains("2 ds:Signature")),
        "{err}"
    );

    // The signature moved into a child element (covering something else than the document).
    let without = text.replacen(signature, "", 1);
    let moved = without.replacen(
        "</ServiceMetadata>",
        &format!("{signature}</ServiceMetadata>"),
        1,
    );
    assert_ne!(moved, without);
    let err = verify_enveloped(moved.as_bytes(), Trust::EmbeddedCertificate).unwrap_err();
    assert!(
        matches!(&err, Error::Structure(m) if m.contains("not a child")),
        "{err}"
    );

    // A reference to something else than the whole document.
    let by_id = text.replacen("URI=\"\"", "URI=\"#other\"", 1);
    let err = verify_enveloped(by_id.as_bytes(), Trust::EmbeddedCertificate).unwrap_err();
    assert!(
        matches!(&err, Error::Structure(m) if m.contains("URI")),
        "{err}"
    );

    // Remote or file references never reach libxmlsec1.
    for uri in ["http://127.0.0.1:9/x", "file:///etc/passwd"] {
        let remote = text.replacen("URI=\"\"", &format!("URI=\"{uri}\""), 1);
        let err = verify_enveloped(remote.as_bytes(), Trust::EmbeddedCertificate).unwrap_err();
        assert!(
            matches!(&err, Error::Structure(m) if m.contains("URI")),
            "{err}"
        );
    }

    // No signature at all.
    let err = verify_enveloped(without.as_bytes(), Trust::EmbeddedCertificate).unwrap_err();
    assert!(
        matches!(&err, Error::Structure(m) if m.contains("no ds:Signature")),
        "{err}"
    );
}

#[test]
fn forbidden_transforms_are_refused_by_libxmlsec1() {
    let text = String::from_utf8(common::read_shared(
        "vectors/smp/signed-service-metadata2.xml",
    ))
    .unwrap();
    let xpath = text.replacen(
        "<Transforms>",
        "<Transforms><Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\"><XPath>1</XPath></Transform>",
        1,
    );
    assert_ne!(xpath, text);
    let err = verify_enveloped(xpath.as_bytes(), Trust::EmbeddedCertificate).unwrap_err();
    assert!(matches!(err, Error::Verify(_)), "{err}");
}

#[test]
fn bad_keys_and_certificates_are_errors() {
    assert!(matches!(
        SigningKey::from_pem(b"garbage"),
        Err(Error::Key(_))
    ));
    let encrypted =
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n";
    assert!(
        matches!(SigningKey::from_pem(encrypted), Err(Error::Key(m)) if m.contains("encrypted"))
    );
    let legacy = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    assert!(matches!(SigningKey::from_pem(legacy), Err(Error::Key(m)) if m.contains("encrypted")));
    let not_a_key = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    assert!(matches!(
        SigningKey::from_pem(not_a_key),
        Err(Error::Key(_))
    ));
    assert!(matches!(
        CertDer::from_der(vec![1, 2, 3]),
        Err(Error::Key(_))
    ));
    let junk_cert = CertDer::from_der(vec![0x30; 64]).unwrap();
    let xml = common::read_shared("vectors/smp/signed-service-metadata2.xml");
    assert!(matches!(
        verify_enveloped(&xml, Trust::Certificate(&junk_cert)),
        Err(Error::Key(_))
    ));
}

#[test]
fn garbage_in_keyinfo_is_an_error() {
    let text = String::from_utf8(common::read_shared(
        "vectors/smp/signed-service-metadata2.xml",
    ))
    .unwrap();
    let start = text.find("<X509Certificate>").unwrap() + "<X509Certificate>".len();
    let end = text.find("</X509Certificate>").unwrap();
    let garbage = format!("{}!!notbase64!!{}", &text[..start], &text[end..]);
    let err = verify_enveloped(garbage.as_bytes(), Trust::EmbeddedCertificate).unwrap_err();
    assert!(matches!(err, Error::Key(_)), "{err}");
}
