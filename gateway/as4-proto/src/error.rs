//! One error type; every failure of an incoming message maps to the ebMS error a receiver answers.

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong while building, opening or checking an AS4 message or signal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The MIME multipart/related structure is broken.
    #[error("MIME: {0}")]
    Mime(String),
    /// The SOAP envelope or ebMS header is missing, malformed or inconsistent.
    #[error("invalid header: {0}")]
    Header(String),
    /// A size or count limit was exceeded.
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// The message does not follow the security policy (unsigned part, unsupported algorithm).
    #[error("security policy: {0}")]
    Policy(String),
    /// The signature does not verify or the signer is not trusted.
    #[error("authentication failed: {0}")]
    Authentication(String),
    /// The payload cannot be decrypted.
    #[error("decryption failed: {0}")]
    Decryption(String),
    /// The payload cannot be decompressed (or decompresses beyond the limit).
    #[error("decompression failed: {0}")]
    Decompression(String),
    /// The payload (SBDH) is invalid or does not match the ebMS header.
    #[error("payload: {0}")]
    Payload(String),
    /// The final recipient is not served by this access point.
    #[error("receiver {0} is not served by this access point")]
    NotServiced(String),
    /// Our own key or certificate is unusable (configuration).
    #[error("key or certificate: {0}")]
    Key(String),
    /// A signal that answered our message is unusable or does not match what we sent.
    #[error("signal: {0}")]
    Signal(String),
}

/// An ebMS 3 error as carried in `eb:SignalMessage/eb:Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EbmsError {
    /// `EBMS:0101` ...
    pub code: String,
    pub short_description: String,
    pub category: String,
    /// `failure` or `warning`.
    pub severity: String,
    /// `eb:ErrorDetail`.
    pub detail: Option<String>,
}

impl EbmsError {
    pub fn new(code: &str, detail: impl Into<String>) -> EbmsError {
        let (short, category) = match code {
            "EBMS:0001" => ("ValueNotRecognized", "Content"),
            "EBMS:0003" => ("ValueInconsistent", "Content"),
            "EBMS:0004" => ("Other", "Content"),
            "EBMS:0009" => ("InvalidHeader", "Content"),
            "EBMS:0101" => ("FailedAuthentication", "Processing"),
            "EBMS:0102" => ("FailedDecryption", "Processing"),
            "EBMS:0103" => ("PolicyNoncompliance", "Processing"),
            "EBMS:0303" => ("DecompressionFailure", "Communication"),
            _ => ("Other", "Content"),
        };
        EbmsError {
            code: code.into(),
            short_description: short.into(),
            category: category.into(),
            severity: "failure".into(),
            detail: Some(detail.into()),
        }
    }
}

impl Error {
    /// The ebMS error a receiver answers for this failure.
    pub fn ebms(&self) -> EbmsError {
        let code = match self {
            Error::Mime(_) | Error::Header(_) => "EBMS:0009",
            Error::Policy(_) => "EBMS:0103",
            Error::Authentication(_) => "EBMS:0101",
            Error::Decryption(_) => "EBMS:0102",
            Error::Decompression(_) => "EBMS:0303",
            Error::NotServiced(_) => return EbmsError::new("EBMS:0004", "PEPPOL:NOT_SERVICED"),
            Error::Limit(_) | Error::Payload(_) | Error::Key(_) | Error::Signal(_) => "EBMS:0004",
        };
        EbmsError::new(code, self.to_string())
    }
}
