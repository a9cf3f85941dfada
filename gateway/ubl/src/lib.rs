//! UBL 2.1 `Invoice` and `CreditNote`: reader and writer for the EN 16931
//! model (the CEN/TC 434 UBL binding).
//!
//! Reading is one hardened streaming pass into a `gateway_xml::Document`
//! followed by a mapping that marks every element it understands; the rest
//! (extensions, signatures, elements outside EN 16931, unknown attributes) is
//! kept in [`gateway_model::Preserved`] and re-emitted by [`write()`], so
//! UBL -> model -> UBL keeps every element path, attribute and text value.
//! What is normalised: namespace prefixes and declarations (written once on
//! the root with the usual `cac`/`cbc` prefixes), whitespace between
//! elements, CDATA sections (become escaped text), and the order among
//! repeated siblings that the model splits into different terms (for example
//! `AdditionalDocumentReference` as BT-18 versus BG-24).
#![forbid(unsafe_code)]

mod read;
mod write;

pub use read::{read, read_document};
pub use write::write;

use gateway_model::Invoice;
use gateway_xml::{Document, XmlError};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The XML could not be read.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The root element is not a UBL Invoice or CreditNote.
    #[error(
        "line {line}, column {column}: root element {found} is not a UBL 2.1 Invoice or CreditNote"
    )]
    NotUbl {
        /// Line of the root element.
        line: u32,
        /// Column of the root element.
        column: u32,
        /// The root element found (`{ns}local`).
        found: String,
    },
}

/// A read document: the tree (for locations and syntax rules) and the model.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The source tree; `Src` values in the model index into it.
    pub doc: Document,
    /// The semantic model.
    pub invoice: Invoice,
}
