//! Keys and certificates as callers hand them in: PEM/DER bytes, validated up front.

use base64::Engine as _;

use crate::error::{Error, Result};

/// An RSA private key for signing (PKCS#8 `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY` PEM).
#[derive(Clone)]
pub struct SigningKey {
    pem: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    /// Reads an unencrypted PKCS#8 or PKCS#1 PEM private key. Encrypted keys are refused (a
    /// password prompt must never happen inside a server).
    pub fn from_pem(pem: &[u8]) -> Result<SigningKey> {
        let blocks = pem_blocks(pem)?;
        let key = blocks
            .iter()
            .find(|b| b.label.ends_with("PRIVATE KEY"))
            .ok_or_else(|| Error::Key("no PRIVATE KEY block in the PEM".into()))?;
        if key.encrypted || key.label.contains("ENCRYPTED") {
            return Err(Error::Key(
                "encrypted private keys are not supported".into(),
            ));
        }
        if key.label != "PRIVATE KEY" && key.label != "RSA PRIVATE KEY" {
            return Err(Error::Key(format!(
                "unsupported key type {:?} (RSA expected)",
                key.label
            )));
        }
        // Let libxmlsec1 confirm it can load the key now rather than at first use.
        crate::ffi::Key::private_from_pem(pem)?;
        Ok(SigningKey { pem: pem.to_vec() })
    }

    pub(crate) fn pem(&self) -> &[u8] {
        &self.pem
    }
}

/// A DER-encoded X.509 certificate.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CertDer(Vec<u8>);

impl std::fmt::Debug for CertDer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CertDer({} bytes)", self.0.len())
    }
}

impl CertDer {
    /// Wraps DER bytes (checked to be an ASN.1 SEQUENCE; parsing is libxmlsec1's job).
    pub fn from_der(der: impl Into<Vec<u8>>) -> Result<CertDer> {
        let der = der.into();
        if der.len() < 16 || der[0] != 0x30 {
            return Err(Error::Key(
                "certificate is not DER (no ASN.1 SEQUENCE)".into(),
            ));
        }
        Ok(CertDer(der))
    }

    /// All `CERTIFICATE` blocks of a PEM file, in order (leaf first for a chain file).
    pub fn from_pem(pem: &[u8]) -> Result<Vec<CertDer>> {
        let certs = pem_blocks(pem)?
            .into_iter()
            .filter(|b| b.label == "CERTIFICATE")
            .map(|b| CertDer::from_der(b.der))
            .collect::<Result<Vec<_>>>()?;
        if certs.is_empty() {
            return Err(Error::Key("no CERTIFICATE block in the PEM".into()));
        }
        Ok(certs)
    }

    /// The DER bytes.
    pub fn as_der(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(&self.0)
    }

    pub(crate) fn from_base64(text: &str) -> Result<CertDer> {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| Error::Key(format!("X509Certificate is not base64: {e}")))?;
        CertDer::from_der(der)
    }
}

struct PemBlock {
    label: String,
    der: Vec<u8>,
    encrypted: bool,
}

fn pem_blocks(pem: &[u8]) -> Result<Vec<PemBlock>> {
    let text = std::str::from_utf8(pem).map_err(|_| Error::Key("PEM is not UTF-8".into()))?;
    let mut blocks = Vec::new();
    let mut current: Option<(String, String, bool)> = None;
    for line in text.lines().map(str::trim) {
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_owned(), String::new(), false));
        } else if let Some(label) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            let Some((open, body, encrypted)) = current.take() else {
                return Err(Error::Key(format!("PEM END {label} without BEGIN")));
            };
            if open != label {
                return Err(Error::Key(format!(
                    "PEM BEGIN {open} ends with END {label}"
                )));
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(body)
                .map_err(|e| Error::Key(format!("PEM {label} is not base64: {e}")))?;
            blocks.push(PemBlock {
                label: label.to_owned(),
                der,
                encrypted,
            });
        } else if let Some((_, body, encrypted)) = current.as_mut() {
            if line.contains(':') {
                // RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED".
                *encrypted |= line.contains("ENCRYPTED");
            } else {
                body.push_str(line);
            }
        }
    }
    if blocks.is_empty() {
        return Err(Error::Key("no PEM block found".into()));
    }
    Ok(blocks)
}
