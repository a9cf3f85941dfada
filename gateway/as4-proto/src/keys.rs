//! Our access point's identity: certificate, signing key and key-transport key.

use gateway_xmldsig::{CertDer, Ed25519Key, SignatureAlgorithm};

use crate::crypto::RsaDecryptionKey;
use crate::ec::X25519Key;
use crate::error::{Error, Result};
use crate::trust::CertInfo;

/// How we sign.
#[derive(Debug, Clone)]
pub enum Signer {
    /// RSA-SHA256 (Peppol AS4 profile).
    Rsa(RsaDecryptionKey),
    /// EdDSA Ed25519 (eDelivery AS4 2.0 EC profile).
    Ed25519(Box<Ed25519Key>),
}

impl Signer {
    pub fn algorithm(&self) -> SignatureAlgorithm {
        match self {
            Signer::Rsa(_) => SignatureAlgorithm::RsaSha256,
            Signer::Ed25519(_) => SignatureAlgorithm::Ed25519,
        }
    }

    pub fn sign(&self, signed_info_c14n: &[u8]) -> Result<Vec<u8>> {
        match self {
            Signer::Rsa(key) => key.sign_sha256(signed_info_c14n),
            Signer::Ed25519(key) => {
                Ok(gateway_xmldsig::sign_signature_value_ed25519(signed_info_c14n, key).to_vec())
            }
        }
    }
}

/// Our access point: the certificate others see, the key that signs with it and the key that
/// unwraps content keys sent to it.
#[derive(Debug, Clone)]
pub struct LocalAp {
    pub certificate: CertDer,
    /// The certificate's CN: our `eb:From`/`eb:To` PartyId.
    pub party_id: String,
    pub signer: Signer,
    pub decryption: Option<RsaDecryptionKey>,
    /// EC profile: our X25519 key-agreement key and its certificate.
    pub agreement: Option<(X25519Key, CertDer)>,
}

impl LocalAp {
    /// An RSA access point from PEM certificate and PEM private key.
    pub fn rsa_from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<LocalAp> {
        let certificate = CertDer::from_pem(cert_pem)
            .map_err(|e| Error::Key(e.to_string()))?
            .remove(0);
        let info = CertInfo::parse(certificate.as_der())
            .map_err(|e| Error::Key(format!("our certificate: {e}")))?;
        let key = RsaDecryptionKey::from_pem(key_pem)?;
        Ok(LocalAp {
            certificate,
            party_id: info.common_name,
            signer: Signer::Rsa(key.clone()),
            decryption: Some(key),
            agreement: None,
        })
    }

    /// An EC-profile access point (eDelivery AS4 2.0): an Ed25519 signing certificate and key,
    /// and an X25519 key-agreement certificate and key.
    pub fn ed25519_from_pem(
        cert_pem: &[u8],
        key_pem: &[u8],
        agreement_cert_pem: &[u8],
        agreement_key_pem: &[u8],
    ) -> Result<LocalAp> {
        let certificate = CertDer::from_pem(cert_pem)
            .map_err(|e| Error::Key(e.to_string()))?
            .remove(0);
        let info = CertInfo::parse(certificate.as_der())
            .map_err(|e| Error::Key(format!("our certificate: {e}")))?;
        let key = Ed25519Key::from_pkcs8_pem(key_pem).map_err(|e| Error::Key(e.to_string()))?;
        let agreement_cert = CertDer::from_pem(agreement_cert_pem)
            .map_err(|e| Error::Key(e.to_string()))?
            .remove(0);
        Ok(LocalAp {
            certificate,
            party_id: info.common_name,
            signer: Signer::Ed25519(Box::new(key)),
            decryption: None,
            agreement: Some((X25519Key::from_pem(agreement_key_pem)?, agreement_cert)),
        })
    }
}
