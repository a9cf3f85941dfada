//! The crate's one error type.

/// Errors of extraction.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Neither a PDF nor a PNG/JPEG/TIFF image.
    #[error("not a PDF or a PNG, JPEG or TIFF image")]
    UnknownInput,
    /// The PDF structure cannot be read.
    #[error("PDF: {0}")]
    Pdf(String),
    /// An embedded XML attachment was found but is not a readable invoice.
    #[error("embedded XML {name}: {source}")]
    Embedded {
        /// Attachment file name.
        name: String,
        /// The codec error (with line and column).
        source: gateway_convert::Error,
    },
    /// An external program (renderer, OCR engine) failed.
    #[error("{program}: {message}")]
    Tool {
        /// The program.
        program: String,
        /// What went wrong.
        message: String,
    },
    /// An external program ran over its time limit and was stopped.
    #[error("{program}: stopped after the time limit of {seconds} s")]
    Timeout {
        /// The program.
        program: String,
        /// The limit.
        seconds: u64,
    },
    /// The OCR engine's models are not where the configuration says.
    #[error("OCR engine {engine}: model file missing: {path} (set its path in the configuration)")]
    ModelMissing {
        /// The engine.
        engine: &'static str,
        /// The configured path.
        path: String,
    },
    /// The engine is not part of this build.
    #[error("OCR engine {0} is not available in this build")]
    EngineUnavailable(&'static str),
}
