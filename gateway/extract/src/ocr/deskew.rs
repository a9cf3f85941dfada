//! A photographed page is slightly rotated: words of one line drift up or
//! down across the page, so "right of the label" breaks. The engine's own
//! line grouping tells the slope; rotating the word boxes back makes lines
//! horizontal again.

use crate::layout::{BBox, Word};

/// Rotate word boxes so the median line slope becomes zero.
pub fn straighten(words: &mut [Word], line_keys: &[(String, String, String)]) {
    let mut slopes = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i;
        while j < words.len() && line_keys[j] == line_keys[i] {
            j += 1;
        }
        if let Some(s) = slope(&words[i..j]) {
            slopes.push(s);
        }
        i = j;
    }
    if slopes.len() < 3 {
        return;
    }
    slopes.sort_by(f32::total_cmp);
    let m = slopes[slopes.len() / 2];
    if m.abs() < 0.002 || m.abs() > 0.2 {
        return;
    }
    let (sin, cos) = (-m.atan()).sin_cos();
    for w in words.iter_mut() {
        let (cx, cy) = ((w.bbox.x0 + w.bbox.x1) / 2.0, (w.bbox.y0 + w.bbox.y1) / 2.0);
        let nx = cx * cos - cy * sin;
        let ny = cx * sin + cy * cos;
        let (hw, hh) = ((w.bbox.x1 - w.bbox.x0) / 2.0, (w.bbox.y1 - w.bbox.y0) / 2.0);
        w.bbox = BBox {
            x0: nx - hw,
            y0: ny - hh,
            x1: nx + hw,
            y1: ny + hh,
        };
    }
}

/// Least-squares slope of the word centres of one line (dy/dx), when the
/// line is long enough to tell.
fn slope(line: &[Word]) -> Option<f32> {
    if line.len() < 3 {
        return None;
    }
    let pts: Vec<(f32, f32)> = line
        .iter()
        .map(|w| ((w.bbox.x0 + w.bbox.x1) / 2.0, (w.bbox.y0 + w.bbox.y1) / 2.0))
        .collect();
    let span = pts.last()?.0 - pts.first()?.0;
    if span < 300.0 {
        return None;
    }
    let n = pts.len() as f32;
    let mx = pts.iter().map(|p| p.0).sum::<f32>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f32>() / n;
    let sxx: f32 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f32 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}
