//! Accountant organisations, their tokens and their links to companies.
use sqlx::any::AnyRow;

use super::connectors::{queue_history, refresh_accountant_statuses};
use super::types::*;
use crate::sql_store::{dynamic_query, get, new_id, non_empty, scope_clause};
use crate::{time, token, Error, IssuedToken, Result, Scope, SqlStore, TokenInfo};

const LINK_COLUMNS: &str = "l.id, l.accountant_id, a.name AS accountant_name, l.company_id, c.legal_name AS company_name, l.status, l.invited_at, l.accepted_at, l.unlinked_at, l.unlinked_by";

fn link_from(r: &AnyRow) -> Result<AccountantLink> {
    let status: String = get(r, "status")?;
    Ok(AccountantLink {
        id: get(r, "id")?,
        accountant_id: get(r, "accountant_id")?,
        accountant_name: get(r, "accountant_name")?,
        company_id: get(r, "company_id")?,
        company_name: get(r, "company_name")?,
        status: status.parse()?,
        invited_at: get(r, "invited_at")?,
        accepted_at: get(r, "accepted_at")?,
        unlinked_at: get(r, "unlinked_at")?,
        unlinked_by: get(r, "unlinked_by")?,
    })
}

fn email_ok(field: &'static str, value: &Option<String>) -> Result<()> {
    match value {
        Some(v) if !v.contains('@') => Err(Error::Invalid {
            field,
            reason: format!("`{v}` is not an e-mail address"),
        }),
        _ => Ok(()),
    }
}

impl SqlStore {
    pub(super) async fn create_accountant_impl(&self, new: NewAccountant) -> Result<Accountant> {
        non_empty("name", &new.name)?;
        email_ok("purchases_email", &new.purchases_email)?;
        email_ok("sales_email", &new.sales_email)?;
        let acc = Accountant {
            id: new_id(),
            name: new.name,
            purchases_email: new.purchases_email,
            sales_email: new.sales_email,
            created_at: time::now(),
        };
        sqlx::query(
            "INSERT INTO accountants (id, name, purchases_email, sales_email, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(acc.id.as_str())
        .bind(acc.name.as_str())
        .bind(acc.purchases_email.clone())
        .bind(acc.sales_email.clone())
        .bind(acc.created_at.as_str())
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("creating accountant"))?;
        Ok(acc)
    }

    pub(super) async fn accountants_where(&self, id: Option<&str>) -> Result<Vec<Accountant>> {
        let mut sql = String::from(
            "SELECT id, name, purchases_email, sales_email, created_at FROM accountants WHERE 1 = 1",
        );
        let mut binds = Vec::new();
        if let Some(id) = id {
            binds.push(id.to_string());
            sql.push_str(" AND id = $1");
        }
        sql.push_str(" ORDER BY name, id");
        dynamic_query(sql, &binds)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("listing accountants"))?
            .iter()
            .map(|r| {
                Ok(Accountant {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                    purchases_email: get(r, "purchases_email")?,
                    sales_email: get(r, "sales_email")?,
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }

    /// An `accountant` token with no company of its own: what it sees comes from its links.
    pub(super) async fn create_accountant_token_impl(
        &self,
        accountant_id: &str,
        label: &str,
    ) -> Result<IssuedToken> {
        if self
            .accountants_where(Some(accountant_id))
            .await?
            .is_empty()
        {
            return Err(Error::NotFound {
                what: "accountant",
                id: accountant_id.to_string(),
            });
        }
        let (id, text, hash) = token::generate();
        let created_at = time::now();
        let mut tx = self.pools.write.begin().await.map_err(Error::db("begin"))?;
        sqlx::query(
            "INSERT INTO api_tokens (id, secret_hash, scope, label, user_id, created_at) VALUES ($1, $2, $3, $4, NULL, $5)",
        )
        .bind(id.as_str())
        .bind(hash)
        .bind(Scope::Accountant.as_str())
        .bind(label)
        .bind(created_at.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("creating token"))?;
        sqlx::query("INSERT INTO accountant_tokens (token_id, accountant_id) VALUES ($1, $2)")
            .bind(id.as_str())
            .bind(accountant_id)
            .execute(&mut *tx)
            .await
            .map_err(Error::db("linking token to accountant"))?;
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(IssuedToken {
            info: TokenInfo {
                id,
                scope: Scope::Accountant,
                company_ids: Vec::new(),
                label: label.to_string(),
                user_id: None,
                created_at,
                revoked_at: None,
            },
            token: text,
        })
    }

    pub(super) async fn accountant_of_token_impl(&self, token_id: &str) -> Result<Option<String>> {
        sqlx::query("SELECT accountant_id FROM accountant_tokens WHERE token_id = $1")
            .bind(token_id)
            .fetch_optional(&self.pools.read)
            .await
            .map_err(Error::db("reading accountant token"))?
            .map(|r| get(&r, "accountant_id"))
            .transpose()
    }

    pub(super) async fn invite_impl(
        &self,
        company_id: &str,
        accountant_id: &str,
    ) -> Result<AccountantLink> {
        if self
            .accountants_where(Some(accountant_id))
            .await?
            .is_empty()
        {
            return Err(Error::NotFound {
                what: "accountant",
                id: accountant_id.to_string(),
            });
        }
        let id = new_id();
        sqlx::query(
            "INSERT INTO accountant_links (id, accountant_id, company_id, status, invited_at) VALUES ($1, $2, $3, 'invited', $4)",
        )
        .bind(id.as_str())
        .bind(accountant_id)
        .bind(company_id)
        .bind(time::now())
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("open link between this company and accountant"))?;
        self.one_link(&id).await
    }

    async fn one_link(&self, id: &str) -> Result<AccountantLink> {
        self.links_where(&LinkSide::Companies(crate::Visibility::All), Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Error::NotFound {
                what: "link",
                id: id.to_string(),
            })
    }

    pub(super) async fn accept_impl(
        &self,
        accountant_id: &str,
        link_id: &str,
    ) -> Result<AccountantLink> {
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        let done = sqlx::query(
            "UPDATE accountant_links SET status = 'active', accepted_at = $1 WHERE id = $2 AND accountant_id = $3 AND status = 'invited'",
        )
        .bind(time::now())
        .bind(link_id)
        .bind(accountant_id)
        .execute(&mut *tx)
        .await
        .map_err(Error::db("accepting link"))?;
        if done.rows_affected() == 1 {
            // The accountant's connectors get the company's archive so far, not only what
            // is archived from now on.
            let company: String =
                sqlx::query("SELECT company_id FROM accountant_links WHERE id = $1")
                    .bind(link_id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(Error::db("reading link"))
                    .and_then(|r| get(&r, "company_id"))?;
            queue_history(
                &mut *tx,
                "c.owner_kind = 'accountant' AND c.owner_id = $2 AND i.company_id = $3",
                &[accountant_id, company.as_str()],
            )
            .await?;
            refresh_accountant_statuses(
                &mut *tx,
                "SELECT a.document_id FROM archive_invoices a WHERE a.company_id = $1",
                &company,
            )
            .await?;
            tx.commit().await.map_err(Error::db("commit"))?;
            return self.one_link(link_id).await;
        }
        drop(tx);
        let side = LinkSide::Accountant(accountant_id.to_string());
        match self.links_where(&side, Some(link_id)).await?.pop() {
            Some(link) => Err(Error::StateConflict {
                document: link.id,
                expected: "invited".into(),
                actual: link.status.to_string(),
            }),
            None => Err(Error::NotFound {
                what: "link",
                id: link_id.to_string(),
            }),
        }
    }

    pub(super) async fn unlink_impl(
        &self,
        side: &LinkSide,
        link_id: &str,
    ) -> Result<Option<AccountantLink>> {
        if self.links_where(side, Some(link_id)).await?.is_empty() {
            return Ok(None);
        }
        let by = match side {
            LinkSide::Companies(_) => "company",
            LinkSide::Accountant(_) => "accountant",
        };
        sqlx::query(
            "UPDATE accountant_links SET status = 'unlinked', unlinked_at = $1, unlinked_by = $2 WHERE id = $3 AND status <> 'unlinked'",
        )
        .bind(time::now())
        .bind(by)
        .bind(link_id)
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("unlinking"))?;
        Ok(Some(self.one_link(link_id).await?))
    }

    pub(super) async fn links_where(
        &self,
        side: &LinkSide,
        id: Option<&str>,
    ) -> Result<Vec<AccountantLink>> {
        let mut sql = format!(
            "SELECT {LINK_COLUMNS} FROM accountant_links l JOIN accountants a ON a.id = l.accountant_id
             JOIN companies c ON c.id = l.company_id WHERE 1 = 1"
        );
        let mut binds = Vec::new();
        if let Some(id) = id {
            binds.push(id.to_string());
            sql.push_str(&format!(" AND l.id = ${}", binds.len()));
        }
        match side {
            LinkSide::Companies(vis) => {
                if !scope_clause(vis, "l.company_id", &mut sql, &mut binds) {
                    return Ok(Vec::new());
                }
            }
            LinkSide::Accountant(acc) => {
                binds.push(acc.clone());
                sql.push_str(&format!(" AND l.accountant_id = ${}", binds.len()));
            }
        }
        sql.push_str(" ORDER BY l.invited_at, l.id");
        dynamic_query(sql, &binds)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("listing links"))?
            .iter()
            .map(link_from)
            .collect()
    }

    pub(super) async fn linked_companies_impl(&self, accountant_id: &str) -> Result<Vec<String>> {
        sqlx::query(
            "SELECT company_id FROM accountant_links WHERE accountant_id = $1 AND status = 'active' ORDER BY company_id",
        )
        .bind(accountant_id)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading linked companies"))?
        .iter()
        .map(|r| get(r, "company_id"))
        .collect()
    }
}
