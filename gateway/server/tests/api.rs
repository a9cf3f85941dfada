//! The HTTP API over real TLS, against the real binary, on every test database.
mod common;

use common::{cli_json, member_token, Gateway};
use gateway_testkit::{test_databases, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const PROBLEM: &str = "application/problem+json";

struct Tenant {
    company: Value,
    token: String,
}

/// Two member companies, each with a member token, and an admin token; made with the CLI.
fn seed(db: &TestDb) -> (String, Tenant, Tenant) {
    let admin = cli_json(
        db,
        &["token", "create", "--scope", "admin", "--label", "ops"],
    );
    let mut tenants = Vec::new();
    for (name, vat, pid) in [
        ("Alpha SA", "BE0123456749", "0208:0123456749"),
        ("Beta SRL", "RO18547290", "9947:ro18547290"),
    ] {
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
        tenants.push(Tenant { company, token });
    }
    let b = tenants.pop().unwrap();
    let a = tenants.pop().unwrap();
    (admin["token"].as_str().unwrap().to_string(), a, b)
}

async fn call(
    gw: &Gateway,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String, Value) {
    let mut req = gw.client.request(method, gw.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = resp.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, ctype, value)
}

async fn upload(
    gw: &Gateway,
    token: &str,
    query: &str,
    ctype: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let resp = gw
        .client
        .post(gw.url(&format!("/v1/documents{query}")))
        .bearer_auth(token)
        .header("content-type", ctype)
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

#[tokio::test]
async fn health_metrics_and_openapi_answer_over_tls() {
    for db in test_databases().await {
        let gw = Gateway::start(&db);
        let (status, _, body) = call(&gw, Method::GET, "/healthz", None, None).await;
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::OK, Some("ok"))
        );
        let (status, _, body) = call(&gw, Method::GET, "/readyz", None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body["database"], db.backend,
            "the server really runs on {}",
            db.backend
        );

        let metrics = gw.client.get(gw.url("/metrics")).send().await.unwrap();
        assert!(metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let text = metrics.text().await.unwrap();
        assert!(
            text.contains("# TYPE gateway_http_requests counter"),
            "{text}"
        );
        assert!(
            text.contains(
                r#"gateway_http_requests_total{method="GET",route="/healthz",status="200"} 1"#
            ),
            "{text}"
        );
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "not a sample line: {line}");
        }

        let (status, _, doc) = call(&gw, Method::GET, "/openapi.json", None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        assert!(doc["paths"]["/v1/documents/{id}"]["get"].is_object());
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    }
}

#[tokio::test]
async fn tokens_and_scopes_decide_what_a_caller_may_do() {
    for db in test_databases().await {
        let (admin, a, b) = seed(&db);
        let gw = Gateway::start(&db);
        let a_id = a.company["id"].as_str().unwrap();
        let b_id = b.company["id"].as_str().unwrap();

        // No token, a malformed one, a forged one: 401 with a problem document.
        for token in [
            None,
            Some("nonsense"),
            Some("gw_0011223344556677_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        ] {
            let (status, ctype, body) = call(&gw, Method::GET, "/v1/companies", token, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
            assert_eq!(ctype, PROBLEM);
            assert_eq!(body["type"], "urn:gateway:problem:unauthorized");
        }

        // Admin sees both companies; a member sees its own.
        let (_, _, all) = call(&gw, Method::GET, "/v1/companies", Some(&admin), None).await;
        assert_eq!(all.as_array().unwrap().len(), 2);
        let (_, _, mine) = call(&gw, Method::GET, "/v1/companies", Some(&a.token), None).await;
        assert_eq!(mine, json!([a.company]));
        let (_, _, me) = call(&gw, Method::GET, "/v1/me", Some(&a.token), None).await;
        assert_eq!(
            (me["scope"].as_str(), me["company_ids"].clone()),
            (Some("member"), json!([a_id]))
        );

        // Only the operator registers companies.
        let new = json!({"legal_name": "Gamma", "country": "NL", "peppol_ids": ["0106:12345678"]});
        let (status, _, body) = call(
            &gw,
            Method::POST,
            "/v1/companies",
            Some(&a.token),
            Some(new.clone()),
        )
        .await;
        assert_eq!(
            (status, body["type"].as_str()),
            (StatusCode::FORBIDDEN, Some("urn:gateway:problem:forbidden"))
        );
        let (status, _, gamma) =
            call(&gw, Method::POST, "/v1/companies", Some(&admin), Some(new)).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(
            gamma["identifiers"],
            json!([{"scheme": "iso6523-actorid-upis", "value": "0106:12345678"}])
        );
        let bad =
            json!({"legal_name": "Delta", "country": "NL", "peppol_ids": ["0208:0123456789"]});
        let (status, _, body) =
            call(&gw, Method::POST, "/v1/companies", Some(&admin), Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body["detail"].as_str().unwrap().contains("0208:0123456789"),
            "{body}"
        );

        // An accountant linked to A and B reads both and writes nothing.
        let (status, _, acc) = call(
            &gw,
            Method::POST,
            "/v1/tokens",
            Some(&admin),
            Some(json!({"scope": "accountant", "company_ids": [a_id, b_id], "label": "books"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let acc_token = acc["token"].as_str().unwrap().to_string();
        let (_, _, seen) = call(&gw, Method::GET, "/v1/companies", Some(&acc_token), None).await;
        assert_eq!(seen.as_array().unwrap().len(), 2);
        let (status, _) = upload(
            &gw,
            &acc_token,
            &format!("?company={a_id}"),
            "application/xml",
            b"<Invoice/>",
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A member makes member tokens for itself only.
        let (status, _, made) = call(
            &gw,
            Method::POST,
            "/v1/tokens",
            Some(&a.token),
            Some(json!({"scope": "member", "company_ids": [a_id], "label": "erp"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _, _) = call(
            &gw,
            Method::POST,
            "/v1/tokens",
            Some(&a.token),
            Some(json!({"scope": "admin", "label": "escalate"})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A revoked token stops working at once.
        let made_token = made["token"].as_str().unwrap();
        let made_id = made["info"]["id"].as_str().unwrap();
        assert_eq!(
            call(&gw, Method::GET, "/v1/me", Some(made_token), None)
                .await
                .0,
            StatusCode::OK
        );
        let (status, _, _) = call(
            &gw,
            Method::DELETE,
            &format!("/v1/tokens/{made_id}"),
            Some(&a.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(
            call(&gw, Method::GET, "/v1/me", Some(made_token), None)
                .await
                .0,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn documents_are_stored_as_received_and_journaled() {
    for db in test_databases().await {
        let (_admin, a, _b) = seed(&db);
        let gw = Gateway::start(&db);
        let xml = "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"><ID>Ș-1 €</ID></Invoice>".as_bytes();
        let (status, doc) = upload(
            &gw,
            &a.token,
            "?direction=purchase&file_name=inv.xml",
            "application/xml; charset=utf-8",
            xml,
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{doc}");
        assert_eq!(doc["state"], "received");
        assert_eq!(doc["media_type"], "application/xml");
        let id = doc["id"].as_str().unwrap();

        let original = gw
            .client
            .get(gw.url(&format!("/v1/documents/{id}/original")))
            .bearer_auth(&a.token)
            .send()
            .await
            .unwrap();
        assert_eq!(original.headers()["content-type"], "application/xml");
        assert_eq!(
            original.bytes().await.unwrap().as_ref(),
            xml,
            "byte for byte"
        );

        let (_, _, events) = call(
            &gw,
            Method::GET,
            &format!("/v1/documents/{id}/events"),
            Some(&a.token),
            None,
        )
        .await;
        let events = events.as_array().unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["to_state"], "received");
        assert_eq!(events[0]["detail"]["sha256"], doc["blob"]["sha256"]);

        // Paging: three more, walked two at a time, newest first, each once.
        let mut ids = vec![id.to_string()];
        for i in 0..3 {
            let (_, d) = upload(
                &gw,
                &a.token,
                "",
                "application/pdf",
                format!("%PDF-{i}").as_bytes(),
            )
            .await;
            ids.push(d["id"].as_str().unwrap().to_string());
        }
        let mut seen = Vec::new();
        let mut path = "/v1/documents?limit=2".to_string();
        loop {
            let (_, _, page) = call(&gw, Method::GET, &path, Some(&a.token), None).await;
            seen.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| d["id"].as_str().unwrap().to_string()),
            );
            match page["next"].as_str() {
                Some(next) => path = format!("/v1/documents?limit=2&after={next}"),
                None => break,
            }
        }
        ids.reverse();
        assert_eq!(seen, ids);

        let (status, body) = upload(&gw, &a.token, "", "text/html", b"<html/>").await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body["type"], "urn:gateway:problem:unsupported-media-type");
        let (status, body) = upload(&gw, &a.token, "", "application/xml", b"").await;
        assert_eq!(
            (status, body["type"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("urn:gateway:problem:empty-body")
            )
        );
    }
}

/// Accepts a purchase document through the API (an accepted purchase invoice is archived) and
/// waits until the archive has it.
async fn archive(_db: &TestDb, gw: &Gateway, admin: &str, doc_id: &str) {
    let (status, _, accepted) = call(
        gw,
        Method::POST,
        &format!("/v1/documents/{doc_id}/accept"),
        Some(admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    for _ in 0..100 {
        let (_, _, page) = call(
            gw,
            Method::GET,
            &format!("/v1/archive?ids={doc_id}"),
            Some(admin),
            None,
        )
        .await;
        if page["items"].as_array().is_some_and(|i| !i.is_empty()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("document {doc_id} was not archived within 10 s");
}

/// Walks every operation of the OpenAPI document with B's token against A's resources: nothing of
/// A's private data may show, and a resource of A's is `404` exactly like one that does not exist.
#[tokio::test]
async fn another_tenant_sees_nothing_on_any_endpoint() {
    for db in test_databases().await {
        let (admin, a, b) = seed(&db);
        let gw = Gateway::start(&db);
        let a_id = a.company["id"].as_str().unwrap().to_string();
        let (_, doc) = upload(
            &gw,
            &a.token,
            "",
            "application/xml",
            b"<Invoice><ID>ALPHA-SECRET-42</ID></Invoice>",
        )
        .await;
        let doc_id = doc["id"].as_str().unwrap().to_string();
        let (_, _, user) = call(
            &gw,
            Method::POST,
            "/v1/users",
            Some(&admin),
            Some(json!({"email": "ana@alpha.example", "name": "Ana", "company_id": a_id})),
        )
        .await;
        let user_id = user["id"].as_str().unwrap().to_string();
        let (_, _, tokens) = call(&gw, Method::GET, "/v1/tokens", Some(&a.token), None).await;
        let a_token_id = tokens[0]["id"].as_str().unwrap().to_string();
        let (status, _, contact) = call(
            &gw,
            Method::POST,
            "/v1/contacts",
            Some(&a.token),
            Some(json!({
            "role": "supplier", "legal_name": "Alpha Hidden Supplier", "country": "RO",
            "email": "ap@hidden.example", "vat_number": "RO99999999"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{contact}");
        let contact_id = contact["participant"]["id"].as_str().unwrap().to_string();
        let (status, _, import) = call(
            &gw,
            Method::GET,
            &format!("/v1/companies/{a_id}/import-address"),
            Some(&a.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{import}");
        let a_import_address = import["address"].as_str().unwrap().to_string();
        // A's archive: the document accepted and archived, an accountant invited, a feed.
        archive(&db, &gw, &admin, &doc_id).await;
        let (_, _, accountant) = call(
            &gw,
            Method::POST,
            "/v1/accountants",
            Some(&admin),
            Some(json!({"name": "Books & Co"})),
        )
        .await;
        let accountant_id = accountant["id"].as_str().unwrap().to_string();
        let (status, _, link) = call(
            &gw,
            Method::POST,
            "/v1/accountant-links",
            Some(&a.token),
            Some(json!({"accountant_id": accountant_id})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{link}");
        let link_id = link["id"].as_str().unwrap().to_string();
        let (status, _, connector) = call(
            &gw,
            Method::POST,
            "/v1/connectors",
            Some(&a.token),
            Some(json!({"kind": "feed"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{connector}");
        let connector_id = connector["connector"]["id"].as_str().unwrap().to_string();
        // Everything that would betray A. (A's name and Peppol id are public: members are in the
        // official directory and the SMP.)
        let secrets = [
            a_id.clone(),
            doc_id.clone(),
            user_id.clone(),
            a_token_id.clone(),
            contact_id.clone(),
            "ALPHA-SECRET-42".into(),
            "ana@alpha.example".into(),
            "Hidden Supplier".into(),
            "RO99999999".into(),
            a_import_address.clone(),
            link_id.clone(),
            connector_id.clone(),
        ];

        let (_, _, spec) = call(&gw, Method::GET, "/openapi.json", None, None).await;
        let mut walked = 0;
        for (path, ops) in spec["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                if matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics") {
                    continue;
                }
                let ids: Vec<&str> = if path.contains("/v1/tokens/") {
                    vec![&a_token_id]
                } else if path.contains("/v1/companies/") {
                    vec![&a_id]
                } else if path.contains("/v1/directory/") {
                    vec![&contact_id]
                } else if path.contains("/v1/accountant-links/") {
                    vec![&link_id]
                } else if path.contains("/v1/connectors/") {
                    vec![&connector_id]
                } else {
                    vec![&doc_id, &a_id, &user_id]
                };
                for id in ids {
                    let concrete = path.replace("{id}", id);
                    // (url, body, statuses B may get)
                    let not_found = &[StatusCode::NOT_FOUND][..];
                    let (url, body, allowed): (String, Option<Value>, &[StatusCode]) = match (
                        method.as_str(),
                        path.as_str(),
                    ) {
                        ("get", "/v1/directory") => {
                            (format!("{concrete}?q=alpha"), None, &[StatusCode::OK])
                        }
                        ("post", "/v1/directory") => (
                            concrete.clone(),
                            Some(json!({"legal_name": "Beta's Own Contact", "country": "BE"})),
                            &[StatusCode::CREATED],
                        ),
                        ("post", "/v1/directory/import") => (
                            format!("{concrete}?format=csv"),
                            None,
                            &[StatusCode::FORBIDDEN],
                        ),
                        ("post", "/v1/import/email") => {
                            (format!("{concrete}?company={a_id}"), None, not_found)
                        }
                        ("post", "/v1/documents") => {
                            (format!("{concrete}?company={a_id}"), None, not_found)
                        }
                        ("post", "/v1/users") => (
                            concrete.clone(),
                            Some(json!({"email": "x@b.example", "name": "X", "company_id": a_id})),
                            not_found,
                        ),
                        ("post", "/v1/tokens") => (
                            concrete.clone(),
                            Some(
                                json!({"scope": "member", "company_ids": [a_id], "label": "steal"}),
                            ),
                            not_found,
                        ),
                        ("post", "/v1/companies") => (
                            concrete.clone(),
                            Some(json!({"legal_name": "X", "country": "BE"})),
                            &[StatusCode::FORBIDDEN],
                        ),
                        ("post", "/v1/validate") => (
                            concrete.clone(),
                            None,
                            &[StatusCode::OK, StatusCode::UNPROCESSABLE_ENTITY],
                        ),
                        ("post", "/v1/contacts") => (
                            concrete.clone(),
                            Some(
                                json!({"role": "customer", "vat_number": "RO99999999", "company": a_id}),
                            ),
                            not_found,
                        ),
                        ("put", "/v1/settings") => (
                            format!("{concrete}?company={a_id}"),
                            Some(json!({"auto_accept_everything": true})),
                            not_found,
                        ),
                        ("get", "/v1/settings" | "/v1/dashboard" | "/v1/documents/totals") => {
                            (format!("{concrete}?company={a_id}"), None, not_found)
                        }
                        ("post", "/v1/accountants") => (
                            concrete.clone(),
                            Some(json!({"name": "X"})),
                            &[StatusCode::FORBIDDEN],
                        ),
                        ("post", "/v1/accountants/{id}/tokens") => (
                            concrete.clone(),
                            Some(json!({"label": "x"})),
                            &[StatusCode::FORBIDDEN],
                        ),
                        ("post", "/v1/accountant-links") => (
                            concrete.clone(),
                            Some(json!({"accountant_id": accountant_id, "company": a_id})),
                            not_found,
                        ),
                        ("post", "/v1/accountant-links/{id}/accept") => {
                            (concrete.clone(), None, &[StatusCode::FORBIDDEN])
                        }
                        ("get" | "post", "/v1/archive-checkpoints") => {
                            (concrete.clone(), None, &[StatusCode::FORBIDDEN])
                        }
                        ("post", "/v1/connectors") => (
                            concrete.clone(),
                            Some(json!({"kind": "feed", "company": a_id})),
                            not_found,
                        ),
                        ("post", "/v1/connectors/{id}/ack") => (
                            concrete.clone(),
                            Some(json!({"document_ids": [doc_id]})),
                            not_found,
                        ),
                        ("put", "/v1/documents/{id}/extraction") => (
                            concrete.clone(),
                            Some(json!({"fields": {"BT-1": "STOLEN"}})),
                            not_found,
                        ),
                        ("post", p) if p.contains("{id}") => (
                            concrete.clone(),
                            Some(json!({"reason": "not yours"})),
                            not_found,
                        ),
                        ("get" | "delete", p) if p.contains("{id}") => {
                            (concrete.clone(), None, not_found)
                        }
                        ("get", _) => (concrete.clone(), None, &[StatusCode::OK]),
                        other => {
                            panic!("{other:?} is not walked: add it to this tenant-isolation test")
                        }
                    };
                    let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                    let mut req = gw
                        .client
                        .request(m.clone(), gw.url(&url))
                        .bearer_auth(&b.token);
                    req = match body {
                        Some(b) => req.json(&b),
                        None if m == Method::POST => req
                            .header("content-type", "application/xml")
                            .body("<Invoice/>"),
                        None => req,
                    };
                    let resp = req.send().await.unwrap();
                    let status = resp.status();
                    let text = resp.text().await.unwrap();
                    for s in &secrets {
                        assert!(
                            !text.contains(s.as_str()),
                            "{method} {url} leaked `{s}`: {text}"
                        );
                    }
                    assert!(allowed.contains(&status), "{method} {url}: {status} {text}");
                    walked += 1;
                }
            }
        }
        assert!(walked >= 25, "walked only {walked} requests");

        // A's resources are intact and A still sees them.
        let (status, _, _) = call(
            &gw,
            Method::GET,
            &format!("/v1/documents/{doc_id}"),
            Some(&a.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = call(
            &gw,
            Method::GET,
            &format!("/v1/directory/{contact_id}"),
            Some(&a.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        // And a 404 for A's document looks exactly like one for a document that never existed.
        let (_, _, theirs) = call(
            &gw,
            Method::GET,
            &format!("/v1/documents/{doc_id}"),
            Some(&b.token),
            None,
        )
        .await;
        let (_, _, nothing) = call(
            &gw,
            Method::GET,
            "/v1/documents/00000000-0000-0000-0000-000000000000",
            Some(&b.token),
            None,
        )
        .await;
        assert_eq!(theirs, nothing);
    }
}

#[tokio::test]
async fn directory_search_import_and_adding_a_customer() {
    for db in test_databases().await {
        let (admin, a, b) = seed(&db);
        let gw = Gateway::start(&db);
        let csv = "legal_name,vat_number,country,peppol_ids,email\n\
                   Ștefan Trans SRL,RO14399840,RO,9947:RO14399840,\n\
                   Stefan Mobila SA,RO6859662,RO,,facturi@mobila.example\n\
                   Broken Row,,BE,0208:0123456789,\n";
        let resp = gw
            .client
            .post(gw.url("/v1/directory/import?format=csv"))
            .bearer_auth(&admin)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let report: Value = resp.json().await.unwrap();
        assert_eq!(
            (report["created"].as_u64(), report["updated"].as_u64()),
            (Some(2), Some(0)),
            "{report}"
        );
        assert_eq!(report["errors"][0]["line"], 4);

        // Accent-insensitive, by prefix, for any member.
        let (status, _, found) = call(
            &gw,
            Method::GET,
            "/v1/directory?q=%C8%99tef",
            Some(&b.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let mut names: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["legal_name"].as_str().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, vec!["Stefan Mobila SA", "Ștefan Trans SRL"]);
        let (_, _, by_id) = call(
            &gw,
            Method::GET,
            "/v1/directory?id=9947:ro14399840",
            Some(&b.token),
            None,
        )
        .await;
        assert_eq!(by_id[0]["delivery"], "peppol");
        let (status, _, _) = call(
            &gw,
            Method::GET,
            "/v1/directory?q=a&vat=b",
            Some(&b.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        // "Add a customer" by VAT number: the official data fills it in, and the gateway says so.
        let (status, _, added) = call(
            &gw,
            Method::POST,
            "/v1/contacts",
            Some(&a.token),
            Some(json!({"role": "customer", "vat_number": "ro 6859662"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["prefilled"], true);
        assert!(added["message"]
            .as_str()
            .unwrap()
            .starts_with("Official information of this customer is available"));
        assert_eq!(added["participant"]["delivery"], "email");
        assert_eq!(added["participant"]["email"], "facturi@mobila.example");
        // A member found by Peppol id is delivered on the gateway.
        let (_, _, member) = call(
            &gw,
            Method::POST,
            "/v1/contacts",
            Some(&a.token),
            Some(json!({"role": "customer", "peppol_id": "9947:RO18547290"})),
        )
        .await;
        assert_eq!(
            (
                member["participant"]["delivery"].as_str(),
                member["participant"]["member"].as_bool()
            ),
            (Some("gateway"), Some(true))
        );
        assert!(
            member["participant"]["member_company_id"].is_null(),
            "B's company id stays hidden from A"
        );
        // Unknown party without a name: a clear error.
        let (status, _, body) = call(
            &gw,
            Method::POST,
            "/v1/contacts",
            Some(&a.token),
            Some(json!({"role": "supplier", "vat_number": "FR00000000000"})),
        )
        .await;
        assert_eq!(
            (status, body["type"].as_str()),
            (
                StatusCode::BAD_REQUEST,
                Some("urn:gateway:problem:unknown-party")
            )
        );

        let (_, _, contacts) = call(&gw, Method::GET, "/v1/contacts", Some(&a.token), None).await;
        assert_eq!(contacts.as_array().unwrap().len(), 2);
        let (_, _, none) = call(&gw, Method::GET, "/v1/contacts", Some(&b.token), None).await;
        assert_eq!(none, json!([]));
    }
}

#[tokio::test]
async fn every_error_is_a_problem_document() {
    for db in test_databases().await {
        let (admin, a, _b) = seed(&db);
        let gw = Gateway::start_with(&db, &[("GATEWAY_HTTP__MAX_BODY_BYTES", "1024")]);

        let (status, ctype, body) = call(&gw, Method::GET, "/no/such/route", None, None).await;
        assert_eq!((status, ctype.as_str()), (StatusCode::NOT_FOUND, PROBLEM));
        assert_eq!(body["type"], "urn:gateway:problem:not-found");

        let (status, ctype, body) = call(&gw, Method::PUT, "/healthz", None, None).await;
        assert_eq!(
            (status, ctype.as_str()),
            (StatusCode::METHOD_NOT_ALLOWED, PROBLEM)
        );
        assert_eq!(body["type"], "urn:gateway:problem:method-not-allowed");

        let (status, body) = upload(&gw, &a.token, "", "application/xml", &vec![b'x'; 4096]).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(body["type"], "urn:gateway:problem:payload-too-large");

        let resp = gw
            .client
            .post(gw.url("/v1/companies"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"legal_name\": 3")
            .send()
            .await
            .unwrap();
        let status = resp.status();
        assert_eq!(resp.headers()["content-type"], PROBLEM);
        let body: Value = resp.json().await.unwrap();
        assert!(status.is_client_error(), "{status}");
        assert!(
            body["detail"].as_str().unwrap().contains("line 1"),
            "the parser's location is kept: {body}"
        );

        let (status, _, body) = call(
            &gw,
            Method::POST,
            "/v1/companies",
            Some(&admin),
            Some(json!({"legal_name": "X", "country": "BE", "colour": "red"})),
        )
        .await;
        assert!(status.is_client_error());
        assert!(
            body["detail"].as_str().unwrap().contains("colour"),
            "{body}"
        );

        // The same VAT number twice is a conflict, not a crash.
        let dup =
            json!({"legal_name": "Alpha again", "country": "BE", "vat_number": "BE0123456749"});
        let (status, _, body) =
            call(&gw, Method::POST, "/v1/companies", Some(&admin), Some(dup)).await;
        assert_eq!(
            (status, body["type"].as_str()),
            (StatusCode::CONFLICT, Some("urn:gateway:problem:conflict"))
        );

        // Every answer carries a request id.
        let resp = gw.client.get(gw.url("/healthz")).send().await.unwrap();
        assert_eq!(resp.headers()["x-request-id"].to_str().unwrap().len(), 36);
    }
}

#[tokio::test]
async fn validate_answers_members_and_when_enabled_anyone_within_a_rate() {
    let artefacts = gateway_testkit::shared("conformance").display().to_string();
    let base = std::fs::read(gateway_testkit::shared(
        "conformance/peppol-bis3/rules/examples/base-example.xml",
    ))
    .unwrap();
    let broken =
        String::from_utf8(base.clone())
            .unwrap()
            .replacen("<cbc:ID>Snippet1</cbc:ID>", "", 1);
    for db in test_databases().await {
        let (_admin, a, _b) = seed(&db);
        let gw = Gateway::start(&db);
        let post = |token: Option<&str>, body: Vec<u8>, query: &str| {
            let mut req = gw
                .client
                .post(gw.url(&format!("/v1/validate{query}")))
                .header("content-type", "application/xml")
                .body(body);
            if let Some(t) = token {
                req = req.bearer_auth(t.to_string());
            }
            req.send()
        };
        let resp = post(Some(&a.token), base.clone(), "").await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let report: Value = resp.json().await.unwrap();
        assert_eq!(
            (
                report["valid"].as_bool(),
                report["rules"].as_str(),
                report["document"].as_str()
            ),
            (Some(true), Some("peppol"), Some("Invoice"))
        );
        let resp = post(
            Some(&a.token),
            broken.clone().into_bytes(),
            "?rules=en16931",
        )
        .await
        .unwrap();
        let report: Value = resp.json().await.unwrap();
        assert_eq!(report["valid"], false);
        assert_eq!(report["rules"], "en16931");
        assert!(
            report["fatal"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["id"] == "BR-02"),
            "{report}"
        );
        let resp = post(Some(&a.token), b"<not xml".to_vec(), "")
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(resp.headers()["content-type"], PROBLEM);
        // Anonymous callers only when the operator says so.
        assert_eq!(
            post(None, base.clone(), "").await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        drop(gw);

        let gw = Gateway::start_with(
            &db,
            &[
                ("GATEWAY_VALIDATE__PUBLIC", "true"),
                ("GATEWAY_VALIDATE__PUBLIC_PER_MINUTE", "2"),
                ("GATEWAY_VALIDATE__ARTEFACTS", &artefacts),
            ],
        );
        let anon = |body: Vec<u8>| {
            gw.client
                .post(gw.url("/v1/validate"))
                .header("content-type", "application/xml")
                .body(body)
                .send()
        };
        let first = anon(base.clone()).await.unwrap();
        assert_eq!(first.status(), StatusCode::OK);
        // With the artefacts configured, the schema is checked too.
        let report: Value = first.json().await.unwrap();
        assert_eq!(
            (
                report["xsd"]["checked"].as_bool(),
                report["xsd"]["valid"].as_bool()
            ),
            (Some(true), Some(true)),
            "{report}"
        );
        assert_eq!(anon(base.clone()).await.unwrap().status(), StatusCode::OK);
        let limited = anon(base.clone()).await.unwrap();
        assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
        let body: Value = limited.json().await.unwrap();
        assert_eq!(body["type"], "urn:gateway:problem:rate-limited");
        // Members are not limited by the anonymous quota.
        let resp = gw
            .client
            .post(gw.url("/v1/validate"))
            .bearer_auth(&a.token)
            .header("content-type", "application/xml")
            .body(base.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
}

/// An accountant organisation's token sees the archives of the companies linked to it (invited
/// by the company, accepted by the accountant) and nothing else; unlinked, it sees nothing.
#[tokio::test]
async fn an_accountant_sees_the_archives_of_linked_companies_only() {
    for db in test_databases().await {
        let (admin, a, b) = seed(&db);
        let gw = Gateway::start_with(&db, &[("GATEWAY_ARCHIVE__POLL_INTERVAL_MS", "100")]);
        let mut docs = Vec::new();
        for (tenant, secret) in [(&a, "ALPHA-ARCHIVED-7"), (&b, "BETA-ARCHIVED-8")] {
            let xml = format!("<Invoice><ID>{secret}</ID></Invoice>");
            let (_, doc) = upload(&gw, &tenant.token, "", "application/xml", xml.as_bytes()).await;
            let id = doc["id"].as_str().unwrap().to_string();
            archive(&db, &gw, &admin, &id).await;
            docs.push(id);
        }
        let mut accountants = Vec::new();
        for name in ["Books & Co", "Other Books"] {
            let (status, _, acc) = call(
                &gw,
                Method::POST,
                "/v1/accountants",
                Some(&admin),
                Some(json!({"name": name})),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{acc}");
            let id = acc["id"].as_str().unwrap().to_string();
            let (status, _, token) = call(
                &gw,
                Method::POST,
                &format!("/v1/accountants/{id}/tokens"),
                Some(&admin),
                Some(json!({"label": name})),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED, "{token}");
            assert_eq!(token["info"]["scope"], "accountant");
            accountants.push((id, token["token"].as_str().unwrap().to_string()));
        }
        let (books_id, books) = &accountants[0];
        let (other_id, other) = &accountants[1];
        // Both companies invite Books; B also invites Other, which never accepts.
        let mut links = Vec::new();
        for (tenant, acc) in [(&a, books_id), (&b, books_id), (&b, other_id)] {
            let (status, _, link) = call(
                &gw,
                Method::POST,
                "/v1/accountant-links",
                Some(&tenant.token),
                Some(json!({"accountant_id": acc})),
            )
            .await;
            assert_eq!(
                (status, link["status"].as_str()),
                (StatusCode::CREATED, Some("invited")),
                "{link}"
            );
            links.push(link["id"].as_str().unwrap().to_string());
        }
        let ids = |page: &Value| -> Vec<String> {
            let mut v: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["document_id"].as_str().unwrap().to_string())
                .collect();
            v.sort();
            v
        };
        let mut both = docs.clone();
        both.sort();
        // Invited is not linked yet.
        let (_, _, page) = call(&gw, Method::GET, "/v1/archive", Some(books), None).await;
        assert!(ids(&page).is_empty(), "{page}");
        // A member cannot accept for the accountant; Other cannot accept Books' invitation.
        let (status, _, _) = call(
            &gw,
            Method::POST,
            &format!("/v1/accountant-links/{}/accept", links[0]),
            Some(&a.token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = call(
            &gw,
            Method::POST,
            &format!("/v1/accountant-links/{}/accept", links[0]),
            Some(other),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for link in &links[..2] {
            let (status, _, body) = call(
                &gw,
                Method::POST,
                &format!("/v1/accountant-links/{link}/accept"),
                Some(books),
                None,
            )
            .await;
            assert_eq!(
                (status, body["status"].as_str()),
                (StatusCode::OK, Some("active")),
                "{body}"
            );
        }
        // Linked to both: Books sees both companies' archives, reads and exports them.
        let (_, _, page) = call(&gw, Method::GET, "/v1/archive", Some(books), None).await;
        assert_eq!(ids(&page), both);
        for id in &docs {
            let (status, _, detail) = call(
                &gw,
                Method::GET,
                &format!("/v1/archive/{id}"),
                Some(books),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{detail}");
            let resp = gw
                .client
                .get(gw.url(&format!("/v1/archive/{id}/original")))
                .bearer_auth(books)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert!(String::from_utf8(resp.bytes().await.unwrap().to_vec())
                .unwrap()
                .contains("ARCHIVED"));
        }
        let (_, _, mine) = call(&gw, Method::GET, "/v1/accountant-links", Some(books), None).await;
        assert_eq!(mine.as_array().unwrap().len(), 2);
        // …and nothing else: not the documents outside the archive, not the companies' data.
        for path in [
            "/v1/documents",
            "/v1/companies",
            "/v1/users",
            "/v1/contacts",
        ] {
            let (status, _, body) = call(&gw, Method::GET, path, Some(books), None).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert!(
                !body.to_string().contains(&docs[0]) && !body.to_string().contains("Alpha SA"),
                "{path}: {body}"
            );
        }
        let (status, _, _) = call(
            &gw,
            Method::GET,
            &format!("/v1/documents/{}", docs[0]),
            Some(books),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Other (invited, never accepted) sees neither, on every read of the API.
        let secrets = [
            docs[0].as_str(),
            docs[1].as_str(),
            "ALPHA-ARCHIVED-7",
            "BETA-ARCHIVED-8",
        ];
        let (_, _, spec) = call(&gw, Method::GET, "/openapi.json", None, None).await;
        let mut walked = 0;
        for (path, ops) in spec["paths"].as_object().unwrap() {
            if !ops.as_object().unwrap().contains_key("get")
                || path.starts_with("/v1/directory")
                || !path.starts_with("/v1/")
            {
                continue;
            }
            for id in &docs {
                let url = path.replace("{id}", id);
                let resp = gw
                    .client
                    .get(gw.url(&url))
                    .bearer_auth(other)
                    .send()
                    .await
                    .unwrap();
                let status = resp.status();
                let text = String::from_utf8_lossy(&resp.bytes().await.unwrap()).to_string();
                for s in secrets {
                    assert!(
                        !text.contains(s),
                        "GET {url} leaked `{s}` to an unlinked accountant: {text}"
                    );
                }
                assert!(
                    [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND]
                        .contains(&status),
                    "GET {url}: {status}"
                );
                walked += 1;
            }
        }
        assert!(walked >= 20, "walked only {walked}");

        // A unlinks: Books keeps B only. Books unlinks B itself: it sees neither.
        let (status, _, body) = call(
            &gw,
            Method::DELETE,
            &format!("/v1/accountant-links/{}", links[0]),
            Some(&a.token),
            None,
        )
        .await;
        assert_eq!(
            (status, body["unlinked_by"].as_str()),
            (StatusCode::OK, Some("company")),
            "{body}"
        );
        let (_, _, page) = call(&gw, Method::GET, "/v1/archive", Some(books), None).await;
        assert_eq!(ids(&page), vec![docs[1].clone()]);
        let (status, _, _) = call(
            &gw,
            Method::GET,
            &format!("/v1/archive/{}", docs[0]),
            Some(books),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, body) = call(
            &gw,
            Method::DELETE,
            &format!("/v1/accountant-links/{}", links[1]),
            Some(books),
            None,
        )
        .await;
        assert_eq!(
            (status, body["unlinked_by"].as_str()),
            (StatusCode::OK, Some("accountant")),
            "{body}"
        );
        let (_, _, page) = call(&gw, Method::GET, "/v1/archive", Some(books), None).await;
        assert!(ids(&page).is_empty(), "{page}");
    }
}
