//! The AS4 endpoint against the independent Peppol AS4 peers (`../shared/peers/as4`, the `as4`
//! Python package): their sender -> our receiver with a verified receipt and the invoice in the
//! member's inbox; duplicates; the refusals with their ebMS errors. SQLite and PostgreSQL.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cli_json, Gateway};
use gateway_as4_proto::{open_answer, Answer, BuiltMessage};
use gateway_store::{DatabaseUrl, SqlStore, Store, Visibility};
use gateway_testkit::{peer, peers_python, read_shared, shared, test_databases, TestDb};

/// A member (a valid GLN: member ids are checked strictly).
const RECEIVER: &str = "0088:5798000000001";
/// Not a member here (the peers' default receiver).
const NOT_SERVED: &str = "0088:4562458856624";
const SENDER: &str = "0088:7315458756324";

fn vpki(file: &str) -> PathBuf {
    shared(&format!("vectors/as4/generated/pki/{file}"))
}

/// Runs the gateway as PTE000002 of the vector PKI, trusting its CA, with a member for RECEIVER.
fn start(db: &TestDb) -> Gateway {
    cli_json(
        db,
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
    let config = db.data_dir().join("as4.toml");
    std::fs::write(
        &config,
        format!(
            "[as4]\ncertificate = {:?}\nprivate_key = {:?}\ntrust = [{:?}, {:?}]\n",
            vpki("PTE000002.cert.pem"),
            vpki("PTE000002.key.pem"),
            vpki("root.cert.pem"),
            vpki("intermediate.cert.pem"),
        ),
    )
    .unwrap();
    Gateway::start_with(db, &[("GATEWAY_CONFIG", config.to_str().unwrap())])
}

/// sender.py with the vector PKI and the BIS base example; (exit code, its JSON report).
fn send(
    gw: &Gateway,
    db: &TestDb,
    cert: &Path,
    key: &Path,
    receiver: &str,
    save: &Path,
) -> (Option<i32>, serde_json::Value) {
    let invoice = shared("vectors/ubl/base-example.xml");
    send_invoice(gw, db, &invoice, (cert, key), receiver, save)
}

/// [`send`] with another invoice file.
fn send_invoice(
    gw: &Gateway,
    db: &TestDb,
    invoice: &Path,
    (cert, key): (&Path, &Path),
    receiver: &str,
    save: &Path,
) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(peers_python())
        .arg(peer("as4/sender.py"))
        .arg(invoice)
        .args(["--url", &gw.url("/as4"), "--tls-ca"])
        .arg(db.data_dir().join("tls/ca.pem"))
        .arg("--cert")
        .arg(cert)
        .arg("--key")
        .arg(key)
        .arg("--receiver-cert")
        .arg(vpki("PTE000002.cert.pem"))
        .arg("--ca")
        .arg(vpki("root.cert.pem"))
        .arg("--intermediate")
        .arg(vpki("intermediate.cert.pem"))
        .args(["--sender-id", SENDER, "--receiver-id", receiver])
        .arg("--save-message")
        .arg(save.join("message.mime"))
        .arg("--save-signal")
        .arg(save.join("signal.xml"))
        .output()
        .expect("sender.py");
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("sender.py: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), report)
}

async fn store_of(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

/// POSTs a saved message (`Content-Type:` line, blank line, body); the answer's body.
async fn post_saved(gw: &Gateway, raw: &[u8]) -> (reqwest::StatusCode, Vec<u8>) {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let ct = std::str::from_utf8(&raw[..end])
        .unwrap()
        .trim_start_matches("Content-Type: ")
        .to_owned();
    let resp = gw
        .client
        .post(gw.url("/as4"))
        .header("content-type", ct)
        .body(raw[end + 4..].to_vec())
        .send()
        .await
        .unwrap();
    (resp.status(), resp.bytes().await.unwrap().to_vec())
}

/// The ebMS errors of a signal signed by our AP.
fn errors_of(signal: &[u8]) -> Vec<(String, Option<String>)> {
    let ours = common::cert_der(&vpki("PTE000002.cert.pem"));
    let any = BuiltMessage {
        message_id: String::new(),
        content_type: String::new(),
        body: Vec::new(),
        references: Vec::new(),
    };
    match open_answer("application/soap+xml", signal, &any, &ours).unwrap() {
        Answer::Errors(e) => e.into_iter().map(|e| (e.code, e.detail)).collect(),
        other => panic!("not an error: {other:?}"),
    }
}

#[tokio::test]
async fn the_peer_sender_gets_a_verified_receipt_and_the_invoice_lands_once() {
    for db in test_databases().await {
        let gw = start(&db);
        let dir = tempfile::tempdir().unwrap();
        let (code, report) = send(
            &gw,
            &db,
            &vpki("PTE000001.cert.pem"),
            &vpki("PTE000001.key.pem"),
            RECEIVER,
            dir.path(),
        );
        assert_eq!(code, Some(0), "{report} / {}", db.backend);
        assert_eq!(report["outcome"], "receipt_verified");
        assert_eq!(report["nrr_references"], 3);

        // verify.py agrees: our receipt, signed by PTE000002, lists what the message signed.
        let out = Command::new(peers_python())
            .arg(peer("as4/verify.py"))
            .arg("receipt")
            .arg(dir.path().join("signal.xml"))
            .arg("--signer-cert")
            .arg(vpki("PTE000002.cert.pem"))
            .arg("--message")
            .arg(dir.path().join("message.mime"))
            .arg("--ca")
            .arg(vpki("root.cert.pem"))
            .arg("--intermediate")
            .arg(vpki("intermediate.cert.pem"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );

        // The invoice is in the member's inbox, as received.
        let store = store_of(&db).await;
        let docs = store
            .list_documents(&Visibility::All, Default::default())
            .await
            .unwrap();
        assert_eq!(docs.len(), 1);
        assert_eq!(
            (docs[0].source.as_str(), docs[0].state.as_str()),
            ("as4", "received")
        );
        let stored = store.get_blob(&docs[0].blob.sha256).await.unwrap().unwrap();
        assert!(
            String::from_utf8_lossy(&stored).starts_with("<Invoice"),
            "{}",
            String::from_utf8_lossy(&stored[..100])
        );

        // The same message again: the same receipt, byte for byte, and no second document.
        let first = std::fs::read(dir.path().join("signal.xml")).unwrap();
        let (status, again) = post_saved(
            &gw,
            &std::fs::read(dir.path().join("message.mime")).unwrap(),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(again, first);
        drop(gw);
        // ... also after a restart.
        let gw = start_again(&db);
        let (_, after) = post_saved(
            &gw,
            &std::fs::read(dir.path().join("message.mime")).unwrap(),
        )
        .await;
        assert_eq!(after, first);
        let docs = store
            .list_documents(&Visibility::All, Default::default())
            .await
            .unwrap();
        assert_eq!(docs.len(), 1, "{}", db.backend);
    }
}

/// Messages over 128 KiB are opened on the blocking pool instead of the runtime thread: the
/// same checks, the same receipt, the invoice stored whole.
#[tokio::test]
async fn a_message_over_128_kib_is_received_whole() {
    for db in test_databases().await {
        let gw = start(&db);
        let dir = tempfile::tempdir().unwrap();
        // A note of 300,000 pseudo-random base64 characters: gzip cannot shrink it below 128 KiB.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let note: String = (0..300_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                alphabet[(state % 64) as usize] as char
            })
            .collect();
        let base = String::from_utf8(read_shared("vectors/ubl/base-example.xml")).unwrap();
        let at = base.find("<cbc:DocumentCurrencyCode>").unwrap();
        let big = format!(
            "{}<cbc:Note>{note}</cbc:Note>\n  {}",
            &base[..at],
            &base[at..]
        );
        let invoice = dir.path().join("big.xml");
        std::fs::write(&invoice, &big).unwrap();
        let cert = (vpki("PTE000001.cert.pem"), vpki("PTE000001.key.pem"));
        let (code, report) =
            send_invoice(&gw, &db, &invoice, (&cert.0, &cert.1), RECEIVER, dir.path());
        assert_eq!(code, Some(0), "{report} / {}", db.backend);
        assert_eq!(report["outcome"], "receipt_verified");
        let sent = std::fs::metadata(dir.path().join("message.mime"))
            .unwrap()
            .len();
        assert!(sent > 128 * 1024, "the message is {sent} bytes");
        let store = store_of(&db).await;
        let docs = store
            .list_documents(&Visibility::All, Default::default())
            .await
            .unwrap();
        assert_eq!(docs.len(), 1, "{}", db.backend);
        let stored = store.get_blob(&docs[0].blob.sha256).await.unwrap().unwrap();
        assert!(
            stored.windows(note.len()).any(|w| w == note.as_bytes()),
            "the stored invoice lacks the note"
        );
    }
}

fn start_again(db: &TestDb) -> Gateway {
    let config = db.data_dir().join("as4.toml");
    Gateway::start_with(db, &[("GATEWAY_CONFIG", config.to_str().unwrap())])
}

#[tokio::test]
async fn refusals_carry_the_right_ebms_errors() {
    for db in test_databases().await {
        let gw = start(&db);
        let dir = tempfile::tempdir().unwrap();

        // A receiver this gateway does not serve.
        let (code, report) = send(
            &gw,
            &db,
            &vpki("PTE000001.cert.pem"),
            &vpki("PTE000001.key.pem"),
            NOT_SERVED,
            dir.path(),
        );
        assert_eq!(code, Some(1));
        assert_eq!(report["outcome"], "error_signal", "{report}");
        assert_eq!(report["errors"][0]["code"], "EBMS:0004");
        assert_eq!(report["errors"][0]["detail"], "PEPPOL:NOT_SERVICED");

        // A rogue certificate with the right CN, self-signed.
        let pki = dir.path().join("pki");
        let out = Command::new(peers_python())
            .arg(peer("as4/pki.py"))
            .arg("--out")
            .arg(&pki)
            .args(["--aps", "1", "--extras"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let (code, report) = send(
            &gw,
            &db,
            &pki.join("rogue-PTE000001.cert.pem"),
            &pki.join("rogue-PTE000001.key.pem"),
            RECEIVER,
            dir.path(),
        );
        assert_eq!(code, Some(1));
        assert_eq!(report["errors"][0]["code"], "EBMS:0101", "{report}");

        // The shared vectors.
        for (file, code, detail) in [
            ("tampered-attachment.mime", "EBMS:0102", None),
            ("tampered-messaging.mime", "EBMS:0101", None),
            (
                "message-not-serviced.mime",
                "EBMS:0004",
                Some("PEPPOL:NOT_SERVICED"),
            ),
        ] {
            let (status, signal) =
                post_saved(&gw, &read_shared(&format!("vectors/as4/generated/{file}"))).await;
            assert_eq!(status, 200, "{file}");
            let errors = errors_of(&signal);
            assert_eq!(errors[0].0, code, "{file}: {errors:?}");
            if let Some(d) = detail {
                assert_eq!(errors[0].1.as_deref(), Some(d));
            }
        }
        // Not AS4 at all.
        let resp = gw
            .client
            .post(gw.url("/as4"))
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(errors_of(&resp.bytes().await.unwrap())[0].0, "EBMS:0009");

        let store = store_of(&db).await;
        assert!(store
            .list_documents(&Visibility::All, Default::default())
            .await
            .unwrap()
            .is_empty());

        // A receiver that joins after a refusal is served at once: only members found are
        // remembered, not receivers that were not ours.
        const LATE: &str = "0088:5798000000018";
        let mut outcomes = Vec::new();
        for join in [false, true] {
            if join {
                cli_json(
                    &db,
                    &[
                        "company",
                        "add",
                        "--name",
                        "Late Joiner BV",
                        "--country",
                        "BE",
                        "--peppol-id",
                        LATE,
                    ],
                );
            }
            let cert = (vpki("PTE000001.cert.pem"), vpki("PTE000001.key.pem"));
            let (_, report) = send(&gw, &db, &cert.0, &cert.1, LATE, dir.path());
            outcomes.push(report["outcome"].as_str().map(str::to_owned));
        }
        assert_eq!(
            outcomes,
            [Some("error_signal".into()), Some("receipt_verified".into())],
            "{}",
            db.backend
        );
    }
}
