//! What the store benches share: where their database lives and how figures are read.
//!
//! SQLite in a temporary directory by default. `GATEWAY_BENCH_DATABASE_URL=postgres://…` (an
//! admin URL) makes a fresh database on that server, dropped at the end unless `BENCH_KEEP=1`;
//! `BENCH_REUSE_URL=postgres://…/name` runs the queries against a database kept that way, loaded
//! with the same seed, so that a 1,000,000-row figure does not cost a reload each time.
use std::time::Duration;

use sqlx::{Connection, Executor};

pub struct BenchDb {
    pub url: String,
    pub label: &'static str,
    /// The rows are there already: generate the samples, insert nothing.
    pub reused: bool,
    /// The admin URL of a database this run made (and drops).
    made_on: Option<String>,
    pub dir: tempfile::TempDir,
}

impl BenchDb {
    pub async fn open(prefix: &str) -> BenchDb {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        if let Ok(url) = std::env::var("BENCH_REUSE_URL") {
            return BenchDb {
                url,
                label: "PostgreSQL (reused)",
                reused: true,
                made_on: None,
                dir,
            };
        }
        let Ok(admin) = std::env::var("GATEWAY_BENCH_DATABASE_URL") else {
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("bench.db").display()
            );
            return BenchDb {
                url,
                label: "SQLite",
                reused: false,
                made_on: None,
                dir,
            };
        };
        let name = format!("{prefix}_{}", std::process::id());
        let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            conn.execute(sqlx::AssertSqlSafe(sql)).await.unwrap();
        }
        let (base, _) = admin.rsplit_once('/').unwrap();
        let keep = std::env::var("BENCH_KEEP").is_ok();
        if keep {
            eprintln!("keeping the database: BENCH_REUSE_URL={base}/{name}");
        }
        BenchDb {
            url: format!("{base}/{name}"),
            label: "PostgreSQL",
            reused: false,
            made_on: (!keep).then_some(admin),
            dir,
        }
    }

    /// Drops the database this run made (unless kept).
    pub async fn finish(self) {
        let Some(admin) = self.made_on else { return };
        let name = self.url.rsplit('/').next().unwrap_or_default().to_string();
        let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
        conn.execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .await
        .unwrap();
    }
}

/// A size from the environment (`1_000_000` reads too), or `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
