//! New invoices written in bulk: the rows of many documents with one statement per table, so that
//! a group of concurrent submissions costs a handful of statements instead of a dozen per document
//! (on SQLite every statement is a round trip to the connection's thread).
//!
//! Each document gets what it would get written alone: its blob row, the document in its final
//! state, the summary, its hash-chained events, deliveries and idempotency key. Duplicates are
//! judged as if the documents were written one after the other: a document repeating the
//! supplier, number and issue date of an earlier one (stored, or earlier in the batch) is its
//! duplicate.
use std::collections::HashSet;
use std::fmt::Write;

use async_trait::async_trait;
use sqlx::{Any, Transaction};

use crate::blob::BlobLocation;
use crate::fold::fold_vat;
use crate::group::GroupWrite;
use crate::journal::{event_hash, GENESIS_HASH};
use crate::lifecycle::supplier_key;
use crate::sql_store::{get, new_id, non_empty};
use crate::*;

/// Rows per statement: for the widest table (19 columns) well below both backends' limits on
/// bind parameters (SQLite 32,766, PostgreSQL 65,535).
const ROWS_PER_STATEMENT: usize = 256;

/// A bind value, typed even when NULL (PostgreSQL wants to know).
pub(crate) enum Value<'a> {
    Text(Option<&'a str>),
    Int(Option<i64>),
    Bytes(Option<&'a [u8]>),
}

pub(crate) fn text(s: &str) -> Value<'_> {
    Value::Text(Some(s))
}

pub(crate) fn opt(s: &Option<String>) -> Value<'_> {
    Value::Text(s.as_deref())
}

type Query<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>;

fn bind<'q>(query: Query<'q>, value: &'q Value<'q>) -> Query<'q> {
    match value {
        Value::Text(t) => query.bind(*t),
        Value::Int(i) => query.bind(*i),
        Value::Bytes(b) => query.bind(*b),
    }
}

/// How bind parameters are written. SQLite looks a named or numbered parameter (`$7`, `?7`) up
/// by scanning a list of every such name, once per parameter bound: quadratic in a statement of
/// hundreds of values (7% of the CPU of a group commit). Anonymous `?` are bound by position
/// without that list. PostgreSQL only knows `$n`.
#[derive(Clone, Copy)]
struct Marks {
    anonymous: bool,
    next: usize,
}

impl Marks {
    fn of(tx: &mut Transaction<'_, Any>) -> Marks {
        Marks {
            anonymous: (**tx).backend_name().eq_ignore_ascii_case("sqlite"),
            next: 0,
        }
    }

    /// Writes the next parameter's mark: every mark is bound in the order written.
    fn push(&mut self, sql: &mut String) {
        self.next += 1;
        if self.anonymous {
            sql.push('?');
        } else {
            let _ = write!(sql, "${}", self.next);
        }
    }
}

/// `(?, …), (…)` or `($n, …), (…)`: the marks of `rows` rows of `cols` values.
fn placeholders(sql: &mut String, marks: &mut Marks, rows: usize, cols: usize) {
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            marks.push(sql);
        }
        sql.push(')');
    }
}

/// `INSERT INTO {table} ({columns}) VALUES …{tail}` for every row, a chunk per statement.
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    columns: &[&str],
    tail: &str,
    rows: &[Vec<Value<'_>>],
    context: &'static str,
) -> Result<()> {
    let marks = Marks::of(tx);
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut marks = marks;
        placeholders(&mut sql, &mut marks, chunk.len(), columns.len());
        sql.push_str(tail);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk.iter().flatten() {
            query = bind(query, value);
        }
        query.execute(&mut **tx).await.map_err(Error::db(context))?;
    }
    Ok(())
}

/// What makes two invoices the same: company, direction, number, issue date and supplier.
#[derive(PartialEq, Eq, Hash, Clone)]
struct DuplicateKey {
    company: String,
    direction: String,
    number: String,
    date: String,
    supplier: String,
}

/// A stored document that is nobody's duplicate, under its key.
struct Original {
    key: DuplicateKey,
    created_at: String,
    id: String,
}

/// The stored originals with any of `keys`.
async fn stored_originals(
    tx: &mut Transaction<'_, Any>,
    keys: &[&DuplicateKey],
) -> Result<Vec<Original>> {
    let mut out = Vec::new();
    let marks = Marks::of(tx);
    for chunk in keys.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::from(
            "SELECT document_id, company_id, direction, invoice_number, issue_date, supplier_key, created_at
             FROM document_summaries WHERE duplicate_of IS NULL AND (",
        );
        let mut marks = marks;
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(" OR ");
            }
            for (c, column) in [
                "company_id",
                "direction",
                "invoice_number",
                "issue_date",
                "supplier_key",
            ]
            .iter()
            .enumerate()
            {
                sql.push_str(if c == 0 { "(" } else { " AND " });
                sql.push_str(column);
                sql.push_str(" = ");
                marks.push(&mut sql);
            }
            sql.push(')');
        }
        sql.push(')');
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in chunk {
            query = query
                .bind(k.company.as_str())
                .bind(k.direction.as_str())
                .bind(k.number.as_str())
                .bind(k.date.as_str())
                .bind(k.supplier.as_str());
        }
        let rows = query
            .fetch_all(&mut **tx)
            .await
            .map_err(Error::db("looking for duplicates"))?;
        for r in &rows {
            out.push(Original {
                key: DuplicateKey {
                    company: get(r, "company_id")?,
                    direction: get(r, "direction")?,
                    number: get(r, "invoice_number")?,
                    date: get(r, "issue_date")?,
                    supplier: get(r, "supplier_key")?,
                },
                created_at: get(r, "created_at")?,
                id: get(r, "document_id")?,
            });
        }
    }
    Ok(out)
}

/// One document of the batch, ready to be written.
struct Planned<'a> {
    new: &'a NewInvoice,
    blob: &'a BlobRef,
    id: String,
    summary: Summary,
    supplier_key: String,
    duplicate_of: Option<String>,
    final_state: String,
    events: Vec<Event>,
    reason: Option<String>,
    delivery_status: Option<&'static str>,
}

/// The events of a new document: `created`, then its steps (or the review of a duplicate).
fn plan_events(
    new: &NewInvoice,
    id: &str,
    blob: &BlobRef,
    now: &str,
    steps: &[Step],
) -> Result<Vec<Event>> {
    let d = &new.document;
    let mut events = Vec::with_capacity(steps.len() + 1);
    let mut created = Event {
        document_id: id.to_string(),
        seq: 1,
        company_id: d.company_id.clone(),
        actor: d.actor.clone(),
        at: now.to_string(),
        kind: "created".into(),
        from_state: None,
        to_state: d.initial_state.clone(),
        detail: serde_json::json!({
            "source": d.source,
            "media_type": d.media_type,
            "file_name": d.file_name,
            "sha256": blob.sha256,
            "size": blob.size,
            "origin": new.origin,
        }),
        prev_hash: GENESIS_HASH.into(),
        hash: String::new(),
    };
    created.hash = event_hash(&created);
    events.push(created);
    for step in steps {
        non_empty("state", &step.to)?;
        let last = events.last().expect("created");
        let mut event = Event {
            document_id: id.to_string(),
            seq: last.seq + 1,
            company_id: d.company_id.clone(),
            actor: d.actor.clone(),
            at: now.to_string(),
            kind: step.kind.clone(),
            from_state: Some(last.to_state.clone()),
            to_state: step.to.clone(),
            detail: step.detail.clone(),
            prev_hash: last.hash.clone(),
            hash: String::new(),
        };
        event.hash = event_hash(&event);
        events.push(event);
    }
    Ok(events)
}

fn plan<'a>(
    new: &'a NewInvoice,
    blob: &'a BlobRef,
    id: String,
    duplicate_of: Option<String>,
    now: &str,
) -> Result<Planned<'a>> {
    let summary = new.summary.clone().unwrap_or_default();
    let review;
    let steps = match &duplicate_of {
        Some(first) if new.review_duplicates => {
            review = [Step::new(
                states::NEEDS_REVIEW,
                "needs_review",
                serde_json::json!({"duplicate_of": first}),
            )
            .because(format!(
                "duplicate of document {first}: same supplier, number and issue date"
            ))];
            &review[..]
        }
        _ => &new.steps[..],
    };
    let final_state = steps
        .last()
        .map(|s| s.to.clone())
        .unwrap_or_else(|| new.document.initial_state.clone());
    let events = plan_events(new, &id, blob, now, steps)?;
    let reason = steps.iter().rev().find_map(|s| s.reason.clone());
    let delivery_status = new
        .deliveries
        .iter()
        .map(|d| d.status)
        .max_by_key(|s| match s {
            DeliveryStatus::Failed => 3,
            DeliveryStatus::Queued => 2,
            DeliveryStatus::Delivered => 1,
        })
        .map(DeliveryStatus::as_str);
    Ok(Planned {
        supplier_key: supplier_key(new.document.direction, &summary),
        new,
        blob,
        id,
        summary,
        duplicate_of,
        final_state,
        events,
        reason,
        delivery_status,
    })
}

fn duplicate_key(new: &NewInvoice) -> Option<DuplicateKey> {
    let s = new.summary.as_ref()?;
    let (number, date) = (s.invoice_number.as_ref()?, s.issue_date.as_ref()?);
    Some(DuplicateKey {
        company: new.document.company_id.clone(),
        direction: new.document.direction.as_str().into(),
        number: number.clone(),
        date: date.clone(),
        supplier: supplier_key(new.document.direction, s),
    })
}

/// Which earlier document each one duplicates, as if they were written in order.
async fn find_duplicates(
    tx: &mut Transaction<'_, Any>,
    docs: &[(&NewInvoice, &BlobRef)],
    ids: &[String],
    now: &str,
) -> Result<Vec<Option<String>>> {
    let keys: Vec<Option<DuplicateKey>> = docs.iter().map(|(new, _)| duplicate_key(new)).collect();
    let mut distinct: Vec<&DuplicateKey> = Vec::new();
    let mut seen = HashSet::new();
    for k in keys.iter().flatten() {
        if seen.insert(k) {
            distinct.push(k);
        }
    }
    let mut originals = if distinct.is_empty() {
        Vec::new()
    } else {
        stored_originals(tx, &distinct).await?
    };
    let mut out = Vec::with_capacity(docs.len());
    for (key, id) in keys.iter().zip(ids) {
        let Some(key) = key else {
            out.push(None);
            continue;
        };
        // The first by creation time, then id: what `ORDER BY created_at, document_id` picks.
        let first = originals
            .iter()
            .filter(|o| &o.key == key)
            .min_by(|a, b| (&a.created_at, &a.id).cmp(&(&b.created_at, &b.id)))
            .map(|o| o.id.clone());
        if first.is_none() {
            originals.push(Original {
                key: key.clone(),
                created_at: now.to_string(),
                id: id.clone(),
            });
        }
        out.push(first);
    }
    Ok(out)
}

/// Which of `values` are in `column` of `table`: one query per chunk. `table` and `column` are
/// names written in this crate, never input; the values are bound.
pub(crate) async fn present(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    column: &str,
    values: &[&str],
    context: &'static str,
) -> Result<HashSet<String>> {
    let marks = Marks::of(tx);
    let mut found = HashSet::new();
    for chunk in values.chunks(ROWS_PER_STATEMENT) {
        let mut sql = format!("SELECT {column} AS v FROM {table} WHERE {column} IN ");
        let mut marks = marks;
        placeholders(&mut sql, &mut marks, 1, chunk.len());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for value in chunk {
            query = query.bind(*value);
        }
        for r in query
            .fetch_all(&mut **tx)
            .await
            .map_err(Error::db(context))?
        {
            found.insert(get::<String>(&r, "v")?);
        }
    }
    Ok(found)
}

/// Fails with `NotFound` when a document names a company that does not exist: one query for the
/// whole group, in its transaction, instead of one per request before it.
pub(crate) async fn check_companies(
    tx: &mut Transaction<'_, Any>,
    mut companies: Vec<&str>,
) -> Result<()> {
    companies.sort_unstable();
    companies.dedup();
    let found = present(tx, "companies", "id", &companies, "checking company").await?;
    match companies.iter().find(|c| !found.contains(**c)) {
        Some(missing) => Err(Error::NotFound {
            what: "company",
            id: missing.to_string(),
        }),
        None => Ok(()),
    }
}

/// The index rows of blobs (each once), with their bytes when they live in the database. A row
/// written while blobs lived in files gets its content when the same bytes arrive for the
/// database.
pub(crate) async fn insert_blobs(
    tx: &mut Transaction<'_, Any>,
    blobs: &[(&BlobRef, Option<&[u8]>)],
    now: &str,
) -> Result<()> {
    let mut written = HashSet::new();
    let rows: Vec<_> = blobs
        .iter()
        .filter(|(blob, _)| written.insert(blob.sha256.as_str()))
        .map(|(blob, content)| {
            vec![
                text(&blob.sha256),
                Value::Int(Some(blob.size)),
                text(now),
                Value::Bytes(*content),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "blobs",
        &["sha256", "size", "created_at", "content"],
        " ON CONFLICT (sha256) DO UPDATE SET content = excluded.content WHERE blobs.content IS NULL AND excluded.content IS NOT NULL",
        &rows,
        "storing blob",
    )
    .await
}

/// The `documents` row of a new document.
pub(crate) struct NewRow<'a> {
    pub id: &'a str,
    pub company_id: &'a str,
    pub direction: Direction,
    pub source: &'a str,
    pub media_type: &'a str,
    pub file_name: &'a Option<String>,
    pub blob_sha256: &'a str,
    pub state: &'a str,
    /// Created and updated at.
    pub at: &'a str,
}

/// Creates documents.
pub(crate) async fn insert_documents(
    tx: &mut Transaction<'_, Any>,
    documents: &[NewRow<'_>],
) -> Result<()> {
    let rows: Vec<_> = documents
        .iter()
        .map(|d| {
            vec![
                text(d.id),
                text(d.company_id),
                text(d.direction.as_str()),
                text(d.source),
                text(d.media_type),
                opt(d.file_name),
                text(d.blob_sha256),
                text(d.state),
                text(d.at),
                text(d.at),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "documents",
        &[
            "id",
            "company_id",
            "direction",
            "source",
            "media_type",
            "file_name",
            "blob_sha256",
            "state",
            "created_at",
            "updated_at",
        ],
        "",
        &rows,
        "creating document",
    )
    .await
}

/// Appends `events` (hashed already) to the journal.
pub(crate) async fn insert_events(tx: &mut Transaction<'_, Any>, events: &[&Event]) -> Result<()> {
    let details: Vec<String> = events.iter().map(|e| e.detail.to_string()).collect();
    let rows: Vec<_> = events
        .iter()
        .zip(&details)
        .map(|(e, detail)| {
            vec![
                text(&e.document_id),
                Value::Int(Some(e.seq)),
                text(&e.company_id),
                text(&e.actor),
                text(&e.at),
                text(&e.kind),
                opt(&e.from_state),
                text(&e.to_state),
                text(detail),
                text(&e.prev_hash),
                text(&e.hash),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "events",
        &[
            "document_id",
            "seq",
            "company_id",
            "actor",
            "at",
            "kind",
            "from_state",
            "to_state",
            "detail",
            "prev_hash",
            "hash",
        ],
        "",
        &rows,
        "appending events",
    )
    .await
}

/// Writes `docs` (the bytes of those kept in files already durable) inside `tx`.
pub(crate) async fn insert_invoices(
    tx: &mut Transaction<'_, Any>,
    location: &BlobLocation,
    docs: &[(&NewInvoice, &BlobRef)],
    now: &str,
) -> Result<Vec<Created>> {
    let ids: Vec<String> = docs
        .iter()
        .map(|(new, _)| new.id.clone().unwrap_or_else(new_id))
        .collect();
    check_companies(
        tx,
        docs.iter()
            .map(|(new, _)| new.document.company_id.as_str())
            .collect(),
    )
    .await?;
    let duplicates = find_duplicates(tx, docs, &ids, now).await?;
    let planned = docs
        .iter()
        .zip(ids)
        .zip(duplicates)
        .map(|(((new, blob), id), duplicate_of)| plan(new, blob, id, duplicate_of, now))
        .collect::<Result<Vec<_>>>()?;

    let blobs: Vec<(&BlobRef, Option<&[u8]>)> = planned
        .iter()
        .map(|p| {
            let bytes = p.new.document.bytes.as_slice();
            (p.blob, location.in_database(bytes.len()).then_some(bytes))
        })
        .collect();
    insert_blobs(tx, &blobs, now).await?;

    let documents: Vec<NewRow> = planned
        .iter()
        .map(|p| {
            let d = &p.new.document;
            NewRow {
                id: &p.id,
                company_id: &d.company_id,
                direction: d.direction,
                source: &d.source,
                media_type: &d.media_type,
                file_name: &d.file_name,
                blob_sha256: &p.blob.sha256,
                state: &p.final_state,
                at: now,
            }
        })
        .collect();
    insert_documents(tx, &documents).await?;

    let events: Vec<&Event> = planned.iter().flat_map(|p| &p.events).collect();
    insert_events(tx, &events).await?;

    let folded: Vec<(Option<String>, Option<String>)> = planned
        .iter()
        .map(|p| {
            (
                p.summary
                    .counterparty_id
                    .as_deref()
                    .map(str::to_ascii_lowercase),
                p.summary.counterparty_vat.as_deref().map(fold_vat),
            )
        })
        .collect();
    let summary_rows: Vec<_> = planned
        .iter()
        .zip(&folded)
        .map(|(p, (counterparty_id, counterparty_vat))| {
            let (d, s) = (&p.new.document, &p.summary);
            vec![
                text(&p.id),
                text(&d.company_id),
                text(d.direction.as_str()),
                Value::Text(s.kind.map(InvoiceKind::as_str)),
                Value::Text(Some(s.syntax.as_str()).filter(|x| !x.is_empty())),
                opt(&s.invoice_number),
                opt(&s.issue_date),
                opt(&s.due_date),
                opt(&s.counterparty_name),
                opt(counterparty_id),
                opt(counterparty_vat),
                opt(&s.currency),
                opt(&s.total),
                Value::Int(s.total_cents),
                text(&p.supplier_key),
                opt(&p.duplicate_of),
                Value::Text(p.delivery_status),
                opt(&p.reason),
                text(now),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "document_summaries",
        &[
            "document_id",
            "company_id",
            "direction",
            "kind",
            "syntax",
            "invoice_number",
            "issue_date",
            "due_date",
            "counterparty_name",
            "counterparty_id",
            "counterparty_vat",
            "currency",
            "total",
            "total_cents",
            "supplier_key",
            "duplicate_of",
            "delivery_status",
            "status_reason",
            "created_at",
        ],
        "",
        &summary_rows,
        "storing the invoice summary",
    )
    .await?;

    let deliveries: Vec<(String, &Planned, &NewDelivery, Option<String>)> = planned
        .iter()
        .flat_map(|p| p.new.deliveries.iter().map(move |d| (p, d)))
        .map(|(p, d)| (new_id(), p, d, d.proof.as_ref().map(|p| p.to_string())))
        .collect();
    let delivery_rows: Vec<_> = deliveries
        .iter()
        .map(|(id, p, d, proof)| {
            vec![
                text(id),
                text(&p.id),
                text(&p.new.document.company_id),
                text(d.channel.as_str()),
                opt(&d.recipient),
                text(d.status.as_str()),
                Value::Int(Some(i64::from(d.status != DeliveryStatus::Queued))),
                opt(proof),
                opt(&d.reason),
                text(now),
                text(now),
            ]
        })
        .collect();
    insert_rows(
        tx,
        "deliveries",
        &[
            "id",
            "document_id",
            "company_id",
            "channel",
            "recipient",
            "status",
            "attempts",
            "proof",
            "reason",
            "created_at",
            "updated_at",
        ],
        "",
        &delivery_rows,
        "recording delivery",
    )
    .await?;

    let key_rows: Vec<_> = planned
        .iter()
        .filter_map(|p| {
            let k = p.new.idempotency.as_ref()?;
            Some(vec![
                text(&p.new.document.company_id),
                text(&k.key),
                text(&k.request_sha256),
                text(&p.id),
                text(now),
            ])
        })
        .collect();
    insert_rows(
        tx,
        "idempotency_keys",
        &[
            "company_id",
            "idem_key",
            "request_sha256",
            "document_id",
            "created_at",
        ],
        "",
        &key_rows,
        "idempotency key",
    )
    .await?;

    Ok(planned
        .into_iter()
        .map(|p| {
            let d = &p.new.document;
            Created {
                document: Document {
                    id: p.id,
                    company_id: d.company_id.clone(),
                    direction: d.direction,
                    source: d.source.clone(),
                    media_type: d.media_type.clone(),
                    file_name: d.file_name.clone(),
                    blob: p.blob.clone(),
                    state: p.final_state,
                    created_at: now.to_string(),
                    updated_at: now.to_string(),
                },
                duplicate_of: p.duplicate_of,
                replayed: false,
            }
        })
        .collect())
}

/// New invoices submitted concurrently, written together by [`crate::group::Group`].
pub(crate) struct Invoices {
    pub location: BlobLocation,
}

/// One request's documents, their blob bytes already durable.
pub(crate) struct InvoiceJob {
    pub batch: Vec<NewInvoice>,
    pub blobs: Vec<BlobRef>,
}

#[async_trait]
impl GroupWrite for Invoices {
    type Job = InvoiceJob;
    type Done = Vec<Created>;
    const WHAT: &'static str = "committing a group of documents";

    async fn all(
        &self,
        tx: &mut Transaction<'_, Any>,
        jobs: &[InvoiceJob],
    ) -> Result<Vec<Vec<Created>>> {
        let docs: Vec<(&NewInvoice, &BlobRef)> = jobs
            .iter()
            .flat_map(|job| job.batch.iter().zip(&job.blobs))
            .collect();
        let mut created = insert_invoices(tx, &self.location, &docs, &time::now())
            .await?
            .into_iter();
        Ok(jobs
            .iter()
            .map(|job| created.by_ref().take(job.batch.len()).collect())
            .collect())
    }

    async fn one(&self, tx: &mut Transaction<'_, Any>, job: &InvoiceJob) -> Result<Vec<Created>> {
        let docs: Vec<(&NewInvoice, &BlobRef)> = job.batch.iter().zip(&job.blobs).collect();
        insert_invoices(tx, &self.location, &docs, &time::now()).await
    }
}
