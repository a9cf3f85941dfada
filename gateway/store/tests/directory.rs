//! The participant directory on every test database.
use gateway_store::*;
use gateway_testkit::{test_databases, TestDb};

async fn open(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

fn pid(value: &str) -> Identifier {
    Identifier {
        scheme: "iso6523-actorid-upis".into(),
        value: value.into(),
    }
}

fn outside(name: &str, vat: Option<&str>, ids: &[&str]) -> NewParticipant {
    NewParticipant {
        owner_company_id: None,
        legal_name: name.into(),
        vat_number: vat.map(str::to_string),
        country: "RO".into(),
        address: Address::default(),
        identifiers: ids.iter().map(|v| pid(v)).collect(),
        capabilities: Vec::new(),
        delivery: Delivery::Peppol,
        email: None,
        source: "test".into(),
    }
}

fn names(found: &[Participant]) -> Vec<&str> {
    found.iter().map(|p| p.legal_name.as_str()).collect()
}

fn only(id: &str) -> Visibility {
    Visibility::Companies(vec![id.to_string()])
}

#[tokio::test]
async fn members_are_in_the_directory_delivered_on_the_gateway() {
    for db in test_databases().await {
        let store = open(&db).await;
        let company = store
            .create_company(NewCompany {
                legal_name: "Alpha SA".into(),
                vat_number: Some("BE0123456749".into()),
                country: "BE".into(),
                address: Address::default(),
                identifiers: vec![pid("0088:5798000000001")],
            })
            .await
            .unwrap();
        let entry = store
            .participant_by_identifier(&pid("0088:5798000000001"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            entry.member_company_id.as_deref(),
            Some(company.id.as_str()),
            "{}",
            db.backend
        );
        assert_eq!(entry.delivery, Delivery::Gateway);
        assert!(entry.official);
        assert_eq!(
            entry.capabilities,
            Capability::bis3_defaults(),
            "BIS 3 invoice and credit note by default"
        );
        // Whom a received message goes to: the member; nobody for an outside participant or
        // an unknown one.
        store
            .upsert_participant(outside("Beta SRL", None, &["0088:5798000000002"]))
            .await
            .unwrap();
        for (id, member) in [
            ("0088:5798000000001", Some(company.id.as_str())),
            ("0088:5798000000002", None),
            ("0088:5798000000003", None),
        ] {
            assert_eq!(
                store.member_company_of(&pid(id)).await.unwrap().as_deref(),
                member,
                "{id} on {}",
                db.backend
            );
        }
    }
}

#[tokio::test]
async fn the_same_party_is_updated_not_duplicated() {
    for db in test_databases().await {
        let store = open(&db).await;
        let first = store
            .upsert_participant(outside(
                "Stefan Trans SRL",
                Some("RO18547290"),
                &["9947:ro18547290"],
            ))
            .await
            .unwrap();
        assert!(first.created);
        // Same identifier: an update.
        let mut again = outside(
            "Ștefan Trans S.R.L.",
            None,
            &["9947:ro18547290", "0088:5798000000001"],
        );
        again.email = Some("billing@stefan.example".into());
        let second = store.upsert_participant(again).await.unwrap();
        assert!(!second.created, "{}", db.backend);
        assert_eq!(second.participant.id, first.participant.id);
        assert_eq!(second.participant.legal_name, "Ștefan Trans S.R.L.");
        assert_eq!(
            second.participant.vat_number.as_deref(),
            Some("RO18547290"),
            "kept"
        );
        assert_eq!(second.participant.identifiers.len(), 2);
        // Same VAT number written differently: an update too.
        let third = store
            .upsert_participant(outside("Stefan Trans", Some("ro 185 472 90"), &[]))
            .await
            .unwrap();
        assert_eq!(third.participant.id, first.participant.id);

        let e = store
            .upsert_participant(NewParticipant {
                delivery: Delivery::Email,
                ..outside("Mail Only", None, &[])
            })
            .await;
        assert!(
            matches!(e, Err(Error::Invalid { field: "email", .. })),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn search_by_name_ignores_accents_and_takes_prefixes() {
    for db in test_databases().await {
        let store = open(&db).await;
        for (name, vat, id) in [
            ("Stefan Trans SRL", "RO18547290", "9947:ro18547290"),
            ("Ștefan Construct SA", "RO14399840", "9947:ro14399840"),
            ("Ţesătoria Mureş", "RO6859662", "9947:ro6859662"),
            ("Müller Logistik GmbH", "DE811907980", "9930:de811907980"),
            ("Transilvania Bank", "RO5022670", "9947:ro5022670"),
            (
                "Internationale Spedition Nord",
                "DE136695976",
                "9930:de136695976",
            ),
        ] {
            store
                .upsert_participant(outside(name, Some(vat), &[id]))
                .await
                .unwrap();
        }
        assert_eq!(
            search(&store, "Ștefan").await,
            vec!["Stefan Trans SRL", "Ștefan Construct SA"],
            "{}",
            db.backend
        );
        assert_eq!(
            search(&store, "stefan").await,
            vec!["Stefan Trans SRL", "Ștefan Construct SA"]
        );
        assert_eq!(search(&store, "ste tra").await, vec!["Stefan Trans SRL"]);
        assert_eq!(
            search(&store, "tesatoria mures").await,
            vec!["Ţesătoria Mureş"]
        );
        assert_eq!(search(&store, "mueller").await, Vec::<String>::new());
        assert_eq!(search(&store, "müll").await, vec!["Müller Logistik GmbH"]);
        assert_eq!(
            search(&store, "tran").await,
            vec!["Stefan Trans SRL", "Transilvania Bank"]
        );
        assert_eq!(search(&store, "   ").await, Vec::<String>::new());
        // Several words, each indexed differently on PostgreSQL: one letter (checked on the
        // candidates), two letters, a whole 12-letter word, and a word longer than the indexed
        // prefixes (index on its first 12 letters, then checked whole).
        assert_eq!(search(&store, "s tran").await, vec!["Stefan Trans SRL"]);
        assert_eq!(search(&store, "st sr").await, vec!["Stefan Trans SRL"]);
        assert_eq!(
            search(&store, "transilvania b").await,
            vec!["Transilvania Bank"]
        );
        assert_eq!(
            search(&store, "internationale nord").await,
            vec!["Internationale Spedition Nord"]
        );
        assert_eq!(
            search(&store, "internationalx nord").await,
            Vec::<String>::new()
        );
        assert_eq!(search(&store, "t b").await, vec!["Transilvania Bank"]);
        assert_eq!(search(&store, "s b").await, Vec::<String>::new());

        let by_vat = store
            .search_participants(
                &Visibility::All,
                &DirectoryQuery::Vat("de 811 907 980".into()),
                5,
            )
            .await
            .unwrap();
        assert_eq!(names(&by_vat), vec!["Müller Logistik GmbH"]);
        let by_id = store
            .search_participants(
                &Visibility::All,
                &DirectoryQuery::Identifier(pid("9947:RO6859662")),
                5,
            )
            .await
            .unwrap();
        assert_eq!(names(&by_id), vec!["Ţesătoria Mureş"]);
    }
}

/// Names found for a name query, sorted, as the operator sees them.
async fn search(store: &SqlStore, q: &str) -> Vec<String> {
    let found = store
        .search_participants(&Visibility::All, &DirectoryQuery::Name(q.into()), 20)
        .await
        .unwrap();
    let mut names: Vec<String> = found.into_iter().map(|p| p.legal_name).collect();
    names.sort();
    names
}

#[tokio::test]
async fn private_contacts_stay_with_their_owner() {
    for db in test_databases().await {
        let store = open(&db).await;
        let mut companies = Vec::new();
        for (name, vat) in [("Alpha SA", "BE0123456749"), ("Beta BV", "NL001234567B01")] {
            companies.push(
                store
                    .create_company(NewCompany {
                        legal_name: name.into(),
                        vat_number: Some(vat.into()),
                        country: "BE".into(),
                        address: Address::default(),
                        identifiers: vec![],
                    })
                    .await
                    .unwrap(),
            );
        }
        let (a, b) = (&companies[0], &companies[1]);
        let mut private = outside("Secret Supplier SRL", Some("RO99999999"), &[]);
        private.owner_company_id = Some(a.id.clone());
        private.delivery = Delivery::Email;
        private.email = Some("ap@secret.example".into());
        let entry = store.upsert_participant(private).await.unwrap().participant;
        assert!(!entry.official);
        store
            .add_contact(&a.id, &entry.id, ContactRole::Supplier)
            .await
            .unwrap();
        store
            .add_contact(&a.id, &entry.id, ContactRole::Supplier)
            .await
            .unwrap();

        let q = DirectoryQuery::Name("secret".into());
        assert_eq!(
            names(
                &store
                    .search_participants(&only(&a.id), &q, 5)
                    .await
                    .unwrap()
            ),
            vec!["Secret Supplier SRL"]
        );
        assert!(
            store
                .search_participants(&only(&b.id), &q, 5)
                .await
                .unwrap()
                .is_empty(),
            "{}",
            db.backend
        );
        assert!(store
            .get_participant(&only(&b.id), &entry.id)
            .await
            .unwrap()
            .is_none());
        assert!(store
            .get_participant(&only(&a.id), &entry.id)
            .await
            .unwrap()
            .is_some());
        assert!(store
            .participant_by_identifier(&pid("0000:none"))
            .await
            .unwrap()
            .is_none());

        let contacts = store.contacts(&only(&a.id)).await.unwrap();
        assert_eq!(contacts.len(), 1);
        assert_eq!(
            (contacts[0].1, contacts[0].2.id.as_str()),
            (ContactRole::Supplier, entry.id.as_str())
        );
        assert!(store.contacts(&only(&b.id)).await.unwrap().is_empty());
        // Members see official entries, including each other.
        let found = store
            .search_participants(&only(&b.id), &DirectoryQuery::Name("alpha".into()), 5)
            .await
            .unwrap();
        assert_eq!(names(&found), vec!["Alpha SA"]);
    }
}

/// Words that start more names than one index read covers are checked on the candidates' own
/// words: the search still finds what it must and only that.
#[tokio::test]
async fn common_words_are_checked_on_the_candidates() {
    use sqlx::{Connection, Executor};
    for db in test_databases().await {
        let store = open(&db).await;
        // 6,000 "… Trading SRL" names, written in bulk; a few of them also "Zeta".
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        for batch in 0..12 {
            let mut p = String::from("INSERT INTO participants (id, legal_name, search_name, country, delivery, source, created_at, updated_at) VALUES ");
            let mut w =
                String::from("INSERT INTO participant_words (word, participant_id) VALUES ");
            for i in 0..500 {
                let n = batch * 500 + i;
                let zeta = if n % 1000 == 7 { "zeta " } else { "" };
                let sep = if i > 0 { "," } else { "" };
                let shown = if zeta.is_empty() { "" } else { "Zeta " };
                p.push_str(&format!("{sep}('bulk{n}', 'Bulk {shown}{n} Trading SRL', 'bulk {zeta}{n} trading srl', 'RO', 'none', 'test', 't', 't')"));
                w.push_str(&format!("{sep}('bulk', 'bulk{n}'),('{n}', 'bulk{n}'),('trading', 'bulk{n}'),('srl', 'bulk{n}')"));
                if !zeta.is_empty() {
                    w.push_str(&format!(",('zeta', 'bulk{n}')"));
                }
            }
            (&mut *tx).execute(sqlx::AssertSqlSafe(p)).await.unwrap();
            (&mut *tx).execute(sqlx::AssertSqlSafe(w)).await.unwrap();
        }
        tx.commit().await.unwrap();

        // "zeta" is rare, "trad" and "srl" each start 6,000 names: checked on the 6 candidates.
        let found = search(&store, "trad zet srl").await;
        assert_eq!(found.len(), 6, "{}: {found:?}", db.backend);
        assert!(found.iter().all(|n| n.contains("Zeta")));
        // Two common words: a full page, each a real match.
        let page = store
            .search_participants(
                &Visibility::All,
                &DirectoryQuery::Name("trading srl".into()),
                20,
            )
            .await
            .unwrap();
        assert_eq!(page.len(), 20);
        assert!(page.iter().all(|p| p.legal_name.ends_with("Trading SRL")));
        assert!(search(&store, "trading zzz").await.is_empty());
    }
}
