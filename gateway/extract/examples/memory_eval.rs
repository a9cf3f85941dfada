//! Measures the supplier memory. Every corpus invoice is extracted (embedded XML ignored) and
//! scored twice: as read, and after its buyer (the member the memory belongs to) confirmed the
//! previous invoice of the same supplier (its ground truth), recalled through the keys this
//! extraction reads (VAT id, IBAN). The corpus's invoices go to many buyers and reuse sample VAT
//! ids across sellers, so memory is per buyer, as it is per company in the gateway. Prints, per
//! key field, the right values without and with the memory, then the straight-through and
//! critical error rates.
//!
//! `cargo run --release -p gateway-extract --example memory_eval -- DIR [TRUTH] [--ocr]`
//! e.g. `-- ../shared/corpus` (text layer) or `-- /tmp/degraded ../shared/corpus --ocr`.
use std::collections::{BTreeMap, HashMap};

use gateway_extract::{eval, fields, memory, Field};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ocr = args.iter().any(|a| a == "--ocr");
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let dir = std::path::PathBuf::from(pos.first().expect("DIR"));
    let truth_dir = pos
        .get(1)
        .map(std::path::PathBuf::from)
        .unwrap_or(dir.clone());
    let opts = gateway_extract::Options {
        no_embedded: true,
        force_ocr: ocr,
        ..Default::default()
    };
    // What each buyer confirmed so far, under each supplier key.
    let mut confirmed: HashMap<(String, String), BTreeMap<String, String>> = HashMap::new();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let (mut recalled, mut failed) = (0, 0);
    for rel in eval::corpus_files(&dir) {
        let Some(truth) = eval::truth_for(&truth_dir, &rel) else {
            continue;
        };
        let name = rel.display().to_string();
        let buyer = truth
            .0
            .get("BT-44")
            .and_then(|v| v.first())
            .map(|b| gateway_extract::text::fold(b))
            .unwrap_or_default();
        let Ok(x) = gateway_extract::extract_file(&dir.join(&rel), &opts) else {
            failed += 1;
            continue;
        };
        before.push(eval::score(&name, &truth, &x));
        let mut with = x.clone();
        let known = memory::keys(&with.fields)
            .iter()
            .find_map(|k| confirmed.get(&(buyer.clone(), k.clone())).cloned());
        if let Some(m) = known {
            if !memory::recall(&mut with.fields, &m).is_empty() {
                recalled += 1;
            }
            (with.needs_review, with.review_reasons) =
                fields::review(&with.fields, opts.review_threshold);
        }
        after.push(eval::score(&name, &truth, &with));
        // The person confirms this invoice: its true values.
        let truth_fields: BTreeMap<String, Field> = truth
            .0
            .iter()
            .filter_map(|(id, v)| {
                Some((
                    id.clone(),
                    Field {
                        value: v.first()?.clone(),
                        confidence: 1.0,
                        page: None,
                        bbox: None,
                    },
                ))
            })
            .collect();
        for key in memory::keys(&truth_fields) {
            confirmed.insert((buyer.clone(), key), memory::remembered(&truth_fields));
        }
    }
    let (b, a) = (
        eval::summarize(&before, failed),
        eval::summarize(&after, failed),
    );
    println!(
        "{} documents ({}), memory recalled for {recalled}",
        b.documents,
        if ocr { "OCR" } else { "text layer" }
    );
    println!("field   without  with memory (right / scored)");
    for (id, what) in eval::KEY_FIELDS {
        let (Some(tb), Some(ta)) = (b.fields.get(*id), a.fields.get(*id)) else {
            continue;
        };
        let n = |t: &eval::FieldTally| t.correct + t.wrong + t.missed + t.spurious;
        println!(
            "{id:<7} {:>3}/{:<3}  {:>3}/{:<3}  {what}",
            tb.correct,
            n(tb),
            ta.correct,
            n(ta)
        );
    }
    println!(
        "field accuracy {:.1}% -> {:.1}%, straight-through {:.1}% -> {:.1}%, critical errors {:.2}% -> {:.2}%",
        100.0 * b.field_accuracy,
        100.0 * a.field_accuracy,
        100.0 * b.straight_through_rate,
        100.0 * a.straight_through_rate,
        100.0 * b.critical_error_rate,
        100.0 * a.critical_error_rate
    );
}
