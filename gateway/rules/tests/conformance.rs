//! Every rule id we implement agrees with the official stylesheets on every
//! corpus document of every source; the ids not yet implemented are printed.

use std::collections::HashMap;

use gateway_rules::conformance::{parse_oracle, run_source, SOURCES};

#[test]
fn implemented_rules_agree_with_the_oracle_everywhere() {
    let root = gateway_testdata::conformance();
    let docs: HashMap<String, Vec<u8>> = gateway_testdata::samples()
        .into_iter()
        .map(|s| (s.name, s.bytes))
        .collect();
    let mut failures = Vec::new();
    for src in SOURCES {
        let path = root.join("oracle").join(format!("{src}.json"));
        let json =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let oracle = parse_oracle(&json).unwrap_or_else(|e| panic!("{src}: {e}"));
        let s = run_source(src, &oracle, &docs);
        print!("{s}");
        assert!(
            s.errors.is_empty(),
            "{src}: documents we could not judge: {:?}",
            s.errors
        );
        // EN 16931 UBL and CII: every document agrees; for CII every one of
        // the 806 assertions of the official artefact is implemented.
        if src == "en16931" || src == "en16931-cii" {
            assert_eq!(s.agree, s.docs, "{src}: documents disagree");
        }
        if src == "en16931-cii" {
            assert_eq!(s.rules.len(), 806, "{src}: implemented rule ids");
        }
        // A document where the oracle fires only rules we implement must agree fully.
        assert_eq!(
            s.in_scope, s.in_scope_agree,
            "{src}: in-scope documents disagree"
        );
        for (id, st) in &s.rules {
            if st.agree != st.total {
                failures.push(format!(
                    "{src} {id}: {}/{} e.g. {:?}",
                    st.agree, st.total, st.disagree
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "rules disagreeing with the oracle:\n{}",
        failures.join("\n")
    );
}
