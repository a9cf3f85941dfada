//! PDF reading: the object model (lopdf), attachments and the text layer.

pub mod embedded;
pub mod text_layer;

use crate::Error;

/// Parse a PDF; a broken file is an error, never a panic.
pub fn load(bytes: &[u8]) -> Result<lopdf::Document, Error> {
    let doc = std::panic::catch_unwind(|| lopdf::Document::load_mem(bytes))
        .map_err(|_| Error::Pdf("the PDF structure cannot be read".into()))?
        .map_err(|e| Error::Pdf(e.to_string()))?;
    if doc.is_encrypted() {
        return Err(Error::Pdf("encrypted PDFs are not supported".into()));
    }
    Ok(doc)
}
