//! Positioned words, and the lines and segments built from them.
//!
//! Coordinates are PDF points (1/72 inch) from the top-left corner of the
//! page, whatever the source: OCR pixel boxes are scaled by their resolution.

use serde::Serialize;

/// A box on a page: left, top, right, bottom in points.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct BBox {
    /// Left.
    pub x0: f32,
    /// Top.
    pub y0: f32,
    /// Right.
    pub x1: f32,
    /// Bottom.
    pub y1: f32,
}

impl BBox {
    /// The smallest box holding both.
    pub fn union(self, o: BBox) -> BBox {
        BBox {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }
    /// Height.
    pub fn height(&self) -> f32 {
        self.y1 - self.y0
    }
    /// Vertical centre.
    pub fn cy(&self) -> f32 {
        (self.y0 + self.y1) / 2.0
    }
    /// Overlap of the horizontal extents.
    pub fn x_overlap(&self, o: &BBox) -> f32 {
        (self.x1.min(o.x1) - self.x0.max(o.x0)).max(0.0)
    }
    /// Rounded to 0.1 pt for output.
    pub fn rounded(self) -> BBox {
        let r = |v: f32| (v * 10.0).round() / 10.0;
        BBox {
            x0: r(self.x0),
            y0: r(self.y0),
            x1: r(self.x1),
            y1: r(self.y1),
        }
    }
}

/// A word with its box and recognition confidence (1.0 for a text layer).
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    /// The text (normalised: NFC, Romanian comma-below letters).
    pub text: String,
    /// Its box.
    pub bbox: BBox,
    /// Confidence, 0..1.
    pub conf: f32,
}

/// One page's words.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Page width in points.
    pub width: f32,
    /// Page height in points.
    pub height: f32,
    /// The words in reading order of the source.
    pub words: Vec<Word>,
}

/// Words close together on one line: a label, a value, a table cell.
#[derive(Clone, Debug)]
pub struct Segment {
    /// The words joined by single spaces.
    pub text: String,
    /// The words.
    pub words: Vec<Word>,
    /// Their box.
    pub bbox: BBox,
    /// Lowest word confidence.
    pub conf: f32,
}

/// A line of text across the page, split into segments at wide gaps.
#[derive(Clone, Debug)]
pub struct Line {
    /// 1-based page number.
    pub page: u32,
    /// Segments left to right.
    pub segments: Vec<Segment>,
    /// The line's box.
    pub bbox: BBox,
}

impl Line {
    /// The whole line as text, segments separated by two spaces.
    pub fn text(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("  ")
    }
}

/// Group a page's words into lines (vertical overlap) and segments (gaps
/// wider than about two spaces).
pub fn lines(page: &Page) -> Vec<Line> {
    let mut words: Vec<&Word> = page
        .words
        .iter()
        .filter(|w| !w.text.trim().is_empty())
        .collect();
    words.sort_by(|a, b| a.bbox.cy().total_cmp(&b.bbox.cy()));
    let mut rows: Vec<Vec<&Word>> = Vec::new();
    let mut row_box: Vec<BBox> = Vec::new();
    for w in words {
        let h = w.bbox.height().max(1.0);
        // Join the row whose vertical band holds this word's centre.
        let found = rows.iter().zip(&row_box).rposition(|(_, b)| {
            let band = b.height().min(h);
            (w.bbox.cy() - b.cy()).abs() <= band * 0.45
        });
        match found {
            Some(i) => {
                rows[i].push(w);
                row_box[i] = row_box[i].union(w.bbox);
            }
            None => {
                rows.push(vec![w]);
                row_box.push(w.bbox);
            }
        }
    }
    let mut out: Vec<Line> = rows
        .into_iter()
        .map(|mut ws| {
            ws.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
            let h = median(ws.iter().map(|w| w.bbox.height()).collect()).max(1.0);
            let mut segments: Vec<Segment> = Vec::new();
            for w in ws {
                let gap_ok = segments.last().is_some_and(|s| {
                    let gap = w.bbox.x0 - s.bbox.x1;
                    gap < h * 1.1 && gap > -h
                });
                if gap_ok {
                    let s = segments.last_mut().expect("checked");
                    s.text.push(' ');
                    s.text.push_str(&w.text);
                    s.bbox = s.bbox.union(w.bbox);
                    s.conf = s.conf.min(w.conf);
                    s.words.push(w.clone());
                } else {
                    segments.push(Segment {
                        text: w.text.clone(),
                        words: vec![w.clone()],
                        bbox: w.bbox,
                        conf: w.conf,
                    });
                }
            }
            let bbox = segments
                .iter()
                .map(|s| s.bbox)
                .reduce(BBox::union)
                .unwrap_or_default();
            Line {
                page: page.number,
                segments,
                bbox,
            }
        })
        .collect();
    out.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
    out
}

fn median(mut v: Vec<f32>) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}
