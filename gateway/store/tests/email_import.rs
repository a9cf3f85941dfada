//! Import codes and imported parts on every test database.
use gateway_store::*;
use gateway_testkit::{test_databases, TestDb};

async fn open(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

async fn company(store: &SqlStore, name: &str) -> String {
    store
        .create_company(NewCompany {
            legal_name: name.into(),
            vat_number: None,
            country: "BE".into(),
            address: Address::default(),
            identifiers: Vec::new(),
        })
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn each_company_gets_one_stable_code_that_finds_it() {
    for db in test_databases().await {
        let store = open(&db).await;
        let a = company(&store, "Alpha Trading SA").await;
        let b = company(&store, "Alpha Trading SA").await;
        let (code_a, again, code_b) = tokio::join!(
            store.import_code(&a),
            store.import_code(&a),
            store.import_code(&b)
        );
        let (code_a, code_b) = (code_a.unwrap(), code_b.unwrap());
        assert_eq!(code_a, again.unwrap(), "concurrent first requests agree");
        assert!(code_a.starts_with("alpha-trading-sa-"), "{code_a}");
        assert_ne!(code_a, code_b, "same name, different codes");
        assert_eq!(
            store.company_by_import_code(&code_a).await.unwrap(),
            Some(a.clone())
        );
        assert_eq!(
            store
                .company_by_import_code(&code_b.to_uppercase())
                .await
                .unwrap(),
            Some(b.clone())
        );
        assert_eq!(store.company_by_import_code("nobody").await.unwrap(), None);
        assert!(matches!(
            store.import_code("no-such-company").await,
            Err(Error::NotFound { .. })
        ));
    }
}

#[tokio::test]
async fn imported_parts_are_remembered_per_company_and_message() {
    for db in test_databases().await {
        let store = open(&db).await;
        let a = company(&store, "Alpha").await;
        let b = company(&store, "Beta").await;
        let doc = store
            .create_document(NewDocument {
                company_id: a.clone(),
                direction: Direction::Purchase,
                source: "email".into(),
                media_type: "application/pdf".into(),
                file_name: Some("x.pdf".into()),
                bytes: b"%PDF-1.4".to_vec(),
                actor: "system:email".into(),
                initial_state: "needs_review".into(),
            })
            .await
            .unwrap();
        let sha = sha256_hex(b"message");
        assert_eq!(store.imported_part(&a, &sha, 0).await.unwrap(), None);
        store
            .record_imported_part(&a, &sha, 0, &doc.id)
            .await
            .unwrap();
        // Recording twice is harmless.
        store
            .record_imported_part(&a, &sha, 0, &doc.id)
            .await
            .unwrap();
        assert_eq!(
            store.imported_part(&a, &sha, 0).await.unwrap(),
            Some(doc.id.clone())
        );
        assert_eq!(store.imported_part(&a, &sha, 1).await.unwrap(), None);
        assert_eq!(store.imported_part(&b, &sha, 0).await.unwrap(), None);
    }
}
