//! Print the lines and segments the field finder sees (development aid).
//!
//! `cargo run -p gateway-extract --example layout -- FILE.pdf [--ocr]`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: layout FILE.pdf [--ocr]");
        std::process::exit(2);
    };
    let bytes = std::fs::read(path).expect("readable file");
    let pages = if args.iter().any(|a| a == "--ocr") {
        gateway_extract::ocr::recognize_pdf(&bytes, &Default::default()).expect("OCR")
    } else {
        let doc = gateway_extract::pdf::load(&bytes).expect("PDF");
        gateway_extract::pdf::text_layer::words(&doc).expect("text layer")
    };
    for p in &pages {
        for l in gateway_extract::layout::lines(p) {
            let segs: Vec<String> = l
                .segments
                .iter()
                .map(|s| format!("[{:.0}-{:.0}] {}", s.bbox.x0, s.bbox.x1, s.text))
                .collect();
            println!("p{} y{:>4.0} {}", l.page, l.bbox.y0, segs.join(" | "));
        }
    }
}
