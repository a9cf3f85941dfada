//! SignatureValue over canonical SignedInfo bytes that the caller built and canonicalized
//! itself (with [`crate::canonicalize`]): the building block for AS4, whose references to MIME
//! attachments libxmlsec1 cannot resolve, and for Ed25519.

use ed25519_dalek::{Signature, Signer as _, VerifyingKey};

use crate::ed25519::{Ed25519Key, EDDSA_ED25519};
use crate::error::{Error, Result};
use crate::ffi::{self, RsaHash};
use crate::keys::{CertDer, SigningKey};

/// Signature methods accepted for a SignedInfo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// `http://www.w3.org/2000/09/xmldsig#rsa-sha1` (legacy; verify only if you must).
    RsaSha1,
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`.
    RsaSha256,
    /// `http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519` (RFC 9231).
    Ed25519,
}

impl SignatureAlgorithm {
    /// The SignatureMethod URI.
    pub fn uri(self) -> &'static str {
        match self {
            SignatureAlgorithm::RsaSha1 => "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            SignatureAlgorithm::RsaSha256 => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            SignatureAlgorithm::Ed25519 => EDDSA_ED25519,
        }
    }

    /// The algorithm of a SignatureMethod URI, if supported.
    pub fn from_uri(uri: &str) -> Option<SignatureAlgorithm> {
        [
            SignatureAlgorithm::RsaSha1,
            SignatureAlgorithm::RsaSha256,
            SignatureAlgorithm::Ed25519,
        ]
        .into_iter()
        .find(|a| a.uri() == uri)
    }
}

/// Checks `signature` over `signed_info_c14n` with the key of `cert`. [`Error::Invalid`] when
/// it does not match; [`Error::Key`] when the certificate's key does not fit the algorithm.
pub fn verify_signature_value(
    algorithm: SignatureAlgorithm,
    signed_info_c14n: &[u8],
    signature: &[u8],
    cert: &CertDer,
) -> Result<()> {
    let valid = match algorithm {
        SignatureAlgorithm::RsaSha1 | SignatureAlgorithm::RsaSha256 => ffi::rsa_verify(
            rsa_hash(algorithm),
            signed_info_c14n,
            signature,
            cert.as_der(),
        )?,
        SignatureAlgorithm::Ed25519 => {
            let public = crate::cert_key::ed25519_public_key_of_cert(cert.as_der())?;
            let key = VerifyingKey::from_bytes(&public)
                .map_err(|e| Error::Key(format!("invalid Ed25519 public key: {e}")))?;
            let sig: [u8; 64] = signature
                .try_into()
                .map_err(|_| Error::Invalid("an Ed25519 signature has 64 bytes".into()))?;
            key.verify_strict(signed_info_c14n, &Signature::from_bytes(&sig))
                .is_ok()
        }
    };
    if valid {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "the {} SignatureValue does not verify",
            algorithm.uri()
        )))
    }
}

/// Signs canonical SignedInfo bytes with RSA (PKCS#1 v1.5).
pub fn sign_signature_value_rsa(
    algorithm: SignatureAlgorithm,
    signed_info_c14n: &[u8],
    key: &SigningKey,
) -> Result<Vec<u8>> {
    match algorithm {
        SignatureAlgorithm::RsaSha1 | SignatureAlgorithm::RsaSha256 => {
            ffi::rsa_sign(rsa_hash(algorithm), signed_info_c14n, key.pem())
        }
        SignatureAlgorithm::Ed25519 => Err(Error::Key(
            "use sign_signature_value_ed25519 for Ed25519".into(),
        )),
    }
}

/// Signs canonical SignedInfo bytes with Ed25519.
pub fn sign_signature_value_ed25519(signed_info_c14n: &[u8], key: &Ed25519Key) -> [u8; 64] {
    key.dalek().sign(signed_info_c14n).to_bytes()
}

fn rsa_hash(algorithm: SignatureAlgorithm) -> RsaHash {
    match algorithm {
        SignatureAlgorithm::RsaSha1 => RsaHash::Sha1,
        _ => RsaHash::Sha256,
    }
}
