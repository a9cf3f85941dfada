//! Signature contexts: enveloped RSA signing and restricted verification with libxmlsec1.

use std::ffi::{c_char, CStr};
use std::ptr;

use xmlsec::bindings as xs;

use super::{c_string, cstr, reset_xmlsec_error, take_xmlsec_error, Doc, Key, Node};
use crate::error::{Error, Result};

/// Owns an xmlSecDSigCtx; destroys it (and the key copy it holds) on drop.
struct DsigCtx(xs::xmlSecDSigCtxPtr);

impl Drop for DsigCtx {
    fn drop(&mut self) {
        // SAFETY: non-NULL context created by xmlSecDSigCtxCreate, destroyed only here.
        unsafe { xs::xmlSecDSigCtxDestroy(self.0) }
    }
}

impl DsigCtx {
    fn new(key: &Key) -> Result<DsigCtx> {
        // SAFETY: NULL keys manager is allowed; the key copy is owned by the context.
        unsafe {
            let ctx = xs::xmlSecDSigCtxCreate(ptr::null_mut());
            if ctx.is_null() {
                return Err(Error::Init("cannot create a signature context".into()));
            }
            let ctx = DsigCtx(ctx);
            let copy = xs::xmlSecKeyDuplicate(key.ptr);
            if copy.is_null() {
                return Err(Error::Key("cannot copy the key".into()));
            }
            (*ctx.0).signKey = copy;
            Ok(ctx)
        }
    }
}

/// Algorithms of one signature operation, as the transform klasses of libxmlsec1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transform {
    Enveloped,
    InclC14n,
    InclC14nWithComments,
    ExclC14n,
    ExclC14nWithComments,
    Sha1,
    Sha256,
    RsaSha1,
    RsaSha256,
}

impl Transform {
    fn id(self) -> xs::xmlSecTransformId {
        // SAFETY: the klass getters return static descriptors and have no preconditions.
        unsafe {
            match self {
                Transform::Enveloped => xs::xmlSecTransformEnvelopedGetKlass(),
                Transform::InclC14n => xs::xmlSecTransformInclC14NGetKlass(),
                Transform::InclC14nWithComments => {
                    xs::xmlSecTransformInclC14NWithCommentsGetKlass()
                }
                Transform::ExclC14n => xs::xmlSecTransformExclC14NGetKlass(),
                Transform::ExclC14nWithComments => {
                    xs::xmlSecTransformExclC14NWithCommentsGetKlass()
                }
                Transform::Sha1 => xs::xmlSecOpenSSLTransformSha1GetKlass(),
                Transform::Sha256 => xs::xmlSecOpenSSLTransformSha256GetKlass(),
                Transform::RsaSha1 => xs::xmlSecOpenSSLTransformRsaSha1GetKlass(),
                Transform::RsaSha256 => xs::xmlSecOpenSSLTransformRsaSha256GetKlass(),
            }
        }
    }
}

const DSIG_NS: &CStr = c"http://www.w3.org/2000/09/xmldsig#";

impl Doc {
    /// Appends an enveloped-signature template (exc-c14n, RSA-SHA256, one Reference URI="" with
    /// enveloped + exc-c14n transforms and SHA-256, KeyInfo/X509Data with subject and
    /// certificate) as the last child of the document element, signs it with `key`, then adds
    /// `extra_certs_b64` as further X509Certificate elements (KeyInfo is not covered by the
    /// reference, so they do not disturb the signature).
    pub(crate) fn sign_enveloped_rsa_sha256(
        &mut self,
        key: &Key,
        subject_name: &str,
        extra_certs_b64: &[String],
    ) -> Result<()> {
        let subject = c_string("certificate subject", subject_name)?;
        let extra = extra_certs_b64
            .iter()
            .map(|c| c_string("certificate", c))
            .collect::<Result<Vec<_>>>()?;
        let ctx = DsigCtx::new(key)?;
        reset_xmlsec_error();
        let fail = |what: &str| Error::Sign(take_xmlsec_error(what));
        // SAFETY: live document (exclusive borrow: no Node alive); every created node is checked
        // for NULL; the template node is linked into the tree before anything else can free it.
        unsafe {
            let root = xs::xmlDocGetRootElement(self.ptr);
            if root.is_null() {
                return Err(Error::Sign("document has no root element".into()));
            }
            let sig = xs::xmlSecTmplSignatureCreateNsPref(
                self.ptr,
                Transform::ExclC14n.id(),
                Transform::RsaSha256.id(),
                ptr::null(),
                c"ds".as_ptr() as *const xs::xmlChar,
            );
            if sig.is_null() {
                return Err(fail("cannot create the Signature template"));
            }
            if xs::xmlAddChild(root, sig).is_null() {
                xs::xmlFreeNode(sig);
                return Err(fail("cannot append the Signature element"));
            }
            let reference = xs::xmlSecTmplSignatureAddReference(
                sig,
                Transform::Sha256.id(),
                ptr::null(),
                c"".as_ptr() as *const xs::xmlChar,
                ptr::null(),
            );
            if reference.is_null()
                || xs::xmlSecTmplReferenceAddTransform(reference, Transform::Enveloped.id())
                    .is_null()
                || xs::xmlSecTmplReferenceAddTransform(reference, Transform::ExclC14n.id())
                    .is_null()
            {
                return Err(fail("cannot build the Reference template"));
            }
            let key_info = xs::xmlSecTmplSignatureEnsureKeyInfo(sig, ptr::null());
            let x509 = if key_info.is_null() {
                ptr::null_mut()
            } else {
                xs::xmlSecTmplKeyInfoAddX509Data(key_info)
            };
            let subject_node = if x509.is_null() {
                ptr::null_mut()
            } else {
                xs::xmlSecTmplX509DataAddSubjectName(x509)
            };
            if subject_node.is_null() || xs::xmlSecTmplX509DataAddCertificate(x509).is_null() {
                return Err(fail("cannot build the KeyInfo template"));
            }
            if xs::xmlSecDSigCtxSign(ctx.0, sig) < 0 {
                return Err(fail("libxmlsec1 could not sign"));
            }
            // libxmlsec1 1.2 leaves X509SubjectName empty; KeyInfo is outside the signed
            // reference, so filling it after signing is safe. AddContent stores literal text.
            if (*subject_node).children.is_null() {
                xs::xmlNodeAddContent(subject_node, subject.as_ptr() as *const xs::xmlChar);
            }
            let ns = xs::xmlSearchNsByHref(self.ptr, x509, DSIG_NS.as_ptr() as *const xs::xmlChar);
            for cert in &extra {
                let node = xs::xmlNewTextChild(
                    x509,
                    ns,
                    c"X509Certificate".as_ptr() as *const xs::xmlChar,
                    cert.as_ptr() as *const xs::xmlChar,
                );
                if node.is_null() {
                    return Err(Error::Sign("cannot add a chain certificate".into()));
                }
            }
        }
        Ok(())
    }

    /// Verifies the `signature` element with `key`, allowing only the given transforms and
    /// same-document `URI=""` references. Returns what libxmlsec1 processed.
    pub(crate) fn verify_signature(
        &self,
        signature: Node<'_>,
        key: &Key,
        reference_transforms: &[Transform],
        signature_transforms: &[Transform],
    ) -> Result<DsigOutcome> {
        let ctx = DsigCtx::new(key)?;
        reset_xmlsec_error();
        // SAFETY: live document and signature node (borrowed for the call); the context is
        // destroyed by its guard; references and buffers are read only while it lives and their
        // contents are copied out.
        unsafe {
            let c = ctx.0;
            (*c).flags |= xs::XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES;
            // Only URI="" (the whole document): no other-document, file or network references.
            (*c).enabledReferenceUris =
                xs::xmlSecTransformUriTypeEmpty as xs::xmlSecTransformUriType;
            for t in reference_transforms {
                if xs::xmlSecDSigCtxEnableReferenceTransform(c, t.id()) < 0 {
                    return Err(Error::Init("cannot restrict reference transforms".into()));
                }
            }
            for t in signature_transforms {
                if xs::xmlSecDSigCtxEnableSignatureTransform(c, t.id()) < 0 {
                    return Err(Error::Init("cannot restrict signature transforms".into()));
                }
            }
            if xs::xmlSecDSigCtxVerify(c, signature.ptr) < 0 {
                return Err(Error::Verify(take_xmlsec_error(
                    "libxmlsec1 could not process the signature",
                )));
            }
            let mut references = Vec::new();
            let list = &mut (*c).signedInfoReferences as xs::xmlSecPtrListPtr;
            let count = xs::xmlSecPtrListGetSize(list);
            for i in 0..count {
                let r = xs::xmlSecPtrListGetItem(list, i) as xs::xmlSecDSigReferenceCtxPtr;
                if r.is_null() {
                    continue;
                }
                let pre = xs::xmlSecDSigReferenceCtxGetPreDigestBuffer(r);
                let covered = if pre.is_null() {
                    None
                } else {
                    let data = xs::xmlSecBufferGetData(pre);
                    let size = xs::xmlSecBufferGetSize(pre) as usize;
                    if data.is_null() {
                        Some(Vec::new())
                    } else {
                        Some(std::slice::from_raw_parts(data, size).to_vec())
                    }
                };
                references.push(ReferenceOutcome {
                    uri: (!(*r).uri.is_null()).then(|| cstr((*r).uri as *const c_char)),
                    valid: (*r).status == xs::xmlSecDSigStatus_xmlSecDSigStatusSucceeded,
                    digest_method: transform_href((*r).digestMethod),
                    covered,
                });
            }
            Ok(DsigOutcome {
                valid: (*c).status == xs::xmlSecDSigStatus_xmlSecDSigStatusSucceeded,
                signature_method: transform_href((*c).signMethod),
                c14n_method: transform_href((*c).c14nMethod),
                references,
                error: take_xmlsec_error(""),
            })
        }
    }
}

unsafe fn transform_href(t: xs::xmlSecTransformPtr) -> String {
    if t.is_null() || (*t).id.is_null() {
        return String::new();
    }
    cstr((*(*t).id).href as *const c_char)
}

/// What libxmlsec1 reported for one Reference.
#[derive(Debug, Clone)]
pub(crate) struct ReferenceOutcome {
    pub(crate) uri: Option<String>,
    pub(crate) valid: bool,
    pub(crate) digest_method: String,
    /// The exact bytes that were digested (after all transforms).
    pub(crate) covered: Option<Vec<u8>>,
}

/// What libxmlsec1 reported for one signature.
#[derive(Debug, Clone)]
pub(crate) struct DsigOutcome {
    pub(crate) valid: bool,
    pub(crate) signature_method: String,
    pub(crate) c14n_method: String,
    pub(crate) references: Vec<ReferenceOutcome>,
    /// First libxmlsec1 message of the operation (empty when none).
    pub(crate) error: String,
}
