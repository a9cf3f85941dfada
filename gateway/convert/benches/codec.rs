//! Codec benchmark (a plain binary, no framework): parse and write MB/s for
//! the typical Peppol invoice (`base-example.xml`, 9 KB) and for a generated
//! 10,000-line invoice, plus peak memory (VmHWM) of a fresh process that
//! parses the 10,000-line invoice. Run: `cargo bench -p gateway-convert`.

use std::time::{Duration, Instant};

use gateway_testdata::conformance;
use gateway_xml::Limits;

fn base() -> Vec<u8> {
    let p = conformance().join("peppol-bis3/rules/examples/base-example.xml");
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The base example with its first invoice line repeated `n` times (IDs renumbered).
fn many_lines(n: usize) -> Vec<u8> {
    let s = String::from_utf8(base()).expect("UTF-8");
    let start = s.find("<cac:InvoiceLine>").expect("a line");
    let end_tag = "</cac:InvoiceLine>";
    let first_end = s[start..].find(end_tag).expect("line end") + start + end_tag.len();
    let last_end = s.rfind(end_tag).expect("last line") + end_tag.len();
    let line = &s[start..first_end];
    let id_start = line.find("<cbc:ID>").expect("line id") + "<cbc:ID>".len();
    let id_end = line[id_start..].find('<').expect("id end") + id_start;
    let mut out = String::with_capacity(s.len() + n * line.len());
    out.push_str(&s[..start]);
    for i in 1..=n {
        out.push_str(&line[..id_start]);
        out.push_str(&i.to_string());
        out.push_str(&line[id_end..]);
        out.push('\n');
    }
    out.push_str(&s[last_end..]);
    out.into_bytes()
}

fn time<F: FnMut()>(mut f: F, min_iters: u32, min_time: Duration) -> Duration {
    f(); // warm up
    let mut times = Vec::new();
    let start = Instant::now();
    while (times.len() as u32) < min_iters || start.elapsed() < min_time {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    MIN.with(|m| m.set(times[0]));
    median
}

thread_local! {
    /// Fastest run of the last `time` call (the machine is shared and noisy).
    static MIN: std::cell::Cell<Duration> = const { std::cell::Cell::new(Duration::ZERO) };
}

fn last_min() -> Duration {
    MIN.with(|m| m.get())
}

fn mbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn report(name: &str, doc: &[u8], iters: u32) {
    let limits = Limits::default();
    let parse = time(
        || {
            let p = gateway_ubl::read(doc, &limits).expect("parses");
            std::hint::black_box(p);
        },
        iters,
        Duration::from_millis(500),
    );
    let parse_min = last_min();
    let tree = time(
        || {
            std::hint::black_box(gateway_xml::parse(doc, &limits).expect("parses"));
        },
        iters,
        Duration::from_millis(300),
    );
    let events = time(
        || {
            let text = std::str::from_utf8(doc).expect("UTF-8");
            let mut r = quick_xml::Reader::from_str(text);
            let mut n = 0u64;
            while !matches!(r.read_event(), Ok(quick_xml::events::Event::Eof) | Err(_)) {
                n += 1;
            }
            std::hint::black_box(n);
        },
        iters,
        Duration::from_millis(300),
    );
    let inv = gateway_ubl::read(doc, &limits).expect("parses").invoice;
    let mut out_len = 0;
    let write = time(
        || {
            let out = gateway_ubl::write(&inv);
            out_len = out.len();
            std::hint::black_box(out);
        },
        iters,
        Duration::from_millis(500),
    );
    let to_cii = time(
        || {
            std::hint::black_box(gateway_convert::write(&inv, gateway_convert::Target::Cii));
        },
        iters,
        Duration::from_millis(300),
    );
    println!(
        "{name:<16} {:>9} bytes  parse {:>9.3} ms (min {:>8.3}; {:>6.1} MB/s; tree alone {:>8.3} ms; quick-xml events alone {:>8.3} ms)  write UBL {:>8.3} ms ({:>6.1} MB/s)  convert to CII {:>8.3} ms",
        doc.len(),
        parse.as_secs_f64() * 1e3,
        parse_min.as_secs_f64() * 1e3,
        mbps(doc.len(), parse),
        tree.as_secs_f64() * 1e3,
        events.as_secs_f64() * 1e3,
        write.as_secs_f64() * 1e3,
        mbps(out_len, write),
        to_cii.as_secs_f64() * 1e3,
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--mem-child") {
        // Fresh process: generate, parse and write once, report peak RSS.
        let doc = match args.get(i + 1).map(String::as_str) {
            Some("base") => base(),
            other => many_lines(other.and_then(|s| s.parse().ok()).unwrap_or(10_000)),
        };
        let before = peak_rss_kib().unwrap_or(0);
        let p = gateway_ubl::read(&doc, &Limits::default()).expect("parses");
        let after_parse = peak_rss_kib().unwrap_or(0);
        let out = gateway_ubl::write(&p.invoice);
        let after_write = peak_rss_kib().unwrap_or(0);
        println!("{before} {after_parse} {after_write} {}", out.len());
        return;
    }
    if args.iter().any(|a| a == "--profile-small") {
        let doc = base();
        for _ in 0..20_000 {
            std::hint::black_box(gateway_xml::parse(&doc, &Limits::default()).expect("parses"));
        }
        return;
    }
    if args.iter().any(|a| a == "--profile-tree") {
        let doc = many_lines(10_000);
        let n: usize = std::env::var("PROFILE_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        for _ in 0..n {
            std::hint::black_box(gateway_xml::parse(&doc, &Limits::default()).expect("parses"));
        }
        return;
    }
    if args.iter().any(|a| a == "--profile-parse") {
        let doc = many_lines(10_000);
        let n: usize = std::env::var("PROFILE_ITERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        for _ in 0..n {
            std::hint::black_box(gateway_ubl::read(&doc, &Limits::default()).expect("parses"));
        }
        return;
    }
    if args.iter().any(|a| a == "--fixed-cost") {
        let doc = b"<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"/>";
        let t = time(
            || {
                std::hint::black_box(gateway_xml::parse(doc, &Limits::default()).expect("parses"));
            },
            100_000,
            Duration::from_millis(300),
        );
        println!("fixed cost of a parse: {:.2} us", t.as_secs_f64() * 1e6);
        return;
    }
    println!("gateway codec benchmark (median of runs, release build)");
    report("base-example", &base(), 2000);
    report("1,000 lines", &many_lines(1_000), 20);
    report("10,000 lines", &many_lines(10_000), 10);
    // The same documents as CII (converted by us), parsed and written as CII.
    for (name, doc, iters) in [
        ("CII base", base(), 2000u32),
        ("CII 10,000 lines", many_lines(10_000), 10),
    ] {
        let limits = Limits::default();
        let cii = gateway_convert::convert(&doc, gateway_convert::Target::Cii, &limits)
            .expect("converts");
        let parse = time(
            || {
                std::hint::black_box(gateway_cii::read(&cii, &limits).expect("parses"));
            },
            iters,
            Duration::from_millis(300),
        );
        let inv = gateway_cii::read(&cii, &limits).expect("parses").invoice;
        let write = time(
            || {
                std::hint::black_box(gateway_cii::write(&inv));
            },
            iters,
            Duration::from_millis(300),
        );
        println!(
            "{name:<16} {:>9} bytes  parse {:>9.3} ms ({:>6.1} MB/s)  write CII {:>8.3} ms ({:>6.1} MB/s)",
            cii.len(),
            parse.as_secs_f64() * 1e3,
            mbps(cii.len(), parse),
            write.as_secs_f64() * 1e3,
            mbps(cii.len(), write),
        );
    }
    let exe = std::env::current_exe().expect("own path");
    for (label, arg) in [("base-example", "base"), ("10,000 lines", "10000")] {
        match std::process::Command::new(&exe)
            .args(["--mem-child", arg])
            .output()
        {
            Ok(o) => {
                let s = String::from_utf8_lossy(&o.stdout);
                let v: Vec<u64> = s
                    .split_whitespace()
                    .filter_map(|x| x.parse().ok())
                    .collect();
                if let [before, parse, write, _] = v[..] {
                    println!(
                    "{label} peak RSS (VmHWM): {:.1} MiB after loading the input, {:.1} MiB after parse, {:.1} MiB after write",
                    before as f64 / 1024.0,
                    parse as f64 / 1024.0,
                    write as f64 / 1024.0
                );
                } else {
                    println!(
                        "memory child failed: {s} {}",
                        String::from_utf8_lossy(&o.stderr)
                    );
                }
            }
            Err(e) => println!("memory child not run: {e}"),
        }
    }
}
