//! The `ocrs` engine (cargo feature `ocrs`).
//!
//! A thin stub: it checks the configured model files and says clearly when
//! they are missing. The `ocrs` crate itself is not linked: its published
//! recognition model cannot be obtained on our machines and reads ASCII only
//! (no €, ä, ș, ț), so Tesseract is the engine in use.

use std::path::{Path, PathBuf};

use super::OcrEngine;
use crate::layout::Page;
use crate::Error;

/// The engine with its model paths.
pub struct Ocrs {
    #[allow(dead_code)]
    detection: PathBuf,
    #[allow(dead_code)]
    recognition: PathBuf,
}

impl Ocrs {
    /// Check the model files; missing ones are named in the error.
    pub fn load(detection: &Path, recognition: &Path) -> Result<Self, Error> {
        for p in [detection, recognition] {
            if !p.is_file() {
                return Err(Error::ModelMissing {
                    engine: "ocrs",
                    path: p.display().to_string(),
                });
            }
        }
        Ok(Ocrs {
            detection: detection.into(),
            recognition: recognition.into(),
        })
    }
}

impl OcrEngine for Ocrs {
    fn recognize(&self, _image: &Path, _page: u32, _dpi: u32) -> Result<Page, Error> {
        Err(Error::EngineUnavailable(
            "ocrs (models found, but the ocrs runtime is not linked in this build)",
        ))
    }
}
