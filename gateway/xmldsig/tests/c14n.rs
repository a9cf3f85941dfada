//! Canonical XML through libxml2: algorithms, selectors and inclusive prefixes.

use gateway_xmldsig::{canonicalize, canonicalize_parts, Algorithm, Error, Part, Selector};

const DOC: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<!-- leading comment -->
<env:Envelope xmlns:env="urn:env" xmlns:x="urn:x" xmlns:unused="urn:unused">
  <env:Header><x:H wsu:Id="h1" xmlns:wsu="urn:wsu"   b="2" a="1"/></env:Header>
  <env:Body Id="body"><x:b>t &amp; &#65;<!-- inner --></x:b></env:Body>
</env:Envelope>
"#;

fn run(selector: Selector<'_>, algorithm: Algorithm, prefixes: &[&str]) -> String {
    String::from_utf8(canonicalize(DOC, selector, algorithm, prefixes).unwrap()).unwrap()
}

#[test]
fn exclusive_c14n_of_an_element_keeps_only_used_namespaces() {
    assert_eq!(
        run(Selector::ById("body"), Algorithm::ExcC14n, &[]),
        r#"<env:Body xmlns:env="urn:env" Id="body"><x:b xmlns:x="urn:x">t &amp; A</x:b></env:Body>"#
    );
}

#[test]
fn inclusive_c14n_of_an_element_keeps_ancestor_namespaces() {
    assert_eq!(
        run(Selector::ById("body"), Algorithm::C14n10, &[]),
        r#"<env:Body xmlns:env="urn:env" xmlns:unused="urn:unused" xmlns:x="urn:x" Id="body"><x:b>t &amp; A</x:b></env:Body>"#
    );
}

#[test]
fn inclusive_prefix_list_adds_namespaces_to_exclusive_c14n() {
    assert_eq!(
        run(Selector::ById("body"), Algorithm::ExcC14n, &["unused"]),
        r#"<env:Body xmlns:env="urn:env" xmlns:unused="urn:unused" Id="body"><x:b xmlns:x="urn:x">t &amp; A</x:b></env:Body>"#
    );
}

#[test]
fn comments_are_kept_only_by_the_with_comments_variants() {
    assert!(
        run(Selector::ById("body"), Algorithm::ExcC14nWithComments, &[]).contains("<!-- inner -->")
    );
    assert!(!run(Selector::ById("body"), Algorithm::ExcC14n, &[]).contains("inner"));
    let whole = run(Selector::Document, Algorithm::C14n10WithComments, &[]);
    assert!(whole.starts_with("<!-- leading comment -->\n<env:Envelope"));
}

#[test]
fn namespaced_id_and_attribute_order() {
    assert_eq!(
        run(Selector::ById("h1"), Algorithm::ExcC14n, &[]),
        r#"<x:H xmlns:wsu="urn:wsu" xmlns:x="urn:x" a="1" b="2" wsu:Id="h1"></x:H>"#
    );
}

#[test]
fn element_and_document_element_selectors() {
    let by_name = run(
        Selector::Element {
            namespace: "urn:x",
            local_name: "b",
        },
        Algorithm::ExcC14n,
        &[],
    );
    assert_eq!(by_name, r#"<x:b xmlns:x="urn:x">t &amp; A</x:b>"#);
    let root = run(Selector::DocumentElement, Algorithm::ExcC14n, &[]);
    assert!(
        root.starts_with(r#"<env:Envelope xmlns:env="urn:env">"#),
        "{root}"
    );
    assert!(root.ends_with("</env:Envelope>"));
}

#[test]
fn missing_or_duplicate_ids_are_errors() {
    let err = canonicalize(DOC, Selector::ById("nope"), Algorithm::ExcC14n, &[]).unwrap_err();
    assert!(
        matches!(&err, Error::C14n(m) if m.contains("no element")),
        "{err}"
    );
    let dup = br#"<r><a Id="x"/><b Id="x"/></r>"#;
    let err = canonicalize(dup, Selector::ById("x"), Algorithm::ExcC14n, &[]).unwrap_err();
    assert!(
        matches!(&err, Error::C14n(m) if m.contains("2 elements")),
        "{err}"
    );
}

#[test]
fn several_parts_from_one_parse_match_one_at_a_time() {
    let parts = [
        (Selector::ById("body"), Algorithm::ExcC14n, &["unused"][..]),
        (Selector::ById("h1"), Algorithm::C14n10, &[][..]),
        (
            Selector::Element {
                namespace: "urn:env",
                local_name: "Header",
            },
            Algorithm::ExcC14nWithComments,
            &[][..],
        ),
        (Selector::ById("nope"), Algorithm::ExcC14n, &[][..]),
    ];
    let batch: Vec<Part<'_>> = parts
        .iter()
        .map(|&(selector, algorithm, inclusive_prefixes)| Part {
            selector,
            algorithm,
            inclusive_prefixes,
        })
        .collect();
    let got = canonicalize_parts(DOC, &batch).unwrap();
    assert_eq!(got.len(), parts.len());
    for ((selector, algorithm, prefixes), got) in parts.iter().zip(got) {
        match canonicalize(DOC, *selector, *algorithm, prefixes) {
            Ok(one) => assert_eq!(got.unwrap(), one),
            Err(e) => assert_eq!(got.unwrap_err().to_string(), e.to_string()),
        }
    }
    // A document that does not parse is one error for all.
    assert!(canonicalize_parts(b"<a>", &batch).is_err());
}

#[test]
fn algorithm_uris_round_trip() {
    for a in [
        Algorithm::C14n10,
        Algorithm::C14n10WithComments,
        Algorithm::ExcC14n,
        Algorithm::ExcC14nWithComments,
    ] {
        assert_eq!(Algorithm::from_uri(a.uri()), Some(a));
    }
    assert_eq!(Algorithm::from_uri("http://example.com/other"), None);
}

#[test]
fn canonicalization_runs_on_many_threads_at_once() {
    let expected = run(Selector::ById("body"), Algorithm::ExcC14n, &["unused"]);
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let expected = expected.clone();
            std::thread::spawn(move || {
                for _ in 0..50 {
                    assert_eq!(
                        run(Selector::ById("body"), Algorithm::ExcC14n, &["unused"]),
                        expected
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread panicked");
    }
}
