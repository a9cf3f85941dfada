//! `gateway_xml::parse` reads the common case with its own fast reader and
//! everything else with quick-xml. On every corpus document, and on broken
//! and unusual variants of them, it must give exactly what quick-xml alone
//! (`parse_reference`) gives: the same tree, or the same error at the same
//! place.

use gateway_xml::{parse, parse_reference, Limits};

/// Both readers' results, comparable: the whole tree (its `Debug` form) or
/// the error as reported.
fn outcome(r: Result<gateway_xml::Document, gateway_xml::XmlError>) -> Result<String, String> {
    r.map(|d| format!("{d:?}"))
        .map_err(|e| format!("{e:?} / {e}"))
}

fn same(label: &str, bytes: &[u8], limits: &Limits) {
    let fast = outcome(parse(bytes, limits));
    let reference = outcome(parse_reference(bytes, limits));
    assert!(
        fast == reference,
        "{label}: fast {} / reference {}",
        fast.as_ref().map_or_else(|e| e.clone(), |_| "ok".into()),
        reference
            .as_ref()
            .map_or_else(|e| e.clone(), |_| "ok".into())
    );
}

/// Variants of a document that exercise what the fast reader hands over
/// (and what it must refuse or read exactly as quick-xml does).
fn variants(xml: &str) -> Vec<(String, String)> {
    let mut v = Vec::new();
    let first_text = xml.find("</cbc:").or_else(|| xml.find("</"));
    let mut insert = |label: &str, at: Option<usize>, what: &str| {
        if let Some(at) = at.filter(|&a| xml.is_char_boundary(a)) {
            v.push((
                label.to_string(),
                format!("{}{what}{}", &xml[..at], &xml[at..]),
            ));
        }
    };
    for (label, what) in [
        ("amp", "a&amp;b&lt;&gt;&quot;&apos;"),
        ("charref", "&#65;&#x42;"),
        ("bad-entity", "&bogus;"),
        ("lone-amp", "a & b"),
        ("comment", "<!-- note -->"),
        ("comment-dashes", "<!-- a--b -->"),
        ("comment-empty", "<!---->"),
        ("cdata", "<![CDATA[<x>]]>"),
        ("pi", "<?keep this?>"),
        ("cr", "x\r\ny\rz"),
        ("gt", "a>b]]>c"),
        ("stray-lt", "a < b"),
        ("child", "<x:y xmlns:x=\"urn:x\" a='1' b=\"2\"/>"),
        ("tab-attr", "<y a=\"1\tx\"/>"),
        ("entity-attr", "<y a=\"&amp;&#65;\"/>"),
        ("lt-attr", "<y a=\"<\"/>"),
        ("dup-attr", "<y a=\"1\" a=\"2\"/>"),
        ("dup-xmlns", "<y xmlns:p=\"u\" xmlns:p=\"u\"/>"),
        ("nospace-attr", "<y a=\"1\"b=\"2\"/>"),
        ("spaced-eq", "<y a = \"1\"\n b\t=\t'2' />"),
        ("unquoted", "<y a=1/>"),
        ("unbound", "<p:y/>"),
        ("spaced-end", "<y></y >"),
        ("mismatch", "<y></z>"),
        ("unclosed", "<y>"),
        ("stray-end", "</y>"),
        ("doctype", "<!DOCTYPE x>"),
    ] {
        insert(label, first_text, what);
    }
    v.push(("crlf".into(), xml.replace('\n', "\r\n")));
    v.push(("cr-only".into(), xml.replace('\n', "\r")));
    v.push((
        "single-quotes".into(),
        xml.replacen("encoding=\"UTF-8\"", "encoding='utf-8'", 1),
    ));
    v.push((
        "latin1".into(),
        xml.replacen("encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\"", 1),
    ));
    v.push((
        "no-decl".into(),
        xml.trim_start_matches(|c| c != '>')
            .get(1..)
            .unwrap_or("")
            .to_string(),
    ));
    v.push(("leading-ws".into(), format!("  {xml}")));
    v.push(("trailing".into(), format!("{xml} tail")));
    v.push(("second-root".into(), format!("{xml}<again/>")));
    for cut in [
        1,
        7,
        40,
        41,
        100,
        xml.len() / 3,
        xml.len() / 2,
        xml.len() - 3,
    ] {
        if let Some(head) = xml.get(..cut) {
            v.push((format!("cut-{cut}"), head.to_string()));
        }
    }
    v
}

#[test]
fn fast_reader_agrees_with_quick_xml_on_the_corpus_and_its_variants() {
    let limits = Limits::default();
    let samples = gateway_testdata::samples();
    assert!(samples.len() > 100, "corpus: {}", samples.len());
    for s in &samples {
        same(&s.name, &s.bytes, &limits);
    }
    // Variants of a spread of documents (every 25th keeps the test quick).
    let mut checked = 0;
    for s in samples.iter().step_by(25) {
        let Ok(xml) = std::str::from_utf8(&s.bytes) else {
            continue;
        };
        for (label, text) in variants(xml) {
            same(&format!("{} [{label}]", s.name), text.as_bytes(), &limits);
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked} variants");
}

#[test]
fn limits_hit_in_the_fast_reader_are_reported_as_by_quick_xml() {
    let xml = b"<?xml version=\"1.0\"?>\n<a xmlns=\"urn:a\"><b x=\"1\">text</b><c><d/></c></a>";
    for limits in [
        Limits {
            max_depth: 2,
            ..Limits::default()
        },
        Limits {
            max_nodes: 4,
            ..Limits::default()
        },
        Limits {
            max_text_len: 3,
            ..Limits::default()
        },
        Limits {
            max_name_len: 1,
            ..Limits::default()
        },
        Limits {
            max_attributes: 0,
            ..Limits::default()
        },
        Limits {
            max_namespaces: 2,
            ..Limits::default()
        },
    ] {
        assert!(parse(xml, &limits).is_err(), "{limits:?}");
        same(&format!("{limits:?}"), xml, &limits);
    }
}
