//! The crate's single error type. Messages say what is wrong, where, and (when it helps) what to write.

use std::fmt;

/// Everything that can go wrong in this crate. Each variant has a stable [`Error::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The identifier (or its value part) is empty.
    #[error("{what} is empty")]
    Empty { what: &'static str },

    /// The scheme in `scheme::value` is not the one this identifier type uses.
    #[error("{what} scheme is `{found}`, expected `{expected}`")]
    WrongScheme {
        what: &'static str,
        expected: &'static str,
        found: String,
    },

    /// A participant value that is not `ICD:identifier`.
    #[error("participant identifier `{value}` must look like `ICD:identifier` with a 4-digit ICD, e.g. `0208:0123456789`")]
    ParticipantSyntax { value: String },

    /// The ICD is not (or no longer) in the Peppol participant identifier scheme list.
    #[error("participant identifier scheme (ICD) `{icd}` {}", icd_reason(*.removed))]
    UnknownIcd { icd: String, removed: bool },

    /// Too long for the Peppol policy.
    #[error("{what} is {len} characters long; at most {max} are allowed")]
    TooLong {
        what: &'static str,
        len: usize,
        max: usize,
    },

    /// A character outside the allowed set, with its 0-based character position.
    #[error("{what} has a forbidden character {ch:?} at position {pos}{}", hint_ascii(*.ch))]
    BadChar {
        what: &'static str,
        ch: char,
        pos: usize,
    },

    /// The identifier fails a PEPPOL-COMMON rule (format or check digits).
    #[error("[{rule}] `{icd}:{value}` is not a valid {scheme_name}: {reason}")]
    CheckFailed {
        rule: &'static str,
        icd: &'static str,
        scheme_name: &'static str,
        value: String,
        reason: &'static str,
    },

    /// A malformed `%XX` escape.
    #[error(
        "bad percent-encoding at byte {pos} of `{input}`: `%` must be followed by two hex digits"
    )]
    PercentEncoding { input: String, pos: usize },

    /// Percent-decoded bytes that are not UTF-8.
    #[error("percent-decoded `{input}` is not valid UTF-8")]
    NotUtf8 { input: String },

    /// A NAPTR record that cannot be used for an SMP lookup.
    #[error("NAPTR record rejected: {0}")]
    Naptr(String),

    /// An SMP document that cannot be read or written.
    #[error("{0}")]
    Xml(#[from] XmlError),
}

fn icd_reason(removed: bool) -> &'static str {
    if removed {
        "was removed from the Peppol code list (BIS 3.0.21, May 2026); the participant needs an identifier in a current scheme"
    } else {
        "is not in the Peppol participant identifier scheme list"
    }
}

fn hint_ascii(ch: char) -> &'static str {
    if ch.is_whitespace() {
        " (whitespace is not allowed)"
    } else if !ch.is_ascii() {
        " (only US-ASCII is allowed)"
    } else {
        ""
    }
}

impl Error {
    /// A stable machine-readable code, for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Empty { .. } => "peppol.empty",
            Error::WrongScheme { .. } => "peppol.wrong_scheme",
            Error::ParticipantSyntax { .. } => "peppol.participant_syntax",
            Error::UnknownIcd { removed: false, .. } => "peppol.unknown_icd",
            Error::UnknownIcd { removed: true, .. } => "peppol.removed_icd",
            Error::TooLong { .. } => "peppol.too_long",
            Error::BadChar { .. } => "peppol.bad_char",
            Error::CheckFailed { rule, .. } => rule,
            Error::PercentEncoding { .. } => "peppol.percent_encoding",
            Error::NotUtf8 { .. } => "peppol.not_utf8",
            Error::Naptr(_) => "peppol.naptr",
            Error::Xml(_) => "peppol.smp_xml",
        }
    }
}

/// An SMP XML problem with its position (1-based line and column; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SMP XML, line {line}, column {column}: {kind}")]
pub struct XmlError {
    pub line: u64,
    pub column: u64,
    pub kind: XmlErrorKind,
}

/// What is wrong in an SMP document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlErrorKind {
    /// The parser refused the bytes (not well-formed, bad encoding, ...).
    Syntax(String),
    /// A DOCTYPE declaration: refused (entity expansion, external entities).
    Doctype,
    /// The document is larger than the limit.
    TooLarge { size: usize, max: usize },
    /// Elements nest deeper than the limit.
    TooDeep { max: usize },
    /// The root element is not the expected one.
    UnexpectedRoot {
        expected: &'static str,
        found: String,
    },
    /// A required element is missing.
    Missing {
        parent: &'static str,
        child: &'static str,
    },
    /// An element appears more often than allowed.
    Duplicate { element: &'static str },
    /// A required attribute is missing.
    MissingAttribute {
        element: &'static str,
        attribute: &'static str,
    },
    /// An element or attribute value that is not acceptable.
    BadValue {
        element: &'static str,
        reason: String,
    },
    /// An identifier inside the document is invalid.
    Identifier {
        element: &'static str,
        error: Box<Error>,
    },
}

impl fmt::Display for XmlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XmlErrorKind::Syntax(m) => write!(f, "not well-formed XML: {m}"),
            XmlErrorKind::Doctype => f.write_str("DOCTYPE declarations are not allowed"),
            XmlErrorKind::TooLarge { size, max } => {
                write!(f, "document is {size} bytes; the limit is {max}")
            }
            XmlErrorKind::TooDeep { max } => write!(f, "elements nest deeper than {max} levels"),
            XmlErrorKind::UnexpectedRoot { expected, found } => {
                write!(f, "root element is `{found}`, expected `{expected}`")
            }
            XmlErrorKind::Missing { parent, child } => {
                write!(f, "`{parent}` has no `{child}` element")
            }
            XmlErrorKind::Duplicate { element } => write!(f, "`{element}` appears more than once"),
            XmlErrorKind::MissingAttribute { element, attribute } => {
                write!(f, "`{element}` has no `{attribute}` attribute")
            }
            XmlErrorKind::BadValue { element, reason } => write!(f, "`{element}`: {reason}"),
            XmlErrorKind::Identifier { element, error } => write!(f, "`{element}`: {error}"),
        }
    }
}
