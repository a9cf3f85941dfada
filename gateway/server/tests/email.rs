//! E-mail import and sending against the real binary: SMTP on loopback with STARTTLS trusting the
//! development CA, lettre as the client, on every test database.
mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use common::{cli_json, extracted, get_json, member_token, Gateway};
use gateway_server::config::{OutboundEmailConfig, OutboundTls};
use gateway_testkit::{read_shared, test_databases, TestDb};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;

const DOMAIN: &str = "import.test";
const PDF: &str = "corpus/zugferd-corpus/XML-Rechnung/FX/EN16931_Einfach.pdf";
const UBL: &str = "conformance/peppol-bis3/rules/examples/base-example.xml";

struct Member {
    id: String,
    token: String,
}

fn member(db: &TestDb, name: &str) -> Member {
    let company = cli_json(db, &["company", "add", "--name", name, "--country", "BE"]);
    let id = company["id"].as_str().unwrap().to_string();
    let token = member_token(db, &id, name);
    Member { id, token }
}

fn start(db: &TestDb) -> (Gateway, SocketAddr) {
    start_with(db, &[])
}

fn start_with(db: &TestDb, extra: &[(&str, &str)]) -> (Gateway, SocketAddr) {
    let mut env = vec![
        ("GATEWAY_EMAIL__SMTP_LISTEN", "127.0.0.1:0"),
        ("GATEWAY_EMAIL__IMPORT_DOMAIN", DOMAIN),
    ];
    env.extend_from_slice(extra);
    let gw = Gateway::start_with(db, &env);
    let smtp = loop {
        let line = gw
            .log
            .recv_timeout(Duration::from_secs(30))
            .expect("the SMTP listener's address in the log");
        if let Some(rest) = line.split("smtp listening on ").nth(1) {
            let addr = rest.split_whitespace().next().unwrap();
            break addr.parse().expect("SMTP address");
        }
    };
    (gw, smtp)
}

async fn import_address(gw: &Gateway, m: &Member) -> String {
    let v = get_json(
        gw,
        &m.token,
        &format!("/v1/companies/{}/import-address", m.id),
    )
    .await;
    v["address"].as_str().unwrap().to_string()
}

async fn documents(gw: &Gateway, m: &Member) -> Vec<Value> {
    get_json(gw, &m.token, "/v1/documents").await["items"]
        .as_array()
        .unwrap()
        .clone()
}

async fn original(gw: &Gateway, m: &Member, id: &str) -> Vec<u8> {
    let resp = gw
        .client
        .get(gw.url(&format!("/v1/documents/{id}/original")))
        .bearer_auth(&m.token)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    resp.bytes().await.unwrap().to_vec()
}

fn lettre_client(db: &TestDb, smtp: SocketAddr) -> AsyncSmtpTransport<Tokio1Executor> {
    let ca = std::fs::read(db.data_dir().join("tls/ca.pem")).unwrap();
    let tls = TlsParameters::builder("localhost".into())
        .add_root_certificate(Certificate::from_pem(&ca).unwrap())
        .build_rustls()
        .unwrap();
    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("localhost")
        .port(smtp.port())
        .tls(Tls::Required(tls))
        .timeout(Some(Duration::from_secs(30)))
        .build()
}

fn invoice_mail(to: &str, pdf: &[u8], ubl: &[u8]) -> Message {
    Message::builder()
        .from("ap@supplier.example".parse().unwrap())
        .to(to.parse().unwrap())
        .subject("Invoice 12115118")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(
                    "Please find our invoice attached.".to_string(),
                ))
                .singlepart(
                    Attachment::new("invoice.pdf".into())
                        .body(pdf.to_vec(), ContentType::parse("application/pdf").unwrap()),
                )
                .singlepart(
                    Attachment::new("invoice.xml".into())
                        .body(ubl.to_vec(), ContentType::parse("application/xml").unwrap()),
                ),
        )
        .unwrap()
}

/// Asserts that `m` has exactly the PDF and the UBL as e-mailed purchase documents, byte for byte.
async fn assert_pdf_and_ubl(gw: &Gateway, m: &Member, pdf: &[u8], ubl: &[u8]) {
    let docs = documents(gw, m).await;
    assert_eq!(docs.len(), 2, "{docs:?}");
    for doc in &docs {
        assert_eq!(doc["direction"], "purchase");
        assert_eq!(doc["source"], "email");
        let id = doc["id"].as_str().unwrap();
        let bytes = original(gw, m, id).await;
        match doc["media_type"].as_str().unwrap() {
            "application/pdf" => {
                assert_eq!(bytes, pdf, "the PDF intact");
                assert_eq!(doc["file_name"], "invoice.pdf");
                // It waits for a person until the worker has read its embedded Factur-X.
                let done = extracted(gw, &m.token, id).await;
                assert_eq!(done["state"], "received", "{done}");
                assert_eq!(done["syntax"], "embedded-xml", "{done}");
            }
            "application/xml" => {
                assert_eq!(bytes, ubl, "the UBL intact");
                assert_eq!(doc["state"], "received", "a UBL invoice is read");
            }
            other => panic!("unexpected {other}"),
        }
    }
}

/// Reads one reply: its code and the text of all its lines.
fn read_reply(reader: &mut impl BufRead) -> (u16, String) {
    let mut text = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.len() >= 4, "short reply `{line}`");
        text.push(line[4..].trim_end().to_string());
        if line.as_bytes()[3] == b' ' {
            return (line[..3].parse().unwrap(), text.join("\n"));
        }
    }
}

/// A plain-text SMTP conversation, for what a polite client like lettre never does.
struct Raw {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Raw {
    fn connect(addr: SocketAddr) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut raw = Raw {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        };
        assert_eq!(raw.reply().0, 220);
        raw
    }

    fn reply(&mut self) -> (u16, String) {
        read_reply(&mut self.reader)
    }

    fn cmd(&mut self, line: &str) -> (u16, String) {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .unwrap();
        self.reply()
    }
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test]
async fn mail_to_an_import_address_becomes_purchase_documents() {
    let pdf = read_shared(PDF);
    let ubl = read_shared(UBL);
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let b = member(&db, "Beta SRL");
        let (gw, smtp) = start(&db);
        let a_address = import_address(&gw, &a).await;
        assert!(a_address.ends_with("@import.test"), "{a_address}");
        assert_eq!(a_address, import_address(&gw, &a).await, "stable");

        let client = lettre_client(&db, smtp);
        let mail = invoice_mail(&a_address, &pdf, &ubl);
        let sent = client.send(mail.clone()).await;
        let response = sent.expect("the gateway accepts the message");
        assert!(
            response.first_line().unwrap_or("").contains("stored 2"),
            "{response:?}"
        );
        assert_pdf_and_ubl(&gw, &a, &pdf, &ubl).await;
        assert!(documents(&gw, &b).await.is_empty(), "B sees none of it");
        let first = documents(&gw, &a).await[0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let events = get_json(&gw, &a.token, &format!("/v1/documents/{first}/events")).await;
        assert_eq!(events[0]["actor"], "email:ap@supplier.example", "{events}");

        // Delivered again (a sender retrying after a lost reply): nothing stored twice.
        let again = client.send(mail).await.unwrap();
        assert!(
            again.first_line().unwrap_or("").contains("stored 0"),
            "{again:?}"
        );

        // Unknown import code, or another domain: refused at RCPT.
        for to in ["nobody-xxxxxx@import.test", "someone@elsewhere.example"] {
            let err = client.send(invoice_mail(to, &pdf, &ubl)).await.unwrap_err();
            assert!(err.is_permanent(), "{to}: {err}");
            assert_eq!(
                err.status().map(|c| c.to_string()),
                Some("550".to_string()),
                "{to}: {err}"
            );
        }
        assert_eq!(documents(&gw, &a).await.len(), 2);

        // A message without anything to import is refused after DATA, so the sender learns.
        let mut raw = Raw::connect(smtp);
        assert_eq!(raw.cmd("EHLO test").0, 250);
        assert_eq!(raw.cmd("MAIL FROM:<a@b.example>").0, 250);
        assert_eq!(raw.cmd(&format!("RCPT TO:<{a_address}>")).0, 250);
        assert_eq!(raw.cmd("DATA").0, 354);
        let (code, text) = raw.cmd("Subject: hello\r\n\r\njust text\r\n.");
        assert_eq!(code, 554, "{text}");
        assert_eq!(raw.cmd("QUIT").0, 221);
    }
}

#[tokio::test]
async fn commands_sent_ahead_of_the_tls_handshake_are_dropped() {
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let (gw, smtp) = start(&db);
        let a_address = import_address(&gw, &a).await;
        let mut raw = Raw::connect(smtp);
        assert_eq!(raw.cmd("EHLO test").0, 250);
        // An attacker on the path appends plain-text commands behind STARTTLS.
        raw.writer
            .write_all(b"STARTTLS\r\nEHLO evil\r\nMAIL FROM:<evil@attacker.example>\r\n")
            .unwrap();
        assert_eq!(raw.reply().0, 220);

        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots = rustls::RootCertStore::empty();
        let ca = std::fs::read(db.data_dir().join("tls/ca.pem")).unwrap();
        use rustls::pki_types::pem::PemObject;
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&ca) {
            roots.add(cert.unwrap()).unwrap();
        }
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let conn = rustls::ClientConnection::new(
            std::sync::Arc::new(config),
            "localhost".try_into().unwrap(),
        )
        .unwrap();
        let mut tls = BufReader::new(rustls::StreamOwned::new(conn, raw.writer));
        let mut cmd = |line: &str| {
            tls.get_mut()
                .write_all(format!("{line}\r\n").as_bytes())
                .unwrap();
            read_reply(&mut tls)
        };
        let (code, text) = cmd(&format!("RCPT TO:<{a_address}>"));
        assert_eq!(code, 503, "the injected MAIL must not count: {text}");
        let (code, ehlo) = cmd("EHLO test");
        assert_eq!(code, 250);
        assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
        assert_eq!(cmd("STARTTLS").0, 503);
        assert_eq!(cmd("MAIL FROM:<ap@supplier.example>").0, 250);
        assert_eq!(cmd(&format!("RCPT TO:<{a_address}>")).0, 250);
        assert_eq!(cmd("QUIT").0, 221);
    }
}

#[tokio::test]
async fn a_message_that_cannot_be_spooled_is_deferred_not_lost() {
    let pdf = read_shared(PDF);
    let ubl = read_shared(UBL);
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let (gw, smtp) = start(&db);
        let a_address = import_address(&gw, &a).await;
        let mail = invoice_mail(&a_address, &pdf, &ubl);
        // The spool directory replaced by a file: nothing can be written there.
        let spool = db.data_dir().join("spool");
        std::fs::remove_dir(&spool).unwrap();
        std::fs::write(&spool, b"not a directory").unwrap();
        let err = lettre_client(&db, smtp)
            .send(mail.clone())
            .await
            .unwrap_err();
        assert!(err.is_transient(), "a 4xx so the sender retries: {err}");
        assert!(documents(&gw, &a).await.is_empty());
        std::fs::remove_file(&spool).unwrap();
        std::fs::create_dir(&spool).unwrap();
        lettre_client(&db, smtp)
            .send(mail)
            .await
            .expect("the retry");
        assert_pdf_and_ubl(&gw, &a, &pdf, &ubl).await;
    }
}

#[tokio::test]
async fn tls_can_be_required_and_sub_addresses_reach_the_company() {
    let pdf = read_shared(PDF);
    let ubl = read_shared(UBL);
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let (gw, smtp) = start_with(&db, &[("GATEWAY_EMAIL__REQUIRE_TLS", "true")]);
        let a_address = import_address(&gw, &a).await;
        let mut raw = Raw::connect(smtp);
        assert_eq!(raw.cmd("EHLO test").0, 250);
        assert_eq!(raw.cmd("MAIL FROM:<a@b.example>").0, 530);
        assert_eq!(raw.cmd("QUIT").0, 221);

        let (code, domain) = a_address.split_once('@').unwrap();
        let tagged = format!("{}+invoices@{}", code.to_uppercase(), domain);
        lettre_client(&db, smtp)
            .send(invoice_mail(&tagged, &pdf, &ubl))
            .await
            .expect("over STARTTLS, to a sub-address in capitals");
        assert_pdf_and_ubl(&gw, &a, &pdf, &ubl).await;
    }
}

#[tokio::test]
async fn a_message_over_the_limit_is_refused_without_being_held() {
    const MB: usize = 1024 * 1024;
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let (gw, smtp) = start(&db);
        let a_address = import_address(&gw, &a).await;
        let mut raw = Raw::connect(smtp);
        let (code, ehlo) = raw.cmd("EHLO test");
        assert_eq!(code, 250);
        assert!(ehlo.contains("STARTTLS"), "{ehlo}");

        // Announced with SIZE: refused at once, before any byte of it.
        let (code, text) = raw.cmd(&format!("MAIL FROM:<a@b.example> SIZE={}", 50 * MB));
        assert_eq!(code, 552, "{text}");

        // Not announced: 50 MB streamed, counted and dropped, then 552; the session goes on.
        let before = peak_rss_kib(gw.pid());
        assert_eq!(raw.cmd("MAIL FROM:<a@b.example>").0, 250);
        assert_eq!(raw.cmd(&format!("RCPT TO:<{a_address}>")).0, 250);
        assert_eq!(raw.cmd("DATA").0, 354);
        raw.writer
            .write_all(b"Subject: big\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n")
            .unwrap();
        let line = [b"QUJDRA".repeat(12).as_slice(), b"\r\n"].concat();
        let block = line.repeat(MB / line.len());
        let mut written = 0;
        while written < 50 * MB {
            raw.writer.write_all(&block).unwrap();
            written += block.len();
        }
        let (code, text) = raw.cmd(".");
        assert_eq!(code, 552, "{text}");
        let after = peak_rss_kib(gw.pid());
        let grown_mib = after.saturating_sub(before) / 1024;
        eprintln!(
            "peak RSS {} MiB before, {} MiB after the 50 MiB message",
            before / 1024,
            after / 1024
        );
        assert!(
            grown_mib < 16,
            "the server's peak RSS grew by {grown_mib} MiB"
        );
        assert_eq!(raw.cmd("RSET").0, 250);
        assert_eq!(raw.cmd("QUIT").0, 221);
        assert!(documents(&gw, &a).await.is_empty());
        // Nothing is left in the spool either.
        let spool: Vec<_> = std::fs::read_dir(db.data_dir().join("spool"))
            .unwrap()
            .collect();
        assert!(spool.is_empty(), "{spool:?}");
    }
}

#[tokio::test]
async fn raw_mime_over_the_api_for_operators_piping_from_their_mta() {
    let pdf = read_shared(PDF);
    let ubl = read_shared(UBL);
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let admin = cli_json(
            &db,
            &["token", "create", "--scope", "admin", "--label", "ops"],
        );
        let admin = admin["token"].as_str().unwrap();
        let gw = Gateway::start(&db);
        let mime = invoice_mail("x@import.test", &pdf, &ubl).formatted();
        let post = |token: &str, query: &str, body: Vec<u8>| {
            gw.client
                .post(gw.url(&format!("/v1/import/email{query}")))
                .bearer_auth(token)
                .header("content-type", "message/rfc822")
                .body(body)
                .send()
        };
        // The operator names the company; a member needs not.
        let resp = post(admin, &format!("?company={}", a.id), mime.clone())
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["documents"].as_array().unwrap().len(), 2, "{body}");
        let resp = post(admin, "", mime.clone()).await.unwrap();
        assert_eq!(resp.status(), 400, "the operator must name the company");
        let resp = post(&a.token, "", mime.clone()).await.unwrap();
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        assert!(
            body["documents"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["already_imported"] == true
                    && ["received", "needs_review"].contains(&d["state"].as_str().unwrap())),
            "{body}"
        );
        assert_pdf_and_ubl(&gw, &a, &pdf, &ubl).await;

        let resp = post(
            &a.token,
            "",
            b"Subject: hi\r\n\r\nno attachment\r\n".to_vec(),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 422);
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["type"], "urn:gateway:problem:unimportable-email");
    }
}

#[tokio::test]
async fn an_invoice_email_arrives_with_both_attachments_intact() {
    let pdf = read_shared(PDF);
    let ubl = read_shared(UBL);
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let (gw, smtp) = start(&db);
        let a_address = import_address(&gw, &a).await;
        let config = OutboundEmailConfig {
            relay: Some("localhost".into()),
            port: Some(smtp.port()),
            tls: OutboundTls::Starttls,
            ca_file: Some(db.data_dir().join("tls/ca.pem")),
            from: "Beta Invoicing <invoices@beta.example>".into(),
            ..Default::default()
        };
        gateway_server::email::send_invoice_email(
            &config,
            &a_address,
            "Invoice 12115118 from Beta",
            "Dear customer, our invoice is attached.",
            vec![
                ("invoice.pdf".into(), "application/pdf".into(), pdf.clone()),
                ("invoice.xml".into(), "application/xml".into(), ubl.clone()),
            ],
        )
        .await
        .expect("sent");
        assert_pdf_and_ubl(&gw, &a, &pdf, &ubl).await;

        // A refusal (5xx) is not retried and says who refused what.
        let err = gateway_server::email::send_invoice_email(
            &config,
            "nobody@elsewhere.example",
            "x",
            "x",
            Vec::new(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("after 1 attempt") && err.contains("550"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_relay_is_retried_then_reported() {
    // A port nobody listens on: bind, take the number, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = OutboundEmailConfig {
        relay: Some("127.0.0.1".into()),
        port: Some(port),
        tls: OutboundTls::None,
        attempts: 3,
        backoff_ms: 10,
        ..Default::default()
    };
    let err =
        gateway_server::email::send_invoice_email(&config, "a@b.example", "s", "b", Vec::new())
            .await
            .unwrap_err()
            .to_string();
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.contains("after 3 attempt"),
        "{err}"
    );
}

/// A company with a VAT number and a Peppol identifier, as the seller of [`alpha_invoice`].
fn seller(db: &TestDb) -> Member {
    let company = cli_json(
        db,
        &[
            "company",
            "add",
            "--name",
            "Alpha SA",
            "--country",
            "BE",
            "--vat",
            "BE0123456749",
            "--peppol-id",
            "0208:0123456749",
        ],
    );
    let id = company["id"].as_str().unwrap().to_string();
    let token = member_token(db, &id, "alpha");
    Member { id, token }
}

/// The Peppol BIS example invoice from Alpha SA to Gamma SRL (9947:ro18547290) with `pdf`
/// embedded as a supporting document.
fn alpha_invoice(number: &str, pdf: &[u8]) -> String {
    use base64::Engine as _;
    let base = String::from_utf8(read_shared(UBL)).unwrap();
    base.replace(
        r#"<cbc:EndpointID schemeID="0088">9482348239847239874</cbc:EndpointID>"#,
        r#"<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>"#,
    )
    .replace(
        r#"<cbc:EndpointID schemeID="0002">FR23342</cbc:EndpointID>"#,
        r#"<cbc:EndpointID schemeID="9947">ro18547290</cbc:EndpointID>"#,
    )
    .replace("SupplierOfficialName Ltd", "Alpha SA")
    .replace("Buyer Official Name", "Gamma SRL")
    .replace(
        "<cbc:ID>Snippet1</cbc:ID>",
        &format!("<cbc:ID>{number}</cbc:ID>"),
    )
    .replace(
        "    <cac:AccountingSupplierParty>",
        &format!(
            "    <cac:AdditionalDocumentReference><cbc:ID>{number}</cbc:ID><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode=\"application/pdf\" filename=\"{number}.pdf\">{}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>\n    <cac:AccountingSupplierParty>",
            base64::engine::general_purpose::STANDARD.encode(pdf)
        ),
    )
}

#[tokio::test]
async fn an_invoice_to_a_customer_who_receives_by_email_is_mailed_and_shown_delivered() {
    let pdf = read_shared(PDF);
    for db in test_databases().await {
        let a = seller(&db);
        // The customer's mailbox: another company's import address on this gateway, reached
        // through the gateway's own SMTP listener acting as the relay.
        let c = member(&db, "Gamma Mailbox");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
            .to_string();
        let ca = db.data_dir().join("tls/ca.pem").display().to_string();
        let listen = format!("127.0.0.1:{port}");
        let (gw, _) = start_with(
            &db,
            &[
                ("GATEWAY_EMAIL__SMTP_LISTEN", listen.as_str()),
                ("GATEWAY_EMAIL__OUTBOUND__RELAY", "localhost"),
                ("GATEWAY_EMAIL__OUTBOUND__PORT", port.as_str()),
                ("GATEWAY_EMAIL__OUTBOUND__CA_FILE", ca.as_str()),
                (
                    "GATEWAY_EMAIL__OUTBOUND__FROM",
                    "Alpha Invoicing <invoices@alpha.example>",
                ),
            ],
        );
        let mailbox = import_address(&gw, &c).await;
        let resp = gw
            .client
            .post(gw.url("/v1/directory"))
            .bearer_auth(&a.token)
            .json(
                &serde_json::json!({"legal_name": "Gamma SRL", "country": "RO",
                "peppol_ids": ["9947:ro18547290"], "delivery": "email", "email": mailbox}),
            )
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());

        let ubl = alpha_invoice("INV-E-1", &pdf);
        let resp = gw
            .client
            .post(gw.url("/v1/documents?direction=sales&then=send"))
            .bearer_auth(&a.token)
            .header("content-type", "application/xml")
            .body(ubl.clone())
            .send()
            .await
            .unwrap();
        let sent: Value = resp.json().await.unwrap();
        assert_eq!(sent["state"], "sent", "{sent}");
        assert_eq!(sent["deliveries"][0]["channel"], "email");
        let id = sent["id"].as_str().unwrap().to_string();

        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let doc = loop {
            let doc = get_json(&gw, &a.token, &format!("/v1/documents/{id}")).await;
            if doc["delivery_status"] != "queued" {
                break doc;
            }
            assert!(std::time::Instant::now() < deadline, "still queued: {doc}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(doc["delivery_status"], "delivered", "{doc}");
        let delivery = &doc["deliveries"][0];
        assert_eq!(delivery["recipient"], mailbox.as_str());
        let message_id = delivery["proof"]["message_id"].as_str().unwrap();
        assert!(
            message_id.starts_with('<') && message_id.ends_with("@alpha.example>"),
            "{message_id}"
        );
        let events = get_json(&gw, &a.token, &format!("/v1/documents/{id}/events")).await;
        assert!(
            events.to_string().contains("delivery_delivered"),
            "{events}"
        );

        // The customer's mailbox got the UBL byte for byte and the embedded PDF.
        assert_pdf_and_ubl_named(&gw, &c, &pdf, ubl.as_bytes(), "INV-E-1.pdf").await;
    }
}

/// Like [`assert_pdf_and_ubl`], for the names the gateway gives its own invoice e-mails.
async fn assert_pdf_and_ubl_named(
    gw: &Gateway,
    m: &Member,
    pdf: &[u8],
    ubl: &[u8],
    pdf_name: &str,
) {
    let docs = documents(gw, m).await;
    assert_eq!(docs.len(), 2, "{docs:?}");
    for doc in &docs {
        assert_eq!(doc["source"], "email");
        let bytes = original(gw, m, doc["id"].as_str().unwrap()).await;
        match doc["media_type"].as_str().unwrap() {
            "application/pdf" => {
                assert_eq!(bytes, pdf, "the PDF intact");
                assert_eq!(doc["file_name"], pdf_name);
            }
            "application/xml" => {
                assert_eq!(bytes, ubl, "the UBL intact");
            }
            other => panic!("unexpected {other}"),
        }
    }
}

/// A plain SMTP listener on loopback that keeps every message it is given (the edge of the
/// world: the reporting address's mail server).
fn smtp_sink() -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut out = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let _ = out.write_all(b"220 sink ESMTP\r\n");
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if cmd == "DATA" {
                        let _ = out.write_all(b"354 go on\r\n");
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if reader.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        let _ = tx.send(data);
                        b"250 kept\r\n"
                    } else if cmd == "QUIT" {
                        let _ = out.write_all(b"221 bye\r\n");
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = out.write_all(reply);
                    line.clear();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn the_action_report_goes_out_only_when_something_needs_action() {
    let pdf = read_shared(PDF);
    for db in test_databases().await {
        let a = member(&db, "Alpha SA");
        let (port, mails) = smtp_sink();
        let port = port.to_string();
        let (gw, _) = start_with(
            &db,
            &[
                ("GATEWAY_EMAIL__OUTBOUND__RELAY", "127.0.0.1"),
                ("GATEWAY_EMAIL__OUTBOUND__PORT", port.as_str()),
                ("GATEWAY_EMAIL__OUTBOUND__TLS", "none"),
                ("GATEWAY_EMAIL__OUTBOUND__REPORT_INTERVAL_SECS", "1"),
            ],
        );
        let resp = gw
            .client
            .put(gw.url("/v1/settings"))
            .bearer_auth(&a.token)
            .json(
                &serde_json::json!({"reporting_email": "books@alpha.example",
                "reporting_frequency": "daily"}),
            )
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());

        // Nothing needs action: several report runs, no e-mail.
        assert!(
            mails.recv_timeout(Duration::from_secs(3)).is_err(),
            "a report with nothing in it"
        );

        // A PDF waits for review: the next run reports it.
        let resp = gw
            .client
            .post(gw.url("/v1/documents?direction=purchase"))
            .bearer_auth(&a.token)
            .header("content-type", "application/pdf")
            .body(pdf.clone())
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{}", resp.status());
        let doc: Value = resp.json().await.unwrap();
        let mail = mails
            .recv_timeout(Duration::from_secs(30))
            .expect("the report");
        let parsed = mail_parser::MessageParser::default()
            .parse(mail.as_bytes())
            .unwrap();
        assert_eq!(
            parsed.subject(),
            Some("Daily report for Alpha SA: 1 item needs your action")
        );
        assert_eq!(
            parsed
                .to()
                .and_then(|t| t.first())
                .and_then(|a| a.address()),
            Some("books@alpha.example")
        );
        let body = parsed.body_text(0).unwrap();
        assert!(
            body.contains("Documents to review (1)") && body.contains(doc["id"].as_str().unwrap()),
            "{body}"
        );
    }
}
