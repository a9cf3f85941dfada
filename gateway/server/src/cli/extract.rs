//! `gateway extract`: an invoice from a PDF or image, or `--eval` over a
//! corpus with ground truth.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};
use gateway_extract::eval::{self, DocScore};
use gateway_extract::{Extraction, Options};
use indicatif::{ProgressBar, ProgressStyle};

use crate::Error;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  gateway extract invoice.pdf\n  gateway extract scan.jpg --format ubl > invoice.xml\n  gateway extract invoice.pdf --no-embedded --force-ocr\n  gateway extract --eval ../shared/corpus --no-embedded\n  gateway extract --eval photos/ --truth ../shared/corpus --format json --jobs 2\n\nJSON: {\"file\", \"source\": \"embedded-xml\"|\"text-layer\"|\"ocr\", \"needs_review\", \"fields\": {\"BT-1\": {\"value\", \"confidence\", \"page\", \"box\"}, ...}, \"lines\": [...]}.\nExit code: 0 read (review or not), 2 unreadable input or usage error."
)]
pub struct ExtractArgs {
    /// The PDF or image (PNG, JPEG, TIFF).
    #[arg(required_unless_present = "eval", conflicts_with = "eval")]
    file: Option<PathBuf>,
    /// Score every PDF/image under DIR against ground truth instead.
    #[arg(long, value_name = "DIR")]
    eval: Option<PathBuf>,
    /// Where the truth is for --eval: `groundtruth/*.json` and the original PDFs (default: the --eval DIR).
    #[arg(long, value_name = "DIR", requires = "eval")]
    truth: Option<PathBuf>,
    /// json (default for a file), ubl (the invoice as UBL 2.1), text (default for --eval).
    #[arg(long, value_enum)]
    format: Option<ExtractFormat>,
    /// Ignore XML attached to the PDF.
    #[arg(long)]
    no_embedded: bool,
    /// OCR even when the PDF has a text layer.
    #[arg(long)]
    force_ocr: bool,
    /// A field below this confidence sends the document to review.
    #[arg(long, default_value_t = 0.6)]
    threshold: f32,
    /// Documents read in parallel during --eval.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    Json,
    Ubl,
    Text,
}

pub fn run(args: ExtractArgs) -> Result<(), Error> {
    let opts = Options {
        no_embedded: args.no_embedded,
        force_ocr: args.force_ocr,
        review_threshold: args.threshold,
        ..Options::default()
    };
    match (&args.file, &args.eval) {
        (Some(file), None) => one(file, &opts, args.format.unwrap_or(ExtractFormat::Json)),
        (None, Some(dir)) => {
            let truth = args.truth.clone().unwrap_or_else(|| dir.clone());
            corpus(
                dir,
                &truth,
                &opts,
                args.format.unwrap_or(ExtractFormat::Text),
                args.jobs,
            )
        }
        _ => Err(Error::Usage("give a FILE or --eval DIR".into())),
    }
}

fn one(file: &Path, opts: &Options, format: ExtractFormat) -> Result<(), Error> {
    let name = file.display().to_string();
    let x = gateway_extract::extract_file(file, opts)
        .map_err(|e| Error::Usage(format!("{name}: {e}")))?;
    let out = match format {
        ExtractFormat::Ubl => {
            let inv = x.invoice();
            gateway_convert::write(&inv, gateway_convert::Target::Ubl)
        }
        ExtractFormat::Json => {
            let mut v = serde_json::to_value(&x).map_err(|e| Error::Usage(e.to_string()))?;
            v["file"] = serde_json::Value::String(name);
            let mut s = serde_json::to_vec_pretty(&v).map_err(|e| Error::Usage(e.to_string()))?;
            s.push(b'\n');
            s
        }
        ExtractFormat::Text => text(&name, &x).into_bytes(),
    };
    std::io::stdout()
        .write_all(&out)
        .map_err(|source| Error::Io {
            path: "standard output".into(),
            source,
        })
}

fn text(name: &str, x: &Extraction) -> String {
    let mut s = format!(
        "{name}: {} ({}), {} pages\n",
        x.source.as_str(),
        if x.needs_review { "needs review" } else { "ok" },
        x.pages
    );
    for (id, f) in &x.fields {
        s += &format!("  {id:<7} {:<40} {:.2}\n", f.value, f.confidence);
    }
    for (n, l) in x.lines.iter().enumerate() {
        let v = |id: &str| l.fields.get(id).map(|f| f.value.as_str()).unwrap_or("");
        s += &format!(
            "  line {:<3} {:<36} {:>10} {:<4} x {:>10} = {:>10}\n",
            n + 1,
            v("BT-153"),
            v("BT-129"),
            v("BT-130"),
            v("BT-146"),
            v("BT-131")
        );
    }
    for r in &x.review_reasons {
        s += &format!("  review: {r}\n");
    }
    s
}

fn corpus(
    dir: &Path,
    truth: &Path,
    opts: &Options,
    format: ExtractFormat,
    jobs: usize,
) -> Result<(), Error> {
    let files = eval::corpus_files(dir);
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no PDF or image files",
            dir.display()
        )));
    }
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start = Instant::now();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::<(usize, Result<DocScore, String>)>::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(rel) = files.get(i) else { break };
                let r = score_one(dir, truth, rel, opts);
                bar.set_message(rel.display().to_string());
                bar.inc(1);
                results.lock().expect("not poisoned").push((i, r));
            });
        }
    });
    bar.finish_and_clear();
    let mut results = results.into_inner().expect("not poisoned");
    results.sort_by_key(|r| r.0);
    let mut docs = Vec::new();
    let mut failed = 0;
    let mut errors = Vec::new();
    for (i, r) in results {
        match r {
            Ok(d) => docs.push(d),
            Err(e) if e.is_empty() => {}
            Err(e) => {
                failed += 1;
                errors.push(format!("{}: {e}", files[i].display()));
            }
        }
    }
    let summary = eval::summarize(&docs, failed);
    let secs = start.elapsed().as_secs_f64();
    match format {
        ExtractFormat::Json => {
            let v = serde_json::json!({"summary": summary, "documents": docs, "errors": errors, "seconds": secs});
            println!("{v}");
        }
        _ => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            for d in docs.iter().filter(|d| !d.straight_through) {
                let mut bad: Vec<String> = d
                    .fields
                    .iter()
                    .filter(|(_, o)| **o != eval::Outcome::Correct)
                    .map(|(id, o)| format!("{id} {o:?}"))
                    .collect();
                if let Some(l) = d.lines.as_ref().filter(|l| l.expected != l.found) {
                    bad.push(format!("lines {} of {}", l.found, l.expected));
                }
                println!(
                    "{}  {}{}",
                    d.file,
                    if d.needs_review { "review " } else { "" },
                    bad.join(", ")
                );
            }
            println!("field        precision  recall   right/scored");
            for (id, name) in eval::KEY_FIELDS {
                if let Some(t) = summary.fields.get(*id) {
                    println!(
                        "{:<7} {:<16} {:>6.1}% {:>6.1}%   {}/{}  ({name})",
                        id,
                        "",
                        t.precision * 100.0,
                        t.recall * 100.0,
                        t.correct,
                        t.correct + t.wrong + t.missed + t.spurious
                    );
                }
            }
            let l = &summary.lines;
            if l.documents > 0 {
                println!("line field   precision  recall   right/scored  wrong accepted");
                for (id, name) in eval::LINE_FIELDS {
                    if let Some(t) = l.fields.get(*id) {
                        let c = t.count;
                        println!(
                            "{:<7} {:<16} {:>6.1}% {:>6.1}%   {}/{}  {}  ({name})",
                            id,
                            "",
                            t.precision * 100.0,
                            t.recall * 100.0,
                            c.correct,
                            c.correct + c.wrong + c.missed + c.spurious,
                            c.wrong_confident
                        );
                    }
                }
                println!(
                    "lines: count right in {}/{} documents ({:.1}%), {} read of {}",
                    l.count_right,
                    l.documents,
                    l.count_rate * 100.0,
                    l.found,
                    l.expected
                );
            }
            println!(
                "{} documents ({} failed) in {:.1} s: fields right {:.1}%, straight-through {:.1}%, critical errors {:.2}%, review {:.1}%",
                summary.documents,
                summary.failed,
                secs,
                summary.field_accuracy * 100.0,
                summary.straight_through_rate * 100.0,
                summary.critical_error_rate * 100.0,
                summary.review_rate * 100.0
            );
        }
    }
    Ok(())
}

/// `Err("")` when the file has no truth (not scored).
fn score_one(dir: &Path, truth_dir: &Path, rel: &Path, opts: &Options) -> Result<DocScore, String> {
    let Some(truth) = eval::truth_for(truth_dir, rel) else {
        return Err(String::new());
    };
    let x = gateway_extract::extract_file(&dir.join(rel), opts).map_err(|e| e.to_string())?;
    Ok(eval::score(&rel.display().to_string(), &truth, &x))
}
