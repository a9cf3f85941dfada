//! The document lifecycle end to end, against the real binary, on every test database:
//! member A submits, validates and sends an invoice to member B; B finds it in its inbox and
//! accepts it; lists, totals, the dashboard and both journals tell the same story.
mod common;

use common::{cli_json, member_token, Gateway};
use gateway_testkit::{test_databases, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

struct Member {
    id: String,
    token: String,
}

fn member(db: &TestDb, name: &str, vat: &str, pid: &str) -> Member {
    let company = cli_json(
        db,
        &[
            "company",
            "add",
            "--name",
            name,
            "--country",
            &vat[..2],
            "--vat",
            vat,
            "--peppol-id",
            pid,
        ],
    );
    let id = company["id"].as_str().unwrap().to_string();
    let token = member_token(db, &id, name);
    Member { id, token }
}

/// The Peppol BIS example invoice, issued by Alpha SA (0208:0123456749) to `buyer`.
fn invoice(number: &str, buyer_scheme: &str, buyer_id: &str, buyer_name: &str) -> String {
    let base = String::from_utf8(gateway_testkit::read_shared(
        "conformance/peppol-bis3/rules/examples/base-example.xml",
    ))
    .unwrap();
    base.replace(
        r#"<cbc:EndpointID schemeID="0088">9482348239847239874</cbc:EndpointID>"#,
        r#"<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>"#,
    )
    .replace(
        r#"<cbc:EndpointID schemeID="0002">FR23342</cbc:EndpointID>"#,
        &format!(r#"<cbc:EndpointID schemeID="{buyer_scheme}">{buyer_id}</cbc:EndpointID>"#),
    )
    .replace("SupplierOfficialName Ltd", "Alpha SA")
    .replace("Buyer Official Name", buyer_name)
    .replace(
        "<cbc:ID>Snippet1</cbc:ID>",
        &format!("<cbc:ID>{number}</cbc:ID>"),
    )
}

fn to_beta(number: &str) -> String {
    invoice(number, "9947", "ro18547290", "Beta SRL")
}

async fn call(
    gw: &Gateway,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = gw.client.request(method, gw.url(path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn submit(
    gw: &Gateway,
    token: &str,
    query: &str,
    key: Option<&str>,
    xml: &str,
) -> (StatusCode, Value, bool) {
    let mut req = gw
        .client
        .post(gw.url(&format!("/v1/documents{query}")))
        .bearer_auth(token)
        .header("content-type", "application/xml")
        .body(xml.to_string());
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let replayed = resp.headers().get("idempotent-replayed").is_some();
    (status, resp.json().await.unwrap(), replayed)
}

async fn post(gw: &Gateway, token: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    call(gw, Method::POST, path, token, body).await
}

async fn get(gw: &Gateway, token: &str, path: &str) -> Value {
    let (status, body) = call(gw, Method::GET, path, token, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

fn kinds(events: &Value) -> Vec<(String, String)> {
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_string(),
                e["to_state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn bucket<'a>(side: &'a Value, name: &str) -> &'a Value {
    side.as_array()
        .unwrap()
        .iter()
        .find(|b| b["bucket"] == name)
        .unwrap_or_else(|| panic!("no bucket {name} in {side}"))
}

#[tokio::test]
async fn a_member_invoices_another_who_accepts_and_everything_adds_up() {
    for db in test_databases().await {
        let a = member(&db, "Alpha SA", "BE0123456749", "0208:0123456749");
        let b = member(&db, "Beta SRL", "RO18547290", "9947:ro18547290");
        let gw = Gateway::start(&db);
        let xml = to_beta("INV-2017-001");

        // Submit with a key; the same request again gives the same document, nothing new.
        let (status, draft, replayed) =
            submit(&gw, &a.token, "?direction=sales", Some("k-1"), &xml).await;
        assert_eq!(status, StatusCode::CREATED, "{draft}");
        assert!(!replayed);
        assert_eq!(draft["state"], "draft");
        assert_eq!(draft["invoice_number"], "INV-2017-001");
        assert_eq!(draft["counterparty_name"], "Beta SRL");
        assert_eq!(draft["counterparty_id"], "9947:ro18547290");
        assert_eq!(draft["total"], "1656.25");
        assert_eq!(draft["currency"], "EUR");
        assert_eq!(draft["issue_date"], "2017-11-13");
        assert_eq!(draft["due_date"], "2017-12-01");
        assert_eq!(draft["kind"], "invoice");
        assert_eq!(draft["syntax"], "ubl");
        assert_eq!(draft["accountant_status"], Value::Null);
        let id = draft["id"].as_str().unwrap().to_string();
        let (status, again, replayed) =
            submit(&gw, &a.token, "?direction=sales", Some("k-1"), &xml).await;
        assert_eq!((status, replayed), (StatusCode::CREATED, true));
        assert_eq!(again["id"], id.as_str());
        let (status, other, _) = submit(
            &gw,
            &a.token,
            "?direction=sales",
            Some("k-1"),
            &to_beta("INV-OTHER"),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{other}");
        let page = get(&gw, &a.token, "/v1/documents?direction=sales").await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");

        // A draft is not sent; validated, it is, straight into B's inbox.
        let (status, body) = post(&gw, &a.token, &format!("/v1/documents/{id}/send"), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["type"], "urn:gateway:problem:state-conflict");
        let (status, v) = post(&gw, &a.token, &format!("/v1/documents/{id}/validate"), None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["valid"], true, "{v}");
        assert_eq!(v["document"]["state"], "validated");
        let (status, sent) = post(&gw, &a.token, &format!("/v1/documents/{id}/send"), None).await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        assert_eq!(sent["state"], "sent");
        assert_eq!(sent["delivery_status"], "delivered");
        let delivery = &sent["deliveries"][0];
        assert_eq!(delivery["channel"], "gateway");
        assert_eq!(delivery["status"], "delivered");
        assert_eq!(delivery["recipient"], b.id.as_str());
        let inbox_id = delivery["proof"]["inbox_document_id"]
            .as_str()
            .unwrap()
            .to_string();

        // B sees it as a purchase from Alpha; A cannot see B's copy.
        let inbox = get(&gw, &b.token, "/v1/documents?direction=purchase").await;
        let items = inbox["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{inbox}");
        let received = &items[0];
        assert_eq!(received["id"], inbox_id.as_str());
        assert_eq!(received["state"], "received");
        assert_eq!(received["source"], "gateway");
        assert_eq!(received["counterparty_name"], "Alpha SA");
        assert_eq!(received["counterparty_id"], "0208:0123456749");
        assert_eq!(received["total"], "1656.25");
        let (status, _) = call(
            &gw,
            Method::GET,
            &format!("/v1/documents/{inbox_id}"),
            &a.token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // B accepts with a reason; accepting again is a conflict.
        let (status, accepted) = post(
            &gw,
            &b.token,
            &format!("/v1/documents/{inbox_id}/accept"),
            Some(json!({"reason": "goods received"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{accepted}");
        assert_eq!(accepted["state"], "accepted");
        assert_eq!(accepted["status_reason"], "goods received");
        let (status, _) = post(
            &gw,
            &b.token,
            &format!("/v1/documents/{inbox_id}/accept"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);

        // Both journals show every step, hash-chained.
        let a_events = get(&gw, &a.token, &format!("/v1/documents/{id}/events")).await;
        assert_eq!(
            kinds(&a_events),
            [
                ("created".into(), "draft".into()),
                ("validated".into(), "validated".into()),
                ("sent".into(), "sent".into()),
                ("customer_accepted".into(), "sent".into())
            ]
        );
        assert_eq!(
            a_events[3]["detail"]["purchase_document_id"],
            inbox_id.as_str()
        );
        let seller = get(&gw, &a.token, &format!("/v1/documents/{id}")).await;
        assert_eq!(seller["status_reason"], "accepted by the customer");
        let b_events = get(&gw, &b.token, &format!("/v1/documents/{inbox_id}/events")).await;
        assert_eq!(
            kinds(&b_events),
            [
                ("created".into(), "received".into()),
                ("accepted".into(), "accepted".into())
            ]
        );
        assert_eq!(b_events[1]["prev_hash"], b_events[0]["hash"]);
        assert_eq!(b_events[0]["actor"], "system:gateway");
        assert!(b_events[1]["actor"].as_str().unwrap().starts_with("token:"));
        assert_eq!(b_events[1]["detail"]["reason"], "goods received");

        // Totals per status and the dashboard, on both sides.
        let totals = get(&gw, &a.token, "/v1/documents/totals").await;
        assert_eq!(
            totals,
            json!([{"status": "sent", "count": 1, "totals": [{"currency": "EUR", "count": 1, "total": "1656.25"}]}])
        );
        let totals = get(&gw, &b.token, "/v1/documents/totals?direction=purchase").await;
        assert_eq!(totals[0]["status"], "accepted");
        assert_eq!(totals[0]["count"], 1);
        let dash = get(&gw, &a.token, "/v1/dashboard?today=2017-11-13").await;
        let due = bucket(&dash["receivables"], "due_within_30");
        assert_eq!(due["count"], 1, "{dash}");
        assert_eq!(due["totals"][0]["total"], "1656.25");
        assert_eq!(due["totals"][0]["currency"], "EUR");
        for side in ["payables", "receivables"] {
            let all: i64 = dash[side]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["count"].as_i64().unwrap())
                .sum();
            assert_eq!(all, i64::from(side == "receivables"), "{side}: {dash}");
        }
        let dash = get(&gw, &b.token, "/v1/dashboard?today=2017-12-15").await;
        assert_eq!(bucket(&dash["payables"], "overdue")["count"], 1, "{dash}");
        assert_eq!(bucket(&dash["payables"], "due_within_30")["count"], 0);
        let dash = get(&gw, &b.token, "/v1/dashboard?today=2017-08-01").await;
        assert_eq!(bucket(&dash["payables"], "due_after_90")["count"], 1);
        let dash = get(&gw, &b.token, "/v1/dashboard?today=2017-10-01").await;
        assert_eq!(bucket(&dash["payables"], "due_60_90")["count"], 1);

        // The same invoice again is flagged, and B must review it rather than accept it blind.
        let (status, dup, _) = submit(
            &gw,
            &a.token,
            "?direction=sales&then=send",
            Some("k-2"),
            &xml,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{dup}");
        assert_eq!(dup["duplicate_of"], id.as_str());
        assert_eq!(dup["state"], "sent", "{dup}");
        let review = get(
            &gw,
            &b.token,
            "/v1/documents?status=needs_review&duplicates=true",
        )
        .await;
        let items = review["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{review}");
        assert_eq!(items[0]["duplicate_of"], inbox_id.as_str());
        assert!(items[0]["status_reason"]
            .as_str()
            .unwrap()
            .contains("duplicate"));
        let dup_id = items[0]["id"].as_str().unwrap().to_string();
        let (status, body) = post(
            &gw,
            &b.token,
            &format!("/v1/documents/{dup_id}/refuse"),
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "a refusal needs a reason: {body}"
        );
        let (status, refused) = post(
            &gw,
            &b.token,
            &format!("/v1/documents/{dup_id}/refuse"),
            Some(json!({"reason": "already booked"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{refused}");
        assert_eq!(refused["state"], "refused");
        assert_eq!(refused["status_reason"], "already booked");
        // The seller sees the refusal and its reason on its own copy.
        let dup_sale = get(
            &gw,
            &a.token,
            &format!("/v1/documents/{}", dup["id"].as_str().unwrap()),
        )
        .await;
        assert_eq!(dup_sale["state"], "sent");
        assert_eq!(
            dup_sale["status_reason"],
            "refused by the customer: already booked"
        );

        // Auto-accept: B accepts what comes from its known suppliers (Alpha is one).
        let (status, _) = post(
            &gw,
            &b.token,
            "/v1/contacts",
            Some(json!({"role": "supplier", "legal_name": "Alpha SA", "country": "BE", "vat_number": "BE0123456749"})),
        )
        .await;
        assert!(status.is_success(), "{status}");
        let settings = json!({
            "reporting_email": "books@beta.example", "reporting_frequency": "weekly",
            "notification_email": "ap@beta.example", "auto_accept_own_imports": false,
            "auto_accept_known_suppliers": true, "auto_accept_everything": false});
        let (status, saved) = call(
            &gw,
            Method::PUT,
            "/v1/settings",
            &b.token,
            Some(settings.clone()),
        )
        .await;
        assert_eq!((status, &saved), (StatusCode::OK, &settings));
        assert_eq!(get(&gw, &b.token, "/v1/settings").await, settings);
        let (status, bad) = call(
            &gw,
            Method::PUT,
            "/v1/settings",
            &b.token,
            Some(json!({"reporting_frequency": "hourly"})),
        )
        .await;
        assert!(status.is_client_error(), "{bad}");
        let (status, auto, _) = submit(
            &gw,
            &a.token,
            "?direction=sales&then=send",
            None,
            &to_beta("INV-2017-002"),
        )
        .await;
        assert_eq!(
            (status, auto["state"].as_str()),
            (StatusCode::CREATED, Some("sent"))
        );
        let accepted = get(
            &gw,
            &b.token,
            "/v1/documents?status=accepted&sort=invoice_number&order=asc",
        )
        .await;
        let numbers: Vec<&str> = accepted["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["invoice_number"].as_str().unwrap())
            .collect();
        assert_eq!(numbers, ["INV-2017-001", "INV-2017-002"]);
        assert_eq!(
            accepted["items"][1]["status_reason"],
            "auto-accepted (known_suppliers)"
        );

        // Routing: unknown customer with a Peppol address → queued for the AS4 outbox; a
        // customer who takes no e-invoices → archived; Archive by hand.
        let (_, peppol, _) = submit(
            &gw,
            &a.token,
            "?direction=sales&then=send",
            None,
            &invoice("INV-P-1", "0088", "5790000435975", "Far Away AS"),
        )
        .await;
        assert_eq!(peppol["state"], "sent", "{peppol}");
        assert_eq!(peppol["delivery_status"], "queued");
        assert_eq!(peppol["deliveries"][0]["channel"], "peppol");
        assert_eq!(peppol["deliveries"][0]["recipient"], "0088:5790000435975");
        assert_eq!(
            peppol["deliveries"][0]["reason"],
            "waiting for the AS4 outbox"
        );
        let (status, _) = post(
            &gw,
            &a.token,
            "/v1/directory",
            Some(json!({"legal_name": "Paper Only SRL", "country": "RO", "peppol_ids": ["9947:ro14399840"], "delivery": "none"})),
        )
        .await;
        assert!(status.is_success(), "{status}");
        let (_, none, _) = submit(
            &gw,
            &a.token,
            "?direction=sales&then=send",
            None,
            &invoice("INV-N-1", "9947", "ro14399840", "Paper Only SRL"),
        )
        .await;
        assert_eq!(none["state"], "archived", "{none}");
        let (_, manual, _) = submit(
            &gw,
            &a.token,
            "?direction=sales&then=validate",
            None,
            &to_beta("INV-A-1"),
        )
        .await;
        assert_eq!(manual["state"], "validated", "{manual}");
        let (status, archived) = post(
            &gw,
            &a.token,
            &format!("/v1/documents/{}/archive", manual["id"].as_str().unwrap()),
            None,
        )
        .await;
        assert_eq!(
            (status, archived["state"].as_str()),
            (StatusCode::OK, Some("archived"))
        );

        // An invalid invoice stays a draft, with the findings in its journal.
        let broken = to_beta("INV-BAD").replace(
            "<cbc:PayableAmount currencyID=\"EUR\">1656.25</cbc:PayableAmount>",
            "<cbc:PayableAmount currencyID=\"EUR\">99</cbc:PayableAmount>",
        );
        let (_, bad, _) = submit(&gw, &a.token, "?direction=sales&then=send", None, &broken).await;
        assert_eq!(bad["state"], "draft", "{bad}");
        assert!(
            bad["status_reason"].as_str().unwrap().contains("BR-CO-16"),
            "{bad}"
        );
        // Not readable at all: refused with its location, nothing stored.
        let (status, body, _) = submit(
            &gw,
            &a.token,
            "?direction=sales",
            None,
            "<Invoice><unclosed></Invoice>",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["detail"].as_str().unwrap().contains("line 1"),
            "{body}"
        );

        // The list: filters, sorting by total, cursor paging, counterparty search.
        let sent = get(
            &gw,
            &a.token,
            "/v1/documents?status=sent&sort=total&order=asc&limit=1",
        )
        .await;
        let mut seen = vec![sent["items"][0]["id"].clone()];
        let mut next = sent["next"].as_str().map(str::to_string);
        while let Some(cursor) = next {
            let page = get(
                &gw,
                &a.token,
                &format!("/v1/documents?status=sent&sort=total&order=asc&limit=1&after={cursor}"),
            )
            .await;
            seen.push(page["items"][0]["id"].clone());
            next = page["next"].as_str().map(str::to_string);
        }
        assert_eq!(
            seen.len(),
            4,
            "sent: first, its duplicate, INV-2017-002, INV-P-1"
        );
        let far = get(&gw, &a.token, "/v1/documents?counterparty=far%20away").await;
        assert_eq!(far["items"].as_array().unwrap().len(), 1);
        let none = get(&gw, &a.token, "/v1/documents?min_total=1656.26").await;
        assert_eq!(none["items"], json!([]));
        let all = get(&gw, &a.token, "/v1/documents?min_total=1656.25&max_total=1656.25&issued_from=2017-11-13&issued_to=2017-11-13").await;
        // Every sales invoice so far but the invalid one (its amount due is 99).
        assert_eq!(all["items"].as_array().unwrap().len(), 6, "{all}");
        let (status, body) = call(
            &gw,
            Method::GET,
            "/v1/documents?after=garbage",
            &a.token,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

        // The invoice in the other syntax.
        let cii = gw
            .client
            .get(gw.url(&format!("/v1/documents/{id}/invoice?format=cii")))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap();
        assert_eq!(cii.status(), StatusCode::OK);
        let cii = cii.text().await.unwrap();
        assert!(
            cii.contains("CrossIndustryInvoice") && cii.contains("INV-2017-001"),
            "{cii}"
        );
        let ubl = gw
            .client
            .get(gw.url(&format!("/v1/documents/{inbox_id}/invoice?format=ubl")))
            .bearer_auth(&b.token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            ubl.text().await.unwrap(),
            xml,
            "the original UBL, byte for byte"
        );

        // JSON of the model: read one, change its number, submit it back.
        let mut model = get(
            &gw,
            &a.token,
            &format!("/v1/documents/{id}/invoice?format=json"),
        )
        .await;
        assert_eq!(model["number"], "INV-2017-001", "{model}");
        assert_eq!(model["currency"], "EUR");
        assert_eq!(model["totals"]["due"]["raw"], "1656.25");
        model["number"] = json!("INV-JSON-1");
        let resp = gw
            .client
            .post(gw.url("/v1/documents?direction=sales&then=validate"))
            .bearer_auth(&a.token)
            .json(&model)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let from_json: Value = resp.json().await.unwrap();
        assert_eq!(from_json["state"], "validated", "{from_json}");
        assert_eq!(from_json["syntax"], "json");
        assert_eq!(from_json["invoice_number"], "INV-JSON-1");
        assert_eq!(from_json["total"], "1656.25");
        let resp = gw
            .client
            .post(gw.url("/v1/documents?direction=sales"))
            .bearer_auth(&a.token)
            .header("content-type", "application/json")
            .body(r#"{"number": 42}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains("column"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn uploads_of_several_files_land_where_their_content_allows() {
    for db in test_databases().await {
        let a = member(&db, "Alpha SA", "BE0123456749", "0208:0123456749");
        let gw = Gateway::start(&db);
        let xml = invoice("SUP-9", "0208", "0123456749", "Alpha SA").replace(
            r#"<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>
            <cac:PartyIdentification>
                <cbc:ID>99887766</cbc:ID>"#,
            r#"<cbc:EndpointID schemeID="0088">7300010000001</cbc:EndpointID>
            <cac:PartyIdentification>
                <cbc:ID>99887766</cbc:ID>"#,
        );
        let boundary = "gw-boundary-7";
        let mut body = Vec::new();
        for (name, ctype, bytes) in [
            ("scan.pdf", "application/pdf", b"%PDF-1.7 scanned".to_vec()),
            ("supplier.xml", "application/xml", xml.clone().into_bytes()),
            (
                "photo.png",
                "application/octet-stream",
                b"\x89PNG\r\n".to_vec(),
            ),
        ] {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {ctype}\r\n\r\n").as_bytes());
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let send = |body: Vec<u8>, key: &'static str| {
            gw.client
                .post(gw.url("/v1/documents?direction=purchase"))
                .bearer_auth(&a.token)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header("idempotency-key", key)
                .body(body)
                .send()
        };
        let resp = send(body.clone(), "batch-1").await.unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let batch: Value = resp.json().await.unwrap();
        let items = batch["items"].as_array().unwrap();
        let states: Vec<(&str, &str)> = items
            .iter()
            .map(|d| {
                (
                    d["media_type"].as_str().unwrap(),
                    d["state"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            states,
            [
                ("application/pdf", "needs_review"),
                ("application/xml", "received"),
                ("image/png", "needs_review")
            ]
        );
        assert_eq!(
            items[0]["status_reason"],
            "waiting for extraction: the original is kept"
        );
        assert_eq!(items[1]["invoice_number"], "SUP-9");
        assert_eq!(items[1]["counterparty_id"], "0088:7300010000001");
        // The same batch again: the same three documents.
        let again: Value = send(body, "batch-1").await.unwrap().json().await.unwrap();
        let ids = |v: &Value| -> Vec<Value> {
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["id"].clone())
                .collect()
        };
        assert_eq!(ids(&again), ids(&batch));
        let all = get(&gw, &a.token, "/v1/documents").await;
        assert_eq!(all["items"].as_array().unwrap().len(), 3);

        // Own imports auto-accepted once the member says so; a file for the document centre.
        let (status, _) = call(
            &gw,
            Method::PUT,
            "/v1/settings",
            &a.token,
            Some(json!({"auto_accept_own_imports": true})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, own, _) = submit(
            &gw,
            &a.token,
            "?direction=purchase",
            None,
            &xml.replace("SUP-9", "SUP-10"),
        )
        .await;
        assert_eq!(
            (status, own["state"].as_str()),
            (StatusCode::CREATED, Some("accepted")),
            "{own}"
        );
        assert_eq!(own["status_reason"], "auto-accepted (own_imports)");
        let resp = gw
            .client
            .post(gw.url("/v1/documents?direction=other&file_name=lease.pdf"))
            .bearer_auth(&a.token)
            .header("content-type", "application/pdf")
            .body("%PDF lease")
            .send()
            .await
            .unwrap();
        let other: Value = resp.json().await.unwrap();
        assert_eq!(
            (other["direction"].as_str(), other["state"].as_str()),
            (Some("other"), Some("received"))
        );
        let totals = get(&gw, &a.token, "/v1/documents/totals").await;
        let counts: Vec<(String, i64)> = totals
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["status"].as_str().unwrap().to_string(),
                    t["count"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            counts,
            [
                ("accepted".to_string(), 1),
                ("needs_review".to_string(), 2),
                ("received".to_string(), 2)
            ]
        );
    }
}
