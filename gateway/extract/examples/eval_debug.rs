//! Development aid: extract every corpus file and print, per wrong field,
//! the predicted and the true value.
//!
//! `cargo run --release -p gateway-extract --example eval_debug -- DIR [TRUTH] [--ocr] [--embedded]`
use gateway_extract::eval;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flags: Vec<&String> = args.iter().filter(|a| a.starts_with("--")).collect();
    let pos: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let dir = std::path::PathBuf::from(pos.first().expect("DIR"));
    let truth = pos
        .get(1)
        .map(std::path::PathBuf::from)
        .unwrap_or(dir.clone());
    let opts = gateway_extract::Options {
        no_embedded: !flags.iter().any(|f| *f == "--embedded"),
        force_ocr: flags.iter().any(|f| *f == "--ocr"),
        ..Default::default()
    };
    let mut docs = Vec::new();
    for rel in eval::corpus_files(&dir) {
        let Some(t) = eval::truth_for(&truth, &rel) else {
            continue;
        };
        if std::env::var_os("GATEWAY_EXTRACT_TRACE").is_some() {
            eprintln!("== {}", rel.display());
        }
        let x = match gateway_extract::extract_file(&dir.join(&rel), &opts) {
            Ok(x) => x,
            Err(e) => {
                println!("{}: {e}", rel.display());
                continue;
            }
        };
        for r in &x.review_reasons {
            println!("REVIEW {r}");
        }
        let s = eval::score(&rel.display().to_string(), &t, &x);
        for (id, o) in &s.fields {
            if *o != eval::Outcome::Correct {
                let f = x.fields.get(id);
                println!(
                    "{:<60} {id:<6} {o:?} review={} pred={:?} conf={:?} truth={:?}",
                    rel.file_name().unwrap().to_string_lossy(),
                    x.needs_review,
                    f.map(|f| &f.value),
                    f.map(|f| f.confidence),
                    t.0.get(id)
                );
            }
        }
        if let (Some(ls), Some(tl)) = (&s.lines, &t.1) {
            let bad = ls
                .fields
                .values()
                .any(|c| c.wrong + c.missed + c.spurious > 0);
            if bad || ls.expected != ls.found {
                println!(
                    "LINES {} expected {} found {}",
                    rel.file_name().unwrap().to_string_lossy(),
                    ls.expected,
                    ls.found
                );
                for l in tl {
                    let v: Vec<String> = eval::LINE_FIELDS
                        .iter()
                        .map(|(id, _)| l.get(*id).cloned().unwrap_or_default())
                        .collect();
                    println!("   truth {v:?}");
                }
                for l in &x.lines {
                    let v: Vec<String> = eval::LINE_FIELDS
                        .iter()
                        .map(|(id, _)| {
                            l.fields
                                .get(*id)
                                .map(|f| format!("{} ({:.2})", f.value, f.confidence))
                                .unwrap_or_default()
                        })
                        .collect();
                    println!("   read  {v:?}");
                }
            }
        }
        docs.push(s);
    }
    let s = eval::summarize(&docs, 0);
    for (id, name) in eval::KEY_FIELDS {
        if let Some(t) = s.fields.get(*id) {
            println!(
                "{id:<7} {:>6.1}% {:>6.1}%  right {}/{} wrong {} missed {} spurious {}  ({name})",
                t.precision * 100.0,
                t.recall * 100.0,
                t.correct,
                t.correct + t.wrong + t.missed + t.spurious,
                t.wrong,
                t.missed,
                t.spurious
            );
        }
    }
    let l = &s.lines;
    for (id, name) in eval::LINE_FIELDS {
        if let Some(t) = l.fields.get(*id) {
            let c = t.count;
            println!(
                "line {id:<7} {:>6.1}% {:>6.1}%  right {} wrong {} (confident {}) missed {} spurious {}  ({name})",
                t.precision * 100.0,
                t.recall * 100.0,
                c.correct,
                c.wrong,
                c.wrong_confident,
                c.missed,
                c.spurious
            );
        }
    }
    println!(
        "line count right {}/{} documents; lines read {} of {}",
        l.count_right, l.documents, l.found, l.expected
    );
    println!(
        "fields right {:.1}%, straight-through {:.1}%, critical {:.2}%, review {:.1}%",
        s.field_accuracy * 100.0,
        s.straight_through_rate * 100.0,
        s.critical_error_rate * 100.0,
        s.review_rate * 100.0
    );
}
