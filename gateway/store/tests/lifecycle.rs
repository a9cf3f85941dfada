//! The lifecycle part of the store on every test database: idempotent creation (also when
//! requests race into one group commit), duplicates, guarded steps, deliveries and their queue.
use std::sync::Arc;

use gateway_store::*;
use gateway_testkit::test_databases;
use serde_json::json;

async fn store(db: &gateway_testkit::TestDb) -> Arc<SqlStore> {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    let blobs = SqlStore::default_blobs(url.backend(), db.data_dir());
    Arc::new(SqlStore::open(&url, blobs).await.unwrap())
}

/// `new(i)` for `i` in `0..n`, all submitted at once (so that they share group commits); the
/// results in the order of `i`.
async fn create_at_once(
    store: &Arc<SqlStore>,
    n: usize,
    new: impl Fn(usize) -> NewInvoice,
) -> Vec<Result<Created>> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (store, new) = (store.clone(), new(i));
            tokio::spawn(async move { store.create_invoice(new).await })
        })
        .collect();
    let mut out = Vec::with_capacity(n);
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn company(store: &SqlStore, name: &str, vat: &str) -> String {
    store
        .create_company(NewCompany {
            legal_name: name.into(),
            vat_number: Some(vat.into()),
            country: "BE".into(),
            address: Address::default(),
            identifiers: Vec::new(),
        })
        .await
        .unwrap()
        .id
}

fn sale(company: &str, number: &str, key: Option<&str>) -> NewInvoice {
    NewInvoice {
        id: None,
        document: NewDocument {
            company_id: company.into(),
            direction: Direction::Sales,
            source: "api".into(),
            media_type: "application/xml".into(),
            file_name: None,
            bytes: format!("<Invoice>{number}</Invoice>").into_bytes(),
            actor: "test".into(),
            initial_state: states::DRAFT.into(),
        },
        summary: Some(Summary {
            kind: Some(InvoiceKind::Invoice),
            syntax: "ubl".into(),
            invoice_number: Some(number.into()),
            issue_date: Some("2026-01-10".into()),
            due_date: Some("2026-02-10".into()),
            counterparty_name: Some("Customer".into()),
            currency: Some("EUR".into()),
            total: Some("121.00".into()),
            total_cents: Some(12100),
            ..Default::default()
        }),
        steps: vec![Step::new(states::VALIDATED, "validated", json!({}))],
        idempotency: key.map(|k| IdempotencyKey {
            key: k.into(),
            request_sha256: format!("hash-of-{number}"),
        }),
        review_duplicates: false,
        origin: None,
        deliveries: Vec::new(),
    }
}

#[tokio::test]
async fn racing_requests_with_one_key_make_one_document_and_others_still_commit() {
    for db in test_databases().await {
        let store = store(&db).await;
        let a = company(&store, "Alpha", "BE0123456749").await;
        // 16 requests at once: 8 with the same key and body, 8 distinct ones.
        let results = create_at_once(&store, 16, |i| {
            if i % 2 == 0 {
                sale(&a, "SAME-1", Some("k"))
            } else {
                sale(&a, &format!("OTHER-{i}"), None)
            }
        })
        .await;
        let mut same = std::collections::BTreeSet::new();
        let mut replays = 0;
        for (i, created) in results.into_iter().enumerate() {
            let created = created.unwrap();
            assert_eq!(created.document.state, "validated");
            if i % 2 == 0 {
                same.insert(created.document.id);
                replays += usize::from(created.replayed);
            }
        }
        assert_eq!(same.len(), 1, "{}: one document for one key", db.backend);
        assert_eq!(replays, 7);
        let page = store
            .list_rows(
                &Visibility::All,
                &ListRequest {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 9);
        // The same key for another body is refused, not replayed.
        let err = store
            .create_invoice(sale(&a, "DIFFERENT", Some("k")))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Conflict {
                    what: "idempotency key",
                    ..
                }
            ),
            "{err}"
        );
        for row in &page.items {
            assert_eq!(store.verify_journal(&row.document.id).await.unwrap(), 2);
        }
    }
}

#[tokio::test]
async fn a_document_of_an_unknown_company_fails_alone_in_its_group() {
    for db in test_databases().await {
        let store = store(&db).await;
        let a = company(&store, "Alpha", "BE0123456749").await;
        // Submitted at once, so that they share group commits: the company check is the group's.
        let results = create_at_once(&store, 12, |i| {
            let company = if i == 5 {
                "no-such-company"
            } else {
                a.as_str()
            };
            sale(company, &format!("N-{i}"), None)
        })
        .await;
        for (i, result) in results.into_iter().enumerate() {
            match (i, result) {
                (5, Err(Error::NotFound { what, id })) => {
                    assert_eq!((what, id.as_str()), ("company", "no-such-company"))
                }
                (5, other) => panic!("{}: {other:?}", db.backend),
                (_, created) => assert_eq!(created.unwrap().document.state, "validated"),
            }
        }
        let page = store
            .list_rows(
                &Visibility::All,
                &ListRequest {
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 11, "{}", db.backend);
    }
}

#[tokio::test]
async fn duplicates_are_flagged_and_purchases_held_for_review() {
    for db in test_databases().await {
        let store = store(&db).await;
        let a = company(&store, "Alpha", "BE0123456749").await;
        let first = store.create_invoice(sale(&a, "N-1", None)).await.unwrap();
        let again = store.create_invoice(sale(&a, "N-1", None)).await.unwrap();
        assert_eq!(
            again.duplicate_of.as_deref(),
            Some(first.document.id.as_str())
        );
        let mut purchase = sale(&a, "P-1", None);
        purchase.document.direction = Direction::Purchase;
        purchase.document.initial_state = states::RECEIVED.into();
        purchase.review_duplicates = true;
        purchase.steps = vec![Step::new(states::ACCEPTED, "accepted", json!({}))];
        let p1 = store.create_invoice(purchase.clone()).await.unwrap();
        assert_eq!(p1.document.state, "accepted");
        let p2 = store.create_invoice(purchase).await.unwrap();
        assert_eq!(
            p2.document.state, "needs_review",
            "a duplicate is never auto-accepted"
        );
        let detail = store
            .document_detail(&Visibility::All, &p2.document.id)
            .await
            .unwrap()
            .unwrap();
        assert!(detail.row.status_reason.unwrap().contains(&p1.document.id));
    }
}

#[tokio::test]
async fn duplicates_written_together_point_at_the_first() {
    for db in test_databases().await {
        let store = store(&db).await;
        let a = company(&store, "Alpha", "BE0123456749").await;
        // One batch: the second purchase repeats the first and is held for review.
        let mut purchase = sale(&a, "P-1", None);
        purchase.document.direction = Direction::Purchase;
        purchase.document.initial_state = states::RECEIVED.into();
        purchase.review_duplicates = true;
        purchase.steps = vec![Step::new(states::ACCEPTED, "accepted", json!({}))];
        let both = store
            .create_invoices(vec![purchase.clone(), purchase])
            .await
            .unwrap();
        assert_eq!(both[0].duplicate_of, None);
        assert_eq!(both[0].document.state, "accepted");
        assert_eq!(
            both[1].duplicate_of.as_deref(),
            Some(both[0].document.id.as_str())
        );
        assert_eq!(both[1].document.state, "needs_review");
        // Concurrent requests, committed in groups: one original, every other its duplicate.
        let created: Vec<Created> = create_at_once(&store, 12, |_| sale(&a, "SAME-2", None))
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let originals: Vec<_> = created
            .iter()
            .filter(|c| c.duplicate_of.is_none())
            .collect();
        assert_eq!(originals.len(), 1, "{}", db.backend);
        for c in &created {
            if c.duplicate_of.is_some() {
                assert_eq!(c.duplicate_of.as_ref(), Some(&originals[0].document.id));
            }
            assert_eq!(store.verify_journal(&c.document.id).await.unwrap(), 2);
        }
    }
}

#[tokio::test]
async fn deliveries_queue_until_a_channel_reports_and_the_journal_says_so() {
    for db in test_databases().await {
        let store = store(&db).await;
        let a = company(&store, "Alpha", "BE0123456749").await;
        let doc = store.create_invoice(sale(&a, "Q-1", None)).await.unwrap();
        let vis = Visibility::Companies(vec![a.clone()]);
        store
            .advance(
                &vis,
                Advance {
                    document_id: doc.document.id.clone(),
                    from: vec![states::VALIDATED.into()],
                    actor: "test".into(),
                    steps: vec![Step::new(states::SENT, "sent", json!({}))],
                    deliveries: vec![NewDelivery {
                        channel: Delivery::Email,
                        recipient: Some("ap@customer.example".into()),
                        status: DeliveryStatus::Queued,
                        proof: None,
                        reason: Some("waiting for the e-mail sender".into()),
                    }],
                },
            )
            .await
            .unwrap();
        // Sending twice is a state conflict.
        let again = store
            .advance(
                &vis,
                Advance {
                    document_id: doc.document.id.clone(),
                    from: vec![states::VALIDATED.into()],
                    actor: "test".into(),
                    steps: vec![Step::new(states::SENT, "sent", json!({}))],
                    deliveries: Vec::new(),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(again, Error::StateConflict { .. }), "{again}");
        let queued = store.queued_deliveries(Delivery::Email, 10).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert!(store
            .queued_deliveries(Delivery::Peppol, 10)
            .await
            .unwrap()
            .is_empty());
        let event = store
            .complete_delivery(
                &queued[0].id,
                DeliveryStatus::Failed,
                None,
                Some("550 mailbox unavailable".into()),
                "system:email",
            )
            .await
            .unwrap();
        assert_eq!(
            (event.kind.as_str(), event.to_state.as_str()),
            ("delivery_failed", "sent")
        );
        let detail = store
            .document_detail(&vis, &doc.document.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(detail.row.delivery_status.as_deref(), Some("failed"));
        assert_eq!(
            detail.row.status_reason.as_deref(),
            Some("550 mailbox unavailable")
        );
        assert_eq!(detail.deliveries[0].attempts, 1);
        assert!(store
            .queued_deliveries(Delivery::Email, 10)
            .await
            .unwrap()
            .is_empty());
        // A retry that works: delivered, with its proof.
        store
            .complete_delivery(
                &queued[0].id,
                DeliveryStatus::Delivered,
                Some(json!({"message_id": "<1@gw>"})),
                None,
                "system:email",
            )
            .await
            .unwrap();
        let detail = store
            .document_detail(&vis, &doc.document.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(detail.row.delivery_status.as_deref(), Some("delivered"));
        assert_eq!(detail.deliveries[0].attempts, 2);
        assert_eq!(store.verify_journal(&doc.document.id).await.unwrap(), 5);
        // Nobody else sees it.
        let other = company(&store, "Beta", "BE0987654321").await;
        assert!(store
            .document_detail(&Visibility::Companies(vec![other]), &doc.document.id)
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test]
async fn credit_notes_count_against_totals_and_the_dashboard() {
    for db in test_databases().await {
        let store = store(&db).await;
        let a = company(&store, "Alpha", "BE0123456749").await;
        let mut invoice = sale(&a, "I-1", None);
        invoice
            .steps
            .push(Step::new(states::SENT, "sent", json!({})));
        store.create_invoice(invoice).await.unwrap();
        let mut credit = sale(&a, "C-1", None);
        let s = credit.summary.as_mut().unwrap();
        s.kind = Some(InvoiceKind::CreditNote);
        s.total = Some("21.00".into());
        s.total_cents = Some(2100);
        s.due_date = Some("2026-05-01".into());
        credit
            .steps
            .push(Step::new(states::SENT, "sent", json!({})));
        store.create_invoice(credit).await.unwrap();
        let vis = Visibility::Companies(vec![a.clone()]);
        let totals = store
            .status_totals(&vis, &DocumentFilter::default())
            .await
            .unwrap();
        assert_eq!(totals.len(), 1);
        assert_eq!((totals[0].status.as_str(), totals[0].count), ("sent", 2));
        assert_eq!(totals[0].totals[0].total, "100.00");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
        let dash = store.dashboard(&vis, None, today).await.unwrap();
        let bucket = |b: AgeingBucket| {
            dash.receivables
                .iter()
                .find(|x| x.bucket == b)
                .map(|x| (x.count, x.totals.first().map(|t| t.total.clone())))
                .unwrap()
        };
        assert_eq!(
            bucket(AgeingBucket::DueWithin30),
            (1, Some("121.00".into()))
        );
        assert_eq!(bucket(AgeingBucket::DueAfter90), (1, Some("-21.00".into())));
        assert_eq!(bucket(AgeingBucket::Overdue), (0, None));
        assert!(dash.payables.iter().all(|b| b.count == 0));
        // Filters: by kind and by amount.
        let credit_only = store
            .list_rows(
                &vis,
                &ListRequest {
                    filter: DocumentFilter {
                        kind: Some(InvoiceKind::CreditNote),
                        ..Default::default()
                    },
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(credit_only.items.len(), 1);
        assert_eq!(credit_only.items[0].invoice_number.as_deref(), Some("C-1"));
    }
}
