//! Signals that answer a UserMessage: the signed receipt with NonRepudiationInformation, the
//! ebMS error, and the sender's check of what came back.

use std::collections::{BTreeSet, HashMap};
use std::time::SystemTime;

use crate::ebms::{read_signal, write_signal, Reference, Signal, SignalKind};
use crate::error::{EbmsError, Error, Result};
use crate::keys::LocalAp;
use crate::message::{envelope_parts, new_id, now_timestamp, BuiltMessage, Limits};
use crate::mime;
use crate::ns::*;
use crate::tree::{self, child};
use crate::trust::Trust;
use crate::wssec::{self, sign_envelope, token, SignerCheck};

/// `application/soap+xml` with its charset, the Content-Type of a signal.
pub const SIGNAL_CONTENT_TYPE: &str = "application/soap+xml; charset=UTF-8";

/// A signed receipt for the message `ref_to` whose signed references were `references`.
pub fn build_receipt(ref_to: &str, references: &[Reference], local: &LocalAp) -> Result<Vec<u8>> {
    signed_signal(
        &Signal {
            timestamp: now_timestamp(),
            message_id: format!("{}@gateway", uuid::Uuid::new_v4()),
            ref_to_message_id: Some(ref_to.to_owned()),
            kind: SignalKind::Receipt(references.to_vec()),
        },
        local,
    )
}

/// A signed ebMS error signal.
pub fn build_error(ref_to: Option<&str>, errors: &[EbmsError], local: &LocalAp) -> Result<Vec<u8>> {
    signed_signal(
        &Signal {
            timestamp: now_timestamp(),
            message_id: format!("{}@gateway", uuid::Uuid::new_v4()),
            ref_to_message_id: ref_to.map(str::to_owned),
            kind: SignalKind::Errors(errors.to_vec()),
        },
        local,
    )
}

fn signed_signal(signal: &Signal, local: &LocalAp) -> Result<Vec<u8>> {
    let (msg_id, body_id, token_id) = (new_id("msg"), new_id("body"), new_id("X509"));
    let template = format!(
        "<S12:Envelope xmlns:S12=\"{S12}\"><S12:Header><wsse:Security xmlns:wsse=\"{WSSE}\" xmlns:wsu=\"{WSU}\" S12:mustUnderstand=\"true\">{}{}</wsse:Security>{}</S12:Header><S12:Body xmlns:wsu=\"{WSU}\" wsu:Id=\"{body_id}\"/></S12:Envelope>",
        token(&token_id, local.certificate.as_der()),
        wssec::SIGNATURE_SLOT,
        write_signal(signal, &msg_id)
    );
    let (envelope, _) = sign_envelope(&template, &[&msg_id, &body_id], &[], local, &token_id)?;
    Ok(envelope.into_bytes())
}

/// What the receiving AP answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A receipt, signed by the receiver, covering exactly what we signed.
    Receipt(Signal),
    /// ebMS errors (signed or not).
    Errors(Vec<EbmsError>),
}

/// Checks the HTTP answer to `sent`: a receipt must be signed by `receiver_cert_der`, refer to
/// our MessageId and list exactly our signed references.
pub fn open_answer(
    content_type: &str,
    body: &[u8],
    sent: &BuiltMessage,
    receiver_cert_der: &[u8],
) -> Result<Answer> {
    open_answer_checked(
        content_type,
        body,
        sent,
        SignerCheck::Exactly(receiver_cert_der),
    )
}

/// [`open_answer`] for a receiver published with a certificate that cannot sign (the EC
/// profile's X25519 certificate): the receipt must be signed by a certificate chaining to
/// `trust` at `at` with the same subject as `published_cert_der`.
pub fn open_answer_same_subject(
    content_type: &str,
    body: &[u8],
    sent: &BuiltMessage,
    published_cert_der: &[u8],
    trust: &Trust,
    at: SystemTime,
) -> Result<Answer> {
    open_answer_checked(
        content_type,
        body,
        sent,
        SignerCheck::SameSubject(published_cert_der, trust, at),
    )
}

fn open_answer_checked(
    content_type: &str,
    body: &[u8],
    sent: &BuiltMessage,
    check: SignerCheck<'_>,
) -> Result<Answer> {
    let multipart = mime::parse(content_type, body, &Limits::default().mime)
        .map_err(|e| Error::Signal(e.to_string()))?;
    let soap = &multipart.soap.body;
    let doc = tree::parse(soap, "signal", Error::Signal)?;
    let (header, _) = envelope_parts(&doc).map_err(|e| Error::Signal(e.to_string()))?;
    let sec = wssec::read_security(&doc, header);
    let signed = match &sec {
        Ok(s) if s.signature.is_some() => {
            Some(wssec::verify(soap, &doc, s, &HashMap::new(), check)?)
        }
        _ => None,
    };
    let signal = match &signed {
        Some(v) => {
            let messaging = v
                .covered
                .values()
                .find(|b| {
                    b.windows(13)
                        .any(|w| w == b":Messaging xm" || w == b"<Messaging xm")
                })
                .ok_or_else(|| Error::Signal("eb:Messaging of the signal is not signed".into()))?;
            read_signal(messaging)?
        }
        None => {
            let messaging = child(&doc, header, EB, "Messaging")
                .ok_or_else(|| Error::Signal("no eb:Messaging in the answer".into()))?;
            let signal = crate::ebms::read_signal_at(&doc, messaging)
                .map_err(|e| Error::Signal(e.to_string()))?;
            if matches!(signal.kind, SignalKind::Receipt(_)) {
                return Err(Error::Signal("the receipt is not signed".into()));
            }
            signal
        }
    };
    match &signal.kind {
        SignalKind::Errors(errors) => Ok(Answer::Errors(errors.clone())),
        SignalKind::Receipt(nri) => {
            if signal.ref_to_message_id.as_deref() != Some(sent.message_id.as_str()) {
                return Err(Error::Signal(format!(
                    "the receipt refers to {:?}, not {}",
                    signal.ref_to_message_id, sent.message_id
                )));
            }
            let key = |r: &Reference| {
                (
                    r.uri.clone(),
                    r.digest_method.clone(),
                    r.digest_value.clone(),
                )
            };
            let got: BTreeSet<_> = nri.iter().map(key).collect();
            let want: BTreeSet<_> = sent.references.iter().map(key).collect();
            if got != want || nri.len() != sent.references.len() {
                return Err(Error::Signal(
                    "the receipt's NonRepudiationInformation differs from what we signed".into(),
                ));
            }
            Ok(Answer::Receipt(signal))
        }
    }
}
