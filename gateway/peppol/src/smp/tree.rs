//! A small, bounded element tree read with quick-xml: the SMP documents are small, and a tree
//! makes the mapping code plain. DOCTYPE is refused (no entity expansion); size, depth and
//! element count are limited; every node remembers its byte span for positions and raw copies.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::error::{XmlError, XmlErrorKind};

/// Bounds applied while reading untrusted SMP documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum document size in bytes.
    pub max_bytes: usize,
    /// Maximum element nesting depth.
    pub max_depth: usize,
    /// Maximum number of elements.
    pub max_elements: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Real ServiceMetadata answers are a few KiB; generous, yet bounded.
        Limits {
            max_bytes: 1 << 20,
            max_depth: 32,
            max_elements: 20_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attr {
    pub ns: Option<String>,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Node {
    pub ns: Option<String>,
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    /// Text directly inside this element (character data and references, CDATA).
    pub text: String,
    /// Byte span of the whole element in the input.
    pub start: usize,
    pub end: usize,
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.name == name)
            .map(|a| a.value.as_str())
    }
}

/// Converts a byte offset into a 1-based line and column (column counted in characters).
pub(crate) fn position(input: &[u8], offset: usize) -> (u64, u64) {
    let before = &input[..offset.min(input.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    (line, column)
}

pub(crate) fn error_at(input: &[u8], offset: usize, kind: XmlErrorKind) -> XmlError {
    let (line, column) = position(input, offset);
    XmlError { line, column, kind }
}

/// Parses `input` into its root element.
pub(crate) fn parse(input: &[u8], limits: &Limits) -> Result<Node, XmlError> {
    if input.len() > limits.max_bytes {
        return Err(XmlError {
            line: 0,
            column: 0,
            kind: XmlErrorKind::TooLarge {
                size: input.len(),
                max: limits.max_bytes,
            },
        });
    }
    let text = std::str::from_utf8(input).map_err(|e| {
        error_at(
            input,
            e.valid_up_to(),
            XmlErrorKind::Syntax("not UTF-8".into()),
        )
    })?;
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - body.len();
    let mut reader = NsReader::from_str(body);
    let cfg = reader.config_mut();
    cfg.check_end_names = true;
    cfg.check_comments = true;
    cfg.expand_empty_elements = false;

    let syntax =
        |off: u64, msg: String| error_at(input, off as usize + bom, XmlErrorKind::Syntax(msg));
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    let mut first = true;
    loop {
        let before = reader.buffer_position() as usize;
        let (ns, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => return Err(syntax(reader.error_position(), e.to_string())),
        };
        let ns = match ns {
            ResolveResult::Bound(n) => Some(String::from_utf8_lossy(n.as_ref()).into_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(syntax(
                    before as u64,
                    format!("unbound namespace prefix `{}`", String::from_utf8_lossy(&p)),
                ))
            }
        };
        let was_first = std::mem::replace(&mut first, false);
        match event {
            Event::Decl(d) => {
                if !was_first {
                    return Err(syntax(
                        before as u64,
                        "XML declaration not at the start".into(),
                    ));
                }
                if let Some(enc) = d.encoding() {
                    let enc = enc.map_err(|e| syntax(before as u64, e.to_string()))?;
                    if !enc.eq_ignore_ascii_case(b"utf-8") {
                        return Err(syntax(
                            before as u64,
                            format!(
                                "encoding `{}` is not supported; use UTF-8",
                                String::from_utf8_lossy(&enc)
                            ),
                        ));
                    }
                }
            }
            Event::DocType(_) => return Err(error_at(input, before + bom, XmlErrorKind::Doctype)),
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(syntax(
                    before as u64,
                    "content after the root element".into(),
                ));
            }
            Event::Start(e) => {
                elements += 1;
                if elements > limits.max_elements {
                    return Err(syntax(
                        before as u64,
                        format!("more than {} elements", limits.max_elements),
                    ));
                }
                if stack.len() >= limits.max_depth {
                    return Err(error_at(
                        input,
                        before + bom,
                        XmlErrorKind::TooDeep {
                            max: limits.max_depth,
                        },
                    ));
                }
                stack.push(
                    node(&reader, ns, &e, before + bom).map_err(|m| syntax(before as u64, m))?,
                );
            }
            Event::Empty(e) => {
                elements += 1;
                if elements > limits.max_elements {
                    return Err(syntax(
                        before as u64,
                        format!("more than {} elements", limits.max_elements),
                    ));
                }
                if stack.len() >= limits.max_depth {
                    return Err(error_at(
                        input,
                        before + bom,
                        XmlErrorKind::TooDeep {
                            max: limits.max_depth,
                        },
                    ));
                }
                let mut n =
                    node(&reader, ns, &e, before + bom).map_err(|m| syntax(before as u64, m))?;
                n.end = reader.buffer_position() as usize + bom;
                attach(&mut stack, &mut root, n);
            }
            Event::End(_) => {
                let Some(mut n) = stack.pop() else {
                    return Err(syntax(before as u64, "unexpected end tag".into()));
                };
                n.end = reader.buffer_position() as usize + bom;
                attach(&mut stack, &mut root, n);
            }
            Event::Text(t) => {
                let s = t
                    .xml_content()
                    .map_err(|e| syntax(before as u64, e.to_string()))?;
                push_text(&mut stack, &s).map_err(|m| syntax(before as u64, m))?;
            }
            Event::CData(c) => {
                let s = c
                    .decode()
                    .map_err(|e| syntax(before as u64, e.to_string()))?;
                push_text(&mut stack, &s).map_err(|m| syntax(before as u64, m))?;
            }
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => match r.as_ref() {
                        b"lt" => '<',
                        b"gt" => '>',
                        b"amp" => '&',
                        b"apos" => '\'',
                        b"quot" => '"',
                        other => {
                            return Err(syntax(
                                before as u64,
                                format!("unknown entity `&{};`", String::from_utf8_lossy(other)),
                            ))
                        }
                    },
                    Err(e) => return Err(syntax(before as u64, e.to_string())),
                };
                push_text(&mut stack, ch.encode_utf8(&mut [0; 4]))
                    .map_err(|m| syntax(before as u64, m))?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(syntax(
            body.len() as u64,
            "unexpected end of document".into(),
        ));
    }
    root.ok_or_else(|| syntax(0, "no root element".into()))
}

fn node(
    reader: &NsReader<&[u8]>,
    ns: Option<String>,
    e: &BytesStart<'_>,
    start: usize,
) -> Result<Node, String> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = a.key;
        if key.as_namespace_binding().is_some() {
            continue;
        }
        let (res, local) = reader.resolve_attribute(key);
        let ns = match res {
            ResolveResult::Bound(n) => Some(String::from_utf8_lossy(n.as_ref()).into_owned()),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(p) => {
                return Err(format!(
                    "unbound attribute prefix `{}`",
                    String::from_utf8_lossy(&p)
                ))
            }
        };
        let value = a
            .decode_and_unescape_value(reader.decoder())
            .map_err(|e| e.to_string())?;
        attrs.push(Attr {
            ns,
            name: String::from_utf8_lossy(local.as_ref()).into_owned(),
            value: value.into_owned(),
        });
    }
    Ok(Node {
        ns,
        name,
        attrs,
        children: Vec::new(),
        text: String::new(),
        start,
        end: start,
    })
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, n: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(n),
        None => *root = Some(n),
    }
}

fn push_text(stack: &mut [Node], s: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(n) => {
            n.text.push_str(s);
            Ok(())
        }
        None if s.trim().is_empty() => Ok(()),
        None => Err("text outside the root element".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_default(s: &str) -> Result<Node, XmlError> {
        parse(s.as_bytes(), &Limits::default())
    }

    #[test]
    fn tree_with_spans_and_entities() {
        let s = "<?xml version=\"1.0\"?>\n<a xmlns=\"urn:x\" k=\"v&amp;w\"><b>1&lt;2&#65;<![CDATA[<c>]]></b><c/></a>";
        let n = parse_default(s).unwrap();
        assert_eq!(
            (n.ns.as_deref(), n.name.as_str(), n.attr("k")),
            (Some("urn:x"), "a", Some("v&w"))
        );
        assert_eq!(n.children[0].text, "1<2A<c>");
        let c = &n.children[1];
        assert_eq!(&s[c.start..c.end], "<c/>");
        assert_eq!(&s[n.start..n.end], &s[22..]);
    }

    #[test]
    fn refusals_with_positions() {
        let e =
            parse_default("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>")
                .unwrap_err();
        assert_eq!((e.line, e.column, e.kind), (2, 1, XmlErrorKind::Doctype));
        let e = parse_default("<a>\n  <b></c>\n</a>").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(matches!(e.kind, XmlErrorKind::Syntax(_)));
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(
            parse_default(&deep).unwrap_err().kind,
            XmlErrorKind::TooDeep { max: 32 }
        );
        let small = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        assert_eq!(
            parse(b"<a>0123456789</a>", &small).unwrap_err().kind,
            XmlErrorKind::TooLarge { size: 17, max: 10 }
        );
        for bad in [
            "",
            "<a>",
            "<a></a><b/>",
            "text<a/>",
            "<a>&foo;</a>",
            "<p:a/>",
            "<a/>\n<?xml version=\"1.0\"?>",
            "\u{0}",
        ] {
            assert!(parse_default(bad).is_err(), "{bad:?}");
        }
        let e = parse(b"<a>\xff</a>", &Limits::default()).unwrap_err();
        assert_eq!((e.line, e.column), (1, 4));
    }
}
