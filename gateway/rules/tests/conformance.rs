//! Every rule id we implement agrees with the official stylesheets on every
//! corpus document of every source; the ids not yet implemented are printed.

use std::collections::HashMap;

use gateway_rules::conformance::{parse_oracle, rule_set_for, run_source, SOURCES};
use gateway_rules::{implemented_rules, RuleSet, Syntax};

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
        if src == "peppol-bis3-2026.5" {
            // The SB-* documents run CEN + the self-billing layer (62 rules), as the oracle did.
            let sb: Vec<&String> = oracle
                .iter()
                .map(|(k, _)| k)
                .filter(|k| rule_set_for(src, k) == RuleSet::PeppolSelfBilling)
                .collect();
            assert_eq!(sb.len(), 9, "{sb:?}");
            assert!(s.disagreements.iter().all(|(k, _)| !sb.contains(&k)));
            let layer = implemented_rules(RuleSet::PeppolSelfBilling, Syntax::Ubl).len()
                - implemented_rules(RuleSet::En16931, Syntax::Ubl).len();
            assert_eq!(layer, 62);
        }
        if src == "en16931-cii" {
            // Every one of the 806 assertions of the official CII artefact is implemented.
            assert_eq!(s.rules.len(), 806, "{src}: implemented rule ids");
        }
        assert!(s.unimplemented.is_empty(), "{src}: {:?}", s.unimplemented);
        assert_eq!(s.agree, s.docs, "{src}: {:?}", s.disagreements);
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

/// `corpus_documents` (what `gateway conformance run` reads) yields exactly
/// the test corpus: same keys, same bytes.
#[test]
fn corpus_documents_match_the_test_corpus() {
    let root = gateway_testdata::conformance();
    let samples = gateway_testdata::samples();
    let mut files: Vec<String> = samples
        .iter()
        .map(|s| s.name.split('#').next().unwrap_or_default().to_string())
        .collect();
    files.dedup();
    let mut ours = Vec::new();
    for rel in files {
        let bytes = std::fs::read(root.join(&rel)).unwrap();
        ours.extend(gateway_rules::conformance::corpus_documents(&rel, &bytes).unwrap());
    }
    assert_eq!(ours.len(), samples.len());
    for ((k, b), s) in ours.iter().zip(&samples) {
        assert_eq!(k, &s.name);
        assert_eq!(b, &s.bytes, "{k}");
    }
}
