//! Is the certificate that signed an SMP answer one we trust? It must chain (rustls-webpki) to
//! a configured SMP CA and, like the whole chain, be valid at the checked time. SMP signing
//! certificates carry `clientAuth` (Peppol) or other EKUs, never necessarily `serverAuth`, so any
//! EKU is accepted; the KeyUsage, when present, must allow digital signatures.

use std::time::{Duration, SystemTime};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::LookupError;

/// The SMP trust anchors (e.g. "PEPPOL SERVICE METADATA PUBLISHER CA - G2" and its root).
#[derive(Debug, Clone)]
pub struct SmpTrust {
    mode: Mode,
}

#[derive(Debug, Clone)]
enum Mode {
    Chain {
        anchors: Vec<TrustAnchor<'static>>,
        intermediates: Vec<CertificateDer<'static>>,
    },
    SignatureOnly,
}

impl SmpTrust {
    /// Every `CERTIFICATE` in `pem` becomes a trust anchor (a root or an issuing CA).
    pub fn from_pem(pem: &[u8]) -> Result<Self, LookupError> {
        let certs = certs_from_pem(pem)?;
        let anchors = certs
            .iter()
            .map(|c| {
                webpki::anchor_from_trusted_cert(c)
                    .map(|a| a.to_owned())
                    .map_err(|e| LookupError::Config(format!("trust anchor: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SmpTrust {
            mode: Mode::Chain {
                anchors,
                intermediates: Vec::new(),
            },
        })
    }

    /// Adds untrusted intermediate CA certificates used to build chains.
    pub fn with_intermediates_pem(mut self, pem: &[u8]) -> Result<Self, LookupError> {
        let extra = certs_from_pem(pem)?;
        if let Mode::Chain { intermediates, .. } = &mut self.mode {
            intermediates.extend(extra);
        }
        Ok(self)
    }

    /// Accepts any signer certificate valid at the checked time, without a chain. Only for
    /// material whose CA is not at hand (the published SMP test vectors); never in production.
    pub fn signature_only_insecure() -> Self {
        SmpTrust {
            mode: Mode::SignatureOnly,
        }
    }

    /// Checks `signer_der` at `at`; returns what callers need to know about it.
    pub fn check(&self, signer_der: &[u8], at: SystemTime) -> Result<SignerInfo, LookupError> {
        let info = SignerInfo::parse(signer_der)?;
        let untrusted = |reason: String| LookupError::UntrustedCertificate {
            subject: info.subject.clone(),
            reason,
        };
        if let Some(ku) = info.key_usage_allows_signing {
            if !ku {
                return Err(untrusted(
                    "its KeyUsage allows neither digitalSignature nor nonRepudiation".into(),
                ));
            }
        }
        match &self.mode {
            Mode::SignatureOnly => {
                if at < info.not_before || at > info.not_after {
                    return Err(untrusted(format!(
                        "not valid at {} (valid {} .. {})",
                        crate::clock::fmt_time(at),
                        crate::clock::fmt_time(info.not_before),
                        crate::clock::fmt_time(info.not_after)
                    )));
                }
            }
            Mode::Chain {
                anchors,
                intermediates,
            } => {
                let der = CertificateDer::from(signer_der);
                let ee = EndEntityCert::try_from(&der)
                    .map_err(|e| untrusted(format!("unreadable certificate: {e}")))?;
                let since_epoch = at
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .unwrap_or(Duration::ZERO);
                ee.verify_for_usage(
                    webpki::ALL_VERIFICATION_ALGS,
                    anchors,
                    intermediates,
                    UnixTime::since_unix_epoch(since_epoch),
                    AnyEku,
                    None,
                    None,
                )
                .map_err(|e| {
                    untrusted(format!(
                        "chain check at {}: {e}",
                        crate::clock::fmt_time(at)
                    ))
                })?;
            }
        }
        Ok(info)
    }
}

/// An SMP signer need not have a particular EKU (see the module comment).
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        // Still walk the extension so a malformed one is refused.
        for id in iter {
            id?;
        }
        Ok(())
    }
}

/// Facts about a signer certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerInfo {
    /// The DER certificate.
    pub der: Vec<u8>,
    /// Subject DN as RFC 4514-like text (`CN=..., OU=..., O=..., C=...`, in certificate order).
    pub subject: String,
    /// The subject's common names.
    pub common_names: Vec<String>,
    pub not_before: SystemTime,
    pub not_after: SystemTime,
    /// `None` when there is no KeyUsage extension.
    key_usage_allows_signing: Option<bool>,
}

impl SignerInfo {
    pub(crate) fn parse(der: &[u8]) -> Result<Self, LookupError> {
        let (_, cert) =
            X509Certificate::from_der(der).map_err(|e| LookupError::UntrustedCertificate {
                subject: "?".into(),
                reason: format!("not an X.509 certificate: {e}"),
            })?;
        let subject = cert.subject().to_string();
        let common_names = cert
            .subject()
            .iter_common_name()
            .filter_map(|cn| cn.as_str().ok().map(str::to_owned))
            .collect();
        let ku = cert
            .key_usage()
            .map_err(|e| LookupError::UntrustedCertificate {
                subject: subject.clone(),
                reason: format!("bad KeyUsage extension: {e}"),
            })?
            .map(|k| k.value.digital_signature() || k.value.non_repudiation());
        let ts = |t: i64| {
            SystemTime::UNIX_EPOCH
                .checked_add(Duration::from_secs(t.max(0) as u64))
                .unwrap_or(SystemTime::UNIX_EPOCH)
        };
        Ok(SignerInfo {
            der: der.to_vec(),
            not_before: ts(cert.validity().not_before.timestamp()),
            not_after: ts(cert.validity().not_after.timestamp()),
            subject,
            common_names,
            key_usage_allows_signing: ku,
        })
    }

    /// Does an SMP `Redirect/CertificateUID` name this certificate? Accepted forms: the subject
    /// DN (attribute order and case ignored, as SMPs write it either way) or the subject CN.
    pub fn matches_certificate_uid(&self, uid: &str) -> bool {
        let uid = uid.trim();
        if uid.is_empty() {
            return false;
        }
        if self
            .common_names
            .iter()
            .any(|cn| cn.eq_ignore_ascii_case(uid))
        {
            return true;
        }
        rdn_set(uid) == rdn_set(&self.subject)
    }
}

/// `C=BE, O=x, CN=y` and `CN=y,O=x,C=BE` compare equal.
fn rdn_set(dn: &str) -> Vec<String> {
    let mut parts: Vec<String> = dn
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or(("", p));
            format!(
                "{}={}",
                k.trim().to_ascii_uppercase(),
                v.trim().to_lowercase()
            )
        })
        .collect();
    parts.sort();
    parts
}

fn certs_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, LookupError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| LookupError::Config(format!("certificate PEM: {e}")))?;
    if certs.is_empty() {
        return Err(LookupError::Config(
            "no CERTIFICATE in the trust anchor PEM".into(),
        ));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dn_comparison_ignores_order_case_and_spaces() {
        assert_eq!(
            rdn_set("C=BE, O=Acme, CN=SMP1"),
            rdn_set("cn=smp1,o=ACME,c=be")
        );
        assert_ne!(
            rdn_set("C=BE, O=Acme, CN=SMP1"),
            rdn_set("C=BE, O=Acme, CN=SMP2")
        );
    }

    #[test]
    fn empty_pem_is_a_config_error() {
        assert!(matches!(
            SmpTrust::from_pem(b"nothing here"),
            Err(LookupError::Config(_))
        ));
    }
}
