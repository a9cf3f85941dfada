//! End-to-end time of an e-mail import of a 3-page PDF: the raw message is taken apart and its
//! PDF stored as a purchase document (`email::import_message`, what the SMTP server runs once
//! DATA is spooled), then the extraction worker reads it and stores the fields
//! (`extraction::worker::once`). The SMTP dialogue itself is not included.
//!
//! `cargo run --release -p gateway-server --example email_import_bench -- [ROUNDS]`
//!
//! Two cases on SQLite in a temporary directory, ROUNDS times each (default 3):
//! - `embedded-xml`: a 3-page Factur-X PDF of `../shared/corpus` as is;
//! - `ocr`: the same PDF as a phone photo of its printout (300 dpi, rotated, blurred, noised,
//!   JPEG 55; `gateway_extract::degrade`), so every page goes through Tesseract.
//!
//! Prints wall time per phase, the CPU time of the programs run (Tesseract, pdftoppm) and the
//! load average, since the machine may be shared. Every round imports the same invoice, so
//! rounds after the first end in `needs_review` as duplicates; that is the flow, not a failure.
//!
//! Measured (release, load average 5 on 2 shared cores): embedded XML 22 ms for the first
//! message (6 ms warm); the photo 4.2-4.8 s end to end, of which the import 7-12 ms and
//! Tesseract 3.0 s user CPU for the three pages.
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use gateway_server::{email, extraction};
use gateway_store::*;

const PDF: &str = "corpus/zugferd-corpus/XML-Rechnung/FX/EN16931_1_Teilrechnung.pdf";

fn mail(to: &str, pdf: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(pdf);
    let mut body = String::new();
    for chunk in b64.as_bytes().chunks(76) {
        body.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        body.push_str("\r\n");
    }
    format!(
        "From: supplier@example.com\r\nTo: {to}\r\nSubject: Invoice\r\nMessage-ID: <{}@bench>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nPlease find our invoice attached.\r\n\
         --b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}--b--\r\n",
        gateway_store::sha256_hex(pdf)
    )
    .into_bytes()
}

/// CPU seconds (user, system) of this process's finished children, from /proc/self/stat.
fn children_cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at field 3.
    let rest = stat.rsplit_once(") ").map(|x| x.1).unwrap_or("");
    let f: Vec<f64> = rest.split(' ').map(|x| x.parse().unwrap_or(0.0)).collect();
    // cutime and cstime are fields 16 and 17 (1-based), in clock ticks (100 per second).
    (
        f.get(13).copied().unwrap_or(0.0) / 100.0,
        f.get(14).copied().unwrap_or(0.0) / 100.0,
    )
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split(' ')
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(3);
    let original = gateway_testkit::read_shared(PDF);
    let tmp = tempfile::tempdir().expect("temp dir");
    let photo = tmp.path().join("photo.pdf");
    gateway_extract::degrade::degrade_pdf(
        &gateway_testkit::shared(PDF),
        &photo,
        &gateway_extract::degrade::Degradation::default(),
        7,
        3,
    )
    .expect("degrade");
    let photo = std::fs::read(&photo).expect("photo PDF");

    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}/bench.db?mode=rwc",
        tmp.path().display()
    ))
    .expect("URL");
    let store: Arc<SqlStore> = Arc::new(
        SqlStore::open(&url, SqlStore::default_blobs(url.backend(), tmp.path()))
            .await
            .expect("open"),
    );
    let company = store
        .create_company(NewCompany {
            legal_name: "Kunden AG Mitte".into(),
            vat_number: Some("DE136695976".into()),
            country: "DE".into(),
            address: Address::default(),
            identifiers: Vec::new(),
        })
        .await
        .expect("company");
    println!("load average {}", load());
    for (case, pdf) in [("embedded-xml", &original), ("ocr", &photo)] {
        for round in 0..rounds {
            // A different message each round: an identical one would be a redelivery.
            let mut pdf = pdf.clone();
            pdf.extend_from_slice(format!("\n% bench round {round}\n").as_bytes());
            let raw = mail("import@bench", &pdf);
            let cpu0 = children_cpu();
            let t0 = Instant::now();
            let docs = email::import_message(store.as_ref(), &company.id, &raw, "bench")
                .await
                .expect("import");
            let imported = t0.elapsed();
            assert_eq!(docs.len(), 1, "one PDF part");
            while extraction::worker::once(store.as_ref(), &Default::default())
                .await
                .expect("extraction")
            {}
            let total = t0.elapsed();
            let cpu1 = children_cpu();
            let only = Visibility::Companies(vec![company.id.clone()]);
            let doc = store
                .get_document(&only, &docs[0].document_id)
                .await
                .expect("read")
                .expect("stored");
            let source = store
                .extraction(&only, &docs[0].document_id)
                .await
                .expect("read")
                .and_then(|r| r.source)
                .unwrap_or_default();
            println!(
                "{case:<12} round {round}: {:>7.1} ms end to end (import {:.1} ms, extraction {:.1} ms), \
                 programs' CPU user {:.2} s sys {:.2} s, 3 pages, source {source}, state {}",
                total.as_secs_f64() * 1000.0,
                imported.as_secs_f64() * 1000.0,
                (total - imported).as_secs_f64() * 1000.0,
                cpu1.0 - cpu0.0,
                cpu1.1 - cpu0.1,
                doc.state
            );
        }
    }
    println!("load average {}", load());
    store.close().await;
}
