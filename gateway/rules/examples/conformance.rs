//! `cargo run -p gateway-rules --example conformance [-- -v]`: runs every
//! corpus document (examples and VEFA unit tests) against the oracle and
//! prints a table per source, the disagreements (`-v`) and a summary line.

use std::collections::HashMap;

use gateway_rules::conformance::{parse_oracle, run_source, SOURCES};

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let root = gateway_testdata::conformance();
    let docs: HashMap<String, Vec<u8>> = gateway_testdata::samples()
        .into_iter()
        .map(|s| (s.name, s.bytes))
        .collect();
    let (mut docs_ok, mut docs_all) = (0, 0);
    for src in SOURCES {
        let path = root.join("oracle").join(format!("{src}.json"));
        let json = match std::fs::read_to_string(&path) {
            Ok(j) => j,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                std::process::exit(2);
            }
        };
        let oracle = match parse_oracle(&json) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                std::process::exit(2);
            }
        };
        let s = run_source(src, &oracle, &docs);
        print!("{s}");
        if verbose {
            for (k, d) in &s.disagreements {
                println!("    {k}: {}", d.join(" "));
            }
        }
        docs_ok += s.agree;
        docs_all += s.docs;
    }
    println!("SUMMARY: {docs_ok} / {docs_all} documents agree with the oracle");
}
