use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in storage, with enough context to act on.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    #[error("unsupported database URL `{0}`: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    #[error("cannot connect to the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration {version} was applied with different contents (checksum {found}, expected {expected}); the database was migrated by another build")]
    MigrationChanged {
        version: i64,
        found: String,
        expected: String,
    },
    #[error("the database has migration {0}, which this build does not know; upgrade the gateway")]
    MigrationUnknown(i64),
    #[error("database error while {context}: {source}")]
    Db {
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("blob store I/O error at {path}: {source}")]
    BlobIo {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("blob {0} is referenced but missing from the blob store")]
    BlobMissing(String),
    #[error("{what} already exists: {detail}")]
    Conflict { what: &'static str, detail: String },
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("invalid {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("document {document} is in state `{actual}`, not `{expected}`")]
    StateConflict {
        document: String,
        expected: String,
        actual: String,
    },
    #[error("journal of document {document} is broken at event {seq}: {reason}")]
    Tampered {
        document: String,
        seq: i64,
        reason: String,
    },
}

impl Error {
    pub(crate) fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
        move |source| {
            if let sqlx::Error::Database(db) = &source {
                if db.is_unique_violation() {
                    return Error::Conflict {
                        what: context,
                        detail: db.message().to_string(),
                    };
                }
            }
            Error::Db { context, source }
        }
    }
}
