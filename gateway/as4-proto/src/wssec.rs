//! WS-Security for AS4: the `wsse:Security` header's tokens, encrypted key and data, and the
//! detached XML signature over eb:Messaging, the Body and the attachments. Canonicalization and
//! RSA go through libxmlsec1/libxml2 (`gateway-xmldsig`), on the same bytes for Ed25519.

use std::collections::HashMap;
use std::time::SystemTime;

use base64::Engine as _;
use gateway_xml::{Document, NodeId};
use gateway_xmldsig::{
    canonicalize, canonicalize_parts, Algorithm, CertDer, Part, Selector, SignatureAlgorithm,
};

use crate::ebms::{Reference, Transform};
use crate::error::{Error, Result};
use crate::keys::LocalAp;
use crate::ns::*;
use crate::tree::{child, children, descendants, esc, id_attr, one};
use crate::trust::{CertInfo, Trust};

pub(crate) fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

pub(crate) fn unb64(text: &str, what: &str, make: fn(String) -> Error) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map_err(|e| make(format!("{what} is not base64: {e}")))
}

/// What the `wsse:Security` header holds, as read (nothing here is trusted yet).
#[derive(Debug)]
pub(crate) struct SecurityHeader {
    pub tokens: HashMap<String, Vec<u8>>,
    pub signature: Option<NodeId>,
    pub encrypted_keys: Vec<NodeId>,
    pub encrypted_data: Vec<NodeId>,
}

/// Reads the only `wsse:Security` of the SOAP header.
pub(crate) fn read_security(doc: &Document, header: NodeId) -> Result<SecurityHeader> {
    let sec = match children(doc, header, WSSE, "Security").as_slice() {
        [one] => *one,
        [] => {
            return Err(Error::Policy(
                "the message has no wsse:Security header".into(),
            ))
        }
        _ => return Err(Error::Policy("more than one wsse:Security header".into())),
    };
    let mut tokens = HashMap::new();
    for bst in children(doc, sec, WSSE, "BinarySecurityToken") {
        if let Some(id) = id_attr(doc, bst) {
            let der = unb64(&doc.text(bst), "BinarySecurityToken", Error::Header)?;
            if tokens.insert(id.to_owned(), der).is_some() {
                return Err(Error::Header(format!("two security tokens with Id {id}")));
            }
        }
    }
    let signatures = children(doc, sec, DS, "Signature");
    if signatures.len() > 1 {
        return Err(Error::Policy("more than one ds:Signature".into()));
    }
    Ok(SecurityHeader {
        tokens,
        signature: signatures.first().copied(),
        encrypted_keys: children(doc, sec, XENC, "EncryptedKey"),
        encrypted_data: children(doc, sec, XENC, "EncryptedData"),
    })
}

/// The token a `wsse:SecurityTokenReference/wsse:Reference` in `key_info` points to.
pub(crate) fn referenced_token<'a>(
    doc: &Document,
    key_info: NodeId,
    sec: &'a SecurityHeader,
) -> Result<&'a [u8]> {
    let str_ = one(doc, key_info, WSSE, "SecurityTokenReference")
        .map_err(|e| Error::Policy(e.to_string()))?;
    let reference = one(doc, str_, WSSE, "Reference").map_err(|e| Error::Policy(e.to_string()))?;
    let uri = doc.attr(reference, "URI").unwrap_or_default();
    let id = uri
        .strip_prefix('#')
        .ok_or_else(|| Error::Policy(format!("token reference `{uri}` is not local")))?;
    sec.tokens
        .get(id)
        .map(Vec::as_slice)
        .ok_or_else(|| Error::Header(format!("no BinarySecurityToken with Id {id}")))
}

/// A signature that verified: the signer and, per reference, the bytes its digest covers.
#[derive(Debug)]
pub(crate) struct Verified {
    pub signer_der: Vec<u8>,
    pub signer: CertInfo,
    pub references: Vec<Reference>,
    /// Canonical bytes of every same-document reference, by URI (`#id`).
    pub covered: HashMap<String, Vec<u8>>,
}

/// Who may have signed.
pub(crate) enum SignerCheck<'a> {
    /// A chain to these anchors, valid at this time.
    Chain(&'a Trust, SystemTime),
    /// Exactly this certificate (the receiver we sent to).
    Exactly(&'a [u8]),
    /// A certificate chaining to these anchors with the same subject as this one: the EC
    /// profile publishes the X25519 key-agreement certificate, which cannot sign, so the
    /// receipt comes signed by the same access point's Ed25519 certificate.
    SameSubject(&'a [u8], &'a Trust, SystemTime),
}

/// Verifies the header signature of `soap` (its raw bytes and parsed tree): signer, the
/// SignatureValue over canonical SignedInfo, then every reference digest. `attachments` holds
/// the (decrypted) attachment contents by Content-ID.
pub(crate) fn verify(
    soap: &[u8],
    doc: &Document,
    sec: &SecurityHeader,
    attachments: &HashMap<String, Vec<u8>>,
    check: SignerCheck<'_>,
) -> Result<Verified> {
    let sig = sec
        .signature
        .ok_or_else(|| Error::Policy("the message is not signed".into()))?;
    let si = one(doc, sig, DS, "SignedInfo").map_err(|e| Error::Policy(e.to_string()))?;
    let cm =
        one(doc, si, DS, "CanonicalizationMethod").map_err(|e| Error::Policy(e.to_string()))?;
    if doc.attr(cm, "Algorithm") != Some(EXC_C14N) {
        return Err(Error::Policy(
            "SignedInfo must be canonicalized with exclusive c14n".into(),
        ));
    }
    let si_prefixes = inclusive_prefixes(doc, cm);
    let sm = one(doc, si, DS, "SignatureMethod").map_err(|e| Error::Policy(e.to_string()))?;
    let method = doc.attr(sm, "Algorithm").unwrap_or_default();
    let algorithm = match SignatureAlgorithm::from_uri(method) {
        Some(a @ (SignatureAlgorithm::RsaSha256 | SignatureAlgorithm::Ed25519)) => a,
        _ => {
            return Err(Error::Policy(format!(
                "signature method `{method}` is not accepted"
            )))
        }
    };
    let key_info = one(doc, sig, DS, "KeyInfo").map_err(|e| Error::Policy(e.to_string()))?;
    let signer_der = referenced_token(doc, key_info, sec)?.to_vec();
    let signer = match check {
        SignerCheck::Chain(trust, at) => trust.check(&signer_der, at)?,
        SignerCheck::Exactly(expected) => {
            if expected != signer_der.as_slice() {
                return Err(Error::Authentication(
                    "the signal is not signed by the access point we sent to".into(),
                ));
            }
            CertInfo::parse(&signer_der)?
        }
        SignerCheck::SameSubject(published, trust, at) => {
            let info = trust.check(&signer_der, at)?;
            if CertInfo::parse(published)?.subject != info.subject {
                return Err(Error::Authentication(format!(
                    "the signal is signed by {}, not the access point we sent to",
                    info.subject
                )));
            }
            info
        }
    };
    // SignedInfo and every same-document reference that may be digested, from one parse; the
    // checks below run in the same order as if each were canonicalized on its own.
    let reference_nodes = children(doc, si, DS, "Reference");
    let wanted: Vec<(String, Vec<String>)> = reference_nodes
        .iter()
        .filter_map(|&r| Reference::read(doc, r).ok())
        .filter_map(
            |r| match (r.uri.strip_prefix('#'), r.transforms.as_slice()) {
                (Some(id), [t]) if t.algorithm == EXC_C14N => {
                    Some((id.to_owned(), t.prefixes.clone()))
                }
                _ => None,
            },
        )
        .collect();
    let prefixes: Vec<&str> = si_prefixes.iter().map(String::as_str).collect();
    let wanted_prefixes: Vec<Vec<&str>> = wanted
        .iter()
        .map(|(_, p)| p.iter().map(String::as_str).collect())
        .collect();
    let mut parts = vec![Part {
        selector: Selector::Element {
            namespace: DS,
            local_name: "SignedInfo",
        },
        algorithm: Algorithm::ExcC14n,
        inclusive_prefixes: &prefixes,
    }];
    parts.extend(
        wanted
            .iter()
            .zip(&wanted_prefixes)
            .map(|((id, _), p)| Part {
                selector: Selector::ById(id),
                algorithm: Algorithm::ExcC14n,
                inclusive_prefixes: p,
            }),
    );
    let mut canonical = canonicalize_parts(soap, &parts)
        .map_err(|e| Error::Authentication(format!("SignedInfo: {e}")))?
        .into_iter();
    let si_c14n = canonical
        .next()
        .expect("SignedInfo is the first part")
        .map_err(|e| Error::Authentication(format!("SignedInfo: {e}")))?;
    let mut by_reference: HashMap<(String, Vec<String>), gateway_xmldsig::Result<Vec<u8>>> =
        wanted.into_iter().zip(canonical).collect();
    let value = unb64(
        &doc.text(one(doc, sig, DS, "SignatureValue").map_err(|e| Error::Policy(e.to_string()))?),
        "SignatureValue",
        Error::Authentication,
    )?;
    verify_signature_value(algorithm, &si_c14n, &value, &signer_der)?;

    let mut references = Vec::new();
    let mut covered = HashMap::new();
    for r in reference_nodes {
        let reference = Reference::read(doc, r)?;
        if reference.digest_method != SHA256 {
            return Err(Error::Policy(format!(
                "digest method `{}` is not accepted",
                reference.digest_method
            )));
        }
        let data = if let Some(id) = reference.uri.strip_prefix('#') {
            let (alg, prefixes) = match reference.transforms.as_slice() {
                [t] if t.algorithm == EXC_C14N => (Algorithm::ExcC14n, &t.prefixes),
                _ => {
                    return Err(Error::Policy(format!(
                        "reference {} must have exactly the exclusive c14n transform",
                        reference.uri
                    )))
                }
            };
            let bytes = match by_reference.remove(&(id.to_owned(), prefixes.clone())) {
                Some(done) => done,
                None => {
                    // The same reference twice: canonicalized again.
                    let p: Vec<&str> = prefixes.iter().map(String::as_str).collect();
                    canonicalize(soap, Selector::ById(id), alg, &p)
                }
            }
            .map_err(|e| Error::Authentication(format!("reference {}: {e}", reference.uri)))?;
            covered.insert(reference.uri.clone(), bytes.clone());
            bytes
        } else if let Some(cid) = reference.uri.strip_prefix("cid:") {
            match reference.transforms.as_slice() {
                [t] if t.algorithm == ATTACHMENT_CONTENT_SIGNATURE => {}
                _ => {
                    return Err(Error::Policy(format!(
                        "reference {} must have the Attachment-Content-Signature-Transform",
                        reference.uri
                    )))
                }
            }
            attachments.get(cid).cloned().ok_or_else(|| {
                Error::Header(format!("signed attachment {} is missing", reference.uri))
            })?
        } else {
            return Err(Error::Policy(format!(
                "reference URI `{}` is neither #id nor cid:",
                reference.uri
            )));
        };
        let digest = b64(&crate::crypto::sha256(&data));
        if digest != reference.digest_value {
            return Err(Error::Authentication(format!(
                "the digest of {} does not match",
                reference.uri
            )));
        }
        references.push(reference);
    }
    if references.is_empty() {
        return Err(Error::Policy("the signature has no references".into()));
    }
    Ok(Verified {
        signer_der,
        signer,
        references,
        covered,
    })
}

/// The SignatureValue over canonical SignedInfo. RSA-SHA256 goes through webpki (ring) on the
/// certificate's key as parsed for the chain check: OpenSSL 3 decodes the certificate for every
/// call at ten times the cost of the verification itself. Ed25519 stays with ed25519-dalek's
/// strict verification.
fn verify_signature_value(
    algorithm: SignatureAlgorithm,
    signed_info_c14n: &[u8],
    value: &[u8],
    signer_der: &[u8],
) -> Result<()> {
    if algorithm != SignatureAlgorithm::RsaSha256 {
        let cert = CertDer::from_der(signer_der.to_vec())
            .map_err(|e| Error::Authentication(e.to_string()))?;
        return gateway_xmldsig::verify_signature_value(algorithm, signed_info_c14n, value, &cert)
            .map_err(|e| Error::Authentication(e.to_string()));
    }
    let der = rustls_pki_types::CertificateDer::from(signer_der);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|e| Error::Authentication(format!("unreadable certificate: {e}")))?;
    cert.verify_signature(
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        signed_info_c14n,
        value,
    )
    .map_err(|_| {
        Error::Authentication(format!(
            "the {} SignatureValue does not verify",
            algorithm.uri()
        ))
    })
}

fn inclusive_prefixes(doc: &Document, node: NodeId) -> Vec<String> {
    child(doc, node, EXC_C14N, "InclusiveNamespaces")
        .and_then(|n| doc.attr(n, "PrefixList"))
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Builds the signed header: takes an envelope text holding `SIGNATURE_SLOT` inside
/// `wsse:Security`, signs the elements with `ids` and the attachment contents, and returns the
/// envelope with the signature in place and the references signed.
pub(crate) fn sign_envelope(
    template: &str,
    ids: &[&str],
    attachments: &[(&str, &[u8])],
    local: &LocalAp,
    token_id: &str,
) -> Result<(String, Vec<Reference>)> {
    let unsigned = template.replace(SIGNATURE_SLOT, "");
    let mut refs = Vec::new();
    let parts: Vec<Part<'_>> = ids
        .iter()
        .map(|id| Part {
            selector: Selector::ById(id),
            algorithm: Algorithm::ExcC14n,
            inclusive_prefixes: &[],
        })
        .collect();
    let canonical = canonicalize_parts(unsigned.as_bytes(), &parts)
        .map_err(|e| Error::Key(format!("canonicalizing our own envelope: {e}")))?;
    for (id, c14n) in ids.iter().zip(canonical) {
        let c14n = c14n.map_err(|e| Error::Key(format!("canonicalizing our own #{id}: {e}")))?;
        refs.push(Reference {
            uri: format!("#{id}"),
            transforms: vec![Transform {
                algorithm: EXC_C14N.into(),
                prefixes: Vec::new(),
            }],
            digest_method: SHA256.into(),
            digest_value: b64(&crate::crypto::sha256(&c14n)),
        });
    }
    for (cid, content) in attachments {
        refs.push(Reference {
            uri: format!("cid:{cid}"),
            transforms: vec![Transform {
                algorithm: ATTACHMENT_CONTENT_SIGNATURE.into(),
                prefixes: Vec::new(),
            }],
            digest_method: SHA256.into(),
            digest_value: b64(&crate::crypto::sha256(content)),
        });
    }
    let mut si = format!(
        "<ds:SignedInfo xmlns:ds=\"{DS}\"><ds:CanonicalizationMethod Algorithm=\"{EXC_C14N}\"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\"{}\"></ds:SignatureMethod>",
        local.signer.algorithm().uri()
    );
    for r in &refs {
        r.write(&mut si, false);
    }
    si.push_str("</ds:SignedInfo>");
    let si_c14n = canonicalize(
        si.as_bytes(),
        Selector::DocumentElement,
        Algorithm::ExcC14n,
        &[],
    )
    .map_err(|e| Error::Key(format!("canonicalizing our SignedInfo: {e}")))?;
    let value = local.signer.sign(&si_c14n)?;
    let si_in_place = si.replacen(&format!(" xmlns:ds=\"{DS}\""), "", 1);
    let signature = format!(
        "<ds:Signature xmlns:ds=\"{DS}\" Id=\"SIG-{}\">{si_in_place}<ds:SignatureValue>{}</ds:SignatureValue><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI=\"#{}\" ValueType=\"{X509V3}\"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>",
        uuid::Uuid::new_v4(),
        b64(&value),
        esc(token_id)
    );
    Ok((template.replace(SIGNATURE_SLOT, &signature), refs))
}

/// Where [`sign_envelope`] puts the signature.
pub(crate) const SIGNATURE_SLOT: &str = "<!--SIGNATURE-->";

/// A `wsse:BinarySecurityToken` element.
pub(crate) fn token(id: &str, der: &[u8]) -> String {
    format!(
        "<wsse:BinarySecurityToken EncodingType=\"{BASE64_BINARY}\" ValueType=\"{X509V3}\" wsu:Id=\"{}\">{}</wsse:BinarySecurityToken>",
        esc(id),
        b64(der)
    )
}

/// Counts elements named `{ns}local` in the whole document.
pub(crate) fn count(doc: &Document, ns: &str, local: &str) -> usize {
    descendants(doc, doc.root(), ns, local).len()
}
