//! `cargo run --release -p gateway-rules --example bench`: time per document
//! (parse + full Peppol rule set) for the typical invoice and for generated
//! 1,000- and 10,000-line invoices, with the ratio against the official
//! XSLT baseline (`shared/conformance/baseline/bench.txt`, "peppol-full")
//! and against the targets of issue 4 (0.05 ms, 10 ms, 100 ms).
//!
//! `-- typical|1000|10000` measures one input only; `BENCH_ITERS=N` runs
//! exactly N validations of it without timing, for `valgrind --tool=callgrind`
//! (instruction counts are repeatable on a loaded machine).

use std::time::{Duration, Instant};

use gateway_rules::{validate, RuleSet, Selection};
use gateway_xml::Limits;

/// Median wall time of `runs` validations after `warm` warm-up runs.
fn median(bytes: &[u8], warm: usize, runs: usize) -> (Duration, usize) {
    let limits = Limits::default();
    let sel = Selection::Explicit(RuleSet::Peppol);
    let mut fired = 0;
    for _ in 0..warm {
        let _ = validate(bytes, sel, &limits);
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let r = validate(bytes, sel, &limits);
            let e = t.elapsed();
            fired = r.map_or(usize::MAX, |r| r.fatal.len() + r.warning.len());
            e
        })
        .collect();
    times.sort();
    (times[times.len() / 2], fired)
}

/// Median time of the parse alone (the tree the rules run on).
fn parse_median(bytes: &[u8], warm: usize, runs: usize) -> Duration {
    let limits = Limits::default();
    for _ in 0..warm {
        let _ = gateway_xml::parse(bytes, &limits);
    }
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let _ = gateway_xml::parse(bytes, &limits);
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// The invoice with its lines repeated (IDs renumbered) to `n` lines. Totals
/// are not recomputed, so the sum rules fire: that costs nothing measurable.
fn with_lines(xml: &str, n: usize) -> String {
    let (start, end) = match (
        xml.find("<cac:InvoiceLine>"),
        xml.rfind("</cac:InvoiceLine>"),
    ) {
        (Some(s), Some(e)) => (s, e + "</cac:InvoiceLine>".len()),
        _ => return xml.to_string(),
    };
    let lines: Vec<&str> = xml[start..end]
        .split_inclusive("</cac:InvoiceLine>")
        .map(str::trim_start)
        .collect();
    let mut out = String::with_capacity(xml.len() + n * 1300);
    out.push_str(&xml[..start]);
    for i in 0..n {
        let line = lines[i % lines.len()];
        // Renumber the line's first <cbc:ID>.
        match line
            .split_once("<cbc:ID>")
            .and_then(|(a, b)| Some((a, b.split_once("</cbc:ID>")?.1)))
        {
            Some((a, rest)) => {
                out.push_str(a);
                out.push_str(&format!("<cbc:ID>{}</cbc:ID>", i + 1));
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out.push_str(&xml[end..]);
    out
}

/// The "peppol-full" total (seconds) for `input` from bench.txt.
fn baseline(text: &str, input: &str) -> Option<f64> {
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.first() == Some(&input) && f.get(1) == Some(&"peppol-full"))
            .then(|| f.get(4)?.parse().ok())?
    })
}

fn main() {
    let root = gateway_testdata::conformance();
    let path = root.join("peppol-bis3/rules/examples/base-example.xml");
    let xml = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let base = std::fs::read_to_string(root.join("baseline/bench.txt")).unwrap_or_default();
    let iters: Option<usize> = std::env::var("BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok());
    if iters.is_none() {
        println!(
            "input      size       time/doc     per line    fired  vs XSLT (peppol-full)  vs target"
        );
    }
    for (label, key, target_ms, warm, runs, lines) in [
        ("typical", "typical", 0.05, 1000, 10000, 2),
        ("1,000", "1000", 10.0, 3, 15, 1000),
        ("10,000", "10000", 100.0, 1, 5, 10_000),
    ] {
        // `-- typical` measures only the typical invoice (for profiling).
        if std::env::args().nth(1).is_some_and(|a| a != key) {
            continue;
        }
        let doc = match lines {
            2 => xml.clone(),
            n => with_lines(&xml, n),
        };
        if let Some(n) = iters {
            let (limits, sel) = (Limits::default(), Selection::Explicit(RuleSet::Peppol));
            let fired: usize = (0..n)
                .map(|_| validate(doc.as_bytes(), sel, &limits).map_or(0, |r| r.fatal.len()))
                .sum();
            println!("{label}: {n} validations, {fired} fatal in all");
            continue;
        }
        let (t, fired) = median(doc.as_bytes(), warm, runs);
        let parse = parse_median(doc.as_bytes(), warm, runs);
        let ms = t.as_secs_f64() * 1e3;
        let ratio =
            baseline(&base, key).map_or("n/a".to_string(), |b| format!("{:.0}x", b * 1e3 / ms));
        // Below 1.00 meets the target (time / target).
        let vs_target = ms / target_ms;
        println!(
            "{label:<10} {:>8} B  {ms:>9.4} ms  {:>7.2} us  {fired:>5}  {ratio:>8}  {vs_target:>5.2} of {target_ms} ms  (parse alone {:.4} ms)",
            doc.len(),
            ms * 1e3 / lines as f64,
            parse.as_secs_f64() * 1e3
        );
    }
}
