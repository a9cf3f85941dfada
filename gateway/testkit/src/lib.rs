//! Test support shared by the gateway's crates.
//!
//! Every storage test runs once per database from [`test_databases`]: a fresh SQLite file always,
//! and a fresh PostgreSQL database when `GATEWAY_TEST_DATABASE_URL` names a server. Under CI
//! (`CI=true`) that variable is required, so PostgreSQL can never be skipped silently.
#![forbid(unsafe_code)]

pub mod dns;

use std::path::{Path, PathBuf};

use sqlx::Executor;

/// Environment variable naming a PostgreSQL server for tests (any database on it; tests create their own).
pub const PG_ENV: &str = "GATEWAY_TEST_DATABASE_URL";

/// One database for one test. A PostgreSQL database is dropped when this is dropped.
pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    /// Data directory for blobs and TLS material of this test.
    pub dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl TestDb {
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg.take() else {
            return;
        };
        // Drop runs outside async context: a small runtime on its own thread does the work.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                sqlx::any::install_default_drivers();
                let pool = sqlx::AnyPool::connect(&admin_url).await.ok()?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                pool.execute(sqlx::AssertSqlSafe(sql)).await.ok()?;
                pool.close().await;
                Some(())
            })
        })
        .join();
    }
}

/// The databases every storage test runs against.
pub async fn test_databases() -> Vec<TestDb> {
    let mut out = vec![sqlite()];
    match std::env::var(PG_ENV) {
        Ok(url) if !url.is_empty() => out.push(postgres(&url).await),
        _ if in_ci() => {
            panic!("{PG_ENV} is not set under CI: storage tests must also run on PostgreSQL")
        }
        _ => eprintln!("note: {PG_ENV} not set; running on SQLite only"),
    }
    out
}

fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("gateway.db").display()
    );
    TestDb {
        url,
        backend: "sqlite",
        dir,
        pg: None,
    }
}

async fn postgres(admin_url: &str) -> TestDb {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("{PG_ENV}={admin_url}: cannot connect: {e}"));
    let name = format!("gw_test_{}", uuid::Uuid::new_v4().simple());
    pool.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
    // scripts/test.sh counts these rows to prove the run really used PostgreSQL.
    let _ = sqlx::query("INSERT INTO gateway_test_log (name) VALUES ($1)")
        .bind(name.as_str())
        .execute(&pool)
        .await;
    pool.close().await;
    TestDb {
        url: replace_database(admin_url, &name),
        backend: "postgres",
        dir: tempfile::tempdir().expect("temporary directory"),
        pg: Some((admin_url.to_string(), name)),
    }
}

/// `postgres://u@h:5432/db?x=y` with `db` replaced by `name`.
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

/// The shared data folder (`../shared` from the repository root, or `GATEWAY_SHARED`).
pub fn shared_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("GATEWAY_SHARED") {
        return PathBuf::from(dir);
    }
    // At run time, not `env!`: a checkout that moved after building must still find its data.
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for ancestor in start.ancestors() {
        let candidate = ancestor.join("shared");
        if candidate.join("conformance").is_dir() {
            return candidate;
        }
    }
    panic!(
        "shared data not found: set GATEWAY_SHARED or place `shared/` beside the repository (looked up from {})",
        start.display()
    )
}

/// A path inside the shared data folder, which must exist.
pub fn shared(rel: &str) -> PathBuf {
    let path = shared_dir().join(rel);
    assert!(path.exists(), "missing shared file {}", path.display());
    path
}

/// The bytes of a file inside the shared data folder.
pub fn read_shared(rel: &str) -> Vec<u8> {
    let path = shared(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A fresh empty directory named after the test, removed on drop.
pub struct TempDir(tempfile::TempDir);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("gateway-test-{tag}-"))
            .tempdir()
            .expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// True when running in CI, where a missing external tool is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports a missing external tool: panics in CI, prints a clear skip note otherwise.
/// Returns false when the caller must skip.
pub fn tool_available(available: bool, what: &str) -> bool {
    if !available {
        assert!(!in_ci(), "{what} is required when CI=true");
        eprintln!("SKIPPED: {what} is not available (set CI=true to make this a failure)");
    }
    available
}

/// `python3` for checks against the Python peers. Missing is a failure under CI, where the
/// machine always has it; elsewhere the caller skips that one comparison.
pub fn python3() -> Option<&'static str> {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    tool_available(found, "python3").then_some("python3")
}

/// The Python of the peers' virtual environment (`../shared/peers/setup.sh`): `PEERS_VENV`, else
/// `target/peers-venv` of the workspace. The peers are a test dependency, never optional.
pub fn peers_python() -> PathBuf {
    let venv = std::env::var_os("PEERS_VENV")
        .map(PathBuf::from)
        .or_else(|| {
            let start = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)?;
            start
                .ancestors()
                .map(|a| a.join("target/peers-venv"))
                .find(|p| p.join("bin/python").exists())
        });
    match venv {
        Some(v) if v.join("bin/python").exists() => v.join("bin/python"),
        _ => panic!(
            "the test peers are not installed: run `bash ../shared/peers/setup.sh target/peers-venv` (scripts/test.sh does)"
        ),
    }
}

/// A peer script under `shared/peers`, e.g. `smp/verify_smp.py`.
pub fn peer(script: &str) -> PathBuf {
    shared(&format!("peers/{script}"))
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "t3"), "postgres://h/t3");
    }
}
