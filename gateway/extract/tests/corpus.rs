//! Behaviour on the shared corpus (`../shared/corpus`): the acceptance
//! thresholds of the extraction paths, measured, not mocked. The full OCR
//! evaluation is a documented command (docs/operations.md); here OCR runs
//! on a few degraded pages to keep CI short.
use std::path::{Path, PathBuf};

use gateway_extract::degrade::{degrade_pdf, Degradation};
use gateway_extract::eval::{self, DocScore, Outcome};
use gateway_extract::{Options, Source};

fn corpus() -> PathBuf {
    gateway_testkit::shared_dir().join("corpus")
}

fn score_all(dir: &Path, truth: &Path, opts: &Options) -> Vec<DocScore> {
    eval::corpus_files(dir)
        .into_iter()
        .filter_map(|rel| {
            let t = eval::truth_for(truth, &rel)?;
            let x = gateway_extract::extract_file(&dir.join(&rel), opts)
                .unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
            Some(eval::score(&rel.display().to_string(), &t, &x))
        })
        .collect()
}

#[test]
fn embedded_xml_is_read_for_every_pdf_that_has_it() {
    let docs = score_all(&corpus(), &corpus(), &Options::default());
    assert_eq!(docs.len(), 66, "every corpus PDF has truth");
    for d in &docs {
        assert_eq!(d.source, "embedded-xml", "{}", d.file);
        assert!(!d.needs_review, "{}", d.file);
        assert!(
            d.fields.values().all(|o| *o == Outcome::Correct),
            "{}: {:?}",
            d.file,
            d.fields
        );
    }
}

#[test]
fn text_layer_reads_95_percent_of_key_fields_with_under_1_percent_critical_errors() {
    let opts = Options {
        no_embedded: true,
        ..Options::default()
    };
    let docs = score_all(&corpus(), &corpus(), &opts);
    assert!(docs.iter().all(|d| d.source == "text-layer"));
    let s = eval::summarize(&docs, 0);
    assert!(
        s.field_accuracy >= 0.95,
        "fields right {:.3}",
        s.field_accuracy
    );
    assert!(
        s.critical_error_rate < 0.01,
        "critical {:.4}",
        s.critical_error_rate
    );
}

#[test]
fn ocr_reads_degraded_phone_photos() {
    // Two distinct one-page layouts (French; English with German parts),
    // degraded like phone photos, read by Tesseract with the text layer gone.
    let files = [
        "zugferd-corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf",
        "zugferd-corpus/ZUGFeRDv2/correct/Mustangproject/MustangGnuaccountingBeispielRE-20201121_508.pdf",
    ];
    let out = tempfile::tempdir().unwrap();
    for (i, rel) in files.iter().enumerate() {
        let target = out.path().join(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        degrade_pdf(
            &corpus().join(rel),
            &target,
            &Degradation::default(),
            7 + i as u64,
            1,
        )
        .unwrap();
    }
    let docs = score_all(out.path(), &corpus(), &Options::default());
    assert_eq!(docs.len(), 2);
    assert!(docs.iter().all(|d| d.source == Source::Ocr.as_str()));
    let s = eval::summarize(&docs, 0);
    assert!(
        s.field_accuracy >= 0.9,
        "fields right {:.3}: {docs:#?}",
        s.field_accuracy
    );
    assert_eq!(s.critical_error_rate, 0.0, "{docs:#?}");
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    let opts = Options::default();
    assert!(matches!(
        gateway_extract::extract(b"hello", &opts),
        Err(gateway_extract::Error::UnknownInput)
    ));
    let broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF";
    assert!(gateway_extract::extract(broken, &opts).is_err());
    let mut truncated = std::fs::read(
        corpus()
            .join("zugferd-corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf"),
    )
    .unwrap();
    truncated.truncate(truncated.len() / 3);
    // Truncated: a clear error or whatever the salvaged pages say, never a panic.
    let no_embedded = Options {
        no_embedded: true,
        ..opts
    };
    let _ = gateway_extract::extract(&truncated, &no_embedded);
}

#[test]
fn text_layer_reads_the_invoice_lines_into_json_and_ubl() {
    // Two lines on page 2, each with its amount one text line below the
    // other numbers and a name wrapped over two lines in one of the copies.
    let rel = "zugferd-corpus/XML-Rechnung/FX/EN16931_Einfach.pdf";
    let opts = Options {
        no_embedded: true,
        ..Options::default()
    };
    let x = gateway_extract::extract_file(&corpus().join(rel), &opts).unwrap();
    assert_eq!(x.source, Source::TextLayer);
    let got: Vec<Vec<&str>> = x
        .lines
        .iter()
        .map(|l| {
            [
                "BT-126", "BT-153", "BT-129", "BT-130", "BT-146", "BT-131", "BT-152", "BT-151",
            ]
            .iter()
            .map(|id| l.fields.get(*id).map_or("", |f| f.value.as_str()))
            .collect()
        })
        .collect();
    assert_eq!(
        got,
        vec![
            vec![
                "1",
                "Trennblätter A4",
                "20.00",
                "H87",
                "9.90",
                "198.00",
                "19.00",
                "S"
            ],
            vec![
                "2",
                "Joghurt Banane",
                "50.00",
                "H87",
                "5.50",
                "275.00",
                "7.00",
                "S"
            ],
        ]
    );
    // They add up (473.00) and were read on page 2 with their boxes.
    for l in &x.lines {
        for (id, f) in &l.fields {
            assert!(f.confidence >= 0.85, "{id}: {f:?}");
            assert_eq!(f.page, Some(2), "{id}");
            assert!(f.bbox.is_some_and(|b| b.x1 > b.x0), "{id}");
        }
    }
    // The JSON carries them, the UBL writes them as InvoiceLine elements.
    let json = serde_json::to_value(&x).unwrap();
    assert_eq!(json["lines"][1]["BT-153"]["value"], "Joghurt Banane");
    let ubl = String::from_utf8(gateway_convert::write(
        &x.invoice(),
        gateway_convert::Target::Ubl,
    ))
    .unwrap();
    assert_eq!(ubl.matches("<cac:InvoiceLine>").count(), 2, "{ubl}");
    assert!(
        ubl.contains("unitCode=\"H87\">20.00</cbc:InvoicedQuantity>"),
        "{ubl}"
    );
    assert!(
        ubl.contains("<cbc:Name>Trennblätter A4</cbc:Name>"),
        "{ubl}"
    );

    // Scored against the truth: every line field right.
    let t = eval::truth_for(&corpus(), std::path::Path::new(rel)).unwrap();
    let s = eval::score(rel, &t, &x);
    let lines = s.lines.unwrap();
    assert_eq!((lines.expected, lines.found), (2, 2));
    for (id, c) in &lines.fields {
        assert_eq!(
            (c.correct, c.wrong, c.missed, c.spurious),
            (2, 0, 0, 0),
            "{id}"
        );
    }
}

#[test]
fn text_layer_line_figures_on_the_corpus() {
    let opts = Options {
        no_embedded: true,
        ..Options::default()
    };
    let docs = score_all(&corpus(), &corpus(), &opts);
    let s = eval::summarize(&docs, 0);
    let l = &s.lines;
    assert!(l.documents >= 55, "{l:?}");
    assert!(l.count_rate >= 0.9, "line count right {:.3}", l.count_rate);
    for (id, _) in eval::LINE_FIELDS {
        let t = l.fields[*id];
        assert!(t.recall >= 0.85 && t.precision >= 0.85, "{id}: {t:?}");
    }
}
