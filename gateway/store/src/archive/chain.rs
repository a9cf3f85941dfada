//! The global hash chain over archived documents, its checkpoints and expiry.
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use utoipa::ToSchema;

use super::types::*;
use super::{entry_hash, fields_hash, number_key, stored_form};
use crate::blob::{self, BlobLocation};
use crate::journal::GENESIS_HASH;
use crate::sql_store::{document_from, dynamic_query, get, DOCUMENT_COLUMNS};
use crate::{time, Backend, Document, Error, Result, SqlStore, Store};

/// The size of the archive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveStats {
    pub entries: i64,
    pub head_seq: i64,
    pub head_hash: String,
    pub documents: i64,
    pub tombstones: i64,
    /// The newest signed checkpoint's head, if any.
    pub checkpoint_seq: Option<i64>,
}

/// Which document states count as archived (the contract with the lifecycle).
const ARCHIVED: &str = "((d.direction = 'purchase' AND d.state = 'accepted') OR (d.direction = 'sales' AND d.state IN ('sent', 'archived')))";

const ENTRY_COLUMNS: &str = "seq, kind, document_id, company_id, direction, state, blob_sha256, events_count, events_head, fields_hash, archived_at, expires_at, target_seq, signature, prev_hash, hash";

fn entry_from(r: &AnyRow) -> Result<ArchiveEntry> {
    Ok(ArchiveEntry {
        seq: get(r, "seq")?,
        kind: get(r, "kind")?,
        document_id: get(r, "document_id")?,
        company_id: get(r, "company_id")?,
        direction: get(r, "direction")?,
        state: get(r, "state")?,
        blob_sha256: get(r, "blob_sha256")?,
        events_count: get(r, "events_count")?,
        events_head: get(r, "events_head")?,
        fields_hash: get(r, "fields_hash")?,
        archived_at: get(r, "archived_at")?,
        expires_at: get(r, "expires_at")?,
        target_seq: get(r, "target_seq")?,
        signature: get(r, "signature")?,
        prev_hash: get(r, "prev_hash")?,
        hash: get(r, "hash")?,
    })
}

async fn insert_entry(tx: &mut Transaction<'_, Any>, e: &ArchiveEntry) -> Result<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO archive_entries ({ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    )))
    .bind(e.seq)
    .bind(e.kind.as_str())
    .bind(e.document_id.as_str())
    .bind(e.company_id.as_str())
    .bind(e.direction.as_str())
    .bind(e.state.as_str())
    .bind(e.blob_sha256.as_str())
    .bind(e.events_count)
    .bind(e.events_head.as_str())
    .bind(e.fields_hash.as_str())
    .bind(e.archived_at.as_str())
    .bind(e.expires_at.as_str())
    .bind(e.target_seq)
    .bind(e.signature.clone())
    .bind(e.prev_hash.as_str())
    .bind(e.hash.as_str())
    .execute(&mut **tx)
    .await
    .map_err(Error::db("archive entry"))?;
    Ok(())
}

impl SqlStore {
    /// Starts a chain append: one writer at a time, and the current head.
    async fn begin_append(&self) -> Result<(Transaction<'_, Any>, i64, String)> {
        let mut tx = self.pools.write.begin().await.map_err(Error::db("begin"))?;
        if self.backend() == Backend::Postgres {
            // Nodes sharing the database append one at a time: the chain is a single line.
            sqlx::query("SELECT pg_advisory_xact_lock(7013250)")
                .execute(&mut *tx)
                .await
                .map_err(Error::db("locking the archive chain"))?;
        }
        let head = sqlx::query("SELECT seq, hash FROM archive_entries ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await
            .map_err(Error::db("reading the chain head"))?;
        let (seq, hash) = match head {
            Some(r) => (get(&r, "seq")?, get(&r, "hash")?),
            None => (0, GENESIS_HASH.to_string()),
        };
        Ok((tx, seq, hash))
    }

    pub(super) async fn pending_archive_impl(
        &self,
        since: Option<&str>,
        limit: u32,
    ) -> Result<Vec<Document>> {
        let limit = limit.clamp(1, 1000);
        let (range, binds) = match since {
            Some(t) => ("d.updated_at >= $1 AND", vec![t.to_string()]),
            None => ("", Vec::new()),
        };
        dynamic_query(
            format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents d JOIN blobs b ON b.sha256 = d.blob_sha256
                 WHERE {range} {ARCHIVED}
                 AND NOT EXISTS (SELECT 1 FROM archive_entries e WHERE e.document_id = d.id AND e.kind = 'document')
                 ORDER BY d.updated_at, d.id LIMIT {limit}"
            ),
            &binds,
        )
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("finding documents to archive"))?
        .iter()
        .map(document_from)
        .collect()
    }

    pub(super) async fn append_entry_impl(
        &self,
        doc: &Document,
        fields: &ArchiveFields,
        expires_at: &str,
    ) -> Result<Option<ArchiveEntry>> {
        let fields = stored_form(fields);
        let (mut tx, head_seq, head_hash) = self.begin_append().await?;
        let done = sqlx::query(
            "SELECT 1 AS one FROM archive_entries WHERE document_id = $1 AND kind = 'document'",
        )
        .bind(doc.id.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(Error::db("reading archive entry"))?;
        if done.is_some() {
            return Ok(None);
        }
        let last = sqlx::query(
            "SELECT seq, hash FROM events WHERE document_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(doc.id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(Error::db("reading the document's journal"))?;
        let mut entry = ArchiveEntry {
            seq: head_seq + 1,
            kind: "document".into(),
            document_id: doc.id.clone(),
            company_id: doc.company_id.clone(),
            direction: doc.direction.as_str().into(),
            state: doc.state.clone(),
            blob_sha256: doc.blob.sha256.clone(),
            events_count: get(&last, "seq")?,
            events_head: get(&last, "hash")?,
            fields_hash: fields_hash(&fields),
            archived_at: time::now(),
            expires_at: expires_at.to_string(),
            target_seq: None,
            signature: None,
            prev_hash: head_hash,
            hash: String::new(),
        };
        entry.hash = entry_hash(&entry);
        insert_entry(&mut tx, &entry).await?;
        sqlx::query(
            "INSERT INTO archive_invoices (document_id, company_id, entry_seq, direction, state, invoice_number, number_key,
             counterparty_name, counterparty_folded, issue_date, due_date, currency, total, total_cents, content_folded, archived_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(doc.id.as_str())
        .bind(doc.company_id.as_str())
        .bind(entry.seq)
        .bind(entry.direction.as_str())
        .bind(entry.state.as_str())
        .bind(fields.invoice_number.clone())
        .bind(fields.invoice_number.as_deref().map(number_key))
        .bind(fields.counterparty_name.clone())
        .bind(crate::fold_name(fields.counterparty_name.as_deref().unwrap_or("")))
        // Never NULL, so that newest-first order and paging agree on both backends.
        .bind(fields.issue_date.clone().unwrap_or_default())
        .bind(fields.due_date.clone())
        .bind(fields.currency.clone())
        .bind(fields.total.clone())
        .bind(fields.total_cents)
        .bind(fields.content.as_str())
        .bind(entry.archived_at.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("archive search row"))?;
        for id in &fields.counterparty_ids {
            sqlx::query("INSERT INTO archive_identifiers (value, document_id) VALUES ($1, $2)")
                .bind(id.as_str())
                .bind(doc.id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(Error::db("archive identifier"))?;
        }
        // One delivery per enabled connector of the company and of its active accountants.
        sqlx::query(
            "INSERT INTO connector_deliveries (connector_id, document_id, company_id, entry_seq, message_id, status, reason, attempts, next_attempt_at, updated_at)
             SELECT c.id, $1, $2, $3, 'msg_' || c.id || '_' || CAST($1 AS TEXT), 'to_be_fetched', NULL, 0, $4, $4 FROM connectors c
             WHERE c.disabled_at IS NULL AND (
                (c.owner_kind = 'company' AND c.owner_id = $2)
                OR (c.owner_kind = 'accountant' AND c.owner_id IN
                    (SELECT l.accountant_id FROM accountant_links l WHERE l.company_id = $2 AND l.status = 'active')))",
        )
        .bind(doc.id.as_str())
        .bind(doc.company_id.as_str())
        .bind(entry.seq)
        .bind(entry.archived_at.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("queueing deliveries"))?;
        super::connectors::refresh_accountant_status(&mut *tx, &doc.id).await?;
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(Some(entry))
    }

    pub(super) async fn entries_impl(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ArchiveEntry>> {
        let limit = limit.clamp(1, 10_000);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM archive_entries WHERE seq > $1 ORDER BY seq LIMIT {limit}"
        )))
        .bind(after_seq)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading archive entries"))?
        .iter()
        .map(entry_from)
        .collect()
    }

    pub(super) async fn entry_of_impl(&self, document_id: &str) -> Result<Option<ArchiveEntry>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM archive_entries WHERE document_id = $1 AND kind = 'document'"
        )))
        .bind(document_id)
        .fetch_optional(&self.pools.read)
        .await
        .map_err(Error::db("reading archive entry"))?
        .as_ref()
        .map(entry_from)
        .transpose()
    }

    pub(super) async fn stats_impl(&self) -> Result<ArchiveStats> {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS head,
             COALESCE(SUM(CASE WHEN kind = 'tombstone' THEN 1 ELSE 0 END), 0) AS tombs FROM archive_entries",
        )
        .fetch_one(&self.pools.read)
        .await
        .map_err(Error::db("counting archive entries"))?;
        let entries: i64 = get(&r, "n")?;
        let head_seq: i64 = get(&r, "head")?;
        let tombstones: i64 = get(&r, "tombs")?;
        let head_hash = match head_seq {
            0 => GENESIS_HASH.to_string(),
            s => get(
                &sqlx::query("SELECT hash FROM archive_entries WHERE seq = $1")
                    .bind(s)
                    .fetch_one(&self.pools.read)
                    .await
                    .map_err(Error::db("reading the chain head"))?,
                "hash",
            )?,
        };
        let checkpoint_seq: Option<i64> = get(
            &sqlx::query("SELECT MAX(head_seq) AS s FROM archive_checkpoints")
                .fetch_one(&self.pools.read)
                .await
                .map_err(Error::db("reading checkpoints"))?,
            "s",
        )?;
        Ok(ArchiveStats {
            entries,
            head_seq,
            head_hash,
            documents: entries - tombstones,
            tombstones,
            checkpoint_seq,
        })
    }

    pub(super) async fn fields_impl(&self, document_id: &str) -> Result<Option<ArchiveFields>> {
        let Some(r) = sqlx::query(
            "SELECT invoice_number, counterparty_name, issue_date, due_date, currency, total, total_cents, content_folded
             FROM archive_invoices WHERE document_id = $1",
        )
        .bind(document_id)
        .fetch_optional(&self.pools.read)
        .await
        .map_err(Error::db("reading archive fields"))?
        else {
            return Ok(None);
        };
        let ids = sqlx::query(
            "SELECT value FROM archive_identifiers WHERE document_id = $1 ORDER BY value",
        )
        .bind(document_id)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading archive identifiers"))?
        .iter()
        .map(|r| get(r, "value"))
        .collect::<Result<Vec<String>>>()?;
        Ok(Some(ArchiveFields {
            invoice_number: get(&r, "invoice_number")?,
            counterparty_name: get(&r, "counterparty_name")?,
            counterparty_ids: ids,
            issue_date: get::<String>(&r, "issue_date")
                .map(|d| Some(d).filter(|d| !d.is_empty()))?,
            due_date: get(&r, "due_date")?,
            currency: get(&r, "currency")?,
            total: get(&r, "total")?,
            total_cents: get(&r, "total_cents")?,
            content: get(&r, "content_folded")?,
        }))
    }

    pub(super) async fn record_checkpoint_impl(&self, c: &Checkpoint) -> Result<()> {
        sqlx::query(
            "INSERT INTO archive_checkpoints (id, head_seq, head_hash, signed_at, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.id.as_str())
        .bind(c.head_seq)
        .bind(c.head_hash.as_str())
        .bind(c.signed_at.as_str())
        .bind(c.public_key.as_str())
        .bind(c.signature.as_str())
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("recording checkpoint"))?;
        Ok(())
    }

    pub(super) async fn checkpoints_impl(&self) -> Result<Vec<Checkpoint>> {
        sqlx::query(
            "SELECT id, head_seq, head_hash, signed_at, public_key, signature FROM archive_checkpoints ORDER BY head_seq, signed_at",
        )
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading checkpoints"))?
        .iter()
        .map(|r| {
            Ok(Checkpoint {
                id: get(r, "id")?,
                head_seq: get(r, "head_seq")?,
                head_hash: get(r, "head_hash")?,
                signed_at: get(r, "signed_at")?,
                public_key: get(r, "public_key")?,
                signature: get(r, "signature")?,
            })
        })
        .collect()
    }

    pub(super) async fn expired_impl(&self, now: &str, limit: u32) -> Result<Vec<ArchiveEntry>> {
        let limit = limit.clamp(1, 1000);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM archive_entries e WHERE e.kind = 'document' AND e.expires_at <= $1
             AND NOT EXISTS (SELECT 1 FROM archive_entries t WHERE t.kind = 'tombstone' AND t.target_seq = e.seq)
             ORDER BY e.expires_at, e.seq LIMIT {limit}"
        )))
        .bind(now)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("finding expired entries"))?
        .iter()
        .map(entry_from)
        .collect()
    }

    pub(super) async fn tombstone_impl(
        &self,
        target: &ArchiveEntry,
        sign: Signer,
    ) -> Result<ArchiveEntry> {
        let (mut tx, head_seq, head_hash) = self.begin_append().await?;
        let mut tomb = ArchiveEntry {
            seq: head_seq + 1,
            kind: "tombstone".into(),
            archived_at: time::now(),
            target_seq: Some(target.seq),
            signature: None,
            prev_hash: head_hash,
            hash: String::new(),
            ..target.clone()
        };
        tomb.hash = entry_hash(&tomb);
        tomb.signature = Some(sign(&tomb.hash));
        insert_entry(&mut tx, &tomb).await?;
        sqlx::query("DELETE FROM archive_identifiers WHERE document_id = $1")
            .bind(target.document_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::db("expiring archive identifiers"))?;
        sqlx::query("DELETE FROM archive_invoices WHERE document_id = $1")
            .bind(target.document_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::db("expiring archive search row"))?;
        // The bytes go unless another document still holds the same blob.
        let shared = sqlx::query(
            "SELECT 1 AS one FROM documents WHERE blob_sha256 = $1 AND id <> $2 LIMIT 1",
        )
        .bind(target.blob_sha256.as_str())
        .bind(target.document_id.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(Error::db("checking blob references"))?
        .is_some();
        if !shared {
            sqlx::query("UPDATE blobs SET content = NULL WHERE sha256 = $1")
                .bind(target.blob_sha256.as_str())
                .execute(&mut *tx)
                .await
                .map_err(Error::db("expiring blob"))?;
        }
        tx.commit().await.map_err(Error::db("commit"))?;
        if let (false, BlobLocation::Files(dir)) = (shared, &self.blobs) {
            let path = blob::file_path(dir, &target.blob_sha256);
            if let Err(e) = std::fs::remove_file(&path) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    return Err(Error::BlobIo {
                        path: path.display().to_string(),
                        source: e,
                    });
                }
            }
        }
        Ok(tomb)
    }
}
