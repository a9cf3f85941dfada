//! Verifying a SignedServiceMetadata answer: the enveloped XML signature (libxmlsec1 through
//! gateway-xmldsig, key from the embedded KeyInfo certificate), then that certificate against
//! the SMP trust anchors at the checked time. The metadata is read from the bytes the signature
//! covered and nothing else, so content outside the signed element (signature wrapping) is
//! never seen.

use std::time::SystemTime;

use gateway_peppol::smp::{read_signed_service_metadata, ServiceMetadata, NS_SMP};
use gateway_xmldsig::{verify_enveloped, Error as DsigError, Trust};

use crate::trust::{SignerInfo, SmpTrust};
use crate::LookupError;

/// A SignedServiceMetadata whose signature and signer were checked.
#[derive(Debug, Clone)]
pub struct VerifiedServiceMetadata {
    /// Read from the signed bytes only.
    pub metadata: ServiceMetadata,
    /// The certificate that signed it (trusted under the given [`SmpTrust`]).
    pub signer: SignerInfo,
}

/// Verifies `xml` (fetched from `url`, used in errors) with `trust`, judging certificates at `at`.
/// Blocking (libxml2): call it from `spawn_blocking` in async code.
pub fn verify_service_metadata(
    xml: &[u8],
    trust: &SmpTrust,
    at: SystemTime,
    url: &str,
) -> Result<VerifiedServiceMetadata, LookupError> {
    let verified = verify_enveloped(xml, Trust::EmbeddedCertificate).map_err(|e| match e {
        DsigError::Refused(_) | DsigError::Parse { .. } | DsigError::Limit(_) => {
            LookupError::BadDocument {
                url: url.to_owned(),
                reason: e.to_string(),
            }
        }
        other => LookupError::BadSignature {
            url: url.to_owned(),
            reason: other.to_string(),
        },
    })?;
    let covered = &verified.covered_element;
    if covered.namespace.as_deref() != Some(NS_SMP) || covered.local_name != "SignedServiceMetadata"
    {
        return Err(LookupError::BadDocument {
            url: url.to_owned(),
            reason: format!(
                "the signature covers {{{}}}{}, not smp:SignedServiceMetadata",
                covered.namespace.as_deref().unwrap_or(""),
                covered.local_name
            ),
        });
    }
    let signer = trust.check(verified.signer_certificate.as_der(), at)?;
    let doc = read_signed_service_metadata(&verified.signed_bytes).map_err(|e| {
        LookupError::BadDocument {
            url: url.to_owned(),
            reason: e.to_string(),
        }
    })?;
    Ok(VerifiedServiceMetadata {
        metadata: doc.metadata,
        signer,
    })
}
