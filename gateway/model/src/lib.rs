//! The EN 16931 semantic invoice model, pure data with no I/O.
//!
//! # Design
//!
//! * Every business term (BT-n) and group (BG-n) of EN 16931-1 is a field or a
//!   struct, with its official number in the doc comment. Where the two syntaxes
//!   allow repetition that the semantic model does not (payment means, tax
//!   totals), the model keeps the repetition so that a round trip loses nothing.
//! * Numbers are exact ([`rust_decimal::Decimal`]) and dates are
//!   [`chrono::NaiveDate`]; both also keep their **raw lexical text**, because the
//!   validator checks lexical rules (BR-DEC-* decimals, date formats) and a
//!   malformed value must still reach it instead of failing the whole document.
//! * Codes are [`codes::Code`] values: the raw text plus knowledge of whether it
//!   is in the official list, so a wrong code parses and can be reported.
//! * Every value carries a [`Src`]: the index of the element it was read from in
//!   the source tree (`gateway_xml::Document`), from which the validator builds
//!   an XPath for its report. `Src` never takes part in equality.
//! * What the model does not know (extensions, unknown elements and attributes)
//!   is kept in [`preserved::Preserved`], keyed by the path of the known parent,
//!   and re-emitted by the writer of the same syntax.
#![forbid(unsafe_code)]

pub mod codes;
pub mod invoice;
pub mod preserved;
pub mod values;
pub mod xml;

pub use codes::Code;
pub use invoice::*;
pub use preserved::{Preserved, PreservedEntry, PreservedItem};
pub use values::{Amount, Date, Identifier, Indicator, Num, Quantity, Src, Text};

/// The XML syntax a document was read from or is written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// OASIS UBL 2.1 (`Invoice` / `CreditNote`).
    Ubl,
    /// UN/CEFACT Cross Industry Invoice D16B.
    Cii,
}
