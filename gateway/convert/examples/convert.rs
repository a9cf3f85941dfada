//! Stand-in for `gateway convert` until the server crate wires it:
//! `cargo run --example convert -- --to ubl|cii IN [-o OUT]` (`-` = stdin/stdout).
//! Several inputs with `-o DIR` write `DIR/<name>` each (used by the
//! conformance scripts).

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use gateway_convert::{convert, Target};
use gateway_xml::Limits;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut target = None;
    let mut out = None;
    let mut inputs = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--to" => {
                target = match it.next().map(String::as_str) {
                    Some("ubl") => Some(Target::Ubl),
                    Some("cii") => Some(Target::Cii),
                    _ => None,
                }
            }
            "-o" => out = it.next().cloned(),
            _ => inputs.push(a.clone()),
        }
    }
    let Some(target) = target else {
        eprintln!("usage: convert --to ubl|cii IN... [-o OUT]");
        return ExitCode::from(2);
    };
    if inputs.is_empty() {
        inputs.push("-".into());
    }
    let many = inputs.len() > 1;
    let mut status = ExitCode::SUCCESS;
    for input in &inputs {
        let mut bytes = Vec::new();
        let read = if input == "-" {
            std::io::stdin().read_to_end(&mut bytes).map(|_| ())
        } else {
            std::fs::read(input).map(|b| bytes = b)
        };
        if let Err(e) = read {
            eprintln!("{input}: {e}");
            return ExitCode::from(2);
        }
        let result = match convert(&bytes, target, &Limits::default()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{input}: {e}");
                status = ExitCode::from(2);
                continue;
            }
        };
        let dest = match (&out, many) {
            (Some(dir), true) => {
                let name = Path::new(input)
                    .file_name()
                    .map(|n| n.to_os_string())
                    .unwrap_or_default();
                Some(Path::new(dir).join(name).to_string_lossy().into_owned())
            }
            (o, _) => o.clone(),
        };
        let written = match dest.as_deref() {
            None | Some("-") => std::io::stdout().write_all(&result),
            Some(p) => std::fs::write(p, &result),
        };
        if let Err(e) = written {
            eprintln!("{input}: {e}");
            return ExitCode::from(2);
        }
    }
    status
}
