//! Speed of the extraction paths, in ms per page.
//!
//! `cargo run --release -p gateway-extract --example bench -- [CORPUS] [--ocr-pages N]`
//!
//! Text layer: every corpus PDF, embedded XML ignored, three rounds.
//! OCR: the first N (default 2) corpus PDFs degraded like phone photos,
//! Tesseract on one core (OMP_THREAD_LIMIT=1), rendering included. The
//! machine may be shared: the load average and the CPU time of the programs
//! run (Tesseract, pdftoppm; user time is the less noisy figure) are printed
//! with the wall time.
use std::time::Instant;

/// CPU seconds (user, system) of this process's finished children, from
/// /proc/self/stat (fields 16 and 17, clock ticks of 1/100 s).
fn children_cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(") ").map(|x| x.1).unwrap_or("");
    let f: Vec<f64> = rest.split(' ').map(|x| x.parse().unwrap_or(0.0)).collect();
    (
        f.get(13).copied().unwrap_or(0.0) / 100.0,
        f.get(14).copied().unwrap_or(0.0) / 100.0,
    )
}

/// This process's own CPU seconds (user), from /proc/self/stat (field 14).
fn own_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(") ").map(|x| x.1).unwrap_or("");
    rest.split(' ')
        .nth(11)
        .and_then(|x| x.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 100.0
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split(' ')
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

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
    let (mut ocr_user, mut ocr_sys, mut ocr_own) = (0.0, 0.0, 0.0);
    let load_before = load();
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
        let (cpu0, own0) = (children_cpu(), own_cpu());
        let t = Instant::now();
        let x = gateway_extract::extract_file(&target, &Options::default()).expect("ocr");
        ocr_time += t.elapsed().as_secs_f64();
        let (cpu1, own1) = (children_cpu(), own_cpu());
        ocr_user += cpu1.0 - cpu0.0;
        ocr_sys += cpu1.1 - cpu0.1;
        ocr_own += own1 - own0;
        ocr_pages += x.pages;
    }
    if ocr_pages > 0 {
        let n = ocr_pages as f64;
        println!(
            "OCR (render 300 dpi + Tesseract, one core): {ocr_pages} pages, {:.0} ms/page wall; \
             CPU per page: programs user {:.0} ms + sys {:.0} ms, this process {:.0} ms; \
             load average {load_before} before, {} after",
            ocr_time * 1000.0 / n,
            ocr_user * 1000.0 / n,
            ocr_sys * 1000.0 / n,
            ocr_own * 1000.0 / n,
            load()
        );
    }
}
