//! Signing a generated SMP document with a throwaway RSA key, then verifying it with this crate,
//! the `xmlsec1` command-line tool and the Python peer `peers/smp/verify_smp.py`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use gateway_xmldsig::{sign_enveloped, verify_enveloped, CertDer, Error, SigningKey, Trust};

struct Pki {
    _dir: common::TempDir,
    key_pem: Vec<u8>,
    cert_pem_path: PathBuf,
    cert: CertDer,
}

/// A throwaway RSA-2048 key and self-signed certificate made with the `openssl` CLI, shared by
/// the tests of this file. `None` (with a skip note) when openssl is missing outside CI.
fn pki() -> Option<&'static Pki> {
    static PKI: OnceLock<Option<Pki>> = OnceLock::new();
    PKI.get_or_init(|| make_pki("smp-signer")).as_ref()
}

fn make_pki(cn: &str) -> Option<Pki> {
    let dir = common::TempDir::new("pki");
    let key = dir.path().join("key.pem");
    let cert = dir.path().join("cert.pem");
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", &format!("/C=BE/O=Gateway Test/CN={cn}")])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    let ok = matches!(&status, Ok(o) if o.status.success());
    if !common::tool_available(ok, "the openssl command-line tool") {
        return None;
    }
    let key_pem = std::fs::read(&key).unwrap();
    let certs = CertDer::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    Some(Pki {
        key_pem,
        cert_pem_path: cert,
        cert: certs[0].clone(),
        _dir: dir,
    })
}

fn smp_document() -> Vec<u8> {
    br#"<?xml version="1.0" encoding="UTF-8"?>
<smp:SignedServiceMetadata xmlns:smp="http://busdox.org/serviceMetadata/publishing/1.0/" xmlns:id="http://busdox.org/transport/identifiers/1.0/" xmlns:wsa="http://www.w3.org/2005/08/addressing">
  <smp:ServiceMetadata>
    <smp:ServiceInformation>
      <id:ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</id:ParticipantIdentifier>
      <id:DocumentIdentifier scheme="busdox-docid-qns">urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1</id:DocumentIdentifier>
      <smp:ProcessList>
        <smp:Process>
          <id:ProcessIdentifier scheme="cenbii-procid-ubl">urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</id:ProcessIdentifier>
          <smp:ServiceEndpointList>
            <smp:Endpoint transportProfile="peppol-transport-as4-v2_0">
              <wsa:EndpointReference><wsa:Address>https://gateway.example.com/as4</wsa:Address></wsa:EndpointReference>
              <smp:RequireBusinessLevelSignature>false</smp:RequireBusinessLevelSignature>
              <smp:ServiceActivationDate>2026-01-01T00:00:00Z</smp:ServiceActivationDate>
              <smp:ServiceExpirationDate>2028-01-01T00:00:00Z</smp:ServiceExpirationDate>
              <smp:Certificate>MIIB</smp:Certificate>
              <smp:ServiceDescription>Gateway &amp; test</smp:ServiceDescription>
              <smp:TechnicalContactUrl>https://gateway.example.com/contact</smp:TechnicalContactUrl>
            </smp:Endpoint>
          </smp:ServiceEndpointList>
        </smp:Process>
      </smp:ProcessList>
    </smp:ServiceInformation>
  </smp:ServiceMetadata>
</smp:SignedServiceMetadata>
"#
    .to_vec()
}

fn signed() -> Option<(&'static Pki, Vec<u8>)> {
    let pki = pki()?;
    let key = SigningKey::from_pem(&pki.key_pem).unwrap();
    let signed = sign_enveloped(&smp_document(), &key, std::slice::from_ref(&pki.cert)).unwrap();
    Some((pki, signed))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn signature_has_the_peppol_smp_shape() {
    let Some((_, signed)) = signed() else { return };
    let text = String::from_utf8(signed).unwrap();
    let sig_start = text.find("<ds:Signature").expect("ds:Signature");
    assert!(
        text[sig_start..]
            .trim_end()
            .ends_with("</ds:Signature></smp:SignedServiceMetadata>")
            || text[sig_start..]
                .trim_end()
                .ends_with("</ds:Signature>\n</smp:SignedServiceMetadata>"),
        "signature must be the last child of the document element"
    );
    for needle in [
        r#"<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
        r#"<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>"#,
        r#"<ds:Reference URI="">"#,
        r#"<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>"#,
        r#"<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>"#,
        r#"<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>"#,
        "<ds:X509SubjectName>",
        "CN=smp-signer",
        "<ds:X509Certificate>",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
    assert_eq!(text.matches("<ds:Signature ").count(), 1);
}

#[test]
fn our_verifier_accepts_it_and_returns_only_signed_content() {
    let Some((pki, signed)) = signed() else {
        return;
    };
    for trust in [Trust::Certificate(&pki.cert), Trust::EmbeddedCertificate] {
        let v = verify_enveloped(&signed, trust).unwrap();
        assert_eq!(v.signer_certificate, pki.cert);
        assert_eq!(
            v.signature_method,
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        );
        assert_eq!(v.digest_method, "http://www.w3.org/2001/04/xmlenc#sha256");
        assert_eq!(v.covered_element.local_name, "SignedServiceMetadata");
        let covered = String::from_utf8(v.signed_bytes).unwrap();
        assert!(covered.starts_with("<smp:SignedServiceMetadata"));
        assert!(covered.contains("https://gateway.example.com/as4"));
        assert!(!covered.contains("ds:Signature"));
    }
}

#[test]
fn a_chain_adds_certificates_without_breaking_the_signature() {
    let Some(pki) = pki() else { return };
    let Some(other) = make_pki("intermediate") else {
        return;
    };
    let key = SigningKey::from_pem(&pki.key_pem).unwrap();
    let signed = sign_enveloped(
        &smp_document(),
        &key,
        &[pki.cert.clone(), other.cert.clone()],
    )
    .unwrap();
    let text = String::from_utf8_lossy(&signed);
    assert_eq!(text.matches("<ds:X509Certificate>").count(), 2);
    let v = verify_enveloped(&signed, Trust::EmbeddedCertificate).unwrap();
    assert_eq!(
        v.signer_certificate, pki.cert,
        "the leaf verified, not the CA"
    );
}

#[test]
fn one_changed_byte_of_signed_content_is_detected() {
    let Some((pki, signed)) = signed() else {
        return;
    };
    let text = String::from_utf8(signed).unwrap();
    let tampered = text.replacen("0088:5798000000001", "0088:5798000000002", 1);
    assert_ne!(tampered, text);
    let err = verify_enveloped(tampered.as_bytes(), Trust::Certificate(&pki.cert)).unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("digest")),
        "{err}"
    );
}

#[test]
fn a_changed_signature_value_is_detected() {
    let Some((pki, signed)) = signed() else {
        return;
    };
    let text = String::from_utf8(signed).unwrap();
    let start = text.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
    let mut bytes = text.into_bytes();
    bytes[start + 10] = if bytes[start + 10] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let err = verify_enveloped(&bytes, Trust::Certificate(&pki.cert)).unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("SignatureValue")),
        "{err}"
    );
}

#[test]
fn a_key_that_does_not_match_the_certificate_is_refused_when_signing() {
    let Some(pki) = pki() else { return };
    let Some(other) = make_pki("someone-else") else {
        return;
    };
    let key = SigningKey::from_pem(&other.key_pem).unwrap();
    let err = sign_enveloped(&smp_document(), &key, std::slice::from_ref(&pki.cert)).unwrap_err();
    assert!(matches!(err, Error::Key(_)), "{err}");
}

#[test]
fn a_pkcs1_rsa_key_signs_too() {
    let Some(pki) = pki() else { return };
    let dir = common::TempDir::new("pkcs1");
    let pkcs8 = write(dir.path(), "pkcs8.pem", &pki.key_pem);
    let pkcs1 = dir.path().join("pkcs1.pem");
    let out = Command::new("openssl")
        .args(["rsa", "-traditional", "-in"])
        .arg(&pkcs8)
        .arg("-out")
        .arg(&pkcs1)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pem = std::fs::read(&pkcs1).unwrap();
    assert!(String::from_utf8_lossy(&pem).contains("BEGIN RSA PRIVATE KEY"));
    let key = SigningKey::from_pem(&pem).unwrap();
    let signed = sign_enveloped(&smp_document(), &key, std::slice::from_ref(&pki.cert)).unwrap();
    verify_enveloped(&signed, Trust::Certificate(&pki.cert)).unwrap();
}

#[test]
fn signing_twice_is_refused() {
    let Some((pki, signed)) = signed() else {
        return;
    };
    let key = SigningKey::from_pem(&pki.key_pem).unwrap();
    let err = sign_enveloped(&signed, &key, std::slice::from_ref(&pki.cert)).unwrap_err();
    assert!(matches!(err, Error::Structure(_)), "{err}");
}

#[test]
fn xmlsec1_cli_verifies_our_signature_and_rejects_a_tampered_copy() {
    let Some((pki, signed)) = signed() else {
        return;
    };
    let available = Command::new("xmlsec1").arg("--version").output().is_ok();
    if !common::tool_available(
        available,
        "the xmlsec1 command-line tool (Debian package xmlsec1)",
    ) {
        return;
    }
    let dir = common::TempDir::new("xmlsec1");
    let good = write(dir.path(), "signed.xml", &signed);
    let tampered = String::from_utf8(signed).unwrap().replacen(
        "gateway.example.com/as4",
        "gateway.example.org/as4",
        1,
    );
    let bad = write(dir.path(), "tampered.xml", tampered.as_bytes());
    let run = |file: &Path| {
        Command::new("xmlsec1")
            .args([
                "--verify",
                "--enabled-reference-uris",
                "empty",
                "--pubkey-cert-pem",
            ])
            .arg(&pki.cert_pem_path)
            .arg(file)
            .output()
            .expect("run xmlsec1")
    };
    let ok = run(&good);
    assert!(
        ok.status.success(),
        "xmlsec1 rejected our signature: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("OK"));
    let ko = run(&bad);
    assert!(!ko.status.success(), "xmlsec1 accepted a tampered document");
}

#[test]
fn python_peer_verify_smp_accepts_it_and_rejects_a_tampered_copy() {
    let Some((pki, signed)) = signed() else {
        return;
    };
    let python = common::peers_python();
    let script = common::shared("peers/smp/verify_smp.py");
    let dir = common::TempDir::new("verify-smp");
    let good = write(dir.path(), "signed.xml", &signed);
    let out = Command::new(&python)
        .arg(&script)
        .arg(&good)
        .arg("--trust")
        .arg(&pki.cert_pem_path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "verify_smp.py: {report}");
    assert!(report.contains("\"ok\": true"), "{report}");
    assert!(report.contains("0088:5798000000001"), "{report}");

    let mut bytes = signed.clone();
    let pos = String::from_utf8_lossy(&bytes)
        .find("https://gateway.example.com/as4")
        .unwrap();
    bytes[pos + 8] = b'G';
    let bad = write(dir.path(), "tampered.xml", &bytes);
    let out = Command::new(&python)
        .arg(&script)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "verify_smp.py must reject: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn concurrent_signing_and_verifying_from_several_threads() {
    let Some(pki) = pki() else { return };
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let key = SigningKey::from_pem(&pki.key_pem).unwrap();
                for i in 0..8 {
                    let doc = String::from_utf8(smp_document())
                        .unwrap()
                        .replace("5798000000001", &format!("57980000{t}{i:04}"));
                    let signed =
                        sign_enveloped(doc.as_bytes(), &key, std::slice::from_ref(&pki.cert))
                            .unwrap();
                    let v = verify_enveloped(&signed, Trust::EmbeddedCertificate).unwrap();
                    let covered = String::from_utf8(v.signed_bytes).unwrap();
                    assert!(covered.contains(&format!("57980000{t}{i:04}")));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread panicked");
    }
}
