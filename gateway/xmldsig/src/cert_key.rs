//! The raw Ed25519 key of a certificate, read with x509-parser: OpenSSL's certificate and key
//! decoders cost about a million instructions a call, paid per verified AS4 message.
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::{Error, Result};

/// DER contents of the OID 1.3.101.112 (Ed25519, RFC 8410).
const OID_ED25519: [u8; 3] = [0x2b, 0x65, 0x70];

pub(crate) fn ed25519_public_key_of_cert(der: &[u8]) -> Result<[u8; 32]> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| Error::Key(format!("the certificate cannot be parsed: {e}")))?;
    let spki = cert.public_key();
    if spki.algorithm.algorithm.as_bytes() != OID_ED25519 {
        return Err(Error::Key(
            "the certificate does not hold an Ed25519 key".into(),
        ));
    }
    spki.subject_public_key
        .data
        .as_ref()
        .try_into()
        .map_err(|_| Error::Key("an Ed25519 public key has 32 bytes".into()))
}
