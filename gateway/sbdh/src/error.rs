//! Errors of the SBDH reader and writer. Each has a stable [`Error::code`]: the Peppol envelope
//! checks use the names of phax/peppol-commons `EPeppolSBDHDataError`, and everything that breaks
//! well-formedness or the SBDH XML schema is `INVALID_SBD_XML`.

use std::fmt;

/// Line and column (1-based, columns in characters) of a problem in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

impl Position {
    /// The position of byte `offset` in `input`.
    pub(crate) fn at(input: &[u8], offset: usize) -> Position {
        let offset = offset.min(input.len());
        let before = &input[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a Standard Business Document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not well-formed XML, a refused construct (DOCTYPE, other encodings) or a limit.
    #[error("not a readable XML document at {at}: {message}")]
    Xml { at: Position, message: String },
    /// Well-formed, but not what the SBDH schema allows (missing or misplaced element, bad value
    /// type).
    #[error("invalid Standard Business Document at {at}: {message}")]
    Schema { at: Position, message: String },
    #[error("the StandardBusinessDocument has no StandardBusinessDocumentHeader")]
    MissingSbdh,
    #[error("HeaderVersion must be 1.0, found {found:?} at {at}")]
    InvalidHeaderVersion { at: Position, found: String },
    #[error("exactly one Sender is required, found {count}")]
    InvalidSenderCount { count: usize },
    #[error("sender Authority must be iso6523-actorid-upis, found {found:?} at {at}")]
    InvalidSenderAuthority { at: Position, found: String },
    #[error("invalid sender identifier {found:?} at {at}: {reason}")]
    InvalidSenderValue {
        at: Position,
        found: String,
        reason: String,
    },
    #[error("exactly one Receiver is required, found {count}")]
    InvalidReceiverCount { count: usize },
    #[error("receiver Authority must be iso6523-actorid-upis, found {found:?} at {at}")]
    InvalidReceiverAuthority { at: Position, found: String },
    #[error("invalid receiver identifier {found:?} at {at}: {reason}")]
    InvalidReceiverValue {
        at: Position,
        found: String,
        reason: String,
    },
    #[error(
        "Standard {found:?} at {at} does not match the business document namespace {expected:?}"
    )]
    InvalidStandard {
        at: Position,
        found: String,
        expected: String,
    },
    #[error("TypeVersion {found:?} at {at} is not a version number")]
    InvalidTypeVersion { at: Position, found: String },
    #[error("Type {found:?} at {at} does not match the business document element {expected:?}")]
    InvalidType {
        at: Position,
        found: String,
        expected: String,
    },
    #[error("InstanceIdentifier at {at} is empty")]
    InvalidInstanceIdentifier { at: Position },
    #[error("the header has no BusinessScope")]
    BusinessScopeMissing,
    #[error("BusinessScope needs at least the DOCUMENTID, PROCESSID and COUNTRY_C1 scopes, found {count} scopes")]
    InvalidScopeCount { count: usize },
    #[error("no DOCUMENTID scope")]
    MissingDocumentTypeIdentifier,
    #[error("invalid DOCUMENTID scope at {at}: {reason}")]
    InvalidDocumentTypeIdentifier { at: Position, reason: String },
    #[error("no PROCESSID scope")]
    MissingProcessIdentifier,
    #[error("invalid PROCESSID scope at {at}: {reason}")]
    InvalidProcessIdentifier { at: Position, reason: String },
    #[error("no COUNTRY_C1 scope")]
    MissingCountryC1,
    #[error("COUNTRY_C1 {found:?} at {at} is not a two-letter upper-case country code")]
    InvalidCountryC1 { at: Position, found: String },
    #[error("MLS_TYPE {found:?} at {at} must be ALWAYS_SEND or FAILURE_ONLY")]
    InvalidMlsType { at: Position, found: String },
    /// Writer input that cannot produce a valid SBD.
    #[error("cannot write the SBDH: {0}")]
    Write(String),
}

impl Error {
    /// Stable code: the phax/peppol-commons `EPeppolSBDHDataError` name, `INVALID_SBD_XML` for
    /// well-formedness and schema problems, `WRITE` for writer errors.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Xml { .. } | Error::Schema { .. } => "INVALID_SBD_XML",
            Error::MissingSbdh => "MISSING_SBDH",
            Error::InvalidHeaderVersion { .. } => "INVALID_HEADER_VERSION",
            Error::InvalidSenderCount { .. } => "INVALID_SENDER_COUNT",
            Error::InvalidSenderAuthority { .. } => "INVALID_SENDER_AUTHORITY",
            Error::InvalidSenderValue { .. } => "INVALID_SENDER_VALUE",
            Error::InvalidReceiverCount { .. } => "INVALID_RECEIVER_COUNT",
            Error::InvalidReceiverAuthority { .. } => "INVALID_RECEIVER_AUTHORITY",
            Error::InvalidReceiverValue { .. } => "INVALID_RECEIVER_VALUE",
            Error::InvalidStandard { .. } => "INVALID_STANDARD",
            Error::InvalidTypeVersion { .. } => "INVALID_TYPE_VERSION",
            Error::InvalidType { .. } => "INVALID_TYPE",
            Error::InvalidInstanceIdentifier { .. } => "INVALID_INSTANCE_IDENTIFIER",
            Error::BusinessScopeMissing => "BUSINESS_SCOPE_MISSING",
            Error::InvalidScopeCount { .. } => "INVALID_SCOPE_COUNT",
            Error::MissingDocumentTypeIdentifier => "MISSING_DOCUMENT_TYPE_IDENTIFIER",
            Error::InvalidDocumentTypeIdentifier { .. } => "INVALID_DOCUMENT_TYPE_IDENTIFIER",
            Error::MissingProcessIdentifier => "MISSING_PROCESS_IDENTIFIER",
            Error::InvalidProcessIdentifier { .. } => "INVALID_PROCESS_IDENTIFIER",
            Error::MissingCountryC1 => "MISSING_COUNTRY_C1",
            Error::InvalidCountryC1 { .. } => "INVALID_COUNTRY_C1",
            Error::InvalidMlsType { .. } => "INVALID_MLS_TYPE",
            Error::Write(_) => "WRITE",
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::Position;

    #[test]
    fn positions_count_lines_and_characters() {
        let input = "ab\ncdé\nf".as_bytes();
        assert_eq!(Position::at(input, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::at(input, 3), Position { line: 2, column: 1 });
        // "cdé" is 4 bytes; the byte after it is the 4th character of line 2.
        assert_eq!(Position::at(input, 7), Position { line: 2, column: 4 });
        assert_eq!(Position::at(input, 999), Position { line: 3, column: 2 });
    }
}
