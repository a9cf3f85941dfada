//! The Peppol channel: a sale routed to Peppol is handed to the AS4 outbox right after it is
//! stored, and the outbox's end result (receipt or final failure) completes the lifecycle
//! delivery, which stays `queued` while the outbox works on it.
use gateway_model::{DocumentKind, Syntax};
use gateway_store::{Delivery, DeliveryStatus, Outbound, Store, Visibility};
use serde_json::json;

use super::extract::{self, Parsed};
use crate::as4::outbox::{As4Send, Outbox};

/// Peppol BIS Billing 3.0 on CII (D16B).
const BIS3_CII: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100::CrossIndustryInvoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::D16B";

const ACTOR: &str = "system:peppol";

/// The BIS 3 document type and process of the invoice as written.
pub fn doctype(p: &Parsed) -> (String, String) {
    let doctype = match (p.syntax, p.invoice.kind) {
        (Syntax::Cii, _) => BIS3_CII.to_string(),
        (Syntax::Ubl, DocumentKind::CreditNote) => {
            gateway_peppol::BIS3_CREDIT_NOTE.value().to_string()
        }
        (Syntax::Ubl, _) => gateway_peppol::BIS3_INVOICE.value().to_string(),
    };
    (doctype, gateway_peppol::BILLING_PROCESS.value().to_string())
}

/// Queues the sales document `document_id` in the AS4 outbox for `receiver`. The sender is the
/// seller's electronic address, else the company's first identifier. What cannot be queued
/// fails the delivery at once, with the reason on the document.
pub async fn hand_over(
    store: &dyn Store,
    document_id: &str,
    company_id: &str,
    parsed: &Parsed,
    receiver: &str,
    payload: Vec<u8>,
) {
    let sender = match parsed
        .invoice
        .seller
        .as_ref()
        .and_then(extract::electronic_address)
    {
        Some(s) => Some(s),
        None => store
            .get_company(&Visibility::All, company_id)
            .await
            .ok()
            .flatten()
            .and_then(|c| c.identifiers.first().map(|i| i.value.clone())),
    };
    let Some(sender_id) = sender else {
        fail(store, document_id, "the seller has no Peppol identifier").await;
        return;
    };
    let (doctype, process) = doctype(parsed);
    let queued = Outbox::enqueue(
        store,
        As4Send {
            document_id: Some(document_id.to_string()),
            company_id: company_id.to_string(),
            sender_id,
            receiver_id: receiver.to_string(),
            doctype,
            process,
            payload,
        },
    )
    .await;
    match queued {
        Ok(m) => {
            tracing::info!(document_id, message_id = %m.message_id, "handed to the AS4 outbox")
        }
        Err(e) => fail(store, document_id, &format!("not queued for AS4: {e}")).await,
    }
}

/// Records the outbox's end result for its document: `Ok((endpoint, receipt))` or the final
/// error. Messages not sent for a document (tests, operators) have nothing to complete.
pub async fn outbox_result(store: &dyn Store, job: &Outbound, result: Result<(&str, &str), &str>) {
    let Some(document_id) = job.document_id.as_deref() else {
        return;
    };
    let (status, proof, reason) = match result {
        Ok((endpoint, receipt)) => (
            DeliveryStatus::Delivered,
            Some(json!({
                "as4_message_id": job.message_id,
                "receipt_message_id": receipt_message_id(receipt),
                "receipt_sha256": gateway_store::sha256_hex(receipt.as_bytes()),
                "endpoint": endpoint,
            })),
            None,
        ),
        Err(e) => (DeliveryStatus::Failed, None, Some(e.to_string())),
    };
    if let Err(e) = complete(store, document_id, status, proof, reason).await {
        tracing::error!(document_id, error = %e, "the AS4 result is not on the document");
    }
}

/// Hands over the Peppol deliveries that a stopped process left between storing and handing
/// over (older than `grace`, so that a hand-over in progress is not raced); how many.
pub async fn sweep(store: &dyn Store, grace: std::time::Duration) -> gateway_store::Result<usize> {
    let before = (chrono::Utc::now() - chrono::Duration::from_std(grace).unwrap_or_default())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let stranded = store.stranded_peppol_deliveries(&before, 100).await?;
    for s in &stranded {
        let Some(doc) = store.get_document(&Visibility::All, &s.document_id).await? else {
            continue;
        };
        let Some(bytes) = store.get_blob(&doc.blob.sha256).await? else {
            fail(store, &s.document_id, "the document's bytes are gone").await;
            continue;
        };
        let (Some(receiver), Ok(parsed)) = (&s.recipient, extract::parse(&bytes)) else {
            fail(store, &s.document_id, "no receiver or unreadable invoice").await;
            continue;
        };
        tracing::warn!(document_id = %s.document_id, "handing over a stranded Peppol delivery");
        hand_over(
            store,
            &s.document_id,
            &s.company_id,
            &parsed,
            receiver,
            bytes,
        )
        .await;
    }
    Ok(stranded.len())
}

/// Runs [`sweep`] at start and then every `every`, until the process ends.
pub fn spawn_sweeper(store: std::sync::Arc<dyn Store>, every: std::time::Duration) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep(store.as_ref(), every).await {
                tracing::error!(error = %e, "sweeping stranded Peppol deliveries failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}

async fn fail(store: &dyn Store, document_id: &str, reason: &str) {
    tracing::error!(document_id, reason, "Peppol delivery failed");
    if let Err(e) = complete(
        store,
        document_id,
        DeliveryStatus::Failed,
        None,
        Some(reason.into()),
    )
    .await
    {
        tracing::error!(document_id, error = %e, "the failure is not on the document");
    }
}

/// Completes the document's queued Peppol delivery.
async fn complete(
    store: &dyn Store,
    document_id: &str,
    status: DeliveryStatus,
    proof: Option<serde_json::Value>,
    reason: Option<String>,
) -> gateway_store::Result<()> {
    let Some(detail) = store.document_detail(&Visibility::All, document_id).await? else {
        return Ok(());
    };
    for d in detail
        .deliveries
        .iter()
        .filter(|d| d.channel == Delivery::Peppol && d.status == DeliveryStatus::Queued)
    {
        store
            .complete_delivery(&d.id, status, proof.clone(), reason.clone(), ACTOR)
            .await?;
    }
    Ok(())
}

/// The receipt's own `eb:MessageId` (the first in the signal; `RefToMessageId` follows it).
fn receipt_message_id(receipt: &str) -> Option<String> {
    let start = receipt.find(":MessageId>")? + ":MessageId>".len();
    let end = receipt[start..].find('<')?;
    Some(receipt[start..start + end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use gateway_store::*;

    use super::*;
    use crate::lifecycle::fixtures::{self, store_with_company};

    /// A sale stored as sent over Peppol whose delivery waits for the outbox.
    async fn queued_sale(store: &SqlStore, company: &str, bytes: Vec<u8>) -> String {
        fixtures::queued_sale(
            store,
            company,
            bytes,
            Delivery::Peppol,
            "0088:5790000435975",
        )
        .await
    }

    #[tokio::test]
    async fn the_outbox_result_completes_the_documents_peppol_delivery() {
        for db in gateway_testkit::test_databases().await {
            let (store, company) = store_with_company(&db).await;
            let mut ids = Vec::new();
            for n in 0..2 {
                let bytes = format!("<Invoice>{n}</Invoice>").into_bytes();
                ids.push(queued_sale(&store, &company, bytes).await);
            }
            let job = |doc: &str| {
                let store = &store;
                let (doc, company) = (doc.to_string(), company.clone());
                async move {
                    Outbox::enqueue(
                        store,
                        As4Send {
                            document_id: Some(doc),
                            company_id: company,
                            sender_id: "0208:0123456749".into(),
                            receiver_id: "0088:5790000435975".into(),
                            doctype: "d".into(),
                            process: "p".into(),
                            payload: b"<Invoice/>".to_vec(),
                        },
                    )
                    .await
                    .unwrap()
                }
            };
            let ok = job(&ids[0]).await;
            let receipt = "<eb:MessageInfo><eb:MessageId>r-1@b</eb:MessageId>";
            outbox_result(&store, &ok, Ok(("https://b/as4", receipt))).await;
            let failed = job(&ids[1]).await;
            outbox_result(&store, &failed, Err("no SMP record for 0088:5790000435975")).await;

            let detail = |id: String| {
                let store = &store;
                async move {
                    store
                        .document_detail(&Visibility::All, &id)
                        .await
                        .unwrap()
                        .unwrap()
                }
            };
            let d = detail(ids[0].clone()).await;
            assert_eq!(d.row.delivery_status.as_deref(), Some("delivered"));
            let proof = d.deliveries[0].proof.clone().unwrap();
            assert_eq!(proof["as4_message_id"], ok.message_id.as_str());
            assert_eq!(proof["receipt_message_id"], "r-1@b");
            let d = detail(ids[1].clone()).await;
            assert_eq!(
                (
                    d.row.delivery_status.as_deref(),
                    d.row.status_reason.as_deref()
                ),
                (Some("failed"), Some("no SMP record for 0088:5790000435975"))
            );
            let events = store
                .events(&Visibility::All, &ids[1])
                .await
                .unwrap()
                .unwrap();
            assert_eq!(events.last().unwrap().actor, "system:peppol");
        }
    }

    #[test]
    fn the_receipt_message_id_is_its_own_not_the_reference() {
        let r = "<eb:SignalMessage><eb:MessageInfo><eb:Timestamp>t</eb:Timestamp><eb:MessageId>r-1@b</eb:MessageId><eb:RefToMessageId>m-1@a</eb:RefToMessageId>";
        assert_eq!(receipt_message_id(r).as_deref(), Some("r-1@b"));
        assert_eq!(receipt_message_id("<x/>"), None);
    }

    /// The process stopped after storing a sale and before the hand-over: the sweeper queues
    /// it, once, however often it runs.
    #[tokio::test]
    async fn the_sweeper_hands_over_a_stranded_delivery_once() {
        let ubl =
            gateway_testkit::read_shared("conformance/peppol-bis3/rules/examples/base-example.xml");
        for db in gateway_testkit::test_databases().await {
            let (store, company) = store_with_company(&db).await;
            let doc = queued_sale(&store, &company, ubl.clone()).await;
            let grace = std::time::Duration::from_secs(3600);
            assert_eq!(
                sweep(&store, grace).await.unwrap(),
                0,
                "a fresh sale is not raced"
            );
            assert_eq!(sweep(&store, std::time::Duration::ZERO).await.unwrap(), 1);
            let queued = Outbox::enqueue(
                &store,
                As4Send {
                    document_id: Some(doc.clone()),
                    company_id: company.clone(),
                    sender_id: "0208:0123456749".into(),
                    receiver_id: "0088:5790000435975".into(),
                    doctype: "d".into(),
                    process: "p".into(),
                    payload: ubl.clone(),
                },
            )
            .await
            .unwrap();
            assert_eq!(queued.message_id, format!("{doc}@gateway"));
            assert_eq!(
                queued.sender_id, "0088:9482348239847239874",
                "the sweeper's row (the seller's address), not a second one"
            );
            assert_eq!(queued.document_type, gateway_peppol::BIS3_INVOICE.value());
            assert_eq!(sweep(&store, std::time::Duration::ZERO).await.unwrap(), 0);
            let detail = store
                .document_detail(&Visibility::All, &doc)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                detail.deliveries[0].status,
                DeliveryStatus::Queued,
                "{detail:?}"
            );
        }
    }
}
