//! Hostile input: every case is an error with a line and column, never a panic.

use gateway_xml::{parse, Limits, XmlError, XmlErrorKind};

fn err(input: &[u8]) -> XmlError {
    err_with(input, &Limits::default())
}

fn err_with(input: &[u8], limits: &Limits) -> XmlError {
    match parse(input, limits) {
        Ok(_) => panic!("accepted: {}", String::from_utf8_lossy(input)),
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1, "no position: {e:?}");
            e
        }
    }
}

#[test]
fn doctype_is_refused() {
    let e =
        err(b"<?xml version=\"1.0\"?>\n<!DOCTYPE Invoice [<!ELEMENT Invoice ANY>]>\n<Invoice/>");
    assert_eq!(e.kind, XmlErrorKind::DocType);
    assert_eq!((e.line, e.column), (2, 1));
}

#[test]
fn billion_laughs_is_refused() {
    let doc = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"#;
    assert_eq!(err(doc).kind, XmlErrorKind::DocType);
}

#[test]
fn undeclared_entities_are_refused() {
    let e = err(b"<a>\n  &xxe;</a>");
    assert_eq!(e.kind, XmlErrorKind::Entity("xxe".into()));
    assert_eq!(e.line, 2);
    let e = err(b"<a b=\"&xxe;\"/>");
    assert!(
        matches!(e.kind, XmlErrorKind::Entity(_) | XmlErrorKind::Malformed(_)),
        "{e}"
    );
}

#[test]
fn predefined_entities_and_char_refs_are_read() {
    let doc = parse(
        b"<a x=\"&lt;&#65;\">&amp;&#x42;&gt;</a>",
        &Limits::default(),
    )
    .expect("parses");
    let root = doc.root();
    assert_eq!(doc.text(root), "&B>");
    assert_eq!(doc.attr(root, "x"), Some("<A"));
}

#[test]
fn depth_bomb_is_refused() {
    let mut s = String::new();
    for _ in 0..100_000 {
        s.push_str("<a>");
    }
    let e = err(s.as_bytes());
    assert_eq!(e.kind, XmlErrorKind::TooDeep(64));
    assert_eq!(e.line, 1);
}

#[test]
fn huge_attribute_count_is_refused() {
    let mut s = String::from("<a");
    for i in 0..10_000 {
        s.push_str(&format!(" a{i}=\"x\""));
    }
    s.push_str("/>");
    assert_eq!(err(s.as_bytes()).kind, XmlErrorKind::TooManyAttributes(64));
}

#[test]
fn duplicate_attributes_are_refused() {
    assert!(matches!(
        err(b"<a x=\"1\" x=\"2\"/>").kind,
        XmlErrorKind::Malformed(_)
    ));
    let e = err(b"<a xmlns:p=\"u\" xmlns:q=\"u\" p:x=\"1\" q:x=\"2\"/>");
    assert!(matches!(e.kind, XmlErrorKind::Malformed(_)), "{e}");
    // Namespace declarations are attributes too.
    for dup in [
        &b"<a xmlns:p=\"u\" xmlns:p=\"v\"/>"[..],
        b"<a xmlns=\"u\" xmlns=\"u\"><b/></a>",
        b"<a><b xmlns:p=\"u\" x=\"1\" xmlns:p=\"u\"/></a>",
    ] {
        let e = err(dup);
        assert!(matches!(e.kind, XmlErrorKind::Malformed(_)), "{e}");
    }
    // The same prefix declared again on a child is no duplicate.
    let ok = gateway_xml::parse(
        b"<p:a xmlns:p=\"u\"><p:b xmlns:p=\"v\"/></p:a>",
        &gateway_xml::Limits::default(),
    );
    assert!(ok.is_ok());
}

#[test]
fn size_text_name_and_node_limits() {
    let small = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    assert!(matches!(
        err_with(b"<a>0123456789</a>", &small).kind,
        XmlErrorKind::TooLarge(..)
    ));
    let text = Limits {
        max_text_len: 4,
        ..Limits::default()
    };
    assert_eq!(
        err_with(b"<a>0123456789</a>", &text).kind,
        XmlErrorKind::TextTooLong(4)
    );
    assert_eq!(
        err_with(b"<a b=\"0123456789\"/>", &text).kind,
        XmlErrorKind::TextTooLong(4)
    );
    let names = Limits {
        max_name_len: 3,
        ..Limits::default()
    };
    assert_eq!(
        err_with(b"<abcdef/>", &names).kind,
        XmlErrorKind::NameTooLong(3)
    );
    let nodes = Limits {
        max_nodes: 5,
        ..Limits::default()
    };
    assert_eq!(
        err_with(b"<a><b/><b/><b/><b/><b/></a>", &nodes).kind,
        XmlErrorKind::TooManyNodes(5)
    );
}

#[test]
fn encodings_must_be_utf8_or_utf16_and_declared_correctly() {
    let e = err(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>");
    assert_eq!(
        e.kind,
        XmlErrorKind::UnsupportedEncoding("ISO-8859-1".into())
    );
    let e = err(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>");
    assert!(
        matches!(e.kind, XmlErrorKind::EncodingMismatch { .. }),
        "{e}"
    );
    let e = err(b"<a>\n\xff\xfe</a>");
    assert_eq!(e.kind, XmlErrorKind::InvalidBytes("UTF-8"));
    assert_eq!(e.line, 2);
    // UTF-16 LE with BOM and a matching declaration is read.
    let src = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>é</a>";
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(src.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let doc = parse(&bytes, &Limits::default()).expect("UTF-16 parses");
    assert_eq!(doc.text(doc.root()), "é");
    // UTF-16 that says UTF-8 is refused.
    let src = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>";
    let mut bytes = vec![0xFE, 0xFF];
    bytes.extend(src.encode_utf16().flat_map(|u| u.to_be_bytes()));
    assert!(matches!(
        err(&bytes).kind,
        XmlErrorKind::EncodingMismatch { .. }
    ));
    // A lone UTF-16 surrogate is refused.
    assert_eq!(
        err(&[0xFF, 0xFE, b'<', 0, 0x00, 0xD8]).kind,
        XmlErrorKind::InvalidBytes("UTF-16")
    );
    // UTF-8 BOM is fine.
    assert!(parse(b"\xef\xbb\xbf<a/>", &Limits::default()).is_ok());
}

#[test]
fn truncated_input_reports_where() {
    let e = err(b"<Invoice>\n  <ID>1</ID>\n  <Note>x");
    assert_eq!(e.kind, XmlErrorKind::Truncated("Note".into()));
    assert_eq!(e.line, 3);
    assert!(matches!(err(b"").kind, XmlErrorKind::NoRoot));
    assert!(matches!(
        err(b"<a><b></a>").kind,
        XmlErrorKind::Malformed(_)
    ));
    assert!(matches!(err(b"<a/><b/>").kind, XmlErrorKind::AfterRoot(_)));
    assert!(matches!(
        err(b"text<a/>").kind,
        XmlErrorKind::TextOutsideRoot
    ));
    assert!(matches!(
        err(b"<p:a/>").kind,
        XmlErrorKind::UnboundPrefix(_)
    ));
}

#[test]
fn element_positions_and_xpaths() {
    let doc = parse(
        "<r xmlns:c=\"urn:c\">\n  <c:x/>\n  <c:x>é<c:y/></c:x>\n</r>".as_bytes(),
        &Limits::default(),
    )
    .expect("parses");
    let xs: Vec<_> = doc.elements(doc.root()).collect();
    assert_eq!(doc.line_col(xs[1]), (3, 3));
    let y = doc.elements(xs[1]).next().expect("y");
    // Node columns count UTF-8 bytes: "é" is two.
    assert_eq!(doc.line_col(y), (3, 10));
    assert_eq!(doc.xpath(y), "/r/c:x[2]/c:y[1]");
    assert_eq!(doc.name(y).ns, "urn:c");
}

/// Every prefix of a real invoice and a sweep of byte flips: errors or
/// documents, never a panic.
#[test]
fn truncations_and_corruptions_never_panic() {
    let base = include_bytes!("data/small.xml");
    let limits = Limits::default();
    for n in 0..base.len() {
        let slice = base.get(..n).unwrap_or(base);
        if let Err(e) = parse(slice, &limits) {
            assert!(e.line >= 1);
        }
    }
    let mut state: u32 = 12345;
    for _ in 0..3000 {
        let mut v = base.to_vec();
        for _ in 0..4 {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let pos = (state as usize >> 8) % v.len();
            if let Some(b) = v.get_mut(pos) {
                *b = (state >> 3) as u8;
            }
        }
        let _ = parse(&v, &limits);
    }
}

#[test]
fn namespace_floods_are_refused() {
    let mut s = String::from("<a");
    for i in 0..60 {
        s.push_str(&format!(" xmlns:p{i}=\"urn:{i}\""));
    }
    s.push('>');
    for i in 0..10 {
        s.push_str(&format!("<b xmlns:q=\"urn:x{i}\">"));
    }
    let small = Limits {
        max_namespaces: 64,
        ..Limits::default()
    };
    assert_eq!(
        err_with(s.as_bytes(), &small).kind,
        XmlErrorKind::TooManyNamespaces(64)
    );
}

/// Wide documents stay linear: 200,000 siblings that all carry something
/// unknown are read and preserved quickly.
#[test]
fn wide_documents_stay_linear() {
    let mut s = String::from(
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" \
         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\">",
    );
    for _ in 0..200_000 {
        s.push_str("<cac:InvoiceLine><x/></cac:InvoiceLine>");
    }
    s.push_str("</Invoice>");
    let start = std::time::Instant::now();
    let doc = parse(s.as_bytes(), &Limits::default()).expect("parses");
    assert_eq!(doc.elements(doc.root()).count(), 200_000);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}
