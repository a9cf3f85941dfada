//! Schema migrations, embedded in the binary and applied in order, each in its own transaction.
//!
//! Each migration exists once per backend (`migrations/sqlite`, `migrations/postgres`); a test checks
//! that both produce the same tables and columns. A checksum catches a migration edited after it
//! was applied somewhere.
use sha2::{Digest, Sha256};
use sqlx::{AnyPool, Row};

use crate::db::Backend;
use crate::{time, Error, Result};

#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

impl Migration {
    pub fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    fn checksum(&self, backend: Backend) -> String {
        hex::encode(Sha256::digest(self.sql(backend).as_bytes()))
    }
}

macro_rules! migration {
    ($version:literal, $file:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file, "_", $name, ".sql")),
            postgres: include_str!(concat!(
                "../migrations/postgres/",
                $file,
                "_",
                $name,
                ".sql"
            )),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001", "foundation"),
    migration!(2, "0002", "directory"),
    migration!(3, "0003", "directory_fulltext"),
    migration!(4, "0004", "lifecycle"),
    migration!(5, "0005", "as4"),
    migration!(6, "0006", "archive"),
    migration!(7, "0007", "extraction"),
    migration!(8, "0008", "email_import"),
    migration!(9, "0009", "directory_prefixes"),
    migration!(12, "0012", "archive_party_words"),
    migration!(13, "0013", "as4_outbox_document"),
    migration!(14, "0014", "supplier_memory"),
];

/// Every migration this build knows, oldest first.
pub fn migrations() -> &'static [Migration] {
    MIGRATIONS
}

/// Applies the migrations the database lacks; returns how many were applied.
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<usize> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            checksum TEXT NOT NULL,
            applied_at TEXT NOT NULL)",
    )
    .execute(pool)
    .await
    .map_err(Error::db("creating schema_migrations"))?;

    let mut applied = 0;
    for migration in MIGRATIONS {
        let fail = |source| Error::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        let mut tx = pool.begin().await.map_err(fail)?;
        if backend == Backend::Postgres {
            // Several nodes may start at once: one migrates, the others wait and then see it done.
            sqlx::query("SELECT pg_advisory_xact_lock(7013249)")
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
        }
        let expected = migration.checksum(backend);
        let found = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(migration.version)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
        if let Some(row) = found {
            let found: String = row.try_get("checksum").map_err(fail)?;
            if found != expected {
                return Err(Error::MigrationChanged {
                    version: migration.version,
                    found,
                    expected,
                });
            }
            // End the transaction now: a dropped one only rolls back when its connection is next
            // used, and until then it holds the advisory lock that the next migration's
            // transaction, maybe on another pooled connection, waits for (a start-up hang).
            tx.rollback().await.map_err(fail)?;
            continue;
        }
        sqlx::raw_sql(migration.sql(backend))
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(expected)
        .bind(time::now())
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
        applied += 1;
    }

    let newest: Option<i64> = sqlx::query("SELECT MAX(version) AS v FROM schema_migrations")
        .fetch_one(pool)
        .await
        .map_err(Error::db("reading schema_migrations"))?
        .try_get("v")
        .map_err(Error::db("reading schema_migrations"))?;
    let known = MIGRATIONS.last().map(|m| m.version).unwrap_or(0);
    match newest {
        Some(v) if v > known => Err(Error::MigrationUnknown(v)),
        _ => Ok(applied),
    }
}
