//! Is the certificate that signed a message or receipt one of a trusted access point? It must
//! chain (rustls-webpki) to a configured anchor through configured intermediates and be valid
//! at the checked time, like the whole chain.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
    /// When the first configured intermediate expires: no cached verdict outlives it.
    intermediates_until: SystemTime,
    /// Chain verdicts by certificate (clones share it): a peer signs every message with the same
    /// certificate, and building its chain costs more than the rest of the signature check.
    verdicts: Arc<Mutex<HashMap<[u8; 32], Verdict>>>,
}

/// A certificate that chained to the anchors at `from` and stays trusted until `until` (the
/// first expiry among it and the intermediates).
#[derive(Debug, Clone)]
struct Verdict {
    info: CertInfo,
    from: SystemTime,
    until: SystemTime,
}

/// Most cached verdicts; the cache starts over when full (a flood of new certificates costs a
/// chain check each, as without the cache).
const MAX_VERDICTS: usize = 4096;

fn not_after(der: &[u8]) -> Option<SystemTime> {
    let (_, x) = X509Certificate::from_der(der).ok()?;
    let secs = u64::try_from(x.validity().not_after.timestamp()).ok()?;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
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
        let intermediates_until = others
            .iter()
            .filter_map(|c| not_after(c))
            .min()
            .unwrap_or(SystemTime::UNIX_EPOCH + Duration::from_secs(1 << 40));
        Ok(Trust {
            anchors,
            intermediates: others,
            intermediates_until,
            verdicts: Arc::default(),
        })
    }

    /// Checks `der` at `at`; returns the certificate's facts. A certificate that chained before
    /// is not chained again while `at` stays within the validity of it and the intermediates
    /// (revocation is [`Trust::is_revoked`]'s, checked apart).
    pub fn check(&self, der: &[u8], at: SystemTime) -> Result<CertInfo> {
        let key = crate::crypto::sha256(der);
        if let Some(v) = self.verdicts.lock().expect("verdict cache").get(&key) {
            if v.from <= at && at < v.until {
                return Ok(v.info.clone());
            }
        }
        let info = self.verify(der, at, None)?;
        let until = not_after(der).map_or(at, |t| t.min(self.intermediates_until));
        let mut verdicts = self.verdicts.lock().expect("verdict cache");
        if verdicts.len() >= MAX_VERDICTS {
            verdicts.clear();
        }
        verdicts.insert(
            key,
            Verdict {
                info: info.clone(),
                from: at,
                until,
            },
        );
        Ok(info)
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

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::asn1::Asn1Time;
    use openssl::hash::MessageDigest;
    use openssl::pkey::{PKey, Private};
    use openssl::x509::extension::BasicConstraints;
    use openssl::x509::{X509Builder, X509NameBuilder, X509};

    fn cert(cn: &str, key: &PKey<Private>, issuer: Option<(&X509, &PKey<Private>)>) -> X509 {
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", cn).unwrap();
        let name = name.build();
        let mut b = X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        match issuer {
            Some((ca, _)) => b.set_issuer_name(ca.subject_name()).unwrap(),
            None => {
                b.set_issuer_name(&name).unwrap();
                b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
                    .unwrap();
            }
        }
        b.set_pubkey(key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.sign(issuer.map_or(key, |(_, k)| k), MessageDigest::null())
            .unwrap();
        b.build()
    }

    #[test]
    fn a_cached_verdict_ends_with_the_certificate() {
        let (ca_key, ap_key) = (
            PKey::generate_ed25519().unwrap(),
            PKey::generate_ed25519().unwrap(),
        );
        let ca = cert("CA", &ca_key, None);
        let ap = cert("AP", &ap_key, Some((&ca, &ca_key))).to_der().unwrap();
        let trust = Trust::from_pems([ca.to_pem().unwrap().as_slice()]).unwrap();
        let now = SystemTime::now();
        let day = Duration::from_secs(86_400);
        assert_eq!(trust.check(&ap, now).unwrap().common_name, "AP");
        // Cached now, still valid in an hour, and not beyond the certificate's notAfter.
        assert_eq!(trust.verdicts.lock().unwrap().len(), 1);
        assert!(trust.check(&ap, now + Duration::from_secs(3600)).is_ok());
        assert!(trust.check(&ap, now + 2 * day).is_err());
        assert!(trust.check(&ap, now - day).is_err());
        // An untrusted certificate is refused every time and never cached.
        let rogue_key = PKey::generate_ed25519().unwrap();
        let rogue_ca = cert("CA", &rogue_key, None);
        let rogue = cert("AP", &ap_key, Some((&rogue_ca, &rogue_key)))
            .to_der()
            .unwrap();
        assert!(trust.check(&rogue, now).is_err());
        assert!(trust.check(&rogue, now).is_err());
        assert_eq!(trust.verdicts.lock().unwrap().len(), 1);
    }
}
