//! Peppol identifiers, SML naming and SMP 1.x documents for the gateway. Pure: no I/O.
//!
//! - [`ParticipantId`], [`DocumentTypeId`], [`ProcessId`] and the BIS Billing 3 constants;
//! - the ICD list ([`lookup_icd`]) and PEPPOL-COMMON check rules ([`check_identifier`]);
//! - SMP REST paths ([`service_metadata_url`], [`parse_smp_path`]);
//! - SML names ([`naptr_name`], [`cname_name`]) and U-NAPTR answers ([`smp_url_from_naptr`]);
//! - SMP 1.x documents and the Directory business card ([`smp`]).
//!
//! ```
//! use gateway_peppol::*;
//!
//! let id = ParticipantId::parse("0208:0123456749")?;
//! assert_eq!(id.to_string(), "iso6523-actorid-upis::0208:0123456749");
//! assert_eq!(
//!     ParticipantId::parse("0208:0123456789").unwrap_err().code(),
//!     "PEPPOL-COMMON-R043" // Belgian enterprise number check digits
//! );
//! let path = service_metadata_url("/smp", &id, &BIS3_INVOICE);
//! assert!(path.starts_with("/smp/iso6523-actorid-upis%3A%3A0208%3A0123456749/services/busdox-docid-qns%3A%3A"));
//! assert_eq!(parse_smp_path(&path["/smp".len()..])?, SmpRequest::ServiceMetadata(id.clone(), BIS3_INVOICE));
//! assert!(naptr_name(&id, SML_ZONE_TEST).ends_with(".iso6523-actorid-upis.participant.sml.test.tech.peppol.org"));
//! assert_eq!(parse_naptr_regexp("!^.*$!https://smp.example.com!")?, "https://smp.example.com");
//! # Ok::<(), gateway_peppol::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_debug_implementations)]

mod checks;
mod doctype;
mod error;
mod icd;
#[rustfmt::skip]
mod icd_table;
mod participant;
mod sml;
pub mod smp;
mod urlenc;

pub use checks::{check_identifier, icds_with_rules, Finding, Severity};
pub use doctype::{
    DocTypeParts, DocumentTypeId, ProcessId, BILLING_PROCESS, BIS3_CREDIT_NOTE, BIS3_INVOICE,
    DOCTYPE_SCHEME, DOCTYPE_WILDCARD_SCHEME, MAX_DOCTYPE_VALUE_LEN, MAX_PROCESS_VALUE_LEN,
    PROCESS_SCHEME, SELFBILLING_CREDIT_NOTE, SELFBILLING_INVOICE, SELFBILLING_PROCESS,
};
pub use error::{Error, XmlError, XmlErrorKind};
pub use icd::{icd_table, lookup_icd, IcdEntry, IcdStatus};
pub use participant::{
    participant_lenient, ParticipantId, MAX_PARTICIPANT_VALUE_LEN, PARTICIPANT_SCHEME,
};
pub use sml::{
    cname_name, cname_name_raw, naptr_name, naptr_name_raw, parse_naptr_regexp, smp_url_from_naptr,
    NaptrRecord, NAPTR_SERVICE_SMP, SML_ZONE_EC_PROD, SML_ZONE_EC_TEST, SML_ZONE_PROD,
    SML_ZONE_TEST,
};
pub use urlenc::{
    decode_segment, encode_segment, parse_smp_path, service_group_url, service_metadata_url,
    SmpRequest,
};
