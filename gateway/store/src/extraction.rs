//! Extraction of purchase PDFs and images off the request path: a durable job per document,
//! claimed with a lease so that a crashed worker's job is taken again, and the result kept with
//! the document (fields, the UBL rendering, the filled summary and the journaled outcome).
use async_trait::async_trait;
use chrono::{Duration, SecondsFormat, Utc};
use sqlx::Row;

use crate::lifecycle::{append_steps, supplier_key};
use crate::sql_store::get;
use crate::*;

/// Media types the extraction reads.
pub const EXTRACTABLE: &[&str] = &["application/pdf", "image/jpeg", "image/png"];

/// A claimed job: the document to read.
#[derive(Debug, Clone)]
pub struct ExtractionJob {
    pub document_id: String,
    pub company_id: String,
    /// Including this one.
    pub attempts: i64,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// What a worker found, stored in one transaction with the document's next steps.
#[derive(Debug, Clone)]
pub struct ExtractionOutcome {
    pub document_id: String,
    /// `embedded-xml`, `text-layer` or `ocr`; `None` when the file could not be read.
    pub source: Option<String>,
    pub result: Option<serde_json::Value>,
    pub invoice_xml: Option<String>,
    pub error: Option<String>,
    /// Fills the invoice columns of the document summary.
    pub summary: Option<Summary>,
    /// Applied when the document is still in `needs_review` (journaled as `actor`).
    pub steps: Vec<Step>,
    pub actor: String,
}

/// The stored result of a document's extraction.
#[derive(Debug, Clone)]
pub struct ExtractionRecord {
    pub document_id: String,
    pub company_id: String,
    pub status: String,
    pub attempts: i64,
    pub source: Option<String>,
    pub result: Option<serde_json::Value>,
    pub invoice_xml: Option<String>,
    pub error: Option<String>,
}

#[async_trait]
pub trait Extractions: Send + Sync {
    /// Queues every purchase PDF/image waiting in `needs_review` without a job (so that a crash
    /// between storing a document and queueing it loses nothing), then claims the oldest
    /// pending job whose lease is free, for `lease_secs`.
    async fn claim_extraction(&self, lease_secs: i64) -> Result<Option<ExtractionJob>>;
    /// Stores the outcome, fills the summary and applies the steps, in one transaction.
    async fn finish_extraction(&self, outcome: ExtractionOutcome) -> Result<Vec<Event>>;
    async fn extraction(
        &self,
        vis: &Visibility,
        document_id: &str,
    ) -> Result<Option<ExtractionRecord>>;
    /// Remembers what a person confirmed for a supplier of `company_id`, under each of its
    /// keys (`vat:…`, `iban:…`); a later confirmation replaces an earlier one.
    async fn remember_supplier(
        &self,
        company_id: &str,
        keys: &[String],
        fields: &serde_json::Value,
    ) -> Result<()>;
    /// What was remembered under the first of `keys` that has something.
    async fn recall_supplier(
        &self,
        company_id: &str,
        keys: &[String],
    ) -> Result<Option<serde_json::Value>>;
}

fn later(secs: i64) -> String {
    (Utc::now() + Duration::seconds(secs)).to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[async_trait]
impl Extractions for SqlStore {
    async fn claim_extraction(&self, lease_secs: i64) -> Result<Option<ExtractionJob>> {
        let now = time::now();
        let media = EXTRACTABLE
            .iter()
            .map(|m| format!("'{m}'"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO extraction_jobs (document_id, company_id, status, attempts, created_at, updated_at)
             SELECT d.id, d.company_id, 'pending', 0, $1, $1 FROM documents d
             WHERE d.direction = 'purchase' AND d.state = 'needs_review' AND d.media_type IN ({media})
               AND NOT EXISTS (SELECT 1 FROM extraction_jobs j WHERE j.document_id = d.id)
             ON CONFLICT (document_id) DO NOTHING"
        )))
        .bind(now.as_str())
        .execute(self.write())
        .await
        .map_err(Error::db("queueing extractions"))?;
        // Compare-and-set on the lease: of two workers, one wins the row.
        let claimed = sqlx::query(
            "UPDATE extraction_jobs SET lease_until = $1, attempts = attempts + 1, updated_at = $2
             WHERE document_id = (SELECT document_id FROM extraction_jobs
                                  WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < $2)
                                  ORDER BY created_at, document_id LIMIT 1)
               AND status = 'pending' AND (lease_until IS NULL OR lease_until < $2)
             RETURNING document_id, company_id, attempts",
        )
        .bind(later(lease_secs))
        .bind(now.as_str())
        .fetch_optional(self.write())
        .await
        .map_err(Error::db("claiming an extraction"))?;
        let Some(row) = claimed else {
            return Ok(None);
        };
        let document_id: String = get(&row, "document_id")?;
        let doc = sqlx::query("SELECT media_type, blob_sha256 FROM documents WHERE id = $1")
            .bind(document_id.as_str())
            .fetch_one(self.read())
            .await
            .map_err(Error::db("reading the document to extract"))?;
        let sha: String = get(&doc, "blob_sha256")?;
        let bytes = self.get_blob(&sha).await?.ok_or_else(|| Error::NotFound {
            what: "blob",
            id: sha.clone(),
        })?;
        Ok(Some(ExtractionJob {
            company_id: get(&row, "company_id")?,
            attempts: get(&row, "attempts")?,
            media_type: get(&doc, "media_type")?,
            document_id,
            bytes,
        }))
    }

    async fn finish_extraction(&self, o: ExtractionOutcome) -> Result<Vec<Event>> {
        let now = time::now();
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        let status = if o.error.is_some() { "failed" } else { "done" };
        let result = o.result.as_ref().map(|r| r.to_string());
        sqlx::query(
            "UPDATE extraction_jobs SET status = $1, source = $2, result = $3, invoice_xml = $4,
                 error = $5, lease_until = NULL, updated_at = $6 WHERE document_id = $7",
        )
        .bind(status)
        .bind(o.source.as_deref())
        .bind(result.as_deref())
        .bind(o.invoice_xml.as_deref())
        .bind(o.error.as_deref())
        .bind(now.as_str())
        .bind(o.document_id.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("storing the extraction"))?;
        let doc = sqlx::query("SELECT company_id, direction, state FROM documents WHERE id = $1")
            .bind(o.document_id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(Error::db("reading the document"))?;
        let company_id: String = get(&doc, "company_id")?;
        let state: String = get(&doc, "state")?;
        let direction: String = get(&doc, "direction")?;
        let mut steps = o.steps.clone();
        if let Some(s) = &o.summary {
            let direction: Direction = direction.parse().unwrap_or(Direction::Purchase);
            let key = supplier_key(direction, s);
            // The same invoice twice (a PDF and its XML in one e-mail) is never accepted twice.
            let mut duplicate_of: Option<String> = None;
            if let (Some(number), Some(date)) = (&s.invoice_number, &s.issue_date) {
                duplicate_of = sqlx::query(
                    "SELECT document_id FROM document_summaries WHERE company_id = $1
                     AND direction = $2 AND invoice_number = $3 AND issue_date = $4
                     AND (supplier_key = $5 OR counterparty_vat = $6)
                     AND duplicate_of IS NULL AND document_id <> $7
                     ORDER BY created_at, document_id LIMIT 1",
                )
                .bind(company_id.as_str())
                .bind(direction.as_str())
                .bind(number.as_str())
                .bind(date.as_str())
                .bind(key.as_str())
                // A PDF's XML may name the seller by VAT only where its twin gives an address.
                .bind(s.counterparty_vat.as_deref().map(fold_vat))
                .bind(o.document_id.as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(Error::db("looking for duplicates"))?
                .map(|r| get::<String>(&r, "document_id"))
                .transpose()?;
            }
            if let Some(first) = &duplicate_of {
                steps = vec![Step::new(
                    states::NEEDS_REVIEW,
                    "needs_review",
                    serde_json::json!({"duplicate_of": first}),
                )
                .because(format!(
                    "duplicate of document {first}: same supplier, number and issue date"
                ))];
            }
            sqlx::query(
                "UPDATE document_summaries SET kind = $1, syntax = $2, invoice_number = $3,
                     issue_date = $4, due_date = $5, counterparty_name = $6, counterparty_id = $7,
                     counterparty_vat = $8, currency = $9, total = $10, total_cents = $11,
                     supplier_key = $12, duplicate_of = $13 WHERE document_id = $14",
            )
            .bind(s.kind.map(|k| k.as_str()))
            .bind(s.syntax.as_str())
            .bind(s.invoice_number.as_deref())
            .bind(s.issue_date.as_deref())
            .bind(s.due_date.as_deref())
            .bind(s.counterparty_name.as_deref())
            .bind(s.counterparty_id.as_deref())
            .bind(s.counterparty_vat.as_deref().map(fold_vat))
            .bind(s.currency.as_deref())
            .bind(s.total.as_deref())
            .bind(s.total_cents)
            .bind(key.as_str())
            .bind(duplicate_of.as_deref())
            .bind(o.document_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::db("filling the summary"))?;
        }
        // Steps only on a document still waiting: a person may have decided meanwhile.
        let mut events = Vec::new();
        if state == states::NEEDS_REVIEW && !steps.is_empty() {
            let final_state = steps.last().map(|s| s.to.clone()).unwrap_or_default();
            sqlx::query("UPDATE documents SET state = $1, updated_at = $2 WHERE id = $3")
                .bind(final_state.as_str())
                .bind(now.as_str())
                .bind(o.document_id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(Error::db("updating document state"))?;
            let last = sqlx::query(
                "SELECT seq, hash FROM events WHERE document_id = $1 ORDER BY seq DESC LIMIT 1",
            )
            .bind(o.document_id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(Error::db("reading last event"))?;
            let last = (get::<i64>(&last, "seq")?, get::<String>(&last, "hash")?);
            events = append_steps(
                &mut tx,
                &o.document_id,
                &company_id,
                &o.actor,
                &now,
                state,
                last,
                &steps,
            )
            .await?;
        }
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(events)
    }

    async fn extraction(
        &self,
        vis: &Visibility,
        document_id: &str,
    ) -> Result<Option<ExtractionRecord>> {
        let Some(doc) = self.get_document(vis, document_id).await? else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT document_id, company_id, status, attempts, source, result, invoice_xml, error
             FROM extraction_jobs WHERE document_id = $1",
        )
        .bind(doc.id.as_str())
        .fetch_optional(self.read())
        .await
        .map_err(Error::db("reading the extraction"))?;
        let Some(r) = row else {
            return Ok(None);
        };
        let result: Option<String> = r.try_get("result").map_err(Error::db("result"))?;
        Ok(Some(ExtractionRecord {
            document_id: get(&r, "document_id")?,
            company_id: get(&r, "company_id")?,
            status: get(&r, "status")?,
            attempts: get(&r, "attempts")?,
            source: r.try_get("source").map_err(Error::db("source"))?,
            result: result.and_then(|r| serde_json::from_str(&r).ok()),
            invoice_xml: r.try_get("invoice_xml").map_err(Error::db("invoice_xml"))?,
            error: r.try_get("error").map_err(Error::db("error"))?,
        }))
    }
    async fn remember_supplier(
        &self,
        company_id: &str,
        keys: &[String],
        fields: &serde_json::Value,
    ) -> Result<()> {
        let now = time::now();
        let fields = fields.to_string();
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        for key in keys {
            sqlx::query(
                "INSERT INTO supplier_memory (company_id, supplier_key, fields, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (company_id, supplier_key) DO UPDATE SET fields = $3, updated_at = $4",
            )
            .bind(company_id)
            .bind(key.as_str())
            .bind(fields.as_str())
            .bind(now.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::db("remembering the supplier"))?;
        }
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(())
    }

    async fn recall_supplier(
        &self,
        company_id: &str,
        keys: &[String],
    ) -> Result<Option<serde_json::Value>> {
        for key in keys {
            let row = sqlx::query(
                "SELECT fields FROM supplier_memory WHERE company_id = $1 AND supplier_key = $2",
            )
            .bind(company_id)
            .bind(key.as_str())
            .fetch_optional(self.read())
            .await
            .map_err(Error::db("recalling the supplier"))?;
            if let Some(row) = row {
                let text: String = get(&row, "fields")?;
                return serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|e| Error::Invalid {
                        field: "supplier_memory",
                        reason: e.to_string(),
                    });
            }
        }
        Ok(None)
    }
}
