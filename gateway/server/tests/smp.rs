//! The SMP of our members, judged by an independent verifier (libxmlsec1 through python-xmlsec).
mod common;

use std::process::Command;

use common::{cli_json, Gateway};
use gateway_testkit::{peer, peers_python, test_databases};
use reqwest::StatusCode;

const PARTICIPANT: &str = "iso6523-actorid-upis%3A%3A0088%3A5798000000001";
const INVOICE: &str = "busdox-docid-qns%3A%3Aurn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AInvoice-2%3A%3AInvoice%23%23urn%3Acen.eu%3Aen16931%3A2017%23compliant%23urn%3Afdc%3Apeppol.eu%3A2017%3Apoacc%3Abilling%3A3.0%3A%3A2.1";

/// Runs verify_smp.py on a file; (exit code, its JSON verdict).
fn verify(file: &std::path::Path, ca: &std::path::Path) -> (Option<i32>, serde_json::Value) {
    let out = Command::new(peers_python())
        .arg(peer("smp/verify_smp.py"))
        .arg(file)
        .arg("--ca")
        .arg(ca)
        .output()
        .expect("run verify_smp.py");
    let verdict = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), verdict)
}

#[tokio::test]
async fn a_member_is_served_signed_and_an_independent_verifier_agrees() {
    for db in test_databases().await {
        // The flags partners' scripts use.
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

        let group = gw
            .client
            .get(gw.url(&format!("/smp/{PARTICIPANT}")))
            .send()
            .await
            .unwrap();
        assert_eq!(group.status(), StatusCode::OK);
        let group = group.text().await.unwrap();
        assert!(
            group.contains(&format!("/smp/{PARTICIPANT}/services/{INVOICE}")),
            "{group}"
        );

        let resp = gw
            .client
            .get(gw.url(&format!("/smp/{PARTICIPANT}/services/{INVOICE}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml"));
        let signed = resp.bytes().await.unwrap().to_vec();

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ssm.xml");
        std::fs::write(&file, &signed).unwrap();
        let ca = db.data_dir().join("peppol/dev-ca.pem");
        let (code, verdict) = verify(&file, &ca);
        assert_eq!(code, Some(0), "{verdict}");
        assert_eq!(verdict["ok"], true);
        assert_eq!(verdict["participant"], "0088:5798000000001");
        assert_eq!(
            verdict["signature"]["method"],
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        );
        assert_eq!(
            verdict["signature"]["c14n"],
            "http://www.w3.org/2001/10/xml-exc-c14n#"
        );
        let endpoint = &verdict["endpoints"][0];
        assert_eq!(endpoint["transport_profile"], "peppol-transport-as4-v2_0");
        assert_eq!(endpoint["url"], gw.url("/as4"));
        assert_eq!(
            endpoint["certificate_subject"],
            "C=BE,O=Gateway development,CN=PGW000001"
        );

        // One byte changed inside the signed content: rejected.
        let text = String::from_utf8(signed.clone()).unwrap();
        let pos = text.find("/as4</").expect("endpoint in the answer") + 1;
        let mut tampered = signed.clone();
        tampered[pos] = b'b';
        std::fs::write(&file, &tampered).unwrap();
        let (code, verdict) = verify(&file, &ca);
        assert_eq!(code, Some(1), "tampered answer accepted: {verdict}");

        // Only our members, only their document types.
        let other = gw
            .client
            .get(gw.url("/smp/iso6523-actorid-upis%3A%3A0088%3A5790000435975"))
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::NOT_FOUND);
        let order = "busdox-docid-qns%3A%3Aurn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AOrder-2%3A%3AOrder%23%23urn%3Afdc%3Apeppol.eu%3Apoacc%3Atrns%3Aorder%3A3%3A%3A2.1";
        let missing = gw
            .client
            .get(gw.url(&format!("/smp/{PARTICIPANT}/services/{order}")))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let garbage = gw
            .client
            .get(gw.url("/smp/not-an-id/services/x/y"))
            .send()
            .await
            .unwrap();
        assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);

        // The Peppol Directory business card.
        let card = gw
            .client
            .get(gw.url(&format!("/smp/businesscard/{PARTICIPANT}")))
            .send()
            .await
            .unwrap();
        assert_eq!(card.status(), StatusCode::OK);
        let card = gateway_peppol::smp::read_business_card(&card.bytes().await.unwrap()).unwrap();
        assert_eq!(card.entities[0].names[0].name, "Nordic Foods A/S");
        assert_eq!(card.entities[0].country_code, "DK");
    }
}
