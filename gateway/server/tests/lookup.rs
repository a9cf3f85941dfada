//! A receiver found through a real DNS server on loopback (NAPTR, as the SML publishes) that
//! points at this gateway's own SMP; the answer's signature and chain are checked.
mod common;

use common::{cli_json, Gateway};
use gateway_peppol::{naptr_name, ParticipantId};
use gateway_testkit::dns::{naptr, TestDns};
use gateway_testkit::{test_databases, TestDb};

const ZONE: &str = "sml.gateway.test";

/// Writes a configuration that points the lookup at the test DNS server and trusts the gateway's
/// development TLS certificate for its https SMP.
fn config(db: &TestDb, dns: std::net::SocketAddr) -> std::path::PathBuf {
    let path = db.data_dir().join("lookup.toml");
    let toml = format!(
        "[peppol]\nsml_zone = \"{ZONE}\"\ndns_servers = [\"{dns}\"]\nsmp_https_roots = [\"{}\"]\n",
        db.data_dir().join("tls/ca.pem").display()
    );
    std::fs::write(&path, toml).unwrap();
    path
}

async fn lookup(db: &TestDb, cfg: &std::path::Path, participant: &str) -> std::process::Output {
    let args: Vec<String> = ["lookup", participant, "--format", "json", "--config"]
        .iter()
        .map(|s| s.to_string())
        .chain([cfg.display().to_string()])
        .collect();
    let db_url = db.url.clone();
    let dir = db.data_dir().to_path_buf();
    // The DNS server runs on this runtime: wait for the command on another thread.
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(common::BIN)
            .args(&args)
            .arg("--data-dir")
            .arg(dir)
            .arg("--database-url")
            .arg(db_url)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_is_found_through_sml_dns_and_the_gateways_own_smp() {
    for db in test_databases().await {
        cli_json(
            &db,
            &[
                "company",
                "add",
                "--name",
                "Nordic Foods A/S",
                "--country",
                "DK",
                "--peppol-id",
                "0088:5798000000001",
            ],
        );
        let gw = Gateway::start(&db);
        let participant = ParticipantId::parse("0088:5798000000001").unwrap();
        let smp = format!("https://127.0.0.1:{}/smp", gw.addr.port());
        let dns = TestDns::start(
            ZONE,
            vec![naptr(
                &naptr_name(&participant, ZONE),
                60,
                "Meta:SMP",
                &format!("!^.*$!{smp}!"),
            )],
        )
        .await;
        let cfg = config(&db, dns.addr);

        let out = lookup(&db, &cfg, "0088:5798000000001").await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let found: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            found["endpoint_url"],
            format!("https://localhost:{}/as4", gw.addr.port()),
            "{found}"
        );
        assert_eq!(found["transport_profile"], "peppol-transport-as4-v2_0");
        assert!(
            found["smp_url"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{smp}/iso6523-actorid-upis%3A%3A0088")),
            "{found}"
        );
        assert!(
            found["certificate_subject"]
                .as_str()
                .unwrap()
                .contains("CN=PGW000001"),
            "{found}"
        );
        assert!(
            found["smp_signer"]
                .as_str()
                .unwrap()
                .contains("SMP development signer"),
            "{found}"
        );
        assert!(
            dns.queries()
                .iter()
                .any(|(name, _)| name.starts_with(&naptr_name(&participant, ZONE).to_lowercase())),
            "the answer came through DNS: {:?}",
            dns.queries()
        );

        // Nobody registered in the SML: a clear, final answer.
        let out = lookup(&db, &cfg, "0088:5790000435975").await;
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("0088:5790000435975") && !stderr.contains("try again"),
            "{stderr}"
        );

        // Without trusting the gateway's TLS CA the https SMP is refused, not silently accepted.
        std::fs::write(
            &cfg,
            format!(
                "[peppol]\nsml_zone = \"{ZONE}\"\ndns_servers = [\"{}\"]\n",
                dns.addr
            ),
        )
        .unwrap();
        let out = lookup(&db, &cfg, "0088:5798000000001").await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
