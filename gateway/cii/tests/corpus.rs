//! Every CII document of the shared corpus parses, and CII -> model -> CII
//! keeps the model and every element path, attribute and text value.

use gateway_testdata::{missing, path_values, samples, Kind};
use gateway_xml::Limits;

#[test]
fn every_cii_document_parses_and_round_trips() {
    let limits = Limits::default();
    let all: Vec<_> = samples()
        .into_iter()
        .filter(|s| s.kind == Kind::Cii)
        .collect();
    assert!(
        all.len() > 300,
        "expected the whole CII corpus, found {}",
        all.len()
    );
    let mut failures = Vec::new();
    let (mut standalone, mut embedded) = (0, 0);
    for s in &all {
        let parsed = match gateway_cii::read(&s.bytes, &limits) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: parse: {e}", s.name));
                continue;
            }
        };
        let out = gateway_cii::write(&parsed.invoice);
        let again = match gateway_cii::read(&out, &limits) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: re-parse: {e}", s.name));
                continue;
            }
        };
        if again.invoice != parsed.invoice {
            let strip = |s: String| {
                s.lines()
                    .filter(|l| {
                        !l.trim_start().starts_with("src:")
                            && !l
                                .trim()
                                .trim_end_matches(',')
                                .chars()
                                .all(|c| c.is_ascii_digit())
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let (a, b) = (
                strip(format!("{:#?}", parsed.invoice)),
                strip(format!("{:#?}", again.invoice)),
            );
            if std::env::var("SHOW").is_ok_and(|v| s.name.contains(&v)) {
                eprintln!("{a}\n-----\n{b}\n{}", String::from_utf8_lossy(&out));
            }
            let first = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            let ctx: Vec<_> = a.lines().skip(first.saturating_sub(4)).take(6).collect();
            let ctx2: Vec<_> = b.lines().skip(first.saturating_sub(4)).take(6).collect();
            failures.push(format!(
                "{}: model differs after round trip: {ctx:?} vs {ctx2:?}",
                s.name
            ));
            continue;
        }
        let (a, b) = (path_values(&parsed.doc), path_values(&again.doc));
        if a != b {
            let lost = missing(&a, &b);
            let added = missing(&b, &a);
            failures.push(format!(
                "{}: paths differ; lost {:?} added {:?}",
                s.name,
                lost.iter().take(3).collect::<Vec<_>>(),
                added.iter().take(3).collect::<Vec<_>>()
            ));
            continue;
        }
        if s.embedded {
            embedded += 1;
        } else {
            standalone += 1;
        }
    }
    eprintln!("CII round trip: {standalone} standalone + {embedded} embedded documents OK");
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
