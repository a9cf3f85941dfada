//! Namespace and escaping edge cases of the round trip.

use gateway_xml::Limits;

fn round_trip(xml: &str) -> (gateway_ubl::Parsed, gateway_ubl::Parsed, String) {
    let limits = Limits::default();
    let a = gateway_ubl::read(xml.as_bytes(), &limits).unwrap_or_else(|e| panic!("{e}"));
    let out = gateway_ubl::write(&a.invoice);
    let s = String::from_utf8(out.clone()).expect("UTF-8");
    let b = gateway_ubl::read(&out, &limits).unwrap_or_else(|e| panic!("{e}\n{s}"));
    assert_eq!(a.invoice, b.invoice, "{s}");
    (a, b, s)
}

#[test]
fn unusual_prefixes_and_default_namespaces() {
    // cbc elements in the default namespace, `cac` bound under another
    // prefix, and an extension that reuses the prefix `cbc` for another URI.
    let xml = r#"<inv:Invoice xmlns:inv="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:agg="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
  <Note xmlns:cbc="urn:other" xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2" extra="1">hello <cbc:b>bold</cbc:b></Note>
  <ID xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">A-1</ID>
  <agg:AccountingSupplierParty><agg:Party><cbc:Foo xmlns:cbc="urn:other">x</cbc:Foo></agg:Party></agg:AccountingSupplierParty>
</inv:Invoice>"#;
    let (a, b, s) = round_trip(xml);
    assert_eq!(
        a.invoice.number.as_ref().map(|t| t.value.as_str()),
        Some("A-1")
    );
    // The conflicting prefix is redeclared locally where it is used.
    assert!(
        s.contains(r#"<cbc:Foo xmlns:cbc="urn:other">x</cbc:Foo>"#),
        "{s}"
    );
    let foo = b
        .doc
        .elements(b.doc.root())
        .flat_map(|c| b.doc.elements(c).collect::<Vec<_>>())
        .flat_map(|c| b.doc.elements(c).collect::<Vec<_>>())
        .find(|&c| b.doc.name(c).local == "Foo")
        .expect("Foo kept");
    assert_eq!(b.doc.name(foo).ns, "urn:other");
}

#[test]
fn escaping_survives() {
    let xml = "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" \
        xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\
        <cbc:Note>a &amp; b &lt; c &gt; d \"q\" 'a' &#13;x</cbc:Note>\
        <cbc:ID schemeID=\"a&quot;b&amp;c&#9;d&#10;e\">1</cbc:ID></Invoice>";
    let (a, _, _) = round_trip(xml);
    let note = &a.invoice.notes.first().expect("note").text.value;
    assert_eq!(note, "a & b < c > d \"q\" 'a' \rx");
}

#[test]
fn comments_and_processing_instructions_are_kept() {
    let xml = r#"<?xml version="1.0"?>
<!-- before root -->
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <!-- first --><?pi data?>
  <cbc:ID>1<!-- inside --></cbc:ID>
</Invoice>"#;
    let (_, _, s) = round_trip(xml);
    assert!(
        s.contains("<!-- first -->") && s.contains("<?pi data?>") && s.contains("<!-- inside -->"),
        "{s}"
    );
}

/// Many lines that all carry unknown content: reading, preserving and
/// writing stay linear (no per-sibling rescans).
#[test]
fn wide_preserved_content_stays_linear() {
    let mut s = String::from(
        "<Invoice xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\" \
         xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" \
         xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">",
    );
    let n = 50_000;
    for i in 0..n {
        s.push_str(&format!(
            "<cac:InvoiceLine><cbc:ID>{i}</cbc:ID><x:u xmlns:x=\"urn:x\"/></cac:InvoiceLine>"
        ));
    }
    s.push_str("</Invoice>");
    let start = std::time::Instant::now();
    let (a, _, out) = round_trip(&s);
    assert_eq!(a.invoice.lines.len(), n);
    assert_eq!(a.invoice.preserved.entries.len(), n);
    assert_eq!(out.matches("<x:u").count(), n);
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}
