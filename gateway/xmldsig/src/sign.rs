//! Enveloped RSA-SHA256 signatures as Peppol SMP 1.x SignedServiceMetadata needs them.

use crate::c14n::elements;
use crate::error::{Error, Result};
use crate::ffi::Key;
use crate::input::{self, Limits};
use crate::keys::{CertDer, SigningKey};
use crate::verify::{verify_enveloped, Trust};
use crate::DSIG_NS;

/// Signs `xml` with an enveloped signature appended as the last child of the document element:
/// exclusive c14n for SignedInfo, RSA-SHA256, one `Reference URI=""` with the
/// enveloped-signature and exclusive c14n transforms, SHA-256 digest, and
/// `KeyInfo/X509Data` with `X509SubjectName` and `X509Certificate` of `cert_chain[0]` (the
/// signer; further certificates are added as more `X509Certificate` elements).
///
/// The result is verified again with `cert_chain[0]` before it is returned, so a key that does not
/// belong to the certificate is reported here rather than by the relying party.
pub fn sign_enveloped(xml: &[u8], key: &SigningKey, cert_chain: &[CertDer]) -> Result<Vec<u8>> {
    let (leaf, rest) = cert_chain
        .split_first()
        .ok_or_else(|| Error::Key("the certificate chain is empty".into()))?;
    let mut doc = input::parse(xml, &Limits::default())?;
    let root = doc
        .root()
        .ok_or_else(|| Error::Sign("no document element".into()))?;
    if elements(root).iter().any(|n| n.is(DSIG_NS, "Signature")) {
        return Err(Error::Structure(
            "the document already contains a ds:Signature".into(),
        ));
    }
    let mut signer = Key::private_from_pem(key.pem())?;
    signer.attach_cert_der(leaf.as_der())?;
    let extra: Vec<String> = rest.iter().map(CertDer::to_base64).collect();
    let subject = crate::ffi::certificate_subject(leaf.as_der())?;
    doc.sign_enveloped_rsa_sha256(&signer, &subject, &extra)?;
    let signed = doc.to_bytes()?;
    verify_enveloped(&signed, Trust::Certificate(leaf)).map_err(|e| {
        Error::Key(format!(
            "the signature does not verify with the first certificate of the chain \
             (does the key belong to it?): {e}"
        ))
    })?;
    Ok(signed)
}
