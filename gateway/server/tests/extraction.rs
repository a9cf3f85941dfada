//! Purchase PDFs read by the extraction worker of the real binary, on every test database: a
//! PDF with embedded XML fills the summary and is received; a text-layer PDF whose seller VAT
//! number fails its check waits in `needs_review` with the reasons.
mod common;

use common::{cli_json, extracted, get_json, member_token, Gateway};
use gateway_testkit::{shared_dir, test_databases, TestDb};
use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};
use serde_json::Value;

fn member(db: &TestDb) -> String {
    member_named(db, "Beta SRL", "RO", "RO18547290")
}

fn member_named(db: &TestDb, name: &str, country: &str, vat: &str) -> String {
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
        ],
    );
    let id = company["id"].as_str().unwrap().to_string();
    member_token(db, &id, name)
}

/// A one-page PDF whose text layer holds `lines` (Helvetica, one line each; a tab starts the next
/// table column, 80 pt apart from x = 250), no attachment.
pub fn text_pdf(lines: &[&str]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 11.into()]),
    ];
    let mut y = 780;
    for line in lines {
        for (k, cell) in line.split('\t').enumerate() {
            let x = if k == 0 { 50 } else { 170 + 80 * k as i64 };
            ops.push(Operation::new(
                "Tm",
                vec![1.into(), 0.into(), 0.into(), 1.into(), x.into(), y.into()],
            ));
            ops.push(Operation::new("Tj", vec![Object::string_literal(cell)]));
        }
        y -= 18;
    }
    ops.push(Operation::new("ET", vec![]));
    let content = doc.add_object(Stream::new(
        dictionary! {},
        Content { operations: ops }.encode().unwrap(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

pub async fn upload(gw: &Gateway, token: &str, name: &str, bytes: Vec<u8>) -> Value {
    let resp = gw
        .client
        .post(gw.url(&format!(
            "/v1/documents?direction=purchase&file_name={name}"
        )))
        .bearer_auth(token)
        .header("content-type", "application/pdf")
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    resp.json().await.unwrap()
}

const SAMPLE: &str = "zugferd-corpus/XML-Rechnung/FX/EN16931_1_Teilrechnung.pdf";

#[tokio::test]
async fn purchase_pdfs_are_extracted_off_the_request_path() {
    let truth: Value = serde_json::from_slice(
        &std::fs::read(
            shared_dir()
                .join("corpus/groundtruth")
                .join(format!("{}.json", SAMPLE.replace('/', "__"))),
        )
        .unwrap(),
    )
    .unwrap();
    let pdf = std::fs::read(shared_dir().join("corpus").join(SAMPLE)).unwrap();
    for db in test_databases().await {
        let token = member(&db);
        let gw = Gateway::start(&db);

        let stored = upload(&gw, &token, "teilrechnung.pdf", pdf.clone()).await;
        assert_eq!(stored["state"], "needs_review", "{stored}");
        let id = stored["id"].as_str().unwrap();
        let doc = extracted(&gw, &token, id).await;
        assert_eq!(doc["state"], "received", "{doc}");
        assert_eq!(doc["invoice_number"], truth["BT-1"]);
        assert_eq!(doc["issue_date"], truth["BT-2"]);
        assert_eq!(doc["currency"], truth["BT-5"]);
        assert_eq!(doc["total"], truth["BT-115"]);
        assert!(
            doc["counterparty_name"]
                .as_str()
                .is_some_and(|n| !n.is_empty()),
            "{doc}"
        );
        assert_eq!(doc["syntax"], "embedded-xml");

        // DE123456789: its check digit (MOD 11,10) would be 8.
        let bad = text_pdf(&[
            "Muster Lieferant GmbH",
            "USt-IdNr.: DE123456789",
            "Rechnung",
            "Rechnungsnummer: R-2024-117",
            "Rechnungsdatum: 12.03.2024",
            "Nettobetrag: 100,00 EUR",
            "MwSt 19%: 19,00 EUR",
            "Gesamtbetrag: 119,00 EUR",
        ]);
        let stored = upload(&gw, &token, "scan.pdf", bad).await;
        let id = stored["id"].as_str().unwrap();
        let doc = extracted(&gw, &token, id).await;
        assert_eq!(doc["state"], "needs_review", "{doc}");
        let reason = doc["status_reason"].as_str().unwrap_or_default();
        assert!(reason.starts_with("to review: "), "{doc}");
        assert!(reason.contains("BT-31"), "{doc}");
    }
}

#[tokio::test]
async fn an_extracted_pdf_of_an_invoice_already_there_is_a_duplicate() {
    let pdf = std::fs::read(shared_dir().join("corpus").join(SAMPLE)).unwrap();
    for db in test_databases().await {
        let token = member(&db);
        let gw = Gateway::start(&db);
        let first = upload(&gw, &token, "first.pdf", pdf.clone()).await;
        let first_id = first["id"].as_str().unwrap();
        assert_eq!(extracted(&gw, &token, first_id).await["state"], "received");
        let again = upload(&gw, &token, "again.pdf", pdf.clone()).await;
        let doc = extracted(&gw, &token, again["id"].as_str().unwrap()).await;
        assert_eq!(doc["state"], "needs_review", "{doc}");
        assert_eq!(doc["duplicate_of"], first_id, "{doc}");
    }
}

async fn put_fields(gw: &Gateway, token: &str, id: &str, fields: Value) -> (u16, Value) {
    let resp = gw
        .client
        .put(gw.url(&format!("/v1/documents/{id}/extraction")))
        .bearer_auth(token)
        .json(&serde_json::json!({ "fields": fields }))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn a_person_reviews_corrects_and_accepts_an_extracted_pdf() {
    for db in test_databases().await {
        let token = member(&db);
        let gw = Gateway::start(&db);
        let bad = text_pdf(&[
            "Muster Lieferant GmbH",
            "USt-IdNr.: DE123456789",
            "Rechnung",
            "Rechnungsnummer: R-2024-117",
            "Rechnungsdatum: 12.03.2024",
            "Bezeichnung\tMenge\tEinzelpreis\tMwSt\tBetrag",
            "Beratung\t2 Std\t50,00\t19 %\t100,00",
            "Nettobetrag: 100,00 EUR",
            "MwSt 19%: 19,00 EUR",
            "Gesamtbetrag: 119,00 EUR",
        ]);
        let stored = upload(&gw, &token, "scan.pdf", bad).await;
        let id = stored["id"].as_str().unwrap();
        extracted(&gw, &token, id).await;

        let x = get_json(&gw, &token, &format!("/v1/documents/{id}/extraction")).await;
        assert_eq!(x["status"], "done", "{x}");
        assert_eq!(x["source"], "text-layer", "{x}");
        let number = &x["fields"]["BT-1"];
        assert_eq!(number["value"], "R-2024-117", "{x}");
        assert_eq!(number["page"], 1, "{x}");
        assert!(number["box"]["x0"].as_f64().is_some(), "{x}");
        assert!(number["confidence"].as_f64().unwrap() > 0.0, "{x}");
        // The line table, read with its checks (2 x 50,00 = 100,00 = the net sum).
        let line = &x["lines"][0];
        assert_eq!(x["lines"].as_array().map(Vec::len), Some(1), "{x}");
        assert_eq!(line["BT-153"]["value"], "Beratung", "{x}");
        assert_eq!(line["BT-129"]["value"], "2.00", "{x}");
        assert_eq!(line["BT-130"]["value"], "HUR", "{x}");
        assert_eq!(line["BT-131"]["value"], "100.00", "{x}");
        assert!(line["BT-131"]["confidence"].as_f64().unwrap() >= 0.9, "{x}");
        let reasons: Vec<String> = x["review_reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect();
        assert!(reasons.iter().any(|r| r.starts_with("BT-31")), "{x}");

        // Accepting is possible from review, but first the person fixes what was wrong.
        let mut fix = serde_json::Map::new();
        fix.insert("BT-31".into(), "DE123456788".into());
        fix.insert("BT-27".into(), "Muster Lieferant GmbH".into());
        fix.insert("BT-44".into(), "Beta SRL".into());
        for r in &reasons {
            let term = r.split(':').next().unwrap();
            if !fix.contains_key(term) {
                let value = x["fields"][term]["value"].as_str().unwrap_or("1.00");
                fix.insert(term.into(), value.into());
            }
        }
        let (status, after) = put_fields(&gw, &token, id, Value::Object(fix)).await;
        assert_eq!(status, 200, "{after}");
        assert_eq!(after["review_reasons"], serde_json::json!([]), "{after}");
        assert_eq!(after["fields"]["BT-31"]["value"], "DE123456788");
        assert_eq!(after["fields"]["BT-31"]["confidence"], 1.0);
        let doc = get_json(&gw, &token, &format!("/v1/documents/{id}")).await;
        assert_eq!(doc["state"], "received", "{doc}");
        assert_eq!(doc["invoice_number"], "R-2024-117", "{doc}");
        assert_eq!(doc["counterparty_vat"], "DE123456788", "{doc}");

        // The corrected invoice is the document's UBL.
        let ubl = gw
            .client
            .get(gw.url(&format!("/v1/documents/{id}/invoice")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // With the line read from the page.
        assert!(ubl.contains("<cac:InvoiceLine>"), "{ubl}");
        assert!(ubl.contains("<cbc:Name>Beratung</cbc:Name>"), "{ubl}");
        assert!(
            ubl.contains("DE123456788") && ubl.contains("R-2024-117"),
            "{ubl}"
        );

        let accepted = gw
            .client
            .post(gw.url(&format!("/v1/documents/{id}/accept")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), 200);
        // Once accepted, the extraction is no longer corrected.
        let (status, _) = put_fields(&gw, &token, id, serde_json::json!({"BT-1": "X"})).await;
        assert_eq!(status, 409);

        // The supplier's next invoice names no buyer, which alone sends it to review; the
        // supplier memory (found by the VAT id read) supplies what the person confirmed. Another
        // company has no such memory: there the same file waits for a person.
        let next = text_pdf(&[
            "Muster Lieferant GmbH",
            "USt-IdNr.: DE123456788",
            "Rechnung",
            "Rechnungsnummer: R-2024-118",
            "Rechnungsdatum: 12.04.2024",
            "Nettobetrag: 200,00 EUR",
            "MwSt 19%: 38,00 EUR",
            "Gesamtbetrag: 238,00 EUR",
        ]);
        let other = member_named(&db, "Gamma SA", "BE", "BE0123456749");
        let elsewhere = upload(&gw, &other, "next.pdf", next.clone()).await;
        let elsewhere = extracted(&gw, &other, elsewhere["id"].as_str().unwrap()).await;
        assert_eq!(elsewhere["state"], "needs_review", "{elsewhere}");
        assert!(
            elsewhere["status_reason"]
                .as_str()
                .unwrap_or_default()
                .contains("BT-44"),
            "{elsewhere}"
        );
        let stored = upload(&gw, &token, "next.pdf", next).await;
        let next_id = stored["id"].as_str().unwrap();
        let doc = extracted(&gw, &token, next_id).await;
        assert_eq!(doc["state"], "received", "{doc}");
        assert_eq!(doc["invoice_number"], "R-2024-118", "{doc}");
        let x = get_json(&gw, &token, &format!("/v1/documents/{next_id}/extraction")).await;
        assert_eq!(x["fields"]["BT-44"]["value"], "Beta SRL", "{x}");
        let events = get_json(&gw, &token, &format!("/v1/documents/{next_id}/events")).await;
        let recalled = events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["actor"] == "extraction")
            .map(|e| e["detail"]["recalled"].clone())
            .unwrap_or_default();
        assert!(
            recalled
                .as_array()
                .is_some_and(|r| r.iter().any(|f| f == "BT-44")),
            "{events}"
        );
    }
}
