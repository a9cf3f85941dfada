//! Crash test: gateway A's outbox pushes messages to gateway B while B is killed with SIGKILL at
//! pseudo-random moments and restarted on the same port. Afterwards every message has a receipt
//! at A, and B holds each exactly once (one message row, one document). 200 messages here;
//! `AS4_CRASH_MESSAGES=1000` for the full run.
mod common;

use std::time::{Duration, Instant, SystemTime};

use common::{cli_json, Gateway};
use gateway_store::{As4Store, DatabaseUrl, NewOutbound, SqlStore, Store, Visibility};
use gateway_testkit::{read_shared, test_databases, TestDb};

const SENDER: &str = "0208:0123456749";
const RECEIVER: &str = "0088:5798000000018";
const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
const BILLING: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

async fn store_of(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

fn write_toml(db: &TestDb, toml: &str) -> String {
    let path = db.data_dir().join("gateway.toml");
    std::fs::write(&path, toml).unwrap();
    path.display().to_string()
}

/// 100..900 ms, different each call.
fn jitter() -> Duration {
    let n = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    Duration::from_millis(100 + u64::from(n % 800))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_receipted_message_is_stored_exactly_once_despite_kill_9() {
    let count: usize = std::env::var("AS4_CRASH_MESSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let (dbs_a, dbs_b) = (test_databases().await, test_databases().await);
    for (a, b) in dbs_a.iter().zip(dbs_b.iter()) {
        let company_a = cli_json(
            a,
            &[
                "company",
                "add",
                "--name",
                "Seller SA",
                "--country",
                "BE",
                "--peppol-id",
                SENDER,
            ],
        );
        let company_b = cli_json(
            b,
            &[
                "company",
                "add",
                "--name",
                "Buyer A/S",
                "--country",
                "DK",
                "--peppol-id",
                RECEIVER,
            ],
        );
        drop(Gateway::start(a)); // makes A's development PKI
        let b_cfg = write_toml(
            b,
            &format!(
                "[as4]\ntrust = [{:?}]\nsend = false\n",
                a.data_dir().join("peppol/dev-ca.pem")
            ),
        );
        let mut gw_b = Gateway::start_with(b, &[("GATEWAY_CONFIG", &b_cfg)]);
        let listen = gw_b.addr.to_string();
        let a_cfg = write_toml(
            a,
            &format!(
                "[as4]\ntrust = [{ca:?}]\nhttps_roots = [{tls:?}]\nretry_base_ms = 50\nretry_max_ms = 500\nmax_attempts = 1000\n\n[[as4.static_endpoints]]\nparticipant = \"{RECEIVER}\"\nurl = \"https://localhost:{port}/as4\"\ncertificate = {cert:?}\n",
                ca = b.data_dir().join("peppol/dev-ca.pem"),
                tls = b.data_dir().join("tls/ca.pem"),
                port = gw_b.addr.port(),
                cert = b.data_dir().join("peppol/ap-cert.pem"),
            ),
        );
        let store_a = store_of(a).await;
        let invoice = read_shared("vectors/ubl/base-example.xml");
        let mut ids = Vec::new();
        for n in 0..count {
            let row = store_a
                .enqueue_outbound(NewOutbound {
                    message_id: format!("crash-{n}-{}@gateway", std::process::id()),
                    document_id: None,
                    company_id: company_a["id"].as_str().unwrap().into(),
                    sender_id: SENDER.into(),
                    receiver_id: RECEIVER.into(),
                    document_type: INVOICE.into(),
                    process: BILLING.into(),
                    payload: invoice.clone(),
                })
                .await
                .unwrap();
            ids.push(row.id);
        }
        let _gw_a = Gateway::start_with(a, &[("GATEWAY_CONFIG", &a_cfg)]);

        // Kill B at random moments while A sends.
        let started = Instant::now();
        let mut kills = 0;
        while kills < 6 && !all_done(&store_a, &ids).await {
            tokio::time::sleep(jitter()).await;
            drop(gw_b); // SIGKILL
            kills += 1;
            gw_b = Gateway::start_on(b, &listen, &[("GATEWAY_CONFIG", &b_cfg)]);
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        while !all_done(&store_a, &ids).await {
            if Instant::now() > deadline {
                let mut stuck = Vec::new();
                for id in &ids {
                    let row = store_a.get_outbound(id).await.unwrap().unwrap();
                    if row.state != "sent" {
                        stuck.push(format!(
                            "{} {} {:?}",
                            row.state, row.attempts, row.last_error
                        ));
                    }
                }
                panic!(
                    "{} not delivered: {:?}",
                    stuck.len(),
                    &stuck[..stuck.len().min(5)]
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        eprintln!(
            "{}: {count} messages, B killed {kills} times, all receipted after {:.1} s",
            a.backend,
            started.elapsed().as_secs_f64()
        );
        drop(gw_b);

        let store_b = store_of(b).await;
        for id in &ids {
            let row = store_a.get_outbound(id).await.unwrap().unwrap();
            assert_eq!(row.state, "sent", "{row:?}");
            // The receipt A kept is the one B stored for that MessageId.
            assert_eq!(
                store_b
                    .inbound_receipt(&row.message_id)
                    .await
                    .unwrap()
                    .as_deref(),
                row.receipt.as_deref(),
                "{}",
                row.message_id
            );
        }
        let company_b = company_b["id"].as_str().unwrap();
        assert_eq!(
            store_b.count_inbound(company_b).await.unwrap(),
            count as i64
        );
        let mut documents = 0;
        let mut page = gateway_store::Page {
            limit: 500,
            after: None,
        };
        loop {
            let docs = store_b
                .list_documents(&Visibility::All, page.clone())
                .await
                .unwrap();
            documents += docs.len();
            match docs.last() {
                Some(last) if docs.len() == 500 => page.after = Some(last.id.clone()),
                _ => break,
            }
        }
        assert_eq!(documents, count, "one document per message ({})", b.backend);
    }
}

async fn all_done(store: &SqlStore, ids: &[String]) -> bool {
    for id in ids.iter().rev() {
        if store.get_outbound(id).await.unwrap().unwrap().state != "sent" {
            return false;
        }
    }
    true
}
