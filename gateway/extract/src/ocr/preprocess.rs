//! Page images cleaned before recognition. A phone photo of a printout has
//! grey paper, shaded table cells and sensor noise; Tesseract's own global
//! threshold turns the noise on shaded cells into specks that it then reads
//! as words ("ee", "ae"), and may drop real words next to them. Stretching
//! the levels so that paper and light shading become pure white, while ink
//! stays dark, leaves only the ink for the engine to binarise.

use image::GrayImage;

/// Grey levels of the page: where the ink ends and the paper begins.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Levels {
    /// At or below: black.
    pub black: u8,
    /// At or above: white.
    pub white: u8,
}

/// The levels of a page from its histogram: Otsu's threshold between ink and
/// paper; everything lighter than a point between the threshold and the
/// paper becomes white (paper noise, light shading, JPEG halos), the
/// darkest ink black. `None` when the page has no clear ink/paper split (a photo, an
/// empty page): it is then left as it is.
pub fn levels(img: &GrayImage) -> Option<Levels> {
    let mut hist = [0u64; 256];
    for p in img.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return None;
    }
    let t = otsu(&hist, total);
    // The paper: the median of the pixels above the threshold.
    let paper = percentile(&hist, t as usize + 1, 0.5)?;
    // The ink: the 10th percentile of the pixels below it.
    let ink = percentile_below(&hist, t as usize, 0.1)?;
    if paper < 150 || paper < ink.saturating_add(80) {
        return None;
    }
    let white = (t as u16 + (paper.saturating_sub(t) as u16) * 2 / 5).min(255) as u8;
    Some(Levels {
        black: ink,
        white: white.max(ink + 1),
    })
}

/// Apply the levels in place: a linear stretch between black and white.
/// Light grey print (table rules, and also 60% grey footer text once
/// blurred) goes white with the paper: a curve that kept grey text dark
/// brought the rules back as specks, and binarising at Otsu's threshold
/// did too (tried on the corpus photos).
pub fn apply(img: &mut GrayImage, l: Levels) {
    let mut lut = [0u8; 256];
    let span = (l.white - l.black) as f32;
    for (v, out) in lut.iter_mut().enumerate() {
        *out = if v as u8 <= l.black {
            0
        } else if v as u8 >= l.white {
            255
        } else {
            ((v as f32 - l.black as f32) / span * 255.0).round() as u8
        };
    }
    for p in img.pixels_mut() {
        p.0[0] = lut[p.0[0] as usize];
    }
}

/// The skew of the text lines in degrees (positive: lines fall to the
/// right), from the projection profile of the ink: the angle whose rows
/// hold the ink most sharply (largest sum of squared row counts), searched
/// over ±4° in 0.1° steps. `None` for a page with too little ink.
pub fn skew_degrees(img: &GrayImage) -> Option<f32> {
    let (w, h) = img.dimensions();
    // Every ink pixel of a sampled grid: enough for the estimate, cheap.
    let step = 2;
    let mut pts: Vec<(f32, f32)> = Vec::new();
    for y in (0..h).step_by(step) {
        for x in (0..w).step_by(step) {
            if img.get_pixel(x, y).0[0] < 128 {
                pts.push((x as f32, y as f32));
            }
        }
    }
    if pts.len() < 500 {
        return None;
    }
    let bins = h as usize / 2 + (w as f32 * 0.08) as usize + 2;
    let offset = (w as f32 * 0.08) as isize;
    let score = |deg: f32| -> f64 {
        let t = deg.to_radians().tan();
        let mut rows = vec![0u32; bins];
        for &(x, y) in &pts {
            let r = ((y - x * t) / 2.0) as isize + offset / 2;
            if let Some(c) = rows.get_mut(r.max(0) as usize) {
                *c += 1;
            }
        }
        rows.iter().map(|&c| (c as f64) * (c as f64)).sum()
    };
    let mut best = (0.0f32, score(0.0));
    for k in -40..=40 {
        let deg = k as f32 / 10.0;
        let s = score(deg);
        if s > best.1 {
            best = (deg, s);
        }
    }
    Some(best.0)
}

/// Straighten a page skewed by `deg` degrees with two shears (columns,
/// then rows) by whole pixels: for the small angles of a photographed page
/// this is a rotation, at a fraction of its cost. White fills the edges.
pub fn straighten(img: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let t = deg.to_radians().tan();
    let cx = w as f32 / 2.0;
    let cy = h as f32 / 2.0;
    // Columns: a point at x moves up by (x - cx)·tan.
    let mut cols = GrayImage::from_pixel(w, h, image::Luma([255]));
    for x in 0..w {
        let dy = ((x as f32 - cx) * t).round() as i64;
        for y in 0..h {
            let sy = y as i64 + dy;
            if sy >= 0 && sy < h as i64 {
                cols.put_pixel(x, y, *img.get_pixel(x, sy as u32));
            }
        }
    }
    // Rows: a point at y moves right by (y - cy)·tan, keeping the angle.
    let mut out = GrayImage::from_pixel(w, h, image::Luma([255]));
    for y in 0..h {
        let dx = ((y as f32 - cy) * t).round() as i64;
        for x in 0..w {
            let sx = x as i64 - dx;
            if sx >= 0 && sx < w as i64 {
                out.put_pixel(x, y, *cols.get_pixel(sx as u32, y));
            }
        }
    }
    out
}

/// The page as a binary PGM (P5): Leptonica reads it without decoding cost.
pub fn pgm(img: &GrayImage) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let mut out = format!("P5\n{w} {h}\n255\n").into_bytes();
    out.extend_from_slice(img.as_raw());
    out
}

fn otsu(hist: &[u64; 256], total: u64) -> u8 {
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &n)| i as f64 * n as f64)
        .sum();
    let (mut sum_b, mut w_b) = (0.0f64, 0u64);
    let (mut best, mut best_t) = (0.0f64, 127u8);
    for (t, &n) in hist.iter().enumerate() {
        w_b += n;
        if w_b == 0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0 {
            break;
        }
        sum_b += t as f64 * n as f64;
        let m_b = sum_b / w_b as f64;
        let m_f = (sum - sum_b) / w_f as f64;
        let between = w_b as f64 * w_f as f64 * (m_b - m_f).powi(2);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}

/// The `q` quantile of the levels from `from` up.
fn percentile(hist: &[u64; 256], from: usize, q: f64) -> Option<u8> {
    let n: u64 = hist[from.min(256)..].iter().sum();
    if n == 0 {
        return None;
    }
    let want = (n as f64 * q).ceil() as u64;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate().skip(from) {
        acc += c;
        if acc >= want {
            return Some(v as u8);
        }
    }
    None
}

/// The `q` quantile of the levels up to and including `to`.
fn percentile_below(hist: &[u64; 256], to: usize, q: f64) -> Option<u8> {
    let n: u64 = hist[..=to.min(255)].iter().sum();
    if n == 0 {
        return None;
    }
    let want = (n as f64 * q).ceil().max(1.0) as u64;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate().take(to + 1) {
        acc += c;
        if acc >= want {
            return Some(v as u8);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// White paper, a light grey shaded band with noise, black text strokes.
    fn page() -> GrayImage {
        GrayImage::from_fn(200, 100, |x, y| {
            let noise = ((x * 7 + y * 13) % 17) as i32 - 8;
            let base: i32 = if (40..60).contains(&y) { 238 } else { 250 };
            let ink = x % 20 < 3 && (10..90).contains(&y);
            Luma([if ink {
                30
            } else {
                (base + noise).clamp(0, 255)
            } as u8])
        })
    }

    #[test]
    fn shading_and_noise_become_white_and_ink_stays_black() {
        let mut img = page();
        let l = levels(&img).expect("a page with ink and paper");
        apply(&mut img, l);
        assert_eq!(img.get_pixel(15, 50).0[0], 255, "shaded cell");
        assert_eq!(img.get_pixel(15, 20).0[0], 255, "paper");
        assert_eq!(img.get_pixel(1, 50).0[0], 0, "ink on shading");
        assert_eq!(img.get_pixel(1, 20).0[0], 0, "ink on paper");
    }

    #[test]
    fn an_image_without_ink_is_left_alone() {
        let img = GrayImage::from_pixel(50, 50, Luma([240]));
        assert_eq!(levels(&img), None);
        let grad = GrayImage::from_fn(256, 4, |x, _| Luma([x as u8]));
        assert!(levels(&grad).is_none_or(|l| l.white > l.black));
    }

    #[test]
    fn a_skewed_page_is_measured_and_straightened() {
        // Three text lines falling 1.5 degrees to the right.
        let t = 1.5f32.to_radians().tan();
        let img = GrayImage::from_fn(800, 400, |x, y| {
            let on_line = [100.0, 200.0, 300.0]
                .iter()
                .any(|l| ((y as f32 - x as f32 * t) - l).abs() < 4.0);
            Luma([if on_line && x % 10 < 7 { 0 } else { 255 }])
        });
        let deg = skew_degrees(&img).expect("ink");
        assert!((deg - 1.5).abs() <= 0.1, "{deg}");
        let out = straighten(&img, deg);
        let dark_row = |y: u32| (0..800).filter(|&x| out.get_pixel(x, y).0[0] < 128).count();
        // One line is now one band of rows, with ink across most of the width.
        let best = (0..400).map(dark_row).max().unwrap();
        assert!(best > 500, "{best}");
        assert!(skew_degrees(&out).expect("ink").abs() <= 0.1);
    }

    #[test]
    fn pgm_has_its_header_and_every_pixel() {
        let img = GrayImage::from_pixel(3, 2, Luma([7]));
        let out = pgm(&img);
        assert!(out.starts_with(b"P5\n3 2\n255\n"));
        assert_eq!(out.len(), b"P5\n3 2\n255\n".len() + 6);
    }
}
