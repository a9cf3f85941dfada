//! SMP 1.x documents: the shared vectors, round trips and hostile input.

mod common;

use gateway_peppol::smp::*;
use gateway_peppol::{
    Error, ParticipantId, ProcessId, XmlErrorKind, BILLING_PROCESS, BIS3_INVOICE,
};

fn vector(name: &str) -> Vec<u8> {
    common::read_shared(&format!("vectors/smp/{name}"))
}

fn info(m: &ServiceMetadata) -> &ServiceInformation {
    match m {
        ServiceMetadata::Information(i) => i,
        ServiceMetadata::Redirect(r) => panic!("unexpected redirect {r:?}"),
    }
}

#[test]
fn reads_vector_2_order_as2() {
    let bytes = vector("signed-service-metadata2.xml");
    let ssm = read_signed_service_metadata(&bytes).unwrap();
    let i = info(&ssm.metadata);
    assert_eq!(
        i.participant,
        ParticipantId::parse("0088:5060482240009").unwrap()
    );
    assert!(
        i.document_type.value().contains("peppol28a"),
        "{}",
        i.document_type
    );
    assert_eq!(i.processes.len(), 1);
    let eps = &i.processes[0].endpoints;
    assert_eq!(eps.len(), 1);
    assert_eq!(eps[0].transport_profile, TRANSPORT_PROFILE_AS2_V1);
    assert_eq!(
        eps[0].endpoint_uri,
        "https://peppol.netedi.com/receive.aspx"
    );
    let der = eps[0].certificate_der().unwrap();
    assert_eq!(der[0], 0x30, "DER SEQUENCE");
    // The raw signature is exactly the bytes of the input, for verification elsewhere.
    let sig = ssm.signature.unwrap().0;
    assert!(
        sig.starts_with("<Signature") && sig.ends_with("</Signature>"),
        "{sig}"
    );
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains(&sig));
}

#[test]
fn reads_vector_3_two_endpoints() {
    let ssm = read_signed_service_metadata(&vector("signed-service-metadata3-c14n-inclusive.xml"))
        .unwrap();
    let i = info(&ssm.metadata);
    assert_eq!(i.participant.value(), "0106:55872255");
    let p = &i.processes[0];
    assert_eq!(
        p.process,
        ProcessId::parse("cenbii-procid-ubl::urn:www.cenbii.eu:profile:bii04:ver1.0").unwrap()
    );
    let got: Vec<(&str, &str)> = p
        .endpoints
        .iter()
        .map(|e| (e.transport_profile.as_str(), e.endpoint_uri.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "busdox-transport-as2-ver1p0",
                "https://peppolap.everbinding.nl/as2"
            ),
            ("peppol-transport-as4-v2_0", "https://ap.econnect.eu/as4/v1"),
        ]
    );
    assert_eq!(
        p.endpoints[0].service_activation_date.as_deref(),
        Some("2018-08-15T00:00:00Z")
    );
    assert_eq!(
        p.endpoints[0].service_expiration_date.as_deref(),
        Some("2020-08-04T23:59:59Z")
    );
    assert!(!p.endpoints[0].require_business_level_signature);
    let e = ssm
        .metadata
        .endpoint(&p.process, TRANSPORT_PROFILE_AS4_V2)
        .unwrap();
    assert_eq!(e.endpoint_uri, "https://ap.econnect.eu/as4/v1");
}

#[test]
fn reads_vector_1_whose_signature_is_invalid() {
    // Structure is fine; the digest mismatch is for the signature verifier to find.
    let ssm = read_signed_service_metadata(&vector("signed-service-metadata1.xml")).unwrap();
    let i = info(&ssm.metadata);
    assert_eq!(i.participant.value(), "0088:5026744000002");
    assert!(i.document_type.value().contains("CreditNote"));
    assert!(ssm.signature.is_some());
}

#[test]
fn vectors_round_trip_through_the_writer() {
    for name in [
        "signed-service-metadata1.xml",
        "signed-service-metadata2.xml",
        "signed-service-metadata3-c14n-inclusive.xml",
    ] {
        let a = read_signed_service_metadata(&vector(name)).unwrap();
        let written = write_signed_service_metadata(&a.metadata, None);
        let b = read_signed_service_metadata(&written).unwrap();
        assert_eq!(a.metadata, b.metadata, "{name}");
        assert_eq!(b.signature, None);
    }
}

fn our_metadata() -> ServiceMetadata {
    ServiceMetadata::Information(ServiceInformation {
        participant: ParticipantId::parse("0088:5798000000001").unwrap(),
        document_type: BIS3_INVOICE,
        processes: vec![Process {
            process: BILLING_PROCESS,
            endpoints: vec![Endpoint {
                transport_profile: TRANSPORT_PROFILE_AS4_V2.into(),
                endpoint_uri: "https://gw.example.com/as4?a=1&b=<2>".into(),
                require_business_level_signature: false,
                minimum_authentication_level: None,
                service_activation_date: Some("2026-01-01T00:00:00Z".into()),
                service_expiration_date: None,
                certificate: Endpoint::encode_certificate(&[0x30, 0x00]),
                service_description: "Gateway \"AP\" & co".into(),
                technical_contact_url: "mailto:ops@example.com".into(),
                technical_information_url: None,
                extension: None,
            }],
            extension: None,
        }],
        extension: None,
    })
}

#[test]
fn writes_what_it_reads() {
    let m = our_metadata();
    let bytes = write_signed_service_metadata(
        &m,
        Some(&RawXml(
            "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>".into(),
        )),
    );
    let back = read_signed_service_metadata(&bytes).unwrap();
    assert_eq!(back.metadata, m);
    assert!(back.signature.is_some());
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("as4?a=1&amp;b=&lt;2&gt;"), "{text}");
    assert!(text.contains("<ids:DocumentIdentifier scheme=\"busdox-docid-qns\">urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"));

    let sg = ServiceGroup {
        participant: ParticipantId::parse("0088:5798000000001").unwrap(),
        references: vec![gateway_peppol::service_metadata_url(
            "https://smp.example.com/smp",
            &ParticipantId::parse("0088:5798000000001").unwrap(),
            &BIS3_INVOICE,
        )],
        extension: None,
    };
    let bytes = write_service_group(&sg);
    assert_eq!(read_service_group(&bytes).unwrap(), sg);

    let redirect = ServiceMetadata::Redirect(Redirect {
        href: "https://other.example/x".into(),
        certificate_uid: "CN=SMP".into(),
        extension: None,
    });
    let bytes = write_signed_service_metadata(&redirect, None);
    assert_eq!(
        read_signed_service_metadata(&bytes).unwrap().metadata,
        redirect
    );
}

fn xml_kind(r: Result<SignedServiceMetadata, Error>) -> (u64, u64, XmlErrorKind) {
    match r {
        Err(Error::Xml(e)) => (e.line, e.column, e.kind),
        other => panic!("expected an XML error, got {other:?}"),
    }
}

#[test]
fn hostile_and_broken_input() {
    let good = String::from_utf8(write_signed_service_metadata(&our_metadata(), None)).unwrap();
    // DOCTYPE (billion laughs and friends) is refused before any entity is looked at.
    let doctype = good.replacen("?>", "?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">]>", 1);
    assert_eq!(
        xml_kind(read_signed_service_metadata(doctype.as_bytes())),
        (2, 1, XmlErrorKind::Doctype)
    );
    // Wrong root.
    let (_, _, k) = xml_kind(read_signed_service_metadata(&write_service_group(
        &ServiceGroup {
            participant: ParticipantId::parse("0088:5798000000001").unwrap(),
            references: vec![],
            extension: None,
        },
    )));
    assert!(
        matches!(
            k,
            XmlErrorKind::UnexpectedRoot {
                expected: "SignedServiceMetadata",
                ..
            }
        ),
        "{k:?}"
    );
    // Missing certificate, duplicate signature, bad boolean, unknown child, bad participant.
    let no_cert = good.replace("<smp:Certificate>MAA=</smp:Certificate>", "");
    assert_ne!(no_cert, good);
    assert_eq!(
        xml_kind(read_signed_service_metadata(no_cert.as_bytes())).2,
        XmlErrorKind::Missing {
            parent: "Endpoint",
            child: "Certificate"
        }
    );
    let sig = "<ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"/>";
    let two_sigs = good.replace(
        "</smp:ServiceMetadata>",
        &format!("</smp:ServiceMetadata>{sig}{sig}"),
    );
    assert_eq!(
        xml_kind(read_signed_service_metadata(two_sigs.as_bytes())).2,
        XmlErrorKind::Duplicate {
            element: "Signature"
        }
    );
    let bad_bool = good.replace(">false<", ">maybe<");
    assert!(matches!(
        xml_kind(read_signed_service_metadata(bad_bool.as_bytes())).2,
        XmlErrorKind::BadValue {
            element: "RequireBusinessLevelSignature",
            ..
        }
    ));
    let junk = good.replace("<smp:ProcessList>", "<smp:ProcessList>junk");
    assert!(matches!(
        xml_kind(read_signed_service_metadata(junk.as_bytes())).2,
        XmlErrorKind::BadValue {
            element: "ProcessList",
            ..
        }
    ));
    let extra = good.replace("<smp:ProcessList>", "<smp:ProcessList><smp:Evil/>");
    assert!(matches!(
        xml_kind(read_signed_service_metadata(extra.as_bytes())).2,
        XmlErrorKind::BadValue {
            element: "ProcessList",
            ..
        }
    ));
    let bad_pid = good.replace(">0088:5798000000001<", ">0088<");
    assert!(matches!(
        xml_kind(read_signed_service_metadata(bad_pid.as_bytes())).2,
        XmlErrorKind::Identifier {
            element: "ParticipantIdentifier",
            ..
        }
    ));
    // Positions point at the offending element.
    let multiline = good
        .replace("<smp:ProcessList>", "\n\n   <smp:ProcessList>")
        .replace("<smp:Process>", "<smp:Process><smp:Evil/>");
    let (line, col, _) = xml_kind(read_signed_service_metadata(multiline.as_bytes()));
    assert_eq!(line, 3);
    assert!(col > 20, "{col}");
    // Too deep, too big.
    let deep = good.replace(
        "<smp:ServiceDescription>",
        &format!("<smp:ServiceDescription>{}", "<x>".repeat(40)),
    );
    assert_eq!(
        xml_kind(read_signed_service_metadata(deep.as_bytes())).2,
        XmlErrorKind::TooDeep { max: 32 }
    );
    let tiny = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    assert!(matches!(
        xml_kind(read_signed_service_metadata_with(good.as_bytes(), &tiny)).2,
        XmlErrorKind::TooLarge { .. }
    ));
    // Messages carry the position.
    let msg = read_signed_service_metadata(no_cert.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("SMP XML, line 1, column "), "{msg}");
}

#[test]
fn never_panics_on_truncations_and_byte_flips() {
    let bytes = vector("signed-service-metadata3-c14n-inclusive.xml");
    for cut in (0..bytes.len()).step_by(7) {
        let _ = read_signed_service_metadata(&bytes[..cut]);
    }
    let mut b = bytes.clone();
    for i in (0..b.len()).step_by(13) {
        let old = b[i];
        for x in [b'<', b'>', b'&', b'"', 0xff, b'/', 0] {
            b[i] = x;
            let _ = read_signed_service_metadata(&b);
        }
        b[i] = old;
    }
}
