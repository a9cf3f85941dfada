//! UN/CEFACT Cross Industry Invoice D16B: reader and writer for the EN 16931
//! model (the CEN/TC 434 CII binding).
//!
//! Same design as `gateway-ubl`: one hardened pass into a
//! `gateway_xml::Document`, a mapping that marks what it understands, and
//! [`gateway_model::Preserved`] for everything else, re-emitted by [`write()`].
//! Normalised on a round trip: namespace prefixes and declarations (`rsm`,
//! `ram`, `udt`, `qdt` on the root), whitespace between elements, CDATA
//! sections, and the order among `AdditionalReferencedDocument` elements
//! that the model splits by type code (BT-17, BT-18, BG-24).
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
    /// The root element is not a CII CrossIndustryInvoice.
    #[error(
        "line {line}, column {column}: root element {found} is not a CII D16B CrossIndustryInvoice"
    )]
    NotCii {
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

/// Containers the CII schema requires even when empty: the writer always
/// emits them, and the reader therefore treats them as content.
pub(crate) fn keep(ns: &str, local: &str) -> bool {
    ns == gateway_xml::names::RAM
        && matches!(
            local,
            "ApplicableHeaderTradeAgreement"
                | "ApplicableHeaderTradeDelivery"
                | "ApplicableHeaderTradeSettlement"
        )
        || ns == gateway_xml::names::RSM
            && matches!(
                local,
                "ExchangedDocumentContext" | "ExchangedDocument" | "SupplyChainTradeTransaction"
            )
}
