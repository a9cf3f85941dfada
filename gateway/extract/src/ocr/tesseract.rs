//! Tesseract 5 as a separate process, TSV output.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::{deskew, preprocess, run_limited, OcrConfig, OcrEngine};
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
        let dir = tempfile::tempdir().map_err(|source| Error::Io {
            path: "temporary directory".into(),
            source,
        })?;
        let input = if self.cfg.preprocess {
            cleaned(image, dir.path())?
        } else {
            image.to_path_buf()
        };
        let mut args: Vec<OsString> = vec![input.into(), "stdout".into()];
        if let Some(dir) = &self.cfg.tessdata_dir {
            args.push("--tessdata-dir".into());
            args.push(dir.into());
        }
        args.extend::<[OsString; 7]>([
            "-l".into(),
            self.cfg.languages.clone().into(),
            "--dpi".into(),
            dpi.to_string().into(),
            "--psm".into(),
            "3".into(),
            "tsv".into(),
        ]);
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

/// The page with its levels stretched (see [`preprocess`]), as a PGM in
/// `dir`; the original when its levels are not those of a printed page.
fn cleaned(image: &Path, dir: &Path) -> Result<PathBuf, Error> {
    let mut img = image::open(image)
        .map_err(|e| Error::Tool {
            program: "image decoder".into(),
            message: format!("{}: {e}", image.display()),
        })?
        .into_luma8();
    let Some(levels) = preprocess::levels(&img) else {
        return Ok(image.to_path_buf());
    };
    preprocess::apply(&mut img, levels);
    // Straight lines keep a label and its value on one line of words.
    if let Some(deg) = preprocess::skew_degrees(&img).filter(|d| d.abs() >= 0.2) {
        img = preprocess::straighten(&img, deg);
    }
    let out = dir.join("page.pgm");
    std::fs::write(&out, preprocess::pgm(&img)).map_err(|source| Error::Io {
        path: out.display().to_string(),
        source,
    })?;
    Ok(out)
}

/// Parse Tesseract's TSV (level 5 rows are words), deskew, scale to points.
pub fn parse_tsv(tsv: &str, page: u32, dpi: u32) -> Page {
    let scale = 72.0 / dpi.max(1) as f32;
    let mut words = Vec::new();
    let mut line_keys = Vec::new();
    let mut line_heights: std::collections::HashMap<(String, String, String), f32> =
        std::collections::HashMap::new();
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
            "4" => {
                line_heights.insert(
                    (c[2].to_string(), c[3].to_string(), c[4].to_string()),
                    num(9),
                );
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
    // A word's box is as tall as its ink ("vom" is shorter than "Nr."); a
    // text layer's boxes are as tall as the font. Growing each box towards
    // its line's height (about its centre) makes the gaps between words
    // measure the same way for both sources.
    for (w, key) in words.iter_mut().zip(&line_keys) {
        let h = w.bbox.y1 - w.bbox.y0;
        if let Some(&lh) = line_heights.get(key) {
            let grow = (lh.min(h * 2.5) - h).max(0.0) / 2.0;
            w.bbox.y0 -= grow;
            w.bbox.y1 += grow;
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
