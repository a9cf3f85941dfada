//! The store's behaviour, run once per database of `gateway_testkit::test_databases()`:
//! SQLite always, PostgreSQL whenever `GATEWAY_TEST_DATABASE_URL` is set (always under CI).
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use gateway_store::*;
use gateway_testkit::{test_databases, TestDb};
use sqlx::{Executor, Row};

async fn open(db: &TestDb, blobs: BlobLocation) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, blobs)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.backend))
}

async fn open_default(db: &TestDb) -> SqlStore {
    let backend = DatabaseUrl::parse(&db.url).unwrap().backend();
    open(db, SqlStore::default_blobs(backend, db.data_dir())).await
}

fn company(name: &str, vat: &str) -> NewCompany {
    NewCompany {
        legal_name: name.into(),
        vat_number: Some(vat.into()),
        country: "BE".into(),
        address: Address {
            street: Some("Rue 1".into()),
            city: Some("Brussels".into()),
            postal_code: Some("1000".into()),
        },
        identifiers: vec![Identifier {
            scheme: "iso6523-actorid-upis".into(),
            value: format!("9925:{}", vat.to_lowercase()),
        }],
    }
}

fn new_doc(company_id: &str, bytes: &[u8]) -> NewDocument {
    NewDocument {
        company_id: company_id.into(),
        direction: Direction::Purchase,
        source: "upload".into(),
        media_type: "application/xml".into(),
        file_name: Some("invoice.xml".into()),
        bytes: bytes.to_vec(),
        actor: "test".into(),
        initial_state: "received".into(),
    }
}

fn only(id: &str) -> Visibility {
    Visibility::Companies(vec![id.to_string()])
}

#[tokio::test]
async fn migrations_apply_once_and_reopen_cleanly() {
    for db in test_databases().await {
        eprintln!("backend: {}", db.backend);
        let store = open_default(&db).await;
        store.close().await;
        // Opening again finds everything applied and changes nothing.
        let store = open_default(&db).await;
        store.ping().await.unwrap();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let rows = sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap();
        let versions: Vec<i64> = rows.iter().map(|r| r.get("version")).collect();
        let known: Vec<i64> = migrations().iter().map(|m| m.version).collect();
        assert_eq!(versions, known, "{}", db.backend);
    }
}

#[tokio::test]
async fn companies_are_scoped_and_unique() {
    for db in test_databases().await {
        let store = open_default(&db).await;
        let a = store
            .create_company(company("Alpha SA", "BE0123456749"))
            .await
            .unwrap();
        let b = store
            .create_company(company("Beta BV", "BE0987654321"))
            .await
            .unwrap();

        let all = store.list_companies(&Visibility::All).await.unwrap();
        assert_eq!(all.len(), 2, "{}", db.backend);
        assert_eq!(all[0], a);

        let mine = store.list_companies(&only(&a.id)).await.unwrap();
        assert_eq!(mine, vec![a.clone()]);
        assert_eq!(store.get_company(&only(&a.id), &b.id).await.unwrap(), None);
        assert_eq!(
            store
                .get_company(&Visibility::Companies(vec![]), &a.id)
                .await
                .unwrap(),
            None
        );

        let dup = store
            .create_company(company("Alpha again", "BE0123456749"))
            .await;
        assert!(
            matches!(dup, Err(Error::Conflict { .. })),
            "{}: {dup:?}",
            db.backend
        );

        let mut bad = company("Gamma", "BE0000000097");
        bad.country = "Belgium".into();
        let err = store.create_company(bad).await.unwrap_err().to_string();
        assert!(err.contains("ISO 3166-1 alpha-2"), "{err}");
    }
}

#[tokio::test]
async fn tokens_authenticate_until_revoked_and_never_store_the_secret() {
    for db in test_databases().await {
        let store = open_default(&db).await;
        let a = store
            .create_company(company("Alpha SA", "BE0123456749"))
            .await
            .unwrap();
        let b = store
            .create_company(company("Beta BV", "BE0987654321"))
            .await
            .unwrap();

        let member = store
            .create_token(NewToken {
                scope: Scope::Member,
                company_ids: vec![a.id.clone()],
                label: "erp".into(),
                user_id: None,
            })
            .await
            .unwrap();
        let principal = store.authenticate(&member.token).await.unwrap().unwrap();
        assert_eq!(principal.scope, Scope::Member);
        assert_eq!(principal.company_ids, vec![a.id.clone()]);
        assert_eq!(principal.visibility(), only(&a.id));

        // The database holds a hash, never the token text.
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let hash: String = sqlx::query("SELECT secret_hash FROM api_tokens WHERE id = $1")
            .bind(member.info.id.as_str())
            .fetch_one(&pool)
            .await
            .unwrap()
            .get("secret_hash");
        // `gw_<id>_<secret>`: the secret is base64url and may itself contain `_`.
        let secret = member.token.splitn(3, '_').nth(2).unwrap();
        assert_eq!(secret.len(), 43, "{}", member.token);
        assert!(!hash.contains(secret) && hash.len() == 64);

        // A wrong secret with a right id is refused.
        let mut forged = member.token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(store.authenticate(&forged).await.unwrap(), None);
        assert_eq!(store.authenticate("not-a-token").await.unwrap(), None);

        // Scope rules on company counts.
        for (scope, ids) in [
            (Scope::Member, vec![]),
            (Scope::Member, vec![a.id.clone(), b.id.clone()]),
            (Scope::Accountant, vec![]),
            (Scope::Admin, vec![a.id.clone()]),
        ] {
            let r = store
                .create_token(NewToken {
                    scope,
                    company_ids: ids,
                    label: "x".into(),
                    user_id: None,
                })
                .await;
            assert!(matches!(r, Err(Error::Invalid { .. })), "{scope}: {r:?}");
        }
        let missing = store
            .create_token(NewToken {
                scope: Scope::Member,
                company_ids: vec!["no-such-company".into()],
                label: "x".into(),
                user_id: None,
            })
            .await;
        assert!(
            matches!(missing, Err(Error::NotFound { .. })),
            "{missing:?}"
        );

        let accountant = store
            .create_token(NewToken {
                scope: Scope::Accountant,
                company_ids: vec![a.id.clone(), b.id.clone()],
                label: "books".into(),
                user_id: None,
            })
            .await
            .unwrap();
        // A member of A sees its own token, not the accountant's (which also covers B).
        let seen: Vec<String> = store
            .list_tokens(&only(&a.id))
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(seen, vec![member.info.id.clone()]);
        assert!(!store
            .revoke_token(&only(&a.id), &accountant.info.id)
            .await
            .unwrap());

        assert!(store
            .revoke_token(&Visibility::All, &member.info.id)
            .await
            .unwrap());
        assert_eq!(
            store.authenticate(&member.token).await.unwrap(),
            None,
            "{}",
            db.backend
        );
        assert!(store
            .authenticate(&accountant.token)
            .await
            .unwrap()
            .is_some());
    }
}

#[tokio::test]
async fn blobs_are_content_addressed_in_files_and_in_the_database() {
    for db in test_databases().await {
        for location in [
            BlobLocation::Files(db.data_dir().join("blobs")),
            BlobLocation::Database,
        ] {
            let store = open(&db, location.clone()).await;
            let bytes = b"<Invoice>1</Invoice>".to_vec();
            let first = store.put_blob(&bytes).await.unwrap();
            let again = store.put_blob(&bytes).await.unwrap();
            assert_eq!(first, again);
            assert_eq!(first.sha256, sha256_hex(&bytes));
            assert_eq!(first.size, bytes.len() as i64);
            assert_eq!(
                store.get_blob(&first.sha256).await.unwrap(),
                Some(bytes.clone())
            );
            assert_eq!(store.get_blob(&sha256_hex(b"other")).await.unwrap(), None);
            let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
            let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM blobs WHERE sha256 = $1")
                .bind(first.sha256.as_str())
                .fetch_one(&pool)
                .await
                .unwrap()
                .get("n");
            assert_eq!(n, 1, "{} {location:?}", db.backend);
            // Small blobs stay in the database; larger ones go to a file under `Files`.
            let large = vec![b'x'; INLINE_MAX + 1];
            let big = store.put_blob(&large).await.unwrap();
            assert_eq!(store.get_blob(&big.sha256).await.unwrap(), Some(large));
            for (sha, in_file) in [
                (&first.sha256, false),
                (&big.sha256, matches!(location, BlobLocation::Files(_))),
            ] {
                let content: Option<Vec<u8>> =
                    sqlx::query("SELECT content FROM blobs WHERE sha256 = $1")
                        .bind(sha.as_str())
                        .fetch_one(&pool)
                        .await
                        .unwrap()
                        .get("content");
                assert_eq!(content.is_none(), in_file, "{} {location:?}", db.backend);
                if let BlobLocation::Files(dir) = &location {
                    let file = dir.join(&sha[..2]).join(&sha[2..4]).join(sha.as_str());
                    assert_eq!(file.exists(), in_file, "{}", file.display());
                }
            }
            store.close().await;
        }
    }
}

#[tokio::test]
async fn documents_journal_every_state_change_in_a_hash_chain() {
    for db in test_databases().await {
        let store = open_default(&db).await;
        let a = store
            .create_company(company("Alpha SA", "BE0123456749"))
            .await
            .unwrap();
        let doc = store
            .create_document(new_doc(&a.id, b"<Invoice/>"))
            .await
            .unwrap();
        assert_eq!(doc.state, "received");

        let change = |from: &str, to: &str| StateChange {
            document_id: doc.id.clone(),
            from: from.into(),
            to: to.into(),
            actor: "token:abc".into(),
            kind: "review".into(),
            detail: serde_json::json!({"reason": "test"}),
        };
        let e2 = store
            .transition(&only(&a.id), change("received", "needs_review"))
            .await
            .unwrap();
        assert_eq!(
            (e2.seq, e2.from_state.as_deref(), e2.to_state.as_str()),
            (2, Some("received"), "needs_review")
        );
        let stale = store
            .transition(&only(&a.id), change("received", "accepted"))
            .await;
        assert!(
            matches!(&stale, Err(Error::StateConflict { actual, .. }) if actual == "needs_review"),
            "{stale:?}"
        );
        store
            .transition(&only(&a.id), change("needs_review", "accepted"))
            .await
            .unwrap();

        let events = store.events(&only(&a.id), &doc.id).await.unwrap().unwrap();
        let states: Vec<_> = events
            .iter()
            .map(|e| (e.from_state.clone(), e.to_state.clone()))
            .collect();
        assert_eq!(
            states,
            vec![
                (None, "received".to_string()),
                (Some("received".into()), "needs_review".into()),
                (Some("needs_review".into()), "accepted".into()),
            ]
        );
        assert_eq!(events[0].prev_hash, GENESIS_HASH);
        assert_eq!(events[1].prev_hash, events[0].hash);
        assert_eq!(store.verify_journal(&doc.id).await.unwrap(), 3);
        assert_eq!(
            store
                .get_document(&Visibility::All, &doc.id)
                .await
                .unwrap()
                .unwrap()
                .state,
            "accepted"
        );

        // The database itself refuses to change history.
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let upd = pool
            .execute(sqlx::AssertSqlSafe(format!(
                "UPDATE events SET actor = 'mallory' WHERE document_id = '{}'",
                doc.id
            )))
            .await;
        assert!(
            upd.unwrap_err().to_string().contains("append-only"),
            "{}",
            db.backend
        );
        let del = pool
            .execute(sqlx::AssertSqlSafe(format!(
                "DELETE FROM events WHERE document_id = '{}'",
                doc.id
            )))
            .await;
        assert!(del.unwrap_err().to_string().contains("append-only"));

        // Someone with the power to drop the guard still cannot alter history unnoticed.
        let drop_guard = if db.backend == "postgres" {
            "DROP TRIGGER events_no_update ON events"
        } else {
            "DROP TRIGGER events_no_update"
        };
        pool.execute(drop_guard).await.unwrap();
        pool.execute(sqlx::AssertSqlSafe(format!(
            "UPDATE events SET actor = 'mallory' WHERE document_id = '{}' AND seq = 2",
            doc.id
        )))
        .await
        .unwrap();
        let err = store.verify_journal(&doc.id).await.unwrap_err();
        assert!(matches!(err, Error::Tampered { seq: 2, .. }), "{err}");
    }
}

#[tokio::test]
async fn concurrent_transitions_from_one_state_let_exactly_one_win() {
    for db in test_databases().await {
        let store = Arc::new(open_default(&db).await);
        let a = store
            .create_company(company("Alpha SA", "BE0123456749"))
            .await
            .unwrap();
        let doc = store
            .create_document(new_doc(&a.id, b"race"))
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for i in 0..8 {
            let (store, id) = (store.clone(), doc.id.clone());
            tasks.push(tokio::spawn(async move {
                store
                    .transition(
                        &Visibility::All,
                        StateChange {
                            document_id: id,
                            from: "received".into(),
                            to: format!("accepted-{i}"),
                            actor: format!("worker-{i}"),
                            kind: "accept".into(),
                            detail: serde_json::json!({}),
                        },
                    )
                    .await
            }));
        }
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => won += 1,
                Err(Error::StateConflict { .. }) => {}
                Err(e) => panic!("{}: unexpected {e}", db.backend),
            }
        }
        assert_eq!(won, 1, "{}", db.backend);
        assert_eq!(store.verify_journal(&doc.id).await.unwrap(), 2);
    }
}

#[tokio::test]
async fn documents_of_other_tenants_are_invisible_and_pages_are_stable() {
    for db in test_databases().await {
        let store = open_default(&db).await;
        let a = store
            .create_company(company("Alpha SA", "BE0123456749"))
            .await
            .unwrap();
        let b = store
            .create_company(company("Beta BV", "BE0987654321"))
            .await
            .unwrap();
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(
                store
                    .create_document(new_doc(&a.id, format!("a{i}").as_bytes()))
                    .await
                    .unwrap()
                    .id,
            );
        }
        let theirs = store.create_document(new_doc(&b.id, b"b")).await.unwrap();

        assert_eq!(
            store.get_document(&only(&a.id), &theirs.id).await.unwrap(),
            None
        );
        assert_eq!(store.events(&only(&a.id), &theirs.id).await.unwrap(), None);
        let change = StateChange {
            document_id: theirs.id.clone(),
            from: "received".into(),
            to: "accepted".into(),
            actor: "a".into(),
            kind: "accept".into(),
            detail: serde_json::json!({}),
        };
        assert!(matches!(
            store.transition(&only(&a.id), change).await,
            Err(Error::NotFound { .. })
        ));

        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .list_documents(
                    &only(&a.id),
                    Page {
                        limit: 2,
                        after: after.clone(),
                    },
                )
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            assert!(page.iter().all(|d| d.company_id == a.id));
            after = page.last().map(|d| d.id.clone());
            seen.extend(page.into_iter().map(|d| d.id));
        }
        ids.reverse();
        assert_eq!(seen, ids, "{}: newest first, each once", db.backend);
    }
}

/// Both migration sets must describe the same tables and columns.
#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let dbs = test_databases().await;
    let mut schemas = BTreeMap::new();
    for db in &dbs {
        let _store = open_default(db).await;
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let sql = if db.backend == "postgres" {
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns WHERE table_schema = 'public'"
        } else {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
        };
        // The full-text structures are backend-specific by design (migrations 0003, 0006, 0009,
        // 0012).
        let fulltext = |t: &str, c: &str| {
            t.starts_with("participant_fts")
                || t.starts_with("archive_fts")
                || t == "archive_party_words"
                || c == "search_tsv"
                || c == "search_prefixes"
        };
        let cols: BTreeSet<(String, String)> = sqlx::query(sql)
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get::<String, _>("t"), r.get::<String, _>("c")))
            .filter(|(t, c)| !fulltext(t, c))
            .collect();
        assert!(
            cols.contains(&("events".into(), "hash".into())),
            "{}",
            db.backend
        );
        schemas.insert(db.backend, cols);
    }
    if let (Some(s), Some(p)) = (schemas.get("sqlite"), schemas.get("postgres")) {
        let only_sqlite: Vec<_> = s.difference(p).collect();
        let only_pg: Vec<_> = p.difference(s).collect();
        assert!(
            only_sqlite.is_empty() && only_pg.is_empty(),
            "only in SQLite: {only_sqlite:?}; only in PostgreSQL: {only_pg:?}"
        );
    }
}
