//! The only module with `unsafe`: small safe wrappers over libxml2 and libxmlsec1, called through
//! the raw bindings that the `xmlsec` and `libxml` crates generate (their higher-level wrappers
//! panic on some errors, so they are not used).
//!
//! Invariants the rest of the crate relies on:
//! - [`init`] runs the global initialisation exactly once (a `OnceLock`), from any thread;
//! - a [`Doc`] owns its libxml2 tree, is neither `Send` nor `Sync`, and frees it on drop;
//! - a [`Node`] borrows its `Doc`, so it cannot outlive it, and tree mutation takes `&mut Doc`,
//!   so no `Node` is alive while the tree changes;
//! - every pointer from C is checked for NULL before use; every C string is copied out.
//!
//! Submodules: `tree` (libxml2 documents, nodes, canonicalization), `keys` (keys and
//! certificates through libxmlsec1 and OpenSSL), `dsig` (signature contexts), `evp` (RSA over
//! raw bytes with OpenSSL).
#![allow(unsafe_code)]

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr;
use std::sync::OnceLock;

use xmlsec::bindings as xs;

use crate::error::{Error, Result};

mod dsig;
mod evp;
mod keys;
mod tree;

pub(crate) use dsig::Transform;
pub(crate) use evp::{rsa_sign, rsa_verify, RsaHash};
pub(crate) use keys::{certificate_subject, Key};
pub(crate) use tree::{Doc, Node, NodeKind};

/// Upper bound for inputs handed to C (`int` lengths); callers enforce smaller limits first.
const MAX_C_LEN: usize = i32::MAX as usize;

// libxmlsec1 reports errors through a callback; the bindings do not declare its setter.
type XmlSecErrorsCallback = Option<
    unsafe extern "C" fn(
        file: *const c_char,
        line: c_int,
        func: *const c_char,
        error_object: *const c_char,
        error_subject: *const c_char,
        reason: c_int,
        msg: *const c_char,
    ),
>;
extern "C" {
    fn xmlSecErrorsSetCallback(callback: XmlSecErrorsCallback);
}

thread_local! {
    /// First libxmlsec1 error of the current operation on this thread (later ones are echoes).
    static XMLSEC_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INIT: OnceLock<std::result::Result<(), String>> = OnceLock::new();

/// Initialises libxml2, libxmlsec1 and its OpenSSL engine once per process; thread-safe.
pub(crate) fn init() -> Result<()> {
    INIT.get_or_init(|| {
        // SAFETY: runs once (OnceLock), before any other libxml2/libxmlsec1 call of this crate.
        unsafe { init_libraries() }
    })
    .clone()
    .map_err(Error::Init)
}

unsafe fn init_libraries() -> std::result::Result<(), String> {
    xs::xmlInitParser();
    if xs::xmlSecInit() < 0 {
        return Err("xmlSecInit failed".into());
    }
    if xs::xmlSecOpenSSLAppInit(ptr::null()) < 0 {
        return Err("xmlSecOpenSSLAppInit failed".into());
    }
    if xs::xmlSecOpenSSLInit() < 0 {
        return Err("xmlSecOpenSSLInit failed".into());
    }
    xmlSecErrorsSetCallback(Some(on_xmlsec_error));
    Ok(())
}

unsafe extern "C" fn on_xmlsec_error(
    _file: *const c_char,
    _line: c_int,
    func: *const c_char,
    error_object: *const c_char,
    error_subject: *const c_char,
    reason: c_int,
    msg: *const c_char,
) {
    let text = format!(
        "{} (in {}, object {}, subject {}, reason {reason})",
        cstr(msg),
        cstr(func),
        cstr(error_object),
        cstr(error_subject)
    );
    let _ = XMLSEC_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            slot.get_or_insert(text);
        }
    });
}

pub(super) fn reset_xmlsec_error() {
    let _ = XMLSEC_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = None;
        }
    });
}

pub(super) fn take_xmlsec_error(default: &str) -> String {
    XMLSEC_ERROR
        .try_with(|slot| slot.try_borrow_mut().ok().and_then(|mut s| s.take()))
        .ok()
        .flatten()
        .unwrap_or_else(|| default.to_owned())
}

/// Copies a C string (NULL gives "").
pub(super) unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// Copies and frees a libxml2-allocated string.
pub(super) unsafe fn take_xml_string(p: *mut xs::xmlChar) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let s = cstr(p as *const c_char);
    if let Some(free) = xs::xmlFree {
        free(p as *mut c_void);
    }
    Some(s)
}

pub(super) fn c_string(what: &str, s: &str) -> Result<CString> {
    CString::new(s).map_err(|_| Error::Refused(format!("{what} contains a NUL byte")))
}

pub(super) fn c_len(what: &str, len: usize) -> Result<c_int> {
    if len > MAX_C_LEN {
        return Err(Error::Refused(format!("{what} is too large ({len} bytes)")));
    }
    Ok(len as c_int)
}
