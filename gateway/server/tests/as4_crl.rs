//! CRL checking of the sending AP's certificate on receive: a CA of the test's own (rcgen, RSA
//! keys from OpenSSL) issues the receiver's and the senders' certificates with a CRL
//! distribution point served by a tiny HTTP server on loopback, whose CRL lists one sender.
//! Revoked -> EBMS:0101; listed nowhere -> receipt; CRL unreachable -> receipt with a warning and
//! the metric (`soft`), EBMS:0101 (`strict`). SQLite and PostgreSQL.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{cli_json, Gateway};
use gateway_as4_proto::{build_message, open_answer, Answer, LocalAp, Outgoing};
use gateway_peppol::ParticipantId;
use gateway_testkit::{read_shared, test_databases, TestDb};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CrlDistributionPoint,
    DnType, IsCa, Issuer, KeyIdMethod, KeyPair, RevocationReason, RevokedCertParams, SerialNumber,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A member (a valid GLN: member ids are checked strictly), put in place of the shared SBD's
/// receiver.
const RECEIVER: &str = "0088:5798000000001";

fn sbd() -> Vec<u8> {
    String::from_utf8(read_shared("vectors/as4/generated/sbd.xml"))
        .unwrap()
        .replace("4562458856624", "5798000000001")
        .into_bytes()
}

fn rsa_key() -> (String, KeyPair) {
    let key = openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
    let pem = String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap();
    let pair = KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).unwrap();
    (pem, pair)
}

struct Ap {
    cert_pem: String,
    key_pem: String,
    local: LocalAp,
}

struct Pki {
    ca_pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Pki {
        let (_, key) = rsa_key();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.distinguished_name
            .push(DnType::CommonName, "CRL test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let cert = ca.self_signed(&key).unwrap();
        Pki {
            ca_pem: cert.pem(),
            issuer: Issuer::new(ca, key),
        }
    }

    fn ap(&self, cn: &str, serial: u8, crl_url: &str) -> Ap {
        let (key_pem, key) = rsa_key();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.serial_number = Some(SerialNumber::from_slice(&[serial]));
        p.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec![crl_url.to_owned()],
        }];
        let cert = p.signed_by(&key, &self.issuer).unwrap();
        let local = LocalAp::rsa_from_pem(cert.pem().as_bytes(), key_pem.as_bytes()).unwrap();
        Ap {
            cert_pem: cert.pem(),
            key_pem,
            local,
        }
    }

    fn crl(&self, revoked: u8) -> Vec<u8> {
        let year = chrono::Datelike::year(&chrono::Utc::now());
        CertificateRevocationListParams {
            this_update: rcgen::date_time_ymd(year - 1, 1, 1),
            next_update: rcgen::date_time_ymd(year + 1, 1, 1),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: vec![RevokedCertParams {
                serial_number: SerialNumber::from_slice(&[revoked]),
                revocation_time: rcgen::date_time_ymd(year - 1, 6, 1),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            }],
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&self.issuer)
        .unwrap()
        .der()
        .to_vec()
    }
}

/// Serves `body` to every GET; counts the requests.
async fn crl_server(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ca.crl", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    (url, hits)
}

fn start(db: &TestDb, pki: &Pki, receiver: &Ap, policy: &str) -> Gateway {
    let dir = db.data_dir();
    let (ca, cert, key) = (
        dir.join("crl-ca.pem"),
        dir.join("crl-ap.pem"),
        dir.join("crl-ap-key.pem"),
    );
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    std::fs::write(&cert, &receiver.cert_pem).unwrap();
    std::fs::write(&key, &receiver.key_pem).unwrap();
    let config = dir.join("crl.toml");
    std::fs::write(
        &config,
        format!(
            "[as4]\ncertificate = {cert:?}\nprivate_key = {key:?}\ntrust = [{ca:?}]\ncrl = \"{policy}\"\ncrl_timeout_ms = 2000\nsend = false\n"
        ),
    )
    .unwrap();
    Gateway::start_with(db, &[("GATEWAY_CONFIG", config.to_str().unwrap())])
}

/// Sends a message from `from` to the gateway; the ebMS error codes, empty for a receipt.
async fn send(gw: &Gateway, from: &Ap, receiver: &Ap, n: &str) -> Vec<String> {
    let outgoing = Outgoing {
        message_id: format!("crl-{n}-{}@test", uuid::Uuid::new_v4()),
        conversation_id: "c".into(),
        from_party: from.local.party_id.clone(),
        to_party: receiver.local.party_id.clone(),
        original_sender: ParticipantId::parse_lenient("0088:7315458756324").unwrap(),
        final_recipient: ParticipantId::parse_lenient(RECEIVER).unwrap(),
        action: "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1".into(),
        service: "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0".into(),
        service_type: "cenbii-procid-ubl".into(),
        sbd: sbd(),
    };
    let built = build_message(&outgoing, &from.local, receiver.local.certificate.as_der()).unwrap();
    let resp = gw
        .client
        .post(gw.url("/as4"))
        .header("content-type", built.content_type.clone())
        .body(built.body.clone())
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let body = resp.bytes().await.unwrap();
    match open_answer(
        "application/soap+xml",
        &body,
        &built,
        receiver.local.certificate.as_der(),
    )
    .unwrap()
    {
        Answer::Receipt(_) => Vec::new(),
        Answer::Errors(e) => e.into_iter().map(|e| e.code).collect(),
    }
}

async fn unavailable_count(gw: &Gateway) -> String {
    let text = gw
        .client
        .get(gw.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| l.starts_with("gateway_as4_crl_unavailable_total "))
        .unwrap_or_else(|| panic!("no CRL metric in {text}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_sender_is_refused_and_an_unreachable_crl_follows_the_policy() {
    let pki = Pki::new();
    let (url, hits) = crl_server(pki.crl(3)).await;
    let dead = "http://127.0.0.1:1/ca.crl";
    let receiver = pki.ap("PCRL00002", 2, &url);
    let good = pki.ap("PCRL00001", 1, &url);
    let revoked = pki.ap("PCRL00003", 3, &url);
    let unknown = pki.ap("PCRL00004", 4, dead);
    for db in test_databases().await {
        cli_json(
            &db,
            &[
                "company",
                "add",
                "--name",
                "Receiver BV",
                "--country",
                "BE",
                "--peppol-id",
                RECEIVER,
            ],
        );
        let before = hits.load(Ordering::SeqCst);
        let gw = start(&db, &pki, &receiver, "soft");
        assert_eq!(
            send(&gw, &revoked, &receiver, "revoked").await,
            ["EBMS:0101"]
        );
        assert!(send(&gw, &good, &receiver, "good").await.is_empty());
        assert!(send(&gw, &good, &receiver, "again").await.is_empty());
        // Fetched once, then kept until nextUpdate.
        assert_eq!(hits.load(Ordering::SeqCst) - before, 1, "{}", db.backend);
        assert_eq!(
            unavailable_count(&gw).await,
            "gateway_as4_crl_unavailable_total 0"
        );
        assert!(send(&gw, &unknown, &receiver, "soft").await.is_empty());
        assert_eq!(
            unavailable_count(&gw).await,
            "gateway_as4_crl_unavailable_total 1"
        );
        drop(gw);

        let gw = start(&db, &pki, &receiver, "strict");
        assert_eq!(
            send(&gw, &unknown, &receiver, "strict").await,
            ["EBMS:0101"]
        );
        assert_eq!(
            send(&gw, &revoked, &receiver, "revoked2").await,
            ["EBMS:0101"]
        );
        assert!(send(&gw, &good, &receiver, "good2").await.is_empty());
        drop(gw);

        let gw = start(&db, &pki, &receiver, "off");
        assert!(send(&gw, &revoked, &receiver, "off").await.is_empty());
    }
}
