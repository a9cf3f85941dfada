//! Tesseract 5 as a separate process, TSV output.

use std::ffi::OsString;
use std::path::Path;

use super::{deskew, run_limited, OcrConfig, OcrEngine};
use crate::layout::{BBox, Page, Word};
use crate::text::normalize;
use crate::Error;

/// The Tesseract engine.
pub struct Tesseract {
    cfg: OcrConfig,
}

impl Tesseract {
    /// An engine with these settings.
    pub fn new(cfg: OcrConfig) -> Self {
        Tesseract { cfg }
    }
}

impl OcrEngine for Tesseract {
    fn recognize(&self, image: &Path, page: u32, dpi: u32) -> Result<Page, Error> {
        let args: Vec<OsString> = vec![
            image.into(),
            "stdout".into(),
            "-l".into(),
            self.cfg.languages.clone().into(),
            "--dpi".into(),
            dpi.to_string().into(),
            "--psm".into(),
            "3".into(),
            "tsv".into(),
        ];
        let out = run_limited(
            &self.cfg.tesseract,
            &args,
            self.cfg.timeout,
            self.cfg.memory_limit,
        )?;
        let tsv = String::from_utf8_lossy(&out);
        Ok(parse_tsv(&tsv, page, dpi))
    }
}

/// Parse Tesseract's TSV (level 5 rows are words), deskew, scale to points.
pub fn parse_tsv(tsv: &str, page: u32, dpi: u32) -> Page {
    let scale = 72.0 / dpi.max(1) as f32;
    let mut words = Vec::new();
    let mut line_keys = Vec::new();
    let (mut width, mut height) = (0.0f32, 0.0f32);
    for row in tsv.lines().skip(1) {
        let c: Vec<&str> = row.splitn(12, '\t').collect();
        if c.len() < 12 {
            continue;
        }
        let num = |i: usize| c[i].trim().parse::<f32>().unwrap_or(0.0);
        match c[0] {
            "1" => {
                width = num(8);
                height = num(9);
            }
            "5" => {
                let text = normalize(c[11].trim());
                if text.is_empty() {
                    continue;
                }
                let (l, t, w, h) = (num(6), num(7), num(8), num(9));
                words.push(Word {
                    text,
                    bbox: BBox {
                        x0: l,
                        y0: t,
                        x1: l + w,
                        y1: t + h,
                    },
                    conf: (num(10) / 100.0).clamp(0.0, 1.0),
                });
                line_keys.push((c[2].to_string(), c[3].to_string(), c[4].to_string()));
            }
            _ => {}
        }
    }
    deskew::straighten(&mut words, &line_keys);
    for w in &mut words {
        w.bbox = BBox {
            x0: w.bbox.x0 * scale,
            y0: w.bbox.y0 * scale,
            x1: w.bbox.x1 * scale,
            y1: w.bbox.y1 * scale,
        };
    }
    Page {
        number: page,
        width: width * scale,
        height: height * scale,
        words,
    }
}
