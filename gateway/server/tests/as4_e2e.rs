//! Two gateways on loopback: A finds B's member through SML (a DNS server on loopback) and B's
//! own SMP, and delivers an invoice over AS4 with each gateway's development Peppol PKI; the
//! receipt is kept by A and the invoice lands once in B's member inbox. With `as4.ec` on both,
//! B's SMP publishes the eDelivery AS4 2.0 EC endpoint too and A uses it (Ed25519, X25519).
mod common;

use std::time::Duration;

use common::{cli_json, Gateway};
use gateway_peppol::{naptr_name, ParticipantId};
use gateway_store::{As4Store, DatabaseUrl, NewOutbound, SqlStore, Store, Visibility};
use gateway_testkit::dns::{naptr, TestDns};
use gateway_testkit::{read_shared, test_databases, TestDb};

const ZONE: &str = "sml.gateway.test";
const SENDER: &str = "0208:0123456749";
const RECEIVER: &str = "0088:5798000000018";
const INVOICE: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1";
const BILLING: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

async fn store_of(db: &TestDb) -> SqlStore {
    let url = DatabaseUrl::parse(&db.url).unwrap();
    SqlStore::open(&url, SqlStore::default_blobs(url.backend(), db.data_dir()))
        .await
        .unwrap()
}

fn start_with_toml(db: &TestDb, toml: &str) -> Gateway {
    let path = db.data_dir().join("gateway.toml");
    std::fs::write(&path, toml).unwrap();
    Gateway::start_with(db, &[("GATEWAY_CONFIG", path.to_str().unwrap())])
}

/// How A finds B's endpoint.
#[derive(Clone, Copy, PartialEq)]
enum Found {
    /// SML (DNS on loopback) and B's SMP.
    Lookup,
    /// An `as4.static_endpoints` entry naming B's URL, certificate and profile; no SML.
    Static,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_exchange_an_invoice_found_through_sml_and_smp() {
    exchange(false, Found::Lookup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_exchange_an_invoice_with_the_ec_profile() {
    exchange(true, Found::Lookup).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_static_endpoint_with_the_ec_profile_is_sent_to_in_that_profile() {
    exchange(true, Found::Static).await;
}

async fn exchange(ec: bool, found: Found) {
    let (dbs_a, dbs_b) = (test_databases().await, test_databases().await);
    for (a, b) in dbs_a.iter().zip(dbs_b.iter()) {
        let company_a = cli_json(
            a,
            &[
                "company",
                "add",
                "--name",
                "Seller SA",
                "--country",
                "BE",
                "--peppol-id",
                SENDER,
            ],
        );
        cli_json(
            b,
            &[
                "company",
                "add",
                "--name",
                "Buyer A/S",
                "--country",
                "DK",
                "--peppol-id",
                RECEIVER,
            ],
        );
        // A's first start makes its development PKIs, which B must trust.
        drop(start_with_toml(
            a,
            &format!("[as4]\nec = {ec}\nsend = false\n"),
        ));
        let a_cas = cas(a, ec);
        let gw_b = start_with_toml(
            b,
            &format!("[as4]\nec = {ec}\ntrust = {a_cas}\nsend = false\n"),
        );
        let smp = format!("https://127.0.0.1:{}/smp", gw_b.addr.port());
        let participant = ParticipantId::parse(RECEIVER).unwrap();
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
        let b_tls = b.data_dir().join("tls/ca.pem");
        let b_ca = b.data_dir().join("peppol/dev-ca.pem");
        let b_cas = cas(b, ec);
        let a_toml = match found {
            Found::Lookup => format!(
                "[peppol]\nsml_zone = \"{ZONE}\"\ndns_servers = [\"{}\"]\nsmp_https_roots = [{b_tls:?}]\nsmp_trust_anchors = [{b_ca:?}]\n\n[as4]\nec = {ec}\ntrust = {b_cas}\nhttps_roots = [{b_tls:?}]\nretry_base_ms = 200\n",
                dns.addr
            ),
            Found::Static => {
                let (certificate, profile) = match ec {
                    true => (b.data_dir().join("peppol/ap-x25519-cert.pem"), "ec"),
                    false => (b.data_dir().join("peppol/ap-cert.pem"), "peppol"),
                };
                format!(
                    "[as4]\nec = {ec}\ntrust = {b_cas}\nhttps_roots = [{b_tls:?}]\nretry_base_ms = 200\n\n[[as4.static_endpoints]]\nparticipant = \"{RECEIVER}\"\nurl = \"https://localhost:{}/as4\"\ncertificate = {certificate:?}\nprofile = \"{profile}\"\n",
                    gw_b.addr.port()
                )
            }
        };
        let _gw_a = start_with_toml(a, &a_toml);

        let store_a = store_of(a).await;
        let queued = store_a
            .enqueue_outbound(NewOutbound {
                message_id: format!("e2e-{}@gateway", std::process::id()),
                document_id: None,
                company_id: company_a["id"].as_str().unwrap().into(),
                sender_id: SENDER.into(),
                receiver_id: RECEIVER.into(),
                document_type: INVOICE.into(),
                process: BILLING.into(),
                payload: read_shared("vectors/ubl/base-example.xml"),
            })
            .await
            .unwrap();
        let mut row = store_a.get_outbound(&queued.id).await.unwrap().unwrap();
        for _ in 0..300 {
            if row.state == "sent" || row.state == "failed" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            row = store_a.get_outbound(&queued.id).await.unwrap().unwrap();
        }
        assert_eq!(row.state, "sent", "{row:?} ({})", a.backend);
        assert_eq!(
            row.endpoint_url.as_deref(),
            Some(format!("https://localhost:{}/as4", gw_b.addr.port()).as_str())
        );
        let receipt = row.receipt.unwrap();
        assert!(receipt.contains(&queued.message_id));
        // The receipt is signed in the profile the message came in.
        assert_eq!(
            receipt.contains("xmldsig-more#eddsa-ed25519"),
            ec,
            "{receipt}"
        );
        assert_eq!(receipt.contains("rsa-sha256"), !ec, "{receipt}");

        let store_b = store_of(b).await;
        let docs = store_b
            .list_documents(&Visibility::All, Default::default())
            .await
            .unwrap();
        assert_eq!(docs.len(), 1);
        let invoice = store_b
            .get_blob(&docs[0].blob.sha256)
            .await
            .unwrap()
            .unwrap();
        // The business document byte for byte (the SBDH writer drops only the XML declaration).
        let original = read_shared("vectors/ubl/base-example.xml");
        assert!(invoice.starts_with(b"<Invoice") && invoice.len() > 1000);
        assert!(
            original
                .windows(invoice.len())
                .any(|w| w == invoice.as_slice()),
            "the stored invoice is not the one sent"
        );
        assert!(store_b
            .inbound_receipt(&queued.message_id)
            .await
            .unwrap()
            .is_some());
    }
}

/// A gateway's development CA(s) as a TOML list: the Peppol one, and the EC one when on.
fn cas(db: &TestDb, ec: bool) -> String {
    let dir = db.data_dir().join("peppol");
    let mut cas = vec![dir.join("dev-ca.pem")];
    if ec {
        cas.push(dir.join("dev-ec-ca.pem"));
    }
    format!("{cas:?}")
}
