//! The native exclusive canonicalization against libxml2's, part by part: every element with an
//! Id, every SignedInfo and the document element of the shared AS4 and SMP vectors (the SOAP
//! part of the MIME messages the Python peer made) and of hand-made documents aimed at the
//! namespace rules, with no, the document's own and other InclusiveNamespaces lists. The bytes
//! must be identical, and a part one refuses the other must refuse too.

mod common;

use gateway_xmldsig::{canonicalize_parts, canonicalize_parts_libxml2, Algorithm, Part, Selector};

const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Values of the attributes named Id/ID/id (any prefix) and the PrefixLists of the document.
fn ids_and_prefix_lists(xml: &str) -> (Vec<String>, Vec<String>) {
    let (mut ids, mut lists) = (Vec::new(), Vec::new());
    for (i, _) in xml.match_indices("=\"") {
        let name_start = xml[..i]
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |p| p + 1);
        let name = &xml[name_start..i];
        let local = name.rsplit(':').next().unwrap_or(name);
        let value = &xml[i + 2..];
        let value = &value[..value.find('"').unwrap_or(0)];
        if matches!(local, "Id" | "ID" | "id") && !ids.iter().any(|v| v == value) {
            ids.push(value.to_owned());
        }
        if local == "PrefixList" && !lists.iter().any(|v| v == value) {
            lists.push(value.to_owned());
        }
    }
    (ids, lists)
}

/// Compares both implementations on every part of `xml`; returns how many parts agreed on bytes.
fn compare(name: &str, xml: &[u8], extra_lists: &[&str]) -> usize {
    let text = String::from_utf8_lossy(xml);
    let (ids, doc_lists) = ids_and_prefix_lists(&text);
    let mut lists: Vec<String> = vec![String::new()];
    lists.extend(doc_lists);
    lists.extend(extra_lists.iter().map(|s| s.to_string()));
    let mut agreed = 0;
    for list in &lists {
        let prefixes: Vec<&str> = list.split_whitespace().collect();
        for algorithm in [Algorithm::ExcC14n, Algorithm::ExcC14nWithComments] {
            let mut parts = vec![
                Part {
                    selector: Selector::DocumentElement,
                    algorithm,
                    inclusive_prefixes: &prefixes,
                },
                Part {
                    selector: Selector::Element {
                        namespace: DS,
                        local_name: "SignedInfo",
                    },
                    algorithm,
                    inclusive_prefixes: &prefixes,
                },
            ];
            parts.extend(ids.iter().map(|id| Part {
                selector: Selector::ById(id),
                algorithm,
                inclusive_prefixes: &prefixes,
            }));
            let native = canonicalize_parts(xml, &parts);
            let reference = canonicalize_parts_libxml2(xml, &parts);
            let (native, reference) = match (native, reference) {
                (Ok(n), Ok(r)) => (n, r),
                (Err(_), Err(_)) => continue,
                (n, r) => panic!(
                    "{name}: the document is refused by one side only: native {:?}, libxml2 {:?}",
                    n.err(),
                    r.err()
                ),
            };
            for ((part, n), r) in parts.iter().zip(native).zip(reference) {
                match (n, r) {
                    (Ok(n), Ok(r)) => {
                        assert_eq!(
                            String::from_utf8_lossy(&n),
                            String::from_utf8_lossy(&r),
                            "{name}: {:?} {algorithm:?} PrefixList {list:?}",
                            part.selector
                        );
                        agreed += 1;
                    }
                    (Err(_), Err(_)) => {}
                    (n, r) => panic!(
                        "{name}: {:?} {algorithm:?} {list:?}: native {n:?}, libxml2 {r:?}",
                        part.selector
                    ),
                }
            }
        }
    }
    agreed
}

/// The SOAP envelope (first MIME part) of a multipart message.
fn soap_part(mime: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(mime);
    let start = text.find("\r\n\r\n").expect("part headers end") + 4;
    let body = &text[start..];
    let end = body.find("\r\n--").expect("part ends");
    body.as_bytes()[..end].to_vec()
}

#[test]
fn shared_vectors_canonicalize_as_libxml2_does() {
    let mut agreed = 0;
    for name in ["as4/TestReceipt12.xml", "as4/from-holodeck-1.xml"] {
        let xml = common::read_shared(&format!("vectors/{name}"));
        agreed += compare(name, &xml, &["#default", "soapenv eb3 xsd", "S12 wsu ds"]);
        // The holodeck file starts with a licence comment before its XML declaration, which
        // both refuse; without it, it is the message phase4 sent.
        let text = String::from_utf8_lossy(&xml);
        if let Some(decl) = text.find("<?xml") {
            agreed += compare(name, text[decl..].as_bytes(), &["#default ds"]);
        }
    }
    for name in [
        "message.mime",
        "message-not-serviced.mime",
        "tampered-attachment.mime",
        "tampered-messaging.mime",
    ] {
        let mime = common::read_shared(&format!("vectors/as4/generated/{name}"));
        agreed += compare(name, &soap_part(&mime), &["#default", "S12 eb"]);
    }
    for name in ["receipt.xml", "error-not-serviced.xml", "sbd.xml"] {
        let xml = common::read_shared(&format!("vectors/as4/generated/{name}"));
        agreed += compare(name, &xml, &["#default"]);
    }
    let smp = common::shared_dir().join("vectors/smp");
    for entry in std::fs::read_dir(smp).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "xml") {
            let xml = std::fs::read(&path).unwrap();
            agreed += compare(&path.display().to_string(), &xml, &["#default"]);
        }
    }
    assert!(agreed > 100, "only {agreed} parts compared");
}

/// Hand-made documents for the namespace rules, text and attribute escaping and refusals.
const DOCS: &[&str] = &[
    // Default namespaces, undeclared and redeclared.
    r#"<a xmlns="urn:a" xmlns:p="urn:p"><b Id="1"><c xmlns="" Id="2"><d Id="3"/></c><p:e xmlns="urn:a" Id="4"/></b></a>"#,
    r#"<a xmlns="urn:a"><b xmlns="" Id="1"><c xmlns="urn:c" Id="2"><d xmlns="" Id="3"/></c></b></a>"#,
    r#"<a><b Id="1"><c xmlns="urn:c"><d xmlns=""/></c></b></a>"#,
    // Prefixes redeclared to the same and to another URI; attribute namespaces.
    r#"<p:a xmlns:p="urn:p" xmlns:q="urn:q" q:x="1"><p:b Id="1" q:y="2"><p:c xmlns:p="urn:p" Id="2"><p:d xmlns:p="urn:other" Id="3" q:z="3"/></p:c></p:b></p:a>"#,
    // An ancestor with a prefixed attribute whose prefix the InclusiveNamespaces list names.
    r#"<a xmlns:s="urn:s" xmlns:u="urn:u" s:must="1"><s:b><c Id="1"><d xmlns:s="urn:s" Id="2" s:f="1"/></c></s:b></a>"#,
    r#"<s:a xmlns:s="urn:s" xmlns:w="urn:w"><s:h w:Id="h" s:m="1"><w:t Id="t">x</w:t></s:h><s:b w:Id="b"/></s:a>"#,
    // Attribute order: unqualified first, then by namespace URI, then local name; xml:*.
    r#"<r xmlns:z="urn:a" xmlns:a="urn:z" xmlns:m="http://www.w3.org/2001/"><e Id="1" b="2" a="1" z:b="3" a:a="4" z:a="5" m:k="6" xml:lang="en" xml:space="preserve"/></r>"#,
    // Escaping: text, attributes, CR, tabs and newlines, references, CDATA.
    "<r><e Id=\"1\" a=\"x&amp;y&lt;z&gt;&quot;'&#9;&#10;&#13;\" b=\"line\r\nbreak\ttab\">t &amp; &lt; &gt; &#13; &#x41; \"q\" 'a'\r\n<![CDATA[<c>&amp;]]>&#x10FFFF;</e></r>",
    "<r>\r\n  <e Id=\"1\">\r\n    <f>a\rb</f>\r\n  </e>\r\n</r>\r\n",
    // Comments and processing instructions inside and around the subtree.
    "<?pi before?><!-- c0 --><r><!-- c1 --><e Id=\"1\"><!-- c2\r\n--><?t  data \r\n x ?><?t?>text<!--c3--></e></r><!-- after --><?pi after?>",
    // Namespace URIs that need other quotes.
    r#"<r xmlns:q='urn:x"y'><q:e Id="1"/></r>"#,
    r#"<r xmlns:q="urn:x&quot;y'z"><q:e Id="1"/></r>"#,
    r#"<r xmlns:q="urn:a&amp;b&lt;c"><q:e Id="1"/></r>"#,
    // Relative and odd namespace URIs.
    r#"<r xmlns:q="rel"><q:e Id="1"/></r>"#,
    r#"<r><e Id="1"/><f xmlns:q="rel/x"/></r>"#,
    r#"<r xmlns:q="urn:a b"><q:e Id="1"/></r>"#,
    r#"<r xmlns:q="http://example.com/a?b=c#d"><q:e Id="1"/></r>"#,
    r#"<r xmlns="rel"><e Id="1"/></r>"#,
    // Ids: repeated, nested, lower and upper case, in another namespace.
    r#"<r xmlns:w="urn:w"><e Id="1"><e Id="1"/></e><f w:Id="2"/><g ID="3"/><h id="4"/></r>"#,
    r#"<r><e Id="1"><f Id="2"><g Id="3">x</g></f></e></r>"#,
    // SignedInfo nested in a signature with a PrefixList that names the default namespace.
    r#"<env:E xmlns:env="urn:env" xmlns="urn:d" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="env #default"/></ds:CanonicalizationMethod><x Id="x"/></ds:SignedInfo></ds:Signature></env:E>"#,
    // An XML declaration, a BOM and whitespace around the root.
    "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<r>\n<e Id=\"1\"> </e>\n</r>\n",
    // Refused by both: unbound prefix? (libxml2 keeps it), bad entity, late declaration.
    "<r><e Id=\"1\">&nbsp;</e></r>",
    "<!-- x --><?xml version=\"1.0\"?><r><e Id=\"1\"/></r>",
    "<r><e Id=\"1\"></r>",
];

#[test]
fn hand_made_documents_canonicalize_as_libxml2_does() {
    let mut agreed = 0;
    for (i, doc) in DOCS.iter().enumerate() {
        agreed += compare(
            &format!("document {i}: {doc}"),
            doc.as_bytes(),
            &[
                "#default",
                "s",
                "s u",
                "p q",
                "q",
                "env",
                "xml",
                "w s #default",
                "unbound",
            ],
        );
    }
    assert!(agreed > 200, "only {agreed} parts compared");
}

/// A small deterministic generator (xorshift) of documents that mix default and prefixed
/// namespaces, redeclarations, `xmlns=""`, namespaced attributes, Ids at several depths and
/// text that needs escaping.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }

    fn element(&mut self, out: &mut String, depth: usize, ids: &mut usize) {
        let prefix = self.pick(&["", "", "a", "b", "c"]);
        let name = if prefix.is_empty() {
            "e".to_owned()
        } else {
            format!("{prefix}:e")
        };
        out.push('<');
        out.push_str(&name);
        for _ in 0..self.next(3) {
            let p = self.pick(&["", "a", "b", "c"]);
            let uri = self.pick(&["urn:1", "urn:2", "urn:3", ""]);
            if p.is_empty() {
                out.push_str(&format!(" xmlns=\"{uri}\""));
            } else if !uri.is_empty() && !out.contains(&format!(" xmlns:{p}=\"{uri}\" xmlns:{p}="))
            {
                out.push_str(&format!(" xmlns:{p}=\"{uri}\""));
            }
        }
        if self.next(3) == 0 {
            *ids += 1;
            out.push_str(&format!(
                " {}=\"i{ids}\"",
                self.pick(&["Id", "a:Id", "ID", "id"])
            ));
        }
        for _ in 0..self.next(3) {
            let q = self.pick(&["x", "a:x", "b:y", "c:x", "xml:lang", "z"]);
            let v = self.pick(&[
                "1",
                "a&amp;b",
                "&lt;\"&quot;",
                "t\tn\nr\r.",
                "&#9;&#10;&#13;",
            ]);
            if !out
                .rsplit('<')
                .next()
                .unwrap_or("")
                .contains(&format!(" {q}="))
            {
                out.push_str(&format!(" {q}=\"{v}\""));
            }
        }
        out.push('>');
        for _ in 0..(if depth < 4 { self.next(4) } else { 0 }) {
            match self.next(4) {
                0 => out.push_str(self.pick(&["t", " &amp; ", "&lt;&gt;", "\r\n", "&#13;", " "])),
                1 => out.push_str(self.pick(&["<!--c-->", "<?p d?>", "<![CDATA[<&>]]>"])),
                _ => self.element(out, depth + 1, ids),
            }
        }
        out.push_str(&format!("</{name}>"));
    }
}

#[test]
fn generated_documents_canonicalize_as_libxml2_does() {
    let mut gen = Gen(0x9e37_79b9_7f4a_7c15);
    let (mut agreed, mut documents) = (0, 0);
    for _ in 0..4000 {
        let mut doc = String::from(r#"<r xmlns:a="urn:1" xmlns:b="urn:2">"#);
        let mut ids = 0;
        gen.element(&mut doc, 0, &mut ids);
        doc.push_str("</r>");
        let lists: Vec<&str> = vec![gen.pick(&["", "a", "b c", "#default", "a #default", "c"])];
        for list in lists {
            let prefixes: Vec<&str> = list.split_whitespace().collect();
            let names: Vec<String> = (1..=ids).map(|i| format!("i{i}")).collect();
            let mut parts = vec![Part {
                selector: Selector::DocumentElement,
                algorithm: Algorithm::ExcC14n,
                inclusive_prefixes: &prefixes,
            }];
            parts.extend(names.iter().map(|id| Part {
                selector: Selector::ById(id),
                algorithm: Algorithm::ExcC14nWithComments,
                inclusive_prefixes: &prefixes,
            }));
            let (native, reference) = match (
                canonicalize_parts(doc.as_bytes(), &parts),
                canonicalize_parts_libxml2(doc.as_bytes(), &parts),
            ) {
                (Ok(n), Ok(r)) => (n, r),
                (Err(_), Err(_)) => continue,
                // libxml2 keeps an undeclared prefix or two attributes with one expanded name
                // (namespace errors it does not stop for); we refuse them.
                (Err(gateway_xmldsig::Error::Parse { message, .. }), Ok(_))
                    if message.contains("is not declared")
                        || message.starts_with("duplicate attribute") =>
                {
                    continue;
                }
                (n, r) => panic!("{doc}: refused by one side: {:?} / {:?}", n.err(), r.err()),
            };
            documents += 1;
            for ((part, n), r) in parts.iter().zip(native).zip(reference) {
                if let (Ok(n), Ok(r)) = (&n, &r) {
                    assert_eq!(
                        String::from_utf8_lossy(n),
                        String::from_utf8_lossy(r),
                        "{doc}\n{:?} PrefixList {list:?}",
                        part.selector
                    );
                    agreed += 1;
                } else {
                    assert_eq!(
                        n.is_ok(),
                        r.is_ok(),
                        "{doc}\n{:?}: {n:?} / {r:?}",
                        part.selector
                    );
                }
            }
        }
    }
    assert!(
        documents > 1200 && agreed > 2000,
        "{documents} documents, {agreed} parts"
    );
}
