//! AS4 receiving throughput on loopback: a gateway (durable SQLite in a temporary directory, then
//! a fresh PostgreSQL database when `GATEWAY_TEST_DATABASE_URL` is set) receives pre-built signed
//! and encrypted messages from `--concurrency` parallel HTTPS clients and answers each with a
//! signed receipt after storing it. Prints messages/s, p50/p99 and CPU time per message.
//!
//! ```sh
//! cargo run --release -p gateway-server --example as4_bench -- --messages 2000 --concurrency 16
//! cargo run --release -p gateway-server --example as4_bench -- --ec   # eDelivery AS4 2.0 EC profile
//! cargo run --release -p gateway-server --example as4_bench -- --http1 # HTTP/1.1 instead of h2
//! ```
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use gateway_as4_proto::{build_message, LocalAp, Outgoing};
use gateway_peppol::ParticipantId;
use gateway_server::config::Config;
use gateway_store::{Address, As4Store, Identifier, NewCompany, Store};

// The allocator of the `gateway` binary, so that the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RECEIVER: &str = "0088:5798000000018";

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    // SQLite, and PostgreSQL too when GATEWAY_TEST_DATABASE_URL names a server (a fresh
    // database is made for the run).
    for db in gateway_testkit::test_databases().await {
        bench(&db).await;
    }
}

async fn bench(db: &gateway_testkit::TestDb) {
    let (messages, concurrency) = (arg("--messages", 2000), arg("--concurrency", 16));
    let dir = db.data_dir();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut config = Config {
        listen: format!("127.0.0.1:{port}").parse().unwrap(),
        data_dir: dir.to_path_buf(),
        database_url: Some(db.url.clone()),
        ..Config::default()
    };
    config.as4.send = false;
    let ec = std::env::args().any(|a| a == "--ec");
    config.as4.ec = ec;

    let store = gateway_server::serve::open_store(&config)
        .await
        .expect("store");
    store
        .create_company(NewCompany {
            legal_name: "Bench Buyer".into(),
            vat_number: None,
            country: "DK".into(),
            address: Address::default(),
            identifiers: vec![Identifier {
                scheme: "iso6523-actorid-upis".into(),
                value: RECEIVER.into(),
            }],
        })
        .await
        .expect("member");
    store.close().await;
    let pki = gateway_server::peppol_pki::ensure_dev_peppol_pki(&config.data_dir).expect("PKI");
    // Made before the server starts, which then finds it.
    let ec_pki = ec
        .then(|| gateway_server::peppol_pki::ensure_dev_ec_pki(&config.data_dir).expect("EC PKI"));
    let server_config = config.clone();
    tokio::spawn(async move {
        if let Err(e) = gateway_server::serve::run(server_config).await {
            eprintln!("server: {e}");
            std::process::exit(1);
        }
    });

    // The sender is the gateway's own development AP (its CA is the trust anchor); with
    // `--ec` its EC identity, encrypting for its X25519 certificate.
    let read = |p: &std::path::Path| std::fs::read(p).unwrap();
    let (local, receiver_cert) = if let Some(e) = &ec_pki {
        let local = LocalAp::ed25519_from_pem(
            &read(&e.sign_cert),
            &read(&e.sign_key),
            &read(&e.agreement_cert),
            &read(&e.agreement_key),
        )
        .unwrap();
        let cert = local.agreement.as_ref().unwrap().1.as_der().to_vec();
        (local, cert)
    } else {
        let local = LocalAp::rsa_from_pem(&read(&pki.ap_cert), &read(&pki.ap_key)).unwrap();
        let cert = local.certificate.as_der().to_vec();
        (local, cert)
    };
    let local = Arc::new(local);
    let invoice = gateway_testkit::read_shared("vectors/ubl/base-example.xml");
    let sbd = sbd(&invoice);
    let started = Instant::now();
    let built: Vec<_> = (0..messages)
        .map(|n| {
            let out = Outgoing {
                message_id: format!("bench-{n}@gateway"),
                conversation_id: format!("bench-{n}"),
                from_party: local.party_id.clone(),
                to_party: local.party_id.clone(),
                original_sender: ParticipantId::parse_lenient("0208:0123456749").unwrap(),
                final_recipient: ParticipantId::parse_lenient(RECEIVER).unwrap(),
                action: format!("busdox-docid-qns::{}", gateway_peppol::BIS3_INVOICE.value()),
                service: gateway_peppol::BILLING_PROCESS.value().to_owned(),
                service_type: "cenbii-procid-ubl".into(),
                sbd: sbd.clone(),
            };
            let m = build_message(&out, &local, &receiver_cert).expect("build");
            // Shared, not copied, by every request that sends it.
            (m.content_type, axum::body::Bytes::from(m.body))
        })
        .collect();
    eprintln!(
        "built {messages} messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = loop {
        match std::fs::read(dir.join("tls/ca.pem")) {
            Ok(ca)
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_ok() =>
            {
                break ca
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    // HTTP/2 (one connection, streams multiplexed) unless `--http1`: HTTP/1.1 keep-alive, one
    // connection per concurrent request, as Peppol peers (phase4, Oxalis) send.
    let http1 = std::env::args().any(|a| a == "--http1");
    let mut client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap());
    if http1 {
        client = client.http1_only();
    }
    let client = client.build().unwrap();
    let url = format!("https://localhost:{port}/as4");
    let built = Arc::new(built);
    let next = Arc::new(AtomicUsize::new(0));
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, built, next) =
                (client.clone(), url.clone(), built.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((content_type, body)) = built.get(i) else {
                        break;
                    };
                    let t = Instant::now();
                    let resp = client
                        .post(&url)
                        .header("content-type", content_type.as_str())
                        .body(body.clone())
                        .send()
                        .await
                        .expect("POST");
                    let expected = if http1 {
                        reqwest::Version::HTTP_11
                    } else {
                        reqwest::Version::HTTP_2
                    };
                    assert_eq!(resp.version(), expected, "negotiated HTTP version");
                    let body = resp.bytes().await.expect("answer");
                    latencies.push(t.elapsed());
                    assert!(
                        body.windows(10).any(|w| w == b"eb:Receipt"),
                        "not a receipt: {}",
                        String::from_utf8_lossy(&body[..body.len().min(2000)])
                    );
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let (elapsed, cpu) = (started.elapsed(), cpu_seconds() - cpu_before);
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "as4 receive ({}, {} durable, loopback TLS, {}): {messages} messages, concurrency {concurrency}: {:.0} msg/s, p50 {:.1} ms, p99 {:.1} ms, CPU {:.3} ms/msg (gateway and client)",
        if ec { "Ed25519/X25519" } else { "RSA-2048" },
        db.backend,
        if http1 { "HTTP/1.1" } else { "HTTP/2" },
        messages as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        cpu * 1000.0 / messages as f64
    );
    // Every message stored once.
    let store = gateway_server::serve::open_store(&config)
        .await
        .expect("store");
    let company = store
        .list_companies(&gateway_store::Visibility::All)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        store.count_inbound(&company.id).await.unwrap(),
        messages as i64
    );
}

/// User and system CPU time of this process (gateway and client together), in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    // utime and stime are fields 14 and 15 of the whole line, in clock ticks of 1/100 s.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn sbd(invoice: &[u8]) -> Vec<u8> {
    let header = gateway_sbdh::Sbdh {
        sender: ParticipantId::parse_lenient("0208:0123456749").unwrap(),
        receiver: ParticipantId::parse_lenient(RECEIVER).unwrap(),
        document_identification: gateway_sbdh::DocumentIdentification {
            standard: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2".into(),
            type_version: "2.1".into(),
            instance_identifier: "bench".into(),
            type_name: "Invoice".into(),
            creation_date_and_time: "2026-11-30T00:00:00Z".into(),
        },
        document_type_id: gateway_peppol::BIS3_INVOICE,
        process_id: gateway_peppol::BILLING_PROCESS,
        country_c1: "BE".into(),
        mls_to: None,
        mls_type: None,
        additional_scopes: Vec::new(),
    };
    let start = invoice
        .windows(8)
        .position(|w| w == b"<Invoice")
        .unwrap_or(0);
    gateway_sbdh::write(&header, &invoice[start..]).expect("SBDH")
}
