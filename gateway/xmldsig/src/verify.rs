//! Verification of enveloped signatures (SMP 1.x style), refusing signature wrapping: exactly
//! one `ds:Signature`, a child of the document element, with exactly one `Reference URI=""`.
//! The caller gets the exact bytes that reference covered, so it reads only signed content.

use crate::c14n::elements;
use crate::error::{Error, Result};
use crate::ffi::{Key, Node, Transform};
use crate::input::{self, Limits};
use crate::keys::CertDer;
use crate::DSIG_NS;

/// Most embedded certificates tried when verifying with the KeyInfo certificate.
const MAX_EMBEDDED_CERTS: usize = 8;

/// Which key verifies the signature.
#[derive(Debug, Clone, Copy)]
pub enum Trust<'a> {
    /// The public key of this certificate (e.g. the SMP certificate the caller expects).
    Certificate(&'a CertDer),
    /// The certificate embedded in `KeyInfo/X509Data/X509Certificate`. The signature only proves
    /// possession of that key: the caller must check [`Verified::signer_certificate`] against its
    /// trust anchors (chain, validity, revocation).
    EmbeddedCertificate,
}

/// Verification options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Accept RSA-SHA1 signatures and SHA-1 digests (older Peppol SMPs still use them).
    pub allow_sha1: bool,
    /// Input limits.
    pub limits: Limits,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            allow_sha1: true,
            limits: Limits::default(),
        }
    }
}

/// The element a verified reference covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveredElement {
    /// Namespace URI of the element.
    pub namespace: Option<String>,
    /// Local name of the element.
    pub local_name: String,
}

/// A valid signature and what it covers.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The certificate whose key verified the signature.
    pub signer_certificate: CertDer,
    /// `SignatureMethod` URI (e.g. `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256`).
    pub signature_method: String,
    /// `CanonicalizationMethod` URI of SignedInfo.
    pub c14n_method: String,
    /// `DigestMethod` URI of the reference.
    pub digest_method: String,
    /// The reference URI (always `""` here).
    pub reference_uri: String,
    /// The element the reference covers (always the document element, minus the signature).
    pub covered_element: CoveredElement,
    /// The exact bytes that were digested: the canonical form of the document without the
    /// signature. Read signed content from these bytes only.
    pub signed_bytes: Vec<u8>,
}

/// Verifies the single enveloped signature of `xml` with default options.
pub fn verify_enveloped(xml: &[u8], trust: Trust<'_>) -> Result<Verified> {
    verify_enveloped_with(xml, trust, &VerifyOptions::default())
}

/// Verifies the single enveloped signature of `xml`.
pub fn verify_enveloped_with(
    xml: &[u8],
    trust: Trust<'_>,
    options: &VerifyOptions,
) -> Result<Verified> {
    let doc = input::parse(xml, &options.limits)?;
    let root = doc
        .root()
        .ok_or_else(|| Error::Structure("no document element".into()))?;
    let signature = single_enveloped_signature(root)?;
    let candidates = match trust {
        Trust::Certificate(cert) => vec![cert.clone()],
        Trust::EmbeddedCertificate => embedded_certificates(signature)?,
    };
    let (reference_transforms, signature_transforms) = allowed_transforms(options.allow_sha1);
    let mut last_failure = String::new();
    for cert in candidates {
        let key = Key::public_from_cert_der(cert.as_der())?;
        let outcome = doc.verify_signature(
            signature,
            &key,
            &reference_transforms,
            &signature_transforms,
        )?;
        let [reference] = outcome.references.as_slice() else {
            return Err(Error::Structure(format!(
                "{} references were processed; exactly one is accepted",
                outcome.references.len()
            )));
        };
        if !reference.valid {
            // The digest does not depend on the key: no other certificate can help.
            return Err(Error::Invalid(format!(
                "the digest of Reference URI=\"{}\" does not match: the signed content was \
                 changed after signing",
                reference.uri.as_deref().unwrap_or("")
            )));
        }
        if !outcome.valid {
            last_failure = outcome.error;
            continue;
        }
        if reference.uri.as_deref() != Some("") {
            return Err(Error::Structure(
                "the reference must be URI=\"\" (the whole document)".into(),
            ));
        }
        let signed_bytes = reference
            .covered
            .clone()
            .ok_or_else(|| Error::Verify("libxmlsec1 did not keep the digested bytes".into()))?;
        return Ok(Verified {
            signer_certificate: cert,
            signature_method: outcome.signature_method,
            c14n_method: outcome.c14n_method,
            digest_method: reference.digest_method.clone(),
            reference_uri: String::new(),
            covered_element: CoveredElement {
                namespace: root.namespace(),
                local_name: root.local_name(),
            },
            signed_bytes,
        });
    }
    let which = match trust {
        Trust::Certificate(_) => "the given certificate",
        Trust::EmbeddedCertificate => "the KeyInfo certificate",
    };
    Err(Error::Invalid(format!(
        "the SignatureValue does not verify with {which}{}",
        if last_failure.is_empty() {
            String::new()
        } else {
            format!(" ({last_failure})")
        }
    )))
}

/// The only `ds:Signature`, which must be a child of the document element and hold exactly one
/// `Reference URI=""` with the enveloped-signature transform.
pub(crate) fn single_enveloped_signature<'d>(root: Node<'d>) -> Result<Node<'d>> {
    let signatures: Vec<Node<'d>> = elements(root)
        .into_iter()
        .filter(|n| n.is(DSIG_NS, "Signature"))
        .collect();
    let signature = match signatures.as_slice() {
        [one] => *one,
        [] => return Err(Error::Structure("no ds:Signature element".into())),
        many => {
            return Err(Error::Structure(format!(
                "{} ds:Signature elements; exactly one is accepted",
                many.len()
            )))
        }
    };
    if !signature.parent().is_some_and(|p| p.same(&root)) {
        return Err(Error::Structure(format!(
            "ds:Signature (line {}) is not a child of the document element",
            signature.line()
        )));
    }
    let signed_info = only_child(signature, "SignedInfo")?;
    let references: Vec<Node<'d>> = signed_info
        .element_children()
        .into_iter()
        .filter(|n| n.is(DSIG_NS, "Reference"))
        .collect();
    let [reference] = references.as_slice() else {
        return Err(Error::Structure(format!(
            "SignedInfo has {} Reference elements; exactly one is accepted",
            references.len()
        )));
    };
    if reference.attribute("URI").as_deref() != Some("") {
        return Err(Error::Structure(format!(
            "the Reference must have URI=\"\" (found {:?})",
            reference.attribute("URI")
        )));
    }
    let enveloped = only_child(*reference, "Transforms")
        .ok()
        .map(|t| {
            t.element_children().iter().any(|n| {
                n.is(DSIG_NS, "Transform")
                    && n.attribute("Algorithm").as_deref()
                        == Some("http://www.w3.org/2000/09/xmldsig#enveloped-signature")
            })
        })
        .unwrap_or(false);
    if !enveloped {
        return Err(Error::Structure(
            "the Reference lacks the enveloped-signature transform".into(),
        ));
    }
    Ok(signature)
}

pub(crate) fn only_child<'d>(parent: Node<'d>, local_name: &str) -> Result<Node<'d>> {
    let found: Vec<Node<'d>> = parent
        .element_children()
        .into_iter()
        .filter(|n| n.is(DSIG_NS, local_name))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        _ => Err(Error::Structure(format!(
            "expected exactly one ds:{local_name} in ds:{}, found {}",
            parent.local_name(),
            found.len()
        ))),
    }
}

pub(crate) fn embedded_certificates(signature: Node<'_>) -> Result<Vec<CertDer>> {
    let key_info = only_child(signature, "KeyInfo")?;
    let mut certs = Vec::new();
    for data in key_info.element_children() {
        if !data.is(DSIG_NS, "X509Data") {
            continue;
        }
        for cert in data.element_children() {
            if cert.is(DSIG_NS, "X509Certificate") {
                certs.push(CertDer::from_base64(&cert.text())?);
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::Structure(
            "KeyInfo has no X509Data/X509Certificate".into(),
        ));
    }
    if certs.len() > MAX_EMBEDDED_CERTS {
        return Err(Error::Structure(format!(
            "KeyInfo has {} certificates; at most {MAX_EMBEDDED_CERTS} are accepted",
            certs.len()
        )));
    }
    Ok(certs)
}

/// Transform allow-lists: no XPath, XSLT, Base64 or remote-retrieval transforms.
fn allowed_transforms(allow_sha1: bool) -> (Vec<Transform>, Vec<Transform>) {
    let c14n = [
        Transform::InclC14n,
        Transform::InclC14nWithComments,
        Transform::ExclC14n,
        Transform::ExclC14nWithComments,
    ];
    let mut reference: Vec<Transform> = c14n.to_vec();
    reference.extend([Transform::Enveloped, Transform::Sha256]);
    let mut signature: Vec<Transform> = c14n.to_vec();
    signature.push(Transform::RsaSha256);
    if allow_sha1 {
        reference.push(Transform::Sha1);
        signature.push(Transform::RsaSha1);
    }
    (reference, signature)
}
