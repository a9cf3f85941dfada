//! SMP client: fetch `{smp}/{participant}/services/{doctype}`, verify it, follow one SMP
//! `Redirect` (whose target must be signed by the certificate the redirect names) and check
//! the answer is about what was asked.

use std::sync::Arc;
use std::time::Duration;

use gateway_peppol::smp::ServiceMetadata;
use gateway_peppol::{service_metadata_url, DocumentTypeId, ParticipantId};
use hickory_resolver::TokioResolver;

use crate::clock::{Clock, SystemClock};
use crate::endpoint::doctype_text;
use crate::http::{build_client, get, HttpConfig};
use crate::trust::SmpTrust;
use crate::verify::{verify_service_metadata, VerifiedServiceMetadata};
use crate::LookupError;

/// SMP client settings.
#[derive(Debug, Clone)]
pub struct SmpClientConfig {
    pub http: HttpConfig,
    /// Who may sign SMP answers.
    pub trust: SmpTrust,
    /// The time certificates are judged at.
    pub clock: Arc<dyn Clock>,
}

impl SmpClientConfig {
    /// Default HTTP settings, the system clock and these trust anchors.
    pub fn new(trust: SmpTrust) -> Self {
        SmpClientConfig {
            http: HttpConfig::default(),
            trust,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A verified answer and how long it may be cached.
#[derive(Debug, Clone)]
pub struct FetchedMetadata {
    pub verified: VerifiedServiceMetadata,
    /// The URL of the document finally used (after an SMP redirect, the target).
    pub url: String,
    /// The shortest `Cache-Control` lifetime seen, `None` when the SMP gave none.
    pub max_age: Option<Duration>,
}

/// Fetches and verifies SignedServiceMetadata.
#[derive(Debug, Clone)]
pub struct SmpClient {
    http: reqwest::Client,
    config: Arc<SmpClientConfig>,
}

impl SmpClient {
    /// A client resolving SMP host names with the system resolver.
    pub fn new(config: SmpClientConfig) -> Result<Self, LookupError> {
        Self::build(config, None)
    }

    /// A client resolving SMP host names through `dns` (the SML resolver's servers).
    pub(crate) fn build(
        config: SmpClientConfig,
        dns: Option<Arc<TokioResolver>>,
    ) -> Result<Self, LookupError> {
        Ok(SmpClient {
            http: build_client(&config.http, dns)?,
            config: Arc::new(config),
        })
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.config.clock
    }

    /// The verified service metadata of `participant` for `document_type` at the SMP `smp_base`.
    pub async fn service_metadata(
        &self,
        smp_base: &str,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
    ) -> Result<FetchedMetadata, LookupError> {
        let url = service_metadata_url(smp_base.trim_end_matches('/'), participant, document_type);
        let first = self
            .fetch_verified(&url, participant, document_type)
            .await?;
        let ServiceMetadata::Redirect(redirect) = &first.verified.metadata else {
            check_subject(&first, participant, document_type)?;
            return Ok(first);
        };
        let bad = |reason: String| LookupError::BadRedirect {
            url: url.clone(),
            reason,
        };
        if !(redirect.href.starts_with("http://") || redirect.href.starts_with("https://")) {
            return Err(bad(format!(
                "href `{}` is not an http(s) URL",
                redirect.href
            )));
        }
        tracing::info!(from = %url, to = %redirect.href, uid = %redirect.certificate_uid, "following SMP redirect");
        let second = self
            .fetch_verified(&redirect.href, participant, document_type)
            .await?;
        if matches!(second.verified.metadata, ServiceMetadata::Redirect(_)) {
            return Err(bad(format!(
                "`{}` redirects again; only one SMP redirect is followed",
                redirect.href
            )));
        }
        if !second
            .verified
            .signer
            .matches_certificate_uid(&redirect.certificate_uid)
        {
            return Err(bad(format!(
                "the target is signed by `{}`, not by the certificate `{}` the redirect names",
                second.verified.signer.subject, redirect.certificate_uid
            )));
        }
        check_subject(&second, participant, document_type)?;
        let max_age = match (first.max_age, second.max_age) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(FetchedMetadata { max_age, ..second })
    }

    async fn fetch_verified(
        &self,
        url: &str,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
    ) -> Result<FetchedMetadata, LookupError> {
        let fetched = get(&self.http, url, &self.config.http).await?;
        match fetched.status {
            200 => {}
            404 => {
                return Err(LookupError::ServiceNotFound {
                    url: url.to_owned(),
                    participant: participant.to_uri(),
                    document_type: doctype_text(document_type),
                })
            }
            s @ (408 | 429 | 500..=599) => {
                return Err(LookupError::SmpTemporary {
                    url: url.to_owned(),
                    status: s,
                })
            }
            s => {
                return Err(LookupError::SmpStatus {
                    url: url.to_owned(),
                    status: s,
                })
            }
        }
        let config = self.config.clone();
        let at = config.clock.now();
        let owned_url = url.to_owned();
        // libxml2/libxmlsec1 work is blocking CPU work: keep it off the async workers.
        let verified = tokio::task::spawn_blocking(move || {
            verify_service_metadata(&fetched.body, &config.trust, at, &owned_url)
        })
        .await
        .map_err(|e| LookupError::BadDocument {
            url: url.to_owned(),
            reason: format!("verification task failed: {e}"),
        })??;
        Ok(FetchedMetadata {
            verified,
            url: url.to_owned(),
            max_age: fetched.max_age,
        })
    }
}

/// The signed ServiceInformation must be about the participant and document type we asked for.
fn check_subject(
    fetched: &FetchedMetadata,
    participant: &ParticipantId,
    document_type: &DocumentTypeId,
) -> Result<(), LookupError> {
    let ServiceMetadata::Information(info) = &fetched.verified.metadata else {
        return Ok(());
    };
    let wrong = |reason: String| LookupError::WrongDocument {
        url: fetched.url.clone(),
        reason,
    };
    if &info.participant != participant {
        return Err(wrong(format!(
            "it is about participant {}, not {}",
            info.participant.to_uri(),
            participant.to_uri()
        )));
    }
    if &info.document_type != document_type {
        return Err(wrong(format!(
            "it is about document type {}, not {}",
            doctype_text(&info.document_type),
            doctype_text(document_type)
        )));
    }
    Ok(())
}
