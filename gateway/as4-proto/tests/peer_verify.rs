//! The independent verifier (`../shared/peers/as4/verify.py`, libxmlsec1 + lxml) judges a
//! message and a receipt that we made.

use std::process::Command;
use std::time::SystemTime;

use gateway_as4_proto::{
    build_message, build_receipt, open_message, Limits, LocalAp, Outgoing, Trust,
};
use gateway_peppol::ParticipantId;
use gateway_testkit::{peer, peers_python, read_shared, shared, TempDir};

const GEN: &str = "vectors/as4/generated";

fn ap(n: u32) -> LocalAp {
    LocalAp::rsa_from_pem(
        &read_shared(&format!("{GEN}/pki/PTE00000{n}.cert.pem")),
        &read_shared(&format!("{GEN}/pki/PTE00000{n}.key.pem")),
    )
    .unwrap()
}

fn verify(args: &[&str]) -> serde_json::Value {
    let out = Command::new(peers_python())
        .arg(peer("as4/verify.py"))
        .args(args)
        .output()
        .expect("verify.py");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    report
}

#[test]
fn verify_py_accepts_our_message_and_our_receipt() {
    let dir = TempDir::new("as4-verify");
    let pki = |f: &str| shared(&format!("{GEN}/pki/{f}")).display().to_string();
    let out = Outgoing {
        message_id: format!("{}@gateway", std::process::id()),
        conversation_id: "c1".into(),
        from_party: "PTE000001".into(),
        to_party: "PTE000002".into(),
        original_sender: ParticipantId::parse_lenient("0088:7315458756324").unwrap(),
        final_recipient: ParticipantId::parse_lenient("0088:4562458856624").unwrap(),
        action: "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1".into(),
        service: "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0".into(),
        service_type: "cenbii-procid-ubl".into(),
        sbd: read_shared(&format!("{GEN}/sbd.xml")),
    };
    let receiver = ap(2);
    let sent = build_message(&out, &ap(1), receiver.certificate.as_der()).unwrap();
    let message = dir.path().join("message.mime");
    let mut file = format!("Content-Type: {}\r\n\r\n", sent.content_type).into_bytes();
    file.extend_from_slice(&sent.body);
    std::fs::write(&message, file).unwrap();
    let report = verify(&[
        "message",
        message.to_str().unwrap(),
        "--key",
        &pki("PTE000002.key.pem"),
        "--ca",
        &pki("root.cert.pem"),
        "--intermediate",
        &pki("intermediate.cert.pem"),
    ]);
    assert_eq!(report["checks"]["coverage"], true, "{report:#}");

    let root = read_shared(&format!("{GEN}/pki/root.cert.pem"));
    let inter = read_shared(&format!("{GEN}/pki/intermediate.cert.pem"));
    let trust = Trust::from_pems([root.as_slice(), inter.as_slice()]).unwrap();
    let opened = open_message(
        &sent.content_type,
        &sent.body,
        &receiver,
        &trust,
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap();
    let receipt = dir.path().join("receipt.xml");
    std::fs::write(
        &receipt,
        build_receipt(&sent.message_id, &opened.references, &receiver).unwrap(),
    )
    .unwrap();
    let report = verify(&[
        "receipt",
        receipt.to_str().unwrap(),
        "--signer-cert",
        &pki("PTE000002.cert.pem"),
        "--message",
        message.to_str().unwrap(),
        "--ca",
        &pki("root.cert.pem"),
        "--intermediate",
        &pki("intermediate.cert.pem"),
    ]);
    assert_eq!(
        report["checks"]["libxmlsec1_full_verify"], true,
        "{report:#}"
    );
}
