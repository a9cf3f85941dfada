//! Matching elements by name key (namespaces count, and a key that agrees
//! by accident or by crafting never makes two different names equal), and
//! the parser's shortcuts that must not change what it reads.

use gateway_xml::names::{known_slot, name_key, Expanded, CAC, CBC};
use gateway_xml::{parse, Limits};

const DOC: &[u8] =
    br#"<a xmlns:x="urn:x" xmlns:y="urn:y" xmlns="urn:x"><x:b/><y:b/>text<b/><x:c/></a>"#;

#[test]
fn children_named_matches_namespace_and_local_name() {
    let doc = parse(DOC, &Limits::default()).expect("parses");
    let root = doc.root();
    let xb = Expanded::new("urn:x", "b");
    let yb = Expanded::new("urn:y", "b");
    // `b` in the default namespace is the same name as `x:b`.
    let xs: Vec<_> = doc.children_named(root, xb).collect();
    assert_eq!(xs.len(), 2);
    assert!(xs
        .iter()
        .all(|&c| doc.is_named(c, xb) && !doc.is_named(c, yb)));
    assert_eq!(doc.children_named(root, yb).count(), 1);
    assert_eq!(doc.children_named(root, Expanded::new("", "b")).count(), 0);
    assert_eq!(doc.name(xs[0]).key, name_key("urn:x", "b"));
    assert!(doc.name(xs[0]).is(xb));
}

#[test]
fn equal_keys_are_confirmed_by_the_strings() {
    let doc = parse(DOC, &Limits::default()).expect("parses");
    let root = doc.root();
    // `y:b` carrying the key of `x:b`, as a colliding name would.
    let forged = Expanded {
        ns: "urn:y",
        local: "b",
        key: name_key("urn:x", "b"),
        slot: known_slot("urn:y"),
    };
    assert_eq!(doc.children_named(root, forged).count(), 0);
    let forged_local = Expanded {
        ns: "urn:x",
        local: "c",
        key: name_key("urn:x", "b"),
        slot: known_slot("urn:x"),
    };
    assert_eq!(doc.children_named(root, forged_local).count(), 0);
    assert!(doc.elements(root).all(|c| !doc.is_named(c, forged)));
}

/// Names in the namespaces with a fixed slot (UBL, CII) are confirmed by
/// namespace id: a name in another namespace, or in one the document never
/// declares, carrying the same key still does not match.
#[test]
fn known_namespaces_are_confirmed_by_id() {
    let xml = format!(r#"<a xmlns:c="{CBC}" xmlns:k="urn:k"><c:ID/><k:ID/></a>"#);
    let doc = parse(xml.as_bytes(), &Limits::default()).expect("parses");
    let root = doc.root();
    let id = Expanded::new(CBC, "ID");
    assert_eq!(doc.children_named(root, id).count(), 1);
    assert_eq!(
        doc.children_named(root, Expanded::new("urn:k", "ID"))
            .count(),
        1
    );
    // cac:ID (never declared here) forged with the key of cbc:ID.
    let forged = Expanded {
        ns: CAC,
        local: "ID",
        key: id.key,
        slot: known_slot(CAC),
    };
    assert_eq!(doc.children_named(root, forged).count(), 0);
    assert!(doc.elements(root).all(|c| !doc.is_named(c, forged)));
    // And a document whose elements are in no namespace.
    let doc = parse(b"<a><ID/></a>", &Limits::default()).expect("parses");
    let plain = Expanded::new("", "ID");
    assert_eq!(doc.children_named(doc.root(), plain).count(), 1);
    assert_eq!(doc.children_named(doc.root(), id).count(), 0);
}

/// Line ends in text are normalised to `\n` when the input has carriage
/// returns (the parser skips the per-text scan when it has none).
#[test]
fn carriage_returns_in_text_become_line_feeds() {
    let doc = parse(b"<a><b>x\r\ny\rz</b><c>p\nq</c></a>", &Limits::default()).expect("parses");
    let texts: Vec<String> = doc
        .elements(doc.root())
        .map(|e| doc.text(e).into_owned())
        .collect();
    assert_eq!(texts, ["x\ny\nz", "p\nq"]);
    let doc = parse(b"<a><b>x\ny</b></a>", &Limits::default()).expect("parses");
    let b = doc.elements(doc.root()).next().expect("b");
    assert_eq!(doc.text(b), "x\ny");
}

/// `attr` compares keys first: it still finds exactly the un-namespaced
/// attribute of that local name.
#[test]
fn attr_finds_the_unnamespaced_attribute_only() {
    let doc = parse(
        br#"<a xmlns:p="urn:p" p:id="ns" id="plain" idx="other"/>"#,
        &Limits::default(),
    )
    .expect("parses");
    let root = doc.root();
    assert_eq!(doc.attr(root, "id"), Some("plain"));
    assert_eq!(doc.attr(root, "idx"), Some("other"));
    assert_eq!(doc.attr(root, "i"), None);
    assert_eq!(doc.attr(root, "p:id"), None);
    let steps = gateway_xml::names::Namespace::new("urn:p");
    assert_eq!(steps.name("id"), Expanded::new("urn:p", "id"));
}
