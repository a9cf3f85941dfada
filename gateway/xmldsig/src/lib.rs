//! XML Signature for the gateway.
//!
//! - [`sign_enveloped`] / [`verify_enveloped`]: enveloped RSA signatures through libxmlsec1, as
//!   Peppol SMP 1.x `SignedServiceMetadata` uses them (exclusive c14n, RSA-SHA256, one
//!   `Reference URI=""`), with signature-wrapping refused and the signed bytes returned;
//! - [`canonicalize`]: libxml2's Canonical XML over a document or one element, for signing in
//!   Rust;
//! - [`sign_enveloped_ed25519`] / [`verify_enveloped_ed25519`]: the same enveloped signature
//!   with Ed25519 (RFC 9231), which libxmlsec1 1.2 lacks, on libxml2's canonicalization;
//! - [`verify_signature_value`] / [`sign_signature_value_rsa`]: RSA (OpenSSL) or Ed25519 over
//!   SignedInfo bytes the caller canonicalized, for AS4 where references point at attachments.
//!
//! Every function takes bytes and returns bytes: all libxml2 state is created and dropped
//! inside the call, so the functions can run on any thread. Untrusted input never reaches
//! libxml2 with a DOCTYPE, in another encoding than UTF-8, or beyond [`Limits`]; the parser never
//! touches the network or the file system.
//!
//! Only the `ffi` module contains `unsafe` code.
//!
//! ```
//! use gateway_xmldsig::{canonicalize, Algorithm, Error, Selector};
//!
//! let xml = br#"<a xmlns:x="urn:x" xmlns:y="urn:y"><x:b  z="1" wsu:Id="b1" xmlns:wsu="urn:wsu"/></a>"#;
//! let c14n = canonicalize(xml, Selector::ById("b1"), Algorithm::ExcC14n, &[])?;
//! // Unused namespaces dropped; attributes without namespace first (C14N ordering).
//! assert_eq!(c14n, br#"<x:b xmlns:wsu="urn:wsu" xmlns:x="urn:x" z="1" wsu:Id="b1"></x:b>"#);
//!
//! let hostile = br#"<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>"#;
//! assert!(matches!(canonicalize(hostile, Selector::Document, Algorithm::C14n10, &[]), Err(Error::Refused(_))));
//! # Ok::<(), Error>(())
//! ```
#![deny(unsafe_code)]
#![deny(missing_debug_implementations)]

mod c14n;
mod cert_key;
mod ed25519;
mod error;
mod exc_c14n;
mod ffi;
mod input;
mod keys;
mod sign;
mod signature_value;
mod verify;

pub use c14n::{
    canonicalize, canonicalize_parts, canonicalize_parts_libxml2, canonicalize_with, Algorithm,
    Part, Selector,
};
pub use ed25519::{sign_enveloped_ed25519, verify_enveloped_ed25519, Ed25519Key, EDDSA_ED25519};
pub use error::{Error, Result};
pub use input::Limits;
pub use keys::{CertDer, SigningKey};
pub use sign::sign_enveloped;
pub use signature_value::{
    sign_signature_value_ed25519, sign_signature_value_rsa, verify_signature_value,
    SignatureAlgorithm,
};
pub use verify::{
    verify_enveloped, verify_enveloped_with, CoveredElement, Trust, Verified, VerifyOptions,
};

/// The XML Signature namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
