//! Our outbox -> the independent AS4 receiver (`../shared/peers/as4/receiver.py`): accepted,
//! its receipt verified and kept; `verify.py` judges the message we sent; retries after 503;
//! an ebMS error is a final failure. SQLite and PostgreSQL.
mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use common::{cli_json, Gateway};
use gateway_store::{As4Store, DatabaseUrl, NewOutbound, Outbound, SqlStore};
use gateway_testkit::{peer, peers_python, read_shared, shared, test_databases, TestDb};

const SENDER: &str = "0088:5798000000001";
const RECEIVER: &str = "0088:4562458856624";
const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
const BILLING: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

fn vpki(file: &str) -> PathBuf {
    shared(&format!("vectors/as4/generated/pki/{file}"))
}

struct PeerReceiver {
    child: Child,
    port: u16,
    events: Receiver<serde_json::Value>,
}

impl PeerReceiver {
    fn start(out: &Path, extra: &[&str]) -> PeerReceiver {
        let mut child = Command::new(peers_python())
            .arg(peer("as4/receiver.py"))
            .args(["--port", "0", "--cert"])
            .arg(vpki("PTE000002.cert.pem"))
            .arg("--key")
            .arg(vpki("PTE000002.key.pem"))
            .arg("--ca")
            .arg(vpki("root.cert.pem"))
            .arg("--intermediate")
            .arg(vpki("intermediate.cert.pem"))
            .arg("--out")
            .arg(out)
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("receiver.py");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first: serde_json::Value =
            serde_json::from_str(&lines.next().expect("receiver exited").unwrap()).unwrap();
        assert_eq!(first["event"], "listening", "{first}");
        let port = first["port"].as_u64().unwrap() as u16;
        let (tx, events) = channel();
        std::thread::spawn(move || {
            for l in lines.map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&l) {
                    let _ = tx.send(v);
                }
            }
        });
        PeerReceiver {
            child,
            port,
            events,
        }
    }

    fn next(&self) -> serde_json::Value {
        self.events
            .recv_timeout(Duration::from_secs(60))
            .expect("no event from receiver.py")
    }
}

impl Drop for PeerReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The gateway as PTE000001, sending RECEIVER's messages to the peer on `port`.
fn start_gateway(db: &TestDb, port: u16) -> (Gateway, String) {
    let company = cli_json(
        db,
        &[
            "company",
            "add",
            "--name",
            "Sender SA",
            "--country",
            "DK",
            "--peppol-id",
            SENDER,
        ],
    );
    let config = db.data_dir().join("as4.toml");
    std::fs::write(
        &config,
        format!(
            "[as4]\ncertificate = {:?}\nprivate_key = {:?}\ntrust = [{:?}, {:?}]\nretry_base_ms = 100\nmax_attempts = 4\n\n[[as4.static_endpoints]]\nparticipant = \"{RECEIVER}\"\nurl = \"http://127.0.0.1:{port}/as4\"\ncertificate = {:?}\n",
            vpki("PTE000001.cert.pem"),
            vpki("PTE000001.key.pem"),
            vpki("root.cert.pem"),
            vpki("intermediate.cert.pem"),
            vpki("PTE000002.cert.pem"),
        ),
    )
    .unwrap();
    let gw = Gateway::start_with(db, &[("GATEWAY_CONFIG", config.to_str().unwrap())]);
    (gw, company["id"].as_str().unwrap().to_owned())
}

async fn store_of(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

async fn enqueue(store: &SqlStore, company: &str, n: u32) -> Outbound {
    store
        .enqueue_outbound(NewOutbound {
            message_id: format!("{}-{n}@gateway-test", std::process::id()),
            document_id: None,
            company_id: company.into(),
            sender_id: SENDER.into(),
            receiver_id: RECEIVER.into(),
            document_type: INVOICE.into(),
            process: BILLING.into(),
            payload: read_shared("vectors/ubl/base-example.xml"),
        })
        .await
        .unwrap()
}

async fn wait_final(store: &SqlStore, id: &str) -> Outbound {
    for _ in 0..300 {
        let row = store.get_outbound(id).await.unwrap().unwrap();
        if row.state == "sent" || row.state == "failed" {
            return row;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("outbox message {id} still not sent or failed");
}

#[tokio::test]
async fn the_peer_receiver_accepts_what_our_outbox_sends() {
    for db in test_databases().await {
        let out = tempfile::tempdir().unwrap();
        // The first POST fails with 503: the outbox retries with backoff and the same MessageId.
        let receiver =
            PeerReceiver::start(out.path(), &["--fail-first", "1", "--fail-status", "503"]);
        let (_gw, company) = start_gateway(&db, receiver.port);
        let store = store_of(&db).await;
        let queued = enqueue(&store, &company, 1).await;

        assert_eq!(receiver.next()["event"], "injected_failure");
        let event = receiver.next();
        assert_eq!(event["status"], "accepted", "{event}");
        assert_eq!(event["message_id"], queued.message_id.as_str());
        assert_eq!(event["sender"], SENDER);
        assert_eq!(event["recipient"], RECEIVER);
        assert_eq!(event["from_party"], "PTE000001");
        let row = wait_final(&store, &queued.id).await;
        assert_eq!(row.state, "sent", "{row:?} / {}", db.backend);
        assert_eq!(row.attempts, 2);
        assert!(row
            .receipt
            .as_deref()
            .unwrap()
            .contains("NonRepudiationInformation"));

        // The independent verifier accepts the message as the receiver got it.
        let request = event["files"]["request"].as_str().unwrap();
        let verdict = Command::new(peers_python())
            .arg(peer("as4/verify.py"))
            .args(["message", request, "--key"])
            .arg(vpki("PTE000002.key.pem"))
            .arg("--ca")
            .arg(vpki("root.cert.pem"))
            .arg("--intermediate")
            .arg(vpki("intermediate.cert.pem"))
            .output()
            .unwrap();
        assert_eq!(
            verdict.status.code(),
            Some(0),
            "{} {} ({request})",
            String::from_utf8_lossy(&verdict.stdout),
            String::from_utf8_lossy(&verdict.stderr)
        );
    }
}

#[tokio::test]
async fn an_ebms_error_is_a_final_failure() {
    for db in test_databases().await {
        let out = tempfile::tempdir().unwrap();
        let receiver = PeerReceiver::start(out.path(), &["--serve", "0088:1111111111116"]);
        let (_gw, company) = start_gateway(&db, receiver.port);
        let store = store_of(&db).await;
        let queued = enqueue(&store, &company, 2).await;
        assert_eq!(receiver.next()["status"], "rejected");
        let row = wait_final(&store, &queued.id).await;
        assert_eq!(row.state, "failed", "{row:?}");
        assert_eq!(row.attempts, 1, "not retried");
        let error = row.last_error.unwrap();
        assert!(
            error.contains("EBMS:0004") && error.contains("PEPPOL:NOT_SERVICED"),
            "{error}"
        );
    }
}
