//! Standard Business Document Header (SBDH) reader and writer per the Peppol Envelope
//! Specification 2.0. Pure: bytes in, values out, no I/O.
//!
//! [`read`] checks the envelope the way Peppol access points do (error codes from
//! phax/peppol-commons, see [`Error::code`]) and returns the business document as an exact slice
//! of the input; [`write()`] wraps a business document. Identifiers are checked for syntax only
//! ([`gateway_peppol::ParticipantId::parse_lenient`]): check digits are the receiver's business.
//!
//! ```
//! use gateway_peppol::{ParticipantId, BILLING_PROCESS, BIS3_INVOICE};
//! use gateway_sbdh::{read, write, DocumentIdentification, Sbdh};
//!
//! let invoice = br#"<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>1</ID></Invoice>"#;
//! let header = Sbdh {
//!     sender: ParticipantId::parse_lenient("0088:7315458756324")?,
//!     receiver: ParticipantId::parse_lenient("0088:4562458856624")?,
//!     document_identification: DocumentIdentification {
//!         standard: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2".into(),
//!         type_version: "2.1".into(),
//!         instance_identifier: "0b0e3c8e-1d4c-4d5e-9a55-6c1f1f9e2a01".into(),
//!         type_name: "Invoice".into(),
//!         creation_date_and_time: "2026-11-30T02:00:00Z".into(),
//!     },
//!     document_type_id: BIS3_INVOICE,
//!     process_id: BILLING_PROCESS,
//!     country_c1: "BE".into(),
//!     mls_to: None,
//!     mls_type: None,
//!     additional_scopes: vec![],
//! };
//! let sbd = write(&header, invoice)?;
//! let back = read(&sbd)?;
//! assert_eq!(back.header, header);
//! assert_eq!(back.payload.bytes, invoice); // byte for byte
//!
//! let err = read(b"<StandardBusinessDocument/>").unwrap_err();
//! assert_eq!(err.code(), "INVALID_SBD_XML"); // not in the SBDH namespace
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_debug_implementations)]

mod error;
mod model;
mod read;
mod scan;
mod write;

pub use error::{Error, Position, Result};
pub use model::{
    DocumentIdentification, MlsTo, MlsType, Payload, Sbdh, Scope, StandardBusinessDocument, Warning,
};
pub use read::{read, read_with, TICC_ENVELOPE_NS};
pub use scan::Limits;
pub use write::write;

/// The SBDH namespace.
pub const SBDH_NS: &str = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";
