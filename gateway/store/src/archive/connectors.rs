//! Connectors and the per-document forwarding status ("accountant status").
use sqlx::any::AnyRow;

use super::types::*;
use crate::sql_store::{dynamic_query, get, new_id};
use crate::{time, Error, Result, SqlStore};

const CONNECTOR_COLUMNS: &str = "c.id, c.owner_kind, c.owner_id, c.kind, c.url, c.scheme, c.public_key, c.purchases_email, c.sales_email, c.disabled_at, c.disabled_reason, c.created_at";
const DELIVERY_COLUMNS: &str = "d.connector_id, d.document_id, d.company_id, d.entry_seq, d.message_id, d.status, d.reason, d.attempts, d.next_attempt_at, d.updated_at";

fn connector_from(r: &AnyRow) -> Result<Connector> {
    let kind: String = get(r, "kind")?;
    Ok(Connector {
        id: get(r, "id")?,
        owner: ConnectorOwner {
            kind: get(r, "owner_kind")?,
            id: get(r, "owner_id")?,
        },
        kind: kind.parse()?,
        url: get(r, "url")?,
        scheme: get(r, "scheme")?,
        public_key: get(r, "public_key")?,
        purchases_email: get(r, "purchases_email")?,
        sales_email: get(r, "sales_email")?,
        disabled_at: get(r, "disabled_at")?,
        disabled_reason: get(r, "disabled_reason")?,
        created_at: get(r, "created_at")?,
    })
}

fn delivery_from(r: &AnyRow) -> Result<Forwarding> {
    let status: String = get(r, "status")?;
    Ok(Forwarding {
        connector_id: get(r, "connector_id")?,
        document_id: get(r, "document_id")?,
        company_id: get(r, "company_id")?,
        entry_seq: get(r, "entry_seq")?,
        message_id: get(r, "message_id")?,
        status: status.parse()?,
        reason: get(r, "reason")?,
        attempts: get(r, "attempts")?,
        next_attempt_at: get(r, "next_attempt_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

/// `AND (owner is one of these)`; `false` when there are none.
fn owners_clause(owners: &[ConnectorOwner], sql: &mut String, binds: &mut Vec<String>) -> bool {
    if owners.is_empty() {
        return false;
    }
    let mut parts = Vec::new();
    for o in owners {
        binds.push(o.kind.clone());
        binds.push(o.id.clone());
        parts.push(format!(
            "(c.owner_kind = ${} AND c.owner_id = ${})",
            binds.len() - 1,
            binds.len()
        ));
    }
    sql.push_str(&format!(" AND ({})", parts.join(" OR ")));
    true
}

/// The accountant status the document list shows: the worst forwarding status of the document
/// to its company's accountants (`error`, else `to_be_fetched`, else `forwarded`), refreshed in
/// the transaction that changes a forwarding. `selector` picks the documents (`$1`).
fn accountant_status_sql(selector: &str) -> String {
    format!(
        "UPDATE document_summaries SET accountant_status = (
            SELECT CASE WHEN SUM(CASE WHEN d.status = 'error' THEN 1 ELSE 0 END) > 0 THEN 'error'
                        WHEN SUM(CASE WHEN d.status = 'to_be_fetched' THEN 1 ELSE 0 END) > 0 THEN 'to_be_fetched'
                        ELSE 'forwarded' END
            FROM connector_deliveries d JOIN connectors c ON c.id = d.connector_id
            WHERE d.document_id = document_summaries.document_id AND c.owner_kind = 'accountant')
         WHERE document_id IN ({selector}) AND EXISTS (
            SELECT 1 FROM connector_deliveries d JOIN connectors c ON c.id = d.connector_id
            WHERE d.document_id = document_summaries.document_id AND c.owner_kind = 'accountant')"
    )
}

/// Refreshes the accountant status of one document.
pub(crate) async fn refresh_accountant_status<'e, E>(exec: E, document_id: &str) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    refresh_accountant_statuses(exec, "$1", document_id).await
}

/// Queues, for the enabled connectors that `filter` picks (`c` the connector, `i` the archived
/// invoice; its binds from `$2`), every document already archived for the companies they
/// forward for. A document queued already stays as it is.
pub(crate) async fn queue_history<'e, E>(exec: E, filter: &str, binds: &[&str]) -> Result<u64>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!(
        "INSERT INTO connector_deliveries (connector_id, document_id, company_id, entry_seq, message_id, status, reason, attempts, next_attempt_at, updated_at)
         SELECT c.id, i.document_id, i.company_id, i.entry_seq, 'msg_' || c.id || '_' || i.document_id, 'to_be_fetched', NULL, 0, $1, $1
         FROM connectors c JOIN archive_invoices i ON (
             (c.owner_kind = 'company' AND i.company_id = c.owner_id)
             OR (c.owner_kind = 'accountant' AND i.company_id IN
                 (SELECT l.company_id FROM accountant_links l WHERE l.accountant_id = c.owner_id AND l.status = 'active')))
         WHERE c.disabled_at IS NULL AND {filter}
         ON CONFLICT (connector_id, document_id) DO NOTHING"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(time::now());
    for b in binds {
        query = query.bind(*b);
    }
    let done = query
        .execute(exec)
        .await
        .map_err(Error::db("queueing archived documents"))?;
    Ok(done.rows_affected())
}

/// Refreshes the accountant status of the documents `selector` picks (one bind, `$1`).
pub(crate) async fn refresh_accountant_statuses<'e, E>(
    exec: E,
    selector: &str,
    bind: &str,
) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(sqlx::AssertSqlSafe(accountant_status_sql(selector)))
        .bind(bind)
        .execute(exec)
        .await
        .map_err(Error::db("refreshing accountant statuses"))?;
    Ok(())
}

impl SqlStore {
    pub(super) async fn create_connector_impl(&self, new: NewConnector) -> Result<Connector> {
        if !matches!(new.owner.kind.as_str(), "company" | "accountant") {
            return Err(Error::Invalid {
                field: "owner",
                reason: "a connector belongs to a company or an accountant".into(),
            });
        }
        let id = new_id();
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        sqlx::query(
            "INSERT INTO connectors (id, owner_kind, owner_id, kind, url, scheme, secret, public_key, purchases_email, sales_email, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(id.as_str())
        .bind(new.owner.kind.as_str())
        .bind(new.owner.id.as_str())
        .bind(new.kind.as_str())
        .bind(new.url)
        .bind(new.scheme)
        .bind(new.secret)
        .bind(new.public_key)
        .bind(new.purchases_email)
        .bind(new.sales_email)
        .bind(time::now())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("creating connector"))?;
        if new.history {
            queue_history(&mut *tx, "c.id = $2", &[id.as_str()]).await?;
            refresh_accountant_statuses(
                &mut *tx,
                "SELECT q.document_id FROM connector_deliveries q WHERE q.connector_id = $1",
                &id,
            )
            .await?;
        }
        tx.commit().await.map_err(Error::db("commit"))?;
        self.connectors_where(std::slice::from_ref(&new.owner), Some(&id))
            .await?
            .pop()
            .ok_or_else(|| Error::NotFound {
                what: "connector",
                id,
            })
    }

    pub(super) async fn connectors_where(
        &self,
        owners: &[ConnectorOwner],
        id: Option<&str>,
    ) -> Result<Vec<Connector>> {
        let mut sql = format!("SELECT {CONNECTOR_COLUMNS} FROM connectors c WHERE 1 = 1");
        let mut binds = Vec::new();
        if let Some(id) = id {
            binds.push(id.to_string());
            sql.push_str(" AND c.id = $1");
        }
        if !owners_clause(owners, &mut sql, &mut binds) {
            return Ok(Vec::new());
        }
        sql.push_str(" ORDER BY c.created_at, c.id");
        dynamic_query(sql, &binds)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("listing connectors"))?
            .iter()
            .map(connector_from)
            .collect()
    }

    pub(super) async fn delete_connector_impl(
        &self,
        owners: &[ConnectorOwner],
        id: &str,
    ) -> Result<bool> {
        if self.connectors_where(owners, Some(id)).await?.is_empty() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM connectors WHERE id = $1")
            .bind(id)
            .execute(&self.pools.write)
            .await
            .map_err(Error::db("deleting connector"))?;
        Ok(true)
    }

    pub(super) async fn due_impl(&self, now: &str, limit: u32) -> Result<Vec<DueDelivery>> {
        let limit = limit.clamp(1, 1000);
        // Per connector only the oldest pending document: deliveries keep the chain's order.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS}, c.kind, c.url, c.scheme, c.secret, c.purchases_email, c.sales_email
             FROM connector_deliveries d JOIN connectors c ON c.id = d.connector_id
             WHERE d.status = 'to_be_fetched' AND c.kind IN ('webhook', 'mailbox') AND c.disabled_at IS NULL
             AND d.entry_seq = (SELECT MIN(x.entry_seq) FROM connector_deliveries x
                                WHERE x.connector_id = d.connector_id AND x.status = 'to_be_fetched')
             AND d.next_attempt_at <= $1
             ORDER BY d.next_attempt_at, d.entry_seq LIMIT {limit}"
        )))
        .bind(now)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("finding due deliveries"))?;
        rows.iter()
            .map(|r| {
                let kind: String = get(r, "kind")?;
                Ok(DueDelivery {
                    delivery: delivery_from(r)?,
                    connector_kind: kind.parse()?,
                    url: get(r, "url")?,
                    scheme: get(r, "scheme")?,
                    secret: get(r, "secret")?,
                    purchases_email: get(r, "purchases_email")?,
                    sales_email: get(r, "sales_email")?,
                })
            })
            .collect()
    }

    pub(super) async fn claim_impl(&self, due: &Forwarding, lease_until: &str) -> Result<bool> {
        let claimed = sqlx::query(
            "UPDATE connector_deliveries SET next_attempt_at = $1
             WHERE connector_id = $2 AND document_id = $3 AND status = 'to_be_fetched' AND next_attempt_at = $4",
        )
        .bind(lease_until)
        .bind(due.connector_id.as_str())
        .bind(due.document_id.as_str())
        .bind(due.next_attempt_at.as_str())
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("claiming a delivery"))?;
        Ok(claimed.rows_affected() == 1)
    }

    pub(super) async fn record_attempt_impl(
        &self,
        connector_id: &str,
        document_id: &str,
        attempt: Attempt,
    ) -> Result<()> {
        let now = time::now();
        let mut tx = self.pools.write.begin().await.map_err(Error::db("begin"))?;
        let (status, reason, next) = match &attempt {
            Attempt::Forwarded => ("forwarded", None, now.clone()),
            Attempt::Retry { at, reason } => ("to_be_fetched", Some(reason.clone()), at.clone()),
            Attempt::Failed { reason } | Attempt::Disable { reason } => {
                ("error", Some(reason.clone()), now.clone())
            }
        };
        sqlx::query(
            "UPDATE connector_deliveries SET status = $1, reason = $2, next_attempt_at = $3, attempts = attempts + 1, updated_at = $4
             WHERE connector_id = $5 AND document_id = $6 AND status = 'to_be_fetched'",
        )
        .bind(status)
        .bind(reason)
        .bind(next)
        .bind(now.as_str())
        .bind(connector_id)
        .bind(document_id)
        .execute(&mut *tx)
        .await
        .map_err(Error::db("recording delivery attempt"))?;
        refresh_accountant_status(&mut *tx, document_id).await?;
        if let Attempt::Disable { reason } = attempt {
            sqlx::query(
                "UPDATE connectors SET disabled_at = $1, disabled_reason = $2 WHERE id = $3 AND disabled_at IS NULL",
            )
            .bind(now.as_str())
            .bind(reason.as_str())
            .bind(connector_id)
            .execute(&mut *tx)
            .await
            .map_err(Error::db("disabling connector"))?;
            sqlx::query(
                "UPDATE connector_deliveries SET status = 'error', reason = $1, updated_at = $2
                 WHERE connector_id = $3 AND status = 'to_be_fetched'",
            )
            .bind(format!("connector disabled: {reason}"))
            .bind(now.as_str())
            .bind(connector_id)
            .execute(&mut *tx)
            .await
            .map_err(Error::db("failing pending deliveries"))?;
            sqlx::query(sqlx::AssertSqlSafe(accountant_status_sql(
                "SELECT document_id FROM connector_deliveries WHERE connector_id = $1",
            )))
            .bind(connector_id)
            .execute(&mut *tx)
            .await
            .map_err(Error::db("refreshing the accountant status"))?;
        }
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(())
    }

    pub(super) async fn feed_impl(
        &self,
        connector_id: &str,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Forwarding>> {
        let limit = limit.clamp(1, 1000);
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM connector_deliveries d WHERE d.connector_id = $1 AND d.entry_seq > $2
             ORDER BY d.entry_seq LIMIT {limit}"
        )))
        .bind(connector_id)
        .bind(after_seq)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading feed"))?
        .iter()
        .map(delivery_from)
        .collect()
    }

    pub(super) async fn ack_impl(
        &self,
        connector_id: &str,
        document_ids: &[String],
    ) -> Result<u64> {
        let mut changed = 0;
        let now = time::now();
        for id in document_ids {
            let mut tx = self.pools.write.begin().await.map_err(Error::db("begin"))?;
            let acked = sqlx::query(
                "UPDATE connector_deliveries SET status = 'forwarded', reason = NULL, attempts = attempts + 1, updated_at = $1
                 WHERE connector_id = $2 AND document_id = $3 AND status = 'to_be_fetched'",
            )
            .bind(now.as_str())
            .bind(connector_id)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::db("acknowledging"))?
            .rows_affected();
            if acked > 0 {
                refresh_accountant_status(&mut *tx, id).await?;
            }
            tx.commit().await.map_err(Error::db("commit"))?;
            changed += acked;
        }
        Ok(changed)
    }

    pub(super) async fn deliveries_of_impl(&self, document_id: &str) -> Result<Vec<Forwarding>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM connector_deliveries d WHERE d.document_id = $1 ORDER BY d.connector_id"
        )))
        .bind(document_id)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading deliveries"))?
        .iter()
        .map(delivery_from)
        .collect()
    }
}
