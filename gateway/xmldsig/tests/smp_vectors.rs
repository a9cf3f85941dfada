//! The shared Peppol SMP vectors (phax/peppol-commons), judged as ../shared/vectors/README.md says.

mod common;

use gateway_xmldsig::{verify_enveloped, CertDer, Error, Trust};

const SMP_NS: &str = "http://busdox.org/serviceMetadata/publishing/1.0/";

fn vector(name: &str) -> Vec<u8> {
    common::read_shared(&format!("vectors/smp/{name}"))
}

#[test]
fn metadata2_is_valid_with_the_embedded_certificate() {
    let v = verify_enveloped(
        &vector("signed-service-metadata2.xml"),
        Trust::EmbeddedCertificate,
    )
    .expect("vector 2 must verify");
    assert_eq!(
        v.signature_method,
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    );
    assert_eq!(v.c14n_method, "http://www.w3.org/2001/10/xml-exc-c14n#");
    assert_eq!(v.digest_method, "http://www.w3.org/2000/09/xmldsig#sha1");
    assert_eq!(v.reference_uri, "");
    assert_eq!(v.covered_element.local_name, "SignedServiceMetadata");
    assert_eq!(v.covered_element.namespace.as_deref(), Some(SMP_NS));
    let signed = String::from_utf8(v.signed_bytes).unwrap();
    assert!(
        signed.contains("0088:5060482240009"),
        "participant is signed"
    );
    assert!(signed.contains("https://peppol.netedi.com/receive.aspx"));
    assert!(
        !signed.contains("SignatureValue"),
        "the signature itself is not covered"
    );
}

#[test]
fn metadata2_is_valid_with_its_certificate_given_explicitly_and_invalid_with_another() {
    let xml = vector("signed-service-metadata2.xml");
    let embedded = verify_enveloped(&xml, Trust::EmbeddedCertificate)
        .unwrap()
        .signer_certificate;
    verify_enveloped(&xml, Trust::Certificate(&embedded)).expect("explicit certificate");

    let other = CertDer::from_pem(&common::read_shared(
        "vectors/as4/generated/pki/PTE000001.cert.pem",
    ))
    .unwrap();
    let err = verify_enveloped(&xml, Trust::Certificate(&other[0])).unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("SignatureValue")),
        "{err}"
    );
}

#[test]
fn metadata1_is_invalid_because_its_digest_does_not_match() {
    let err = verify_enveloped(
        &vector("signed-service-metadata1.xml"),
        Trust::EmbeddedCertificate,
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::Invalid(m) if m.contains("digest")),
        "expected a digest mismatch, got {err}"
    );
}

#[test]
fn metadata3_with_inclusive_reference_c14n_is_valid() {
    let v = verify_enveloped(
        &vector("signed-service-metadata3-c14n-inclusive.xml"),
        Trust::EmbeddedCertificate,
    )
    .expect("vector 3 must verify");
    let signed = String::from_utf8(v.signed_bytes).unwrap();
    assert!(signed.contains("https://ap.econnect.eu/as4/v1"));
    assert!(signed.contains("peppol-transport-as4-v2_0"));
}

#[test]
fn sha1_can_be_refused_by_policy() {
    let options = gateway_xmldsig::VerifyOptions {
        allow_sha1: false,
        ..Default::default()
    };
    let err = gateway_xmldsig::verify_enveloped_with(
        &vector("signed-service-metadata2.xml"),
        Trust::EmbeddedCertificate,
        &options,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Verify(_)), "{err}");
}
