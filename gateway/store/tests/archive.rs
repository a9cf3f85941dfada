//! The archive in the store: accountants and links, the hash chain, search and forwarding
//! status, on every test database.
use gateway_store::*;
use gateway_testkit::{test_databases, TestDb};

async fn open(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", db.backend))
}

async fn company(store: &SqlStore, name: &str, vat: &str) -> Company {
    store
        .create_company(NewCompany {
            legal_name: name.into(),
            vat_number: Some(vat.into()),
            country: "BE".into(),
            address: Address::default(),
            identifiers: vec![],
        })
        .await
        .unwrap()
}

/// A purchase document moved to `accepted`: archived by the contract with the lifecycle.
async fn accepted(store: &SqlStore, company: &str, bytes: &[u8]) -> Document {
    let doc = store
        .create_document(NewDocument {
            company_id: company.into(),
            direction: Direction::Purchase,
            source: "test".into(),
            media_type: "application/xml".into(),
            file_name: None,
            bytes: bytes.to_vec(),
            actor: "test".into(),
            initial_state: "received".into(),
        })
        .await
        .unwrap();
    store
        .transition(
            &Visibility::All,
            StateChange {
                document_id: doc.id.clone(),
                from: "received".into(),
                to: "accepted".into(),
                actor: "test".into(),
                kind: "accepted".into(),
                detail: serde_json::json!({}),
            },
        )
        .await
        .unwrap();
    store
        .get_document(&Visibility::All, &doc.id)
        .await
        .unwrap()
        .unwrap()
}

fn fields(
    number: &str,
    party: &str,
    vat: &str,
    issued: &str,
    cents: i64,
    text: &str,
) -> ArchiveFields {
    ArchiveFields {
        invoice_number: Some(number.into()),
        counterparty_name: Some(party.into()),
        counterparty_ids: vec![vat.into(), format!("0208:{}", &vat[2..])],
        issue_date: Some(issued.into()),
        due_date: Some("2026-12-31".into()),
        currency: Some("EUR".into()),
        total: Some(format!("{}.{:02}", cents / 100, cents % 100)),
        total_cents: Some(cents),
        content: format!("{party} {number} {text}"),
    }
}

#[tokio::test]
async fn archived_documents_chain_search_and_queue_deliveries() {
    for db in test_databases().await {
        let store = open(&db).await;
        let (a, b, acc) = two_companies_and(&store, "Books & Co").await;
        // Invited, accepted: the accountant's feed gets A's documents; B has its own webhook.
        let link = store.invite_accountant(&a.id, &acc.id).await.unwrap();
        assert_eq!(link.status, LinkStatus::Invited);
        assert!(store.linked_companies(&acc.id).await.unwrap().is_empty());
        let dup = store.invite_accountant(&a.id, &acc.id).await.unwrap_err();
        assert!(matches!(dup, Error::Conflict { .. }), "{dup}");
        let link = store.accept_link(&acc.id, &link.id).await.unwrap();
        assert_eq!(link.status, LinkStatus::Active);
        assert_eq!(
            store.linked_companies(&acc.id).await.unwrap(),
            vec![a.id.clone()]
        );
        let feed = store
            .create_connector(feed_of(
                ConnectorOwner {
                    kind: "accountant".into(),
                    id: acc.id.clone(),
                },
                true,
            ))
            .await
            .unwrap();

        // Not yet archived: a received document is not pending.
        let d1 = accepted(&store, &a.id, b"<one/>").await;
        let d2 = accepted(&store, &a.id, b"<two/>").await;
        let d3 = accepted(&store, &b.id, b"<three/>").await;
        let pending: Vec<String> = store
            .pending_archive(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(pending.len(), 3, "{}", db.backend);
        let later = store
            .pending_archive(Some("2999-01-01T00:00:00.000Z"), 10)
            .await
            .unwrap();
        assert!(
            later.is_empty(),
            "only documents changed since the watermark"
        );
        let f = [
            fields(
                "INV-001",
                "Ștefan & Fiii S.R.L.",
                "RO11111111",
                "2026-01-10",
                12_345,
                "consultanță lunară",
            ),
            fields(
                "INV-002",
                "Müller Straße GmbH",
                "DE222222222",
                "2026-02-20",
                99_00,
                "Schrauben und Muttern",
            ),
            fields(
                "INV-003",
                "Société Générale",
                "FR33333333333",
                "2026-03-30",
                500_000,
                "loyer bureaux",
            ),
        ];
        let mut entries = Vec::new();
        for (d, f) in [&d1, &d2, &d3].into_iter().zip(&f) {
            entries.push(
                store
                    .append_archive_entry(d, f, "2036-01-01T00:00:00.000Z")
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        assert!(
            store
                .append_archive_entry(&d1, &f[0], "2036-01-01T00:00:00.000Z")
                .await
                .unwrap()
                .is_none(),
            "archived once"
        );
        assert!(store.pending_archive(None, 10).await.unwrap().is_empty());
        assert_eq!(
            entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(entries[0].prev_hash, GENESIS_HASH);
        assert_eq!(entries[1].prev_hash, entries[0].hash);
        assert_eq!(entries[0].events_count, 2);
        for e in &entries {
            assert_eq!(entry_hash(e), e.hash);
        }
        let stored = store.archive_fields(&d1.id).await.unwrap().unwrap();
        assert_eq!(
            fields_hash(&stored),
            entries[0].fields_hash,
            "the stored form is what is hashed"
        );

        // Search: every criterion, accents ignored, scoped to the visible companies.
        let all = Visibility::All;
        let find = |q: ArchiveQuery| {
            let store = &store;
            let vis = all.clone();
            async move {
                store
                    .search_archive(&vis, &ArchiveQuery { limit: 50, ..q })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|i| i.invoice_number.unwrap_or_default())
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            find(ArchiveQuery::default()).await,
            ["INV-003", "INV-002", "INV-001"]
        );
        assert_eq!(
            find(ArchiveQuery {
                counterparty: Some("stefan fi".into()),
                ..Default::default()
            })
            .await,
            ["INV-001"]
        );
        assert_eq!(
            find(ArchiveQuery {
                counterparty: Some("MULLER".into()),
                ..Default::default()
            })
            .await,
            ["INV-002"]
        );
        assert!(
            find(ArchiveQuery {
                counterparty: Some("schrauben".into()),
                ..Default::default()
            })
            .await
            .is_empty(),
            "name search is the name only"
        );
        // A prefix of several names: alone (answered from the words' index on PostgreSQL), with
        // another criterion, per company, and paged.
        assert_eq!(
            find(ArchiveQuery {
                counterparty: Some("S".into()),
                ..Default::default()
            })
            .await,
            ["INV-003", "INV-002", "INV-001"]
        );
        assert_eq!(
            find(ArchiveQuery {
                counterparty: Some("s".into()),
                amount_max_cents: Some(100_000),
                ..Default::default()
            })
            .await,
            ["INV-002", "INV-001"]
        );
        let by_name = |vis: Visibility, limit: u32, after: Option<String>| {
            let store = &store;
            async move {
                let query = ArchiveQuery {
                    counterparty: Some("s".into()),
                    limit,
                    after,
                    ..Default::default()
                };
                store.search_archive(&vis, &query).await.unwrap()
            }
        };
        let mine = by_name(Visibility::Companies(vec![a.id.clone()]), 50, None).await;
        assert_eq!(mine.len(), 2, "{mine:?}");
        assert!(mine.iter().all(|i| i.company_id == a.id), "{mine:?}");
        let first = by_name(all.clone(), 2, None).await;
        let rest = by_name(all.clone(), 2, Some(first[1].document_id.clone())).await;
        let numbers: Vec<_> = first
            .iter()
            .chain(&rest)
            .map(|i| i.invoice_number.clone().unwrap_or_default())
            .collect();
        assert_eq!(numbers, ["INV-003", "INV-002", "INV-001"]);
        assert_eq!(
            find(ArchiveQuery {
                text: Some("consultanta".into()),
                ..Default::default()
            })
            .await,
            ["INV-001"]
        );
        assert_eq!(
            find(ArchiveQuery {
                text: Some("générale loyer".into()),
                ..Default::default()
            })
            .await,
            ["INV-003"]
        );
        assert_eq!(
            find(ArchiveQuery {
                identifier: Some("de 222.222.222".into()),
                ..Default::default()
            })
            .await,
            ["INV-002"]
        );
        assert_eq!(
            find(ArchiveQuery {
                identifier: Some("0208:11111111".into()),
                ..Default::default()
            })
            .await,
            ["INV-001"]
        );
        assert_eq!(
            find(ArchiveQuery {
                invoice_number: Some("inv 002".into()),
                ..Default::default()
            })
            .await,
            ["INV-002"]
        );
        assert_eq!(
            find(ArchiveQuery {
                amount_min_cents: Some(10_000),
                amount_max_cents: Some(200_000),
                ..Default::default()
            })
            .await,
            ["INV-001"]
        );
        assert_eq!(
            find(ArchiveQuery {
                issued_from: Some("2026-02-01".into()),
                issued_to: Some("2026-03-01".into()),
                ..Default::default()
            })
            .await,
            ["INV-002"]
        );
        assert_eq!(
            find(ArchiveQuery {
                due_from: Some("2026-12-31".into()),
                state: Some("accepted".into()),
                ..Default::default()
            })
            .await
            .len(),
            3
        );
        assert!(find(ArchiveQuery {
            state: Some("sent".into()),
            ..Default::default()
        })
        .await
        .is_empty());
        let err = store
            .search_archive(
                &all,
                &ArchiveQuery {
                    issued_from: Some("31/12/2026".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("issued_from"), "{err}");
        let only_a = store
            .search_archive(
                &Visibility::Companies(vec![a.id.clone()]),
                &ArchiveQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(only_a.len(), 2);
        assert!(store
            .search_archive(
                &Visibility::Companies(vec![]),
                &ArchiveQuery {
                    limit: 50,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .is_empty());
        // Paging: newest first, each once.
        let page1 = store
            .search_archive(
                &all,
                &ArchiveQuery {
                    limit: 2,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let page2 = store
            .search_archive(
                &all,
                &ArchiveQuery {
                    limit: 2,
                    after: Some(page1[1].document_id.clone()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page2.len(), 1);
        assert_eq!(page2[0].document_id, d1.id);

        // Forwarding status: A's documents wait in the accountant's feed, B's do not.
        let items = store.feed(&feed.id, 0, 10).await.unwrap();
        assert_eq!(
            items
                .iter()
                .map(|d| d.document_id.clone())
                .collect::<Vec<_>>(),
            vec![d1.id.clone(), d2.id.clone()]
        );
        assert!(items
            .iter()
            .all(|d| d.status == ForwardingStatus::ToBeFetched));
        assert_eq!(
            store
                .ack(&feed.id, std::slice::from_ref(&d1.id))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .ack(&feed.id, std::slice::from_ref(&d1.id))
                .await
                .unwrap(),
            0,
            "acknowledged once"
        );
        let after = store.feed(&feed.id, items[0].entry_seq, 10).await.unwrap();
        assert_eq!(after.len(), 1);
        assert_eq!(
            store.deliveries_of(&d1.id).await.unwrap()[0].status,
            ForwardingStatus::Forwarded
        );
        assert!(store.deliveries_of(&d3.id).await.unwrap().is_empty());

        // Unlinked: the accountant sees nothing any more; the chain is append-only.
        let side = LinkSide::Accountant(acc.id.clone());
        assert!(store
            .unlink(&LinkSide::Accountant("other".into()), &link.id)
            .await
            .unwrap()
            .is_none());
        let gone = store.unlink(&side, &link.id).await.unwrap().unwrap();
        assert_eq!(
            (gone.status, gone.unlinked_by.as_deref()),
            (LinkStatus::Unlinked, Some("accountant"))
        );
        assert!(store.linked_companies(&acc.id).await.unwrap().is_empty());
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let err = sqlx::query("UPDATE archive_entries SET state = 'x' WHERE seq = 1")
            .execute(&pool)
            .await;
        assert!(
            err.is_err(),
            "{}: archive entries must be append-only",
            db.backend
        );
    }
}

#[tokio::test]
async fn expiry_leaves_a_signed_tombstone_and_removes_the_bytes() {
    for db in test_databases().await {
        let store = open(&db).await;
        let a = company(&store, "Alpha SA", "BE0123456749").await;
        store
            .create_connector(NewConnector {
                owner: ConnectorOwner {
                    kind: "company".into(),
                    id: a.id.clone(),
                },
                kind: ConnectorKind::Webhook,
                url: Some("https://hooks.example/x".into()),
                scheme: Some("v1a".into()),
                secret: Some("whsk_x".into()),
                public_key: Some("whpk_x".into()),
                purchases_email: None,
                sales_email: None,
                history: true,
            })
            .await
            .unwrap();
        let d = accepted(&store, &a.id, b"<expiring/>").await;
        let f = fields(
            "OLD-1",
            "Old Supplier",
            "BE0999999999",
            "2016-01-01",
            100,
            "old",
        );
        let entry = store
            .append_archive_entry(&d, &f, "2020-01-01T00:00:00.000Z")
            .await
            .unwrap()
            .unwrap();
        let expired = store
            .expired_entries("2026-01-01T00:00:00.000Z", 10)
            .await
            .unwrap();
        assert_eq!(expired, vec![entry.clone()]);
        let sign: Signer = std::sync::Arc::new(|hash: &str| format!("signed:{hash}"));
        let tomb = store.append_tombstone(&entry, sign).await.unwrap();
        assert_eq!(
            (tomb.kind.as_str(), tomb.target_seq, tomb.prev_hash.as_str()),
            ("tombstone", Some(entry.seq), entry.hash.as_str())
        );
        assert_eq!(tomb.signature, Some(format!("signed:{}", tomb.hash)));
        assert!(store
            .expired_entries("2026-01-01T00:00:00.000Z", 10)
            .await
            .unwrap()
            .is_empty());
        assert!(store.archive_fields(&d.id).await.unwrap().is_none());
        let gone = store.get_blob(&d.blob.sha256).await;
        assert!(
            matches!(gone, Err(Error::BlobMissing(_))),
            "{}: {gone:?}",
            db.backend
        );
        let stats = store.archive_stats().await.unwrap();
        assert_eq!(
            (stats.entries, stats.documents, stats.tombstones),
            (2, 1, 1)
        );
    }
}

/// Alpha and Beta, and an accountant organisation named `accountant`.
async fn two_companies_and(store: &SqlStore, accountant: &str) -> (Company, Company, Accountant) {
    let a = company(store, "Alpha SA", "BE0123456749").await;
    let b = company(store, "Beta SRL", "RO18547290").await;
    let acc = store
        .create_accountant(NewAccountant {
            name: accountant.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    (a, b, acc)
}

fn feed_of(owner: ConnectorOwner, history: bool) -> NewConnector {
    NewConnector {
        owner,
        kind: ConnectorKind::Feed,
        url: None,
        scheme: None,
        secret: None,
        public_key: None,
        purchases_email: None,
        sales_email: None,
        history,
    }
}

/// A connector made later, and an accountant linked later, get the archive so far.
#[tokio::test]
async fn connectors_and_links_made_later_get_the_archive_so_far() {
    for db in test_databases().await {
        let store = open(&db).await;
        let (a, b, acc) = two_companies_and(&store, "Later & Co").await;
        let acc_feed = store
            .create_connector(feed_of(
                ConnectorOwner {
                    kind: "accountant".into(),
                    id: acc.id.clone(),
                },
                true,
            ))
            .await
            .unwrap();
        let d1 = accepted(&store, &a.id, b"<a-one/>").await;
        let d2 = accepted(&store, &b.id, b"<b-one/>").await;
        for (d, f) in [
            (
                &d1,
                fields("A-1", "Ștefan SRL", "RO11111111", "2026-01-10", 100, "x"),
            ),
            (
                &d2,
                fields("B-1", "Müller GmbH", "DE222222222", "2026-01-11", 200, "y"),
            ),
        ] {
            store
                .append_archive_entry(d, &f, "2036-01-01T00:00:00.000Z")
                .await
                .unwrap()
                .unwrap();
        }
        let ids =
            |items: Vec<Forwarding>| items.into_iter().map(|f| f.document_id).collect::<Vec<_>>();
        let owner_a = ConnectorOwner {
            kind: "company".into(),
            id: a.id.clone(),
        };
        let with = store
            .create_connector(feed_of(owner_a.clone(), true))
            .await
            .unwrap();
        assert_eq!(
            ids(store.feed(&with.id, 0, 10).await.unwrap()),
            vec![d1.id.clone()],
            "{}: A's archive so far, not B's",
            db.backend
        );
        let without = store
            .create_connector(feed_of(owner_a, false))
            .await
            .unwrap();
        assert!(store.feed(&without.id, 0, 10).await.unwrap().is_empty());

        // Linked after the archiving: the accountant's feed gets B's archive, once.
        assert!(store.feed(&acc_feed.id, 0, 10).await.unwrap().is_empty());
        let link = store.invite_accountant(&b.id, &acc.id).await.unwrap();
        assert!(store.feed(&acc_feed.id, 0, 10).await.unwrap().is_empty());
        store.accept_link(&acc.id, &link.id).await.unwrap();
        assert_eq!(
            ids(store.feed(&acc_feed.id, 0, 10).await.unwrap()),
            vec![d2.id.clone()],
            "{}",
            db.backend
        );
        let to_acc: Vec<_> = store
            .deliveries_of(&d2.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|f| f.connector_id == acc_feed.id)
            .collect();
        assert_eq!(to_acc.len(), 1);
        assert_eq!(to_acc[0].status, ForwardingStatus::ToBeFetched);
    }
}
