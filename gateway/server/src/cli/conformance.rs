//! `gateway conformance run`: the partner conformance harness. Every example
//! and every test inside the VEFA unit-test files of a suite directory (the
//! layout of `../shared/conformance`: documents plus `oracle/<source>.json`)
//! is validated and its fatal and warning rule ids compared with the verdicts
//! of the official stylesheets; a table per source, every disagreement, and
//! one summary line. Exit 0 when every document agrees, 1 otherwise.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use gateway_rules::conformance::{self, SourceSummary};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use super::Format;
use crate::Error;

#[derive(Debug, Subcommand)]
pub enum ConformanceCommand {
    /// Run the suite and compare with the oracle.
    #[command(
        after_help = "Examples:\n  gateway conformance run --suite ../shared/conformance\n  gateway conformance run --suite peppol --format json   # the source from validate.artefacts / GATEWAY_ARTEFACTS\n\nSources: en16931, en16931-cii, peppol (peppol-bis3-2026.5), cius-ro.\nExit code: 0 every document agrees, 1 some disagree, 2 unreadable suite."
    )]
    Run {
        /// A suite directory (all sources), or one source name taken from the configured
        /// artefact directory.
        #[arg(long)]
        suite: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Source names as the oracle files are named, with the short aliases.
fn source_of(name: &str) -> Option<&'static str> {
    match name {
        "peppol" => Some("peppol-bis3-2026.5"),
        other => conformance::SOURCES.iter().copied().find(|s| *s == other),
    }
}

/// Resolves `--suite`: (directory, sources to run).
fn resolve(suite: &str, artefacts: Option<PathBuf>) -> Result<(PathBuf, Vec<&'static str>), Error> {
    let path = Path::new(suite);
    if path.is_dir() {
        return Ok((path.to_path_buf(), conformance::SOURCES.to_vec()));
    }
    let Some(source) = source_of(suite) else {
        return Err(Error::Usage(format!(
            "--suite `{suite}`: not a directory nor one of en16931, en16931-cii, peppol, cius-ro"
        )));
    };
    let dir = artefacts.ok_or_else(|| {
        Error::Usage(format!(
            "--suite {suite}: set validate.artefacts or GATEWAY_ARTEFACTS to the suite directory"
        ))
    })?;
    Ok((dir, vec![source]))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// A source's oracle verdicts and the corpus documents by key.
type Loaded = (
    Vec<(String, conformance::Verdict)>,
    HashMap<String, Vec<u8>>,
);

/// The oracle of `source` and the documents its keys name (only the files it names are read).
fn load(dir: &Path, source: &str) -> Result<Loaded, Error> {
    let path = dir.join("oracle").join(format!("{source}.json"));
    let json = std::fs::read_to_string(&path).map_err(io(&path))?;
    let oracle = conformance::parse_oracle(&json)
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
    let mut files: Vec<&str> = oracle
        .iter()
        .map(|(k, _)| k.split('#').next().unwrap_or(k))
        .collect();
    files.sort();
    files.dedup();
    let mut docs = HashMap::new();
    for rel in files {
        let file = dir.join(rel);
        let Ok(bytes) = std::fs::read(&file) else {
            continue; // reported per document as "not in the corpus"
        };
        match conformance::corpus_documents(rel, &bytes) {
            Ok(list) => docs.extend(list),
            Err(e) => tracing::warn!("{e}"),
        }
    }
    Ok((oracle, docs))
}

fn summary_json(s: &SourceSummary) -> serde_json::Value {
    json!({
        "source": s.name,
        "documents": s.docs,
        "agree": s.agree,
        "rules": s.rules.len(),
        "rules_agreeing": s.rules_agreeing(),
        "not_implemented": s.unimplemented,
        "errors": s.errors.iter().map(|(k, e)| json!({"document": k, "error": e})).collect::<Vec<_>>(),
        "disagreements": s.disagreements.iter().map(|(k, d)| json!({"document": k, "ids": d})).collect::<Vec<_>>(),
    })
}

pub fn run(cmd: &ConformanceCommand, artefacts: Option<PathBuf>) -> Result<u8, Error> {
    let ConformanceCommand::Run { suite, format } = cmd;
    let (dir, sources) = resolve(suite, artefacts)?;
    let mut loaded = Vec::new();
    for source in sources {
        loaded.push((source, load(&dir, source)?));
    }
    let total: usize = loaded.iter().map(|(_, (o, _))| o.len()).sum();
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} documents, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    if *format == Format::Json {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let mut summaries = Vec::new();
    for (source, (oracle, docs)) in &loaded {
        bar.set_message(source.to_string());
        summaries.push(conformance::run_source_with(
            source,
            oracle,
            docs,
            &mut || bar.inc(1),
        ));
    }
    bar.finish_and_clear();
    let all_agree = summaries.iter().all(|s| s.agree == s.docs);
    let line = summaries
        .iter()
        .map(|s| format!("{} {}/{}", s.name, s.agree, s.docs))
        .collect::<Vec<_>>()
        .join(", ");
    let disagreeing: usize = summaries.iter().map(|s| s.docs - s.agree).sum();
    match format {
        Format::Json => println!(
            "{}",
            json!({
                "suite": dir.display().to_string(),
                "agree": all_agree,
                "sources": summaries.iter().map(summary_json).collect::<Vec<_>>(),
            })
        ),
        Format::Text => {
            for s in &summaries {
                print!("{s}");
                for (k, d) in &s.disagreements {
                    println!("    {k}: {}", d.join(" "));
                }
            }
            println!("conformance: {line} documents agree with the oracle; {disagreeing} disagree");
        }
    }
    Ok(if all_agree { 0 } else { 1 })
}
