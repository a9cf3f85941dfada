//! The text layer: characters with their positions from the content
//! streams (pdf-extract's interpreter), grouped into words.

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

use crate::layout::{BBox, Page, Word};
use crate::text::normalize;
use crate::Error;

/// Words of every page.
pub fn words(doc: &lopdf::Document) -> Result<Vec<Page>, Error> {
    let mut dev = Collector::default();
    // pdf-extract may panic on malformed content streams: turn that into an error.
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        pdf_extract::output_doc(doc, &mut dev)
    }));
    match run {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(Error::Pdf(format!("text layer: {e}"))),
        Err(_) => {
            return Err(Error::Pdf(
                "text layer: content stream cannot be read".into(),
            ))
        }
    }
    dev.flush_word();
    if let Some(p) = dev.page.take() {
        dev.pages.push(p);
    }
    Ok(dev.pages)
}

/// Whether a text layer is worth reading (a scan has none or only noise).
pub fn usable(pages: &[Page]) -> bool {
    let words: usize = pages.iter().map(|p| p.words.len()).sum();
    let alnum: usize = pages
        .iter()
        .flat_map(|p| &p.words)
        .map(|w| w.text.chars().filter(|c| c.is_alphanumeric()).count())
        .sum();
    words >= 10 && alnum >= 40
}

#[derive(Default)]
struct Collector {
    pages: Vec<Page>,
    page: Option<Page>,
    flip_height: f64,
    word: String,
    word_box: Option<BBox>,
    last_end: f32,
    last_y: f32,
    last_size: f32,
}

impl Collector {
    fn flush_word(&mut self) {
        if let (Some(bbox), Some(page)) = (self.word_box.take(), self.page.as_mut()) {
            let text = normalize(self.word.trim());
            if !text.is_empty() {
                page.words.push(Word {
                    text,
                    bbox,
                    conf: 1.0,
                });
            }
        }
        self.word.clear();
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.flush_word();
        if let Some(p) = self.page.take() {
            self.pages.push(p);
        }
        self.flip_height = media_box.ury - media_box.lly;
        self.page = Some(Page {
            number: page_num,
            width: (media_box.urx - media_box.llx) as f32,
            height: self.flip_height as f32,
            words: Vec::new(),
        });
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.flush_word();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        ch: &str,
    ) -> Result<(), OutputError> {
        let size = (font_size * (trm.m11 * trm.m22 - trm.m12 * trm.m21).abs().sqrt()) as f32;
        let size = if size.is_finite() && size > 0.1 {
            size
        } else {
            1.0
        };
        let x = trm.m31 as f32;
        let baseline = (self.flip_height - trm.m32) as f32;
        let advance = (width as f32 * size).max(0.0);
        if ch.chars().all(char::is_whitespace) {
            self.flush_word();
            self.last_end = x + advance;
            return Ok(());
        }
        let same_run = self.word_box.is_some()
            && (baseline - self.last_y).abs() < self.last_size.max(size) * 0.4
            && x < self.last_end + size * 0.22
            && x > self.last_end - size * 1.5;
        if !same_run {
            self.flush_word();
        }
        let b = BBox {
            x0: x,
            y0: baseline - size * 0.8,
            x1: x + advance,
            y1: baseline + size * 0.2,
        };
        self.word_box = Some(match self.word_box {
            Some(w) => w.union(b),
            None => b,
        });
        self.word.push_str(ch);
        self.last_end = x + advance;
        self.last_y = baseline;
        self.last_size = size;
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
