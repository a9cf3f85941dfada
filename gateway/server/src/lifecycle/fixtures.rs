//! What the lifecycle's unit tests build on: a store with one company, and sales stored as sent
//! whose delivery waits for its channel.
use gateway_store::*;
use gateway_testkit::TestDb;
use serde_json::json;

/// The store of `db` with one company, "Alpha"; its id.
pub async fn store_with_company(db: &TestDb) -> (SqlStore, String) {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    let store = SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap();
    let company = store
        .create_company(NewCompany {
            legal_name: "Alpha".into(),
            vat_number: None,
            country: "BE".into(),
            address: Address::default(),
            identifiers: Vec::new(),
        })
        .await
        .unwrap()
        .id;
    (store, company)
}

/// A sale of `company` stored as sent over `channel` to `to`, its delivery `queued`; its id.
pub async fn queued_sale(
    store: &SqlStore,
    company: &str,
    bytes: Vec<u8>,
    channel: Delivery,
    to: &str,
) -> String {
    let created = store
        .create_invoice(NewInvoice {
            id: None,
            document: NewDocument {
                company_id: company.to_string(),
                direction: Direction::Sales,
                source: "api".into(),
                media_type: "application/xml".into(),
                file_name: None,
                bytes,
                actor: "test".into(),
                initial_state: states::DRAFT.into(),
            },
            summary: None,
            steps: vec![
                Step::new(states::VALIDATED, "validated", json!({})),
                Step::new(states::SENT, "sent", json!({})),
            ],
            idempotency: None,
            review_duplicates: false,
            origin: None,
            deliveries: vec![NewDelivery {
                channel,
                recipient: Some(to.into()),
                status: DeliveryStatus::Queued,
                proof: None,
                reason: None,
            }],
        })
        .await
        .unwrap();
    created.document.id
}
