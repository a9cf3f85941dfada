//! One error type for the crate; every variant says what failed and where.

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong while parsing, canonicalizing, signing or verifying.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// libxml2 / libxmlsec1 could not be initialised (the process cannot sign or verify).
    #[error("XML security library initialisation failed: {0}")]
    Init(String),
    /// The input was refused before it reached libxml2 (size, DOCTYPE, encoding, NUL bytes).
    #[error("input refused: {0}")]
    Refused(String),
    /// The input is not well-formed XML.
    #[error("not well-formed XML at line {line}, column {column}: {message}")]
    Parse {
        line: u32,
        column: u32,
        message: String,
    },
    /// The document is well-formed but breaks a structural limit (depth, element count).
    #[error("document exceeds a limit: {0}")]
    Limit(String),
    /// A key or certificate could not be read.
    #[error("bad key or certificate: {0}")]
    Key(String),
    /// The signature element is missing, duplicated, misplaced or uses a refused construct.
    #[error("signature structure refused: {0}")]
    Structure(String),
    /// The signature was processed but is not valid (digest mismatch or bad signature value).
    #[error("signature is invalid: {0}")]
    Invalid(String),
    /// libxmlsec1 failed while signing.
    #[error("signing failed: {0}")]
    Sign(String),
    /// libxmlsec1 failed while verifying (malformed signature, unsupported or disabled algorithm).
    #[error("verification failed: {0}")]
    Verify(String),
    /// Canonicalization failed or the selected node does not exist / is ambiguous.
    #[error("canonicalization failed: {0}")]
    C14n(String),
}
