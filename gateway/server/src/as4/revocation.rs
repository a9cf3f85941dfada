//! CRL checking of peer access point certificates (the sender's on receive, the receiver's on
//! send). CRLs come from the certificate's distribution points over HTTP with a timeout and are
//! kept until their nextUpdate. A listed certificate is refused (EBMS:0101); a CRL that cannot
//! be had is the policy's call: `soft` (default) accepts, logs a warning and counts
//! `gateway_as4_crl_unavailable`, `strict` refuses, `off` checks nothing. Failing safe without
//! blocking all traffic when a CA's CRL server is down.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use gateway_as4_proto::Trust;
use prometheus_client::metrics::counter::Counter;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{CertificateRevocationList, FromDer, X509Certificate};

/// `as4.crl`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrlPolicy {
    /// An unavailable CRL refuses the certificate.
    Strict,
    /// An unavailable CRL is logged and counted; the certificate passes.
    #[default]
    Soft,
    /// No CRL checking.
    Off,
}

/// Why a certificate is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A CRL of its issuer lists it.
    Revoked(String),
    /// Strict policy and no CRL could be had.
    Unknown(String),
}

/// Largest CRL taken.
const MAX_CRL_BYTES: usize = 20 << 20;
/// How long a CRL without nextUpdate (or already past it) is kept.
const FALLBACK_TTL: Duration = Duration::from_secs(300);

struct Cached {
    der: Arc<Vec<u8>>,
    until: SystemTime,
}

pub struct Revocation {
    policy: CrlPolicy,
    client: reqwest::Client,
    cache: Mutex<HashMap<String, Cached>>,
    /// Certificates found unrevoked, by SHA-256, until the first of their CRLs is due again:
    /// a peer's every message would otherwise parse its CA's CRL and build the chain again.
    unrevoked: Mutex<HashMap<[u8; 32], SystemTime>>,
    unavailable: Counter,
}

/// Most remembered verdicts; the map starts over when full.
const MAX_VERDICTS: usize = 4096;

impl Revocation {
    pub fn new(
        policy: CrlPolicy,
        timeout: Duration,
        unavailable: Counter,
    ) -> Result<Revocation, crate::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .no_proxy()
            .build()
            .map_err(|e| crate::Error::Config(format!("CRL HTTP client: {e}")))?;
        Ok(Revocation {
            policy,
            client,
            cache: Mutex::new(HashMap::new()),
            unrevoked: Mutex::new(HashMap::new()),
            unavailable,
        })
    }

    /// Checks `cert_der` (already chained to `trust`) against its issuer's CRLs.
    pub async fn check(&self, trust: &Trust, cert_der: &[u8]) -> Result<(), Refused> {
        if self.policy == CrlPolicy::Off {
            return Ok(());
        }
        let key: [u8; 32] = sha2::Sha256::digest(cert_der).into();
        let now = SystemTime::now();
        if let Some(until) = self.unrevoked.lock().expect("CRL verdicts").get(&key) {
            if now < *until {
                return Ok(());
            }
        }
        let urls = distribution_points(cert_der);
        let mut crls = Vec::new();
        let mut problems = Vec::new();
        let mut until = None::<SystemTime>;
        if urls.is_empty() {
            problems.push("the certificate names no CRL distribution point".to_owned());
        }
        for url in &urls {
            match self.crl(url).await {
                Ok((der, due)) => {
                    crls.push(der.as_ref().clone());
                    until = Some(until.map_or(due, |u| u.min(due)));
                }
                Err(e) => problems.push(format!("{url}: {e}")),
            }
        }
        if !crls.is_empty() {
            match trust.is_revoked(cert_der, &crls, now) {
                Ok(true) => {
                    return Err(Refused::Revoked(format!(
                        "{} is revoked",
                        subject(cert_der)
                    )))
                }
                Ok(false) => {
                    // Every CRL was had: the verdict holds while they are current.
                    if let (true, Some(until)) = (problems.is_empty(), until) {
                        let mut verdicts = self.unrevoked.lock().expect("CRL verdicts");
                        if verdicts.len() >= MAX_VERDICTS {
                            verdicts.clear();
                        }
                        verdicts.insert(key, until);
                    }
                    return Ok(());
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        let problem = problems.join("; ");
        self.unavailable.inc();
        match self.policy {
            CrlPolicy::Strict => Err(Refused::Unknown(format!(
                "revocation status unknown: {problem}"
            ))),
            // Nothing to fetch is no outage (development certificates): counted, not warned.
            _ if urls.is_empty() => {
                tracing::debug!(%problem, "peer certificate without CRL; accepted");
                Ok(())
            }
            _ => {
                tracing::warn!(%problem, "no CRL for a peer certificate; accepted (as4.crl = soft)");
                Ok(())
            }
        }
    }

    /// The CRL at `url` (DER) and until when it is kept.
    async fn crl(&self, url: &str) -> Result<(Arc<Vec<u8>>, SystemTime), String> {
        let now = SystemTime::now();
        if let Some(c) = self.cache.lock().expect("CRL cache").get(url) {
            if c.until > now {
                return Ok((c.der.clone(), c.until));
            }
        }
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err("not an HTTP URL".into());
        }
        let resp = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status()));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_CRL_BYTES as u64)
        {
            return Err("the CRL is too large".into());
        }
        let body = resp.bytes().await.map_err(|e| e.to_string())?;
        if body.len() > MAX_CRL_BYTES {
            return Err("the CRL is too large".into());
        }
        let der = pem_or_der(&body);
        let (_, crl) =
            CertificateRevocationList::from_der(&der).map_err(|e| format!("not a CRL: {e}"))?;
        let next = crl
            .next_update()
            .and_then(|t| u64::try_from(t.timestamp()).ok())
            .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s));
        let until = match next {
            Some(t) if t > now => t,
            _ => now + FALLBACK_TTL,
        };
        let der = Arc::new(der);
        self.cache.lock().expect("CRL cache").insert(
            url.to_owned(),
            Cached {
                der: der.clone(),
                until,
            },
        );
        Ok((der, until))
    }
}

fn subject(der: &[u8]) -> String {
    gateway_as4_proto::CertInfo::parse(der)
        .map(|i| i.subject)
        .unwrap_or_else(|_| "the certificate".into())
}

/// The CRL as DER (servers answer DER; a PEM one is unwrapped).
fn pem_or_der(body: &[u8]) -> Vec<u8> {
    match x509_parser::pem::parse_x509_pem(body) {
        Ok((_, pem)) if pem.label == "X509 CRL" => pem.contents,
        _ => body.to_vec(),
    }
}

/// The URIs of the certificate's CRL distribution points.
fn distribution_points(der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ext in cert.extensions() {
        if let ParsedExtension::CRLDistributionPoints(points) = ext.parsed_extension() {
            for point in points.iter() {
                if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                    for name in names {
                        if let GeneralName::URI(uri) = name {
                            out.push((*uri).to_owned());
                        }
                    }
                }
            }
        }
    }
    out
}
