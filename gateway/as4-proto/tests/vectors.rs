//! The AS4 vectors made by an independent implementation (the `as4` Python package, phase4):
//! valid and tampered messages, and a round trip through our own builder.

mod common;

use std::time::SystemTime;

use gateway_as4_proto::{
    build_error, build_message, build_receipt, open_answer, open_message, Answer, BuiltMessage,
    EbmsError, Error, Limits, LocalAp, Outgoing, Trust,
};
use gateway_peppol::ParticipantId;
use gateway_testkit::read_shared;
use sha2::{Digest as _, Sha256};

const GEN: &str = "vectors/as4/generated";

fn ap(n: u32) -> LocalAp {
    LocalAp::rsa_from_pem(
        &read_shared(&format!("{GEN}/pki/PTE00000{n}.cert.pem")),
        &read_shared(&format!("{GEN}/pki/PTE00000{n}.key.pem")),
    )
    .unwrap()
}

fn trust() -> Trust {
    let root = read_shared(&format!("{GEN}/pki/root.cert.pem"));
    let inter = read_shared(&format!("{GEN}/pki/intermediate.cert.pem"));
    Trust::from_pems([root.as_slice(), inter.as_slice()]).unwrap()
}

/// A saved message: `Content-Type: ...` line, blank line, HTTP body.
fn mime_file(name: &str) -> (String, Vec<u8>) {
    let raw = read_shared(&format!("{GEN}/{name}"));
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let line = std::str::from_utf8(&raw[..end]).unwrap();
    let ct = line.strip_prefix("Content-Type: ").unwrap().to_owned();
    (ct, raw[end + 4..].to_vec())
}

fn open(name: &str) -> Result<gateway_as4_proto::Opened, gateway_as4_proto::Rejected> {
    let (ct, body) = mime_file(name);
    open_message(
        &ct,
        &body,
        &ap(2),
        &trust(),
        &Limits::default(),
        SystemTime::now(),
    )
}

#[test]
fn the_peer_message_opens_with_its_sbdh_and_references() {
    common::native_c14n_matches_libxml2(common::soap_part(&mime_file("message.mime").1));
    let opened = open("message.mime").unwrap();
    let expected: serde_json::Value =
        serde_json::from_slice(&read_shared(&format!("{GEN}/expected.json"))).unwrap();
    let file = &expected["files"]["message.mime"];
    assert_eq!(opened.user_message.message_id, file["message_id"]);
    assert_eq!(opened.user_message.action, file["action"]);
    assert_eq!(hex(&Sha256::digest(&opened.sbd)), file["payload_sha256"]);
    assert_eq!(opened.sbd, read_shared(&format!("{GEN}/sbd.xml")));
    assert_eq!(opened.sbdh.receiver.value(), "0088:4562458856624");
    assert_eq!(opened.signer.common_name, "PTE000001");
    let uris: Vec<&str> = opened.references.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(serde_json::json!(uris), file["references"]);
}

#[test]
fn tampering_maps_to_the_ebms_errors() {
    let err = open("tampered-attachment.mime").unwrap_err();
    assert!(matches!(err.error, Error::Decryption(_)), "{}", err.error);
    assert_eq!(err.error.ebms().code, "EBMS:0102");
    assert_eq!(
        err.message_id.as_deref(),
        Some("0fd96202-df0d-4f73-8fad-e848628b019b@as4")
    );

    let err = open("tampered-messaging.mime").unwrap_err();
    assert!(
        matches!(err.error, Error::Authentication(_)),
        "{}",
        err.error
    );
    assert_eq!(err.error.ebms().code, "EBMS:0101");

    // Decrypting with the wrong AP's key fails as decryption (0102), never as a panic.
    let (ct, body) = mime_file("message.mime");
    let mut other = ap(1);
    other.party_id = "PTE000002".into();
    let err = open_message(
        &ct,
        &body,
        &other,
        &trust(),
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(err.error.ebms().code, "EBMS:0102", "{}", err.error);

    // An untrusted signer (trusting only an unrelated CA) fails authentication.
    let unrelated =
        Trust::from_pems([read_shared(&format!("{GEN}/pki/PTE000002.cert.pem")).as_slice()])
            .unwrap();
    let err = open_message(
        &ct,
        &body,
        &ap(2),
        &unrelated,
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(err.error.ebms().code, "EBMS:0101", "{}", err.error);
}

#[test]
fn not_serviced_receiver_is_visible_to_the_caller() {
    let opened = open("message-not-serviced.mime").unwrap();
    assert_eq!(opened.sbdh.receiver.value(), "0088:999");
    let e = Error::NotServiced(opened.sbdh.receiver.to_uri()).ebms();
    assert_eq!(
        (e.code.as_str(), e.detail.as_deref()),
        ("EBMS:0004", Some("PEPPOL:NOT_SERVICED"))
    );
}

#[test]
fn a_gzip_bomb_is_refused_as_decompression_failure() {
    let (ct, body) = mime_file("message.mime");
    let small = Limits {
        max_payload_bytes: 1000,
        ..Limits::default()
    };
    let err = open_message(&ct, &body, &ap(2), &trust(), &small, SystemTime::now()).unwrap_err();
    assert_eq!(err.error.ebms().code, "EBMS:0303", "{}", err.error);
}

fn outgoing() -> Outgoing {
    Outgoing {
        message_id: format!("{}@gateway", uuid_like()),
        conversation_id: "conv-1".into(),
        from_party: "PTE000001".into(),
        to_party: "PTE000002".into(),
        original_sender: ParticipantId::parse_lenient("0088:7315458756324").unwrap(),
        final_recipient: ParticipantId::parse_lenient("0088:4562458856624").unwrap(),
        action: "busdox-docid-qns::urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1".into(),
        service: "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0".into(),
        service_type: "cenbii-procid-ubl".into(),
        sbd: read_shared(&format!("{GEN}/sbd.xml")),
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn receiver_cert() -> Vec<u8> {
    ap(2).certificate.as_der().to_vec()
}

#[test]
fn our_message_opens_and_our_receipt_checks_out() {
    let sent = build_message(&outgoing(), &ap(1), &receiver_cert()).unwrap();
    common::native_c14n_matches_libxml2(common::soap_part(&sent.body));
    let opened = open_message(
        &sent.content_type,
        &sent.body,
        &ap(2),
        &trust(),
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(opened.sbd, outgoing().sbd);
    assert_eq!(opened.references, sent.references);
    // A stored message tells what it signed, for a resend.
    assert_eq!(
        gateway_as4_proto::signed_references(&sent.content_type, &sent.body).unwrap(),
        sent.references
    );
    assert_eq!(
        gateway_as4_proto::message_id_of(&sent.content_type, &sent.body).unwrap(),
        sent.message_id
    );
    let receipt = build_receipt(&sent.message_id, &opened.references, &ap(2)).unwrap();
    common::native_c14n_matches_libxml2(&receipt);
    let answer = open_answer(
        gateway_as4_proto::SIGNAL_CONTENT_TYPE,
        &receipt,
        &sent,
        &receiver_cert(),
    )
    .unwrap();
    assert!(matches!(answer, Answer::Receipt(_)));

    // The receipt must come from the AP we sent to.
    let err = open_answer(
        "application/soap+xml",
        &receipt,
        &sent,
        ap(1).certificate.as_der(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Authentication(_)), "{err}");
    // ... answer our message ...
    let mut other = sent.clone();
    other.message_id = "someone-else@x".into();
    assert!(matches!(
        open_answer("application/soap+xml", &receipt, &other, &receiver_cert()),
        Err(Error::Signal(_))
    ));
    // ... and cover what we signed.
    let mut fewer: BuiltMessage = sent.clone();
    fewer.references.pop();
    assert!(matches!(
        open_answer("application/soap+xml", &receipt, &fewer, &receiver_cert()),
        Err(Error::Signal(_))
    ));
    // A changed byte in the receipt breaks its signature.
    let text = String::from_utf8(receipt.clone()).unwrap();
    let forged = text.replacen("<eb:Timestamp>", "<eb:Timestamp>1", 1);
    assert!(matches!(
        open_answer(
            "application/soap+xml",
            forged.as_bytes(),
            &sent,
            &receiver_cert()
        ),
        Err(Error::Authentication(_))
    ));

    let error = build_error(
        Some(&sent.message_id),
        &[EbmsError::new("EBMS:0004", "PEPPOL:NOT_SERVICED")],
        &ap(2),
    )
    .unwrap();
    match open_answer("application/soap+xml", &error, &sent, &receiver_cert()).unwrap() {
        Answer::Errors(e) => assert_eq!(e[0].code, "EBMS:0004"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_wrapped_second_messaging_is_refused() {
    let sent = build_message(&outgoing(), &ap(1), &receiver_cert()).unwrap();
    let body = String::from_utf8_lossy(&sent.body).into_owned();
    // Move the signed header into a wrapper and put a forged one where a reader would look.
    let start = body.find("<eb:Messaging").unwrap();
    let end = body.find("</eb:Messaging>").unwrap() + "</eb:Messaging>".len();
    let signed = &body[start..end];
    let forged = signed.replace("0088:4562458856624", "0088:1111111111111");
    let forged = forged.replacen("wsu:Id=\"", "wsu:Id=\"x", 1);
    let wrapped = format!("{forged}<Wrapper xmlns=\"urn:x\">{signed}</Wrapper>");
    let tampered = format!("{}{}{}", &body[..start], wrapped, &body[end..]);
    let err = open_message(
        &sent.content_type,
        tampered.as_bytes(),
        &ap(2),
        &trust(),
        &Limits::default(),
        SystemTime::now(),
    )
    .unwrap_err();
    assert_eq!(err.error.ebms().code, "EBMS:0009", "{}", err.error);
}

#[test]
fn the_phase4_receipt_signature_verifies_and_unknown_receipt_children_are_tolerated() {
    let xml = read_shared("vectors/as4/TestReceipt12.xml");
    let text = String::from_utf8_lossy(&xml);
    let start = text.find("<wsse:BinarySecurityToken").unwrap();
    let s = start + text[start..].find('>').unwrap() + 1;
    let e = s + text[s..].find("</wsse:BinarySecurityToken>").unwrap();
    let der = base64_decode(&text[s..e]);
    let sent = BuiltMessage {
        message_id: "035e0a83-6dc5-427b-bcee-483475c65153@phase4".into(),
        content_type: String::new(),
        body: Vec::new(),
        references: Vec::new(),
    };
    // Signature and RefToMessageId pass; only our (empty) references differ.
    match open_answer("application/soap+xml", &xml, &sent, &der) {
        Err(Error::Signal(m)) => assert!(m.contains("NonRepudiationInformation"), "{m}"),
        other => panic!("{other:?}"),
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let mut child = Command::new("base64")
        .arg("-d")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(compact.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap().stdout
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
