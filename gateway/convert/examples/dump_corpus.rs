//! Writes every corpus document (standalone and embedded) with its round trip
//! and its conversion to the other syntax, for `conformance/saxon_check.py`:
//! `cargo run --release --example dump_corpus -- OUTDIR`.

use std::fmt::Write as _;
use std::path::PathBuf;

use gateway_convert::{convert, Target};
use gateway_testdata::{samples, Kind};
use gateway_xml::Limits;

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "corpus-dump".into()),
    );
    for d in ["src", "rt", "conv"] {
        std::fs::create_dir_all(out.join(d)).unwrap_or_else(|e| panic!("{e}"));
    }
    let limits = Limits::default();
    let mut index = String::new();
    for (i, s) in samples().iter().enumerate() {
        let (same, other) = match s.kind {
            Kind::Ubl => (Target::Ubl, Target::Cii),
            Kind::Cii => (Target::Cii, Target::Ubl),
        };
        let name = format!("{i}.xml");
        let write = |dir: &str, bytes: &[u8]| {
            std::fs::write(out.join(dir).join(&name), bytes).unwrap_or_else(|e| panic!("{e}"))
        };
        write("src", &s.bytes);
        match convert(&s.bytes, same, &limits) {
            Ok(b) => write("rt", &b),
            Err(e) => eprintln!("{}: {e}", s.name),
        }
        match convert(&s.bytes, other, &limits) {
            Ok(b) => write("conv", &b),
            Err(e) => eprintln!("{}: {e}", s.name),
        }
        let kind = if s.kind == Kind::Ubl { "ubl" } else { "cii" };
        let _ = writeln!(index, "{name}\t{kind}\t{}\t{}", s.embedded, s.name);
    }
    std::fs::write(out.join("index.tsv"), index).unwrap_or_else(|e| panic!("{e}"));
}
