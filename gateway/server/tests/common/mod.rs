//! Starts the real `gateway` binary on an ephemeral port and talks to it over TLS.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use gateway_testkit::TestDb;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_gateway");

/// Runs a `gateway` admin command against the test database.
pub fn cli(db: &TestDb, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .arg("--data-dir")
        .arg(db.data_dir())
        .arg("--database-url")
        .arg(&db.url)
        .env_remove("RUST_LOG")
        .output()
        .expect("run gateway")
}

/// Runs an admin command with `--format json` and parses what it printed.
pub fn cli_json(db: &TestDb, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let out = cli(db, &all);
    assert!(
        out.status.success(),
        "gateway {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

pub struct Gateway {
    pub child: Child,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// Everything the server logged, collected in the background.
    pub log: mpsc::Receiver<String>,
}

impl Gateway {
    pub fn start(db: &TestDb) -> Gateway {
        Self::start_with(db, &[])
    }

    /// Starts `gateway serve` with extra environment variables, waiting for its listen line.
    pub fn start_with(db: &TestDb, env: &[(&str, &str)]) -> Gateway {
        Self::start_on(db, "127.0.0.1:0", env)
    }

    /// [`Gateway::start_with`] on a given address (to restart on the same port).
    pub fn start_on(db: &TestDb, listen: &str, env: &[(&str, &str)]) -> Gateway {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--listen", listen, "--data-dir"])
            .arg(db.data_dir())
            .arg("--database-url")
            .arg(&db.url)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn gateway serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let addr = loop {
            // Generous: a first start makes keys, and CI machines may be busy.
            match rx.recv_timeout(Duration::from_secs(90)) {
                Ok(line) => {
                    if let Some(rest) = line.split("listening on https://").nth(1) {
                        break rest.trim().parse().expect("listen address");
                    }
                    seen.push(line);
                }
                Err(e) => {
                    let _ = child.kill();
                    let status = child.try_wait().ok().flatten();
                    panic!(
                        "gateway did not start listening ({e}; exit {status:?}); it said:\n{}",
                        seen.join("\n")
                    );
                }
            }
        };
        let client = client_for(db.data_dir());
        Gateway {
            child,
            addr,
            client,
            log: rx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.addr.port())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client that trusts exactly the gateway's development CA.
pub fn client_for(data_dir: &Path) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = std::fs::read(data_dir.join("tls/ca.pem")).expect("development CA");
    let mut roots = rustls::RootCertStore::empty();
    use rustls::pki_types::pem::PemObject;
    for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&ca) {
        roots.add(cert.expect("CA PEM")).expect("CA cert");
    }
    let tls = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// Kills a child process however the test ends, so no server outlives its test.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends SIGTERM to a process.
pub fn sigterm(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// The DER of the first certificate of a PEM file.
pub fn cert_der(pem: &Path) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_file_iter(pem)
        .expect("PEM")
        .next()
        .expect("a certificate")
        .expect("certificate PEM")
        .to_vec()
}

/// GETs `path` with `token` and returns its JSON; any status but success fails the test.
pub async fn get_json(gw: &Gateway, token: &str, path: &str) -> Value {
    let resp = gw
        .client
        .get(gw.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
    resp.json().await.unwrap()
}

/// The document once its events include the extraction worker's, which runs off the request
/// path: a test that reads the state before then races the worker.
pub async fn extracted(gw: &Gateway, token: &str, id: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let events = get_json(gw, token, &format!("/v1/documents/{id}/events")).await;
        if events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "extraction")
        {
            return get_json(gw, token, &format!("/v1/documents/{id}")).await;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no extraction of {id}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A member token for `company_id`, made with `gateway token create` as an operator would.
pub fn member_token(db: &TestDb, company_id: &str, label: &str) -> String {
    let token = cli_json(
        db,
        &[
            "token",
            "create",
            "--scope",
            "member",
            "--company",
            company_id,
            "--label",
            label,
        ],
    );
    token["token"]
        .as_str()
        .expect("the token in the answer")
        .to_string()
}
