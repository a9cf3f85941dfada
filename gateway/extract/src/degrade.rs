//! Make a born-digital PDF look like a phone photo of its printout, to
//! measure the OCR path: pages rendered at 300 dpi, rotated 1-2 degrees,
//! blurred, noised and saved as JPEG quality 55, wrapped in an image-only
//! PDF (no text layer, no attachments). Deterministic for a seed.

use std::io::Cursor;
use std::path::Path;

use image::{GrayImage, Luma};
use lopdf::{dictionary, Document, Object, Stream};

use crate::ocr::{render, OcrConfig};
use crate::Error;

/// How hard to degrade.
#[derive(Clone, Debug)]
pub struct Degradation {
    /// Render resolution.
    pub dpi: u32,
    /// Rotation in degrees (absolute; the sign comes from the seed).
    pub rotation_deg: f32,
    /// Gaussian blur sigma in pixels.
    pub blur_sigma: f32,
    /// Noise amplitude (grey levels, uniform ±).
    pub noise: u8,
    /// JPEG quality.
    pub jpeg_quality: u8,
}

impl Default for Degradation {
    fn default() -> Self {
        Degradation {
            dpi: 300,
            rotation_deg: 1.5,
            blur_sigma: 1.0,
            noise: 12,
            jpeg_quality: 55,
        }
    }
}

/// A small deterministic generator (xorshift64*): reproducible corpora
/// without a random-number dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Degrade one grey page image; returns JPEG bytes.
pub fn degrade_page(page: &GrayImage, d: &Degradation, seed: u64) -> Result<Vec<u8>, Error> {
    let mut rng = Rng(seed | 1);
    let sign = if rng.next() & 1 == 0 { 1.0 } else { -1.0 };
    // 1-2 degrees: the configured angle varied by up to ±0.5.
    let angle = sign * (d.rotation_deg + (rng.unit() - 0.5)).clamp(1.0, 2.0);
    let rotated = rotate(page, angle.to_radians());
    let mut img = image::imageops::blur(&rotated, d.blur_sigma);
    let amp = d.noise as f32;
    for p in img.pixels_mut() {
        let n = (rng.unit() * 2.0 - 1.0) * amp;
        p.0[0] = (p.0[0] as f32 + n).clamp(0.0, 255.0) as u8;
    }
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut Cursor::new(&mut out), d.jpeg_quality)
        .encode_image(&img)
        .map_err(|e| Error::Tool {
            program: "jpeg encoder".into(),
            message: e.to_string(),
        })?;
    Ok(out)
}

/// Rotate about the centre, bilinear, white outside the page.
fn rotate(src: &GrayImage, rad: f32) -> GrayImage {
    let (w, h) = src.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (sin, cos) = rad.sin_cos();
    let px = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            255.0
        } else {
            src.get_pixel(x as u32, y as u32).0[0] as f32
        }
    };
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let sx = cos * dx + sin * dy + cx;
        let sy = -sin * dx + cos * dy + cy;
        let (x0, y0) = (sx.floor() as i64, sy.floor() as i64);
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let v = px(x0, y0) * (1.0 - fx) * (1.0 - fy)
            + px(x0 + 1, y0) * fx * (1.0 - fy)
            + px(x0, y0 + 1) * (1.0 - fx) * fy
            + px(x0 + 1, y0 + 1) * fx * fy;
        Luma([v.round().clamp(0.0, 255.0) as u8])
    })
}

/// Degrade every page of `pdf` (up to `max_pages`) into an image-only PDF.
pub fn degrade_pdf(
    pdf: &Path,
    out: &Path,
    d: &Degradation,
    seed: u64,
    max_pages: u32,
) -> Result<(), Error> {
    let dir = tempfile::tempdir().map_err(|source| Error::Io {
        path: "temporary directory".into(),
        source,
    })?;
    let cfg = OcrConfig {
        dpi: d.dpi,
        max_pages,
        ..OcrConfig::default()
    };
    let pages = render(pdf, dir.path(), &cfg)?;
    let mut jpegs = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        let img = image::open(p)
            .map_err(|e| Error::Tool {
                program: "image decoder".into(),
                message: format!("{}: {e}", p.display()),
            })?
            .to_luma8();
        let (w, h) = img.dimensions();
        jpegs.push((
            w,
            h,
            degrade_page(&img, d, seed.wrapping_add(i as u64 * 7919))?,
        ));
    }
    image_pdf(&jpegs, d.dpi, out)
}

/// An image-only PDF: one grey JPEG per page at `dpi`.
pub fn image_pdf(pages: &[(u32, u32, Vec<u8>)], dpi: u32, out: &Path) -> Result<(), Error> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut kids = Vec::new();
    for (w, h, jpeg) in pages {
        let (pw, ph) = (*w as f32 * 72.0 / dpi as f32, *h as f32 * 72.0 / dpi as f32);
        let img = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject",
                "Subtype" => "Image",
                "Width" => *w as i64,
                "Height" => *h as i64,
                "ColorSpace" => "DeviceGray",
                "BitsPerComponent" => 8,
                "Filter" => "DCTDecode",
            },
            jpeg.clone(),
        ));
        let content = doc.add_object(Stream::new(
            dictionary! {},
            format!("q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q").into_bytes(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(pw), Object::Real(ph)],
            "Contents" => content,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img } },
        });
        kids.push(Object::Reference(page));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.save(out).map_err(|source| Error::Io {
        path: out.display().to_string(),
        source,
    })?;
    Ok(())
}
