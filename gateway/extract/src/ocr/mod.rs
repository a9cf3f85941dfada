//! OCR of scans and photos: pages rendered with poppler's `pdftoppm`, words
//! recognised by an [`OcrEngine`] (Tesseract 5 by default).

mod deskew;
#[cfg(feature = "ocrs")]
pub mod ocrs;
pub mod preprocess;
mod process;
pub mod tesseract;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::layout::Page;
use crate::Error;

pub use process::run_limited;

/// Which engine reads the pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineKind {
    /// Tesseract 5, a separate process with TSV output.
    Tesseract,
    /// `ocrs` (cargo feature `ocrs`), models from configured paths.
    Ocrs {
        /// Text detection model (`.rten`).
        detection_model: PathBuf,
        /// Text recognition model (`.rten`).
        recognition_model: PathBuf,
    },
}

/// OCR settings.
#[derive(Clone, Debug)]
pub struct OcrConfig {
    /// The engine.
    pub engine: EngineKind,
    /// Tesseract executable.
    pub tesseract: PathBuf,
    /// Directory of Tesseract's `*.traineddata` files (`--tessdata-dir`);
    /// `None`: Tesseract's own.
    pub tessdata_dir: Option<PathBuf>,
    /// Tesseract languages (`deu+eng+fra+ron`; add `nld` when installed).
    pub languages: String,
    /// `pdftoppm` executable.
    pub pdftoppm: PathBuf,
    /// Render resolution.
    pub dpi: u32,
    /// Time limit per program run (one page of OCR, or the rendering).
    pub timeout: Duration,
    /// Address-space limit per program run, in bytes (applied with `prlimit`).
    pub memory_limit: u64,
    /// Pages read at most.
    pub max_pages: u32,
    /// Stretch the levels of page images before recognition (see [`preprocess`]).
    pub preprocess: bool,
}

impl Default for OcrConfig {
    fn default() -> Self {
        OcrConfig {
            engine: EngineKind::Tesseract,
            tesseract: "tesseract".into(),
            tessdata_dir: None,
            languages: "deu+eng+fra+ron".into(),
            pdftoppm: "pdftoppm".into(),
            dpi: 300,
            timeout: Duration::from_secs(60),
            memory_limit: 1 << 30,
            max_pages: 20,
            preprocess: true,
        }
    }
}

/// An OCR engine: one page image in, positioned words out.
pub trait OcrEngine {
    /// Recognise the words of one page image (PNG/JPEG/TIFF at `dpi`).
    fn recognize(&self, image: &Path, page: u32, dpi: u32) -> Result<Page, Error>;
}

/// The engine the configuration names.
pub fn engine(cfg: &OcrConfig) -> Result<Box<dyn OcrEngine>, Error> {
    match &cfg.engine {
        EngineKind::Tesseract => Ok(Box::new(tesseract::Tesseract::new(cfg.clone()))),
        #[cfg(feature = "ocrs")]
        EngineKind::Ocrs {
            detection_model,
            recognition_model,
        } => Ok(Box::new(ocrs::Ocrs::load(
            detection_model,
            recognition_model,
        )?)),
        #[cfg(not(feature = "ocrs"))]
        EngineKind::Ocrs { .. } => Err(Error::EngineUnavailable("ocrs")),
    }
}

/// Render every page of a PDF (up to `max_pages`) and recognise it. A scan
/// (every page one JPEG image) goes to the engine as is: no re-rendering.
pub fn recognize_pdf(pdf: &[u8], cfg: &OcrConfig) -> Result<Vec<Page>, Error> {
    let engine = engine(cfg)?;
    let dir = tempfile::tempdir().map_err(|e| io_err("temporary directory", e))?;
    if let Some(scans) = crate::pdf::load(pdf)
        .ok()
        .and_then(|d| scanned_pages(&d, cfg.max_pages))
    {
        let mut pages = Vec::new();
        for (i, (jpeg, dpi)) in scans.into_iter().enumerate() {
            let img = dir.path().join(format!("scan-{i}.jpg"));
            std::fs::write(&img, jpeg).map_err(|e| io_err("temporary file", e))?;
            pages.push(engine.recognize(&img, i as u32 + 1, dpi)?);
        }
        return Ok(pages);
    }
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, pdf).map_err(|e| io_err("temporary file", e))?;
    let images = render(&input, dir.path(), cfg)?;
    images
        .iter()
        .enumerate()
        .map(|(i, img)| engine.recognize(img, i as u32 + 1, cfg.dpi))
        .collect()
}

/// Recognise one image (a photo or scan of one page).
pub fn recognize_image(bytes: &[u8], cfg: &OcrConfig) -> Result<Vec<Page>, Error> {
    let engine = engine(cfg)?;
    let dir = tempfile::tempdir().map_err(|e| io_err("temporary directory", e))?;
    let input = dir.path().join("page.img");
    std::fs::write(&input, bytes).map_err(|e| io_err("temporary file", e))?;
    Ok(vec![engine.recognize(&input, 1, cfg.dpi)?])
}

/// Render pages to grey PNGs with `pdftoppm`, in page order.
pub fn render(pdf: &Path, dir: &Path, cfg: &OcrConfig) -> Result<Vec<PathBuf>, Error> {
    let prefix = dir.join("page");
    let args: Vec<std::ffi::OsString> = vec![
        "-r".into(),
        cfg.dpi.to_string().into(),
        "-gray".into(),
        "-png".into(),
        "-l".into(),
        cfg.max_pages.to_string().into(),
        pdf.into(),
        prefix.clone().into(),
    ];
    run_limited(&cfg.pdftoppm, &args, cfg.timeout, cfg.memory_limit)?;
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io_err("rendered pages", e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("page") && n.ends_with(".png"))
        })
        .collect();
    // pdftoppm pads the page number to the width of the last one: sort numerically.
    pages.sort_by_key(|p| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.rsplit('-').next())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if pages.is_empty() {
        return Err(Error::Tool {
            program: cfg.pdftoppm.display().to_string(),
            message: "rendered no pages".into(),
        });
    }
    Ok(pages)
}

/// The JPEG of each page and its resolution, when every page is exactly one
/// DCT-encoded image (what scanners and phone apps write); else `None`.
fn scanned_pages(doc: &lopdf::Document, max_pages: u32) -> Option<Vec<(Vec<u8>, u32)>> {
    let mut out = Vec::new();
    for (_, page_id) in doc.get_pages().into_iter().take(max_pages as usize) {
        let page = doc.get_dictionary(page_id).ok()?;
        let width_pt = page
            .get(b"MediaBox")
            .and_then(|m| doc.dereference(m))
            .ok()?
            .1
            .as_array()
            .ok()?
            .get(2)?
            .as_float()
            .ok()?;
        let res = doc
            .dereference(page.get(b"Resources").ok()?)
            .ok()?
            .1
            .as_dict()
            .ok()?;
        let xobjects = doc
            .dereference(res.get(b"XObject").ok()?)
            .ok()?
            .1
            .as_dict()
            .ok()?;
        if xobjects.len() != 1 {
            return None;
        }
        let (_, obj) = xobjects.iter().next()?;
        let lopdf::Object::Stream(img) = doc.dereference(obj).ok()?.1 else {
            return None;
        };
        let filter = img.dict.get(b"Filter").ok()?.as_name().ok()?;
        let width_px = img.dict.get(b"Width").ok()?.as_i64().ok()?;
        if filter != b"DCTDecode" || width_pt <= 0.0 {
            return None;
        }
        let dpi = (width_px as f32 * 72.0 / width_pt).round() as u32;
        out.push((img.content.clone(), dpi.clamp(50, 1200)));
    }
    (!out.is_empty()).then_some(out)
}

fn io_err(what: &str, source: std::io::Error) -> Error {
    Error::Io {
        path: what.into(),
        source,
    }
}
