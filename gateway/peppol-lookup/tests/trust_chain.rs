//! The signer-certificate checks with a PKI made for the test (the Peppol SMP CA of the shared
//! vectors is not available): chain to the configured anchors, validity at the injected time,
//! intermediates, KeyUsage.

mod common;

use std::time::{Duration, SystemTime};

use common::pki::{Ca, Leaf};
use gateway_peppol::smp::{write_signed_service_metadata, Redirect, ServiceMetadata};
use gateway_peppol_lookup::{verify_service_metadata, LookupError, SmpTrust};
use gateway_xmldsig::{sign_enveloped, CertDer, SigningKey};

fn signed_by(leaf: &Leaf) -> Vec<u8> {
    let meta = ServiceMetadata::Redirect(Redirect {
        href: "https://smp2.example.test/x".into(),
        certificate_uid: "CN=other".into(),
        extension: None,
    });
    let xml = write_signed_service_metadata(&meta, None);
    let key = SigningKey::from_pem(&leaf.key_pem).unwrap();
    sign_enveloped(
        &xml,
        &key,
        &[CertDer::from_der(leaf.cert_der.clone()).unwrap()],
    )
    .unwrap()
}

fn untrusted(r: Result<impl std::fmt::Debug, LookupError>, needle: &str) {
    match r {
        Err(LookupError::UntrustedCertificate { reason, .. }) if reason.contains(needle) => {}
        other => panic!("expected UntrustedCertificate containing {needle:?}, got {other:?}"),
    }
}

#[test]
fn chain_validity_and_key_usage() {
    let root = Ca::new("Chain Test Root");
    let issuing = root.intermediate("Chain Test SMP CA");
    let signer = issuing.issue_smp("PSM000100");
    let xml = signed_by(&signer);
    // A minute ahead: certificates issued below start at the current second.
    let now = SystemTime::now() + Duration::from_secs(60);

    // Anchored at the issuing CA: valid, with its subject and CN reported.
    let trust = SmpTrust::from_pem(&issuing.cert_pem).unwrap();
    let v = verify_service_metadata(&xml, &trust, now, "t").unwrap();
    assert_eq!(v.signer.common_names, vec!["PSM000100".to_owned()]);
    assert!(v
        .signer
        .matches_certificate_uid("CN=PSM000100,OU=PEPPOL TEST SMP,O=Lookup Test,C=BE"));
    assert!(v.signer.matches_certificate_uid("PSM000100"));
    assert!(!v
        .signer
        .matches_certificate_uid("CN=PSM000101,OU=PEPPOL TEST SMP,O=Lookup Test,C=BE"));

    // Anchored at the root: needs the intermediate.
    let root_only = SmpTrust::from_pem(&root.cert_pem).unwrap();
    untrusted(
        verify_service_metadata(&xml, &root_only, now, "t"),
        "UnknownIssuer",
    );
    let with_intermediate = root_only.with_intermediates_pem(&issuing.cert_pem).unwrap();
    verify_service_metadata(&xml, &with_intermediate, now, "t").unwrap();

    // Validity at the injected time.
    let later = now + Duration::from_secs(2 * 365 * 24 * 3600);
    untrusted(verify_service_metadata(&xml, &trust, later, "t"), "Expired");
    let earlier = now - Duration::from_secs(2 * 24 * 3600);
    untrusted(
        verify_service_metadata(&xml, &trust, earlier, "t"),
        "NotValidYet",
    );

    // Another CA's certificate with the same subject is not trusted.
    let rogue = Ca::new("Chain Test SMP CA").issue_smp("PSM000100");
    untrusted(
        verify_service_metadata(&signed_by(&rogue), &trust, now, "t"),
        "",
    );

    // A certificate whose KeyUsage does not allow signatures.
    let enc_only = issuing.issue(
        "PSM000102",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n",
    );
    untrusted(
        verify_service_metadata(&signed_by(&enc_only), &trust, now, "t"),
        "KeyUsage",
    );

    // A serverAuth-only EKU is fine too: SMP signing does not depend on the EKU.
    let server_eku = issuing.issue(
        "PSM000103",
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    );
    verify_service_metadata(&signed_by(&server_eku), &trust, now, "t").unwrap();
}

#[test]
fn signature_wrapping_is_refused() {
    let ca = Ca::new("Wrap Test CA");
    let signer = ca.issue_smp("PSM000200");
    let trust = SmpTrust::from_pem(&ca.cert_pem).unwrap();
    let now = SystemTime::now() + Duration::from_secs(60);
    let good = String::from_utf8(signed_by(&signer)).unwrap();
    verify_service_metadata(good.as_bytes(), &trust, now, "t").unwrap();
    let body = good
        .trim_start_matches(|c| c != '>')
        .trim_start_matches('>');
    // The signed document moved inside an attacker's root next to forged metadata.
    let wrapped = format!(
        "<smp:SignedServiceMetadata xmlns:smp=\"http://busdox.org/serviceMetadata/publishing/1.0/\">\
         <smp:ServiceMetadata><smp:Redirect href=\"https://evil.example.test/\">\
         <smp:CertificateUID>CN=evil</smp:CertificateUID></smp:Redirect></smp:ServiceMetadata>\
         <Holder>{body}</Holder></smp:SignedServiceMetadata>"
    );
    match verify_service_metadata(wrapped.as_bytes(), &trust, now, "t") {
        Err(LookupError::BadSignature { reason, .. }) if reason.contains("not a child") => {}
        other => panic!("wrapped document accepted or misreported: {other:?}"),
    }
}
