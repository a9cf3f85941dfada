//! The archive: accountants and their links, the tamper-evident hash chain over archived
//! documents, its search index, and the connectors that forward archived documents.
//!
//! The archive reads `documents`, `events` and `blobs` and writes only its own tables, so it
//! works whatever moves documents into their archived states.
mod accountants;
mod chain;
mod connectors;
mod search;
pub mod types;

use async_trait::async_trait;
use sha2::{Digest, Sha256};

use crate::fold::{fold_name, fold_vat};
use crate::*;
use types::*;

pub use chain::ArchiveStats;

/// Archive operations of the [`Store`].
#[async_trait]
pub trait Archive: Send + Sync {
    async fn create_accountant(&self, new: NewAccountant) -> Result<Accountant>;
    async fn list_accountants(&self) -> Result<Vec<Accountant>>;
    async fn get_accountant(&self, id: &str) -> Result<Option<Accountant>>;
    /// A token of scope `accountant` acting for this organisation (its linked companies).
    async fn create_accountant_token(
        &self,
        accountant_id: &str,
        label: &str,
    ) -> Result<IssuedToken>;
    /// The accountant organisation behind a token, if it is an accountant organisation's token.
    async fn accountant_of_token(&self, token_id: &str) -> Result<Option<String>>;
    /// The company invites the accountant; fails when an open link exists.
    async fn invite_accountant(
        &self,
        company_id: &str,
        accountant_id: &str,
    ) -> Result<AccountantLink>;
    /// The accountant accepts an invitation addressed to it.
    async fn accept_link(&self, accountant_id: &str, link_id: &str) -> Result<AccountantLink>;
    /// Either side ends a link; `None` when the link is not that side's.
    async fn unlink(&self, side: &LinkSide, link_id: &str) -> Result<Option<AccountantLink>>;
    async fn links(&self, side: &LinkSide) -> Result<Vec<AccountantLink>>;
    /// The companies whose archive an accountant sees: its active links.
    async fn linked_companies(&self, accountant_id: &str) -> Result<Vec<String>>;

    /// Documents in an archived state without an archive entry yet, oldest change first; with
    /// `since`, only those changed at or after that time (an index range, not a full sweep).
    async fn pending_archive(&self, since: Option<&str>, limit: u32) -> Result<Vec<Document>>;
    /// Appends the document to the chain with its fields and a delivery per connector, in one
    /// transaction. `None` when it was already archived.
    async fn append_archive_entry(
        &self,
        doc: &Document,
        fields: &ArchiveFields,
        expires_at: &str,
    ) -> Result<Option<ArchiveEntry>>;
    async fn archive_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<ArchiveEntry>>;
    async fn archive_entry_of(&self, document_id: &str) -> Result<Option<ArchiveEntry>>;
    async fn archive_stats(&self) -> Result<ArchiveStats>;
    /// The fields as stored (what `fields_hash` covers).
    async fn archive_fields(&self, document_id: &str) -> Result<Option<ArchiveFields>>;
    async fn record_checkpoint(&self, checkpoint: &Checkpoint) -> Result<()>;
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>>;
    /// Document entries past `expires_at` (<= `now`) without a tombstone.
    async fn expired_entries(&self, now: &str, limit: u32) -> Result<Vec<ArchiveEntry>>;
    /// Ends an expired entry: drops its search row and blob bytes, appends a signed tombstone.
    /// `sign` turns the tombstone's hash into a base64 signature.
    async fn append_tombstone(&self, target: &ArchiveEntry, sign: Signer) -> Result<ArchiveEntry>;
    async fn search_archive(
        &self,
        vis: &Visibility,
        query: &ArchiveQuery,
    ) -> Result<Vec<ArchivedInvoice>>;

    async fn create_connector(&self, new: NewConnector) -> Result<Connector>;
    async fn list_connectors(&self, owners: &[ConnectorOwner]) -> Result<Vec<Connector>>;
    async fn get_connector(&self, owners: &[ConnectorOwner], id: &str)
        -> Result<Option<Connector>>;
    async fn delete_connector(&self, owners: &[ConnectorOwner], id: &str) -> Result<bool>;
    /// Webhook and mailbox deliveries due at `now`: per connector only its oldest pending one.
    async fn due_deliveries(&self, now: &str, limit: u32) -> Result<Vec<DueDelivery>>;
    /// Takes a due delivery for one attempt: moves its next attempt to `lease_until` unless
    /// another worker (another node) took it first. `false` when someone else has it.
    async fn claim_delivery(&self, due: &Forwarding, lease_until: &str) -> Result<bool>;
    async fn record_attempt(
        &self,
        connector_id: &str,
        document_id: &str,
        attempt: Attempt,
    ) -> Result<()>;
    /// A feed connector's deliveries after `after_seq`, in chain order.
    async fn feed(&self, connector_id: &str, after_seq: i64, limit: u32)
        -> Result<Vec<Forwarding>>;
    /// Marks fetched documents forwarded; how many changed.
    async fn ack(&self, connector_id: &str, document_ids: &[String]) -> Result<u64>;
    /// The accountant status of one document on every connector.
    async fn deliveries_of(&self, document_id: &str) -> Result<Vec<Forwarding>>;
}

/// The hash of an archive entry from its fields and `prev_hash` (not `hash`, not `signature`).
pub fn entry_hash(e: &ArchiveEntry) -> String {
    let canonical = serde_json::json!([
        "gateway-archive-entry:v1",
        e.seq,
        e.kind,
        e.document_id,
        e.company_id,
        e.direction,
        e.state,
        e.blob_sha256,
        e.events_count,
        e.events_head,
        e.fields_hash,
        e.archived_at,
        e.expires_at,
        e.target_seq,
        e.prev_hash,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The hash of the stored form of extracted fields.
pub fn fields_hash(f: &ArchiveFields) -> String {
    let canonical = serde_json::json!([
        f.invoice_number,
        f.counterparty_name,
        f.counterparty_ids,
        f.issue_date,
        f.due_date,
        f.currency,
        f.total,
        f.total_cents,
        f.content,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// Fields in the form they are stored and hashed: identifiers folded (and their part after a
/// `scheme:` prefix), sorted and distinct; content folded.
pub(crate) fn stored_form(f: &ArchiveFields) -> ArchiveFields {
    let mut ids = Vec::new();
    for id in &f.counterparty_ids {
        ids.push(fold_vat(id));
        if let Some((_, rest)) = id.split_once(':') {
            ids.push(fold_vat(rest));
        }
    }
    ids.retain(|i| !i.is_empty());
    ids.sort();
    ids.dedup();
    ArchiveFields {
        counterparty_ids: ids,
        content: fold_name(&f.content),
        issue_date: f.issue_date.clone().filter(|d| !d.is_empty()),
        ..f.clone()
    }
}

/// An invoice number as compared: folded like a VAT number.
pub(crate) fn number_key(n: &str) -> String {
    fold_vat(n)
}

#[async_trait]
impl Archive for SqlStore {
    async fn create_accountant(&self, new: NewAccountant) -> Result<Accountant> {
        self.create_accountant_impl(new).await
    }
    async fn list_accountants(&self) -> Result<Vec<Accountant>> {
        self.accountants_where(None).await
    }
    async fn get_accountant(&self, id: &str) -> Result<Option<Accountant>> {
        Ok(self.accountants_where(Some(id)).await?.into_iter().next())
    }
    async fn create_accountant_token(
        &self,
        accountant_id: &str,
        label: &str,
    ) -> Result<IssuedToken> {
        self.create_accountant_token_impl(accountant_id, label)
            .await
    }
    async fn accountant_of_token(&self, token_id: &str) -> Result<Option<String>> {
        self.accountant_of_token_impl(token_id).await
    }
    async fn invite_accountant(
        &self,
        company_id: &str,
        accountant_id: &str,
    ) -> Result<AccountantLink> {
        self.invite_impl(company_id, accountant_id).await
    }
    async fn accept_link(&self, accountant_id: &str, link_id: &str) -> Result<AccountantLink> {
        self.accept_impl(accountant_id, link_id).await
    }
    async fn unlink(&self, side: &LinkSide, link_id: &str) -> Result<Option<AccountantLink>> {
        self.unlink_impl(side, link_id).await
    }
    async fn links(&self, side: &LinkSide) -> Result<Vec<AccountantLink>> {
        self.links_where(side, None).await
    }
    async fn linked_companies(&self, accountant_id: &str) -> Result<Vec<String>> {
        self.linked_companies_impl(accountant_id).await
    }

    async fn pending_archive(&self, since: Option<&str>, limit: u32) -> Result<Vec<Document>> {
        self.pending_archive_impl(since, limit).await
    }
    async fn append_archive_entry(
        &self,
        doc: &Document,
        fields: &ArchiveFields,
        expires_at: &str,
    ) -> Result<Option<ArchiveEntry>> {
        self.append_entry_impl(doc, fields, expires_at).await
    }
    async fn archive_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<ArchiveEntry>> {
        self.entries_impl(after_seq, limit).await
    }
    async fn archive_entry_of(&self, document_id: &str) -> Result<Option<ArchiveEntry>> {
        self.entry_of_impl(document_id).await
    }
    async fn archive_stats(&self) -> Result<ArchiveStats> {
        self.stats_impl().await
    }
    async fn archive_fields(&self, document_id: &str) -> Result<Option<ArchiveFields>> {
        self.fields_impl(document_id).await
    }
    async fn record_checkpoint(&self, checkpoint: &Checkpoint) -> Result<()> {
        self.record_checkpoint_impl(checkpoint).await
    }
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        self.checkpoints_impl().await
    }
    async fn expired_entries(&self, now: &str, limit: u32) -> Result<Vec<ArchiveEntry>> {
        self.expired_impl(now, limit).await
    }
    async fn append_tombstone(&self, target: &ArchiveEntry, sign: Signer) -> Result<ArchiveEntry> {
        self.tombstone_impl(target, sign).await
    }
    async fn search_archive(
        &self,
        vis: &Visibility,
        query: &ArchiveQuery,
    ) -> Result<Vec<ArchivedInvoice>> {
        self.search_impl(vis, query).await
    }

    async fn create_connector(&self, new: NewConnector) -> Result<Connector> {
        self.create_connector_impl(new).await
    }
    async fn list_connectors(&self, owners: &[ConnectorOwner]) -> Result<Vec<Connector>> {
        self.connectors_where(owners, None).await
    }
    async fn get_connector(
        &self,
        owners: &[ConnectorOwner],
        id: &str,
    ) -> Result<Option<Connector>> {
        Ok(self
            .connectors_where(owners, Some(id))
            .await?
            .into_iter()
            .next())
    }
    async fn delete_connector(&self, owners: &[ConnectorOwner], id: &str) -> Result<bool> {
        self.delete_connector_impl(owners, id).await
    }
    async fn due_deliveries(&self, now: &str, limit: u32) -> Result<Vec<DueDelivery>> {
        self.due_impl(now, limit).await
    }
    async fn claim_delivery(&self, due: &Forwarding, lease_until: &str) -> Result<bool> {
        self.claim_impl(due, lease_until).await
    }
    async fn record_attempt(
        &self,
        connector_id: &str,
        document_id: &str,
        attempt: Attempt,
    ) -> Result<()> {
        self.record_attempt_impl(connector_id, document_id, attempt)
            .await
    }
    async fn feed(
        &self,
        connector_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Forwarding>> {
        self.feed_impl(connector_id, after_seq, limit).await
    }
    async fn ack(&self, connector_id: &str, document_ids: &[String]) -> Result<u64> {
        self.ack_impl(connector_id, document_ids).await
    }
    async fn deliveries_of(&self, document_id: &str) -> Result<Vec<Forwarding>> {
        self.deliveries_of_impl(document_id).await
    }
}
