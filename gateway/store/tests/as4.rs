//! AS4 storage on every test database: duplicate elimination of received messages (also
//! concurrent and across a reopen) and the outbox lease.
use std::time::Duration;

use gateway_store::*;
use gateway_testkit::{test_databases, TestDb};

async fn open(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

async fn company(store: &SqlStore) -> String {
    store
        .create_company(NewCompany {
            legal_name: "Receiver SA".into(),
            vat_number: None,
            country: "BE".into(),
            address: Address::default(),
            identifiers: vec![],
        })
        .await
        .unwrap()
        .id
}

fn inbound(company_id: &str, message_id: &str, receipt: &str) -> InboundMessage {
    InboundMessage {
        message_id: message_id.into(),
        company_id: company_id.into(),
        from_party: "PTE000001".into(),
        sender_id: "iso6523-actorid-upis::0088:7315458756324".into(),
        receiver_id: "iso6523-actorid-upis::0088:4562458856624".into(),
        document_type: "busdox-docid-qns::x".into(),
        process: "p".into(),
        sbd: format!("<sbd>{message_id}</sbd>").into_bytes(),
        document: format!("<Invoice>{message_id}</Invoice>").into_bytes(),
        file_name: Some("x.xml".into()),
        receipt: receipt.into(),
    }
}

#[tokio::test]
async fn a_message_id_is_stored_once_with_its_first_receipt() {
    for db in test_databases().await {
        let store = open(&db).await;
        let c = company(&store).await;
        let first = store
            .record_inbound(inbound(&c, "m1@x", "<r1/>"))
            .await
            .unwrap();
        let Inbound::Stored { document_id } = first else {
            panic!("{first:?}")
        };
        let again = store
            .record_inbound(inbound(&c, "m1@x", "<r2/>"))
            .await
            .unwrap();
        assert_eq!(
            again,
            Inbound::Duplicate {
                document_id: document_id.clone(),
                receipt: "<r1/>".into()
            }
        );
        // Concurrent duplicates: exactly one is stored.
        let mut tasks = Vec::new();
        for i in 0..4 {
            let (store, c) = (std::sync::Arc::new(open(&db).await), c.clone());
            tasks.push(async move {
                store
                    .record_inbound(inbound(&c, "m2@x", &format!("<r{i}/>")))
                    .await
                    .unwrap()
            });
        }
        let results = futures_join(tasks).await;
        let stored = results
            .iter()
            .filter(|r| matches!(r, Inbound::Stored { .. }))
            .count();
        assert_eq!(stored, 1, "{results:?}");
        store.close().await;

        // After a restart the receipt is still answered and no second document appears.
        let store = open(&db).await;
        assert_eq!(
            store.inbound_receipt("m1@x").await.unwrap().as_deref(),
            Some("<r1/>")
        );
        assert_eq!(store.count_inbound(&c).await.unwrap(), 2);
        let docs = store
            .list_documents(
                &Visibility::All,
                Page {
                    limit: 100,
                    after: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(docs.len(), 2, "{}", db.backend);
        assert!(docs
            .iter()
            .all(|d| d.source == "as4" && d.state == "received"));
        store.verify_journal(&document_id).await.unwrap();
    }
}

#[tokio::test]
async fn concurrent_messages_on_one_store_commit_together_each_once() {
    for db in test_databases().await {
        let store = std::sync::Arc::new(open(&db).await);
        let c = company(&store).await;
        // 12 MessageIds, each sent 4 times at once: they share group commits, and a MessageId
        // repeated inside one group is stored once (the repeats are left out of the group).
        let mut tasks = Vec::new();
        for copy in 0..4 {
            for n in 0..12 {
                let (store, c) = (store.clone(), c.clone());
                tasks.push(async move {
                    let id = format!("g{n}@x");
                    let r = store
                        .record_inbound(inbound(&c, &id, &format!("<r{n}-{copy}/>")))
                        .await
                        .unwrap();
                    (id, r)
                });
            }
        }
        let results = futures_join(tasks).await;
        for n in 0..12 {
            let id = format!("g{n}@x");
            let mine: Vec<&Inbound> = results
                .iter()
                .filter(|(i, _)| *i == id)
                .map(|(_, r)| r)
                .collect();
            let stored: Vec<&String> = mine
                .iter()
                .filter_map(|r| match r {
                    Inbound::Stored { document_id } => Some(document_id),
                    _ => None,
                })
                .collect();
            assert_eq!(stored.len(), 1, "{id} on {}: {mine:?}", db.backend);
            let receipt = store.inbound_receipt(&id).await.unwrap().unwrap();
            for r in &mine {
                if let Inbound::Duplicate {
                    document_id,
                    receipt: again,
                } = r
                {
                    assert_eq!((document_id, again), (stored[0], &receipt));
                }
            }
            store.verify_journal(stored[0]).await.unwrap();
        }
        assert_eq!(store.count_inbound(&c).await.unwrap(), 12);
        let docs = store
            .list_documents(
                &Visibility::All,
                Page {
                    limit: 100,
                    after: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(docs.len(), 12, "{}", db.backend);
        for d in &docs {
            let blob = store.get_blob(&d.blob.sha256).await.unwrap().unwrap();
            assert!(blob.starts_with(b"<Invoice>g"), "{}", db.backend);
        }
    }
}

#[tokio::test]
async fn a_message_for_a_company_that_is_gone_fails_alone_in_its_group() {
    for db in test_databases().await {
        let store = std::sync::Arc::new(open(&db).await);
        let c = company(&store).await;
        // Sent at once, so that they can share a group: the group fails on the foreign key and
        // is written message by message, where the bad one gets NotFound and the rest commit.
        let tasks: Vec<_> = (0..6)
            .map(|n| {
                let (store, company) = (
                    store.clone(),
                    if n == 3 { "gone".into() } else { c.clone() },
                );
                async move {
                    store
                        .record_inbound(inbound(&company, &format!("f{n}@x"), "<r/>"))
                        .await
                }
            })
            .collect();
        let results = futures_join(tasks).await;
        for (n, r) in results.iter().enumerate() {
            match (n, r) {
                (
                    3,
                    Err(Error::NotFound {
                        what: "company",
                        id,
                    }),
                ) => assert_eq!(id, "gone"),
                (3, other) => panic!("{}: {other:?}", db.backend),
                (_, Ok(Inbound::Stored { .. })) => {}
                (_, other) => panic!("{}: {other:?}", db.backend),
            }
        }
        assert_eq!(store.count_inbound(&c).await.unwrap(), 5, "{}", db.backend);
    }
}

async fn futures_join<F: std::future::Future + Send + 'static>(tasks: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = tasks.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn the_outbox_leases_retries_and_finishes() {
    for db in test_databases().await {
        let store = open(&db).await;
        let c = company(&store).await;
        let queued = store
            .enqueue_outbound(NewOutbound {
                message_id: "out-1@gateway".into(),
                document_id: None,
                company_id: c.clone(),
                sender_id: "0088:7315458756324".into(),
                receiver_id: "0088:4562458856624".into(),
                document_type: "d".into(),
                process: "p".into(),
                payload: b"<Invoice/>".to_vec(),
            })
            .await
            .unwrap();
        assert_eq!((queued.state.as_str(), queued.attempts), ("pending", 0));

        let claimed = store
            .claim_outbound("w1", Duration::from_millis(300))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((claimed.state.as_str(), claimed.attempts), ("sending", 1));
        // Leased: nobody else gets it ...
        assert!(store
            .claim_outbound("w2", Duration::from_secs(30))
            .await
            .unwrap()
            .is_none());
        // ... until the lease runs out (the first worker crashed).
        tokio::time::sleep(Duration::from_millis(400)).await;
        let reclaimed = store
            .claim_outbound("w2", Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (reclaimed.id.as_str(), reclaimed.attempts),
            (queued.id.as_str(), 2)
        );

        store
            .outbound_retry(&queued.id, "503", Duration::from_secs(3600))
            .await
            .unwrap();
        assert!(store
            .claim_outbound("w3", Duration::from_secs(30))
            .await
            .unwrap()
            .is_none());
        let row = store.get_outbound(&queued.id).await.unwrap().unwrap();
        assert_eq!(
            (row.state.as_str(), row.last_error.as_deref()),
            ("pending", Some("503"))
        );

        store
            .outbound_sent(&queued.id, "https://ap/as4", "<receipt/>")
            .await
            .unwrap();
        let row = store.get_outbound(&queued.id).await.unwrap().unwrap();
        assert_eq!(row.state, "sent");
        assert_eq!(row.receipt.as_deref(), Some("<receipt/>"));
    }
}
