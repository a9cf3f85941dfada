//! RSA signatures over arbitrary bytes with OpenSSL's EVP interface, for callers that build
//! SignedInfo themselves (AS4 references to attachments, which libxmlsec1 cannot resolve).

use std::ffi::{c_char, c_int, c_long, c_void};
use std::ptr;

use xmlsec::bindings as xs;

use super::{c_len, init};
use crate::error::{Error, Result};

/// Hash functions of the RSA PKCS#1 v1.5 signature methods we accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaHash {
    Sha1,
    Sha256,
}

impl RsaHash {
    fn md(self) -> *const xs::EVP_MD {
        // SAFETY: the getters return static descriptors.
        unsafe {
            match self {
                RsaHash::Sha1 => xs::EVP_sha1(),
                RsaHash::Sha256 => xs::EVP_sha256(),
            }
        }
    }
}

/// Frees an EVP_MD_CTX, an EVP_PKEY (when owned), an X509 and a BIO on every path.
struct Guard {
    md_ctx: *mut xs::EVP_MD_CTX,
    owned_pkey: *mut xs::EVP_PKEY,
    cert: *mut xs::X509,
    bio: *mut xs::BIO,
}

impl Drop for Guard {
    fn drop(&mut self) {
        // SAFETY: each pointer is NULL or owned by this guard alone.
        unsafe {
            if !self.md_ctx.is_null() {
                xs::EVP_MD_CTX_free(self.md_ctx);
            }
            if !self.owned_pkey.is_null() {
                xs::EVP_PKEY_free(self.owned_pkey);
            }
            if !self.cert.is_null() {
                xs::X509_free(self.cert);
            }
            if !self.bio.is_null() {
                xs::BIO_free(self.bio);
            }
            // Leave no queued OpenSSL errors behind for the next caller on this thread.
            xs::ERR_clear_error();
        }
    }
}

impl Guard {
    fn new() -> Guard {
        Guard {
            md_ctx: ptr::null_mut(),
            owned_pkey: ptr::null_mut(),
            cert: ptr::null_mut(),
            bio: ptr::null_mut(),
        }
    }
}

/// Refuses to decrypt: a server must never prompt for a password.
unsafe extern "C" fn no_password(
    _buf: *mut c_char,
    _size: c_int,
    _rwflag: c_int,
    _u: *mut c_void,
) -> c_int {
    0
}

/// Verifies an RSA PKCS#1 v1.5 `signature` over `data` with the key of a DER certificate.
/// `Ok(false)` when the signature does not match.
pub(crate) fn rsa_verify(
    hash: RsaHash,
    data: &[u8],
    signature: &[u8],
    cert_der: &[u8],
) -> Result<bool> {
    init()?;
    let len = c_len("certificate", cert_der.len())? as c_long;
    c_len("signed data", data.len())?;
    let mut g = Guard::new();
    // SAFETY: d2i_X509 reads at most `len` bytes through a local pointer copy; the public key
    // is borrowed from the certificate (get0); buffers are valid for their lengths; everything
    // allocated is freed by the guard.
    unsafe {
        let mut p = cert_der.as_ptr();
        g.cert = xs::d2i_X509(ptr::null_mut(), &mut p, len);
        if g.cert.is_null() {
            return Err(Error::Key("OpenSSL cannot parse the certificate".into()));
        }
        let pkey = xs::X509_get0_pubkey(g.cert);
        if pkey.is_null() || xs::EVP_PKEY_get_base_id(pkey) != xs::EVP_PKEY_RSA as c_int {
            return Err(Error::Key(
                "the certificate does not hold an RSA key".into(),
            ));
        }
        g.md_ctx = xs::EVP_MD_CTX_new();
        if g.md_ctx.is_null()
            || xs::EVP_DigestVerifyInit(g.md_ctx, ptr::null_mut(), hash.md(), ptr::null_mut(), pkey)
                != 1
        {
            return Err(Error::Verify(
                "OpenSSL cannot set up RSA verification".into(),
            ));
        }
        let rc = xs::EVP_DigestVerify(
            g.md_ctx,
            signature.as_ptr(),
            signature.len(),
            data.as_ptr(),
            data.len(),
        );
        Ok(rc == 1)
    }
}

/// Signs `data` with RSA PKCS#1 v1.5 using an unencrypted PEM private key.
pub(crate) fn rsa_sign(hash: RsaHash, data: &[u8], key_pem: &[u8]) -> Result<Vec<u8>> {
    init()?;
    let pem_len = c_len("private key", key_pem.len())?;
    c_len("data", data.len())?;
    let mut g = Guard::new();
    // SAFETY: the memory BIO reads `key_pem` (valid for the call, not written); the password
    // callback refuses encrypted keys; the signature buffer is sized by OpenSSL's first call
    // and truncated to the length of the second; everything allocated is freed by the guard.
    unsafe {
        g.bio = xs::BIO_new_mem_buf(key_pem.as_ptr() as *const c_void, pem_len);
        if g.bio.is_null() {
            return Err(Error::Key("cannot allocate a BIO".into()));
        }
        g.owned_pkey =
            xs::PEM_read_bio_PrivateKey(g.bio, ptr::null_mut(), Some(no_password), ptr::null_mut());
        if g.owned_pkey.is_null() {
            return Err(Error::Key("OpenSSL cannot read the private key".into()));
        }
        if xs::EVP_PKEY_get_base_id(g.owned_pkey) != xs::EVP_PKEY_RSA as c_int {
            return Err(Error::Key("the private key is not RSA".into()));
        }
        g.md_ctx = xs::EVP_MD_CTX_new();
        if g.md_ctx.is_null()
            || xs::EVP_DigestSignInit(
                g.md_ctx,
                ptr::null_mut(),
                hash.md(),
                ptr::null_mut(),
                g.owned_pkey,
            ) != 1
        {
            return Err(Error::Sign("OpenSSL cannot set up RSA signing".into()));
        }
        let mut size: usize = 0;
        if xs::EVP_DigestSign(
            g.md_ctx,
            ptr::null_mut(),
            &mut size,
            data.as_ptr(),
            data.len(),
        ) != 1
        {
            return Err(Error::Sign("OpenSSL cannot size the signature".into()));
        }
        let mut out = vec![0u8; size];
        if xs::EVP_DigestSign(
            g.md_ctx,
            out.as_mut_ptr(),
            &mut size,
            data.as_ptr(),
            data.len(),
        ) != 1
        {
            return Err(Error::Sign("OpenSSL signing failed".into()));
        }
        out.truncate(size);
        Ok(out)
    }
}
