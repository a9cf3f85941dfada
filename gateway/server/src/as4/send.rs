//! Sending one outbox message: find the receiver's endpoint (static mapping, else SML/SMP),
//! wrap the document in an SBDH, sign and encrypt for the receiver's certificate, POST, and
//! check the receipt (signer, RefToMessageId, NonRepudiationInformation). Retries reuse the
//! MessageId, so a receiver's duplicate elimination turns a resend into the same receipt.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use gateway_as4_proto::{
    build_message, open_answer, open_answer_same_subject, signed_references, Answer, BuiltMessage,
    CertInfo, Outgoing,
};
use gateway_peppol::smp::{TRANSPORT_PROFILE_AS4_V2, TRANSPORT_PROFILE_EDELIVERY_AS4_V2};
use gateway_peppol::{DocumentTypeId, ParticipantId, ProcessId, DOCTYPE_SCHEME, PROCESS_SCHEME};
use gateway_peppol_lookup::Lookup;
use gateway_sbdh::{DocumentIdentification, Sbdh};
use gateway_store::{Outbound, Visibility};

use super::revocation::Refused;
use super::As4;
use crate::config::{As4Profile, Config};
use crate::Error;

/// Where a receiver's AP listens and the certificate to encrypt for.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: String,
    /// The Peppol profile: the AP certificate; the EC profile: the X25519 certificate.
    pub certificate_der: Vec<u8>,
    pub profile: As4Profile,
}

/// Why an attempt did not end with a verified receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later (network, 5xx, lookup outage, unusable answer).
    Retry(String),
    /// Trying again cannot help (ebMS error, receiver unknown, 4xx, bad document).
    Final(String),
}

pub struct Sender {
    as4: Arc<As4>,
    client: reqwest::Client,
    statics: HashMap<String, Endpoint>,
    lookup: Option<Lookup>,
}

impl Sender {
    pub fn new(config: &Config, as4: Arc<As4>, lookup: Option<Lookup>) -> Result<Sender, Error> {
        gateway_peppol_lookup::install_ring_provider();
        let read = |path: &std::path::PathBuf| {
            std::fs::read(path).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })
        };
        let mut statics = HashMap::new();
        for s in &config.as4.static_endpoints {
            let id = ParticipantId::parse_lenient(&s.participant)
                .map_err(|e| Error::Config(format!("as4.static_endpoints: {e}")))?;
            let pem = read(&s.certificate)?;
            let der = gateway_xmldsig::CertDer::from_pem(&pem)
                .map_err(|e| Error::Config(format!("as4.static_endpoints certificate: {e}")))?
                .remove(0);
            statics.insert(
                id.to_uri(),
                Endpoint {
                    url: s.url.clone(),
                    certificate_der: der.as_der().to_vec(),
                    profile: s.profile,
                },
            );
        }
        let mut b = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            // Some AS4 stacks look headers up case-sensitively (`Content-Type`).
            .http1_title_case_headers()
            .no_proxy();
        for path in &config.as4.https_roots {
            let certs = reqwest::Certificate::from_pem_bundle(&read(path)?)
                .map_err(|e| Error::Config(format!("as4.https_roots: {e}")))?;
            b = b.tls_certs_merge(certs);
        }
        let client = b
            .build()
            .map_err(|e| Error::Config(format!("AS4 HTTP client: {e}")))?;
        Ok(Sender {
            as4,
            client,
            statics,
            lookup,
        })
    }

    async fn endpoint(
        &self,
        receiver: &ParticipantId,
        doctype: &DocumentTypeId,
        process: &ProcessId,
    ) -> Result<Endpoint, SendError> {
        if let Some(e) = self.statics.get(&receiver.to_uri()) {
            return Ok(e.clone());
        }
        let lookup = self
            .lookup
            .as_ref()
            .ok_or_else(|| SendError::Final("no SML/SMP lookup configured".into()))?;
        // The EC profile first when we speak it, so two such gateways use it.
        let profiles: &[&str] = if self.as4.ec.is_some() {
            &[TRANSPORT_PROFILE_EDELIVERY_AS4_V2, TRANSPORT_PROFILE_AS4_V2]
        } else {
            &[TRANSPORT_PROFILE_AS4_V2]
        };
        match lookup
            .lookup_preferring(receiver, doctype, process, profiles)
            .await
        {
            Ok(found) => Ok(Endpoint {
                url: found.endpoint_url,
                certificate_der: found.certificate_der,
                profile: if found.transport_profile == TRANSPORT_PROFILE_EDELIVERY_AS4_V2 {
                    As4Profile::Ec
                } else {
                    As4Profile::Peppol
                },
            }),
            Err(e) if e.is_retryable() => Err(SendError::Retry(format!("lookup: {e}"))),
            Err(e) => Err(SendError::Final(format!("lookup: {e}"))),
        }
    }

    /// One attempt; on success the endpoint URL and the receipt (XML) kept as proof.
    pub async fn send(&self, job: &Outbound) -> Result<(String, String), SendError> {
        let store = &self.as4.store;
        let payload = store
            .get_blob(&job.payload_sha256)
            .await
            .map_err(|e| SendError::Retry(format!("reading the payload: {e}")))?
            .ok_or_else(|| SendError::Final("the payload blob is missing".into()))?;
        let bad = |what: &str, e: &dyn std::fmt::Display| SendError::Final(format!("{what}: {e}"));
        let sender = ParticipantId::parse_lenient(&job.sender_id).map_err(|e| bad("sender", &e))?;
        let receiver =
            ParticipantId::parse_lenient(&job.receiver_id).map_err(|e| bad("receiver", &e))?;
        let doctype =
            DocumentTypeId::from_parts(DOCTYPE_SCHEME, strip(&job.document_type, DOCTYPE_SCHEME))
                .map_err(|e| bad("document type", &e))?;
        let process = ProcessId::from_parts(PROCESS_SCHEME, strip(&job.process, PROCESS_SCHEME))
            .map_err(|e| bad("process", &e))?;
        let country = store
            .get_company(&Visibility::All, &job.company_id)
            .await
            .map_err(|e| SendError::Retry(e.to_string()))?
            .map(|c| c.country)
            .unwrap_or_else(|| "BE".into());
        let endpoint = self.endpoint(&receiver, &doctype, &process).await?;
        match self
            .as4
            .revocation
            .check(&self.as4.trust, &endpoint.certificate_der)
            .await
        {
            Ok(()) => {}
            Err(Refused::Revoked(why)) => {
                return Err(SendError::Final(format!("receiver certificate: {why}")))
            }
            Err(Refused::Unknown(why)) => {
                return Err(SendError::Retry(format!("receiver certificate: {why}")))
            }
        }
        let to_party = CertInfo::parse(&endpoint.certificate_der)
            .map_err(|e| bad("receiver certificate", &e))?
            .common_name;
        let built = match (&job.message_content_type, &job.message_sha256) {
            // A retry: exactly the bytes of the first attempt.
            (Some(content_type), Some(sha)) => {
                let body = store
                    .get_blob(sha)
                    .await
                    .map_err(|e| SendError::Retry(format!("reading the built message: {e}")))?
                    .ok_or_else(|| SendError::Final("the built message is missing".into()))?;
                let references = signed_references(content_type, &body)
                    .map_err(|e| SendError::Final(format!("the stored message: {e}")))?;
                BuiltMessage {
                    message_id: job.message_id.clone(),
                    content_type: content_type.clone(),
                    body,
                    references,
                }
            }
            _ => {
                let sbd = wrap(&sender, &receiver, &doctype, &process, &country, &payload)?;
                let outgoing = Outgoing {
                    message_id: job.message_id.clone(),
                    conversation_id: job.message_id.clone(),
                    from_party: self.as4.local.party_id.clone(),
                    to_party,
                    original_sender: sender,
                    final_recipient: receiver,
                    action: format!("{}::{}", doctype.scheme(), doctype.value()),
                    service: process.value().to_owned(),
                    service_type: process.scheme().to_owned(),
                    sbd,
                };
                let (as4, cert, profile) = (
                    self.as4.clone(),
                    endpoint.certificate_der.clone(),
                    endpoint.profile,
                );
                let built = tokio::task::spawn_blocking(move || {
                    let local = match profile {
                        As4Profile::Peppol => &as4.local,
                        As4Profile::Ec => as4.ec.as_ref().ok_or_else(|| {
                            gateway_as4_proto::Error::Policy(
                                "the partner speaks the EC profile and as4.ec is off".into(),
                            )
                        })?,
                    };
                    build_message(&outgoing, local, &cert)
                })
                .await
                .map_err(|e| SendError::Retry(e.to_string()))?
                .map_err(|e| SendError::Final(format!("building the message: {e}")))?;
                // Durable before it leaves: a retry after a crash resends these bytes.
                store
                    .outbound_built(&job.id, &built.content_type, &built.body)
                    .await
                    .map_err(|e| SendError::Retry(format!("keeping the built message: {e}")))?;
                built
            }
        };
        let resp = self
            .client
            .post(&endpoint.url)
            .header(reqwest::header::CONTENT_TYPE, built.content_type.clone())
            .header("MIME-Version", "1.0")
            .body(built.body.clone())
            .send()
            .await
            .map_err(|e| SendError::Retry(format!("POST {}: {e}", endpoint.url)))?;
        let status = resp.status();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/soap+xml")
            .to_owned();
        let body = resp
            .bytes()
            .await
            .map_err(|e| SendError::Retry(format!("reading the answer: {e}")))?;
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            return Err(SendError::Retry(format!(
                "HTTP {status} from {}",
                endpoint.url
            )));
        }
        if !status.is_success() {
            return Err(SendError::Final(format!(
                "HTTP {status} from {}",
                endpoint.url
            )));
        }
        let (sent, cert, body2) = (built, endpoint.certificate_der.clone(), body.clone());
        let (as4, profile) = (self.as4.clone(), endpoint.profile);
        let answer = tokio::task::spawn_blocking(move || match profile {
            As4Profile::Peppol => open_answer(&content_type, &body2, &sent, &cert),
            // The published X25519 certificate cannot sign: the receipt is signed by the same
            // access point's Ed25519 certificate.
            As4Profile::Ec => open_answer_same_subject(
                &content_type,
                &body2,
                &sent,
                &cert,
                &as4.trust,
                std::time::SystemTime::now(),
            ),
        })
        .await
        .map_err(|e| SendError::Retry(e.to_string()))?;
        match answer {
            Ok(Answer::Receipt(_)) => {
                Ok((endpoint.url, String::from_utf8_lossy(&body).into_owned()))
            }
            Ok(Answer::Errors(errors)) => Err(SendError::Final(
                errors
                    .iter()
                    .map(|e| format!("{} {}", e.code, e.detail.as_deref().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Err(e) => Err(SendError::Retry(format!("unusable answer: {e}"))),
        }
    }
}

fn strip<'a>(text: &'a str, scheme: &str) -> &'a str {
    text.strip_prefix(scheme)
        .and_then(|t| t.strip_prefix("::"))
        .unwrap_or(text)
}

/// The SBD around the business document.
fn wrap(
    sender: &ParticipantId,
    receiver: &ParticipantId,
    doctype: &DocumentTypeId,
    process: &ProcessId,
    country: &str,
    payload: &[u8],
) -> Result<Vec<u8>, SendError> {
    let tree = gateway_xml::parse(payload, &gateway_xml::Limits::default())
        .map_err(|e| SendError::Final(format!("the document is not XML: {e}")))?;
    let root = tree.name(tree.root());
    let header = Sbdh {
        sender: sender.clone(),
        receiver: receiver.clone(),
        document_identification: DocumentIdentification {
            standard: root.ns.to_owned(),
            type_version: "2.1".into(),
            instance_identifier: uuid::Uuid::new_v4().to_string(),
            type_name: root.local.to_owned(),
            creation_date_and_time: chrono::Utc::now()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
        document_type_id: doctype.clone(),
        process_id: process.clone(),
        country_c1: country.to_owned(),
        mls_to: None,
        mls_type: None,
        additional_scopes: Vec::new(),
    };
    gateway_sbdh::write(&header, payload).map_err(|e| SendError::Final(format!("SBDH: {e}")))
}
