//! Storage for the gateway.
//!
//! One schema for SQLite (the embedded default) and PostgreSQL (several gateway nodes), reached
//! through `sqlx::Any` so that both backends run the same queries and the same tests. Everything a
//! caller may touch is behind the [`Store`] trait; every tenant query takes a [`Visibility`] so that
//! scoping happens in SQL, not in the caller's memory.
#![forbid(unsafe_code)]

// Declared first: its `text_enum!` macro is used by the modules after it.
#[macro_use]
mod types;
mod archive;
mod as4;
mod as4_group;
mod blob;
mod bulk;
mod db;
mod directory;
mod email_import;
mod error;
mod extraction;
mod fold;
mod group;
mod journal;
mod lifecycle;
mod migrate;
mod sql_store;
mod time;
mod token;

pub use archive::types::*;
pub use archive::{entry_hash, fields_hash, Archive, ArchiveStats};
pub use as4::{As4Store, Inbound, InboundMessage, NewOutbound, Outbound, StrandedDelivery};
pub use blob::{sha256_hex, BlobLocation, INLINE_MAX};
pub use db::{Backend, DatabaseUrl};
pub use directory::Directory;
pub use email_import::EmailImport;
pub use error::{Error, Result};
pub use extraction::{ExtractionJob, ExtractionOutcome, ExtractionRecord, Extractions};
pub use fold::{fold_name, fold_vat, words as name_words};
pub use journal::GENESIS_HASH;
pub use lifecycle::*;
pub use migrate::{migrations, Migration};
pub use sql_store::SqlStore;
pub use token::{ParsedToken, TOKEN_PREFIX};
pub use types::*;

use async_trait::async_trait;

/// The gateway's storage. Implemented once ([`SqlStore`]) over both SQL backends.
#[async_trait]
pub trait Store:
    Directory + Lifecycle + EmailImport + Extractions + Archive + As4Store + Send + Sync + 'static
{
    /// Which database this store talks to.
    fn backend(&self) -> Backend;
    /// A cheap round trip to the database, for readiness checks.
    async fn ping(&self) -> Result<()>;

    async fn create_company(&self, new: NewCompany) -> Result<Company>;
    async fn list_companies(&self, vis: &Visibility) -> Result<Vec<Company>>;
    async fn get_company(&self, vis: &Visibility, id: &str) -> Result<Option<Company>>;

    async fn create_user(&self, new: NewUser) -> Result<User>;
    async fn list_users(&self, vis: &Visibility) -> Result<Vec<User>>;

    /// Creates a token; the secret is returned once and only its hash is kept.
    async fn create_token(&self, new: NewToken) -> Result<IssuedToken>;
    async fn list_tokens(&self, vis: &Visibility) -> Result<Vec<TokenInfo>>;
    /// Revokes a token visible to `vis`; `false` when there is no such token.
    async fn revoke_token(&self, vis: &Visibility, id: &str) -> Result<bool>;
    /// The principal behind a presented bearer token, or `None` for an unknown or revoked one.
    async fn authenticate(&self, presented: &str) -> Result<Option<Principal>>;

    /// Stores raw bytes under their SHA-256; storing the same bytes twice keeps one copy.
    async fn put_blob(&self, bytes: &[u8]) -> Result<BlobRef>;
    async fn get_blob(&self, sha256: &str) -> Result<Option<Vec<u8>>>;

    /// Stores the raw document and its first journal event in one transaction.
    async fn create_document(&self, new: NewDocument) -> Result<Document>;
    async fn get_document(&self, vis: &Visibility, id: &str) -> Result<Option<Document>>;
    async fn list_documents(&self, vis: &Visibility, page: Page) -> Result<Vec<Document>>;
    /// Moves a document from `change.from` to `change.to`, appending one journal event.
    /// Fails with [`Error::StateConflict`] when the document is no longer in `change.from`.
    async fn transition(&self, vis: &Visibility, change: StateChange) -> Result<Event>;
    async fn events(&self, vis: &Visibility, document_id: &str) -> Result<Option<Vec<Event>>>;
    /// Recomputes a document's hash chain; the number of events checked, or [`Error::Tampered`].
    async fn verify_journal(&self, document_id: &str) -> Result<usize>;
}
