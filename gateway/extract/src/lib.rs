//! Invoices from PDFs and images, cheapest reliable source first:
//!
//! 1. XML embedded in the PDF (Factur-X, ZUGFeRD 2.x, XRechnung attachments),
//!    read with `gateway-convert` into the EN 16931 model ([`pdf::embedded`]);
//! 2. the PDF's own text layer, words with their boxes ([`pdf::text_layer`]);
//! 3. OCR of rendered pages or images behind the [`ocr::OcrEngine`] trait
//!    (Tesseract 5 as a separate process; `ocrs` behind a cargo feature).
//!
//! Paths 2 and 3 produce positioned [`layout::Word`]s; [`fields`] finds the
//! EN 16931 fields from multilingual labels and layout, without per-supplier
//! templates, and cross-checks them (IBAN mod-97, VAT check digits, totals).
#![forbid(unsafe_code)]

pub mod degrade;
mod error;
pub mod eval;
pub mod fields;
pub mod layout;
pub mod memory;
pub mod ocr;
pub mod pdf;
pub mod text;
mod to_model;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

pub use error::Error;
pub use fields::{Field, LineItem};
pub use layout::{BBox, Word};

/// Where the fields came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// XML attached to the PDF.
    EmbeddedXml,
    /// The PDF's text layer.
    TextLayer,
    /// Optical character recognition.
    Ocr,
}

impl Source {
    /// The name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::EmbeddedXml => "embedded-xml",
            Source::TextLayer => "text-layer",
            Source::Ocr => "ocr",
        }
    }
}

/// How to extract.
#[derive(Clone, Debug)]
pub struct Options {
    /// Ignore XML attachments (to exercise the other paths).
    pub no_embedded: bool,
    /// OCR even when the PDF has a usable text layer.
    pub force_ocr: bool,
    /// A field below this confidence sends the document to review.
    pub review_threshold: f32,
    /// The OCR settings.
    pub ocr: ocr::OcrConfig,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            no_embedded: false,
            force_ocr: false,
            review_threshold: 0.6,
            ocr: ocr::OcrConfig::default(),
        }
    }
}

/// The result of an extraction.
#[derive(Clone, Debug, Serialize)]
pub struct Extraction {
    /// Where the fields came from.
    pub source: Source,
    /// A required field is missing or below the confidence threshold.
    pub needs_review: bool,
    /// Why review is needed (field ids and reasons).
    pub review_reasons: Vec<String>,
    /// EN 16931 business terms (`BT-1`, `BT-2`, ...) with normalised values.
    pub fields: BTreeMap<String, Field>,
    /// BG-25 invoice lines, as far as they could be read.
    pub lines: Vec<LineItem>,
    /// Pages read.
    pub pages: u32,
    /// The embedded document's model, when the source is the embedded XML.
    #[serde(skip)]
    pub embedded: Option<gateway_model::Invoice>,
}

impl Extraction {
    /// The EN 16931 model: the embedded one, or one built from the fields.
    pub fn invoice(&self) -> gateway_model::Invoice {
        match &self.embedded {
            Some(inv) => inv.clone(),
            None => to_model::invoice(&self.fields, &self.lines),
        }
    }
}

/// What a file is, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A PDF document.
    Pdf,
    /// A raster image (PNG, JPEG, TIFF).
    Image,
}

/// Sniff the input kind; `None` for anything else.
pub fn sniff(bytes: &[u8]) -> Option<InputKind> {
    let head = &bytes[..bytes.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        Some(InputKind::Pdf)
    } else if head.starts_with(&[0x89, b'P', b'N', b'G'])
        || head.starts_with(&[0xFF, 0xD8, 0xFF])
        || head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
    {
        Some(InputKind::Image)
    } else {
        None
    }
}

/// Extract an invoice from a file (PDF or image).
pub fn extract_file(path: &Path, opts: &Options) -> Result<Extraction, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    extract(&bytes, opts)
}

/// Extract an invoice from PDF or image bytes.
pub fn extract(bytes: &[u8], opts: &Options) -> Result<Extraction, Error> {
    match sniff(bytes) {
        Some(InputKind::Pdf) => extract_pdf(bytes, opts),
        Some(InputKind::Image) => {
            let pages = ocr::recognize_image(bytes, &opts.ocr)?;
            Ok(from_words(Source::Ocr, pages, opts))
        }
        None => Err(Error::UnknownInput),
    }
}

fn extract_pdf(bytes: &[u8], opts: &Options) -> Result<Extraction, Error> {
    let doc = pdf::load(bytes)?;
    if !opts.no_embedded {
        if let Some(found) = pdf::embedded::find_invoice(&doc)? {
            let fields = fields::from_model(&found.invoice);
            let lines = fields::lines_from_model(&found.invoice);
            return Ok(Extraction {
                source: Source::EmbeddedXml,
                needs_review: false,
                review_reasons: Vec::new(),
                fields,
                lines,
                pages: doc.get_pages().len() as u32,
                embedded: Some(found.invoice),
            });
        }
    }
    if !opts.force_ocr {
        let pages = pdf::text_layer::words(&doc)?;
        if pdf::text_layer::usable(&pages) {
            return Ok(from_words(Source::TextLayer, pages, opts));
        }
    }
    let pages = ocr::recognize_pdf(bytes, &opts.ocr)?;
    Ok(from_words(Source::Ocr, pages, opts))
}

fn from_words(source: Source, pages: Vec<layout::Page>, opts: &Options) -> Extraction {
    let found = fields::extract(&pages);
    let (needs_review, review_reasons) = fields::review(&found.fields, opts.review_threshold);
    Extraction {
        source,
        needs_review,
        review_reasons,
        fields: found.fields,
        lines: found.lines,
        pages: pages.len() as u32,
        embedded: None,
    }
}
