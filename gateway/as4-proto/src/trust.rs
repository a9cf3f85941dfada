//! Is the certificate that signed a message or receipt one of a trusted access point? It must
//! chain (rustls-webpki) to a configured anchor through configured intermediates and be valid
//! at the checked time, like the whole chain.

use std::time::{Duration, SystemTime};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, ExtendedKeyUsageValidator,
    KeyPurposeIdIter, OwnedCertRevocationList, RevocationCheckDepth, RevocationOptions,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::error::{Error, Result};

/// Trust anchors and intermediates for peer access point certificates.
#[derive(Debug, Clone)]
pub struct Trust {
    anchors: Vec<TrustAnchor<'static>>,
    intermediates: Vec<CertificateDer<'static>>,
}

impl Trust {
    /// From PEM files' contents: self-signed certificates become anchors and the others
    /// intermediates; when none is self-signed (an issuing CA configured alone) all are anchors.
    pub fn from_pems<'a>(pems: impl IntoIterator<Item = &'a [u8]>) -> Result<Trust> {
        let mut certs = Vec::new();
        for pem in pems {
            for c in CertificateDer::pem_slice_iter(pem) {
                certs.push(c.map_err(|e| Error::Key(format!("trust PEM: {e}")))?);
            }
        }
        if certs.is_empty() {
            return Err(Error::Key("no trusted certificate configured".into()));
        }
        let self_signed = |c: &CertificateDer<'_>| {
            X509Certificate::from_der(c)
                .map(|(_, x)| x.subject() == x.issuer())
                .unwrap_or(false)
        };
        let (roots, others): (Vec<_>, Vec<_>) = if certs.iter().any(self_signed) {
            certs.into_iter().partition(self_signed)
        } else {
            (certs, Vec::new())
        };
        let anchors = roots
            .iter()
            .map(|c| {
                webpki::anchor_from_trusted_cert(c)
                    .map(|a| a.to_owned())
                    .map_err(|e| Error::Key(format!("trust anchor: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Trust {
            anchors,
            intermediates: others,
        })
    }

    /// Checks `der` at `at`; returns the certificate's facts.
    pub fn check(&self, der: &[u8], at: SystemTime) -> Result<CertInfo> {
        self.verify(der, at, None)
    }

    /// Whether a CRL (DER) of the certificate's issuer lists it; the chain is checked as in
    /// [`Trust::check`] (an untrusted certificate is an error). CRLs of other issuers do not
    /// count; whether the right one is there is the caller's policy.
    pub fn is_revoked(&self, der: &[u8], crls: &[Vec<u8>], at: SystemTime) -> Result<bool> {
        let parsed = crls
            .iter()
            .map(|c| {
                OwnedCertRevocationList::from_der(c)
                    .map(CertRevocationList::from)
                    .map_err(|e| Error::Authentication(format!("unreadable CRL: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let refs: Vec<&CertRevocationList<'_>> = parsed.iter().collect();
        let options = RevocationOptionsBuilder::new(&refs)
            .map_err(|_| Error::Authentication("no CRL to check against".into()))?
            .with_depth(RevocationCheckDepth::EndEntity)
            .with_status_policy(UnknownStatusPolicy::Allow)
            // An outdated CRL still lists what it revoked; freshness is the fetcher's job.
            .with_expiration_policy(ExpirationPolicy::Ignore)
            .build();
        match self.verify(der, at, Some(options)) {
            Ok(_) => Ok(false),
            Err(Error::Authentication(e)) if e.ends_with(REVOKED) => Ok(true),
            Err(e) => Err(e),
        }
    }

    fn verify(
        &self,
        der: &[u8],
        at: SystemTime,
        revocation: Option<RevocationOptions<'_>>,
    ) -> Result<CertInfo> {
        let info = CertInfo::parse(der)?;
        let cert = CertificateDer::from(der);
        let ee = EndEntityCert::try_from(&cert)
            .map_err(|e| Error::Authentication(format!("unreadable certificate: {e}")))?;
        let since = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            &self.intermediates,
            UnixTime::since_unix_epoch(since),
            AnyEku,
            revocation,
            None,
        )
        .map_err(|e| match e {
            webpki::Error::CertRevoked => {
                Error::Authentication(format!("certificate {}{REVOKED}", info.subject))
            }
            e => Error::Authentication(format!("certificate {} is not trusted: {e}", info.subject)),
        })?;
        Ok(info)
    }
}

const REVOKED: &str = " is revoked";

/// Peppol AP certificates carry `clientAuth`, development ones none: any EKU is accepted.
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> std::result::Result<(), webpki::Error> {
        for id in iter {
            id?;
        }
        Ok(())
    }
}

/// Facts about a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    /// The first common name (a Peppol AP's seat id, e.g. `PDE000001`).
    pub common_name: String,
}

impl CertInfo {
    pub fn parse(der: &[u8]) -> Result<CertInfo> {
        let (_, cert) = X509Certificate::from_der(der)
            .map_err(|e| Error::Authentication(format!("not an X.509 certificate: {e}")))?;
        let common_name = cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(CertInfo {
            subject: cert.subject().to_string(),
            common_name,
        })
    }
}
