//! SignatureValue checks over SignedInfo bytes we canonicalize ourselves: phase4's signed AS4
//! receipt (references by wsu:Id, exclusive c14n with an InclusiveNamespaces prefix list), the
//! SMP vector, and RSA signing checked with the `openssl dgst` command.

mod common;

use std::process::Command;

use base64::Engine as _;
use gateway_xmldsig::{
    canonicalize, sign_signature_value_rsa, verify_signature_value, Algorithm, CertDer, Error,
    Selector, SignatureAlgorithm, SigningKey, DSIG_NS,
};
use sha2::{Digest as _, Sha256};

fn b64(text: &str) -> Vec<u8> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .unwrap()
}

/// The text after the first `from`, then after the next `start`, up to the next `end`.
fn between<'a>(text: &'a str, from: &str, start: &str, end: &str) -> &'a str {
    let base = text.find(from).unwrap_or_else(|| panic!("{from}")) + from.len();
    let s = base + text[base..].find(start).unwrap() + start.len();
    &text[s..s + text[s..].find(end).unwrap()]
}

fn signed_info() -> Selector<'static> {
    Selector::Element {
        namespace: DSIG_NS,
        local_name: "SignedInfo",
    }
}

#[test]
fn phase4_receipt_references_and_signature_verify() {
    let xml = common::read_shared("vectors/as4/TestReceipt12.xml");
    let text = String::from_utf8(xml.clone()).unwrap();
    let si = between(&text, "<ds:SignedInfo>", "", "</ds:SignedInfo>");
    // eb:Messaging with PrefixList="S12", the Body without.
    let refs = [
        (
            "phase4-msg-16a44d96-0b9d-4752-a7f5-53bff8b33cb3",
            &["S12"][..],
        ),
        ("id-c29f9432-1235-4342-9e1a-2ae722ad1120", &[][..]),
    ];
    for (id, prefixes) in refs {
        let c14n = canonicalize(&xml, Selector::ById(id), Algorithm::ExcC14n, prefixes).unwrap();
        let expected = between(si, &format!("URI=\"#{id}\""), "<ds:DigestValue>", "<");
        assert_eq!(&Sha256::digest(&c14n)[..], b64(expected), "digest of #{id}");
    }
    let si_c14n = canonicalize(&xml, signed_info(), Algorithm::ExcC14n, &["S12"]).unwrap();
    let cert = CertDer::from_der(b64(between(
        &text,
        "<wsse:BinarySecurityToken",
        ">",
        "</wsse:BinarySecurityToken>",
    )))
    .unwrap();
    let value = b64(between(
        &text,
        "<ds:SignatureValue>",
        "",
        "</ds:SignatureValue>",
    ));
    verify_signature_value(SignatureAlgorithm::RsaSha256, &si_c14n, &value, &cert).unwrap();

    // Without the prefix list the canonical SignedInfo differs and the signature fails.
    let wrong = canonicalize(&xml, signed_info(), Algorithm::ExcC14n, &[]).unwrap();
    let err =
        verify_signature_value(SignatureAlgorithm::RsaSha256, &wrong, &value, &cert).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");

    // A changed Body changes its digest.
    let tampered = text.replacen("<S12:Body ", "<S12:Body x=\"1\" ", 1);
    let c14n = canonicalize(
        tampered.as_bytes(),
        Selector::ById("id-c29f9432-1235-4342-9e1a-2ae722ad1120"),
        Algorithm::ExcC14n,
        &[],
    )
    .unwrap();
    assert_ne!(
        &Sha256::digest(&c14n)[..],
        b64("sfm+CeiEmz1AT5Ec0OVuddYAx0ecVmZaRosu+szv4wE=")
    );
}

#[test]
fn smp_vector_signature_value_verifies_with_rsa_sha1() {
    let xml = common::read_shared("vectors/smp/signed-service-metadata2.xml");
    let text = String::from_utf8(xml.clone()).unwrap();
    let si = canonicalize(&xml, signed_info(), Algorithm::ExcC14n, &[]).unwrap();
    let cert = CertDer::from_der(b64(between(&text, "<X509Certificate>", "", "<"))).unwrap();
    let value = b64(between(&text, "<SignatureValue>", "", "<"));
    verify_signature_value(SignatureAlgorithm::RsaSha1, &si, &value, &cert).unwrap();
    let err =
        verify_signature_value(SignatureAlgorithm::RsaSha256, &si, &value, &cert).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
    let err = verify_signature_value(SignatureAlgorithm::Ed25519, &si, &value, &cert).unwrap_err();
    assert!(matches!(err, Error::Key(_)), "{err}");
}

#[test]
fn rsa_signature_values_verify_with_openssl_dgst() {
    let dir = common::TempDir::new("dgst");
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=dgst",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    if !common::tool_available(
        matches!(&out, Ok(o) if o.status.success()),
        "the openssl command-line tool",
    ) {
        return;
    }
    let signing = SigningKey::from_pem(&std::fs::read(&key).unwrap()).unwrap();
    let cert_der = CertDer::from_pem(&std::fs::read(&cert).unwrap())
        .unwrap()
        .remove(0);
    let data = b"<ds:SignedInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"></ds:SignedInfo>";
    let sig = sign_signature_value_rsa(SignatureAlgorithm::RsaSha256, data, &signing).unwrap();
    verify_signature_value(SignatureAlgorithm::RsaSha256, data, &sig, &cert_der).unwrap();
    let err = verify_signature_value(SignatureAlgorithm::RsaSha256, b"other", &sig, &cert_der)
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");

    std::fs::write(dir.path().join("data"), data).unwrap();
    std::fs::write(dir.path().join("sig"), &sig).unwrap();
    let pubkey = Command::new("openssl")
        .args(["x509", "-pubkey", "-noout", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    std::fs::write(dir.path().join("pub.pem"), &pubkey.stdout).unwrap();
    let verify = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(dir.path().join("pub.pem"))
        .arg("-signature")
        .arg(dir.path().join("sig"))
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "openssl dgst: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

#[test]
fn algorithm_uris() {
    for a in [
        SignatureAlgorithm::RsaSha1,
        SignatureAlgorithm::RsaSha256,
        SignatureAlgorithm::Ed25519,
    ] {
        assert_eq!(SignatureAlgorithm::from_uri(a.uri()), Some(a));
    }
    assert_eq!(SignatureAlgorithm::from_uri("urn:nope"), None);
}
