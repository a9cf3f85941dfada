//! `cargo run -p gateway-rules --example fired -- [--rules NAME] FILE...`:
//! one line per file, `file<TAB>ok|error<TAB>id=count,…(fatal)<TAB>id=count,…(warning)`,
//! for comparing our verdicts with another validator's (see
//! `conformance/saxon_fuzz_cii.py`).

use std::collections::BTreeMap;

use gateway_rules::{validate, RuleSet, Selection};
use gateway_xml::Limits;

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut sel = Selection::Explicit(RuleSet::En16931);
    if args.first().map(String::as_str) == Some("--rules") && args.len() > 1 {
        let name = args.remove(1);
        args.remove(0);
        sel = match RuleSet::parse(&name) {
            Some(r) => Selection::Explicit(r),
            None => {
                eprintln!("unknown rule set {name}");
                std::process::exit(2);
            }
        };
    }
    let limits = Limits::default();
    for f in args {
        let bytes = match std::fs::read(&f) {
            Ok(b) => b,
            Err(e) => {
                println!("{f}\terror\t{e}\t");
                continue;
            }
        };
        match validate(&bytes, sel, &limits) {
            Err(e) => println!("{f}\terror\t{}\t", e.to_string().replace(['\t', '\n'], " ")),
            Ok(r) => {
                let counts = |v: &[gateway_rules::Finding]| {
                    let mut m: BTreeMap<&str, usize> = BTreeMap::new();
                    for x in v {
                        *m.entry(x.id).or_default() += 1;
                    }
                    m.iter()
                        .map(|(k, n)| format!("{k}={n}"))
                        .collect::<Vec<_>>()
                        .join(",")
                };
                println!("{f}\tok\t{}\t{}", counts(&r.fatal), counts(&r.warning));
            }
        }
    }
}
