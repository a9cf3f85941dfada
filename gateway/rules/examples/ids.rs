//! `cargo run -p gateway-rules --example ids -- RULES FILE...`: the fired
//! rule ids per file as JSON lines (`{"file","fatal","warning","error"}`),
//! for differential runs against the official stylesheets
//! (`conformance/tools/saxon_diff.py`).

use std::collections::BTreeSet;

use gateway_rules::{RuleSet, Selection};

fn main() {
    let mut args = std::env::args().skip(1);
    let rules = args.next().unwrap_or_default();
    let selection = match rules.as_str() {
        "auto" => Selection::Auto,
        r => match RuleSet::parse(r) {
            Some(r) => Selection::Explicit(r),
            None => {
                eprintln!("usage: ids auto|en16931|peppol|peppol-sb|cius-ro FILE...");
                std::process::exit(2);
            }
        },
    };
    let limits = gateway_xml::Limits::default();
    for file in args {
        let line = match std::fs::read(&file)
            .map_err(|e| e.to_string())
            .and_then(|b| {
                gateway_rules::validate(&b, selection, &limits).map_err(|e| e.to_string())
            }) {
            Ok(r) => {
                let ids = |l: &[gateway_rules::Finding]| -> BTreeSet<&str> {
                    l.iter().map(|f| f.id).collect()
                };
                serde_json::json!({"file": file, "fatal": ids(&r.fatal), "warning": ids(&r.warning), "error": null})
            }
            Err(e) => serde_json::json!({"file": file, "fatal": [], "warning": [], "error": e}),
        };
        println!("{line}");
    }
}
