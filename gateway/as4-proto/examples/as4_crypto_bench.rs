//! CPU cost of the receiving side per message, single thread, no I/O: open (decrypt, verify,
//! decompress, SBDH) plus signing the receipt, for the Peppol RSA profile and the EC profile
//! (Ed25519 + X25519). Indicates the ceiling of `as4_bench` (gateway-server), which adds TLS,
//! HTTP and durable storage.
//!
//! ```sh
//! cargo run --release -p gateway-as4-proto --example as4_crypto_bench -- 500
//! ```
use std::time::{Instant, SystemTime};

use gateway_as4_proto::{
    build_message, build_receipt, open_message, Limits, LocalAp, Outgoing, Trust,
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

fn outgoing(n: usize, from: &str, to: &str) -> Outgoing {
    Outgoing {
        message_id: format!("bench-{n}@gateway"),
        conversation_id: "c".into(),
        from_party: from.into(),
        to_party: to.into(),
        original_sender: ParticipantId::parse_lenient("0088:7315458756324").unwrap(),
        final_recipient: ParticipantId::parse_lenient("0088:4562458856624").unwrap(),
        action: "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1".into(),
        service: "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0".into(),
        service_type: "cenbii-procid-ubl".into(),
        sbd: read_shared("vectors/as4/generated/sbd.xml"),
    }
}

fn run(label: &str, n: usize, a: &LocalAp, b: &LocalAp, enc_cert: &[u8], trust: &Trust) {
    let msgs: Vec<_> = (0..n)
        .map(|i| build_message(&outgoing(i, &a.party_id, &b.party_id), a, enc_cert).unwrap())
        .collect();
    let mut lat = Vec::with_capacity(n);
    let started = Instant::now();
    for m in &msgs {
        let t = Instant::now();
        let opened = open_message(
            &m.content_type,
            &m.body,
            b,
            trust,
            &Limits::default(),
            SystemTime::now(),
        )
        .unwrap();
        build_receipt(&m.message_id, &opened.references, b).unwrap();
        lat.push(t.elapsed());
    }
    let total = started.elapsed();
    lat.sort();
    println!(
        "{label}: {n} messages opened + receipted on one thread: {:.0} msg/s, p50 {:.2} ms, p99 {:.2} ms",
        n as f64 / total.as_secs_f64(),
        lat[n / 2].as_secs_f64() * 1000.0,
        lat[(n * 99 / 100).min(n - 1)].as_secs_f64() * 1000.0
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let g = |f: &str| read_shared(&format!("vectors/as4/generated/pki/{f}"));
    let (a, b) = (
        LocalAp::rsa_from_pem(&g("PTE000001.cert.pem"), &g("PTE000001.key.pem")).unwrap(),
        LocalAp::rsa_from_pem(&g("PTE000002.cert.pem"), &g("PTE000002.key.pem")).unwrap(),
    );
    let trust = Trust::from_pems([
        g("root.cert.pem").as_slice(),
        g("intermediate.cert.pem").as_slice(),
    ])
    .unwrap();
    run(
        "RSA-2048 (Peppol AS4)",
        n,
        &a,
        &b,
        b.certificate.as_der(),
        &trust,
    );

    let pki = Pki::new();
    let (a, b) = (pki.ap("PTE000001"), pki.ap("PTE000002"));
    let enc = b.agreement.as_ref().unwrap().1.as_der().to_vec();
    run(
        "Ed25519 + X25519 (eDelivery AS4 2.0)",
        n,
        &a,
        &b,
        &enc,
        &pki.trust(),
    );
}
