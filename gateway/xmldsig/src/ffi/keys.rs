//! Keys and certificates: libxmlsec1 keys, and the two certificate facts OpenSSL gives us.

use std::ffi::{c_char, c_int, c_long, c_uint, c_void};
use std::marker::PhantomData;
use std::ptr;

use xmlsec::bindings as xs;

use super::{c_len, init, reset_xmlsec_error, take_xmlsec_error};
use crate::error::{Error, Result};

/// A libxmlsec1 key (private key with its certificate, or a public key from a certificate).
pub(crate) struct Key {
    pub(super) ptr: xs::xmlSecKeyPtr,
    _not_send: PhantomData<*mut ()>,
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: non-NULL key owned by this value.
        unsafe { xs::xmlSecKeyDestroy(self.ptr) }
    }
}

impl Key {
    fn load(data: &[u8], format: xs::xmlSecKeyDataFormat, what: &str) -> Result<Key> {
        init()?;
        let len = c_len(what, data.len())? as c_uint;
        reset_xmlsec_error();
        // SAFETY: buffer valid for `len`; no password and no password callback (the caller
        // refuses encrypted PEM before this point); result checked for NULL.
        let ptr = unsafe {
            xs::xmlSecOpenSSLAppKeyLoadMemory(
                data.as_ptr(),
                len,
                format,
                ptr::null(),
                ptr::null_mut(),
                ptr::null_mut(),
            )
        };
        if ptr.is_null() {
            return Err(Error::Key(format!(
                "{what}: {}",
                take_xmlsec_error("libxmlsec1 could not load it")
            )));
        }
        Ok(Key {
            ptr,
            _not_send: PhantomData,
        })
    }

    /// A private key from PEM (PKCS#8 or PKCS#1, unencrypted).
    pub(crate) fn private_from_pem(pem: &[u8]) -> Result<Key> {
        Key::load(
            pem,
            xs::xmlSecKeyDataFormat_xmlSecKeyDataFormatPem,
            "private key",
        )
    }

    /// The public key of a DER certificate.
    pub(crate) fn public_from_cert_der(der: &[u8]) -> Result<Key> {
        Key::load(
            der,
            xs::xmlSecKeyDataFormat_xmlSecKeyDataFormatCertDer,
            "certificate",
        )
    }

    /// Attaches a DER certificate, written into KeyInfo/X509Data when signing.
    pub(crate) fn attach_cert_der(&mut self, der: &[u8]) -> Result<()> {
        let len = c_len("certificate", der.len())? as c_uint;
        reset_xmlsec_error();
        // SAFETY: live key; buffer valid for `len`.
        let rc = unsafe {
            xs::xmlSecOpenSSLAppKeyCertLoadMemory(
                self.ptr,
                der.as_ptr(),
                len,
                xs::xmlSecKeyDataFormat_xmlSecKeyDataFormatCertDer,
            )
        };
        if rc < 0 {
            return Err(Error::Key(format!(
                "certificate: {}",
                take_xmlsec_error("libxmlsec1 could not load it")
            )));
        }
        Ok(())
    }
}

/// The subject of a DER certificate as `C=.., O=.., CN=..` (the form Peppol SMPs publish in
/// `X509SubjectName`), printed by OpenSSL.
pub(crate) fn certificate_subject(der: &[u8]) -> Result<String> {
    init()?;
    let len = c_len("certificate", der.len())? as c_long;
    let flags = (xs::ASN1_STRFLGS_RFC2253
        | xs::XN_FLAG_SEP_CPLUS_SPC
        | xs::XN_FLAG_FN_SN
        | xs::XN_FLAG_DUMP_UNKNOWN_FIELDS) as std::ffi::c_ulong;
    // SAFETY: d2i_X509 reads at most `len` bytes and advances a local copy of the pointer; the
    // certificate and the memory BIO are freed on every path; the BIO's buffer is copied out
    // before the BIO is freed.
    unsafe {
        let mut p = der.as_ptr();
        let cert = xs::d2i_X509(ptr::null_mut(), &mut p, len);
        if cert.is_null() {
            return Err(Error::Key("OpenSSL cannot parse the certificate".into()));
        }
        let bio = xs::BIO_new(xs::BIO_s_mem());
        if bio.is_null() {
            xs::X509_free(cert);
            return Err(Error::Key("cannot allocate a BIO".into()));
        }
        let rc = xs::X509_NAME_print_ex(bio, xs::X509_get_subject_name(cert), 0, flags);
        let mut data: *mut c_char = ptr::null_mut();
        let size = xs::BIO_ctrl(
            bio,
            xs::BIO_CTRL_INFO as c_int,
            0,
            &mut data as *mut *mut c_char as *mut c_void,
        );
        let subject = if rc < 0 || data.is_null() || size < 0 {
            None
        } else {
            Some(
                String::from_utf8_lossy(std::slice::from_raw_parts(
                    data as *const u8,
                    size as usize,
                ))
                .into_owned(),
            )
        };
        xs::BIO_free(bio);
        xs::X509_free(cert);
        subject.ok_or_else(|| Error::Key("cannot print the certificate subject".into()))
    }
}
