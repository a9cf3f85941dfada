//! The degradation tool: every PDF under DIR becomes an image-only PDF under
//! OUT (same relative path) that looks like a phone photo of its printout:
//! 300 dpi, 1-2 degree rotation, blur, noise, JPEG quality 55.
//!
//! `cargo run --release -p gateway-extract --example degrade -- ../shared/corpus /tmp/corpus-photos`
//! then `gateway extract --eval /tmp/corpus-photos --truth ../shared/corpus`.
use gateway_extract::degrade::{degrade_pdf, Degradation};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: degrade DIR OUT");
        std::process::exit(2);
    };
    let (dir, out) = (std::path::Path::new(dir), std::path::Path::new(out));
    let files: Vec<_> = gateway_extract::eval::corpus_files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf")))
        .collect();
    let d = Degradation::default();
    for (i, rel) in files.iter().enumerate() {
        let target = out.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("output directory");
        }
        // Seeded by position: the same corpus degrades the same way each run.
        match degrade_pdf(&dir.join(rel), &target, &d, 0x5eed + i as u64, 10) {
            Ok(()) => eprintln!("{}/{} {}", i + 1, files.len(), rel.display()),
            Err(e) => eprintln!("{}: {e}", rel.display()),
        }
    }
}
