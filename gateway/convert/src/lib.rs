//! UBL <-> CII conversion through the EN 16931 model, with syntax detection.
//!
//! [`convert`] reads either syntax (detected from the root element), maps
//! the syntax-specific places of a few terms ([`normalize`]) and writes the
//! target syntax. Content preserved from the source syntax is not carried
//! into the other syntax (it has no defined place there).
#![forbid(unsafe_code)]

pub mod normalize;

use gateway_model::{Invoice, Syntax};
use gateway_xml::names::{RSM, UBL_CREDIT_NOTE, UBL_INVOICE};
use gateway_xml::{Document, Limits, XmlError};

/// The syntax to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// UBL 2.1 Invoice / CreditNote.
    Ubl,
    /// CII D16B CrossIndustryInvoice.
    Cii,
}

impl From<Target> for Syntax {
    fn from(t: Target) -> Self {
        match t {
            Target::Ubl => Syntax::Ubl,
            Target::Cii => Syntax::Cii,
        }
    }
}

/// Errors of the conversion.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed or breaks a limit.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// UBL mapping error.
    #[error(transparent)]
    Ubl(#[from] gateway_ubl::Error),
    /// CII mapping error.
    #[error(transparent)]
    Cii(#[from] gateway_cii::Error),
    /// The root element is neither UBL nor CII.
    #[error("line {line}, column {column}: root element {found} is neither a UBL Invoice/CreditNote nor a CII CrossIndustryInvoice")]
    UnknownSyntax {
        /// Line of the root element.
        line: u32,
        /// Column of the root element.
        column: u32,
        /// The root element (`{ns}local`).
        found: String,
    },
}

/// The syntax of a parsed document, from its root element.
pub fn detect(doc: &Document) -> Option<Syntax> {
    let r = doc.root();
    if doc.is(r, UBL_INVOICE, "Invoice") || doc.is(r, UBL_CREDIT_NOTE, "CreditNote") {
        Some(Syntax::Ubl)
    } else if doc.is(r, RSM, "CrossIndustryInvoice") {
        Some(Syntax::Cii)
    } else {
        None
    }
}

/// A document read in either syntax.
#[derive(Debug, Clone)]
pub struct Read {
    /// The detected syntax.
    pub syntax: Syntax,
    /// The source tree.
    pub doc: Document,
    /// The model.
    pub invoice: Invoice,
}

/// Read UBL or CII, detecting which.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Read, Error> {
    let doc = gateway_xml::parse(bytes, limits)?;
    let syntax = detect(&doc).ok_or_else(|| {
        let (line, column) = doc.line_col(doc.root());
        let n = doc.name(doc.root());
        Error::UnknownSyntax {
            line,
            column,
            found: format!("{{{}}}{}", n.ns, n.local),
        }
    })?;
    let invoice = match syntax {
        Syntax::Ubl => gateway_ubl::read_document(&doc)?,
        Syntax::Cii => gateway_cii::read_document(&doc)?,
    };
    Ok(Read {
        syntax,
        doc,
        invoice,
    })
}

/// Write a model in `target` syntax, first moving syntax-specific terms
/// when the model came from the other syntax.
pub fn write(invoice: &Invoice, target: Target) -> Vec<u8> {
    let from = invoice.source_syntax;
    if from == Some(target.into()) {
        return match target {
            Target::Ubl => gateway_ubl::write(invoice),
            Target::Cii => gateway_cii::write(invoice),
        };
    }
    let mut inv = invoice.clone();
    match target {
        Target::Ubl => {
            normalize::for_ubl(&mut inv);
            gateway_ubl::write(&inv)
        }
        Target::Cii => {
            normalize::for_cii(&mut inv);
            gateway_cii::write(&inv)
        }
    }
}

/// Convert a UBL or CII document (auto-detected) to `target`. Converting to
/// the source syntax is a lossless round trip.
pub fn convert(bytes: &[u8], target: Target, limits: &Limits) -> Result<Vec<u8>, Error> {
    let r = read(bytes, limits)?;
    Ok(write(&r.invoice, target))
}
