//! The `gateway` process as an operator meets it: start-up, bad configuration, shutdown.
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{cli_json, sigterm, Gateway, BIN};
use gateway_testkit::test_databases;

/// Runs `gateway serve` expecting it to fail; returns (exit code, stderr).
fn serve_fails(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("serve")
        .arg("--data-dir")
        .arg(dir.path())
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "failing took {:?}",
        started.elapsed()
    );
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_clear_line(stderr: &str, needle: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    assert!(
        lines[0].contains(needle),
        "`{needle}` not named in: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unknown_configuration_key_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        "listen = \"127.0.0.1:0\"\n[http]\nmax_body_bytez = 10\n",
    )
    .unwrap();
    let (code, stderr) = serve_fails(&["--config", config.to_str().unwrap()], &[]);
    assert_eq!(code, Some(2));
    assert_one_clear_line(&stderr, "max_body_bytez");

    let (code, stderr) = serve_fails(&[], &[("GATEWAY_LISTN", "127.0.0.1:0")]);
    assert_eq!(code, Some(2));
    assert_one_clear_line(&stderr, "listn");
}

#[test]
fn port_in_use_is_one_line_and_exit_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (code, stderr) = serve_fails(&["--listen", &addr], &[]);
    assert_eq!(code, Some(2));
    assert_one_clear_line(&stderr, &addr);
}

#[test]
fn unreachable_database_is_one_line_and_exit_2() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let (code, stderr) = serve_fails(
        &[
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "postgres://gw:secret@127.0.0.1:1/gw",
        ],
        &[],
    );
    assert_eq!(code, Some(2));
    assert_one_clear_line(
        &stderr,
        "cannot connect to the database at postgres://gw:***@127.0.0.1:1/gw",
    );
    assert!(!stderr.contains("secret"), "password leaked: {stderr}");

    let (code, stderr) = serve_fails(
        &["--listen", "127.0.0.1:0", "--database-url", "mysql://x"],
        &[],
    );
    assert_eq!(code, Some(2));
    assert_one_clear_line(&stderr, "unsupported database URL");
}

#[test]
fn defaults_answer_healthz_over_https_within_5_seconds() {
    // No configuration at all besides a fresh data directory and a free port.
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let child = Command::new(BIN)
        .current_dir(dir.path())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = common::KillOnDrop(child);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let _entered = rt.enter();
    let mut answered = None;
    while started.elapsed() < Duration::from_secs(5) {
        // The CA appears in ./data/tls when the server generates its certificate.
        if dir.path().join("data/tls/cert.pem").exists() {
            let client = common::client_for(&dir.path().join("data"));
            if let Ok(resp) = rt.block_on(
                client
                    .get(format!("https://localhost:{port}/healthz"))
                    .send(),
            ) {
                answered = Some((resp.status(), started.elapsed()));
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, after) = answered.expect("no answer over HTTPS within 5 s");
    assert_eq!(status, 200);
    assert!(
        dir.path().join("data/gateway.db").exists(),
        "SQLite lives in ./data by default"
    );
    eprintln!("healthz answered {after:?} after start");
}

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish() {
    for db in test_databases().await {
        let admin = cli_json(
            &db,
            &["token", "create", "--scope", "admin", "--label", "ops"],
        );
        let company = cli_json(
            &db,
            &["company", "add", "--name", "Alpha SA", "--country", "BE"],
        );
        let mut gw = Gateway::start(&db);
        let token = admin["token"].as_str().unwrap().to_string();
        let company_id = company["id"].as_str().unwrap().to_string();

        // An upload whose body arrives in two parts, with SIGTERM in between.
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
        let body = reqwest::Body::wrap_stream(tokio_stream_from(rx));
        let request = gw
            .client
            .post(gw.url(&format!("/v1/documents?company={company_id}")))
            .bearer_auth(&token)
            .header("content-type", "application/xml")
            .body(body)
            .send();
        let in_flight = tokio::spawn(request);
        tx.send(Ok(b"<Invoice>".to_vec())).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        sigterm(gw.pid());
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.send(Ok(b"</Invoice>".to_vec())).await.unwrap();
        drop(tx);

        let resp = in_flight
            .await
            .unwrap()
            .expect("the in-flight request is answered");
        assert_eq!(resp.status(), 201, "{}", db.backend);
        let status = tokio::task::spawn_blocking(move || gw.child.wait().unwrap())
            .await
            .unwrap();
        assert_eq!(status.code(), Some(0), "clean exit after SIGTERM");
    }
}

/// A stream over a channel's receiver, for a request body sent in parts.
fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

#[test]
fn every_command_has_help_with_an_example() {
    for args in [
        vec!["serve"],
        vec!["openapi"],
        vec!["convert"],
        vec!["validate"],
        vec!["migrate"],
        vec!["company", "add"],
        vec!["company", "list"],
        vec!["token", "create"],
        vec!["token", "list"],
        vec!["token", "revoke"],
        vec!["user", "add"],
        vec!["user", "list"],
        vec!["directory", "add"],
        vec!["directory", "import"],
        vec!["directory", "search"],
        vec!["conformance", "run"],
    ] {
        let out = Command::new(BIN)
            .args(&args)
            .arg("--help")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{args:?}");
        assert!(
            text.contains("Example"),
            "{args:?} --help has no example:\n{text}"
        );
    }
}

#[tokio::test]
async fn admin_commands_print_json_a_script_can_read() {
    for db in test_databases().await {
        let migrated = cli_json(&db, &["migrate"]);
        assert_eq!(migrated["database"], db.backend);
        let company = cli_json(
            &db,
            &[
                "company",
                "add",
                "--name",
                "Ștefan SRL",
                "--country",
                "RO",
                "--vat",
                "RO18547290",
                "--peppol-id",
                "9947:RO18547290",
            ],
        );
        let listed = cli_json(&db, &["company", "list"]);
        assert_eq!(listed, serde_json::json!([company]));
        let user = cli_json(
            &db,
            &[
                "user",
                "add",
                "--email",
                "ana@stefan.example",
                "--name",
                "Ana",
                "--company",
                company["id"].as_str().unwrap(),
            ],
        );
        assert_eq!(cli_json(&db, &["user", "list"]), serde_json::json!([user]));
        let token = cli_json(
            &db,
            &[
                "token",
                "create",
                "--scope",
                "member",
                "--company",
                company["id"].as_str().unwrap(),
            ],
        );
        assert!(token["token"].as_str().unwrap().starts_with("gw_"));
        let listed = cli_json(&db, &["token", "list"]);
        assert_eq!(listed[0]["id"], token["info"]["id"]);
        assert!(
            listed[0].get("token").is_none(),
            "a listed token never shows its secret"
        );
        let revoked = cli_json(
            &db,
            &["token", "revoke", token["info"]["id"].as_str().unwrap()],
        );
        assert_eq!(revoked["revoked"], token["info"]["id"]);

        let out = common::cli(
            &db,
            &[
                "company",
                "add",
                "--name",
                "X",
                "--country",
                "BE",
                "--peppol-id",
                "0208:0123456789",
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        assert_one_clear_line(&String::from_utf8_lossy(&out.stderr), "0208:0123456789");
    }
}

#[tokio::test]
async fn directory_commands_add_import_and_search() {
    for db in test_databases().await {
        let added = cli_json(
            &db,
            &[
                "directory",
                "add",
                "--name",
                "Nordic Foods A/S",
                "--country",
                "dk",
                "--peppol-id",
                "0088:5798000000001",
            ],
        );
        assert_eq!(
            (
                added["created"].as_bool(),
                added["participant"]["delivery"].as_str()
            ),
            (Some(true), Some("peppol"))
        );

        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("parties.csv");
        std::fs::write(&csv, "legal_name,country,vat_number,peppol_ids\nȘtefan Trans SRL,RO,RO14399840,9947:ro14399840\nNordic Foods,DK,,0088:5798000000001\n").unwrap();
        let summary = cli_json(&db, &["directory", "import", csv.to_str().unwrap()]);
        assert_eq!(
            (summary["created"].as_u64(), summary["updated"].as_u64()),
            (Some(1), Some(1)),
            "{summary}"
        );

        let found = cli_json(&db, &["directory", "search", "stef", "tr"]);
        assert_eq!(found[0]["legal_name"], "Ștefan Trans SRL");
        let found = cli_json(&db, &["directory", "search", "--vat", "RO 14399840"]);
        assert_eq!(found.as_array().unwrap().len(), 1);

        // A bad file: the summary names file and line, and the exit code says it failed.
        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "legal_name,country,peppol_ids\nBroken,BE,0208:0123456789\n",
        )
        .unwrap();
        let out = common::cli(&db, &["directory", "import", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("bad.csv:2:"), "{stdout}");
        assert!(
            stdout.contains("imported 1 files: 0 added, 0 updated, 1 errors"),
            "{stdout}"
        );
    }
}

#[test]
fn convert_between_ubl_and_cii_through_files_and_pipes() {
    let dir = tempfile::tempdir().unwrap();
    let ubl = gateway_testkit::shared("conformance/peppol-bis3/rules/examples/base-example.xml");
    let cii = dir.path().join("base-cii.xml");
    let out = Command::new(BIN)
        .args(["convert", "--to", "cii"])
        .arg(&ubl)
        .arg("-o")
        .arg(&cii)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cii_text = std::fs::read_to_string(&cii).unwrap();
    assert!(cii_text.contains("CrossIndustryInvoice"), "{cii_text}");

    // Back to UBL through standard input and output.
    let mut child = Command::new(BIN)
        .args(["convert", "--to", "ubl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cii_text.as_bytes())
        .unwrap();
    let back = child.wait_with_output().unwrap();
    assert!(back.status.success());
    let back = String::from_utf8(back.stdout).unwrap();
    assert!(back.contains("<cbc:ID>Snippet1</cbc:ID>"), "{back}");

    // Bad input: one line with where, exit 2.
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, "<Invoice>\n  <cbc:ID>1</Invoice>").unwrap();
    let out = Command::new(BIN)
        .args(["convert", "--to", "cii"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_one_clear_line(&String::from_utf8_lossy(&out.stderr), "bad.xml");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("line 2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn validate_checks_the_xml_schema_when_artefacts_are_given() {
    let dir = tempfile::tempdir().unwrap();
    let artefacts = gateway_testkit::shared("conformance");
    let valid = gateway_testkit::shared("conformance/peppol-bis3/rules/examples/base-example.xml");
    let text = std::fs::read_to_string(&valid).unwrap();
    // Rules-valid, schema-invalid: the currency code moved before the issue date.
    let moved = text.replacen(
        "<cbc:IssueDate>",
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>\n<cbc:IssueDate>",
        1,
    );
    let line = moved
        .lines()
        .position(|l| l.contains("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>"))
        .unwrap()
        + 1;
    let bad = dir.path().join("out-of-order.xml");
    std::fs::write(&bad, &moved).unwrap();

    let out = Command::new(BIN)
        .args(["validate", "--format", "json", "--artefacts"])
        .arg(&artefacts)
        .arg(&valid)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["xsd"]["checked"], true);
    assert_eq!(lines[0]["xsd"]["valid"], true);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(
        lines[1]["fatal"].as_array().unwrap().len(),
        0,
        "{}",
        lines[1]
    );
    assert_eq!(lines[1]["xsd"]["valid"], false);
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["xsd"]["errors"][0]["line"], line, "{}", lines[1]);

    // The same through GATEWAY_ARTEFACTS; without any, the schema is not checked.
    let out = Command::new(BIN)
        .args(["validate", "--format", "json"])
        .env("GATEWAY_ARTEFACTS", &artefacts)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(BIN)
        .args(["validate", "--format", "json"])
        .env_remove("GATEWAY_ARTEFACTS")
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["xsd"]["checked"], false);

    // A directory without schemas is a usage error with one clear line.
    let out = Command::new(BIN)
        .args(["validate", "--artefacts"])
        .arg(dir.path())
        .arg(&valid)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_one_clear_line(&String::from_utf8_lossy(&out.stderr), "UBL-Invoice-2.1.xsd");
}

/// SVRL as Schematron tooling reads it: parsed with the peers' lxml, the
/// failed asserts carry the rule ids, flags, locations and texts.
#[test]
fn validate_writes_svrl_that_lxml_reads() {
    let dir = tempfile::tempdir().unwrap();
    let valid = gateway_testkit::shared("conformance/peppol-bis3/rules/examples/base-example.xml");
    let text = std::fs::read_to_string(&valid).unwrap();
    let broken = dir.path().join("no-number & <more>.xml");
    std::fs::write(&broken, text.replacen("<cbc:ID>Snippet1</cbc:ID>", "", 1)).unwrap();
    let out = Command::new(BIN)
        .args(["validate", "--rules", "en16931", "--format", "svrl"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svrl = dir.path().join("out.svrl");
    std::fs::write(&svrl, &out.stdout).unwrap();
    let script = r#"
import sys, json
from lxml import etree
ns = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
root = etree.parse(sys.argv[1]).getroot()
assert root.tag == "{http://purl.oclc.org/dsdl/svrl}schematron-output", root.tag
fa = [{"id": e.get("id"), "flag": e.get("flag"), "location": e.get("location"),
       "text": e.findtext("svrl:text", namespaces=ns)} for e in root.iterfind("svrl:failed-assert", ns)]
doc = root.find("svrl:active-pattern", ns).get("document")
print(json.dumps({"asserts": fa, "document": doc}))
"#;
    let py = Command::new(gateway_testkit::peers_python())
        .arg("-c")
        .arg(script)
        .arg(&svrl)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();
    assert!(v["document"]
        .as_str()
        .unwrap()
        .ends_with("no-number & <more>.xml"));
    let br02 = v["asserts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "BR-02")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(br02["flag"], "fatal");
    assert_eq!(br02["location"], "/Invoice");
    assert!(
        br02["text"].as_str().unwrap().starts_with("[BR-02]-"),
        "{br02}"
    );

    // One document per call.
    let out = Command::new(BIN)
        .args(["validate", "--format", "svrl"])
        .arg(&valid)
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_one_clear_line(&String::from_utf8_lossy(&out.stderr), "exactly one file");
}

#[test]
fn conformance_run_compares_with_the_oracle_per_source() {
    let suite = gateway_testkit::shared("conformance");
    let out = Command::new(BIN)
        .args(["conformance", "run", "--format", "json", "--suite"])
        .arg(&suite)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let sources = v["sources"].as_array().unwrap();
    let by = |name: &str| {
        sources
            .iter()
            .find(|s| s["source"] == name)
            .unwrap()
            .clone()
    };
    for (name, docs) in [
        ("en16931", 1179),
        ("peppol-bis3-2026.5", 589),
        ("cius-ro", 11),
    ] {
        let s = by(name);
        assert_eq!(
            (s["documents"].as_u64(), s["agree"].as_u64()),
            (Some(docs), Some(docs)),
            "{s}"
        );
    }
    let all = sources.iter().all(|s| s["agree"] == s["documents"]);
    assert_eq!(out.status.code(), Some(if all { 0 } else { 1 }));

    // One source by name, from GATEWAY_ARTEFACTS: text table and one summary line.
    let out = Command::new(BIN)
        .args(["conformance", "run", "--suite", "cius-ro"])
        .env("GATEWAY_ARTEFACTS", &suite)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .last()
            .unwrap()
            .starts_with("conformance: cius-ro 11/11"),
        "{text}"
    );

    // A suite whose oracle states another verdict: listed, exit 1.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("oracle")).unwrap();
    std::fs::create_dir_all(dir.path().join("cius-ro/examples")).unwrap();
    std::fs::copy(
        suite.join("cius-ro/examples/ubl_b2g_example0.xml"),
        dir.path().join("cius-ro/examples/ubl_b2g_example0.xml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("oracle/cius-ro.json"),
        r#"{"cius-ro/examples/ubl_b2g_example0.xml": {"fatal": ["BR-RO-010"], "warning": ["UBL-CR-681"]}}"#,
    )
    .unwrap();
    for src in ["en16931", "en16931-cii", "peppol-bis3-2026.5"] {
        std::fs::write(dir.path().join(format!("oracle/{src}.json")), "{}").unwrap();
    }
    let out = Command::new(BIN)
        .args(["conformance", "run", "--suite"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("cius-ro/examples/ubl_b2g_example0.xml: -BR-RO-010"),
        "{text}"
    );
    assert!(text.contains("cius-ro 0/1"), "{text}");

    let out = Command::new(BIN)
        .args(["conformance", "run", "--suite", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_one_clear_line(&String::from_utf8_lossy(&out.stderr), "--suite `nonsense`");
}

#[test]
fn validate_reports_rule_ids_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let valid = gateway_testkit::shared("conformance/peppol-bis3/rules/examples/base-example.xml");
    let text = std::fs::read_to_string(&valid).unwrap();
    // Without its invoice number (BT-1) the invoice breaks BR-02.
    let broken = dir.path().join("no-number.xml");
    std::fs::write(&broken, text.replacen("<cbc:ID>Snippet1</cbc:ID>", "", 1)).unwrap();
    let missing = dir.path().join("missing.xml");

    let out = Command::new(BIN)
        .args(["validate", "--format", "json"])
        .arg(&valid)
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one invalid file");
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (lines[0]["valid"].as_bool(), lines[0]["rules"].as_str()),
        (Some(true), Some("peppol"))
    );
    assert_eq!(lines[0]["syntax"], "ubl");
    let fatal: Vec<&str> = lines[1]["fatal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(fatal.contains(&"BR-02"), "{fatal:?}");
    assert!(
        lines[1]["fatal"][0]["location"]
            .as_str()
            .unwrap()
            .starts_with("/"),
        "{}",
        lines[1]
    );

    let out = Command::new(BIN)
        .args(["validate", "--rules", "en16931"])
        .arg(&valid)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid (ubl Invoice, rules en16931)"));

    let out = Command::new(BIN)
        .args(["validate"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "unreadable input");
    let out = Command::new(BIN)
        .args(["validate", "--rules", "nonsense"])
        .arg(&valid)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_one_clear_line(&String::from_utf8_lossy(&out.stderr), "--rules `nonsense`");
}
