//! Archive search over many generated invoices: p50/p95 latency per search kind.
//!
//! `cargo bench -p gateway-store --bench archive_search` on SQLite in a temporary directory;
//! with `GATEWAY_BENCH_DATABASE_URL=postgres://…` on PostgreSQL (see `common` for `BENCH_KEEP`
//! and `BENCH_REUSE_URL`). `BENCH_INVOICES` (default 20,000, CI-sized; the figure
//! is 1,000,000), `BENCH_QUERIES` (default 300 per kind) and `BENCH_COMPANIES` (default 1,000)
//! set the size. Target (issue 9): p95 ≤ 20 ms for each kind, over the whole archive (operator)
//! and for one company (member).
mod common;

use std::time::Instant;

use common::{env, ms, percentile, BenchDb};
use gateway_store::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Connection, Executor};

const SYLLABLES: &[&str] = &[
    "ste", "fan", "tra", "ns", "mo", "bi", "la", "ver", "de", "nor", "dic", "fo", "od", "ban",
    "ca", "lo", "gis", "tik", "mar", "co", "ro", "ma", "sil", "va", "nia", "ș", "ț", "ă", "ber",
    "gen",
];
const SUFFIXES: &[&str] = &["SRL", "SA", "GmbH", "BV", "NV", "AB", "Ltd", "SAS"];
const STATES: &[&str] = &["accepted", "sent", "archived"];

fn word(rng: &mut StdRng, syllables: std::ops::RangeInclusive<usize>) -> String {
    let n = rng.random_range(syllables);
    (0..n)
        .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
        .collect()
}

fn party(rng: &mut StdRng) -> String {
    let words = rng.random_range(1..=2);
    let mut parts: Vec<String> = (0..words).map(|_| word(rng, 3..=4)).collect();
    parts.push(SUFFIXES[rng.random_range(0..SUFFIXES.len())].to_string());
    parts.join(" ")
}

fn date(day: u32) -> String {
    let d = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap() + chrono::Days::new(day as u64);
    d.format("%Y-%m-%d").to_string()
}

/// One generated invoice, the parts queries are drawn from.
struct Sample {
    company: String,
    party: String,
    vat: String,
    number: String,
    cents: i64,
    day: u32,
    text: String,
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_INVOICES", 20_000);
    let queries = env("BENCH_QUERIES", 300);
    let companies = env("BENCH_COMPANIES", 1_000).max(1);
    let bench = BenchDb::open("gw_archive_bench").await;
    let (url, label) = (bench.url.clone(), bench.label);
    let db = DatabaseUrl::parse(&url).unwrap();
    let store = SqlStore::open(&db, SqlStore::default_blobs(db.backend(), bench.dir.path()))
        .await
        .unwrap();

    // Bulk load straight into the search tables (multi-row INSERTs, large transactions): the
    // chain and the extraction are not what is measured.
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(9);
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let vocabulary: Vec<String> = (0..20_000).map(|_| word(&mut rng, 3..=5)).collect();
    let mut samples: Vec<Sample> = Vec::new();
    let every = (n / 2000).max(1);
    let batch = 500;
    let mut i = 0;
    while i < n {
        let mut tx = conn.begin().await.unwrap();
        for _ in 0..20 {
            if i >= n {
                break;
            }
            let rows = batch.min(n - i);
            let mut inv = String::from("INSERT INTO archive_invoices (document_id, company_id, entry_seq, direction, state, invoice_number, number_key, counterparty_name, counterparty_folded, issue_date, due_date, currency, total, total_cents, content_folded, archived_at) VALUES ");
            let mut ids =
                String::from("INSERT INTO archive_identifiers (value, document_id) VALUES ");
            for r in 0..rows {
                let k = i + r;
                let id = format!("{k:032x}");
                let company = format!("company-{:04}", rng.random_range(0..companies));
                let name = party(&mut rng);
                let folded = fold_name(&name);
                let vat = format!("RO{:08}", rng.random_range(0..(n as u64 / 5).max(10)));
                let number = format!("INV-{k:08}");
                let cents: i64 = rng.random_range(100..10_000_000);
                let day = rng.random_range(0..1826u32);
                let words: Vec<&str> = (0..12)
                    .map(|_| vocabulary[rng.random_range(0..vocabulary.len())].as_str())
                    .collect();
                let text = fold_name(&format!("{name} {number} {}", words.join(" ")));
                if k % every == 0 {
                    samples.push(Sample {
                        company: company.clone(),
                        party: folded.clone(),
                        vat: vat.clone(),
                        number: number.clone(),
                        cents,
                        day,
                        text: words[3].to_string(),
                    });
                }
                if r > 0 {
                    inv.push(',');
                    ids.push(',');
                }
                let state = STATES[k % STATES.len()];
                let direction = if state == "accepted" {
                    "purchase"
                } else {
                    "sales"
                };
                inv.push_str(&format!(
                    "('{id}', '{company}', {k}, '{direction}', '{state}', '{number}', '{}', '{}', '{folded}', '{}', '{}', 'EUR', '{}.{:02}', {cents}, '{text}', '2026-01-01T00:00:00.000Z')",
                    fold_vat(&number),
                    name.replace('\'', "''"),
                    date(day),
                    date(day + 30),
                    cents / 100,
                    cents % 100,
                ));
                ids.push_str(&format!("('{vat}', '{id}')"));
            }
            // A reused database holds these seeded rows already: only the samples are wanted.
            if !bench.reused {
                for sql in [inv, ids] {
                    (&mut *tx).execute(sqlx::AssertSqlSafe(sql)).await.unwrap();
                }
            }
            i += rows;
        }
        tx.commit().await.unwrap();
    }
    let maintenance = match db.backend() {
        Backend::Postgres => "VACUUM ANALYZE",
        Backend::Sqlite => "ANALYZE",
    };
    if !bench.reused {
        conn.execute(maintenance).await.unwrap();
    }
    eprintln!(
        "{label}: loaded {n} invoices in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    type Make = fn(&Sample, usize) -> ArchiveQuery;
    let kinds: [(&str, Make); 8] = [
        ("counterparty", |s, q| ArchiveQuery {
            // A whole word, or the first four letters of it, as people type.
            counterparty: Some(match q % 2 {
                0 => s.party.split(' ').next().unwrap_or_default().to_string(),
                _ => s.party.chars().take(4).collect(),
            }),
            ..Default::default()
        }),
        ("identifier", |s, _| ArchiveQuery {
            identifier: Some(s.vat.clone()),
            ..Default::default()
        }),
        ("invoice number", |s, _| ArchiveQuery {
            invoice_number: Some(s.number.to_lowercase()),
            ..Default::default()
        }),
        ("amount range", |s, _| ArchiveQuery {
            amount_min_cents: Some(s.cents - 500),
            amount_max_cents: Some(s.cents + 500),
            ..Default::default()
        }),
        ("issue date range", |s, _| ArchiveQuery {
            issued_from: Some(date(s.day)),
            issued_to: Some(date(s.day + 7)),
            ..Default::default()
        }),
        ("due date range", |s, _| ArchiveQuery {
            due_from: Some(date(s.day + 30)),
            due_to: Some(date(s.day + 37)),
            ..Default::default()
        }),
        ("status", |_, q| ArchiveQuery {
            state: Some(STATES[q % STATES.len()].to_string()),
            ..Default::default()
        }),
        ("free text", |s, _| ArchiveQuery {
            text: Some(s.text.clone()),
            ..Default::default()
        }),
    ];
    let mut worst: f64 = 0.0;
    for scope in ["operator (all companies)", "member (one company)"] {
        for (kind, make) in &kinds {
            let mut took = Vec::with_capacity(queries);
            let mut hits = 0;
            for q in 0..queries {
                let s = &samples[(q * 7919) % samples.len()];
                let vis = match scope.starts_with("member") {
                    true => Visibility::Companies(vec![s.company.clone()]),
                    false => Visibility::All,
                };
                let query = ArchiveQuery {
                    limit: 50,
                    ..make(s, q)
                };
                let t = Instant::now();
                let found = store.search_archive(&vis, &query).await.unwrap();
                took.push(t.elapsed());
                hits += usize::from(!found.is_empty());
            }
            took.sort();
            let p95 = ms(percentile(&took, 0.95));
            worst = worst.max(p95);
            println!(
                "{label}, {n} invoices, {scope}, {kind:<16}: p50 {:6.2} ms, p95 {:6.2} ms, max {:6.2} ms, {hits}/{queries} with hits",
                ms(percentile(&took, 0.5)),
                p95,
                ms(*took.last().unwrap()),
            );
        }
    }
    println!(
        "{label}, {n} invoices: worst p95 {worst:.2} ms (target 20 ms: {})",
        if worst <= 20.0 { "met" } else { "MISSED" }
    );
    store.close().await;
    drop(conn);
    bench.finish().await;
}
