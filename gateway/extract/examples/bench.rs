//! Speed of the extraction paths, in ms per page.
//!
//! `cargo run --release -p gateway-extract --example bench -- [CORPUS] [--ocr-pages N]`
//!
//! Text layer: every corpus PDF, embedded XML ignored, three rounds.
//! OCR: the first N (default 2) corpus PDFs degraded like phone photos,
//! Tesseract on one core (OMP_THREAD_LIMIT=1), rendering included.
use std::time::Instant;

use gateway_extract::degrade::{degrade_pdf, Degradation};
use gateway_extract::Options;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let corpus = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<u32>().is_err())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| gateway_testkit::shared_dir().join("corpus"));
    let ocr_docs: usize = args
        .iter()
        .position(|a| a == "--ocr-pages")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(2);
    let files = gateway_extract::eval::corpus_files(&corpus);
    let opts = Options {
        no_embedded: true,
        ..Options::default()
    };
    let bytes: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(corpus.join(f)).expect("readable"))
        .collect();
    let mut pages = 0u32;
    let start = Instant::now();
    for _ in 0..3 {
        for b in &bytes {
            pages += gateway_extract::extract(b, &opts).expect("extract").pages;
        }
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / pages as f64;
    println!("text layer: {pages} pages, {ms:.1} ms/page");

    let embedded = Instant::now();
    let mut n = 0;
    for b in &bytes {
        gateway_extract::extract(b, &Options::default()).expect("extract");
        n += 1;
    }
    println!(
        "embedded XML: {n} documents, {:.1} ms/document",
        embedded.elapsed().as_secs_f64() * 1000.0 / n as f64
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let mut ocr_pages = 0;
    let mut ocr_time = 0.0;
    for (i, f) in files
        .iter()
        .filter(|f| f.to_string_lossy().contains("FNFE") || f.to_string_lossy().contains("Mustang"))
        .take(ocr_docs)
        .enumerate()
    {
        let target = dir.path().join(format!("{i}.pdf"));
        degrade_pdf(
            &corpus.join(f),
            &target,
            &Degradation::default(),
            i as u64,
            1,
        )
        .expect("degrade");
        let t = Instant::now();
        let x = gateway_extract::extract_file(&target, &Options::default()).expect("ocr");
        ocr_time += t.elapsed().as_secs_f64();
        ocr_pages += x.pages;
    }
    if ocr_pages > 0 {
        println!(
            "OCR (render 300 dpi + Tesseract, one core): {ocr_pages} pages, {:.2} s/page",
            ocr_time / ocr_pages as f64
        );
    }
}
