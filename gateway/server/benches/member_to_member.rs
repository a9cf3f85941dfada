//! Member-to-member throughput: submit → validate → store → route → the other member's inbox,
//! through the same lifecycle functions the API uses (no HTTP), invoices per second.
//!
//! `cargo bench -p gateway-server --bench member_to_member` runs on SQLite in a temporary
//! directory (blobs in files, as the embedded default) and, when `GATEWAY_TEST_DATABASE_URL`
//! names a PostgreSQL server, on a fresh database there too (blobs in the database).
//! `BENCH_INVOICES` (default 5,000) and `BENCH_CONCURRENCY` (default 32) set the load; the
//! typical invoice is the Peppol BIS base example (9 KB, two lines). `BENCH_BLOBS=database`
//! keeps SQLite's blobs in the database instead of files; `BENCH_PARSE=1` only prints the CPU
//! cost of parsing and validating one invoice. Target (issue 7): ≥ 2,000 invoices/s on SQLite
//! on 2 cores.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use gateway_server::lifecycle::{self, Submission, Then};

// The allocator of the `gateway` binary, so that the figures are the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use gateway_store::*;

/// CPU seconds this process has used (user + system, all threads), from `/proc/self/stat`: on a
/// machine shared with other work, CPU per invoice says more than wall-clock time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (in parentheses): utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks / 100.0)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The BIS example, issued by the first member to the second.
fn template() -> String {
    let base = String::from_utf8(gateway_testkit::read_shared(
        "conformance/peppol-bis3/rules/examples/base-example.xml",
    ))
    .expect("UTF-8");
    base.replace(
        r#"<cbc:EndpointID schemeID="0088">9482348239847239874</cbc:EndpointID>"#,
        r#"<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>"#,
    )
    .replace(
        r#"<cbc:EndpointID schemeID="0002">FR23342</cbc:EndpointID>"#,
        r#"<cbc:EndpointID schemeID="9947">ro18547290</cbc:EndpointID>"#,
    )
}

async fn company(store: &SqlStore, name: &str, vat: &str, pid: &str) -> Company {
    store
        .create_company(NewCompany {
            legal_name: name.into(),
            vat_number: Some(vat.into()),
            country: vat[..2].into(),
            address: Address::default(),
            identifiers: vec![Identifier {
                scheme: gateway_peppol::PARTICIPANT_SCHEME.into(),
                value: pid.into(),
            }],
        })
        .await
        .expect("company")
}

#[tokio::main]
async fn main() {
    let invoices = env("BENCH_INVOICES", 5_000);
    let concurrency = env("BENCH_CONCURRENCY", 32);
    let template = Arc::new(template());
    if std::env::var("BENCH_PARSE").is_ok() {
        let t = Instant::now();
        for _ in 0..200 {
            let p = lifecycle::extract::parse(template.as_bytes()).unwrap();
            std::hint::black_box(&p);
        }
        println!("parse {:?}", t.elapsed() / 200);
        let p = lifecycle::extract::parse(template.as_bytes()).unwrap();
        let t = Instant::now();
        for _ in 0..200 {
            std::hint::black_box(lifecycle::extract::validate(&p).unwrap());
        }
        println!("validate {:?}", t.elapsed() / 200);
        return;
    }
    for db in gateway_testkit::test_databases().await {
        let url = DatabaseUrl::parse(&db.url).expect("URL");
        let blobs = match std::env::var("BENCH_BLOBS").as_deref() {
            Ok("database") => BlobLocation::Database,
            _ => SqlStore::default_blobs(url.backend(), db.data_dir()),
        };
        let store: Arc<SqlStore> = Arc::new(SqlStore::open(&url, blobs).await.expect("open"));
        let a = company(&store, "Alpha SA", "BE0123456749", "0208:0123456749").await;
        let b = company(&store, "Beta SRL", "RO18547290", "9947:ro18547290").await;
        // Warm-up: one invoice through, so connections and caches are ready.
        let next = Arc::new(AtomicUsize::new(0));
        let run = |count: usize, offset: usize| {
            let mut tasks = Vec::new();
            for _ in 0..concurrency {
                let (store, next, template, a) =
                    (store.clone(), next.clone(), template.clone(), a.id.clone());
                tasks.push(tokio::spawn(async move {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= count {
                            break;
                        }
                        let xml = template.replace(
                            "<cbc:ID>Snippet1</cbc:ID>",
                            &format!("<cbc:ID>BENCH-{}</cbc:ID>", i + offset),
                        );
                        let created = lifecycle::submit(
                            store.as_ref(),
                            Submission {
                                company_id: a.clone(),
                                direction: Direction::Sales,
                                source: "api".into(),
                                media_type: "application/xml".into(),
                                file_name: None,
                                bytes: xml.into_bytes(),
                                actor: "bench".into(),
                                idempotency: None,
                                then: Some(Then::Send),
                            },
                        )
                        .await
                        .expect("submit");
                        assert_eq!(created.document.state, "sent");
                    }
                }));
            }
            tasks
        };
        for t in run(concurrency, 1_000_000) {
            t.await.expect("warm-up");
        }
        next.store(0, Ordering::Relaxed);
        let (started, cpu_before) = (Instant::now(), cpu_seconds());
        for t in run(invoices, 0) {
            t.await.expect("task");
        }
        let elapsed = started.elapsed();
        let cpu = cpu_seconds()
            .zip(cpu_before)
            .map(|(after, before)| {
                format!(
                    ", {:.2} ms CPU per invoice in this process",
                    (after - before) * 1000.0 / invoices as f64
                )
            })
            .unwrap_or_default();
        let inbox = store
            .status_totals(
                &Visibility::Companies(vec![b.id.clone()]),
                &DocumentFilter {
                    direction: Some(Direction::Purchase),
                    ..Default::default()
                },
            )
            .await
            .expect("totals");
        let received: i64 = inbox.iter().map(|s| s.count).sum();
        assert_eq!(
            received as usize,
            invoices + concurrency,
            "every invoice reached B"
        );
        println!(
            "member_to_member {:<8} {invoices} invoices, {concurrency} in flight: {:.2} s, {:.0} invoices/s{cpu}",
            db.backend,
            elapsed.as_secs_f64(),
            invoices as f64 / elapsed.as_secs_f64()
        );
        store.close().await;
    }
}
