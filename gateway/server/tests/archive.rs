//! The archive end to end, against the real binary: the worker archives documents that reach an
//! archived state, `gateway archive verify` proves the chain or names the first entry that was
//! tampered with, retention leaves signed tombstones, and search and exports work over HTTP.
mod common;

use std::process::Command;
use std::time::Duration;

use common::{cli, cli_json, member_token, Gateway, BIN};
use gateway_store::{
    Archive, DatabaseUrl, Direction, NewDocument, SqlStore, StateChange, Store, Visibility,
};
use gateway_testkit::{read_shared, test_databases, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Executor;

/// A UBL invoice from the shared vectors with its number, seller, issue date and amount changed.
pub fn invoice(number: &str, seller: &str, issued: &str, amount: &str) -> Vec<u8> {
    String::from_utf8(read_shared("vectors/ubl/base-example.xml"))
        .unwrap()
        .replace("test-invoice-phase4", number)
        .replace("SupplierOfficialName Ltd", seller)
        .replace("2021-10-13", issued)
        .replace(">1656.25<", &format!(">{amount}<"))
        .into_bytes()
}

async fn open(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

fn company(db: &TestDb, name: &str, vat: &str) -> String {
    let c = cli_json(
        db,
        &[
            "company",
            "add",
            "--name",
            name,
            "--country",
            &vat[..2],
            "--vat",
            vat,
        ],
    );
    c["id"].as_str().unwrap().to_string()
}

/// A purchase invoice received, then accepted: archived by the lifecycle's contract.
async fn accepted(store: &SqlStore, company: &str, bytes: Vec<u8>) -> String {
    let doc = store
        .create_document(NewDocument {
            company_id: company.into(),
            direction: Direction::Purchase,
            source: "test".into(),
            media_type: "application/xml".into(),
            file_name: Some("invoice.xml".into()),
            bytes,
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
                detail: json!({"by": "test"}),
            },
        )
        .await
        .unwrap();
    doc.id
}

async fn wait_archived(store: &SqlStore, n: i64) {
    for _ in 0..150 {
        if store.archive_stats().await.unwrap().documents >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the archiver did not archive {n} documents within 15 s");
}

/// `gateway archive verify --format json`: (exit code, report).
fn verify(db: &TestDb) -> (i32, Value) {
    let out = cli(db, &["archive", "verify", "--format", "json"]);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON: {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

fn assert_fails_at(db: &TestDb, seq: i64, doc: &str, why: &str) {
    let (code, report) = verify(db);
    assert_eq!(code, 1, "{}: {report}", db.backend);
    let f = &report["first_failure"];
    assert_eq!(
        (f["seq"].as_i64(), f["document_id"].as_str()),
        (Some(seq), Some(doc)),
        "{}: {report}",
        db.backend
    );
    assert!(
        f["reason"].as_str().unwrap().contains(why),
        "{}: {report}",
        db.backend
    );
    // The text form names the entry on one line.
    let out = cli(db, &["archive", "verify"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("entry {seq} (document {doc})")),
        "{text}"
    );
}

#[tokio::test]
async fn verify_passes_untouched_and_names_the_first_tampered_entry() {
    for db in test_databases().await {
        let company = company(&db, "Alpha SA", "BE0123456749");
        let store = open(&db).await;
        let gw = Gateway::start_with(&db, &[("GATEWAY_ARCHIVE__POLL_INTERVAL_MS", "100")]);
        let mut docs = Vec::new();
        for (i, amount) in ["100.00", "200.00", "300.00"].iter().enumerate() {
            docs.push(
                accepted(
                    &store,
                    &company,
                    invoice(&format!("T-{i}"), "Tamper Test Ltd", "2026-05-01", amount),
                )
                .await,
            );
        }
        wait_archived(&store, 3).await;
        drop(gw);
        let cp = cli_json(&db, &["archive", "checkpoint"]);
        assert_eq!(cp["head_seq"], 3);
        let (code, report) = verify(&db);
        assert_eq!((code, report["ok"].as_bool()), (0, Some(true)), "{report}");
        assert_eq!(
            (
                report["entries"].as_i64(),
                report["checkpoints"].as_i64(),
                report["unsigned_tail"].as_i64()
            ),
            (Some(3), Some(1), Some(0))
        );
        let text = String::from_utf8_lossy(&cli(&db, &["archive", "verify"]).stdout).to_string();
        assert!(text.starts_with("archive intact: 3 entries"), "{text}");

        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let sha = |id: &str| {
            let id = id.to_string();
            let store = &store;
            async move {
                store
                    .get_document(&Visibility::All, &id)
                    .await
                    .unwrap()
                    .unwrap()
                    .blob
                    .sha256
            }
        };
        // 1. Swap one blob: the third document's bytes become the first's.
        let (sha1, sha3) = (sha(&docs[0]).await, sha(&docs[2]).await);
        let original3 = store.get_blob(&sha3).await.unwrap().unwrap();
        let bytes1 = store.get_blob(&sha1).await.unwrap().unwrap();
        let file3 = db
            .data_dir()
            .join("blobs")
            .join(&sha3[..2])
            .join(&sha3[2..4])
            .join(&sha3);
        let swap = |bytes: Vec<u8>| {
            let pool = pool.clone();
            let file3 = file3.clone();
            let sha3 = sha3.clone();
            let backend = db.backend;
            async move {
                // Small blobs live in the database even on SQLite (`INLINE_MAX`).
                if backend == "postgres" || !file3.exists() {
                    sqlx::query("UPDATE blobs SET content = $1 WHERE sha256 = $2")
                        .bind(bytes)
                        .bind(sha3.as_str())
                        .execute(&pool)
                        .await
                        .unwrap();
                } else {
                    std::fs::write(&file3, bytes).unwrap();
                }
            }
        };
        swap(bytes1).await;
        assert_fails_at(&db, 3, &docs[2], "blob");
        swap(original3).await;
        assert_eq!(verify(&db).0, 0, "restored");

        // 2. Edit one amount in the database.
        sqlx::query("UPDATE archive_invoices SET total = '2000.00', total_cents = 200000 WHERE document_id = $1")
            .bind(docs[1].as_str()).execute(&pool).await.unwrap();
        assert_fails_at(&db, 2, &docs[1], "fields");
        sqlx::query("UPDATE archive_invoices SET total = '200.00', total_cents = 20000 WHERE document_id = $1")
            .bind(docs[1].as_str()).execute(&pool).await.unwrap();
        assert_eq!(verify(&db).0, 0, "restored");

        // 3. Delete one journal event (the append-only trigger taken away first).
        let mut conn = pool.acquire().await.unwrap();
        if db.backend == "postgres" {
            conn.execute("ALTER TABLE events DISABLE TRIGGER events_no_update")
                .await
                .unwrap();
        } else {
            conn.execute("DROP TRIGGER events_no_delete").await.unwrap();
        }
        sqlx::query("DELETE FROM events WHERE document_id = $1 AND seq = 1")
            .bind(docs[0].as_str())
            .execute(&mut *conn)
            .await
            .unwrap();
        assert_fails_at(&db, 1, &docs[0], "journal");
    }
}

#[tokio::test]
async fn retention_ends_with_signed_tombstones_that_verify() {
    for db in test_databases().await {
        let company = company(&db, "Alpha SA", "BE0123456749");
        let store = open(&db).await;
        let doc = accepted(
            &store,
            &company,
            invoice("OLD-1", "Old Supplier", "2016-01-01", "10.00"),
        )
        .await;
        let run = |args: &[&str]| {
            Command::new(BIN)
                .args(args)
                .args(["--format", "json", "--data-dir"])
                .arg(db.data_dir())
                .arg("--database-url")
                .arg(&db.url)
                .env("GATEWAY_ARCHIVE__RETENTION_YEARS", "0")
                .output()
                .unwrap()
        };
        let out = run(&["archive", "checkpoint"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(&["archive", "expire"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expired: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(expired["expired"], 1);
        let (code, report) = verify(&db);
        assert_eq!(code, 0, "{report}");
        assert_eq!(
            (report["documents"].as_i64(), report["tombstones"].as_i64()),
            (Some(1), Some(1))
        );
        let sha = store
            .get_document(&Visibility::All, &doc)
            .await
            .unwrap()
            .unwrap()
            .blob
            .sha256;
        assert!(store.get_blob(&sha).await.is_err(), "the bytes are gone");
        // A forged tombstone signature is caught: re-sign with another key.
        let other = tempfile::tempdir().unwrap();
        let key = other.path().join("k.key");
        let out = Command::new(BIN)
            .args(["archive", "checkpoint", "--data-dir"])
            .arg(other.path())
            .env("GATEWAY_ARCHIVE__KEY_FILE", &key)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out = cli(
            &db,
            &[
                "archive",
                "verify",
                "--public-key",
                key.with_extension("pub").to_str().unwrap(),
                "--format",
                "json",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "another key does not verify this archive"
        );
    }
}

async fn get(gw: &Gateway, token: &str, path: &str) -> (StatusCode, Vec<u8>) {
    let resp = gw
        .client
        .get(gw.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.bytes().await.unwrap().to_vec())
}

async fn numbers(gw: &Gateway, token: &str, query: &str) -> Vec<String> {
    let (status, body) = get(gw, token, &format!("/v1/archive?{query}")).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{query}: {}",
        String::from_utf8_lossy(&body)
    );
    let page: Value = serde_json::from_slice(&body).unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["invoice_number"].as_str().unwrap_or("-").to_string())
        .collect()
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().to_string(), data)
        })
        .collect()
}

#[tokio::test]
async fn search_over_extracted_fields_and_exports_over_http() {
    for db in test_databases().await {
        let company = company(&db, "Alpha SA", "BE0123456749");
        let token = member_token(&db, &company, "t");
        let store = open(&db).await;
        let gw = Gateway::start_with(&db, &[("GATEWAY_ARCHIVE__POLL_INTERVAL_MS", "100")]);
        let a = accepted(
            &store,
            &company,
            invoice("S-100", "Ștefan &amp; Fiii S.R.L.", "2026-01-15", "120.50"),
        )
        .await;
        let _b = accepted(
            &store,
            &company,
            invoice("S-200", "Müller Straße GmbH", "2026-02-15", "999.00"),
        )
        .await;
        let cii = accepted(
            &store,
            &company,
            read_shared("corpus/zugferd-corpus/XML-Rechnung/CII/EN16931_Einfach.cii.xml"),
        )
        .await;
        wait_archived(&store, 3).await;

        assert_eq!(numbers(&gw, &token, "").await, ["S-200", "S-100", "471102"]);
        assert_eq!(
            numbers(&gw, &token, "counterparty=STEFAN%20fi").await,
            ["S-100"]
        );
        assert_eq!(
            numbers(&gw, &token, "counterparty=lieferant").await,
            ["471102"]
        );
        assert_eq!(numbers(&gw, &token, "q=strasse").await, ["S-200"]);
        assert_eq!(numbers(&gw, &token, "q=joghurt%20banane").await, ["471102"]);
        assert_eq!(numbers(&gw, &token, "number=s%20100").await, ["S-100"]);
        assert_eq!(
            numbers(&gw, &token, "amount_min=500&amount_max=999.00").await,
            ["S-200", "471102"]
        );
        assert_eq!(
            numbers(&gw, &token, "issued_from=2026-01-01&issued_to=2026-01-31").await,
            ["S-100"]
        );
        assert_eq!(numbers(&gw, &token, "due_to=2020-01-01").await.len(), 0);
        // Bad criteria are named, worded as the document list words them.
        for (query, says) in [
            (
                "issued_from=31/12/2026",
                "issued_from: `31/12/2026` is not a date",
            ),
            (
                "amount_max=lots",
                "amount_max: `lots` is not a decimal amount",
            ),
        ] {
            let (status, body) = get(&gw, &token, &format!("/v1/archive?{query}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains(says), "{query}: {body}");
        }
        assert_eq!(
            numbers(&gw, &token, "status=accepted&direction=purchase")
                .await
                .len(),
            3
        );
        let (status, body) = get(&gw, &token, "/v1/archive?amount_min=lots").await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(&body)
        );

        // The CII invoice as UBL; the originals as received.
        let (status, ubl) = get(&gw, &token, &format!("/v1/archive/{cii}/ubl")).await;
        assert_eq!(status, StatusCode::OK);
        let ubl = String::from_utf8(ubl).unwrap();
        assert!(
            ubl.contains("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2")
                && ubl.contains("471102"),
            "{ubl}"
        );

        // ZIP of a selection: UBL, original and the index.
        let (status, bytes) = get(
            &gw,
            &token,
            &format!("/v1/exports/archive.zip?ids={a},{cii}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let files = unzip(&bytes);
        let index = String::from_utf8(files["index.csv"].clone()).unwrap();
        assert_eq!(index.lines().count(), 3, "{index}");
        assert!(
            index.contains("S-100") && index.contains("471102") && !index.contains("S-200"),
            "{index}"
        );
        assert_eq!(
            files[&format!("{cii}/original/invoice.xml")],
            read_shared("corpus/zugferd-corpus/XML-Rechnung/CII/EN16931_Einfach.cii.xml")
        );
        assert!(String::from_utf8_lossy(&files[&format!("{cii}/ubl.xml")]).contains("Invoice-2"));
        assert!(files.contains_key(&format!("{a}/ubl.xml")));

        // XLSX of a list view.
        let (status, bytes) =
            get(&gw, &token, "/v1/exports/archive.xlsx?counterparty=muller").await;
        assert_eq!(status, StatusCode::OK);
        let files = unzip(&bytes);
        let text: String = files
            .iter()
            .filter(|(n, _)| n.starts_with("xl/"))
            .map(|(_, d)| String::from_utf8_lossy(d).to_string())
            .collect();
        assert!(
            text.contains("S-200")
                && text.contains("Müller Straße GmbH")
                && !text.contains("S-100"),
            "{text}"
        );
    }
}
