//! The error type: schemas that cannot be found or compiled.

use std::path::PathBuf;

/// Why the schemas could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The artefact directory does not exist or cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The directory or file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No schema for any document type was found under the directory.
    #[error("{}: no UBL-Invoice-2.1.xsd, UBL-CreditNote-2.1.xsd or CrossIndustryInvoice_100pD16B.xsd below it", dir.display())]
    NoSchema {
        /// The artefact directory.
        dir: PathBuf,
    },
    /// libxml2 could not compile a schema.
    #[error("{}: the schema does not compile: {message}", path.display())]
    Compile {
        /// The main schema file.
        path: PathBuf,
        /// libxml2's first messages.
        message: String,
    },
}
