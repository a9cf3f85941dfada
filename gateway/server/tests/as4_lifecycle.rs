//! A sale routed to Peppol, through the member API of one gateway to a member of another, on
//! loopback: the lifecycle hands it to the AS4 outbox, the other gateway files it in its member's
//! inbox, and the seller's document shows it delivered with the receipt as proof.
mod common;

use std::time::{Duration, Instant};

use common::{cli_json, get_json, member_token, Gateway};
use gateway_testkit::{read_shared, test_databases, TestDb};
use serde_json::{json, Value};

const SELLER: &str = "0208:0123456749";
const BUYER: &str = "9947:ro18547290";

/// A company with a member token.
fn member(db: &TestDb, name: &str, country: &str, vat: &str, pid: &str) -> (String, String) {
    let company = cli_json(
        db,
        &[
            "company",
            "add",
            "--name",
            name,
            "--country",
            country,
            "--vat",
            vat,
            "--peppol-id",
            pid,
        ],
    );
    let id = company["id"].as_str().unwrap().to_string();
    let token = member_token(db, &id, name);
    (id, token)
}

/// The Peppol BIS example invoice from Alpha SA to Beta SRL.
fn invoice(number: &str) -> String {
    String::from_utf8(read_shared(
        "conformance/peppol-bis3/rules/examples/base-example.xml",
    ))
    .unwrap()
    .replace(
        r#"<cbc:EndpointID schemeID="0088">9482348239847239874</cbc:EndpointID>"#,
        r#"<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>"#,
    )
    .replace(
        r#"<cbc:EndpointID schemeID="0002">FR23342</cbc:EndpointID>"#,
        r#"<cbc:EndpointID schemeID="9947">ro18547290</cbc:EndpointID>"#,
    )
    .replace("SupplierOfficialName Ltd", "Alpha SA")
    .replace("Buyer Official Name", "Beta SRL")
    .replace(
        "<cbc:ID>Snippet1</cbc:ID>",
        &format!("<cbc:ID>{number}</cbc:ID>"),
    )
}

fn start_with_toml(db: &TestDb, toml: &str) -> Gateway {
    let path = db.data_dir().join("gateway.toml");
    std::fs::write(&path, toml).unwrap();
    Gateway::start_with(db, &[("GATEWAY_CONFIG", path.to_str().unwrap())])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sale_to_a_member_of_another_gateway_goes_over_as4_and_shows_the_receipt() {
    let (dbs_a, dbs_b) = (test_databases().await, test_databases().await);
    for (a, b) in dbs_a.iter().zip(dbs_b.iter()) {
        let (_, token_a) = member(a, "Alpha SA", "BE", "BE0123456749", SELLER);
        let (_, token_b) = member(b, "Beta SRL", "RO", "RO18547290", BUYER);
        drop(Gateway::start(a)); // makes A's development PKI, which B trusts
        let gw_b = start_with_toml(
            b,
            &format!(
                "[as4]\ntrust = [{:?}]\nsend = false\n",
                a.data_dir().join("peppol/dev-ca.pem")
            ),
        );
        let gw_a = start_with_toml(
            a,
            &format!(
                "[as4]\ntrust = [{ca:?}]\nhttps_roots = [{tls:?}]\nretry_base_ms = 200\n\n[[as4.static_endpoints]]\nparticipant = \"{BUYER}\"\nurl = \"https://localhost:{port}/as4\"\ncertificate = {cert:?}\n",
                ca = b.data_dir().join("peppol/dev-ca.pem"),
                tls = b.data_dir().join("tls/ca.pem"),
                port = gw_b.addr.port(),
                cert = b.data_dir().join("peppol/ap-cert.pem"),
            ),
        );
        // A's customer prefers Peppol.
        let resp = gw_a
            .client
            .post(gw_a.url("/v1/directory"))
            .bearer_auth(&token_a)
            .json(
                &json!({"legal_name": "Beta SRL", "country": "RO", "vat_number": "RO18547290",
                "peppol_ids": [BUYER], "delivery": "peppol"}),
            )
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());

        let resp = gw_a
            .client
            .post(gw_a.url("/v1/documents?direction=sales&then=send"))
            .bearer_auth(&token_a)
            .header("content-type", "application/xml")
            .body(invoice("INV-AS4-1"))
            .send()
            .await
            .unwrap();
        let sent: Value = resp.json().await.unwrap();
        assert_eq!(sent["state"], "sent", "{sent}");
        assert_eq!(
            sent["delivery_status"], "queued",
            "until the receipt: {sent}"
        );
        assert_eq!(sent["deliveries"][0]["recipient"], BUYER);
        let id = sent["id"].as_str().unwrap();

        let deadline = Instant::now() + Duration::from_secs(60);
        let doc = loop {
            let doc = get_json(&gw_a, &token_a, &format!("/v1/documents/{id}")).await;
            if doc["delivery_status"] != "queued" {
                break doc;
            }
            assert!(Instant::now() < deadline, "still queued: {doc}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(doc["delivery_status"], "delivered", "{doc} ({})", a.backend);
        let proof = &doc["deliveries"][0]["proof"];
        let message_id = proof["as4_message_id"].as_str().unwrap();
        assert!(message_id.ends_with("@gateway"), "{proof}");
        let receipt_id = proof["receipt_message_id"].as_str().expect("receipt id");
        assert!(
            !receipt_id.is_empty() && receipt_id != message_id,
            "{proof}"
        );
        assert_eq!(proof["receipt_sha256"].as_str().unwrap().len(), 64);
        let events = get_json(&gw_a, &token_a, &format!("/v1/documents/{id}/events")).await;
        assert!(
            events.to_string().contains("delivery_delivered"),
            "{events}"
        );

        // B finds it in its inbox on the other gateway.
        let inbox = get_json(&gw_b, &token_b, "/v1/documents?direction=purchase").await;
        let items = inbox["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{inbox}");
        let got = items[0]["id"].as_str().unwrap();
        let original = gw_b
            .client
            .get(gw_b.url(&format!("/v1/documents/{got}/original")))
            .bearer_auth(&token_b)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            original.contains("<cbc:ID>INV-AS4-1</cbc:ID>"),
            "{original}"
        );
    }
}
