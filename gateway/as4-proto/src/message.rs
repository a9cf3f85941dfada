//! A Peppol AS4 UserMessage as a whole: build (gzip, sign, encrypt, MIME) and open (MIME,
//! decrypt, verify, decompress, SBDH checks). Only what the verified signature covers is read:
//! the ebMS header comes from the canonical bytes whose digest was checked.

use std::collections::HashMap;
use std::time::SystemTime;

use gateway_peppol::ParticipantId;
use gateway_sbdh::Sbdh;
use gateway_xml::{Document, NodeId};

use crate::ebms::{
    read_user_message_from, write_user_message, PartInfo, Property, Reference, UserMessage,
};
use crate::error::{Error, Result};
use crate::keys::LocalAp;
use crate::mime::{self, MimeLimits, Part};
use crate::ns::*;
use crate::tree::{self, child, esc, one};
use crate::trust::{CertInfo, Trust};
use crate::wssec::{
    self, referenced_token, sign_envelope, token, unb64, SecurityHeader, SignerCheck,
};
use crate::{crypto, gzip};

/// Bounds on an incoming message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub mime: MimeLimits,
    /// Largest decompressed payload.
    pub max_payload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            mime: MimeLimits::default(),
            max_payload_bytes: 100 << 20,
        }
    }
}

/// What a sender wants to send: the business routing and the SBD.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub message_id: String,
    pub conversation_id: String,
    /// Our Peppol seat id (`eb:From`), normally our certificate's CN.
    pub from_party: String,
    /// The receiving AP's seat id (`eb:To`), normally its certificate's CN.
    pub to_party: String,
    pub original_sender: ParticipantId,
    pub final_recipient: ParticipantId,
    /// Document type identifier with its scheme, e.g. `busdox-docid-qns::urn:...::2.1`.
    pub action: String,
    /// Process identifier value and scheme (`cenbii-procid-ubl`).
    pub service: String,
    pub service_type: String,
    /// The Standard Business Document (SBDH + business document).
    pub sbd: Vec<u8>,
}

/// A message ready to POST.
#[derive(Debug, Clone)]
pub struct BuiltMessage {
    pub message_id: String,
    pub content_type: String,
    pub body: Vec<u8>,
    /// What we signed: a receipt's NonRepudiationInformation must list exactly these.
    pub references: Vec<Reference>,
}

pub(crate) fn now_timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4())
}

/// Builds the signed and encrypted MIME message for the receiver certificate `receiver_cert_der`.
pub fn build_message(
    out: &Outgoing,
    local: &LocalAp,
    receiver_cert_der: &[u8],
) -> Result<BuiltMessage> {
    let cid = format!("{}@gateway", new_id("att"));
    let um = UserMessage {
        timestamp: now_timestamp(),
        message_id: out.message_id.clone(),
        ref_to_message_id: None,
        from: crate::ebms::PartyId {
            value: out.from_party.clone(),
            party_type: Some(PEPPOL_PARTY_TYPE.into()),
        },
        from_role: ROLE_INITIATOR.into(),
        to: crate::ebms::PartyId {
            value: out.to_party.clone(),
            party_type: Some(PEPPOL_PARTY_TYPE.into()),
        },
        to_role: ROLE_RESPONDER.into(),
        agreement_ref: Some(PEPPOL_AGREEMENT.into()),
        service: out.service.clone(),
        service_type: Some(out.service_type.clone()),
        action: out.action.clone(),
        conversation_id: out.conversation_id.clone(),
        properties: vec![
            participant_property("originalSender", &out.original_sender),
            participant_property("finalRecipient", &out.final_recipient),
        ],
        parts: vec![PartInfo {
            href: format!("cid:{cid}"),
            properties: vec![
                Property {
                    name: "MimeType".into(),
                    property_type: None,
                    value: "application/xml".into(),
                },
                Property {
                    name: "CompressionType".into(),
                    property_type: None,
                    value: "application/gzip".into(),
                },
            ],
        }],
    };
    let compressed = gzip::compress(&out.sbd);
    let key = crypto::random_key();
    let encrypted = crypto::aes_gcm_encrypt(&key, &compressed)?;

    let (msg_id, body_id) = (new_id("msg"), new_id("body"));
    let (sig_token, enc_token) = (new_id("X509"), new_id("X509"));
    let (ek_id, ed_id) = (new_id("EK"), new_id("ED"));
    let encrypted_key = if crate::ec::is_x25519_certificate(receiver_cert_der) {
        let a = crate::ec::wrap(receiver_cert_der, &key, b"eDelivery AS4 2.0")?;
        format!(
            "<xenc:EncryptedKey xmlns:xenc=\"{XENC}\" Id=\"{ek_id}\"><xenc:EncryptionMethod Algorithm=\"{KW_AES128}\"/><ds:KeyInfo xmlns:ds=\"{DS}\"><xenc:AgreementMethod Algorithm=\"{X25519}\"><xenc11:KeyDerivationMethod xmlns:xenc11=\"{XENC11}\" Algorithm=\"{HKDF}\"><dsm:HKDFParams xmlns:dsm=\"{DSIG_MORE}\"><dsm:PRF Algorithm=\"{HMAC_SHA256}\"/><dsm:Salt>{}</dsm:Salt><dsm:Info>{}</dsm:Info><dsm:KeyLength>128</dsm:KeyLength></dsm:HKDFParams></xenc11:KeyDerivationMethod><xenc:OriginatorKeyInfo><dsig11:DEREncodedKeyValue xmlns:dsig11=\"{DSIG11}\">{}</dsig11:DEREncodedKeyValue></xenc:OriginatorKeyInfo><xenc:RecipientKeyInfo><wsse:SecurityTokenReference><wsse:Reference URI=\"#{enc_token}\" ValueType=\"{X509V3}\"/></wsse:SecurityTokenReference></xenc:RecipientKeyInfo></xenc:AgreementMethod></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData><xenc:ReferenceList><xenc:DataReference URI=\"#{ed_id}\"/></xenc:ReferenceList></xenc:EncryptedKey>",
            wssec::b64(&a.salt),
            wssec::b64(&a.info),
            wssec::b64(&a.originator_spki),
            wssec::b64(&a.wrapped)
        )
    } else {
        let wrapped = crypto::rsa_oaep_wrap(receiver_cert_der, &key)?;
        format!(
            "<xenc:EncryptedKey xmlns:xenc=\"{XENC}\" Id=\"{ek_id}\"><xenc:EncryptionMethod Algorithm=\"{RSA_OAEP}\"><ds:DigestMethod xmlns:ds=\"{DS}\" Algorithm=\"{SHA256}\"/><xenc11:MGF xmlns:xenc11=\"{XENC11}\" Algorithm=\"{MGF1_SHA256}\"/></xenc:EncryptionMethod><ds:KeyInfo xmlns:ds=\"{DS}\"><wsse:SecurityTokenReference><wsse:Reference URI=\"#{enc_token}\" ValueType=\"{X509V3}\"/></wsse:SecurityTokenReference></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{}</xenc:CipherValue></xenc:CipherData><xenc:ReferenceList><xenc:DataReference URI=\"#{ed_id}\"/></xenc:ReferenceList></xenc:EncryptedKey>",
            wssec::b64(&wrapped)
        )
    };
    let encrypted_data = encrypted_data_element(&ed_id, &ek_id, &cid);
    let template = format!(
        "<S12:Envelope xmlns:S12=\"{S12}\"><S12:Header><wsse:Security xmlns:wsse=\"{WSSE}\" xmlns:wsu=\"{WSU}\" S12:mustUnderstand=\"true\">{}{}{encrypted_key}{encrypted_data}{}</wsse:Security>{}</S12:Header><S12:Body xmlns:wsu=\"{WSU}\" wsu:Id=\"{body_id}\"/></S12:Envelope>",
        token(&sig_token, local.certificate.as_der()),
        token(&enc_token, receiver_cert_der),
        wssec::SIGNATURE_SLOT,
        write_user_message(&um, &msg_id),
    );
    let (envelope, references) = sign_envelope(
        &template,
        &[&msg_id, &body_id],
        &[(&cid, &compressed)],
        local,
        &sig_token,
    )?;
    let (content_type, body) = mime::build(
        envelope.as_bytes(),
        &[Part {
            content_type: "application/octet-stream".into(),
            content_id: Some(cid),
            body: encrypted,
        }],
    );
    Ok(BuiltMessage {
        message_id: out.message_id.clone(),
        content_type,
        body,
        references,
    })
}

fn encrypted_data_element(ed_id: &str, ek_id: &str, cid: &str) -> String {
    format!(
        "<xenc:EncryptedData xmlns:xenc=\"{XENC}\" Id=\"{ed_id}\" MimeType=\"application/gzip\" Type=\"{ATTACHMENT_CONTENT_ONLY}\"><xenc:EncryptionMethod Algorithm=\"{AES128_GCM}\"/><ds:KeyInfo xmlns:ds=\"{DS}\"><wsse:SecurityTokenReference xmlns:wsse11=\"{WSSE11}\" wsse11:TokenType=\"{ENCRYPTED_KEY_TOKEN}\"><wsse:Reference URI=\"#{ek_id}\"/></wsse:SecurityTokenReference></ds:KeyInfo><xenc:CipherData><xenc:CipherReference URI=\"cid:{}\"><xenc:Transforms><ds:Transform xmlns:ds=\"{DS}\" Algorithm=\"{ATTACHMENT_CIPHERTEXT}\"/></xenc:Transforms></xenc:CipherReference></xenc:CipherData></xenc:EncryptedData>",
        esc(cid)
    )
}

fn participant_property(name: &str, id: &ParticipantId) -> Property {
    Property {
        name: name.into(),
        property_type: Some(id.scheme().to_string()),
        value: id.value().to_string(),
    }
}

/// A message that passed every check.
#[derive(Debug, Clone)]
pub struct Opened {
    pub user_message: UserMessage,
    /// The decompressed payload: the Standard Business Document.
    pub sbd: Vec<u8>,
    pub sbdh: Sbdh,
    /// Where in `sbd` the business document lies when it stands alone (every namespace prefix
    /// it uses declared inside it); `None` when only the whole SBD is well-formed.
    pub document: Option<std::ops::Range<usize>>,
    /// The signed references (for the receipt's NonRepudiationInformation).
    pub references: Vec<Reference>,
    pub signer: CertInfo,
    pub signer_der: Vec<u8>,
}

/// A refused message: the error and, when it could be read, its MessageId (for
/// `RefToMessageId`; read from the unverified header, so only for the answer).
#[derive(Debug, Clone)]
pub struct Rejected {
    pub error: Error,
    pub message_id: Option<String>,
}

/// Opens an incoming message for `local`, trusting senders that chain to `trust` at `now`.
pub fn open_message(
    content_type: &str,
    body: &[u8],
    local: &LocalAp,
    trust: &Trust,
    limits: &Limits,
    now: SystemTime,
) -> std::result::Result<Opened, Rejected> {
    let mut message_id = None;
    open_inner(
        content_type,
        body,
        local,
        trust,
        limits,
        now,
        &mut message_id,
    )
    .map_err(|error| Rejected { error, message_id })
}

fn open_inner(
    content_type: &str,
    body: &[u8],
    local: &LocalAp,
    trust: &Trust,
    limits: &Limits,
    now: SystemTime,
    message_id: &mut Option<String>,
) -> Result<Opened> {
    let multipart = mime::parse(content_type, body, &limits.mime)?;
    let soap = &multipart.soap.body;
    let doc = tree::parse(soap, "SOAP envelope", Error::Header)?;
    let (header, _body) = envelope_parts(&doc)?;
    let messagings = wssec::count(&doc, EB, "Messaging");
    if messagings != 1 {
        return Err(Error::Header(format!(
            "the envelope has {messagings} eb:Messaging elements; one is required"
        )));
    }
    *message_id = unverified_message_id(&doc, header);
    let sec = wssec::read_security(&doc, header)?;

    // Decrypt every attachment (each must be encrypted).
    let plain = decrypt_attachments(&doc, &sec, &multipart, local)?;
    let verified = wssec::verify(soap, &doc, &sec, &plain, SignerCheck::Chain(trust, now))?;

    // The ebMS header and Body as signed.
    let (mut messaging, mut body_signed) = (None, false);
    for (uri, bytes) in &verified.covered {
        let signed_doc = tree::parse(bytes, uri, Error::Header)?;
        let root = signed_doc.root();
        if signed_doc.is(root, EB, "Messaging") {
            messaging = Some(signed_doc);
        } else if signed_doc.is(root, S12, "Body") {
            if signed_doc.elements(root).next().is_some() {
                return Err(Error::Policy(
                    "the SOAP Body must be empty in Peppol AS4".into(),
                ));
            }
            body_signed = true;
        }
    }
    let messaging = messaging.ok_or_else(|| Error::Policy("eb:Messaging is not signed".into()))?;
    if !body_signed {
        return Err(Error::Policy("the SOAP Body is not signed".into()));
    }
    let um = read_user_message_from(&messaging)?;
    *message_id = Some(um.message_id.clone());

    if verified.signer.common_name != um.from.value {
        return Err(Error::Authentication(format!(
            "the signer {} is not eb:From {}",
            verified.signer.subject, um.from.value
        )));
    }
    if um.to.value != local.party_id {
        return Err(Error::Header(format!(
            "eb:To {} is not this access point ({})",
            um.to.value, local.party_id
        )));
    }
    let part = match um.parts.as_slice() {
        [one] => one,
        other => {
            return Err(Error::Policy(format!(
                "a Peppol message has exactly one payload, not {}",
                other.len()
            )))
        }
    };
    if plain.len() != 1 {
        return Err(Error::Policy(format!(
            "{} attachments for one PartInfo",
            plain.len()
        )));
    }
    if !verified.references.iter().any(|r| r.uri == part.href) {
        return Err(Error::Policy(format!(
            "the payload {} is not signed",
            part.href
        )));
    }
    let cid = part.href.strip_prefix("cid:").unwrap_or(&part.href);
    let content = plain
        .get(cid)
        .ok_or_else(|| Error::Header(format!("no attachment for {}", part.href)))?;
    let sbd = match part.property("CompressionType") {
        Some("application/gzip") => gzip::decompress(content, limits.max_payload_bytes)?,
        None => content.clone(),
        Some(other) => {
            return Err(Error::Policy(format!(
                "compression `{other}` is not supported"
            )))
        }
    };
    let (sbdh, document) = check_sbdh(&um, &sbd)?;
    Ok(Opened {
        user_message: um,
        sbd,
        sbdh,
        document,
        references: verified.references,
        signer: verified.signer,
        signer_der: verified.signer_der,
    })
}

pub(crate) fn envelope_parts(doc: &Document) -> Result<(NodeId, NodeId)> {
    let root = doc.root();
    if !doc.is(root, S12, "Envelope") {
        return Err(Error::Header(
            "the root element is not a SOAP 1.2 Envelope".into(),
        ));
    }
    Ok((one(doc, root, S12, "Header")?, one(doc, root, S12, "Body")?))
}

fn unverified_message_id(doc: &Document, header: NodeId) -> Option<String> {
    let m = child(doc, header, EB, "Messaging")?;
    let um = child(doc, m, EB, "UserMessage")?;
    let info = child(doc, um, EB, "MessageInfo")?;
    let id = child(doc, info, EB, "MessageId")?;
    let text = doc.text(id).trim().to_owned();
    (!text.is_empty() && text.len() < 256).then_some(text)
}

fn decrypt_attachments(
    doc: &Document,
    sec: &SecurityHeader,
    multipart: &mime::Multipart,
    local: &LocalAp,
) -> Result<HashMap<String, Vec<u8>>> {
    let mut keys: HashMap<String, Vec<u8>> = HashMap::new();
    let mut plain = HashMap::new();
    for &ed in &sec.encrypted_data {
        let cref = child(doc, ed, XENC, "CipherData")
            .and_then(|cd| child(doc, cd, XENC, "CipherReference"))
            .ok_or_else(|| Error::Policy("EncryptedData without a CipherReference".into()))?;
        let uri = doc.attr(cref, "URI").unwrap_or_default();
        let cid = uri
            .strip_prefix("cid:")
            .ok_or_else(|| Error::Policy(format!("CipherReference `{uri}` is not cid:")))?;
        let method = child(doc, ed, XENC, "EncryptionMethod")
            .and_then(|m| doc.attr(m, "Algorithm"))
            .unwrap_or_default();
        if method != AES128_GCM {
            return Err(Error::Policy(format!(
                "content encryption `{method}` is not accepted"
            )));
        }
        let ek_id = child(doc, ed, DS, "KeyInfo")
            .and_then(|ki| child(doc, ki, WSSE, "SecurityTokenReference"))
            .and_then(|s| child(doc, s, WSSE, "Reference"))
            .and_then(|r| doc.attr(r, "URI"))
            .map(|u| u.trim_start_matches('#').to_owned());
        let ek = match ek_id {
            Some(id) => sec
                .encrypted_keys
                .iter()
                .copied()
                .find(|&k| doc.attr(k, "Id") == Some(id.as_str()))
                .ok_or_else(|| Error::Decryption(format!("no EncryptedKey with Id {id}")))?,
            None => match sec.encrypted_keys.as_slice() {
                [one] => *one,
                _ => {
                    return Err(Error::Decryption(
                        "which EncryptedKey applies is unclear".into(),
                    ))
                }
            },
        };
        let ek_key = doc.attr(ek, "Id").unwrap_or("").to_owned();
        if !keys.contains_key(&ek_key) {
            let key = unwrap_key(doc, ek, sec, local)?;
            keys.insert(ek_key.clone(), key);
        }
        let part = multipart
            .attachment(cid)
            .ok_or_else(|| Error::Header(format!("encrypted attachment cid:{cid} is missing")))?;
        let content = crypto::aes_gcm_decrypt(&keys[&ek_key], &part.body)?;
        if plain.insert(cid.to_owned(), content).is_some() {
            return Err(Error::Policy(format!("cid:{cid} is encrypted twice")));
        }
    }
    for a in &multipart.attachments {
        let id = a.content_id.as_deref().unwrap_or("");
        if !plain.contains_key(id) {
            return Err(Error::Policy(format!("attachment <{id}> is not encrypted")));
        }
    }
    if plain.is_empty() {
        return Err(Error::Policy("the message has no encrypted payload".into()));
    }
    Ok(plain)
}

fn unwrap_key(
    doc: &Document,
    ek: NodeId,
    sec: &SecurityHeader,
    local: &LocalAp,
) -> Result<Vec<u8>> {
    let method = child(doc, ek, XENC, "EncryptionMethod")
        .and_then(|m| doc.attr(m, "Algorithm"))
        .unwrap_or_default();
    if method == KW_AES128 {
        return unwrap_agreed_key(doc, ek, sec, local);
    }
    let decryption = local
        .decryption
        .as_ref()
        .ok_or_else(|| Error::Policy("this access point takes no RSA key transport".into()))?;
    let method = child(doc, ek, XENC, "EncryptionMethod")
        .ok_or_else(|| Error::Policy("EncryptedKey without EncryptionMethod".into()))?;
    let alg = doc.attr(method, "Algorithm").unwrap_or_default();
    let digest = match child(doc, method, DS, "DigestMethod").and_then(|d| doc.attr(d, "Algorithm"))
    {
        Some(SHA256) => crypto::OaepHash::Sha256,
        Some(SHA1) | None => crypto::OaepHash::Sha1,
        Some(other) => {
            return Err(Error::Policy(format!(
                "OAEP digest `{other}` is not accepted"
            )))
        }
    };
    let mgf = match alg {
        RSA_OAEP_MGF1P => crypto::OaepHash::Sha1,
        RSA_OAEP => {
            match child(doc, method, XENC11, "MGF").and_then(|m| doc.attr(m, "Algorithm")) {
                Some(MGF1_SHA256) => crypto::OaepHash::Sha256,
                Some(MGF1_SHA1) | None => crypto::OaepHash::Sha1,
                Some(other) => return Err(Error::Policy(format!("MGF `{other}` is not accepted"))),
            }
        }
        other => {
            return Err(Error::Policy(format!(
                "key transport `{other}` is not accepted"
            )))
        }
    };
    // When the key names the certificate it was made for, it must be ours.
    if let Some(ki) = child(doc, ek, DS, "KeyInfo") {
        if let Ok(der) = referenced_token(doc, ki, sec) {
            if der != local.certificate.as_der() {
                return Err(Error::Decryption(
                    "the content key is encrypted for another certificate".into(),
                ));
            }
        }
    }
    let cv = child(doc, ek, XENC, "CipherData")
        .and_then(|cd| child(doc, cd, XENC, "CipherValue"))
        .ok_or_else(|| Error::Decryption("EncryptedKey without CipherValue".into()))?;
    let wrapped = unb64(&doc.text(cv), "EncryptedKey CipherValue", Error::Decryption)?;
    decryption.unwrap(&wrapped, digest, mgf)
}

impl Opened {
    /// The business document when it stands alone, else the whole SBD.
    pub fn business_document(&self) -> &[u8] {
        self.document
            .as_ref()
            .and_then(|r| self.sbd.get(r.clone()))
            .unwrap_or(&self.sbd)
    }
}

/// The SBDH must be valid and name the same sender, receiver, document type and process as the
/// ebMS header. Returns it and where the business document stands alone in `sbd`.
fn check_sbdh(um: &UserMessage, sbd: &[u8]) -> Result<(Sbdh, Option<std::ops::Range<usize>>)> {
    let read =
        gateway_sbdh::read(sbd).map_err(|e| Error::Payload(format!("SBDH {}: {e}", e.code())))?;
    let payload = &read.payload;
    let stands_alone = payload.inherited_namespaces.is_empty()
        || gateway_xml::parse(payload.bytes, &gateway_xml::Limits::default()).is_ok();
    let document = stands_alone.then(|| payload.range.clone());
    let header = read.header;
    let prop = |name: &str| -> Result<ParticipantId> {
        let p = um
            .properties
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::Header(format!("MessageProperties has no {name}")))?;
        let text = match &p.property_type {
            Some(t) => format!("{t}::{}", p.value),
            None => p.value.clone(),
        };
        ParticipantId::parse_lenient(&text)
            .map_err(|e| Error::Header(format!("{name} `{text}`: {e}")))
    };
    let (sender, receiver) = (prop("originalSender")?, prop("finalRecipient")?);
    if header.sender != sender {
        return Err(Error::Payload(format!(
            "SBDH sender {} differs from originalSender {}",
            header.sender.to_uri(),
            sender.to_uri()
        )));
    }
    if header.receiver != receiver {
        return Err(Error::Payload(format!(
            "SBDH receiver {} differs from finalRecipient {}",
            header.receiver.to_uri(),
            receiver.to_uri()
        )));
    }
    let doctype = format!(
        "{}::{}",
        header.document_type_id.scheme(),
        header.document_type_id.value()
    );
    if um.action != doctype {
        return Err(Error::Payload(format!(
            "SBDH DOCUMENTID {doctype} differs from eb:Action {}",
            um.action
        )));
    }
    if um.service != header.process_id.value() {
        return Err(Error::Payload(format!(
            "SBDH PROCESSID {} differs from eb:Service {}",
            header.process_id.value(),
            um.service
        )));
    }
    Ok((header, document))
}

/// The references a message we built was signed with, read back from its bytes (to resend a
/// stored message and check the receipt against it).
pub fn signed_references(content_type: &str, body: &[u8]) -> Result<Vec<Reference>> {
    let multipart = mime::parse(content_type, body, &MimeLimits::default())?;
    let doc = tree::parse(&multipart.soap.body, "SOAP envelope", Error::Header)?;
    let (header, _) = envelope_parts(&doc)?;
    let sec = wssec::read_security(&doc, header)?;
    let sig = sec
        .signature
        .ok_or_else(|| Error::Policy("the message is not signed".into()))?;
    let si = one(&doc, sig, DS, "SignedInfo")?;
    crate::tree::children(&doc, si, DS, "Reference")
        .into_iter()
        .map(|r| Reference::read(&doc, r))
        .collect()
}

/// The MessageId of a message we built.
pub fn message_id_of(content_type: &str, body: &[u8]) -> Result<String> {
    let multipart = mime::parse(content_type, body, &MimeLimits::default())?;
    let doc = tree::parse(&multipart.soap.body, "SOAP envelope", Error::Header)?;
    let (header, _) = envelope_parts(&doc)?;
    unverified_message_id(&doc, header).ok_or_else(|| Error::Header("no MessageId".into()))
}

/// EC profile: X25519 agreement, HKDF, AES key wrap.
fn unwrap_agreed_key(
    doc: &Document,
    ek: NodeId,
    sec: &SecurityHeader,
    local: &LocalAp,
) -> Result<Vec<u8>> {
    let (ours, our_cert) = local
        .agreement
        .as_ref()
        .ok_or_else(|| Error::Policy("this access point takes no X25519 key agreement".into()))?;
    let policy = |what: &str| Error::Policy(format!("EncryptedKey: {what}"));
    let am = child(doc, ek, DS, "KeyInfo")
        .and_then(|ki| child(doc, ki, XENC, "AgreementMethod"))
        .ok_or_else(|| policy("no AgreementMethod"))?;
    if doc.attr(am, "Algorithm") != Some(X25519) {
        return Err(policy("key agreement is not X25519"));
    }
    let kdm = child(doc, am, XENC11, "KeyDerivationMethod")
        .ok_or_else(|| policy("no KeyDerivationMethod"))?;
    if doc.attr(kdm, "Algorithm") != Some(HKDF) {
        return Err(policy("key derivation is not HKDF"));
    }
    let params = child(doc, kdm, DSIG_MORE, "HKDFParams").ok_or_else(|| policy("no HKDFParams"))?;
    if child(doc, params, DSIG_MORE, "PRF").and_then(|p| doc.attr(p, "Algorithm"))
        != Some(HMAC_SHA256)
    {
        return Err(policy("HKDF PRF is not HMAC-SHA256"));
    }
    let text = |local_name: &str| -> Result<Vec<u8>> {
        let node = child(doc, params, DSIG_MORE, local_name).ok_or_else(|| policy(local_name))?;
        unb64(&doc.text(node), local_name, Error::Decryption)
    };
    let originator = child(doc, am, XENC, "OriginatorKeyInfo")
        .and_then(|o| child(doc, o, DSIG11, "DEREncodedKeyValue"))
        .ok_or_else(|| policy("no originator key"))?;
    if let Some(rki) = child(doc, am, XENC, "RecipientKeyInfo") {
        if let Ok(der) = referenced_token(doc, rki, sec) {
            if der != our_cert.as_der() {
                return Err(Error::Decryption(
                    "the content key is agreed with another certificate".into(),
                ));
            }
        }
    }
    let cv = child(doc, ek, XENC, "CipherData")
        .and_then(|cd| child(doc, cd, XENC, "CipherValue"))
        .ok_or_else(|| Error::Decryption("EncryptedKey without CipherValue".into()))?;
    crate::ec::unwrap(
        ours,
        &crate::ec::Agreement {
            originator_spki: unb64(&doc.text(originator), "originator key", Error::Decryption)?,
            salt: text("Salt")?,
            info: text("Info")?,
            wrapped: unb64(&doc.text(cv), "EncryptedKey CipherValue", Error::Decryption)?,
        },
    )
}
