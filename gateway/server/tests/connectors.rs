//! Connectors against real peers: Standard Webhooks to `../shared/peers/webhooks/receiver.py`
//! (scripted to fail, then to answer 410), signatures checked by the independent `verify.py`;
//! the pull feed with acknowledgement; the mailbox drop to an SMTP listener on loopback.
mod common;

use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{cli_json, member_token, Gateway, KillOnDrop};
use gateway_store::{
    DatabaseUrl, Direction, NewDocument, SqlStore, StateChange, Store, Visibility,
};
use gateway_testkit::{peer, peers_python, read_shared, test_databases, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

fn invoice(number: &str) -> Vec<u8> {
    String::from_utf8(read_shared("vectors/ubl/base-example.xml"))
        .unwrap()
        .replace("test-invoice-phase4", number)
        .into_bytes()
}

async fn open(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

async fn accepted(store: &SqlStore, company: &str, number: &str) -> String {
    let doc = store
        .create_document(NewDocument {
            company_id: company.into(),
            direction: Direction::Purchase,
            source: "test".into(),
            media_type: "application/xml".into(),
            file_name: Some(format!("{number}.xml")),
            bytes: invoice(number),
            actor: "test".into(),
            initial_state: "received".into(),
        })
        .await
        .unwrap();
    store
        .transition(
            &Visibility::All,
            StateChange {
                document_id: doc.id.clone(),
                from: "received".into(),
                to: "accepted".into(),
                actor: "test".into(),
                kind: "accepted".into(),
                detail: json!({}),
            },
        )
        .await
        .unwrap();
    doc.id
}

async fn call(
    gw: &Gateway,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = gw.client.request(method, gw.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A company with a member token, and an admin token.
fn seed(db: &TestDb) -> (String, String, String) {
    let admin = cli_json(
        db,
        &["token", "create", "--scope", "admin", "--label", "ops"],
    );
    let c = cli_json(
        db,
        &[
            "company",
            "add",
            "--name",
            "Alpha SA",
            "--country",
            "BE",
            "--vat",
            "BE0123456749",
        ],
    );
    let id = c["id"].as_str().unwrap().to_string();
    let t = member_token(db, &id, "erp");
    (admin["token"].as_str().unwrap().into(), id, t)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts receiver.py (its output to a file next to the record) and waits until it listens.
fn receiver(port: u16, key_args: &[&str], statuses: &str, record: &std::path::Path) -> KillOnDrop {
    let out_path = record.with_extension("out");
    let child = Command::new(peers_python())
        .arg(peer("webhooks/receiver.py"))
        .args(["--port", &port.to_string(), "--record"])
        .arg(record)
        .args(key_args)
        .args(["--statuses", statuses, "--retry-after", "1"])
        .stdout(std::fs::File::create(&out_path).unwrap())
        .spawn()
        .unwrap();
    let child = KillOnDrop(child);
    for _ in 0..100 {
        if std::fs::read_to_string(&out_path).is_ok_and(|t| t.contains("listening")) {
            return child;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("receiver.py did not start listening on {port}");
}

async fn deliveries(port: u16) -> Vec<Value> {
    let v: Value = reqwest::get(format!("http://127.0.0.1:{port}/_deliveries"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().clone()
}

/// Waits until `port` has recorded `n` deliveries answered with a 2xx.
async fn wait_ok(port: u16, n: usize) -> Vec<Value> {
    for _ in 0..200 {
        let all = deliveries(port).await;
        if all
            .iter()
            .filter(|d| {
                d["status"]
                    .as_u64()
                    .is_some_and(|s| (200..300).contains(&s))
            })
            .count()
            >= n
        {
            return all;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "receiver on {port} did not get {n} successful deliveries: {:?}",
        deliveries(port).await
    );
}

/// Runs the independent verify.py on one recorded delivery.
fn verify_py(delivery: &Value, key_args: &[&str]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("request.json");
    std::fs::write(
        &file,
        json!({"headers": delivery["headers"], "body": delivery["body"]}).to_string(),
    )
    .unwrap();
    let out = Command::new(peers_python())
        .arg(peer("webhooks/verify.py"))
        .arg("--request")
        .arg(&file)
        .args(key_args)
        .output()
        .unwrap();
    out.status.success()
}

#[tokio::test]
async fn webhooks_deliver_each_document_once_after_retries_and_410_disables() {
    for db in test_databases().await {
        let (_admin, company, token) = seed(&db);
        let gw = Gateway::start_with(
            &db,
            &[
                ("GATEWAY_ARCHIVE__POLL_INTERVAL_MS", "100"),
                ("GATEWAY_WEBHOOKS__ALLOW_PRIVATE", "true"),
                (
                    "GATEWAY_WEBHOOKS__RETRY_SCHEDULE_SECS",
                    "[0, 1, 1, 1, 1, 1]",
                ),
            ],
        );
        let (p1, p2) = (free_port(), free_port());
        let (status, v1a) = call(
            &gw,
            Method::POST,
            "/v1/connectors",
            &token,
            Some(json!({"kind": "webhook", "url": format!("http://127.0.0.1:{p1}/hook")})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{v1a}");
        let public_key = v1a["connector"]["public_key"].as_str().unwrap().to_string();
        assert!(
            public_key.starts_with("whpk_") && v1a["secret"].is_null(),
            "{v1a}"
        );
        let (status, v1) = call(&gw, Method::POST, "/v1/connectors", &token, Some(json!({"kind": "webhook", "url": format!("http://127.0.0.1:{p2}/hook"), "scheme": "v1"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{v1}");
        let secret = v1["secret"].as_str().unwrap().to_string();
        assert!(secret.starts_with("whsec_"));
        let dir = tempfile::tempdir().unwrap();
        let pk_args = ["--public-key", public_key.as_str()];
        let secret_args = ["--secret", secret.as_str()];
        // v1a: two 503s (Retry-After: 1), three successes, then 410. v1: one 503 then successes.
        let _r1 = receiver(
            p1,
            &pk_args,
            "503,503,204,204,204,410",
            &dir.path().join("r1.jsonl"),
        );
        let _r2 = receiver(p2, &secret_args, "503", &dir.path().join("r2.jsonl"));

        let store = open(&db).await;
        let mut docs = Vec::new();
        for n in ["W-1", "W-2", "W-3"] {
            docs.push(accepted(&store, &company, n).await);
        }
        for (port, args) in [(p1, &pk_args), (p2, &secret_args)] {
            let all = wait_ok(port, 3).await;
            let ok: Vec<&Value> = all
                .iter()
                .filter(|d| {
                    d["status"]
                        .as_u64()
                        .is_some_and(|s| (200..300).contains(&s))
                })
                .collect();
            assert!(all.iter().all(|d| d["verified"] == true), "{all:?}");
            // Every document delivered exactly once, in chain order, each with its own stable id.
            let delivered: Vec<String> = ok
                .iter()
                .map(|d| {
                    let body: Value = serde_json::from_str(d["body"].as_str().unwrap()).unwrap();
                    assert_eq!(body["type"], "document.archived");
                    body["data"]["document_id"].as_str().unwrap().to_string()
                })
                .collect();
            assert_eq!(delivered, docs, "port {port}");
            let ids: std::collections::BTreeSet<&str> =
                ok.iter().map(|d| d["msg_id"].as_str().unwrap()).collect();
            assert_eq!(ids.len(), 3);
            // A retry carries the id of the attempt it repeats.
            assert_eq!(all[0]["msg_id"], ok[0]["msg_id"]);
            for d in &ok {
                assert!(verify_py(d, args), "verify.py refused {d}");
            }
            assert!(
                !verify_py(
                    ok[0],
                    &[
                        "--public-key",
                        "whpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
                    ]
                ),
                "a wrong key must not verify"
            );
        }
        assert_eq!(
            deliveries(p1).await.len(),
            5,
            "two failures, three successes"
        );
        assert_eq!(deliveries(p1).await[0]["scheme"], "v1a");
        assert_eq!(deliveries(p2).await[0]["scheme"], "v1");
        let (_, detail) = call(
            &gw,
            Method::GET,
            &format!("/v1/archive/{}", docs[0]),
            &token,
            None,
        )
        .await;
        let statuses: Vec<&str> = detail["forwarding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["forwarded", "forwarded"], "{detail}");

        // The fourth document meets a 410: the endpoint is disabled, the reason visible.
        let fourth = accepted(&store, &company, "W-4").await;
        let id1 = v1a["connector"]["id"].as_str().unwrap();
        let mut connector = Value::Null;
        for _ in 0..100 {
            connector = call(
                &gw,
                Method::GET,
                &format!("/v1/connectors/{id1}"),
                &token,
                None,
            )
            .await
            .1;
            if !connector["disabled_at"].is_null() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            connector["disabled_reason"]
                .as_str()
                .unwrap_or_default()
                .contains("410"),
            "{connector}"
        );
        wait_ok(p2, 4).await;
        let (_, detail) = call(
            &gw,
            Method::GET,
            &format!("/v1/archive/{fourth}"),
            &token,
            None,
        )
        .await;
        let mine = detail["forwarding"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["connector_id"] == id1)
            .unwrap()
            .clone();
        assert_eq!(mine["status"], "error", "{detail}");
        assert!(mine["reason"].as_str().unwrap().contains("410"), "{mine}");
        // Disabled: later documents are not sent there.
        accepted(&store, &company, "W-5").await;
        wait_ok(p2, 5).await;
        assert_eq!(deliveries(p1).await.len(), 6);
    }
}

/// A minimal SMTP server: accepts every message and keeps its text.
async fn smtp_listener() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = tokio::io::BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut envelope = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 test\r\n"
                    } else if upper.starts_with("MAIL") || upper.starts_with("RCPT") {
                        envelope.push_str(&line);
                        envelope.push('\n');
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        write.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = envelope.clone();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        store.lock().unwrap().push(data);
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

/// The accountant status of `doc` in the member's document list.
async fn accountant_status(gw: &Gateway, token: &str, doc: &str) -> Value {
    let (_, list) = call(gw, Method::GET, "/v1/documents", token, None).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == doc)
        .map(|r| r["accountant_status"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn an_accountants_feed_waits_for_acknowledgement_and_the_mailbox_gets_ubl_and_original() {
    for db in test_databases().await {
        let (admin, _, token) = seed(&db);
        let (smtp_port, mails) = smtp_listener().await;
        let port = smtp_port.to_string();
        let gw = Gateway::start_with(
            &db,
            &[
                ("GATEWAY_ARCHIVE__POLL_INTERVAL_MS", "100"),
                ("GATEWAY_EMAIL__OUTBOUND__RELAY", "127.0.0.1"),
                ("GATEWAY_EMAIL__OUTBOUND__TLS", "none"),
                ("GATEWAY_EMAIL__OUTBOUND__PORT", port.as_str()),
            ],
        );
        let (_, acc) = call(&gw, Method::POST, "/v1/accountants", &admin, Some(json!({"name": "Books & Co", "purchases_email": "purchases@books.example", "sales_email": "sales@books.example"}))).await;
        let acc_id = acc["id"].as_str().unwrap();
        let (_, issued) = call(
            &gw,
            Method::POST,
            &format!("/v1/accountants/{acc_id}/tokens"),
            &admin,
            Some(json!({"label": "books"})),
        )
        .await;
        let books = issued["token"].as_str().unwrap().to_string();
        let (_, link) = call(
            &gw,
            Method::POST,
            "/v1/accountant-links",
            &token,
            Some(json!({"accountant_id": acc_id})),
        )
        .await;
        let (status, _) = call(
            &gw,
            Method::POST,
            &format!(
                "/v1/accountant-links/{}/accept",
                link["id"].as_str().unwrap()
            ),
            &books,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, feed) = call(
            &gw,
            Method::POST,
            "/v1/connectors",
            &books,
            Some(json!({"kind": "feed"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{feed}");
        let feed_id = feed["connector"]["id"].as_str().unwrap().to_string();
        let (status, mailbox) = call(
            &gw,
            Method::POST,
            "/v1/connectors",
            &books,
            Some(json!({"kind": "mailbox"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{mailbox}");
        assert_eq!(
            mailbox["connector"]["purchases_email"],
            "purchases@books.example"
        );

        // A purchase invoice submitted and accepted through the member API.
        let resp = gw
            .client
            .post(gw.url("/v1/documents?direction=purchase&file_name=M-1.xml"))
            .bearer_auth(&token)
            .header("content-type", "application/xml")
            .body(invoice("M-1"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let created: Value = resp.json().await.unwrap();
        let doc = created["id"].as_str().unwrap().to_string();
        let (status, accepted) = call(
            &gw,
            Method::POST,
            &format!("/v1/documents/{doc}/accept"),
            &token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        // The feed: the document waits as to_be_fetched until acknowledged.
        let mut page = Value::Null;
        for _ in 0..100 {
            page = call(
                &gw,
                Method::GET,
                &format!("/v1/connectors/{feed_id}/feed"),
                &books,
                None,
            )
            .await
            .1;
            if page["items"].as_array().is_some_and(|i| !i.is_empty()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let item = &page["items"][0];
        assert_eq!(
            (
                item["forwarding"]["document_id"].as_str(),
                item["forwarding"]["status"].as_str()
            ),
            (Some(doc.as_str()), Some("to_be_fetched")),
            "{page}"
        );
        assert_eq!(item["invoice"]["invoice_number"], "M-1");
        // The member's document list shows the accountant status.
        assert_eq!(accountant_status(&gw, &token, &doc).await, "to_be_fetched");
        let cursor = page["next"].as_i64().unwrap();
        let (_, again) = call(
            &gw,
            Method::GET,
            &format!("/v1/connectors/{feed_id}/feed?after={cursor}"),
            &books,
            None,
        )
        .await;
        assert!(again["items"].as_array().unwrap().is_empty(), "{again}");
        // The member cannot acknowledge the accountant's feed.
        let (status, _) = call(
            &gw,
            Method::POST,
            &format!("/v1/connectors/{feed_id}/ack"),
            &token,
            Some(json!({"document_ids": [doc]})),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, acked) = call(
            &gw,
            Method::POST,
            &format!("/v1/connectors/{feed_id}/ack"),
            &books,
            Some(json!({"document_ids": [doc]})),
        )
        .await;
        assert_eq!(acked["acknowledged"], 1);
        let (_, page) = call(
            &gw,
            Method::GET,
            &format!("/v1/connectors/{feed_id}/feed"),
            &books,
            None,
        )
        .await;
        assert_eq!(page["items"][0]["forwarding"]["status"], "forwarded");

        // The mailbox: one e-mail to the purchases address with the UBL and the original.
        for _ in 0..100 {
            if !mails.lock().unwrap().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mails = mails.lock().unwrap().clone();
        assert_eq!(mails.len(), 1, "{mails:?}");
        // Fetched and acknowledged by the feed, mailed by the mailbox: forwarded.
        let mut status = Value::Null;
        for _ in 0..100 {
            status = accountant_status(&gw, &token, &doc).await;
            if status == "forwarded" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, "forwarded");
        let mail = &mails[0];
        assert!(mail.contains("RCPT TO:<purchases@books.example>"), "{mail}");
        assert!(
            mail.contains("M-1-ubl.xml") && mail.contains("M-1.xml"),
            "{mail}"
        );
        let (_, detail) = call(
            &gw,
            Method::GET,
            &format!("/v1/archive/{doc}"),
            &books,
            None,
        )
        .await;
        let mut statuses: Vec<&str> = detail["forwarding"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["status"].as_str().unwrap())
            .collect();
        statuses.sort();
        assert_eq!(statuses, ["forwarded", "forwarded"], "{detail}");
    }
}
