//! XML Schema validation of e-invoices (UBL 2.1 Invoice and CreditNote, CII
//! D16B CrossIndustryInvoice) with libxml2, against the official schemas in
//! an artefact directory. The schemas are compiled once ([`Schemas::load`])
//! and shared by every thread; a document is never allowed to make libxml2
//! read a file or the network (no entity substitution, no DTD loading,
//! `NONET`, and a no-network entity loader).
#![deny(unsafe_code)]

mod error;
mod ffi;

use std::path::{Path, PathBuf};

pub use error::Error;
pub use ffi::{Diagnostic, MAX_DIAGNOSTICS};

/// The schema file names looked for, by document type.
const UBL_INVOICE: &str = "UBL-Invoice-2.1.xsd";
const UBL_CREDIT_NOTE: &str = "UBL-CreditNote-2.1.xsd";
const CII: &str = "CrossIndustryInvoice_100pD16B.xsd";

/// The outcome for one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XsdReport {
    /// A schema for the document's root element was loaded and applied.
    pub checked: bool,
    /// Schema-valid (meaningful only when `checked`).
    pub valid: bool,
    /// libxml2's diagnostics, with document line numbers (at most [`MAX_DIAGNOSTICS`]).
    pub errors: Vec<Diagnostic>,
}

impl XsdReport {
    fn unchecked() -> XsdReport {
        XsdReport {
            checked: false,
            valid: false,
            errors: Vec::new(),
        }
    }
}

/// The compiled schemas of one artefact directory.
pub struct Schemas {
    invoice: Option<ffi::Schema>,
    credit_note: Option<ffi::Schema>,
    cii: Option<ffi::Schema>,
    dir: PathBuf,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas")
            .field("dir", &self.dir)
            .field("invoice", &self.invoice.is_some())
            .field("credit_note", &self.credit_note.is_some())
            .field("cii", &self.cii.is_some())
            .finish()
    }
}

impl Schemas {
    /// Finds and compiles the schemas below `dir` (the first
    /// `UBL-Invoice-2.1.xsd`, `UBL-CreditNote-2.1.xsd` and
    /// `CrossIndustryInvoice_100pD16B.xsd`, preferring UBL's runtime `xsdrt`
    /// copies). At least one must exist.
    pub fn load(dir: &Path) -> Result<Schemas, Error> {
        let mut found: Vec<PathBuf> = Vec::new();
        find(dir, 0, &mut found).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        found.sort_by_key(|p| {
            let rt = p.components().any(|c| c.as_os_str() == "xsdrt");
            (!rt, p.components().count(), p.clone())
        });
        let pick = |name: &str| {
            found
                .iter()
                .find(|p| p.file_name().is_some_and(|f| f == name))
        };
        let compile = |p: Option<&PathBuf>| -> Result<Option<ffi::Schema>, Error> {
            let Some(p) = p else { return Ok(None) };
            ffi::Schema::load(p).map(Some).map_err(|d| Error::Compile {
                path: p.clone(),
                message: d
                    .iter()
                    .take(3)
                    .map(|d| d.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            })
        };
        let s = Schemas {
            invoice: compile(pick(UBL_INVOICE))?,
            credit_note: compile(pick(UBL_CREDIT_NOTE))?,
            cii: compile(pick(CII))?,
            dir: dir.to_path_buf(),
        };
        if s.invoice.is_none() && s.credit_note.is_none() && s.cii.is_none() {
            return Err(Error::NoSchema {
                dir: dir.to_path_buf(),
            });
        }
        Ok(s)
    }

    /// The artefact directory the schemas came from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Validates `bytes`, whose root element is `{namespace}local`; a root
    /// without a loaded schema is not checked.
    pub fn validate(&self, namespace: &str, local: &str, bytes: &[u8]) -> XsdReport {
        let schema = match (namespace, local) {
            ("urn:oasis:names:specification:ubl:schema:xsd:Invoice-2", "Invoice") => &self.invoice,
            ("urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2", "CreditNote") => {
                &self.credit_note
            }
            (
                "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
                "CrossIndustryInvoice",
            ) => &self.cii,
            _ => &None,
        };
        let Some(schema) = schema else {
            return XsdReport::unchecked();
        };
        match schema.validate(bytes) {
            Ok(errors) => XsdReport {
                checked: true,
                valid: errors.is_empty(),
                errors,
            },
            Err(e) => XsdReport {
                checked: true,
                valid: false,
                errors: vec![e],
            },
        }
    }
}

/// Collects schema files below `dir` (bounded depth, no symlink loops).
fn find(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if depth > 12 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let path = entry.path();
        if ty.is_dir() {
            find(&path, depth + 1, out)?;
        } else if ty.is_file()
            && path
                .file_name()
                .is_some_and(|f| f == UBL_INVOICE || f == UBL_CREDIT_NOTE || f == CII)
        {
            out.push(path);
        }
    }
    Ok(())
}
