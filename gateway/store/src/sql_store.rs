//! [`Store`] over `sqlx::Any`: one implementation, the same SQL on SQLite and PostgreSQL.
use std::path::PathBuf;

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::blob::{self, BlobLocation};
use crate::db::{self, Backend, DatabaseUrl, Pools};
use crate::journal::{event_hash, GENESIS_HASH};
use crate::token::{self, ParsedToken};
use crate::*;

pub struct SqlStore {
    pub(crate) pools: Pools,
    backend: Backend,
    pub(crate) blobs: BlobLocation,
    pub(crate) group: crate::group::Group<crate::bulk::Invoices>,
    pub(crate) inbound_group: crate::group::Group<crate::as4_group::Received>,
}

impl SqlStore {
    /// Connects and applies pending migrations.
    pub async fn open(url: &DatabaseUrl, blobs: BlobLocation) -> Result<Self> {
        let pools = db::connect(url).await?;
        crate::migrate::run(&pools.write, url.backend()).await?;
        Ok(Self {
            pools,
            backend: url.backend(),
            blobs,
            group: Default::default(),
            inbound_group: Default::default(),
        })
    }

    /// The blob location that fits a backend: files in `data_dir/blobs` for SQLite, the database
    /// for PostgreSQL (several nodes must see the same bytes).
    pub fn default_blobs(backend: Backend, data_dir: &std::path::Path) -> BlobLocation {
        match backend {
            Backend::Sqlite => BlobLocation::Files(data_dir.join("blobs")),
            Backend::Postgres => BlobLocation::Database,
        }
    }

    /// Makes a blob's bytes durable before any row points at them: a file written and fsynced,
    /// or (blobs in the database) the content its row will carry.
    pub(crate) async fn stage_blob(&self, bytes: Vec<u8>) -> Result<StagedBlob> {
        let sha256 = blob::sha256_hex(&bytes);
        let size = i64::try_from(bytes.len()).map_err(|_| Error::Invalid {
            field: "blob",
            reason: "larger than 2^63 bytes".into(),
        })?;
        // The bytes are durable before the row that points at them exists. A row written while
        // blobs lived in files gets its content when the same bytes arrive under `Database`.
        let content = match &self.blobs {
            location if location.in_database(bytes.len()) => Some(bytes),
            BlobLocation::Files(dir) => {
                let (dir, sha) = (dir.clone(), sha256.clone());
                tokio::task::spawn_blocking(move || blob::write_file(&dir, &sha, &bytes))
                    .await
                    .map_err(|e| Error::BlobIo {
                        path: "blob writer".into(),
                        source: std::io::Error::other(e),
                    })??;
                None
            }
            BlobLocation::Database => Some(bytes),
        };
        Ok(StagedBlob {
            blob: BlobRef { sha256, size },
            content,
        })
    }

    pub(crate) fn blob_location(&self) -> &BlobLocation {
        &self.blobs
    }

    pub async fn close(&self) {
        self.pools.write.close().await;
        self.pools.read.close().await;
    }

    pub(crate) fn read(&self) -> &AnyPool {
        &self.pools.read
    }

    pub(crate) fn write(&self) -> &AnyPool {
        &self.pools.write
    }

    /// Companies with their identifiers, in one query (a row per identifier): listing them and
    /// the seller check of every submitted invoice read them.
    async fn companies_where(&self, vis: &Visibility, id: Option<&str>) -> Result<Vec<Company>> {
        let mut sql = String::from(
            "SELECT c.id, c.legal_name, c.vat_number, c.country, c.street, c.city, c.postal_code, c.created_at,
             i.scheme, i.value FROM companies c LEFT JOIN company_identifiers i ON i.company_id = c.id WHERE 1 = 1",
        );
        let mut binds: Vec<String> = Vec::new();
        if let Some(id) = id {
            binds.push(id.to_string());
            sql.push_str(&format!(" AND c.id = ${}", binds.len()));
        }
        if !scope_clause(vis, "c.id", &mut sql, &mut binds) {
            return Ok(Vec::new());
        }
        sql.push_str(" ORDER BY c.legal_name, c.id, i.scheme, i.value");
        let query = dynamic_query(sql, &binds);
        let rows = query
            .fetch_all(self.read())
            .await
            .map_err(Error::db("listing companies"))?;
        let mut out: Vec<Company> = Vec::new();
        for r in &rows {
            let id: String = get(r, "id")?;
            if out.last().is_none_or(|c| c.id != id) {
                out.push(Company {
                    identifiers: Vec::new(),
                    id,
                    legal_name: get(r, "legal_name")?,
                    vat_number: get(r, "vat_number")?,
                    country: get(r, "country")?,
                    address: address_of(r)?,
                    created_at: get(r, "created_at")?,
                });
            }
            let (scheme, value): (Option<String>, Option<String>) =
                (get(r, "scheme")?, get(r, "value")?);
            if let (Some(scheme), Some(value), Some(company)) = (scheme, value, out.last_mut()) {
                company.identifiers.push(Identifier { scheme, value });
            }
        }
        Ok(out)
    }

    async fn token_companies(&self, token_id: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT company_id FROM token_companies WHERE token_id = $1 ORDER BY company_id",
        )
        .bind(token_id)
        .fetch_all(self.read())
        .await
        .map_err(Error::db("reading token companies"))?;
        rows.iter().map(|r| get(r, "company_id")).collect()
    }

    pub(crate) async fn ensure_companies_exist(&self, ids: &[String]) -> Result<()> {
        for id in ids {
            let found = sqlx::query("SELECT 1 AS one FROM companies WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(self.read())
                .await
                .map_err(Error::db("checking company"))?;
            if found.is_none() {
                return Err(Error::NotFound {
                    what: "company",
                    id: id.clone(),
                });
            }
        }
        Ok(())
    }
}

/// A restricted caller sees the tokens all of whose companies it can see.
fn token_visible(vis: &Visibility, company_ids: &[String]) -> bool {
    match vis {
        Visibility::All => true,
        Visibility::Companies(_) => {
            !company_ids.is_empty() && company_ids.iter().all(|c| vis.allows(c))
        }
    }
}

/// Appends `AND column IN (...)` for a restricted visibility. `false` when nothing is visible.
pub(crate) fn scope_clause(
    vis: &Visibility,
    column: &str,
    sql: &mut String,
    binds: &mut Vec<String>,
) -> bool {
    match vis {
        Visibility::All => true,
        Visibility::Companies(ids) if ids.is_empty() => false,
        Visibility::Companies(ids) => {
            let mut marks = Vec::with_capacity(ids.len());
            for id in ids {
                binds.push(id.clone());
                marks.push(format!("${}", binds.len()));
            }
            sql.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
            true
        }
    }
}

/// A query whose text we assembled ourselves: only placeholders and fixed SQL are spliced in,
/// every value travels as a bind parameter.
pub(crate) fn dynamic_query(
    sql: String,
    binds: &[String],
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for b in binds {
        query = query.bind(b.as_str());
    }
    query
}

/// A blob whose bytes are durable (see [`SqlStore::stage_blob`]), before its row exists.
#[derive(Debug)]
pub(crate) struct StagedBlob {
    pub blob: BlobRef,
    /// The bytes when blobs live in the database.
    pub content: Option<Vec<u8>>,
}

/// The index row of a staged blob.
pub(crate) async fn insert_blob_row<'e, E>(executor: E, staged: &StagedBlob) -> Result<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO blobs (sha256, size, created_at, content) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO UPDATE SET content = excluded.content WHERE blobs.content IS NULL AND excluded.content IS NOT NULL",
    )
    .bind(staged.blob.sha256.as_str())
    .bind(staged.blob.size)
    .bind(time::now())
    .bind(staged.content.clone())
    .execute(executor)
    .await
    .map_err(Error::db("storing blob"))?;
    Ok(())
}

pub(crate) fn get<'r, T>(row: &'r AnyRow, column: &'static str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(column).map_err(Error::db(column))
}

/// The `street`, `city` and `postal_code` columns of a company or participant row.
pub(crate) fn address_of(r: &AnyRow) -> Result<Address> {
    Ok(Address {
        street: get(r, "street")?,
        city: get(r, "city")?,
        postal_code: get(r, "postal_code")?,
    })
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) fn non_empty(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::Invalid {
            field,
            reason: "must not be empty".into(),
        });
    }
    Ok(())
}

pub(crate) const DOCUMENT_COLUMNS: &str = "d.id, d.company_id, d.direction, d.source, d.media_type, d.file_name, d.blob_sha256, b.size, d.state, d.created_at, d.updated_at";

pub(crate) fn document_from(r: &AnyRow) -> Result<Document> {
    let direction: String = get(r, "direction")?;
    Ok(Document {
        id: get(r, "id")?,
        company_id: get(r, "company_id")?,
        direction: direction.parse()?,
        source: get(r, "source")?,
        media_type: get(r, "media_type")?,
        file_name: get(r, "file_name")?,
        blob: BlobRef {
            sha256: get(r, "blob_sha256")?,
            size: get(r, "size")?,
        },
        state: get(r, "state")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

fn event_from(r: &AnyRow) -> Result<Event> {
    let detail: String = get(r, "detail")?;
    Ok(Event {
        document_id: get(r, "document_id")?,
        seq: get(r, "seq")?,
        company_id: get(r, "company_id")?,
        actor: get(r, "actor")?,
        at: get(r, "at")?,
        kind: get(r, "kind")?,
        from_state: get(r, "from_state")?,
        to_state: get(r, "to_state")?,
        detail: serde_json::from_str(&detail).map_err(|e| Error::Invalid {
            field: "event detail",
            reason: e.to_string(),
        })?,
        prev_hash: get(r, "prev_hash")?,
        hash: get(r, "hash")?,
    })
}

pub(crate) async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    event: &Event,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (document_id, seq, company_id, actor, at, kind, from_state, to_state, detail, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(event.document_id.as_str())
    .bind(event.seq)
    .bind(event.company_id.as_str())
    .bind(event.actor.as_str())
    .bind(event.at.as_str())
    .bind(event.kind.as_str())
    .bind(event.from_state.clone())
    .bind(event.to_state.as_str())
    .bind(event.detail.to_string())
    .bind(event.prev_hash.as_str())
    .bind(event.hash.as_str())
    .execute(&mut **tx)
    .await
    .map_err(Error::db("appending event"))?;
    Ok(())
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1 AS one")
            .fetch_one(self.read())
            .await
            .map_err(Error::db("pinging"))?;
        Ok(())
    }

    async fn create_company(&self, new: NewCompany) -> Result<Company> {
        non_empty("legal_name", &new.legal_name)?;
        if new.country.len() != 2 || !new.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Error::Invalid {
                field: "country",
                reason: format!(
                    "`{}` is not an ISO 3166-1 alpha-2 code such as BE or RO",
                    new.country
                ),
            });
        }
        let id = new_id();
        let created_at = time::now();
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        sqlx::query(
            "INSERT INTO companies (id, legal_name, vat_number, country, street, city, postal_code, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id.as_str())
        .bind(new.legal_name.as_str())
        .bind(new.vat_number.clone())
        .bind(new.country.as_str())
        .bind(new.address.street.clone())
        .bind(new.address.city.clone())
        .bind(new.address.postal_code.clone())
        .bind(created_at.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("company with this VAT number"))?;
        for ident in &new.identifiers {
            sqlx::query(
                "INSERT INTO company_identifiers (company_id, scheme, value) VALUES ($1, $2, $3)",
            )
            .bind(id.as_str())
            .bind(ident.scheme.as_str())
            .bind(ident.value.as_str())
            .execute(&mut *tx)
            .await
            .map_err(Error::db("participant identifier"))?;
        }
        // Every member is in the directory, delivered on this gateway.
        crate::directory::upsert_in(
            &mut tx,
            NewParticipant {
                owner_company_id: None,
                legal_name: new.legal_name.clone(),
                vat_number: new.vat_number.clone(),
                country: new.country.clone(),
                address: new.address.clone(),
                identifiers: new.identifiers.clone(),
                capabilities: Vec::new(),
                delivery: Delivery::Gateway,
                email: None,
                source: "member".into(),
            },
            Some(&id),
        )
        .await?;
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(Company {
            id,
            legal_name: new.legal_name,
            vat_number: new.vat_number,
            country: new.country,
            address: new.address,
            identifiers: new.identifiers,
            created_at,
        })
    }

    async fn list_companies(&self, vis: &Visibility) -> Result<Vec<Company>> {
        self.companies_where(vis, None).await
    }

    async fn get_company(&self, vis: &Visibility, id: &str) -> Result<Option<Company>> {
        Ok(self
            .companies_where(vis, Some(id))
            .await?
            .into_iter()
            .next())
    }

    async fn create_user(&self, new: NewUser) -> Result<User> {
        non_empty("name", &new.name)?;
        if !new.email.contains('@') {
            return Err(Error::Invalid {
                field: "email",
                reason: format!("`{}` is not an e-mail address", new.email),
            });
        }
        if let Some(company) = &new.company_id {
            self.ensure_companies_exist(std::slice::from_ref(company))
                .await?;
        }
        let user = User {
            id: new_id(),
            email: new.email,
            name: new.name,
            company_id: new.company_id,
            created_at: time::now(),
        };
        sqlx::query("INSERT INTO users (id, email, name, company_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(user.id.as_str())
            .bind(user.email.as_str())
            .bind(user.name.as_str())
            .bind(user.company_id.clone())
            .bind(user.created_at.as_str())
            .execute(self.write())
            .await
            .map_err(Error::db("user with this e-mail"))?;
        Ok(user)
    }

    async fn list_users(&self, vis: &Visibility) -> Result<Vec<User>> {
        let mut sql =
            String::from("SELECT id, email, name, company_id, created_at FROM users WHERE 1 = 1");
        let mut binds = Vec::new();
        if !scope_clause(vis, "company_id", &mut sql, &mut binds) {
            return Ok(Vec::new());
        }
        sql.push_str(" ORDER BY email");
        let query = dynamic_query(sql, &binds);
        let rows = query
            .fetch_all(self.read())
            .await
            .map_err(Error::db("listing users"))?;
        rows.iter()
            .map(|r| {
                Ok(User {
                    id: get(r, "id")?,
                    email: get(r, "email")?,
                    name: get(r, "name")?,
                    company_id: get(r, "company_id")?,
                    created_at: get(r, "created_at")?,
                })
            })
            .collect()
    }

    async fn create_token(&self, new: NewToken) -> Result<IssuedToken> {
        let count_ok = match new.scope {
            Scope::Member => new.company_ids.len() == 1,
            Scope::Accountant => !new.company_ids.is_empty(),
            Scope::Admin => new.company_ids.is_empty(),
        };
        if !count_ok {
            return Err(Error::Invalid {
                field: "company_ids",
                reason: format!(
                    "a {} token needs {}, got {}",
                    new.scope,
                    match new.scope {
                        Scope::Member => "exactly one company",
                        Scope::Accountant => "at least one company",
                        Scope::Admin => "no company",
                    },
                    new.company_ids.len()
                ),
            });
        }
        self.ensure_companies_exist(&new.company_ids).await?;
        let (id, text, hash) = token::generate();
        let created_at = time::now();
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        sqlx::query(
            "INSERT INTO api_tokens (id, secret_hash, scope, label, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_str())
        .bind(hash)
        .bind(new.scope.as_str())
        .bind(new.label.as_str())
        .bind(new.user_id.clone())
        .bind(created_at.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("creating token"))?;
        let mut company_ids = new.company_ids;
        company_ids.sort();
        company_ids.dedup();
        for company in &company_ids {
            sqlx::query("INSERT INTO token_companies (token_id, company_id) VALUES ($1, $2)")
                .bind(id.as_str())
                .bind(company.as_str())
                .execute(&mut *tx)
                .await
                .map_err(Error::db("linking token to company"))?;
        }
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(IssuedToken {
            info: TokenInfo {
                id,
                scope: new.scope,
                company_ids,
                label: new.label,
                user_id: new.user_id,
                created_at,
                revoked_at: None,
            },
            token: text,
        })
    }

    async fn list_tokens(&self, vis: &Visibility) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, scope, label, user_id, created_at, revoked_at FROM api_tokens ORDER BY created_at, id",
        )
        .fetch_all(self.read())
        .await
        .map_err(Error::db("listing tokens"))?;
        let mut out = Vec::new();
        for r in &rows {
            let id: String = get(r, "id")?;
            let company_ids = self.token_companies(&id).await?;
            if !token_visible(vis, &company_ids) {
                continue;
            }
            let scope: String = get(r, "scope")?;
            out.push(TokenInfo {
                id,
                scope: scope.parse()?,
                company_ids,
                label: get(r, "label")?,
                user_id: get(r, "user_id")?,
                created_at: get(r, "created_at")?,
                revoked_at: get(r, "revoked_at")?,
            });
        }
        Ok(out)
    }

    async fn revoke_token(&self, vis: &Visibility, id: &str) -> Result<bool> {
        let exists = sqlx::query("SELECT 1 AS one FROM api_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(self.read())
            .await
            .map_err(Error::db("reading token"))?
            .is_some();
        if !exists || !token_visible(vis, &self.token_companies(id).await?) {
            return Ok(false);
        }
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(time::now())
            .bind(id)
            .execute(self.write())
            .await
            .map_err(Error::db("revoking token"))?;
        Ok(true)
    }

    async fn authenticate(&self, presented: &str) -> Result<Option<Principal>> {
        let Some(parsed) = ParsedToken::parse(presented) else {
            return Ok(None);
        };
        let row = sqlx::query(
            "SELECT secret_hash, scope, user_id FROM api_tokens WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(parsed.id)
        .fetch_optional(self.read())
        .await
        .map_err(Error::db("authenticating"))?;
        let Some(row) = row else { return Ok(None) };
        let hash: String = get(&row, "secret_hash")?;
        if !token::secret_matches(parsed.secret, &hash) {
            return Ok(None);
        }
        let scope: String = get(&row, "scope")?;
        Ok(Some(Principal {
            token_id: parsed.id.to_string(),
            scope: scope.parse()?,
            company_ids: self.token_companies(parsed.id).await?,
            user_id: get(&row, "user_id")?,
        }))
    }

    async fn put_blob(&self, bytes: &[u8]) -> Result<BlobRef> {
        let staged = self.stage_blob(bytes.to_vec()).await?;
        insert_blob_row(self.write(), &staged).await?;
        Ok(staged.blob)
    }

    async fn get_blob(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        let row = sqlx::query("SELECT content FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(self.read())
            .await
            .map_err(Error::db("reading blob"))?;
        let Some(row) = row else { return Ok(None) };
        let content: Option<Vec<u8>> = get(&row, "content")?;
        match (content, &self.blobs) {
            (Some(bytes), _) => Ok(Some(bytes)),
            (None, BlobLocation::Files(dir)) => {
                let (dir, sha): (PathBuf, String) = (dir.clone(), sha256.to_string());
                let bytes = tokio::task::spawn_blocking(move || blob::read_file(&dir, &sha))
                    .await
                    .map_err(|e| Error::BlobIo {
                        path: "blob reader".into(),
                        source: std::io::Error::other(e),
                    })??;
                Ok(Some(bytes))
            }
            (None, BlobLocation::Database) => Err(Error::BlobMissing(sha256.to_string())),
        }
    }

    async fn create_document(&self, new: NewDocument) -> Result<Document> {
        non_empty("source", &new.source)?;
        non_empty("media_type", &new.media_type)?;
        non_empty("initial_state", &new.initial_state)?;
        self.ensure_companies_exist(std::slice::from_ref(&new.company_id))
            .await?;
        let blob = self.put_blob(&new.bytes).await?;
        let now = time::now();
        let doc = Document {
            id: new_id(),
            company_id: new.company_id,
            direction: new.direction,
            source: new.source,
            media_type: new.media_type,
            file_name: new.file_name,
            blob,
            state: new.initial_state,
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        let mut event = Event {
            document_id: doc.id.clone(),
            seq: 1,
            company_id: doc.company_id.clone(),
            actor: new.actor,
            at: now,
            kind: "created".into(),
            from_state: None,
            to_state: doc.state.clone(),
            detail: serde_json::json!({
                "source": doc.source,
                "media_type": doc.media_type,
                "file_name": doc.file_name,
                "sha256": doc.blob.sha256,
                "size": doc.blob.size,
            }),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        event.hash = event_hash(&event);
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        sqlx::query(
            "INSERT INTO documents (id, company_id, direction, source, media_type, file_name, blob_sha256, state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(doc.id.as_str())
        .bind(doc.company_id.as_str())
        .bind(doc.direction.as_str())
        .bind(doc.source.as_str())
        .bind(doc.media_type.as_str())
        .bind(doc.file_name.clone())
        .bind(doc.blob.sha256.as_str())
        .bind(doc.state.as_str())
        .bind(doc.created_at.as_str())
        .bind(doc.updated_at.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("creating document"))?;
        insert_event(&mut tx, &event).await?;
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(doc)
    }

    async fn get_document(&self, vis: &Visibility, id: &str) -> Result<Option<Document>> {
        let mut sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents d JOIN blobs b ON b.sha256 = d.blob_sha256 WHERE d.id = $1"
        );
        let mut binds = vec![id.to_string()];
        if !scope_clause(vis, "d.company_id", &mut sql, &mut binds) {
            return Ok(None);
        }
        let query = dynamic_query(sql, &binds);
        let row = query
            .fetch_optional(self.read())
            .await
            .map_err(Error::db("reading document"))?;
        row.as_ref().map(document_from).transpose()
    }

    async fn list_documents(&self, vis: &Visibility, page: Page) -> Result<Vec<Document>> {
        let mut sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents d JOIN blobs b ON b.sha256 = d.blob_sha256 WHERE 1 = 1"
        );
        let mut binds = Vec::new();
        if !scope_clause(vis, "d.company_id", &mut sql, &mut binds) {
            return Ok(Vec::new());
        }
        if let Some(after) = &page.after {
            // Keyset: rows strictly older than the cursor row, in (created_at, id) order.
            binds.push(after.clone());
            let n = binds.len();
            sql.push_str(&format!(
                " AND (d.created_at, d.id) < (SELECT c.created_at, c.id FROM documents c WHERE c.id = ${n})"
            ));
        }
        let limit = page.limit.clamp(1, 1000);
        sql.push_str(&format!(
            " ORDER BY d.created_at DESC, d.id DESC LIMIT {limit}"
        ));
        let query = dynamic_query(sql, &binds);
        let rows = query
            .fetch_all(self.read())
            .await
            .map_err(Error::db("listing documents"))?;
        rows.iter().map(document_from).collect()
    }

    async fn transition(&self, vis: &Visibility, change: StateChange) -> Result<Event> {
        let doc = self
            .get_document(vis, &change.document_id)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "document",
                id: change.document_id.clone(),
            })?;
        let now = time::now();
        let mut tx = self.write().begin().await.map_err(Error::db("begin"))?;
        // The guarded UPDATE takes the row lock first, so concurrent transitions serialize here.
        let updated = sqlx::query(
            "UPDATE documents SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(change.to.as_str())
        .bind(now.as_str())
        .bind(doc.id.as_str())
        .bind(change.from.as_str())
        .execute(&mut *tx)
        .await
        .map_err(Error::db("updating document state"))?;
        if updated.rows_affected() != 1 {
            let actual: String = sqlx::query("SELECT state FROM documents WHERE id = $1")
                .bind(doc.id.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(Error::db("reading document state"))?
                .try_get("state")
                .map_err(Error::db("state"))?;
            return Err(Error::StateConflict {
                document: doc.id,
                expected: change.from,
                actual,
            });
        }
        let last = sqlx::query(
            "SELECT seq, hash FROM events WHERE document_id = $1 ORDER BY seq DESC LIMIT 1",
        )
        .bind(doc.id.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(Error::db("reading last event"))?;
        let mut event = Event {
            document_id: doc.id.clone(),
            seq: get::<i64>(&last, "seq")? + 1,
            company_id: doc.company_id.clone(),
            actor: change.actor,
            at: now,
            kind: change.kind,
            from_state: Some(change.from),
            to_state: change.to,
            detail: change.detail,
            prev_hash: get(&last, "hash")?,
            hash: String::new(),
        };
        event.hash = event_hash(&event);
        insert_event(&mut tx, &event).await?;
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(event)
    }

    async fn events(&self, vis: &Visibility, document_id: &str) -> Result<Option<Vec<Event>>> {
        if self.get_document(vis, document_id).await?.is_none() {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT document_id, seq, company_id, actor, at, kind, from_state, to_state, detail, prev_hash, hash
             FROM events WHERE document_id = $1 ORDER BY seq",
        )
        .bind(document_id)
        .fetch_all(self.read())
        .await
        .map_err(Error::db("reading events"))?;
        rows.iter()
            .map(event_from)
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    async fn verify_journal(&self, document_id: &str) -> Result<usize> {
        let events = self
            .events(&Visibility::All, document_id)
            .await?
            .ok_or_else(|| Error::NotFound {
                what: "document",
                id: document_id.to_string(),
            })?;
        let mut prev = GENESIS_HASH.to_string();
        for (i, e) in events.iter().enumerate() {
            let broken = |reason: String| Error::Tampered {
                document: document_id.to_string(),
                seq: e.seq,
                reason,
            };
            if e.seq != i as i64 + 1 {
                return Err(broken(format!("expected sequence number {}", i + 1)));
            }
            if e.prev_hash != prev {
                return Err(broken("does not point at the event before it".into()));
            }
            if event_hash(e) != e.hash {
                return Err(broken("content does not match its hash".into()));
            }
            prev = e.hash.clone();
        }
        Ok(events.len())
    }
}
