//! The invoice lifecycle: documents with their extracted summary, several journaled steps in one
//! transaction, deliveries per channel, idempotent submission, duplicates, the document list with
//! its per-status totals, the ageing dashboard and the members' settings.
//!
//! States live in `documents.state` and every change is a journal event. Sales invoices go
//! `draft → validated → sent | archived`; purchase invoices `received → needs_review → accepted |
//! refused`. Credit notes follow the same states.
use async_trait::async_trait;
use base64::Engine;
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use utoipa::ToSchema;

use crate::fold::fold_vat;
use crate::journal::event_hash;
use crate::sql_store::{
    document_from, get, insert_event, new_id, non_empty, scope_clause, DOCUMENT_COLUMNS,
};
use crate::*;

/// Document states the lifecycle uses (other workers pick documents up by these names).
pub mod states {
    pub const DRAFT: &str = "draft";
    pub const VALIDATED: &str = "validated";
    pub const SENT: &str = "sent";
    pub const ARCHIVED: &str = "archived";
    pub const RECEIVED: &str = "received";
    pub const NEEDS_REVIEW: &str = "needs_review";
    pub const ACCEPTED: &str = "accepted";
    pub const REFUSED: &str = "refused";
}

/// A new document id (time-ordered), for a batch whose documents refer to each other.
pub fn new_document_id() -> String {
    new_id()
}

/// Invoice or credit note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    Invoice,
    CreditNote,
}
text_enum!(InvoiceKind, "kind", { Invoice => "invoice", CreditNote => "credit_note" });

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Queued,
    Delivered,
    Failed,
}
text_enum!(DeliveryStatus, "status", { Queued => "queued", Delivered => "delivered", Failed => "failed" });

/// How often the reporting e-mail goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFrequency {
    Daily,
    Weekly,
}
text_enum!(ReportFrequency, "reporting_frequency", { Daily => "daily", Weekly => "weekly" });

/// What was read from an invoice's XML, kept so that lists need no parsing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub kind: Option<InvoiceKind>,
    /// `ubl`, `cii` or `json`; empty for papers.
    pub syntax: String,
    pub invoice_number: Option<String>,
    /// `YYYY-MM-DD`.
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    pub counterparty_name: Option<String>,
    /// Electronic address as `scheme:value`.
    pub counterparty_id: Option<String>,
    pub counterparty_vat: Option<String>,
    pub currency: Option<String>,
    /// Amount due, exactly as written.
    pub total: Option<String>,
    /// The same in hundredths, rounded, for sums and ranges.
    pub total_cents: Option<i64>,
}

/// One journaled step after the document's creation (or its current state).
#[derive(Debug, Clone)]
pub struct Step {
    pub to: String,
    pub kind: String,
    pub detail: serde_json::Value,
    /// Kept on the summary as the reason for the state (review, refusal, failure).
    pub reason: Option<String>,
}

impl Step {
    pub fn new(to: &str, kind: &str, detail: serde_json::Value) -> Self {
        Self {
            to: to.into(),
            kind: kind.into(),
            detail,
            reason: None,
        }
    }

    pub fn because(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// An `Idempotency-Key` and the hash of the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_sha256: String,
}

#[derive(Debug, Clone)]
pub struct NewInvoice {
    /// A preassigned id, so that a batch can refer to its own documents; `None` makes one.
    pub id: Option<String>,
    pub document: NewDocument,
    /// `None` for papers that are not (yet) readable invoices.
    pub summary: Option<Summary>,
    /// Steps taken right after creation, in the same transaction.
    pub steps: Vec<Step>,
    pub idempotency: Option<IdempotencyKey>,
    /// A duplicate goes to `needs_review` (with the earlier document as reason) instead of
    /// taking `steps`: no auto-accept of the same invoice twice.
    pub review_duplicates: bool,
    /// Merged into the first event's detail: where the document came from.
    pub origin: Option<serde_json::Value>,
    /// Deliveries recorded with the document (an invoice created already sent).
    pub deliveries: Vec<NewDelivery>,
}

#[derive(Debug, Clone)]
pub struct Created {
    pub document: Document,
    /// The earlier document with the same supplier, number and issue date.
    pub duplicate_of: Option<String>,
    /// `true` when an earlier request with the same idempotency key made this document.
    pub replayed: bool,
}

#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub channel: Delivery,
    pub recipient: Option<String>,
    pub status: DeliveryStatus,
    pub proof: Option<serde_json::Value>,
    pub reason: Option<String>,
}

/// Steps on an existing document, guarded by the states it may be in.
#[derive(Debug, Clone)]
pub struct Advance {
    pub document_id: String,
    /// The states the document may be in; anything else is [`Error::StateConflict`].
    pub from: Vec<String>,
    pub actor: String,
    pub steps: Vec<Step>,
    pub deliveries: Vec<NewDelivery>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryRecord {
    pub id: String,
    pub document_id: String,
    pub company_id: String,
    pub channel: Delivery,
    pub recipient: Option<String>,
    pub status: DeliveryStatus,
    pub attempts: i64,
    #[schema(value_type = Option<Object>)]
    pub proof: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A row of the document list: the document and what the screen shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentRow {
    #[serde(flatten)]
    pub document: Document,
    /// `invoice` or `credit_note`; absent for papers that are not invoices.
    pub kind: Option<InvoiceKind>,
    pub syntax: Option<String>,
    pub invoice_number: Option<String>,
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    /// The supplier of a purchase, the customer of a sale.
    pub counterparty_name: Option<String>,
    pub counterparty_id: Option<String>,
    pub counterparty_vat: Option<String>,
    pub currency: Option<String>,
    /// Amount due, as written in the invoice.
    pub total: Option<String>,
    pub duplicate_of: Option<String>,
    /// Booking status from the member's accounting; `null` until an integration sets it.
    pub accounting_status: Option<String>,
    /// Filled by the accountant export; `null` until then.
    pub accountant_status: Option<String>,
    /// Worst delivery status of a sent invoice: `failed`, `queued` or `delivered`.
    pub delivery_status: Option<String>,
    pub status_reason: Option<String>,
}

/// A document with its deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub row: DocumentRow,
    pub deliveries: Vec<DeliveryRecord>,
}

/// Sort order of the document list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    Created,
    IssueDate,
    DueDate,
    Total,
    InvoiceNumber,
    Counterparty,
    Status,
}

impl SortBy {
    fn expression(self) -> &'static str {
        match self {
            SortBy::Created => "d.created_at",
            SortBy::IssueDate => "COALESCE(s.issue_date, '')",
            SortBy::DueDate => "COALESCE(s.due_date, '')",
            SortBy::Total => "COALESCE(s.total_cents, -9223372036854775807)",
            SortBy::InvoiceNumber => "COALESCE(s.invoice_number, '')",
            SortBy::Counterparty => "COALESCE(LOWER(s.counterparty_name), '')",
            SortBy::Status => "d.state",
        }
    }
}

/// Which documents a list, its totals or the dashboard cover.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub company: Option<String>,
    pub direction: Option<Direction>,
    pub states: Vec<String>,
    pub kind: Option<InvoiceKind>,
    /// Part of the counterparty's name (any case), or its exact identifier or VAT number.
    pub counterparty: Option<String>,
    pub currency: Option<String>,
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub min_total_cents: Option<i64>,
    pub max_total_cents: Option<i64>,
    pub duplicates: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    pub filter: DocumentFilter,
    pub sort: SortBy,
    pub descending: bool,
    pub limit: u32,
    /// `next` of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RowPage {
    pub items: Vec<DocumentRow>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// A count and sum in one currency. Credit notes count against the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CurrencyTotal {
    /// `null` for papers without an amount.
    pub currency: Option<String>,
    pub count: i64,
    /// Decimal text with two fraction digits.
    pub total: String,
}

/// The documents in one state: "click a status or a total".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusTotal {
    pub status: String,
    pub count: i64,
    pub totals: Vec<CurrencyTotal>,
}

/// Ageing buckets of the dashboard, by due date (the issue date when there is none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgeingBucket {
    Overdue,
    /// Due today or within 30 days.
    #[serde(rename = "due_within_30")]
    DueWithin30,
    #[serde(rename = "due_30_60")]
    Due30To60,
    #[serde(rename = "due_60_90")]
    Due60To90,
    #[serde(rename = "due_after_90")]
    DueAfter90,
}
text_enum!(AgeingBucket, "bucket", {
    Overdue => "overdue", DueWithin30 => "due_within_30", Due30To60 => "due_30_60",
    Due60To90 => "due_60_90", DueAfter90 => "due_after_90"
});

impl AgeingBucket {
    pub const ALL: [AgeingBucket; 5] = [
        AgeingBucket::Overdue,
        AgeingBucket::DueWithin30,
        AgeingBucket::Due30To60,
        AgeingBucket::Due60To90,
        AgeingBucket::DueAfter90,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BucketTotals {
    pub bucket: AgeingBucket,
    pub count: i64,
    pub totals: Vec<CurrencyTotal>,
}

/// Payables (accepted or pending purchases) and receivables (sent or archived sales).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    /// The day the buckets are counted from.
    pub today: String,
    pub payables: Vec<BucketTotals>,
    pub receivables: Vec<BucketTotals>,
}

/// A member's lifecycle settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Settings {
    pub reporting_email: Option<String>,
    pub reporting_frequency: Option<ReportFrequency>,
    pub notification_email: Option<String>,
    /// Accept documents the company imported itself (upload, e-mail import).
    #[serde(default)]
    pub auto_accept_own_imports: bool,
    /// Accept documents from the network whose supplier is one of the company's suppliers.
    #[serde(default)]
    pub auto_accept_known_suppliers: bool,
    /// Accept every readable document.
    #[serde(default)]
    pub auto_accept_everything: bool,
}

/// The part of a directory entry that routing needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub legal_name: String,
    pub delivery: Delivery,
    pub member_company_id: Option<String>,
    pub email: Option<String>,
    /// Its first Peppol participant identifier (`scheme:value`), if any.
    pub peppol_id: Option<String>,
}

/// Which auto-accept option accepted a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AutoAcceptRule {
    OwnImports,
    KnownSuppliers,
    Everything,
}
text_enum!(AutoAcceptRule, "rule", {
    OwnImports => "own_imports", KnownSuppliers => "known_suppliers", Everything => "everything"
});

/// Lifecycle operations of the [`Store`].
#[async_trait]
pub trait Lifecycle: Send + Sync {
    /// Stores a document, its summary, its first event and `steps` in one transaction. With an
    /// idempotency key already used for the same request, returns that document (`replayed`);
    /// used for another request, [`Error::Conflict`].
    async fn create_invoice(&self, new: NewInvoice) -> Result<Created>;
    /// Several documents in one transaction (an invoice and its recipient's copy). The first
    /// is the one the request made: when its idempotency key replays, only it is returned.
    async fn create_invoices(&self, batch: Vec<NewInvoice>) -> Result<Vec<Created>>;
    /// Applies `steps` (and records `deliveries`) in one transaction.
    async fn advance(&self, vis: &Visibility, change: Advance) -> Result<Vec<Event>>;
    async fn document_detail(&self, vis: &Visibility, id: &str) -> Result<Option<DocumentDetail>>;
    async fn list_rows(&self, vis: &Visibility, req: &ListRequest) -> Result<RowPage>;
    /// Counts and totals per state of the documents `filter` selects (its `states` ignored).
    async fn status_totals(
        &self,
        vis: &Visibility,
        filter: &DocumentFilter,
    ) -> Result<Vec<StatusTotal>>;
    async fn dashboard(
        &self,
        vis: &Visibility,
        company: Option<&str>,
        today: NaiveDate,
    ) -> Result<Dashboard>;
    /// Deliveries waiting on `channel`, oldest first: what an outbox worker picks up.
    async fn queued_deliveries(&self, channel: Delivery, limit: u32)
        -> Result<Vec<DeliveryRecord>>;
    /// Records a delivery's outcome and journals it on the document.
    async fn complete_delivery(
        &self,
        delivery_id: &str,
        status: DeliveryStatus,
        proof: Option<serde_json::Value>,
        reason: Option<String>,
        actor: &str,
    ) -> Result<Event>;
    /// Set by the accountant export.
    async fn set_accountant_status(&self, document_id: &str, status: Option<&str>) -> Result<()>;
    async fn settings(&self, company_id: &str) -> Result<Settings>;
    async fn put_settings(&self, company_id: &str, settings: Settings) -> Result<Settings>;
    /// Where `company`'s customer is reached: the entry of its view of the directory (official
    /// entries and its own contacts) with this participant identifier, else this VAT number; a
    /// member entry first.
    async fn route_entry(
        &self,
        company_id: &str,
        identifier: Option<&Identifier>,
        vat: Option<&str>,
    ) -> Result<Option<RouteEntry>>;
    /// The auto-accept option that accepts a readable purchase document, if any.
    async fn auto_accept_rule(
        &self,
        company_id: &str,
        own_import: bool,
        summary: &Summary,
    ) -> Result<Option<AutoAcceptRule>>;
}

/// A bind value of a query assembled at run time.
enum Arg {
    Text(String),
    Int(i64),
}

fn query_with(sql: String, args: &[Arg]) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for a in args {
        query = match a {
            Arg::Text(t) => query.bind(t.as_str()),
            Arg::Int(i) => query.bind(*i),
        };
    }
    query
}

fn push(args: &mut Vec<Arg>, arg: Arg) -> String {
    args.push(arg);
    format!("${}", args.len())
}

/// `AND column IN (...)` for a visibility; `false` when nothing is visible.
fn scope(vis: &Visibility, column: &str, sql: &mut String, args: &mut Vec<Arg>) -> bool {
    let mut texts = Vec::new();
    let offset = args.len();
    let mut part = String::new();
    if !scope_clause(vis, column, &mut part, &mut texts) {
        return false;
    }
    // scope_clause numbered its placeholders from 1: renumber after ours.
    for i in (1..=texts.len()).rev() {
        part = part.replace(&format!("${i}"), &format!("${}", i + offset));
    }
    sql.push_str(&part);
    args.extend(texts.into_iter().map(Arg::Text));
    true
}

const ROW_COLUMNS: &str = "s.kind, s.syntax, s.invoice_number, s.issue_date, s.due_date, s.counterparty_name, s.counterparty_id, s.counterparty_vat, s.currency, s.total, s.duplicate_of, s.accounting_status, s.accountant_status, s.delivery_status, s.status_reason";

const ROW_FROM: &str = "FROM documents d JOIN blobs b ON b.sha256 = d.blob_sha256 LEFT JOIN document_summaries s ON s.document_id = d.id";

fn row_from(r: &AnyRow) -> Result<DocumentRow> {
    let kind: Option<String> = get(r, "kind")?;
    Ok(DocumentRow {
        document: document_from(r)?,
        kind: kind.map(|k| k.parse()).transpose()?,
        syntax: get(r, "syntax")?,
        invoice_number: get(r, "invoice_number")?,
        issue_date: get(r, "issue_date")?,
        due_date: get(r, "due_date")?,
        counterparty_name: get(r, "counterparty_name")?,
        counterparty_id: get(r, "counterparty_id")?,
        counterparty_vat: get(r, "counterparty_vat")?,
        currency: get(r, "currency")?,
        total: get(r, "total")?,
        duplicate_of: get(r, "duplicate_of")?,
        accounting_status: get(r, "accounting_status")?,
        accountant_status: get(r, "accountant_status")?,
        delivery_status: get(r, "delivery_status")?,
        status_reason: get(r, "status_reason")?,
    })
}

const DELIVERY_COLUMNS: &str = "id, document_id, company_id, channel, recipient, status, attempts, proof, reason, created_at, updated_at";

fn delivery_from(r: &AnyRow) -> Result<DeliveryRecord> {
    let channel: String = get(r, "channel")?;
    let status: String = get(r, "status")?;
    let proof: Option<String> = get(r, "proof")?;
    Ok(DeliveryRecord {
        id: get(r, "id")?,
        document_id: get(r, "document_id")?,
        company_id: get(r, "company_id")?,
        channel: channel.parse()?,
        recipient: get(r, "recipient")?,
        status: status.parse()?,
        attempts: get(r, "attempts")?,
        proof: proof
            .map(|p| serde_json::from_str(&p))
            .transpose()
            .map_err(|e| Error::Invalid {
                field: "delivery proof",
                reason: e.to_string(),
            })?,
        reason: get(r, "reason")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

/// Hundredths as decimal text: `-1234` → `-12.34`.
pub fn cents_text(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Who issued a document, for duplicate detection: the supplier of a purchase (identifier, VAT
/// or name), nobody but the company itself for a sale.
pub(crate) fn supplier_key(direction: Direction, s: &Summary) -> String {
    match direction {
        Direction::Purchase => s
            .counterparty_id
            .as_deref()
            .map(str::to_ascii_lowercase)
            .or_else(|| s.counterparty_vat.as_deref().map(fold_vat))
            .or_else(|| {
                s.counterparty_name
                    .as_deref()
                    .map(|n| n.trim().to_lowercase())
            })
            .unwrap_or_default(),
        Direction::Sales | Direction::Other => String::new(),
    }
}

/// The cursor of a page: the sort key and id of its last row.
fn encode_cursor(key: &str, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::json!([key, id]).to_string())
}

fn decode_cursor(cursor: &str) -> Result<(String, String)> {
    let invalid = || Error::Invalid {
        field: "after",
        reason: "not a cursor returned as `next` by this list".into(),
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    serde_json::from_slice::<(String, String)>(&bytes).map_err(|_| invalid())
}

/// `AND ...` for every filter but the states.
fn filter_clause(f: &DocumentFilter, sql: &mut String, args: &mut Vec<Arg>) {
    let text = |sql: &mut String, args: &mut Vec<Arg>, cond: &str, v: &str| {
        let p = push(args, Arg::Text(v.to_string()));
        sql.push_str(&format!(" AND {}", cond.replace('?', &p)));
    };
    if let Some(c) = &f.company {
        text(sql, args, "d.company_id = ?", c);
    }
    if let Some(d) = f.direction {
        text(sql, args, "d.direction = ?", d.as_str());
    }
    if let Some(k) = f.kind {
        text(sql, args, "s.kind = ?", k.as_str());
    }
    if let Some(c) = &f.currency {
        text(sql, args, "s.currency = ?", &c.to_ascii_uppercase());
    }
    if let Some(c) = f
        .counterparty
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let like = push(
            args,
            Arg::Text(format!("%{}%", c.to_lowercase().replace(['%', '_'], ""))),
        );
        let id = push(args, Arg::Text(c.to_ascii_lowercase()));
        let vat = push(args, Arg::Text(fold_vat(c)));
        sql.push_str(&format!(
            " AND (LOWER(s.counterparty_name) LIKE {like} OR s.counterparty_id = {id} OR s.counterparty_vat = {vat})"
        ));
    }
    for (value, cond) in [
        (&f.issued_from, "s.issue_date >= ?"),
        (&f.issued_to, "s.issue_date <= ?"),
        (&f.due_from, "s.due_date >= ?"),
        (&f.due_to, "s.due_date <= ?"),
        (&f.created_from, "d.created_at >= ?"),
    ] {
        if let Some(v) = value {
            text(sql, args, cond, v);
        }
    }
    if let Some(v) = &f.created_to {
        // A bare day includes the whole day.
        let bound = if v.len() == 10 {
            format!("{v}T23:59:59.999Z")
        } else {
            v.clone()
        };
        text(sql, args, "d.created_at <= ?", &bound);
    }
    if let Some(min) = f.min_total_cents {
        let p = push(args, Arg::Int(min));
        sql.push_str(&format!(" AND s.total_cents >= {p}"));
    }
    if let Some(max) = f.max_total_cents {
        let p = push(args, Arg::Int(max));
        sql.push_str(&format!(" AND s.total_cents <= {p}"));
    }
    match f.duplicates {
        Some(true) => sql.push_str(" AND s.duplicate_of IS NOT NULL"),
        Some(false) => sql.push_str(" AND s.duplicate_of IS NULL"),
        None => {}
    }
}

/// Appends `steps` to a document's chain inside `tx`, from `state` after the event `last`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn append_steps(
    tx: &mut Transaction<'_, Any>,
    document_id: &str,
    company_id: &str,
    actor: &str,
    now: &str,
    mut state: String,
    mut last: (i64, String),
    steps: &[Step],
) -> Result<Vec<Event>> {
    let mut out = Vec::with_capacity(steps.len());
    for step in steps {
        non_empty("state", &step.to)?;
        let mut event = Event {
            document_id: document_id.to_string(),
            seq: last.0 + 1,
            company_id: company_id.to_string(),
            actor: actor.to_string(),
            at: now.to_string(),
            kind: step.kind.clone(),
            from_state: Some(state.clone()),
            to_state: step.to.clone(),
            detail: step.detail.clone(),
            prev_hash: last.1.clone(),
            hash: String::new(),
        };
        event.hash = event_hash(&event);
        insert_event(tx, &event).await?;
        if let Some(reason) = &step.reason {
            sqlx::query("UPDATE document_summaries SET status_reason = $1 WHERE document_id = $2")
                .bind(reason.as_str())
                .bind(document_id)
                .execute(&mut **tx)
                .await
                .map_err(Error::db("recording the reason"))?;
        }
        state = step.to.clone();
        last = (event.seq, event.hash.clone());
        out.push(event);
    }
    Ok(out)
}

async fn insert_delivery(
    tx: &mut Transaction<'_, Any>,
    document_id: &str,
    company_id: &str,
    now: &str,
    d: &NewDelivery,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (id, document_id, company_id, channel, recipient, status, attempts, proof, reason, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(new_id())
    .bind(document_id)
    .bind(company_id)
    .bind(d.channel.as_str())
    .bind(d.recipient.clone())
    .bind(d.status.as_str())
    .bind(i64::from(d.status != DeliveryStatus::Queued))
    .bind(d.proof.as_ref().map(|p| p.to_string()))
    .bind(d.reason.clone())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(Error::db("recording delivery"))?;
    Ok(())
}

/// Sets the summary's delivery status to the worst of the document's deliveries.
async fn refresh_delivery_status(tx: &mut Transaction<'_, Any>, document_id: &str) -> Result<()> {
    let rows = sqlx::query("SELECT status, reason FROM deliveries WHERE document_id = $1")
        .bind(document_id)
        .fetch_all(&mut **tx)
        .await
        .map_err(Error::db("reading deliveries"))?;
    let mut worst: Option<(u8, String, Option<String>)> = None;
    for r in &rows {
        let status: String = get(r, "status")?;
        let rank = match status.as_str() {
            "failed" => 3,
            "queued" => 2,
            _ => 1,
        };
        if worst.as_ref().is_none_or(|w| rank > w.0) {
            worst = Some((rank, status, get(r, "reason")?));
        }
    }
    let (status, reason) = match worst {
        Some((3, s, reason)) => (Some(s), reason),
        Some((_, s, _)) => (Some(s), None),
        None => (None, None),
    };
    sqlx::query(
        "UPDATE document_summaries SET delivery_status = $1, status_reason = COALESCE($2, status_reason) WHERE document_id = $3",
    )
    .bind(status)
    .bind(reason)
    .bind(document_id)
    .execute(&mut **tx)
    .await
    .map_err(Error::db("updating delivery status"))?;
    Ok(())
}

impl SqlStore {
    async fn replay(&self, company_id: &str, key: &IdempotencyKey) -> Result<Option<Created>> {
        let row = sqlx::query(
            "SELECT request_sha256, document_id FROM idempotency_keys WHERE company_id = $1 AND idem_key = $2",
        )
        .bind(company_id)
        .bind(key.key.as_str())
        .fetch_optional(&self.pools.write)
        .await
        .map_err(Error::db("reading idempotency key"))?;
        let Some(row) = row else { return Ok(None) };
        let hash: String = get(&row, "request_sha256")?;
        if hash != key.request_sha256 {
            return Err(Error::Conflict {
                what: "idempotency key",
                detail: format!(
                    "`{}` was used for a different request; use a new key for a new document",
                    key.key
                ),
            });
        }
        let id: String = get(&row, "document_id")?;
        let vis = Visibility::Companies(vec![company_id.to_string()]);
        let detail = self
            .document_detail(&vis, &id)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "document",
                id: id.clone(),
            })?;
        Ok(Some(Created {
            duplicate_of: detail.row.duplicate_of,
            document: detail.row.document,
            replayed: true,
        }))
    }

    /// Writes the bytes of every distinct blob of a batch that is kept in a file durably, before
    /// any row points at them (the others are written with their rows).
    async fn write_blob_files(&self, batch: &[NewInvoice]) -> Result<Vec<BlobRef>> {
        let mut refs = Vec::with_capacity(batch.len());
        let mut written: Vec<String> = Vec::new();
        for new in batch {
            let bytes = &new.document.bytes;
            let sha256 = crate::blob::sha256_hex(bytes);
            let size = i64::try_from(bytes.len()).map_err(|_| Error::Invalid {
                field: "blob",
                reason: "larger than 2^63 bytes".into(),
            })?;
            let location = self.blob_location();
            if let (BlobLocation::Files(dir), false, false) = (
                location,
                location.in_database(bytes.len()),
                written.contains(&sha256),
            ) {
                let (dir, sha, owned) = (dir.clone(), sha256.clone(), bytes.clone());
                tokio::task::spawn_blocking(move || crate::blob::write_file(&dir, &sha, &owned))
                    .await
                    .map_err(|e| Error::BlobIo {
                        path: "blob writer".into(),
                        source: std::io::Error::other(e),
                    })??;
                written.push(sha256.clone());
            }
            refs.push(BlobRef { sha256, size });
        }
        Ok(refs)
    }

    async fn insert_batch(&self, batch: Vec<NewInvoice>) -> Result<Vec<Created>> {
        let blobs = self.write_blob_files(&batch).await?;
        // Concurrent requests share a transaction and its commit (see `group`).
        let location = self.blob_location();
        self.group
            .write(
                &self.pools.write,
                || crate::bulk::Invoices {
                    location: location.clone(),
                },
                crate::bulk::InvoiceJob { batch, blobs },
            )
            .await
    }

    async fn check_batch(&self, batch: &[NewInvoice]) -> Result<()> {
        for new in batch {
            let d = &new.document;
            non_empty("source", &d.source)?;
            non_empty("media_type", &d.media_type)?;
            non_empty("initial_state", &d.initial_state)?;
            if let Some(k) = &new.idempotency {
                non_empty("Idempotency-Key", &k.key)?;
                if k.key.len() > 255 {
                    return Err(Error::Invalid {
                        field: "Idempotency-Key",
                        reason: "longer than 255 characters".into(),
                    });
                }
            }
        }
        // That the companies exist is checked in the group's transaction (see `bulk`).
        Ok(())
    }

    async fn bucket_totals(
        &self,
        vis: &Visibility,
        company: Option<&str>,
        today: NaiveDate,
    ) -> Result<Vec<(String, AgeingBucket, Option<String>, i64, i64)>> {
        let day = |n: u64| {
            today
                .checked_add_days(Days::new(n))
                .unwrap_or(today)
                .format("%Y-%m-%d")
                .to_string()
        };
        let mut args = Vec::new();
        let (t0, t30, t60, t90) = (
            push(&mut args, Arg::Text(day(0))),
            push(&mut args, Arg::Text(day(30))),
            push(&mut args, Arg::Text(day(60))),
            push(&mut args, Arg::Text(day(90))),
        );
        let mut inner = String::from(
            "SELECT s.direction AS direction, s.currency AS currency, s.kind AS kind, s.total_cents AS total_cents,
             COALESCE(s.due_date, s.issue_date) AS due
             FROM document_summaries s JOIN documents d ON d.id = s.document_id
             WHERE s.duplicate_of IS NULL AND COALESCE(s.due_date, s.issue_date) IS NOT NULL
             AND ((s.direction = 'purchase' AND d.state IN ('received', 'needs_review', 'accepted'))
               OR (s.direction = 'sales' AND d.state IN ('sent', 'archived')))",
        );
        if let Some(c) = company {
            let p = push(&mut args, Arg::Text(c.to_string()));
            inner.push_str(&format!(" AND s.company_id = {p}"));
        }
        if !scope(vis, "s.company_id", &mut inner, &mut args) {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT direction, currency, bucket, COUNT(*) AS n,
             CAST(SUM(CASE WHEN kind = 'credit_note' THEN -total_cents ELSE total_cents END) AS BIGINT) AS cents
             FROM (SELECT direction, currency, kind, total_cents,
                   CASE WHEN due < {t0} THEN 'overdue' WHEN due < {t30} THEN 'due_within_30'
                        WHEN due < {t60} THEN 'due_30_60' WHEN due < {t90} THEN 'due_60_90'
                        ELSE 'due_after_90' END AS bucket
                   FROM ({inner}) a) b
             GROUP BY direction, currency, bucket ORDER BY direction, bucket, currency"
        );
        let rows = query_with(sql, &args)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("computing the dashboard"))?;
        rows.iter()
            .map(|r| {
                let bucket: String = get(r, "bucket")?;
                Ok((
                    get(r, "direction")?,
                    bucket.parse()?,
                    get(r, "currency")?,
                    get(r, "n")?,
                    get::<Option<i64>>(r, "cents")?.unwrap_or(0),
                ))
            })
            .collect()
    }
}

fn group_totals(
    rows: impl Iterator<Item = (Option<String>, i64, i64)>,
) -> (i64, Vec<CurrencyTotal>) {
    let mut count = 0;
    let mut totals: Vec<CurrencyTotal> = Vec::new();
    for (currency, n, cents) in rows {
        count += n;
        totals.push(CurrencyTotal {
            currency,
            count: n,
            total: cents_text(cents),
        });
    }
    (count, totals)
}

#[async_trait]
impl Lifecycle for SqlStore {
    async fn create_invoice(&self, new: NewInvoice) -> Result<Created> {
        let mut done = self.create_invoices(vec![new]).await?;
        Ok(done.remove(0))
    }

    async fn create_invoices(&self, batch: Vec<NewInvoice>) -> Result<Vec<Created>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        self.check_batch(&batch).await?;
        let (company, key) = (
            batch[0].document.company_id.clone(),
            batch[0].idempotency.clone(),
        );
        if let Some(k) = &key {
            if let Some(done) = self.replay(&company, k).await? {
                return Ok(vec![done]);
            }
        }
        match self.insert_batch(batch).await {
            // Two requests with one key raced: the loser returns the winner's document.
            Err(Error::Conflict {
                what: "idempotency key",
                ..
            }) if key.is_some() => {
                let key = key.as_ref().expect("checked");
                let done = self
                    .replay(&company, key)
                    .await?
                    .ok_or_else(|| Error::Conflict {
                        what: "idempotency key",
                        detail: "used concurrently".into(),
                    })?;
                Ok(vec![done])
            }
            other => other,
        }
    }

    async fn advance(&self, vis: &Visibility, change: Advance) -> Result<Vec<Event>> {
        let doc = self
            .get_document(vis, &change.document_id)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "document",
                id: change.document_id.clone(),
            })?;
        let now = time::now();
        let mut tx = self.pools.write.begin().await.map_err(Error::db("begin"))?;
        let current: String = sqlx::query("SELECT state FROM documents WHERE id = $1")
            .bind(doc.id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(Error::db("reading document state"))?
            .try_get("state")
            .map_err(Error::db("state"))?;
        let conflict = |actual: String| Error::StateConflict {
            document: doc.id.clone(),
            expected: change.from.join(" or "),
            actual,
        };
        if !change.from.contains(&current) {
            return Err(conflict(current));
        }
        let final_state = change
            .steps
            .last()
            .map(|s| s.to.clone())
            .unwrap_or_else(|| current.clone());
        // Guarded on the state just read: concurrent steps serialize on the row and one loses.
        let updated = sqlx::query(
            "UPDATE documents SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(final_state.as_str())
        .bind(now.as_str())
        .bind(doc.id.as_str())
        .bind(current.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("updating document state"))?;
        if updated.rows_affected() != 1 {
            return Err(conflict("changed meanwhile".into()));
        }
        let last = sqlx::query(
            "SELECT seq, hash FROM events WHERE document_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(doc.id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(Error::db("reading last event"))?;
        let events = append_steps(
            &mut tx,
            &doc.id,
            &doc.company_id,
            &change.actor,
            &now,
            current,
            (get(&last, "seq")?, get(&last, "hash")?),
            &change.steps,
        )
        .await?;
        for delivery in &change.deliveries {
            insert_delivery(&mut tx, &doc.id, &doc.company_id, &now, delivery).await?;
        }
        if !change.deliveries.is_empty() {
            refresh_delivery_status(&mut tx, &doc.id).await?;
        }
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(events)
    }

    async fn document_detail(&self, vis: &Visibility, id: &str) -> Result<Option<DocumentDetail>> {
        let mut args = vec![Arg::Text(id.to_string())];
        let mut sql =
            format!("SELECT {DOCUMENT_COLUMNS}, {ROW_COLUMNS} {ROW_FROM} WHERE d.id = $1");
        if !scope(vis, "d.company_id", &mut sql, &mut args) {
            return Ok(None);
        }
        let row = query_with(sql, &args)
            .fetch_optional(&self.pools.read)
            .await
            .map_err(Error::db("reading document"))?;
        let Some(row) = row else { return Ok(None) };
        let row = row_from(&row)?;
        let deliveries = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE document_id = $1 ORDER BY created_at, id"
        )))
        .bind(id)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading deliveries"))?
        .iter()
        .map(delivery_from)
        .collect::<Result<_>>()?;
        Ok(Some(DocumentDetail { row, deliveries }))
    }

    async fn list_rows(&self, vis: &Visibility, req: &ListRequest) -> Result<RowPage> {
        let key = req.sort.expression();
        let mut args = Vec::new();
        let mut sql = format!(
            "SELECT {DOCUMENT_COLUMNS}, {ROW_COLUMNS}, {key} AS sort_key {ROW_FROM} WHERE 1 = 1"
        );
        if !scope(vis, "d.company_id", &mut sql, &mut args) {
            return Ok(RowPage {
                items: Vec::new(),
                next: None,
            });
        }
        filter_clause(&req.filter, &mut sql, &mut args);
        if !req.filter.states.is_empty() {
            let marks: Vec<String> = req
                .filter
                .states
                .iter()
                .map(|s| push(&mut args, Arg::Text(s.clone())))
                .collect();
            sql.push_str(&format!(" AND d.state IN ({})", marks.join(", ")));
        }
        if let Some(cursor) = &req.after {
            let (value, id) = decode_cursor(cursor)?;
            let value = if req.sort == SortBy::Total {
                Arg::Int(value.parse().map_err(|_| Error::Invalid {
                    field: "after",
                    reason: "not a cursor of a list sorted by total".into(),
                })?)
            } else {
                Arg::Text(value)
            };
            let v = push(&mut args, value);
            let i = push(&mut args, Arg::Text(id));
            let op = if req.descending { "<" } else { ">" };
            sql.push_str(&format!(" AND ({key}, d.id) {op} ({v}, {i})"));
        }
        let dir = if req.descending { "DESC" } else { "ASC" };
        let limit = req.limit.clamp(1, 1000);
        sql.push_str(&format!(
            " ORDER BY {key} {dir}, d.id {dir} LIMIT {}",
            limit + 1
        ));
        let rows = query_with(sql, &args)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("listing documents"))?;
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len().min(limit as usize));
        let mut next = None;
        for (i, r) in rows.iter().take(limit as usize).enumerate() {
            let item = row_from(r)?;
            if more && i + 1 == limit as usize {
                let key = if req.sort == SortBy::Total {
                    get::<i64>(r, "sort_key")?.to_string()
                } else {
                    get::<String>(r, "sort_key")?
                };
                next = Some(encode_cursor(&key, &item.document.id));
            }
            items.push(item);
        }
        Ok(RowPage { items, next })
    }

    async fn status_totals(
        &self,
        vis: &Visibility,
        filter: &DocumentFilter,
    ) -> Result<Vec<StatusTotal>> {
        let mut args = Vec::new();
        let mut sql = format!(
            "SELECT d.state AS state, s.currency AS currency, COUNT(*) AS n,
             CAST(SUM(CASE WHEN s.kind = 'credit_note' THEN -s.total_cents ELSE s.total_cents END) AS BIGINT) AS cents
             {ROW_FROM} WHERE 1 = 1"
        );
        if !scope(vis, "d.company_id", &mut sql, &mut args) {
            return Ok(Vec::new());
        }
        filter_clause(filter, &mut sql, &mut args);
        sql.push_str(" GROUP BY d.state, s.currency ORDER BY d.state, s.currency");
        let rows = query_with(sql, &args)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("counting documents"))?;
        let mut flat = Vec::with_capacity(rows.len());
        for r in &rows {
            flat.push((
                get::<String>(r, "state")?,
                get::<Option<String>>(r, "currency")?,
                get::<i64>(r, "n")?,
                get::<Option<i64>>(r, "cents")?.unwrap_or(0),
            ));
        }
        let mut out: Vec<StatusTotal> = Vec::new();
        for chunk in flat.chunk_by(|a, b| a.0 == b.0) {
            let (count, totals) =
                group_totals(chunk.iter().map(|(_, c, n, cents)| (c.clone(), *n, *cents)));
            out.push(StatusTotal {
                status: chunk[0].0.clone(),
                count,
                totals,
            });
        }
        Ok(out)
    }

    async fn dashboard(
        &self,
        vis: &Visibility,
        company: Option<&str>,
        today: NaiveDate,
    ) -> Result<Dashboard> {
        let rows = self.bucket_totals(vis, company, today).await?;
        let side = |direction: &str| {
            AgeingBucket::ALL
                .iter()
                .map(|bucket| {
                    let (count, totals) = group_totals(
                        rows.iter()
                            .filter(|r| r.0 == direction && r.1 == *bucket)
                            .map(|r| (r.2.clone(), r.3, r.4)),
                    );
                    BucketTotals {
                        bucket: *bucket,
                        count,
                        totals,
                    }
                })
                .collect()
        };
        Ok(Dashboard {
            today: today.format("%Y-%m-%d").to_string(),
            payables: side("purchase"),
            receivables: side("sales"),
        })
    }

    async fn queued_deliveries(
        &self,
        channel: Delivery,
        limit: u32,
    ) -> Result<Vec<DeliveryRecord>> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE channel = $1 AND status = 'queued'
             ORDER BY created_at, id LIMIT {}",
            limit.clamp(1, 10_000)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(channel.as_str())
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("reading queued deliveries"))?
            .iter()
            .map(delivery_from)
            .collect()
    }

    async fn complete_delivery(
        &self,
        delivery_id: &str,
        status: DeliveryStatus,
        proof: Option<serde_json::Value>,
        reason: Option<String>,
        actor: &str,
    ) -> Result<Event> {
        let now = time::now();
        let mut tx = self.pools.write.begin().await.map_err(Error::db("begin"))?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE id = $1"
        )))
        .bind(delivery_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(Error::db("reading delivery"))?
        .ok_or_else(|| Error::NotFound {
            what: "delivery",
            id: delivery_id.to_string(),
        })?;
        let delivery = delivery_from(&row)?;
        if delivery.status == DeliveryStatus::Delivered {
            return Err(Error::StateConflict {
                document: delivery.document_id,
                expected: "a queued or failed delivery".into(),
                actual: "delivered".into(),
            });
        }
        sqlx::query(
            "UPDATE deliveries SET status = $1, proof = $2, reason = $3, attempts = attempts + 1, updated_at = $4 WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(proof.as_ref().map(|p| p.to_string()))
        .bind(reason.clone())
        .bind(now.as_str())
        .bind(delivery_id)
        .execute(&mut *tx)
        .await
        .map_err(Error::db("updating delivery"))?;
        let doc = sqlx::query("SELECT state FROM documents WHERE id = $1")
            .bind(delivery.document_id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(Error::db("reading document state"))?;
        let state: String = get(&doc, "state")?;
        sqlx::query("UPDATE documents SET updated_at = $1 WHERE id = $2")
            .bind(now.as_str())
            .bind(delivery.document_id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::db("touching document"))?;
        let last = sqlx::query(
            "SELECT seq, hash FROM events WHERE document_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(delivery.document_id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(Error::db("reading last event"))?;
        let step = Step::new(
            &state,
            &format!("delivery_{status}"),
            serde_json::json!({
                "delivery_id": delivery.id,
                "channel": delivery.channel,
                "recipient": delivery.recipient,
                "proof": proof,
                "reason": reason,
            }),
        );
        let mut events = append_steps(
            &mut tx,
            &delivery.document_id,
            &delivery.company_id,
            actor,
            &now,
            state.clone(),
            (get(&last, "seq")?, get(&last, "hash")?),
            std::slice::from_ref(&step),
        )
        .await?;
        refresh_delivery_status(&mut tx, &delivery.document_id).await?;
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(events.remove(0))
    }

    async fn set_accountant_status(&self, document_id: &str, status: Option<&str>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE document_summaries SET accountant_status = $1 WHERE document_id = $2",
        )
        .bind(status.map(str::to_string))
        .bind(document_id)
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("setting accountant status"))?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound {
                what: "invoice",
                id: document_id.to_string(),
            });
        }
        Ok(())
    }

    async fn settings(&self, company_id: &str) -> Result<Settings> {
        let row = sqlx::query(
            "SELECT reporting_email, reporting_frequency, notification_email, auto_accept_own_imports,
             auto_accept_known_suppliers, auto_accept_everything FROM company_settings WHERE company_id = $1",
        )
        .bind(company_id)
        .fetch_optional(&self.pools.read)
        .await
        .map_err(Error::db("reading settings"))?;
        let Some(r) = row else {
            return Ok(Settings::default());
        };
        let frequency: Option<String> = get(&r, "reporting_frequency")?;
        Ok(Settings {
            reporting_email: get(&r, "reporting_email")?,
            reporting_frequency: frequency.map(|f| f.parse()).transpose()?,
            notification_email: get(&r, "notification_email")?,
            auto_accept_own_imports: get::<i64>(&r, "auto_accept_own_imports")? != 0,
            auto_accept_known_suppliers: get::<i64>(&r, "auto_accept_known_suppliers")? != 0,
            auto_accept_everything: get::<i64>(&r, "auto_accept_everything")? != 0,
        })
    }

    async fn put_settings(&self, company_id: &str, s: Settings) -> Result<Settings> {
        for (field, email) in [
            ("reporting_email", &s.reporting_email),
            ("notification_email", &s.notification_email),
        ] {
            if let Some(e) = email {
                let ok = e.split_once('@').is_some_and(|(user, host)| {
                    !user.is_empty() && host.contains('.') && !e.contains(char::is_whitespace)
                });
                if !ok {
                    return Err(Error::Invalid {
                        field,
                        reason: format!("`{e}` is not an e-mail address"),
                    });
                }
            }
        }
        if s.reporting_frequency.is_some() && s.reporting_email.is_none() {
            return Err(Error::Invalid {
                field: "reporting_email",
                reason: "a reporting frequency needs a reporting e-mail address".into(),
            });
        }
        sqlx::query(
            "INSERT INTO company_settings (company_id, reporting_email, reporting_frequency, notification_email,
             auto_accept_own_imports, auto_accept_known_suppliers, auto_accept_everything, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (company_id) DO UPDATE SET reporting_email = excluded.reporting_email,
             reporting_frequency = excluded.reporting_frequency, notification_email = excluded.notification_email,
             auto_accept_own_imports = excluded.auto_accept_own_imports,
             auto_accept_known_suppliers = excluded.auto_accept_known_suppliers,
             auto_accept_everything = excluded.auto_accept_everything, updated_at = excluded.updated_at",
        )
        .bind(company_id)
        .bind(s.reporting_email.clone())
        .bind(s.reporting_frequency.map(|f| f.as_str()))
        .bind(s.notification_email.clone())
        .bind(i64::from(s.auto_accept_own_imports))
        .bind(i64::from(s.auto_accept_known_suppliers))
        .bind(i64::from(s.auto_accept_everything))
        .bind(time::now())
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("storing settings"))?;
        Ok(s)
    }

    async fn route_entry(
        &self,
        company_id: &str,
        identifier: Option<&Identifier>,
        vat: Option<&str>,
    ) -> Result<Option<RouteEntry>> {
        let scheme = identifier
            .map(|i| i.scheme.clone())
            .unwrap_or_else(|| gateway_peppol::PARTICIPANT_SCHEME.to_string());
        let value = identifier.map(|i| i.value.to_ascii_lowercase());
        let vat = vat.map(fold_vat).filter(|v| !v.is_empty());
        if value.is_none() && vat.is_none() {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT p.legal_name, p.delivery, p.member_company_id, p.email,
             (SELECT MIN(i2.value) FROM participant_identifiers i2 WHERE i2.participant_id = p.id AND i2.scheme = $2) AS peppol_id,
             CASE WHEN p.id IN (SELECT i.participant_id FROM participant_identifiers i WHERE i.scheme = $2 AND i.value = $3)
                  THEN 0 ELSE 1 END AS by_vat
             FROM participants p
             WHERE (p.owner_company_id IS NULL OR p.owner_company_id = $1)
             AND (p.id IN (SELECT i.participant_id FROM participant_identifiers i WHERE i.scheme = $2 AND i.value = $3)
                  OR p.vat_key = $4)
             ORDER BY by_vat, CASE WHEN p.member_company_id IS NULL THEN 1 ELSE 0 END, p.id LIMIT 1",
        )
        .bind(company_id)
        .bind(scheme)
        .bind(value.unwrap_or_default())
        .bind(vat)
        .fetch_optional(&self.pools.read)
        .await
        .map_err(Error::db("looking up the customer"))?;
        let Some(r) = row else { return Ok(None) };
        let delivery: String = get(&r, "delivery")?;
        Ok(Some(RouteEntry {
            legal_name: get(&r, "legal_name")?,
            delivery: delivery.parse()?,
            member_company_id: get(&r, "member_company_id")?,
            email: get(&r, "email")?,
            peppol_id: get(&r, "peppol_id")?,
        }))
    }

    async fn auto_accept_rule(
        &self,
        company_id: &str,
        own_import: bool,
        summary: &Summary,
    ) -> Result<Option<AutoAcceptRule>> {
        let s = self.settings(company_id).await?;
        if s.auto_accept_everything {
            return Ok(Some(AutoAcceptRule::Everything));
        }
        if own_import {
            return Ok(s
                .auto_accept_own_imports
                .then_some(AutoAcceptRule::OwnImports));
        }
        if !s.auto_accept_known_suppliers {
            return Ok(None);
        }
        let id = summary
            .counterparty_id
            .as_deref()
            .map(str::to_ascii_lowercase);
        let vat = summary.counterparty_vat.as_deref().map(fold_vat);
        if id.is_none() && vat.is_none() {
            return Ok(None);
        }
        let known = sqlx::query(
            "SELECT 1 AS one FROM company_contacts c JOIN participants p ON p.id = c.participant_id
             WHERE c.company_id = $1 AND c.role = 'supplier'
             AND (p.vat_key = $2 OR EXISTS (SELECT 1 FROM participant_identifiers i
                  WHERE i.participant_id = p.id AND i.value = $3))
             LIMIT 1",
        )
        .bind(company_id)
        .bind(vat)
        .bind(id)
        .fetch_optional(&self.pools.read)
        .await
        .map_err(Error::db("looking up known suppliers"))?;
        Ok(known.map(|_| AutoAcceptRule::KnownSuppliers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_render_as_decimals() {
        assert_eq!(cents_text(0), "0.00");
        assert_eq!(cents_text(123456), "1234.56");
        assert_eq!(cents_text(-5), "-0.05");
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor("2026-01-01", "id-1");
        assert_eq!(
            decode_cursor(&c).unwrap(),
            ("2026-01-01".into(), "id-1".into())
        );
        assert!(matches!(
            decode_cursor("!!"),
            Err(Error::Invalid { field: "after", .. })
        ));
    }
}
