//! Directory search over many generated participants: p50/p99 latency by name and by identifier.
//!
//! `cargo bench -p gateway-store --bench directory_search` on SQLite in a temporary directory;
//! with `GATEWAY_BENCH_DATABASE_URL=postgres://…` on PostgreSQL (a fresh database is made on that
//! server). `BENCH_PARTICIPANTS` (default 1,000,000) and `BENCH_QUERIES` (default 2,000) set the size.
//! Targets (issue 5): p99 ≤ 5 ms by name, ≤ 1 ms by identifier.
mod common;

use std::time::{Duration, Instant};

use common::{env, ms, percentile, BenchDb};
use gateway_store::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Connection, Executor};

const SUFFIXES: &[&str] = &[
    "SRL", "SA", "GmbH", "BV", "NV", "AB", "AS", "Ltd", "SAS", "Oy",
];
const SYLLABLES: &[&str] = &[
    "ste", "fan", "tra", "ns", "mo", "bi", "la", "ver", "de", "nor", "dic", "fo", "od", "ban",
    "ca", "lo", "gis", "tik", "mar", "co", "ro", "ma", "sil", "va", "nia", "ș", "ț", "ă", "ber",
    "gen",
];

fn word(rng: &mut StdRng) -> String {
    let n = rng.random_range(2..=4);
    let mut w = String::new();
    for _ in 0..n {
        w.push_str(SYLLABLES[rng.random_range(0..SYLLABLES.len())]);
    }
    let mut chars = w.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => w,
    }
}

fn name(rng: &mut StdRng) -> String {
    let words = rng.random_range(1..=3);
    let mut parts: Vec<String> = (0..words).map(|_| word(rng)).collect();
    parts.push(SUFFIXES[rng.random_range(0..SUFFIXES.len())].to_string());
    parts.join(" ")
}

#[tokio::main]
async fn main() {
    let n = env("BENCH_PARTICIPANTS", 1_000_000);
    let queries = env("BENCH_QUERIES", 2_000);
    let bench = BenchDb::open("gw_bench").await;
    let (url, label) = (bench.url.clone(), bench.label);
    let db = DatabaseUrl::parse(&url).unwrap();
    let store = SqlStore::open(&db, SqlStore::default_blobs(db.backend(), bench.dir.path()))
        .await
        .unwrap();

    // Bulk load through plain multi-row INSERTs in large transactions: loading is not what we measure.
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(16931);
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let mut sample_names = Vec::new();
    let mut sample_ids = Vec::new();
    let batch = 500;
    let mut i = if bench.reused { n } else { 0 };
    if bench.reused {
        // Samples only: the database already holds the same seeded participants.
        for k in 0..n {
            let legal = name(&mut rng);
            if k % (n / 1000).max(1) == 0 {
                sample_names.push(legal);
                sample_ids.push(format!("9925:be{:010}", k));
            }
        }
    }
    while i < n {
        let mut tx = conn.begin().await.unwrap();
        for _ in 0..20 {
            if i >= n {
                break;
            }
            let rows = batch.min(n - i);
            let mut p_sql = String::from("INSERT INTO participants (id, legal_name, search_name, vat_key, country, delivery, source, created_at, updated_at) VALUES ");
            let mut w_sql =
                String::from("INSERT INTO participant_words (word, participant_id) VALUES ");
            let mut i_sql = String::from(
                "INSERT INTO participant_identifiers (participant_id, scheme, value) VALUES ",
            );
            let mut words_seen = 0;
            for r in 0..rows {
                let id = format!("{:032x}", i + r);
                let legal = name(&mut rng);
                let folded = fold_name(&legal);
                let vat = format!("BE{:010}", i + r);
                if (i + r) % (n / 1000).max(1) == 0 {
                    sample_names.push(legal.clone());
                    sample_ids.push(format!("9925:{}", vat.to_lowercase()));
                }
                if r > 0 {
                    p_sql.push(',');
                    i_sql.push(',');
                }
                p_sql.push_str(&format!(
                    "('{id}', '{}', '{folded}', '{vat}', 'BE', 'peppol', 'bench', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                    legal.replace('\'', "''")
                ));
                i_sql.push_str(&format!(
                    "('{id}', 'iso6523-actorid-upis', '9925:{}')",
                    vat.to_lowercase()
                ));
                for w in name_words(&folded) {
                    if words_seen > 0 {
                        w_sql.push(',');
                    }
                    words_seen += 1;
                    w_sql.push_str(&format!("('{w}', '{id}')"));
                }
            }
            for sql in [p_sql, w_sql, i_sql] {
                (&mut *tx).execute(sqlx::AssertSqlSafe(sql)).await.unwrap();
            }
            i += rows;
        }
        tx.commit().await.unwrap();
    }
    // As autovacuum would soon: statistics, and the visibility map that index-only scans need.
    let maintenance = match db.backend() {
        Backend::Postgres => "VACUUM ANALYZE",
        Backend::Sqlite => "ANALYZE",
    };
    conn.execute(maintenance).await.unwrap();
    eprintln!(
        "{label}: loaded {n} participants in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let vis = Visibility::Companies(vec!["some-member".into()]);
    let mut by_name = Vec::with_capacity(queries);
    let mut slowest: Vec<(Duration, String, usize)> = Vec::new();
    let mut hits = 0usize;
    for q in 0..queries {
        let sample = &sample_names[q % sample_names.len()];
        let folded = fold_name(sample);
        let words: Vec<&str> = folded.split(' ').collect();
        // What people type: a prefix of one word, or prefixes of two.
        let query = if q % 2 == 0 {
            words[0].chars().take(3 + q % 3).collect::<String>()
        } else {
            words
                .iter()
                .take(2)
                .map(|w| w.chars().take(4).collect::<String>())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let t = Instant::now();
        let found = store
            .search_participants(&vis, &DirectoryQuery::Name(query.clone()), 20)
            .await
            .unwrap();
        by_name.push(t.elapsed());
        slowest.push((t.elapsed(), query, found.len()));
        hits += usize::from(!found.is_empty());
    }
    let mut by_id = Vec::with_capacity(queries);
    for q in 0..queries {
        let id = Identifier {
            scheme: "iso6523-actorid-upis".into(),
            value: sample_ids[q % sample_ids.len()].clone(),
        };
        let t = Instant::now();
        let found = store
            .search_participants(&vis, &DirectoryQuery::Identifier(id), 5)
            .await
            .unwrap();
        by_id.push(t.elapsed());
        assert_eq!(found.len(), 1, "every sampled identifier is found");
    }
    by_name.sort();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (took, query, found) in slowest.iter().take(5) {
        eprintln!(
            "slow: {:>7.2} ms  {query:?} ({found} found)",
            took.as_secs_f64() * 1000.0
        );
    }
    by_id.sort();
    println!(
        "{label}, {n} participants: by name p50 {:.2} ms, p99 {:.2} ms (target 5 ms, {:.1}x headroom), {hits}/{queries} with hits; by identifier p50 {:.3} ms, p99 {:.3} ms (target 1 ms, {:.1}x headroom)",
        ms(percentile(&by_name, 0.5)),
        ms(percentile(&by_name, 0.99)),
        5.0 / ms(percentile(&by_name, 0.99)),
        ms(percentile(&by_id, 0.5)),
        ms(percentile(&by_id, 0.99)),
        1.0 / ms(percentile(&by_id, 0.99)),
    );
    store.close().await;
    drop(conn);
    bench.finish().await;
}
