//! One pass of quick-xml over the whole input: builds a small tree of the header, and records
//! the byte span, namespace and name of the business document without copying it. Refuses
//! DOCTYPE, other encodings than UTF-8, unknown entities, text or a second element next to the
//! business document, and anything beyond [`Limits`].

use std::ops::Range;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{PrefixDeclaration, QName, ResolveResult};
use quick_xml::NsReader;

use crate::error::{Error, Position, Result};
use crate::SBDH_NS;

/// Bounds for untrusted input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted document in bytes (header and business document).
    pub max_bytes: usize,
    /// Deepest accepted element nesting, business document included.
    pub max_depth: usize,
    /// Most elements accepted in the header.
    pub max_header_elements: usize,
    /// Longest accepted text of one header element, in bytes.
    pub max_header_text: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 100 * 1024 * 1024,
            max_depth: 128,
            max_header_elements: 1_000,
            max_header_text: 8 * 1024,
        }
    }
}

/// A header element: name, attributes, direct text and children.
#[derive(Debug, Clone, Default)]
pub(crate) struct Elem {
    pub(crate) ns: Option<String>,
    pub(crate) name: String,
    pub(crate) attrs: Vec<(Option<String>, String, String)>,
    pub(crate) text: String,
    pub(crate) children: Vec<Elem>,
    /// Byte offset of the start tag.
    pub(crate) offset: usize,
}

impl Elem {
    /// Children in the SBDH namespace with this local name.
    pub(crate) fn all(&self, name: &str) -> Vec<&Elem> {
        self.children
            .iter()
            .filter(|c| c.ns.as_deref() == Some(SBDH_NS) && c.name == name)
            .collect()
    }

    /// The un-namespaced attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(ns, n, _)| ns.is_none() && n == name)
            .map(|(_, _, v)| v.as_str())
    }
}

/// Where the business document is.
#[derive(Debug, Clone)]
pub(crate) struct PayloadSpan {
    pub(crate) range: Range<usize>,
    pub(crate) ns: Option<String>,
    pub(crate) name: String,
    /// Namespace bindings in scope from the SBD element that the payload does not redeclare.
    pub(crate) inherited: Vec<(Option<String>, String)>,
}

/// What one pass found.
#[derive(Debug)]
pub(crate) struct Scanned {
    pub(crate) header: Option<Elem>,
    pub(crate) payload: Option<PayloadSpan>,
}

enum Region {
    Outside,
    Root,
    Header,
    Payload,
}

pub(crate) fn scan(input: &[u8], limits: &Limits) -> Result<Scanned> {
    let xml_err = |offset: usize, message: String| Error::Xml {
        at: Position::at(input, offset),
        message,
    };
    if input.len() > limits.max_bytes {
        return Err(xml_err(
            0,
            format!(
                "{} bytes is more than the limit of {}",
                input.len(),
                limits.max_bytes
            ),
        ));
    }
    // UTF-8 is checked once for the whole input, so that the business document's text (most
    // of an SBD) needs no decoding, only reading past.
    if let Err(e) = std::str::from_utf8(input) {
        return Err(xml_err(
            e.valid_up_to(),
            format!("the document is not UTF-8: {e}"),
        ));
    }
    let mut reader = NsReader::from_reader(input);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut depth = 0usize;
    let mut seen_root = false;
    let mut region = Region::Outside;
    let mut header_stack: Vec<Elem> = Vec::new();
    let mut header: Option<Elem> = None;
    let mut header_elements = 0usize;
    let mut payload: Option<PayloadSpan> = None;

    loop {
        let before = to_usize(reader.buffer_position());
        let (resolved, event) = match reader.read_resolved_event() {
            // Inside the business document a name is only checked to resolve: no copies of
            // its namespace per element (most of an SBD is the business document).
            Ok((r, e)) if matches!(region, Region::Payload) => match r {
                ResolveResult::Unknown(_) => (resolved_ns(r, before, input)?, e),
                _ => (None, e),
            },
            Ok((r, e)) => (resolved_ns(r, before, input)?, e),
            Err(e) => return Err(xml_err(to_usize(reader.error_position()), e.to_string())),
        };
        match event {
            Event::DocType(_) => {
                return Err(xml_err(
                    before,
                    "DOCTYPE declarations are not accepted (no DTDs or entities)".into(),
                ))
            }
            Event::Decl(decl) => {
                if let Some(Ok(enc)) = decl.encoding() {
                    if !enc.eq_ignore_ascii_case(b"UTF-8") {
                        return Err(xml_err(
                            before,
                            format!(
                                "declared encoding {:?} is not accepted (UTF-8 only)",
                                String::from_utf8_lossy(&enc)
                            ),
                        ));
                    }
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                depth += 1;
                if depth > limits.max_depth {
                    return Err(xml_err(
                        before,
                        format!("element nesting deeper than {}", limits.max_depth),
                    ));
                }
                let name = if matches!(region, Region::Payload) {
                    String::new()
                } else {
                    local_name(e, before, input)?
                };
                match region {
                    Region::Outside => {
                        if seen_root {
                            return Err(xml_err(before, "a second document element".into()));
                        }
                        seen_root = true;
                        if resolved.as_deref() != Some(SBDH_NS)
                            || name != "StandardBusinessDocument"
                        {
                            return Err(Error::Schema {
                                at: Position::at(input, before),
                                message: format!(
                                    "the document element is {{{}}}{name}, not \
                                     {{{SBDH_NS}}}StandardBusinessDocument",
                                    resolved.as_deref().unwrap_or("")
                                ),
                            });
                        }
                        region = Region::Root;
                    }
                    Region::Root => {
                        let is_header = resolved.as_deref() == Some(SBDH_NS)
                            && name == "StandardBusinessDocumentHeader";
                        if is_header && header.is_none() && payload.is_none() {
                            region = Region::Header;
                            header_elements += 1;
                            header_stack.push(elem(&reader, e, resolved, name, before, input)?);
                        } else if payload.is_none() {
                            region = Region::Payload;
                            payload = Some(PayloadSpan {
                                range: before..before,
                                ns: resolved,
                                name,
                                inherited: inherited_bindings(&reader, e),
                            });
                        } else {
                            return Err(Error::Schema {
                                at: Position::at(input, before),
                                message: format!(
                                    "element {name} after the business document; exactly one \
                                     business document is allowed"
                                ),
                            });
                        }
                    }
                    Region::Header => {
                        header_elements += 1;
                        if header_elements > limits.max_header_elements {
                            return Err(xml_err(
                                before,
                                format!("more than {} header elements", limits.max_header_elements),
                            ));
                        }
                        header_stack.push(elem(&reader, e, resolved, name, before, input)?);
                    }
                    Region::Payload => {}
                }
                if empty {
                    end_element(
                        &mut depth,
                        &mut region,
                        &mut header_stack,
                        &mut header,
                        &mut payload,
                        to_usize(reader.buffer_position()),
                    );
                }
            }
            Event::End(_) => end_element(
                &mut depth,
                &mut region,
                &mut header_stack,
                &mut header,
                &mut payload,
                to_usize(reader.buffer_position()),
            ),
            // The business document's text and CDATA need no look: the input is UTF-8.
            Event::Text(_) | Event::CData(_) if matches!(region, Region::Payload) => {}
            Event::Text(t) => {
                let text = t
                    .decode()
                    .map_err(|e| xml_err(before, format!("text is not UTF-8: {e}")))?;
                add_text(
                    &region,
                    &mut header_stack,
                    &text,
                    before,
                    input,
                    limits,
                    false,
                )?;
            }
            Event::CData(c) => {
                let text = c
                    .decode()
                    .map_err(|e| xml_err(before, format!("CDATA is not UTF-8: {e}")))?;
                add_text(
                    &region,
                    &mut header_stack,
                    &text,
                    before,
                    input,
                    limits,
                    true,
                )?;
            }
            Event::GeneralRef(r) => {
                let ch = resolve_reference(&r).ok_or_else(|| {
                    xml_err(
                        before,
                        format!(
                            "unknown entity reference &{};",
                            String::from_utf8_lossy(r.as_ref())
                        ),
                    )
                })?;
                add_text(
                    &region,
                    &mut header_stack,
                    ch.encode_utf8(&mut [0u8; 4]),
                    before,
                    input,
                    limits,
                    true,
                )?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !seen_root {
        return Err(xml_err(input.len(), "no document element".into()));
    }
    if depth != 0 {
        return Err(xml_err(input.len(), "unexpected end of document".into()));
    }
    Ok(Scanned { header, payload })
}

fn end_element(
    depth: &mut usize,
    region: &mut Region,
    header_stack: &mut Vec<Elem>,
    header: &mut Option<Elem>,
    payload: &mut Option<PayloadSpan>,
    after: usize,
) {
    *depth = depth.saturating_sub(1);
    match region {
        Region::Header => {
            if let Some(done) = header_stack.pop() {
                match header_stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => {
                        *header = Some(done);
                        *region = Region::Root;
                    }
                }
            }
        }
        Region::Payload if *depth == 1 => {
            if let Some(p) = payload.as_mut() {
                p.range.end = after;
            }
            *region = Region::Root;
        }
        Region::Root if *depth == 0 => *region = Region::Outside,
        _ => {}
    }
}

fn add_text(
    region: &Region,
    header_stack: &mut [Elem],
    text: &str,
    offset: usize,
    input: &[u8],
    limits: &Limits,
    significant: bool,
) -> Result<()> {
    match region {
        Region::Header => {
            if let Some(current) = header_stack.last_mut() {
                if current.text.len() + text.len() > limits.max_header_text {
                    return Err(Error::Xml {
                        at: Position::at(input, offset),
                        message: format!(
                            "text of {} is longer than {} bytes",
                            current.name, limits.max_header_text
                        ),
                    });
                }
                current.text.push_str(text);
            }
            Ok(())
        }
        Region::Root | Region::Outside if significant || !text.trim().is_empty() => {
            Err(Error::Schema {
                at: Position::at(input, offset),
                message: format!(
                    "text {:?} where the header or the business document element is expected",
                    text.trim()
                ),
            })
        }
        _ => Ok(()),
    }
}

fn resolve_reference(r: &BytesRef<'_>) -> Option<char> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => Some(c),
        Ok(None) => match r.as_ref() {
            b"lt" => Some('<'),
            b"gt" => Some('>'),
            b"amp" => Some('&'),
            b"apos" => Some('\''),
            b"quot" => Some('"'),
            _ => None,
        },
        Err(_) => None,
    }
}

fn resolved_ns(r: ResolveResult<'_>, offset: usize, input: &[u8]) -> Result<Option<String>> {
    match r {
        ResolveResult::Bound(ns) => Ok(Some(String::from_utf8_lossy(ns.as_ref()).into_owned())),
        ResolveResult::Unbound => Ok(None),
        ResolveResult::Unknown(prefix) => Err(Error::Xml {
            at: Position::at(input, offset),
            message: format!(
                "undeclared namespace prefix {:?}",
                String::from_utf8_lossy(&prefix)
            ),
        }),
    }
}

fn local_name(e: &BytesStart<'_>, offset: usize, input: &[u8]) -> Result<String> {
    std::str::from_utf8(e.local_name().as_ref())
        .map(str::to_owned)
        .map_err(|_| Error::Xml {
            at: Position::at(input, offset),
            message: "element name is not UTF-8".into(),
        })
}

fn elem(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    ns: Option<String>,
    name: String,
    offset: usize,
    input: &[u8],
) -> Result<Elem> {
    let bad = |message: String| Error::Xml {
        at: Position::at(input, offset),
        message,
    };
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr: Attribute<'_> = attr.map_err(|e| bad(format!("bad attribute: {e}")))?;
        if attr.key.as_namespace_binding().is_some() {
            continue;
        }
        let (resolved, local) = reader.resolve_attribute(QName(attr.key.as_ref()));
        let ns = resolved_ns(resolved, offset, input)?;
        let value = attr
            .unescape_value()
            .map_err(|e| bad(format!("bad attribute value: {e}")))?
            .into_owned();
        let local = String::from_utf8_lossy(local.as_ref()).into_owned();
        attrs.push((ns, local, value));
    }
    Ok(Elem {
        ns,
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
        offset,
    })
}

/// Bindings in scope at `e` that `e` does not declare itself: what a parser of the payload
/// bytes alone would miss.
fn inherited_bindings(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
) -> Vec<(Option<String>, String)> {
    let prefix_of = |p: PrefixDeclaration<'_>| match p {
        PrefixDeclaration::Default => None,
        PrefixDeclaration::Named(n) => Some(String::from_utf8_lossy(n).into_owned()),
    };
    let own: Vec<Option<String>> = e
        .attributes()
        .flatten()
        .filter_map(|a| a.key.as_namespace_binding().map(prefix_of))
        .collect();
    let mut out: Vec<(Option<String>, String)> = Vec::new();
    for (prefix, ns) in reader.prefixes() {
        let prefix = prefix_of(prefix);
        if own.contains(&prefix) || ns.as_ref().is_empty() {
            continue;
        }
        let uri = String::from_utf8_lossy(ns.as_ref()).into_owned();
        out.retain(|(p, _)| *p != prefix);
        out.push((prefix, uri));
    }
    out
}

fn to_usize(pos: u64) -> usize {
    usize::try_from(pos).unwrap_or(usize::MAX)
}
