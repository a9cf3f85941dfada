//! Enveloped Ed25519 signatures: round trip, tampering, and an independent check of digest and
//! signature with lxml + cryptography from the Python peers' venv.

mod common;

use std::process::Command;
use std::sync::OnceLock;

use gateway_xmldsig::{
    sign_enveloped, sign_enveloped_ed25519, verify_enveloped_ed25519, CertDer, Ed25519Key, Error,
    SigningKey, Trust, EDDSA_ED25519,
};

const DOC: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<smp:SignedServiceMetadata xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:unused="urn:unused">
  <!-- comments are not signed -->
  <smp:ServiceMetadata><smp:Redirect href="https://smp.example.com/x?a=1&amp;b=2"/></smp:ServiceMetadata>
</smp:SignedServiceMetadata>
"#;

struct Pki {
    _dir: common::TempDir,
    key: Ed25519Key,
    cert: CertDer,
}

fn openssl_pki(alg: &str, cn: &str) -> Option<(common::TempDir, Vec<u8>, CertDer)> {
    let dir = common::TempDir::new("ed25519");
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", alg, "-nodes", "-days", "2"])
        .args(["-subj", &format!("/CN={cn}")])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    let ok = matches!(&out, Ok(o) if o.status.success());
    if !common::tool_available(ok, "the openssl command-line tool") {
        return None;
    }
    let key_pem = std::fs::read(&key).unwrap();
    let cert = CertDer::from_pem(&std::fs::read(&cert).unwrap()).unwrap()[0].clone();
    Some((dir, key_pem, cert))
}

fn pki() -> Option<&'static Pki> {
    static PKI: OnceLock<Option<Pki>> = OnceLock::new();
    PKI.get_or_init(|| {
        let (dir, key_pem, cert) = openssl_pki("ed25519", "ed-signer")?;
        Some(Pki {
            _dir: dir,
            key: Ed25519Key::from_pkcs8_pem(&key_pem).unwrap(),
            cert,
        })
    })
    .as_ref()
}

#[test]
fn sign_and_verify_round_trip() {
    let Some(pki) = pki() else { return };
    let signed = sign_enveloped_ed25519(DOC, &pki.key, Some(&pki.cert)).unwrap();
    let text = String::from_utf8(signed.clone()).unwrap();
    assert!(text.contains(EDDSA_ED25519));
    assert!(text.contains("<ds:Reference URI=\"\">"));
    assert!(text
        .trim_end()
        .ends_with("</ds:Signature></smp:SignedServiceMetadata>"));
    for trust in [Trust::Certificate(&pki.cert), Trust::EmbeddedCertificate] {
        let v = verify_enveloped_ed25519(&signed, trust).unwrap();
        assert_eq!(v.signer_certificate, pki.cert);
        assert_eq!(v.covered_element.local_name, "SignedServiceMetadata");
        let covered = String::from_utf8(v.signed_bytes).unwrap();
        assert!(covered.contains("a=1&amp;b=2"));
        assert!(!covered.contains("comments are not signed"));
        assert!(!covered.contains("Signature"));
    }
}

#[test]
fn signing_is_deterministic_for_a_fixed_seed() {
    let key = Ed25519Key::from_seed(&[7u8; 32]);
    let a = sign_enveloped_ed25519(DOC, &key, None).unwrap();
    let b = sign_enveloped_ed25519(DOC, &key, None).unwrap();
    assert_eq!(a, b);
    // Without KeyInfo there is no certificate to verify with.
    let err = verify_enveloped_ed25519(&a, Trust::EmbeddedCertificate).unwrap_err();
    assert!(matches!(err, Error::Structure(_)), "{err}");
}

#[test]
fn tampering_is_detected() {
    let Some(pki) = pki() else { return };
    let signed =
        String::from_utf8(sign_enveloped_ed25519(DOC, &pki.key, Some(&pki.cert)).unwrap()).unwrap();
    let content = signed.replacen("smp.example.com", "smp.example.org", 1);
    let err =
        verify_enveloped_ed25519(content.as_bytes(), Trust::Certificate(&pki.cert)).unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("digest")),
        "{err}"
    );

    let start = signed.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let mut bytes = signed.clone().into_bytes();
    bytes[start + 3] = if bytes[start + 3] == b'A' { b'B' } else { b'A' };
    let err = verify_enveloped_ed25519(&bytes, Trust::Certificate(&pki.cert)).unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("SignatureValue")),
        "{err}"
    );

    // A comment added to signed content is outside the node-set: still valid.
    let commented = signed.replacen("<smp:ServiceMetadata>", "<smp:ServiceMetadata><!--x-->", 1);
    verify_enveloped_ed25519(commented.as_bytes(), Trust::Certificate(&pki.cert)).unwrap();
}

#[test]
fn wrong_keys_are_refused() {
    let Some(pki) = pki() else { return };
    let Some((_dir, _, other)) = openssl_pki("ed25519", "other") else {
        return;
    };
    let err = sign_enveloped_ed25519(DOC, &pki.key, Some(&other)).unwrap_err();
    assert!(matches!(err, Error::Key(_)), "{err}");
    let signed = sign_enveloped_ed25519(DOC, &pki.key, Some(&pki.cert)).unwrap();
    let err = verify_enveloped_ed25519(&signed, Trust::Certificate(&other)).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err}");
    let Some((_dir2, _, rsa)) = openssl_pki("rsa:2048", "rsa") else {
        return;
    };
    let err = verify_enveloped_ed25519(&signed, Trust::Certificate(&rsa)).unwrap_err();
    assert!(
        matches!(&err, Error::Key(m) if m.contains("Ed25519")),
        "{err}"
    );
    assert!(Ed25519Key::from_pkcs8_pem(
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    )
    .is_err());
}

/// Our Rust digest (libxml2 c14n minus the signature) equals the DigestValue libxmlsec1 wrote:
/// an RSA signature relabelled as Ed25519 fails on the signature value, not on the digest.
#[test]
fn our_enveloped_digest_matches_libxmlsec1() {
    let Some((_dir, key_pem, cert)) = openssl_pki("rsa:2048", "rsa-signer") else {
        return;
    };
    let key = SigningKey::from_pem(&key_pem).unwrap();
    let signed = sign_enveloped(DOC, &key, std::slice::from_ref(&cert)).unwrap();
    let relabelled = String::from_utf8(signed).unwrap().replacen(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        EDDSA_ED25519,
        1,
    );
    let Some(pki) = pki() else { return };
    let sig_start = relabelled.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let sig_end = relabelled.find("</ds:SignatureValue>").unwrap();
    let fake = format!(
        "{}{}{}",
        &relabelled[..sig_start],
        "A".repeat(86) + "==",
        &relabelled[sig_end..]
    );
    let err = verify_enveloped_ed25519(fake.as_bytes(), Trust::Certificate(&pki.cert)).unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("SignatureValue")),
        "the digest must match libxmlsec1's: {err}"
    );
}

const PY_CHECK: &str = r#"
import base64, hashlib, sys
from lxml import etree
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
DS = "{http://www.w3.org/2000/09/xmldsig#}"
doc = etree.parse(sys.argv[1], etree.XMLParser(resolve_entities=False, no_network=True))
root = doc.getroot()
sig = root.find(DS + "Signature")
si = sig.find(DS + "SignedInfo")
cert = x509.load_der_x509_certificate(base64.b64decode(sig.find(".//" + DS + "X509Certificate").text))
value = base64.b64decode(sig.find(DS + "SignatureValue").text)
cert.public_key().verify(value, etree.tostring(si, method="c14n", exclusive=True))
digest = base64.b64decode(si.find(".//" + DS + "DigestValue").text)
root.remove(sig)
covered = etree.tostring(doc, method="c14n", exclusive=True, with_comments=False)
assert hashlib.sha256(covered).digest() == digest, "digest mismatch"
print("OK")
"#;

#[test]
fn python_cryptography_and_lxml_verify_our_ed25519_signature() {
    let Some(pki) = pki() else { return };
    let python = common::peers_python();
    let signed = sign_enveloped_ed25519(DOC, &pki.key, Some(&pki.cert)).unwrap();
    let dir = common::TempDir::new("ed25519-py");
    let file = dir.path().join("signed.xml");
    std::fs::write(&file, &signed).unwrap();
    let out = Command::new(&python)
        .args(["-c", PY_CHECK])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "OK",
        "independent check failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let tampered = String::from_utf8(signed).unwrap().replacen("a=1", "a=2", 1);
    std::fs::write(&file, tampered).unwrap();
    let out = Command::new(&python)
        .args(["-c", PY_CHECK])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success(), "python accepted a tampered document");
}
