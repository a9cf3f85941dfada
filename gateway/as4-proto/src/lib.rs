//! Peppol AS4 (ebMS 3 / SOAP 1.2 with attachments, AS4 profile 2.0) as pure functions: bytes in,
//! bytes out, no I/O.
//!
//! - [`mime`]: multipart/related build and bounded parse;
//! - [`build_message`] / [`open_message`]: a UserMessage with one gzip-compressed payload,
//!   signed (RSA-SHA256 or Ed25519, exclusive c14n, SHA-256, SwA attachment transform) and
//!   encrypted (AES-128-GCM, key under RSA-OAEP with MGF1-SHA256); opening checks the signer
//!   chain, the signature, every digest, decrypts, decompresses under a limit and checks the SBDH
//!   against `originalSender` / `finalRecipient`;
//! - [`build_receipt`] / [`build_error`] / [`open_answer`]: signals;
//! - every failure maps to its ebMS error ([`Error::ebms`]).
//!
//! Signature wrapping is refused by construction: the ebMS header is read from the canonical
//! bytes whose digest was verified, every `Id` must be unique, and exactly one `eb:Messaging`
//! may exist in the envelope.
#![forbid(unsafe_code)]

pub mod crypto;
mod ebms;
pub mod ec;
mod error;
pub mod gzip;
mod keys;
mod message;
pub mod mime;
pub mod ns;
mod signal;
mod tree;
mod trust;
mod wssec;

pub use ebms::{
    read_signal, read_user_message, PartInfo, PartyId, Property, Reference, Signal, SignalKind,
    Transform, UserMessage,
};
pub use error::{EbmsError, Error, Result};
pub use keys::{LocalAp, Signer};
pub use message::{
    build_message, message_id_of, open_message, signed_references, BuiltMessage, Limits, Opened,
    Outgoing, Rejected,
};
pub use signal::{
    build_error, build_receipt, open_answer, open_answer_same_subject, Answer, SIGNAL_CONTENT_TYPE,
};
pub use trust::{CertInfo, Trust};
