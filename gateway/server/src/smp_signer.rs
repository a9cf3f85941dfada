//! Signs SMP answers: an enveloped XML signature (RSA-SHA256, exclusive c14n) made by libxmlsec1
//! through `gateway-xmldsig`, with the SMP certificate in KeyInfo.
use std::path::Path;

use gateway_xmldsig::{sign_enveloped, CertDer, SigningKey};

use crate::Error;

pub struct SmpSigner {
    key: SigningKey,
    chain: Vec<CertDer>,
}

impl SmpSigner {
    pub fn load(cert: &Path, key: &Path) -> Result<Self, Error> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })
        };
        let chain = CertDer::from_pem(&read(cert)?)
            .map_err(|e| Error::Tls(format!("SMP certificate {}: {e}", cert.display())))?;
        if chain.is_empty() {
            return Err(Error::Tls(format!(
                "{} holds no certificate",
                cert.display()
            )));
        }
        let key = SigningKey::from_pem(&read(key)?)
            .map_err(|e| Error::Tls(format!("SMP key {}: {e}", key.display())))?;
        Ok(Self { key, chain })
    }

    pub fn sign(&self, xml: &[u8]) -> Result<Vec<u8>, String> {
        // Only the signing certificate goes into KeyInfo, as Peppol SMPs publish it.
        sign_enveloped(xml, &self.key, &self.chain[..1]).map_err(|e| e.to_string())
    }
}
