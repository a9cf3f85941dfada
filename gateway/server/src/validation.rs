//! Validation reports as the CLI (`gateway validate`) and the API (`POST /v1/validate`) give them.
use std::path::PathBuf;

use gateway_rules::{Finding, Report, RuleSet, Selection};
use serde_json::{json, Value};

use crate::cli::Format;
use crate::Error;

/// One document's verdict: a `--format json` line, or the API's answer (`file` null).
pub fn verdict(file: Option<&str>, outcome: &Result<Report, String>, rules: &str) -> Value {
    let findings = |list: &[Finding]| -> Vec<Value> {
        list.iter()
            .map(|f| json!({"id": f.id, "location": f.location, "message": f.message}))
            .collect()
    };
    match outcome {
        Ok(r) => json!({
            "file": file,
            "syntax": r.syntax.as_str(),
            "document": r.document,
            "rules": r.rules.as_str(),
            "valid": r.is_valid(),
            "fatal": findings(&r.fatal),
            "warning": findings(&r.warning),
            "xsd": {"checked": false, "valid": null, "errors": []},
            "error": null,
        }),
        Err(e) => json!({
            "file": file, "syntax": null, "document": null, "rules": rules, "valid": false,
            "fatal": [], "warning": [], "xsd": {"checked": false, "valid": null, "errors": []},
            "error": e,
        }),
    }
}

fn text(file: &str, outcome: &Result<Report, String>) -> String {
    match outcome {
        Err(e) => format!("{file}: error: {e}"),
        Ok(r) => {
            let mut lines = vec![format!(
                "{file}: {} ({} {}, rules {}): {} fatal, {} warning",
                if r.is_valid() { "valid" } else { "INVALID" },
                r.syntax.as_str(),
                r.document,
                r.rules.as_str(),
                r.fatal.len(),
                r.warning.len()
            )];
            for f in r.fatal.iter().chain(&r.warning) {
                lines.push(format!(
                    "  {:?} {} at {}: {}",
                    f.flag, f.id, f.location, f.message
                ));
            }
            lines.join("\n")
        }
    }
}

/// The rule selection named by `--rules` / `?rules=`.
pub fn selection(rules: &str) -> Result<Selection, String> {
    match rules {
        "auto" => Ok(Selection::Auto),
        other => RuleSet::parse(other)
            .map(Selection::Explicit)
            .ok_or_else(|| {
                format!("rules `{other}`: use auto, en16931, peppol, peppol-sb or cius-ro")
            }),
    }
}

/// Validates every file (in parallel, on all cores) and prints in the order given.
/// Exit code: 0 all valid, 1 some invalid, 2 some unreadable.
pub fn run(rules: &str, files: &[PathBuf], format: Format) -> Result<u8, Error> {
    let selection = selection(rules).map_err(|e| Error::Usage(format!("--{e}")))?;
    let limits = gateway_xml::Limits::default();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let mut outcomes: Vec<Option<Result<Report, String>>> =
        (0..files.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let chunk = files.len().div_ceil(workers).max(1);
        for (paths, slots) in files.chunks(chunk).zip(outcomes.chunks_mut(chunk)) {
            let limits = &limits;
            scope.spawn(move || {
                for (path, slot) in paths.iter().zip(slots) {
                    *slot = Some(std::fs::read(path).map_err(|e| e.to_string()).and_then(
                        |bytes| {
                            gateway_rules::validate(&bytes, selection, limits)
                                .map_err(|e| e.to_string())
                        },
                    ));
                }
            });
        }
    });
    let mut code = 0u8;
    for (path, outcome) in files.iter().zip(outcomes) {
        let outcome = outcome.unwrap_or_else(|| Err("not validated".into()));
        let file = path.display().to_string();
        code = code.max(match &outcome {
            Ok(r) if r.is_valid() => 0,
            Ok(_) => 1,
            Err(_) => 2,
        });
        match format {
            Format::Json => println!("{}", verdict(Some(&file), &outcome, rules)),
            Format::Text => println!("{}", text(&file, &outcome)),
        }
    }
    Ok(code)
}
