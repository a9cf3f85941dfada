//! Connecting to SQLite or PostgreSQL behind one `sqlx::Any` pool.
use std::path::Path;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection, Executor};

use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A database URL whose backend is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    url: String,
    backend: Backend,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self> {
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::UnsupportedUrl(redact(url)));
        };
        Ok(Self {
            url: url.to_string(),
            backend,
        })
    }

    /// The embedded default: a SQLite file, created when missing.
    pub fn sqlite_file(path: &Path) -> Self {
        Self {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            backend: Backend::Sqlite,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The URL without its password, for messages and logs.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }
}

fn redact(url: &str) -> String {
    // scheme://user:password@host → scheme://user:***@host
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// The pools a store uses. SQLite allows one writer at a time, so writes go through a pool of one
/// connection (no `SQLITE_BUSY` on lock upgrades) while reads share a larger pool in WAL mode.
/// On PostgreSQL both are the same pool.
#[derive(Debug, Clone)]
pub(crate) struct Pools {
    pub read: AnyPool,
    pub write: AnyPool,
}

pub(crate) async fn connect(url: &DatabaseUrl) -> Result<Pools> {
    sqlx::any::install_default_drivers();
    let fail = |source| Error::Connect {
        url: url.redacted(),
        source,
    };
    match url.backend {
        Backend::Postgres => {
            // One direct connection first: a pool only says "timed out", this says why.
            let probe = tokio::time::timeout(
                Duration::from_secs(10),
                sqlx::AnyConnection::connect(&url.url),
            )
            .await
            .map_err(|_| fail(sqlx::Error::PoolTimedOut))?
            .map_err(fail)?;
            probe.close().await.map_err(fail)?;
            // The wait for a free connection is as long as SQLite's: a 5 s limit failed requests
            // (and tests) on a busy 2-core machine while PostgreSQL was merely slow.
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect(&url.url)
                .await
                .map_err(fail)?;
            Ok(Pools {
                read: pool.clone(),
                write: pool,
            })
        }
        Backend::Sqlite => {
            let write = sqlite_pool(1).connect(&url.url).await.map_err(fail)?;
            // WAL is a property of the file: set it once through the writer.
            write
                .execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(fail)?;
            let read = sqlite_pool(8).connect(&url.url).await.map_err(fail)?;
            Ok(Pools { read, write })
        }
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                // synchronous = FULL: in WAL mode every commit syncs the log, so a document the
                // API acknowledged survives a power cut (NORMAL may lose the last commits). Group
                // commit (see `group`) shares that sync among concurrent requests.
                // mmap shares the OS page cache between connections; the page cache covers the rest.
                conn.execute(
                    "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;
                     PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -32768",
                )
                    .await?;
                Ok(())
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_redacted() {
        let url = DatabaseUrl::parse("postgres://gw:s3cret@db:5432/gw").unwrap();
        assert_eq!(url.redacted(), "postgres://gw:***@db:5432/gw");
        assert_eq!(url.backend(), Backend::Postgres);
    }

    #[test]
    fn unknown_scheme_is_refused() {
        let err = DatabaseUrl::parse("mysql://root:pw@x/db").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unsupported database URL `mysql://root:***@x/db`: use sqlite://PATH or postgres://USER@HOST/DB"
        );
    }
}
