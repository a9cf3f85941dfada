//! E-mail import: the per-company import codes (`<code>@<import_domain>`) and the record of
//! message parts already stored, so that a retried delivery stores nothing twice.
use async_trait::async_trait;
use rand::Rng;

use crate::fold::fold_name;
use crate::sql_store::get;
use crate::*;

/// E-mail import operations of the [`Store`].
#[async_trait]
pub trait EmailImport: Send + Sync {
    /// The company's import code, made on first request: its name folded to a slug, then a random
    /// suffix so that addresses cannot be guessed from names.
    async fn import_code(&self, company_id: &str) -> Result<String>;
    /// The company an import code belongs to; codes are matched without regard to case.
    async fn company_by_import_code(&self, code: &str) -> Result<Option<String>>;
    /// The document already made from part `part_index` of the message with this SHA-256.
    async fn imported_part(
        &self,
        company_id: &str,
        message_sha256: &str,
        part_index: i64,
    ) -> Result<Option<String>>;
    /// Remembers that a part became `document_id`.
    async fn record_imported_part(
        &self,
        company_id: &str,
        message_sha256: &str,
        part_index: i64,
        document_id: &str,
    ) -> Result<()>;
}

const SUFFIX_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
const SLUG_MAX: usize = 20;

/// `Alpha Trading S.A.` → `alpha-trading-s-a`: lower-case ASCII letters, digits and single dashes.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in fold_name(name).chars() {
        if c.is_ascii_alphanumeric() {
            if out.len() >= SLUG_MAX {
                break;
            }
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "company".into()
    } else {
        out
    }
}

async fn code_of(pool: &sqlx::AnyPool, company_id: &str) -> Result<Option<String>> {
    sqlx::query("SELECT code FROM email_import_codes WHERE company_id = $1")
        .bind(company_id)
        .fetch_optional(pool)
        .await
        .map_err(Error::db("reading the import code"))?
        .map(|r| get::<String>(&r, "code"))
        .transpose()
}

fn new_code(name: &str) -> String {
    let mut rng = rand::rng();
    let suffix: String = (0..6)
        .map(|_| SUFFIX_ALPHABET[rng.random_range(0..SUFFIX_ALPHABET.len())] as char)
        .collect();
    format!("{}-{suffix}", slug(name))
}

#[async_trait]
impl EmailImport for SqlStore {
    async fn import_code(&self, company_id: &str) -> Result<String> {
        if let Some(code) = code_of(&self.pools.write, company_id).await? {
            return Ok(code);
        }
        let name = sqlx::query("SELECT legal_name FROM companies WHERE id = $1")
            .bind(company_id)
            .fetch_optional(&self.pools.read)
            .await
            .map_err(Error::db("reading the company"))?
            .ok_or_else(|| Error::NotFound {
                what: "company",
                id: company_id.to_string(),
            })?;
        let name: String = get(&name, "legal_name")?;
        // Two first requests at once, or (very rarely) a code already taken: the insert does
        // nothing and the loop reads what is there or tries another suffix.
        for _ in 0..5 {
            sqlx::query(
                "INSERT INTO email_import_codes (company_id, code, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
            )
            .bind(company_id)
            .bind(new_code(&name))
            .bind(time::now())
            .execute(&self.pools.write)
            .await
            .map_err(Error::db("creating the import code"))?;
            if let Some(code) = code_of(&self.pools.write, company_id).await? {
                return Ok(code);
            }
        }
        Err(Error::Conflict {
            what: "import code",
            detail: format!("no free code for company {company_id}"),
        })
    }

    async fn company_by_import_code(&self, code: &str) -> Result<Option<String>> {
        sqlx::query("SELECT company_id FROM email_import_codes WHERE code = $1")
            .bind(code.to_ascii_lowercase())
            .fetch_optional(&self.pools.read)
            .await
            .map_err(Error::db("looking up an import code"))?
            .map(|r| get::<String>(&r, "company_id"))
            .transpose()
    }

    async fn imported_part(
        &self,
        company_id: &str,
        message_sha256: &str,
        part_index: i64,
    ) -> Result<Option<String>> {
        sqlx::query(
            "SELECT document_id FROM email_import_parts
             WHERE company_id = $1 AND message_sha256 = $2 AND part_index = $3",
        )
        .bind(company_id)
        .bind(message_sha256)
        .bind(part_index)
        .fetch_optional(&self.pools.write)
        .await
        .map_err(Error::db("reading imported parts"))?
        .map(|r| get::<String>(&r, "document_id"))
        .transpose()
    }

    async fn record_imported_part(
        &self,
        company_id: &str,
        message_sha256: &str,
        part_index: i64,
        document_id: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO email_import_parts (company_id, message_sha256, part_index, document_id, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(company_id)
        .bind(message_sha256)
        .bind(part_index)
        .bind(document_id)
        .bind(time::now())
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("recording an imported part"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Alpha Trading S.A."), "alpha-trading-s-a");
        assert_eq!(slug("Ștefan & Fiii SRL"), "stefan-fiii-srl");
        assert_eq!(slug("!!!"), "company");
        assert!(slug("A very long company name indeed, really").len() <= SLUG_MAX);
        let code = new_code("Beta");
        assert!(code.starts_with("beta-") && code.len() == 11, "{code}");
    }
}
