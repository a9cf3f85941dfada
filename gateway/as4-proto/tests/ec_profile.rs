//! The eDelivery AS4 2.0 EC profile between two of our access points: Ed25519 signatures over
//! the same canonical bytes, X25519 + HKDF-SHA256 + AES-128 key wrap for the content key,
//! AES-128-GCM content; an Ed25519-signed receipt.

mod common;

use std::time::SystemTime;

use gateway_as4_proto::{
    build_message, build_receipt, open_answer, open_answer_same_subject, open_message, Answer,
    Limits, LocalAp, Outgoing, Trust,
};
use gateway_peppol::ParticipantId;
use gateway_testkit::read_shared;
use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{Id, PKey, Private};
use openssl::x509::extension::{BasicConstraints, KeyUsage};
use openssl::x509::{X509Builder, X509NameBuilder, X509};

fn cert(
    cn: &str,
    public: &PKey<impl openssl::pkey::HasPublic>,
    ca: Option<(&X509, &PKey<Private>)>,
    self_key: Option<&PKey<Private>>,
    usage: KeyUsage,
) -> X509 {
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = BigNum::from_u32(rand_serial()).unwrap();
    b.set_serial_number(&Asn1Integer::from_bn(&serial).unwrap())
        .unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_pubkey(public).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    let mut usage = usage;
    b.append_extension(usage.critical().build().unwrap())
        .unwrap();
    match ca {
        Some((ca_cert, ca_key)) => {
            b.set_issuer_name(ca_cert.subject_name()).unwrap();
            b.append_extension(BasicConstraints::new().critical().build().unwrap())
                .unwrap();
            b.sign(ca_key, MessageDigest::null()).unwrap();
        }
        None => {
            b.set_issuer_name(&name).unwrap();
            b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                .unwrap();
            b.sign(self_key.unwrap(), MessageDigest::null()).unwrap();
        }
    }
    b.build()
}

fn rand_serial() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(1000);
    N.fetch_add(1, Ordering::Relaxed)
}

struct Pki {
    ca: X509,
    ca_key: PKey<Private>,
}

impl Pki {
    fn new() -> Pki {
        let ca_key = PKey::generate_ed25519().unwrap();
        let ca = cert("Test EC CA", &ca_key, None, Some(&ca_key), {
            let mut u = KeyUsage::new();
            u.key_cert_sign();
            u
        });
        Pki { ca, ca_key }
    }

    fn ap(&self, cn: &str) -> LocalAp {
        let sign = PKey::generate_ed25519().unwrap();
        let sign_cert = cert(cn, &sign, Some((&self.ca, &self.ca_key)), None, {
            let mut u = KeyUsage::new();
            u.digital_signature();
            u
        });
        let agree = PKey::generate_x25519().unwrap();
        let agree_public =
            PKey::public_key_from_raw_bytes(&agree.raw_public_key().unwrap(), Id::X25519).unwrap();
        let agree_cert = cert(cn, &agree_public, Some((&self.ca, &self.ca_key)), None, {
            let mut u = KeyUsage::new();
            u.key_agreement();
            u
        });
        LocalAp::ed25519_from_pem(
            &sign_cert.to_pem().unwrap(),
            &sign.private_key_to_pem_pkcs8().unwrap(),
            &agree_cert.to_pem().unwrap(),
            &agree.private_key_to_pem_pkcs8().unwrap(),
        )
        .unwrap()
    }

    fn trust(&self) -> Trust {
        Trust::from_pems([self.ca.to_pem().unwrap().as_slice()]).unwrap()
    }
}

fn outgoing(to: &str) -> Outgoing {
    Outgoing {
        message_id: "ec-1@gateway".into(),
        conversation_id: "c".into(),
        from_party: "PTE000001".into(),
        to_party: to.into(),
        original_sender: ParticipantId::parse_lenient("0088:7315458756324").unwrap(),
        final_recipient: ParticipantId::parse_lenient("0088:4562458856624").unwrap(),
        action: "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1".into(),
        service: "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0".into(),
        service_type: "cenbii-procid-ubl".into(),
        sbd: read_shared("vectors/as4/generated/sbd.xml"),
    }
}

#[test]
fn ed25519_and_x25519_between_two_of_our_access_points() {
    let pki = Pki::new();
    let (a, b) = (pki.ap("PTE000001"), pki.ap("PTE000002"));
    let b_agreement_cert = b.agreement.as_ref().unwrap().1.as_der().to_vec();
    let sent = build_message(&outgoing("PTE000002"), &a, &b_agreement_cert).unwrap();
    let text = String::from_utf8_lossy(&sent.body);
    assert!(text.contains("xmldsig-more#eddsa-ed25519") && text.contains("xmldsig-more#x25519"));
    assert!(!text.contains("rsa-oaep"));
    common::native_c14n_matches_libxml2(common::soap_part(&sent.body));

    let opened = open_message(
        &sent.content_type,
        &sent.body,
        &b,
        &pki.trust(),
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(opened.sbd, outgoing("").sbd);
    assert_eq!(opened.references, sent.references);

    let receipt = build_receipt(&sent.message_id, &opened.references, &b).unwrap();
    assert!(String::from_utf8_lossy(&receipt).contains("eddsa-ed25519"));
    common::native_c14n_matches_libxml2(&receipt);
    let answer = open_answer(
        "application/soap+xml",
        &receipt,
        &sent,
        b.certificate.as_der(),
    )
    .unwrap();
    assert!(matches!(answer, Answer::Receipt(_)));
    // Checked against the X25519 certificate the SMP publishes: same subject, trusted chain.
    let answer = open_answer_same_subject(
        "application/soap+xml",
        &receipt,
        &sent,
        &b_agreement_cert,
        &pki.trust(),
        SystemTime::now(),
    )
    .unwrap();
    assert!(matches!(answer, Answer::Receipt(_)));
    let other = pki.ap("PTE000003");
    let err = open_answer_same_subject(
        "application/soap+xml",
        &receipt,
        &sent,
        other.agreement.as_ref().unwrap().1.as_der(),
        &pki.trust(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not the access point"), "{err}");
    let err = open_answer_same_subject(
        "application/soap+xml",
        &receipt,
        &sent,
        &b_agreement_cert,
        &Pki::new().trust(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not trusted"), "{err}");

    // Another AP's X25519 key cannot unwrap it (0102); a changed attachment fails GCM (0102).
    let c = pki.ap("PTE000002");
    let err = open_message(
        &sent.content_type,
        &sent.body,
        &c,
        &pki.trust(),
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(err.error.ebms().code, "EBMS:0102", "{}", err.error);
    let mut tampered = sent.body.clone();
    let n = tampered.len() - 60;
    tampered[n] ^= 1;
    let err = open_message(
        &sent.content_type,
        &tampered,
        &b,
        &pki.trust(),
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(err.error.ebms().code, "EBMS:0102", "{}", err.error);
    // A signer from another CA is refused (0101).
    let other = Pki::new();
    let err = open_message(
        &sent.content_type,
        &sent.body,
        &b,
        &other.trust(),
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(err.error.ebms().code, "EBMS:0101", "{}", err.error);
}
