//! `cargo run --release -p gateway-rules --example bench_cii`: time per
//! document (parse + EN 16931 rules) for the same business invoice in CII
//! and in UBL (`CII_example1.xml` / `ubl-tc434-example1.xml`, 20 lines each),
//! and for the CII invoice with its lines repeated to 1,000 and 10,000.

use std::time::{Duration, Instant};

use gateway_rules::{validate, RuleSet, Selection};
use gateway_xml::Limits;

/// Median wall time of `runs` validations after `warm` warm-up runs, and the
/// number of findings.
fn median(bytes: &[u8], warm: usize, runs: usize) -> (Duration, usize) {
    let limits = Limits::default();
    let sel = Selection::Explicit(RuleSet::En16931);
    for _ in 0..warm {
        let _ = validate(bytes, sel, &limits);
    }
    let mut fired = 0;
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

/// The CII invoice with its line items repeated to `n` (line ids renumbered;
/// totals are not recomputed, so the sum rules fire).
fn with_lines(xml: &str, n: usize) -> String {
    let open = "<ram:IncludedSupplyChainTradeLineItem>";
    let close = "</ram:IncludedSupplyChainTradeLineItem>";
    let (Some(start), Some(end)) = (xml.find(open), xml.rfind(close)) else {
        return xml.to_string();
    };
    let end = end + close.len();
    let lines: Vec<&str> = xml[start..end]
        .split_inclusive(close)
        .map(str::trim_start)
        .collect();
    let mut out = String::with_capacity(xml.len() / lines.len().max(1) * n + xml.len());
    out.push_str(&xml[..start]);
    for i in 0..n {
        let line = lines[i % lines.len()];
        match line
            .split_once("<ram:LineID>")
            .and_then(|(a, b)| Some((a, b.split_once("</ram:LineID>")?.1)))
        {
            Some((a, rest)) => {
                out.push_str(a);
                out.push_str(&format!("<ram:LineID>{}</ram:LineID>", i + 1));
                out.push_str(rest);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out.push_str(&xml[end..]);
    out
}

/// Median time of the parse alone.
fn parse_median(bytes: &[u8], runs: usize) -> Duration {
    let limits = Limits::default();
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

fn main() {
    let root = gateway_testdata::conformance();
    let read = |p: &str| {
        let path = root.join(p);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let cii = read("en16931/cii/examples/CII_example1.xml");
    let ubl = read("en16931/ubl/examples/ubl-tc434-example1.xml");
    println!("input                 size       time/doc   fired   (parse alone)");
    for (label, doc, warm, runs) in [
        ("UBL example1", ubl, 1000, 5000),
        ("CII example1", cii.clone(), 1000, 5000),
        ("CII 1,000 lines", with_lines(&cii, 1000), 3, 15),
        ("CII 10,000 lines", with_lines(&cii, 10_000), 1, 5),
    ] {
        let (t, fired) = median(doc.as_bytes(), warm, runs);
        let parse = parse_median(doc.as_bytes(), runs);
        println!(
            "{label:<18} {:>9} B  {:>9.4} ms  {fired:>5}   ({:.4} ms)",
            doc.len(),
            t.as_secs_f64() * 1e3,
            parse.as_secs_f64() * 1e3
        );
    }
}
