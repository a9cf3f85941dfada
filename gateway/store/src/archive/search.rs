//! Archive search: indexed criteria combined in one query, full text through FTS5 (SQLite) or a
//! tsvector (PostgreSQL), newest issue date first.
use sqlx::any::AnyRow;

use super::number_key;
use super::types::*;
use crate::fold::{fold_name, fold_vat, prefix_upper_bound, words};
use crate::sql_store::{dynamic_query, get, scope_clause};
use crate::{Backend, Error, Result, SqlStore, Store, Visibility};

/// Most words of a full-text criterion that are matched.
const MAX_WORDS: usize = 6;

const COLUMNS: &str = "i.document_id, i.company_id, i.entry_seq, i.direction, i.state, i.invoice_number, i.counterparty_name, i.issue_date, i.due_date, i.currency, i.total, i.archived_at";

fn invoice_from(r: &AnyRow) -> Result<ArchivedInvoice> {
    Ok(ArchivedInvoice {
        document_id: get(r, "document_id")?,
        company_id: get(r, "company_id")?,
        entry_seq: get(r, "entry_seq")?,
        direction: get(r, "direction")?,
        state: get(r, "state")?,
        invoice_number: get(r, "invoice_number")?,
        counterparty_name: get(r, "counterparty_name")?,
        issue_date: get::<String>(r, "issue_date").map(|d| Some(d).filter(|d| !d.is_empty()))?,
        due_date: get(r, "due_date")?,
        currency: get(r, "currency")?,
        total: get(r, "total")?,
        archived_at: get(r, "archived_at")?,
    })
}

struct Builder {
    sql: String,
    binds: Vec<String>,
}

impl Builder {
    fn bind(&mut self, value: impl Into<String>) -> String {
        self.binds.push(value.into());
        format!("${}", self.binds.len())
    }
    fn and(&mut self, clause: String) {
        self.sql.push_str(" AND ");
        self.sql.push_str(&clause);
    }
}

fn date(field: &'static str, value: &Option<String>) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| Error::Invalid {
                field,
                reason: format!("`{v}` is not a date (YYYY-MM-DD)"),
            }),
    }
}

impl SqlStore {
    pub(super) async fn search_impl(
        &self,
        vis: &Visibility,
        q: &ArchiveQuery,
    ) -> Result<Vec<ArchivedInvoice>> {
        let name_words = q.counterparty.as_deref().map(|t| words(&fold_name(t)));
        let text_words = q.text.as_deref().map(|t| words(&fold_name(t)));
        if name_words.as_ref().is_some_and(Vec::is_empty)
            || text_words.as_ref().is_some_and(Vec::is_empty)
        {
            return Ok(Vec::new());
        }
        // Folded words are letters and digits only: safe as query terms.
        let name_words = name_words.unwrap_or_default();
        let text_words = text_words.unwrap_or_default();
        let name_words = &name_words[..name_words.len().min(MAX_WORDS)];
        let text_words = &text_words[..text_words.len().min(MAX_WORDS)];
        let mut b = Builder {
            sql: String::new(),
            binds: Vec::new(),
        };
        // Ids first (often from an index alone), then the rows of one page. On PostgreSQL a
        // search by counterparty name alone is answered from the words' index, which carries
        // the company and the sort key: the wide archive rows of the candidates are never read.
        let name_only = matches!(self.backend(), Backend::Postgres)
            && !name_words.is_empty()
            && q.is_name_only();
        let from = match name_only {
            true => format!("({})", party_words(&mut b, name_words)),
            false => "archive_invoices".to_string(),
        };
        b.sql = format!("SELECT i.document_id FROM {from} i WHERE 1 = 1");
        if !scope_clause(vis, "i.company_id", &mut b.sql, &mut b.binds) {
            return Ok(Vec::new());
        }
        if !q.ids.is_empty() {
            let marks: Vec<String> = q.ids.iter().map(|id| b.bind(id.as_str())).collect();
            b.and(format!("i.document_id IN ({})", marks.join(", ")));
        }
        if let Some(n) = q.invoice_number.as_deref().map(number_key) {
            let m = b.bind(n);
            b.and(format!("i.number_key = {m}"));
        }
        if let Some(id) = q.identifier.as_deref().map(fold_vat) {
            let m = b.bind(id);
            b.and(format!(
                "i.document_id IN (SELECT x.document_id FROM archive_identifiers x WHERE x.value = {m})"
            ));
        }
        if let Some(min) = q.amount_min_cents {
            b.and(format!("i.total_cents >= {min}"));
        }
        if let Some(max) = q.amount_max_cents {
            b.and(format!("i.total_cents <= {max}"));
        }
        for (column, op, value, field) in [
            ("issue_date", ">=", &q.issued_from, "issued_from"),
            ("issue_date", "<=", &q.issued_to, "issued_to"),
            ("due_date", ">=", &q.due_from, "due_from"),
            ("due_date", "<=", &q.due_to, "due_to"),
        ] {
            if let Some(d) = date(field, value)? {
                let m = b.bind(d);
                b.and(format!("i.{column} {op} {m}"));
            }
        }
        if let Some(state) = &q.state {
            let m = b.bind(state.as_str());
            b.and(format!("i.state = {m}"));
        }
        if let Some(direction) = q.direction {
            let m = b.bind(direction.as_str());
            b.and(format!("i.direction = {m}"));
        }
        match self.backend() {
            Backend::Sqlite if !name_words.is_empty() || !text_words.is_empty() => {
                let mut terms: Vec<String> = name_words
                    .iter()
                    .map(|w| format!("counterparty_folded : \"{w}\"*"))
                    .collect();
                // Free text covers the whole invoice, counterparty included.
                terms.extend(text_words.iter().map(|w| format!("\"{w}\"*")));
                let m = b.bind(terms.join(" AND "));
                b.and(format!(
                    "i.rowid IN (SELECT rowid FROM archive_fts WHERE archive_fts MATCH {m})"
                ));
            }
            Backend::Sqlite => {}
            Backend::Postgres => {
                if !name_words.is_empty() && !name_only {
                    let set = party_words(&mut b, name_words);
                    b.and(format!(
                        "i.document_id IN (SELECT p.document_id FROM ({set}) p)"
                    ));
                }
                if !text_words.is_empty() {
                    let terms: Vec<String> = text_words.iter().map(|w| format!("{w}:*")).collect();
                    let m = b.bind(terms.join(" & "));
                    b.and(format!("i.search_tsv @@ to_tsquery('simple', {m})"));
                }
            }
        }
        if let Some(after) = &q.after {
            let m = b.bind(after.as_str());
            b.and(format!(
                "(i.issue_date, i.document_id) < (SELECT c.issue_date, c.document_id FROM archive_invoices c WHERE c.document_id = {m})"
            ));
        }
        let limit = q.limit.clamp(1, 10_000);
        // With a selective indexed criterion the database should fetch those rows and sort them.
        // Walking the issue-date index newest first while filtering reads most of the table
        // when the matches are old (a due date follows its issue date: planners assume they are
        // independent). Ordering by an expression keeps the index out of the ordering.
        let selective = !q.ids.is_empty()
            || q.invoice_number.is_some()
            || q.identifier.is_some()
            || q.amount_min_cents.is_some()
            || q.amount_max_cents.is_some()
            || q.due_from.is_some()
            || q.due_to.is_some()
            // Full text: walking dates while testing each row's words reads the whole table for
            // a rare word; fetching the matches from the full-text index and sorting is bounded.
            || q.counterparty.is_some()
            || q.text.is_some();
        let order = match selective {
            true => "(i.issue_date || '')",
            false => "i.issue_date",
        };
        b.sql.push_str(&format!(
            " ORDER BY {order} DESC, i.document_id DESC LIMIT {limit}"
        ));
        let ids = dynamic_query(b.sql, &b.binds)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("searching the archive"))?
            .iter()
            .map(|r| get::<String>(r, "document_id"))
            .collect::<Result<Vec<_>>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let rows = dynamic_query(
            format!(
                "SELECT {COLUMNS} FROM archive_invoices i WHERE i.document_id IN ({})",
                marks.join(", ")
            ),
            &ids,
        )
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading archive rows"))?;
        let mut found: std::collections::HashMap<String, ArchivedInvoice> = rows
            .iter()
            .map(|r| invoice_from(r).map(|i| (i.document_id.clone(), i)))
            .collect::<Result<_>>()?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }
}

/// The `(document_id, issue_date, company_id)` of the documents whose counterparty name has a
/// word starting with each of `words` (PostgreSQL): one index range per word, intersected.
fn party_words(b: &mut Builder, words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            let low = b.bind(w.as_str());
            let high = b.bind(prefix_upper_bound(w));
            format!(
                "SELECT w.document_id, w.issue_date, w.company_id FROM archive_party_words w \
                 WHERE w.word >= {low} AND w.word < {high}"
            )
        })
        .collect::<Vec<_>>()
        .join(" INTERSECT ")
}

impl ArchiveQuery {
    /// A counterparty name and nothing else but paging. Destructured, so that a new criterion
    /// cannot be forgotten here.
    fn is_name_only(&self) -> bool {
        let ArchiveQuery {
            counterparty,
            identifier,
            invoice_number,
            amount_min_cents,
            amount_max_cents,
            issued_from,
            issued_to,
            due_from,
            due_to,
            state,
            direction,
            text,
            ids,
            limit: _,
            after: _,
        } = self;
        counterparty.is_some()
            && identifier.is_none()
            && invoice_number.is_none()
            && amount_min_cents.is_none()
            && amount_max_cents.is_none()
            && issued_from.is_none()
            && issued_to.is_none()
            && due_from.is_none()
            && due_to.is_none()
            && state.is_none()
            && direction.is_none()
            && text.is_none()
            && ids.is_empty()
    }
}
