//! Re-checks the codec against the official EN 16931, Peppol and CIUS-RO
//! stylesheets through Saxon (`conformance/saxon_check.py`): round trips fire
//! the same rule ids as their sources, conversions add no fatal rule.
//! Needs a Python with `saxonche` and `lxml` (`GATEWAY_SAXON_PYTHON`, default
//! `python3`); takes about a minute, so the plain test run leaves it out and
//! `scripts/test.sh` runs it: `cargo test -p gateway-convert --test saxon -- --ignored`.

use std::path::PathBuf;
use std::process::Command;

use gateway_convert::{convert, Target};
use gateway_testdata::{samples, Kind};
use gateway_xml::Limits;

#[test]
#[ignore = "needs python3 + saxonche + lxml; about a minute"]
fn official_stylesheets_agree_with_the_codec() {
    let python = std::env::var("GATEWAY_SAXON_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import saxonche, lxml"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "python3 with saxonche and lxml is required (pip install saxonche lxml)"
    );
    let dir = std::env::temp_dir().join(format!("gateway-saxon-{}", std::process::id()));
    for d in ["src", "rt", "conv"] {
        std::fs::create_dir_all(dir.join(d)).unwrap_or_else(|e| panic!("{e}"));
    }
    let limits = Limits::default();
    let mut index = String::new();
    for (i, s) in samples().iter().enumerate() {
        let (same, other, kind) = match s.kind {
            Kind::Ubl => (Target::Ubl, Target::Cii, "ubl"),
            Kind::Cii => (Target::Cii, Target::Ubl, "cii"),
        };
        let name = format!("{i}.xml");
        let write = |d: &str, b: &[u8]| {
            std::fs::write(dir.join(d).join(&name), b).unwrap_or_else(|e| panic!("{e}"))
        };
        write("src", &s.bytes);
        write(
            "rt",
            &convert(&s.bytes, same, &limits).unwrap_or_else(|e| panic!("{}: {e}", s.name)),
        );
        write(
            "conv",
            &convert(&s.bytes, other, &limits).unwrap_or_else(|e| panic!("{}: {e}", s.name)),
        );
        index.push_str(&format!("{name}\t{kind}\t{}\t{}\n", s.embedded, s.name));
    }
    std::fs::write(dir.join("index.tsv"), index).unwrap_or_else(|e| panic!("{e}"));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance/saxon_check.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(&dir)
        .arg(gateway_testdata::conformance())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}");
    assert!(
        out.status.success(),
        "official stylesheets disagree:\n{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
