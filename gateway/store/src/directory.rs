//! The participant directory: who the gateway knows, how they receive, and search over them.
use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use crate::fold::{fold_name, fold_vat, prefix_upper_bound, words};
use crate::sql_store::{address_of, dynamic_query, get, new_id, non_empty, scope_clause};
use crate::*;

/// Directory operations of the [`Store`].
#[async_trait]
pub trait Directory: Send + Sync {
    /// Adds a participant, or updates the entry that already has one of its identifiers or its
    /// VAT number (among official entries, or among the owner's private contacts).
    async fn upsert_participant(&self, new: NewParticipant) -> Result<Upserted>;
    async fn get_participant(&self, vis: &Visibility, id: &str) -> Result<Option<Participant>>;
    /// Official and member entries only: what the SMP serves and routing looks at.
    async fn participant_by_identifier(&self, id: &Identifier) -> Result<Option<Participant>>;
    /// The member company whose participant has `id`: whom a message for `id` is delivered
    /// to. One small query, on the path of every received message.
    async fn member_company_of(&self, id: &Identifier) -> Result<Option<String>>;
    /// Official entries plus the private contacts of the visible companies, at most `limit`.
    async fn search_participants(
        &self,
        vis: &Visibility,
        query: &DirectoryQuery,
        limit: u32,
    ) -> Result<Vec<Participant>>;
    async fn add_contact(
        &self,
        company_id: &str,
        participant_id: &str,
        role: ContactRole,
    ) -> Result<()>;
    /// The customers and suppliers of the visible companies.
    async fn contacts(&self, vis: &Visibility) -> Result<Vec<(String, ContactRole, Participant)>>;
}

/// Most words of a query that are matched.
const MAX_QUERY_WORDS: usize = 6;

const COLUMNS: &str = "p.id, p.owner_company_id, p.member_company_id, p.legal_name, p.vat_number, p.country, p.street, p.city, p.postal_code, p.delivery, p.email, p.source, p.created_at, p.updated_at";

/// Writes a participant inside the caller's transaction; `member` links it to a member company.
pub(crate) async fn upsert_in(
    tx: &mut Transaction<'_, Any>,
    new: NewParticipant,
    member: Option<&str>,
) -> Result<Upserted> {
    non_empty("legal_name", &new.legal_name)?;
    if new.delivery == Delivery::Email && new.email.as_deref().is_none_or(|e| !e.contains('@')) {
        return Err(Error::Invalid {
            field: "email",
            reason: "delivery by e-mail needs an e-mail address".into(),
        });
    }
    let vat_key = new
        .vat_number
        .as_deref()
        .map(fold_vat)
        .filter(|v| !v.is_empty());
    let existing = find_existing(tx, &new, vat_key.as_deref()).await?;
    let now = time::now();
    let search_name = fold_name(&new.legal_name);
    let (id, created) = match existing {
        // A member stays delivered on the gateway whatever an import says.
        Some(id) => {
            sqlx::query(
                "UPDATE participants SET legal_name = $1, search_name = $2, vat_number = COALESCE($3, vat_number),
                 vat_key = COALESCE($4, vat_key), country = $5, street = COALESCE($6, street), city = COALESCE($7, city),
                 postal_code = COALESCE($8, postal_code),
                 delivery = CASE WHEN COALESCE($11, member_company_id) IS NOT NULL THEN 'gateway' ELSE $9 END,
                 email = COALESCE($10, email),
                 member_company_id = COALESCE($11, member_company_id), updated_at = $12 WHERE id = $13",
            )
            .bind(new.legal_name.as_str())
            .bind(search_name.as_str())
            .bind(new.vat_number.clone())
            .bind(vat_key.clone())
            .bind(new.country.as_str())
            .bind(new.address.street.clone())
            .bind(new.address.city.clone())
            .bind(new.address.postal_code.clone())
            .bind(new.delivery.as_str())
            .bind(new.email.clone())
            .bind(member.map(str::to_string))
            .bind(now.as_str())
            .bind(id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(Error::db("updating participant"))?;
            sqlx::query("DELETE FROM participant_words WHERE participant_id = $1")
                .bind(id.as_str())
                .execute(&mut **tx)
                .await
                .map_err(Error::db("updating participant words"))?;
            (id, false)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO participants (id, owner_company_id, member_company_id, legal_name, search_name, vat_number, vat_key,
                 country, street, city, postal_code, delivery, email, source, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
            )
            .bind(id.as_str())
            .bind(new.owner_company_id.clone())
            .bind(member.map(str::to_string))
            .bind(new.legal_name.as_str())
            .bind(search_name.as_str())
            .bind(new.vat_number.clone())
            .bind(vat_key.clone())
            .bind(new.country.as_str())
            .bind(new.address.street.clone())
            .bind(new.address.city.clone())
            .bind(new.address.postal_code.clone())
            .bind(new.delivery.as_str())
            .bind(new.email.clone())
            .bind(new.source.as_str())
            .bind(now.as_str())
            .execute(&mut **tx)
            .await
            .map_err(Error::db("participant linked to this company"))?;
            (id, true)
        }
    };
    for word in words(&search_name) {
        sqlx::query("INSERT INTO participant_words (word, participant_id) VALUES ($1, $2)")
            .bind(word)
            .bind(id.as_str())
            .execute(&mut **tx)
            .await
            .map_err(Error::db("indexing participant name"))?;
    }
    for ident in &new.identifiers {
        sqlx::query(
            "INSERT INTO participant_identifiers (participant_id, scheme, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(id.as_str())
        .bind(ident.scheme.as_str())
        .bind(ident.value.as_str())
        .execute(&mut **tx)
        .await
        .map_err(Error::db("participant identifier"))?;
    }
    let capabilities = if new.capabilities.is_empty() && created {
        Capability::bis3_defaults()
    } else {
        new.capabilities
    };
    for cap in &capabilities {
        sqlx::query(
            "INSERT INTO participant_capabilities (participant_id, document_type, process) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(id.as_str())
        .bind(cap.document_type.as_str())
        .bind(cap.process.as_str())
        .execute(&mut **tx)
        .await
        .map_err(Error::db("participant capability"))?;
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM participants p WHERE p.id = $1"
    )))
    .bind(id.as_str())
    .fetch_one(&mut **tx)
    .await
    .map_err(Error::db("reading participant"))?;
    let participant = complete(tx, &row).await?;
    Ok(Upserted {
        participant,
        created,
    })
}

/// The entry a new participant should update instead of duplicating, if any.
async fn find_existing(
    tx: &mut Transaction<'_, Any>,
    new: &NewParticipant,
    vat_key: Option<&str>,
) -> Result<Option<String>> {
    let owner = new.owner_company_id.clone().unwrap_or_default();
    for ident in &new.identifiers {
        let row = sqlx::query(
            "SELECT p.id FROM participants p JOIN participant_identifiers i ON i.participant_id = p.id
             WHERE i.scheme = $1 AND i.value = $2 AND COALESCE(p.owner_company_id, '') = $3 LIMIT 1",
        )
        .bind(ident.scheme.as_str())
        .bind(ident.value.as_str())
        .bind(owner.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(Error::db("looking up participant"))?;
        if let Some(row) = row {
            return Ok(Some(get(&row, "id")?));
        }
    }
    if let Some(vat) = vat_key {
        let row = sqlx::query(
            "SELECT id FROM participants WHERE vat_key = $1 AND COALESCE(owner_company_id, '') = $2 LIMIT 1",
        )
        .bind(vat)
        .bind(owner.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(Error::db("looking up participant"))?;
        if let Some(row) = row {
            return Ok(Some(get(&row, "id")?));
        }
    }
    Ok(None)
}

/// A participant row with its identifiers and capabilities.
async fn complete(conn: &mut sqlx::AnyConnection, row: &AnyRow) -> Result<Participant> {
    let mut all = complete_many(conn, std::slice::from_ref(row)).await?;
    all.pop().ok_or_else(|| Error::NotFound {
        what: "participant",
        id: String::new(),
    })
}

/// The identifiers and capabilities of some participants, grouped by participant and sorted:
/// one query (a `UNION ALL` of both tables) so a search costs two round trips in all.
async fn details(
    conn: &mut sqlx::AnyConnection,
    ids: &[String],
) -> Result<(
    HashMap<String, Vec<Identifier>>,
    HashMap<String, Vec<Capability>>,
)> {
    let marks = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT participant_id, 'i' AS kind, scheme AS a, value AS b FROM participant_identifiers
         WHERE participant_id IN ({marks})
         UNION ALL
         SELECT participant_id, 'c' AS kind, document_type AS a, process AS b FROM participant_capabilities
         WHERE participant_id IN ({marks})
         ORDER BY kind, a, b"
    );
    let mut identifiers: HashMap<String, Vec<Identifier>> = HashMap::new();
    let mut capabilities: HashMap<String, Vec<Capability>> = HashMap::new();
    for r in dynamic_query(sql, ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(Error::db("reading participant details"))?
    {
        let (id, a, b): (String, String, String) =
            (get(&r, "participant_id")?, get(&r, "a")?, get(&r, "b")?);
        if get::<String>(&r, "kind")? == "i" {
            identifiers.entry(id).or_default().push(Identifier {
                scheme: a,
                value: b,
            });
        } else {
            capabilities.entry(id).or_default().push(Capability {
                document_type: a,
                process: b,
            });
        }
    }
    Ok((identifiers, capabilities))
}

/// Participant rows with their identifiers and capabilities.
async fn complete_many(
    conn: &mut sqlx::AnyConnection,
    rows: &[AnyRow],
) -> Result<Vec<Participant>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids = rows
        .iter()
        .map(|r| get::<String>(r, "id"))
        .collect::<Result<Vec<_>>>()?;
    let (mut identifiers, mut capabilities) = details(conn, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, id) in rows.iter().zip(ids) {
        let delivery: String = get(row, "delivery")?;
        let owner: Option<String> = get(row, "owner_company_id")?;
        let member_company_id: Option<String> = get(row, "member_company_id")?;
        out.push(Participant {
            identifiers: identifiers.remove(&id).unwrap_or_default(),
            capabilities: capabilities.remove(&id).unwrap_or_default(),
            id,
            legal_name: get(row, "legal_name")?,
            vat_number: get(row, "vat_number")?,
            country: get(row, "country")?,
            address: address_of(row)?,
            delivery: delivery.parse()?,
            email: get(row, "email")?,
            member: member_company_id.is_some(),
            member_company_id,
            official: owner.is_none(),
            source: get(row, "source")?,
            created_at: get(row, "created_at")?,
            updated_at: get(row, "updated_at")?,
        });
    }
    Ok(out)
}

/// `AND (official OR owned by a visible company)`; official entries only when no company is visible.
fn visible_clause(vis: &Visibility, sql: &mut String, binds: &mut Vec<String>) {
    if let Visibility::Companies(ids) = vis {
        if ids.is_empty() {
            sql.push_str(" AND p.owner_company_id IS NULL");
            return;
        }
        let mut owned = String::new();
        scope_clause(vis, "p.owner_company_id", &mut owned, binds);
        // `owned` is " AND p.owner_company_id IN (...)".
        let owned = owned.trim_start_matches(" AND ");
        sql.push_str(&format!(" AND (p.owner_company_id IS NULL OR {owned})"));
    }
}

/// A string as an SQL literal. Name searches put their range bounds and index keys into the
/// statement itself so that the planner always sees the values: a cached generic plan for
/// `word >= $1 AND word < $2` would scan the whole index. (Folded words are letters and digits;
/// the quoting is there regardless.)
fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Longest name-word prefix that migration 0009 indexes in `participants.search_prefixes`.
const INDEXED_PREFIX_CHARS: usize = 12;

/// `SELECT … WHERE` for several folded query words on PostgreSQL: the indexed prefixes of the
/// words of two letters or more intersect in the GIN index; one-letter words and words longer
/// than the indexed prefixes are checked on the candidates' folded names.
fn postgres_words_clause(words: &[String], binds: &mut Vec<String>) -> String {
    let keys: Vec<String> = words
        .iter()
        .filter(|w| w.chars().count() >= 2)
        .map(|w| w.chars().take(INDEXED_PREFIX_CHARS).collect())
        .collect();
    let mut sql = format!("SELECT {COLUMNS} FROM participants p WHERE ");
    if keys.is_empty() {
        // Only one-letter words: the word index narrows by the first one.
        sql.push_str(&format!(
            "p.id IN (SELECT participant_id FROM participant_words WHERE word >= {} AND word < {} LIMIT 2000)",
            sql_text(&words[0]),
            sql_text(&prefix_upper_bound(&words[0]))
        ));
    } else {
        sql.push_str(&format!(
            "p.search_prefixes @> string_to_array({}, ' ')",
            sql_text(&keys.join(" "))
        ));
    }
    for w in words {
        let count = w.chars().count();
        if (2..=INDEXED_PREFIX_CHARS).contains(&count) {
            continue;
        }
        binds.push(format!("{w}%"));
        binds.push(format!("% {w}%"));
        let (a, b) = (binds.len() - 1, binds.len());
        sql.push_str(&format!(
            " AND (p.search_name LIKE ${a} OR p.search_name LIKE ${b})"
        ));
    }
    sql
}

impl SqlStore {
    /// Ids of participants with a name word starting with `prefix`, in index order.
    async fn word_range(&self, prefix: &str, limit: u32) -> Result<Vec<String>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT participant_id FROM participant_words WHERE word >= {} AND word < {} ORDER BY word, participant_id LIMIT {limit}",
            sql_text(prefix),
            sql_text(&prefix_upper_bound(prefix))
        )))
        .persistent(false)
        .fetch_all(&self.pools.read)
        .await
        .map_err(Error::db("reading the word index"))?;
        let mut seen = std::collections::HashSet::new();
        rows.iter()
            .map(|r| get::<String>(r, "participant_id"))
            .filter(|id| id.as_ref().map_or(true, |id| seen.insert(id.clone())))
            .collect()
    }

    async fn participants_where(&self, sql: String, binds: &[String]) -> Result<Vec<Participant>> {
        self.participants_where_cached(sql, binds, true).await
    }

    /// `cached: false` for statements whose text changes with every search (literals, id lists):
    /// prepared once and dropped, instead of churning the connection's statement cache.
    async fn participants_where_cached(
        &self,
        sql: String,
        binds: &[String],
        cached: bool,
    ) -> Result<Vec<Participant>> {
        // One connection for the rows and their details: a pool round trip less per search.
        let mut conn = self
            .pools
            .read
            .acquire()
            .await
            .map_err(Error::db("acquire"))?;
        let rows = dynamic_query(sql, binds)
            .persistent(cached)
            .fetch_all(&mut *conn)
            .await
            .map_err(Error::db("searching participants"))?;
        complete_many(&mut conn, &rows).await
    }
}

#[async_trait]
impl Directory for SqlStore {
    async fn upsert_participant(&self, new: NewParticipant) -> Result<Upserted> {
        let mut tx = self.pools.write.begin().await.map_err(Error::db("begin"))?;
        let upserted = upsert_in(&mut tx, new, None).await?;
        tx.commit().await.map_err(Error::db("commit"))?;
        Ok(upserted)
    }

    async fn get_participant(&self, vis: &Visibility, id: &str) -> Result<Option<Participant>> {
        let mut sql = format!("SELECT {COLUMNS} FROM participants p WHERE p.id = $1");
        let mut binds = vec![id.to_string()];
        visible_clause(vis, &mut sql, &mut binds);
        Ok(self
            .participants_where(sql, &binds)
            .await?
            .into_iter()
            .next())
    }

    async fn participant_by_identifier(&self, id: &Identifier) -> Result<Option<Participant>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM participants p JOIN participant_identifiers i ON i.participant_id = p.id
             WHERE i.scheme = $1 AND i.value = $2 AND p.owner_company_id IS NULL
             ORDER BY p.member_company_id IS NULL, p.id LIMIT 1"
        );
        let binds = vec![id.scheme.clone(), id.value.to_ascii_lowercase()];
        Ok(self
            .participants_where(sql, &binds)
            .await?
            .into_iter()
            .next())
    }

    async fn member_company_of(&self, id: &Identifier) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT p.member_company_id FROM participants p JOIN participant_identifiers i ON i.participant_id = p.id
             WHERE i.scheme = $1 AND i.value = $2 AND p.owner_company_id IS NULL AND p.member_company_id IS NOT NULL
             ORDER BY p.id LIMIT 1",
        )
        .bind(id.scheme.as_str())
        .bind(id.value.to_ascii_lowercase())
        .fetch_optional(self.read())
        .await
        .map_err(Error::db("looking up the member of a participant"))?;
        row.map(|r| get(&r, "member_company_id")).transpose()
    }

    async fn search_participants(
        &self,
        vis: &Visibility,
        query: &DirectoryQuery,
        limit: u32,
    ) -> Result<Vec<Participant>> {
        let limit = limit.clamp(1, 200);
        let mut binds = Vec::new();
        let mut sql = match query {
            DirectoryQuery::Identifier(id) => {
                binds.push(id.scheme.clone());
                binds.push(id.value.to_ascii_lowercase());
                format!(
                    "SELECT {COLUMNS} FROM participants p JOIN participant_identifiers i ON i.participant_id = p.id
                     WHERE i.scheme = $1 AND i.value = $2"
                )
            }
            DirectoryQuery::Vat(vat) => {
                binds.push(fold_vat(vat));
                format!("SELECT {COLUMNS} FROM participants p WHERE p.vat_key = $1")
            }
            DirectoryQuery::Name(text) => {
                let wanted = words(&fold_name(text));
                match wanted.as_slice() {
                    [] => return Ok(Vec::new()),
                    [word] => {
                        // The ids first, then their rows: two plain index reads, whatever a
                        // planner would estimate for a prefix range joined to participants.
                        let ids = self.word_range(word, limit * 8).await?;
                        if ids.is_empty() {
                            return Ok(Vec::new());
                        }
                        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
                        binds = ids;
                        format!(
                            "SELECT {COLUMNS} FROM participants p WHERE p.id IN ({})",
                            marks.join(", ")
                        )
                    }
                    _ => {
                        // Several words: the full-text index intersects their prefixes. Folded
                        // words are letters and digits only, so they are safe as query terms.
                        let words = &wanted[..wanted.len().min(MAX_QUERY_WORDS)];
                        match self.backend() {
                            Backend::Sqlite => {
                                let terms: Vec<String> =
                                    words.iter().map(|w| format!("\"{w}\"*")).collect();
                                binds.push(terms.join(" AND "));
                                format!(
                                    "SELECT {COLUMNS} FROM participants p WHERE p.rowid IN
                                     (SELECT rowid FROM participant_fts WHERE participant_fts MATCH $1 LIMIT {})",
                                    limit * 8
                                )
                            }
                            Backend::Postgres => postgres_words_clause(words, &mut binds),
                        }
                    }
                }
            }
        };
        visible_clause(vis, &mut sql, &mut binds);
        sql.push_str(&format!(" LIMIT {limit}"));
        let by_name = matches!(query, DirectoryQuery::Name(_));
        let mut found = self
            .participants_where_cached(sql, &binds, !by_name)
            .await?;
        if let DirectoryQuery::Name(text) = query {
            // Best first: names that contain the query's words whole, then shorter names.
            let wanted: BTreeSet<String> = words(&fold_name(text)).into_iter().collect();
            found.sort_by_key(|p| {
                let have: BTreeSet<String> = words(&fold_name(&p.legal_name)).into_iter().collect();
                (
                    wanted.difference(&have).count(),
                    p.legal_name.len(),
                    p.legal_name.clone(),
                )
            });
        }
        Ok(found)
    }

    async fn add_contact(
        &self,
        company_id: &str,
        participant_id: &str,
        role: ContactRole,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO company_contacts (company_id, participant_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(company_id)
        .bind(participant_id)
        .bind(role.as_str())
        .bind(time::now())
        .execute(&self.pools.write)
        .await
        .map_err(Error::db("adding contact"))?;
        Ok(())
    }

    async fn contacts(&self, vis: &Visibility) -> Result<Vec<(String, ContactRole, Participant)>> {
        let mut sql = format!(
            "SELECT c.company_id AS contact_company, c.role AS contact_role, {COLUMNS}
             FROM company_contacts c JOIN participants p ON p.id = c.participant_id WHERE 1 = 1"
        );
        let mut binds = Vec::new();
        if !scope_clause(vis, "c.company_id", &mut sql, &mut binds) {
            return Ok(Vec::new());
        }
        sql.push_str(" ORDER BY p.legal_name, p.id");
        let rows = dynamic_query(sql, &binds)
            .fetch_all(&self.pools.read)
            .await
            .map_err(Error::db("listing contacts"))?;
        let mut conn = self
            .pools
            .read
            .acquire()
            .await
            .map_err(Error::db("acquire"))?;
        let participants = complete_many(&mut conn, &rows).await?;
        rows.iter()
            .zip(participants)
            .map(|(row, participant)| {
                let role: String = get(row, "contact_role")?;
                let role: ContactRole = role.parse()?;
                Ok((get(row, "contact_company")?, role, participant))
            })
            .collect()
    }
}
