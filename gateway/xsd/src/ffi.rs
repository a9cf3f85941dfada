//! The only module with `unsafe`: a compiled libxml2 schema shared between
//! threads, and one validation of an in-memory document, through the raw
//! bindings of the `libxml` crate (its safe schema wrapper cannot share one
//! compiled schema between threads).
//!
//! Invariants:
//! - [`init`] runs `xmlInitParser`, sets up the catalog (off) and installs the
//!   no-network entity loader once, before any other call (a `OnceLock`);
//! - a [`Schema`] owns its `xmlSchema`, frees it on drop, and is only read
//!   after parsing: libxml2 allows one compiled schema to be used by many
//!   validation contexts at once, each thread creating its own;
//! - documents are parsed without entity substitution, DTD loading or
//!   network access (`XML_PARSE_NONET`, no `NOENT`/`DTDLOAD`): nothing
//!   outside the bytes given is read;
//! - every pointer from C is checked for NULL, every C string copied out, and
//!   every context and document freed on every path.
#![allow(unsafe_code)]

use std::ffi::{c_int, c_void, CStr, CString};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::OnceLock;

use libxml::bindings as xml;

/// One libxml2 diagnostic: line (0 when unknown) and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line in the document (or schema), 0 when libxml2 gives none.
    pub line: u32,
    /// libxml2's message, trimmed.
    pub message: String,
}

/// At most this many diagnostics are kept per run (bounded memory).
pub const MAX_DIAGNOSTICS: usize = 100;

/// Global libxml2 set-up: parser initialisation and the entity loader that
/// refuses network URLs (also for `xs:import`/`xs:include` of schemas).
pub fn init() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| unsafe {
        xml::xmlInitParser();
        // The catalog's global state is otherwise set up by the first load that needs it; two
        // threads doing that at once deadlocked inside libxml2 (CI: both parked in
        // xmlCatalogResolve). Set it up here, once, and turn catalogs off: schemas and
        // documents are read from the paths given, never redirected.
        xml::xmlInitializeCatalog();
        xml::xmlCatalogSetDefaults(xml::xmlCatalogAllow_XML_CATA_ALLOW_NONE);
        xml::xmlSetExternalEntityLoader(Some(xml::xmlNoNetExternalEntityLoader));
    });
}

unsafe extern "C" fn collect(user: *mut c_void, error: xml::xmlErrorPtr) {
    if user.is_null() || error.is_null() {
        return;
    }
    // SAFETY: `user` is the `Vec<Diagnostic>` registered by the caller for
    // the duration of the call that reports into it; `error` is valid here.
    let out = unsafe { &mut *(user as *mut Vec<Diagnostic>) };
    if out.len() >= MAX_DIAGNOSTICS {
        return;
    }
    let e = unsafe { &*error };
    let message = if e.message.is_null() {
        String::from("(no message)")
    } else {
        unsafe { CStr::from_ptr(e.message) }
            .to_string_lossy()
            .trim()
            .to_string()
    };
    out.push(Diagnostic {
        line: u32::try_from(e.line).unwrap_or(0),
        message,
    });
}

/// A compiled XML Schema.
pub struct Schema(NonNull<xml::_xmlSchema>);

// SAFETY: the compiled schema is immutable after `xmlSchemaParse`; libxml2
// supports concurrent validation with one validation context per thread,
// which `validate` creates and frees within the call.
unsafe impl Send for Schema {}
unsafe impl Sync for Schema {}

impl Drop for Schema {
    fn drop(&mut self) {
        unsafe { xml::xmlSchemaFree(self.0.as_ptr()) }
    }
}

impl Schema {
    /// Parses and compiles the schema at `path` (imports relative to it).
    pub fn load(path: &Path) -> Result<Schema, Vec<Diagnostic>> {
        init();
        let fail = |m: &str| {
            vec![Diagnostic {
                line: 0,
                message: m.to_string(),
            }]
        };
        let Some(cpath) = path.to_str().and_then(|p| CString::new(p).ok()) else {
            return Err(fail("path is not valid UTF-8 without NUL"));
        };
        let mut diags: Vec<Diagnostic> = Vec::new();
        unsafe {
            let pctxt = xml::xmlSchemaNewParserCtxt(cpath.as_ptr());
            if pctxt.is_null() {
                return Err(fail("cannot create a schema parser"));
            }
            xml::xmlSchemaSetParserStructuredErrors(
                pctxt,
                Some(collect),
                &mut diags as *mut Vec<Diagnostic> as *mut c_void,
            );
            let schema = xml::xmlSchemaParse(pctxt);
            xml::xmlSchemaFreeParserCtxt(pctxt);
            match NonNull::new(schema) {
                Some(s) => Ok(Schema(s)),
                None if diags.is_empty() => Err(fail("schema did not compile")),
                None => Err(diags),
            }
        }
    }

    /// Validates the document in `bytes`: `Ok(diagnostics)`, empty when
    /// valid; `Err` when libxml2 cannot parse it at all.
    pub fn validate(&self, bytes: &[u8]) -> Result<Vec<Diagnostic>, Diagnostic> {
        init();
        let len = c_int::try_from(bytes.len()).map_err(|_| Diagnostic {
            line: 0,
            message: "document too large".into(),
        })?;
        let options = (xml::xmlParserOption_XML_PARSE_NONET
            | xml::xmlParserOption_XML_PARSE_NOERROR
            | xml::xmlParserOption_XML_PARSE_NOWARNING) as c_int;
        let mut diags: Vec<Diagnostic> = Vec::new();
        unsafe {
            let pctxt = xml::xmlNewParserCtxt();
            if pctxt.is_null() {
                return Err(Diagnostic {
                    line: 0,
                    message: "cannot create a parser".into(),
                });
            }
            let doc = xml::xmlCtxtReadMemory(
                pctxt,
                bytes.as_ptr().cast(),
                len,
                std::ptr::null(),
                std::ptr::null(),
                options,
            );
            if doc.is_null() {
                let e = xml::xmlCtxtGetLastError(pctxt.cast());
                let mut one = Vec::new();
                if !e.is_null() {
                    collect(&mut one as *mut Vec<Diagnostic> as *mut c_void, e);
                }
                xml::xmlFreeParserCtxt(pctxt);
                return Err(one.pop().unwrap_or(Diagnostic {
                    line: 0,
                    message: "libxml2 cannot parse the document".into(),
                }));
            }
            xml::xmlFreeParserCtxt(pctxt);
            let vctxt = xml::xmlSchemaNewValidCtxt(self.0.as_ptr());
            if vctxt.is_null() {
                xml::xmlFreeDoc(doc);
                return Err(Diagnostic {
                    line: 0,
                    message: "cannot create a validation context".into(),
                });
            }
            xml::xmlSchemaSetValidStructuredErrors(
                vctxt,
                Some(collect),
                &mut diags as *mut Vec<Diagnostic> as *mut c_void,
            );
            let rc = xml::xmlSchemaValidateDoc(vctxt, doc);
            xml::xmlSchemaFreeValidCtxt(vctxt);
            xml::xmlFreeDoc(doc);
            if rc != 0 && diags.is_empty() {
                diags.push(Diagnostic {
                    line: 0,
                    message: format!("schema validation failed (libxml2 status {rc})"),
                });
            }
        }
        Ok(diags)
    }
}
