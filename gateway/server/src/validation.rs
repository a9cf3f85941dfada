//! Validation reports as the CLI (`gateway validate`) and the API (`POST /v1/validate`) give them:
//! the business rules (`gateway-rules`) and, when an artefact directory is configured, the
//! official XML schemas (`gateway-xsd`, compiled once at start and shared by every thread).
use std::path::{Path, PathBuf};

use gateway_rules::{Finding, Report, RuleSet, Selection, Syntax};
use gateway_xsd::{Schemas, XsdReport};
use serde_json::{json, Value};

use crate::cli::ValidateFormat;
use crate::Error;

/// The rules plus, when configured, the schemas.
#[derive(Debug, Default)]
pub struct Validator {
    schemas: Option<Schemas>,
}

/// One document's result: the rules report (or why there is none) and the schema check.
pub struct Outcome {
    pub report: Result<Report, String>,
    pub xsd: Option<XsdReport>,
}

impl Outcome {
    /// Valid: no fatal rule and, when checked, schema-valid.
    pub fn is_valid(&self) -> bool {
        self.report.as_ref().is_ok_and(Report::is_valid)
            && self.xsd.as_ref().is_none_or(|x| !x.checked || x.valid)
    }
}

impl Validator {
    /// Loads the schemas below `artefacts` (`--artefacts`, `validate.artefacts`,
    /// `GATEWAY_ARTEFACTS`); `None`: rules only.
    pub fn new(artefacts: Option<&Path>) -> Result<Validator, Error> {
        let schemas = artefacts
            .map(|dir| {
                Schemas::load(dir).map_err(|e| Error::Config(format!("validate.artefacts: {e}")))
            })
            .transpose()?;
        Ok(Validator { schemas })
    }

    /// Validates one document: rules, then the schema of its root element.
    pub fn check(&self, bytes: &[u8], selection: Selection) -> Outcome {
        let report = gateway_rules::validate(bytes, selection, &gateway_xml::Limits::default())
            .map_err(|e| e.to_string());
        let xsd = match (&self.schemas, &report) {
            (Some(s), Ok(r)) => {
                let ns = match (r.syntax, r.document) {
                    (Syntax::Cii, _) => gateway_xml::names::RSM,
                    (Syntax::Ubl, "CreditNote") => gateway_xml::names::UBL_CREDIT_NOTE,
                    (Syntax::Ubl, _) => gateway_xml::names::UBL_INVOICE,
                };
                Some(s.validate(ns, r.document, bytes))
            }
            _ => None,
        };
        Outcome { report, xsd }
    }
}

fn xsd_json(xsd: Option<&XsdReport>) -> Value {
    match xsd {
        Some(x) if x.checked => json!({
            "checked": true,
            "valid": x.valid,
            "errors": x.errors.iter().map(|e| json!({"line": e.line, "message": e.message})).collect::<Vec<_>>(),
        }),
        _ => json!({"checked": false, "valid": null, "errors": []}),
    }
}

/// One document's verdict: a `--format json` line, or the API's answer (`file` null).
pub fn verdict(file: Option<&str>, outcome: &Outcome, rules: &str) -> Value {
    let findings = |list: &[Finding]| -> Vec<Value> {
        list.iter()
            .map(|f| json!({"id": f.id, "location": f.location, "message": f.message}))
            .collect()
    };
    match &outcome.report {
        Ok(r) => json!({
            "file": file,
            "syntax": r.syntax.as_str(),
            "document": r.document,
            "rules": r.rules.as_str(),
            "valid": outcome.is_valid(),
            "fatal": findings(&r.fatal),
            "warning": findings(&r.warning),
            "xsd": xsd_json(outcome.xsd.as_ref()),
            "error": null,
        }),
        Err(e) => json!({
            "file": file, "syntax": null, "document": null, "rules": rules, "valid": false,
            "fatal": [], "warning": [], "xsd": xsd_json(None),
            "error": e,
        }),
    }
}

fn text(file: &str, outcome: &Outcome) -> String {
    match &outcome.report {
        Err(e) => format!("{file}: error: {e}"),
        Ok(r) => {
            let xsd = match &outcome.xsd {
                Some(x) if x.checked && x.valid => ", schema-valid".to_string(),
                Some(x) if x.checked => format!(", {} schema errors", x.errors.len()),
                _ => String::new(),
            };
            let mut lines = vec![format!(
                "{file}: {} ({} {}, rules {}): {} fatal, {} warning{xsd}",
                if outcome.is_valid() {
                    "valid"
                } else {
                    "INVALID"
                },
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
            for e in outcome.xsd.iter().flat_map(|x| &x.errors) {
                lines.push(format!("  XSD line {}: {}", e.line, e.message));
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
pub fn run(
    rules: &str,
    files: &[PathBuf],
    format: ValidateFormat,
    validator: &Validator,
) -> Result<u8, Error> {
    let selection = selection(rules).map_err(|e| Error::Usage(format!("--{e}")))?;
    if format == ValidateFormat::Svrl && files.len() != 1 {
        return Err(Error::Usage(
            "--format svrl writes one SVRL document: give exactly one file".into(),
        ));
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    let mut outcomes: Vec<Option<Outcome>> = (0..files.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let chunk = files.len().div_ceil(workers).max(1);
        for (paths, slots) in files.chunks(chunk).zip(outcomes.chunks_mut(chunk)) {
            scope.spawn(move || {
                for (path, slot) in paths.iter().zip(slots) {
                    *slot = Some(match std::fs::read(path) {
                        Ok(bytes) => validator.check(&bytes, selection),
                        Err(e) => Outcome {
                            report: Err(e.to_string()),
                            xsd: None,
                        },
                    });
                }
            });
        }
    });
    let mut code = 0u8;
    for (path, outcome) in files.iter().zip(outcomes) {
        let outcome = outcome.unwrap_or(Outcome {
            report: Err("not validated".into()),
            xsd: None,
        });
        let file = path.display().to_string();
        code = code.max(match &outcome.report {
            Ok(_) if outcome.is_valid() => 0,
            Ok(_) => 1,
            Err(_) => 2,
        });
        match format {
            ValidateFormat::Json => println!("{}", verdict(Some(&file), &outcome, rules)),
            ValidateFormat::Text => println!("{}", text(&file, &outcome)),
            ValidateFormat::Svrl => match &outcome.report {
                Ok(r) => print!("{}", gateway_rules::to_svrl(r, &file)),
                Err(e) => eprintln!("error: {file}: {e}"),
            },
        }
    }
    Ok(code)
}
