//! Enveloped Ed25519 signatures (RFC 9231 `eddsa-ed25519`), which libxmlsec1 1.2 lacks: the
//! same signature shape as [`crate::sign_enveloped`], with digest and SignedInfo
//! canonicalized by libxml2 and signed/verified by ed25519-dalek (`verify_strict`).

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey as DalekKey, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::c14n::{elements, Algorithm};
use crate::error::{Error, Result};
use crate::ffi::{Doc, Node};
use crate::input::{self, Limits};
use crate::keys::CertDer;
use crate::verify::{
    embedded_certificates, only_child, single_enveloped_signature, CoveredElement, Trust, Verified,
};
use crate::DSIG_NS;

/// SignatureMethod URI for Ed25519 (RFC 9231).
pub const EDDSA_ED25519: &str = "http://www.w3.org/2021/04/xmldsig-more#eddsa-ed25519";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// DER prefix of an unencrypted PKCS#8 Ed25519 private key (RFC 8410); the 32-byte seed follows.
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// An Ed25519 private key.
#[derive(Clone)]
pub struct Ed25519Key(DalekKey);

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ed25519Key(..)")
    }
}

impl Ed25519Key {
    /// From the 32-byte secret seed.
    pub fn from_seed(seed: &[u8; 32]) -> Ed25519Key {
        Ed25519Key(DalekKey::from_bytes(seed))
    }

    /// From an unencrypted PKCS#8 `PRIVATE KEY` PEM (as `openssl genpkey -algorithm ed25519`).
    pub fn from_pkcs8_pem(pem: &[u8]) -> Result<Ed25519Key> {
        let text = std::str::from_utf8(pem).map_err(|_| Error::Key("PEM is not UTF-8".into()))?;
        let body: String = text
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != "-----BEGIN PRIVATE KEY-----")
            .skip(1)
            .take_while(|l| *l != "-----END PRIVATE KEY-----")
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| Error::Key("no unencrypted PKCS#8 PRIVATE KEY block".into()))?;
        match der.strip_prefix(&PKCS8_ED25519_PREFIX) {
            Some(seed) if seed.len() == 32 => {
                let mut s = [0u8; 32];
                s.copy_from_slice(seed);
                Ok(Ed25519Key::from_seed(&s))
            }
            _ => Err(Error::Key("not a PKCS#8 Ed25519 private key".into())),
        }
    }

    pub(crate) fn dalek(&self) -> &DalekKey {
        &self.0
    }

    /// The public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }
}

/// Signs `xml` like [`crate::sign_enveloped`] but with Ed25519: exclusive c14n, one
/// `Reference URI=""` (enveloped + exclusive c14n, SHA-256), KeyInfo with `cert` when given
/// (which must hold the key's public key).
pub fn sign_enveloped_ed25519(
    xml: &[u8],
    key: &Ed25519Key,
    cert: Option<&CertDer>,
) -> Result<Vec<u8>> {
    if let Some(cert) = cert {
        if crate::cert_key::ed25519_public_key_of_cert(cert.as_der())? != key.public_key() {
            return Err(Error::Key(
                "the certificate does not belong to the Ed25519 key".into(),
            ));
        }
    }
    let limits = Limits::default();
    let mut doc = input::parse(xml, &limits)?;
    let root = doc
        .root()
        .ok_or_else(|| Error::Sign("no document element".into()))?;
    if elements(root).iter().any(|n| n.is(DSIG_NS, "Signature")) {
        return Err(Error::Structure(
            "the document already contains a ds:Signature".into(),
        ));
    }
    // Without a signature yet, the enveloped transform changes nothing.
    let covered = doc.c14n(true, false, &[], None, None)?;
    let digest = b64(&Sha256::digest(&covered));
    let exc = Algorithm::ExcC14n.uri();
    let signed_info = format!(
        "<ds:SignedInfo xmlns:ds=\"{DSIG_NS}\"><ds:CanonicalizationMethod Algorithm=\"{exc}\"/>\
         <ds:SignatureMethod Algorithm=\"{EDDSA_ED25519}\"/><ds:Reference URI=\"\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{ENVELOPED}\"/><ds:Transform Algorithm=\"{exc}\"/>\
         </ds:Transforms><ds:DigestMethod Algorithm=\"{SHA256}\"/>\
         <ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"
    );
    // Exclusive c14n of SignedInfo does not depend on its context, so canonicalizing it alone
    // gives the bytes a verifier computes inside the document.
    let si_doc = input::parse(signed_info.as_bytes(), &limits)?;
    let si_c14n = si_doc.c14n(true, false, &[], None, None)?;
    let signature = b64(&key.0.sign(&si_c14n).to_bytes());
    let key_info = cert.map_or(String::new(), |c| {
        format!(
            "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data>\
             </ds:KeyInfo>",
            c.to_base64()
        )
    });
    let inner = signed_info.replacen(&format!(" xmlns:ds=\"{DSIG_NS}\""), "", 1);
    let fragment = format!(
        "<ds:Signature xmlns:ds=\"{DSIG_NS}\">{inner}<ds:SignatureValue>{signature}\
         </ds:SignatureValue>{key_info}</ds:Signature>"
    );
    let fragment = input::parse(fragment.as_bytes(), &limits)?;
    doc.append_copy_of_root(&fragment)?;
    doc.to_bytes()
}

/// Verifies the single enveloped Ed25519 signature of `xml` (same structure rules as
/// [`crate::verify_enveloped`]). Only certificates carry keys here: [`Trust::Certificate`] or
/// [`Trust::EmbeddedCertificate`].
pub fn verify_enveloped_ed25519(xml: &[u8], trust: Trust<'_>) -> Result<Verified> {
    let doc = input::parse(xml, &Limits::default())?;
    let root = doc
        .root()
        .ok_or_else(|| Error::Structure("no document element".into()))?;
    let signature = single_enveloped_signature(root)?;
    let signed_info = only_child(signature, "SignedInfo")?;
    let (si_alg, si_prefixes) = c14n_of(only_child(signed_info, "CanonicalizationMethod")?)?;
    let method = only_child(signed_info, "SignatureMethod")?.attribute("Algorithm");
    if method.as_deref() != Some(EDDSA_ED25519) {
        return Err(Error::Structure(format!(
            "SignatureMethod {method:?} is not {EDDSA_ED25519}"
        )));
    }
    let reference = only_child(signed_info, "Reference")?;
    let (ref_alg, ref_prefixes) = reference_transforms(reference)?;
    let digest_method = only_child(reference, "DigestMethod")?.attribute("Algorithm");
    if digest_method.as_deref() != Some(SHA256) {
        return Err(Error::Structure(format!(
            "DigestMethod {digest_method:?} is not SHA-256"
        )));
    }
    let expected = decode(&only_child(reference, "DigestValue")?.text(), "DigestValue")?;
    let covered = c14n(&doc, ref_alg, &ref_prefixes, None, Some(signature))?;
    if Sha256::digest(&covered)[..] != expected[..] {
        return Err(Error::Invalid(
            "the digest of Reference URI=\"\" does not match: the signed content was changed \
             after signing"
                .into(),
        ));
    }
    let si_bytes = c14n(&doc, si_alg, &si_prefixes, Some(signed_info), None)?;
    let value = decode(
        &only_child(signature, "SignatureValue")?.text(),
        "SignatureValue",
    )?;
    let value: [u8; 64] = value
        .try_into()
        .map_err(|_| Error::Invalid("an Ed25519 SignatureValue has 64 bytes".into()))?;
    let sig = Signature::from_bytes(&value);
    let candidates = match trust {
        Trust::Certificate(cert) => vec![cert.clone()],
        Trust::EmbeddedCertificate => embedded_certificates(signature)?,
    };
    for cert in candidates {
        let public = crate::cert_key::ed25519_public_key_of_cert(cert.as_der())?;
        let key = VerifyingKey::from_bytes(&public)
            .map_err(|e| Error::Key(format!("invalid Ed25519 public key: {e}")))?;
        if key.verify_strict(&si_bytes, &sig).is_ok() {
            return Ok(Verified {
                signer_certificate: cert,
                signature_method: EDDSA_ED25519.into(),
                c14n_method: si_alg.uri().into(),
                digest_method: SHA256.into(),
                reference_uri: String::new(),
                covered_element: CoveredElement {
                    namespace: root.namespace(),
                    local_name: root.local_name(),
                },
                signed_bytes: covered,
            });
        }
    }
    Err(Error::Invalid(
        "the Ed25519 SignatureValue does not verify".into(),
    ))
}

fn c14n(
    doc: &Doc,
    alg: Algorithm,
    prefixes: &[String],
    include: Option<Node<'_>>,
    exclude: Option<Node<'_>>,
) -> Result<Vec<u8>> {
    doc.c14n(
        alg.exclusive(),
        alg.with_comments(),
        prefixes,
        include,
        exclude,
    )
}

/// The algorithm of a CanonicalizationMethod/Transform element and its exclusive c14n
/// `InclusiveNamespaces PrefixList`.
fn c14n_of(node: Node<'_>) -> Result<(Algorithm, Vec<String>)> {
    let uri = node.attribute("Algorithm").unwrap_or_default();
    let alg = Algorithm::from_uri(&uri)
        .ok_or_else(|| Error::Structure(format!("canonicalization {uri:?} is not supported")))?;
    let prefixes = node
        .element_children()
        .into_iter()
        .find(|n| n.is(EXC_C14N_NS, "InclusiveNamespaces"))
        .and_then(|n| n.attribute("PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    Ok((alg, prefixes))
}

/// Reference transforms: the enveloped-signature transform, then at most one canonicalization
/// (default: inclusive C14N 1.0, as for any node-set to octets conversion).
fn reference_transforms(reference: Node<'_>) -> Result<(Algorithm, Vec<String>)> {
    let transforms: Vec<Node<'_>> = only_child(reference, "Transforms")?
        .element_children()
        .into_iter()
        .filter(|n| n.is(DSIG_NS, "Transform"))
        .collect();
    match transforms.as_slice() {
        [env] if env.attribute("Algorithm").as_deref() == Some(ENVELOPED) => {
            Ok((Algorithm::C14n10, Vec::new()))
        }
        [env, c] if env.attribute("Algorithm").as_deref() == Some(ENVELOPED) => {
            // A same-document reference (URI="") drops comments whatever the algorithm says.
            let (alg, prefixes) = c14n_of(*c)?;
            let alg = match alg {
                Algorithm::C14n10WithComments => Algorithm::C14n10,
                Algorithm::ExcC14nWithComments => Algorithm::ExcC14n,
                other => other,
            };
            Ok((alg, prefixes))
        }
        _ => Err(Error::Structure(
            "the Reference transforms must be enveloped-signature then one canonicalization".into(),
        )),
    }
}

fn decode(text: &str, what: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| Error::Structure(format!("{what} is not base64: {e}")))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
