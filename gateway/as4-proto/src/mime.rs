//! MIME `multipart/related` (SOAP with Attachments) as AS4 uses it: build, and parse with
//! bounds on size and part count. Bodies are `binary` (or `base64`) and never copied twice.

use base64::Engine as _;
use memchr::memmem;

use crate::error::{Error, Result};

/// One MIME part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// `Content-Type` value (parameters included).
    pub content_type: String,
    /// `Content-ID` without the angle brackets.
    pub content_id: Option<String>,
    pub body: Vec<u8>,
}

/// Bounds on an incoming multipart message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MimeLimits {
    pub max_bytes: usize,
    /// Most parts, the SOAP part included.
    pub max_parts: usize,
    /// Longest header block of one part.
    pub max_header_bytes: usize,
}

impl Default for MimeLimits {
    fn default() -> Self {
        MimeLimits {
            max_bytes: 100 << 20,
            max_parts: 11,
            max_header_bytes: 8 << 10,
        }
    }
}

/// The parts of a multipart/related message: the SOAP envelope (the `start` part, else the first)
/// and the attachments in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Multipart {
    pub soap: Part,
    pub attachments: Vec<Part>,
}

impl Multipart {
    /// The attachment with this Content-ID.
    pub fn attachment(&self, content_id: &str) -> Option<&Part> {
        self.attachments
            .iter()
            .find(|p| p.content_id.as_deref() == Some(content_id))
    }
}

/// A `Content-Type` value: `type/subtype` in lower case, and its parameters (names lower case,
/// quoted values unquoted).
pub fn parse_content_type(value: &str) -> (String, Vec<(String, String)>) {
    let mut pieces = split_params(value).into_iter();
    let media = pieces
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let params = pieces
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            Some((k.trim().to_ascii_lowercase(), v.replace("\\\"", "\"")))
        })
        .collect();
    (media, params)
}

/// Splits on `;` outside quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ';' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Parses an HTTP body whose `Content-Type` is `content_type`. A bare `application/soap+xml`
/// body (a signal) gives a message without attachments.
pub fn parse(content_type: &str, body: &[u8], limits: &MimeLimits) -> Result<Multipart> {
    if body.len() > limits.max_bytes {
        return Err(Error::Limit(format!(
            "message is {} bytes, more than {}",
            body.len(),
            limits.max_bytes
        )));
    }
    let (media, params) = parse_content_type(content_type);
    if media == "application/soap+xml" {
        return Ok(Multipart {
            soap: Part {
                content_type: content_type.into(),
                content_id: None,
                body: body.to_vec(),
            },
            attachments: Vec::new(),
        });
    }
    if media != "multipart/related" {
        return Err(Error::Mime(format!(
            "Content-Type `{media}` is neither multipart/related nor application/soap+xml"
        )));
    }
    let boundary = param(&params, "boundary")
        .filter(|b| !b.is_empty() && b.len() <= 70)
        .ok_or_else(|| Error::Mime("multipart/related without a usable boundary".into()))?;
    let start = param(&params, "start").map(|s| s.trim_matches(['<', '>']).to_owned());
    let delimiter = format!("--{boundary}");
    let finder = memmem::Finder::new(delimiter.as_bytes());

    // The first delimiter may start the body or follow a preamble line.
    let first = finder
        .find(body)
        .ok_or_else(|| Error::Mime("no boundary delimiter in the body".into()))?;
    if first != 0 && !body[..first].ends_with(b"\n") {
        return Err(Error::Mime(
            "the first boundary does not start a line".into(),
        ));
    }
    let mut pos = first + delimiter.len();
    let mut parts = Vec::new();
    loop {
        // After a delimiter: `--` closes the multipart, else optional whitespace and a line end.
        if body[pos..].starts_with(b"--") {
            break;
        }
        pos = skip_line_end(body, pos)
            .ok_or_else(|| Error::Mime(format!("garbage after a boundary at byte {pos}")))?;
        if parts.len() == limits.max_parts {
            return Err(Error::Limit(format!(
                "more than {} MIME parts",
                limits.max_parts
            )));
        }
        let rest = &body[pos..];
        let next = find_delimiter(&finder, rest).ok_or_else(|| {
            Error::Mime(format!("MIME part at byte {pos} has no closing boundary"))
        })?;
        let raw = &rest[..next.part_end];
        parts.push(parse_part(raw, pos, limits)?);
        pos += next.after_delimiter;
        if pos > body.len() {
            return Err(Error::Mime("truncated after the last boundary".into()));
        }
    }
    if parts.is_empty() {
        return Err(Error::Mime("multipart/related without parts".into()));
    }
    let soap_index = match &start {
        Some(id) => parts
            .iter()
            .position(|p| p.content_id.as_deref() == Some(id.as_str()))
            .ok_or_else(|| Error::Mime(format!("no part has the start Content-ID <{id}>")))?,
        None => 0,
    };
    let soap = parts.remove(soap_index);
    let (soap_media, _) = parse_content_type(&soap.content_type);
    if soap_media != "application/soap+xml" {
        return Err(Error::Mime(format!(
            "the root part is `{soap_media}`, not application/soap+xml"
        )));
    }
    Ok(Multipart {
        soap,
        attachments: parts,
    })
}

struct Next {
    /// End of the part's body (before the CRLF that precedes the delimiter).
    part_end: usize,
    /// Offset just after the delimiter.
    after_delimiter: usize,
}

/// The next delimiter that starts a line.
fn find_delimiter(finder: &memmem::Finder<'_>, rest: &[u8]) -> Option<Next> {
    let mut from = 0;
    while let Some(i) = finder.find(&rest[from..]) {
        let at = from + i;
        if at >= 1 && rest[at - 1] == b'\n' {
            let part_end = if at >= 2 && rest[at - 2] == b'\r' {
                at - 2
            } else {
                at - 1
            };
            return Some(Next {
                part_end,
                after_delimiter: at + finder.needle().len(),
            });
        }
        from = at + 1;
    }
    None
}

fn skip_line_end(body: &[u8], mut pos: usize) -> Option<usize> {
    while pos < body.len() && (body[pos] == b' ' || body[pos] == b'\t') {
        pos += 1;
    }
    if body[pos..].starts_with(b"\r\n") {
        Some(pos + 2)
    } else if body[pos..].starts_with(b"\n") {
        Some(pos + 1)
    } else {
        None
    }
}

fn parse_part(raw: &[u8], offset: usize, limits: &MimeLimits) -> Result<Part> {
    let (head_end, body_start) = match memmem::find(raw, b"\r\n\r\n") {
        Some(i) => (i, i + 4),
        None => match memmem::find(raw, b"\n\n") {
            Some(i) => (i, i + 2),
            // A part with headers only would still need the blank line.
            None => {
                return Err(Error::Mime(format!(
                    "MIME part at byte {offset} has no blank line after its headers"
                )))
            }
        },
    };
    if head_end > limits.max_header_bytes {
        return Err(Error::Limit(format!(
            "MIME part headers at byte {offset} are longer than {} bytes",
            limits.max_header_bytes
        )));
    }
    let head = std::str::from_utf8(&raw[..head_end])
        .map_err(|_| Error::Mime(format!("MIME part headers at byte {offset} are not UTF-8")))?;
    let mut content_type = None;
    let mut content_id = None;
    let mut encoding = None;
    // Unfold continuation lines first.
    let mut lines: Vec<String> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = lines.last_mut() {
                last.push(' ');
                last.push_str(line.trim());
                continue;
            }
        }
        lines.push(line.to_owned());
    }
    for line in &lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Error::Mime(format!(
                "bad MIME header line `{line}` at byte {offset}"
            )));
        };
        let value = value.trim().to_owned();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value),
            "content-id" => content_id = Some(value.trim_matches(['<', '>']).to_owned()),
            "content-transfer-encoding" => encoding = Some(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    let raw_body = &raw[body_start..];
    let body = match encoding.as_deref() {
        None | Some("binary") | Some("8bit") | Some("7bit") => raw_body.to_vec(),
        Some("base64") => {
            let compact: Vec<u8> = raw_body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|e| Error::Mime(format!("base64 MIME part at byte {offset}: {e}")))?
        }
        Some(other) => {
            return Err(Error::Mime(format!(
                "Content-Transfer-Encoding `{other}` is not supported"
            )))
        }
    };
    Ok(Part {
        content_type: content_type.unwrap_or_else(|| "text/plain".into()),
        content_id,
        body,
    })
}

/// Builds a multipart/related body; returns (HTTP Content-Type, body).
pub fn build(soap: &[u8], attachments: &[Part]) -> (String, Vec<u8>) {
    let boundary = format!("----=_Part_{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::with_capacity(
        soap.len()
            + attachments
                .iter()
                .map(|a| a.body.len() + 200)
                .sum::<usize>()
            + 300,
    );
    let mut push_part = |headers: String, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    push_part(
        "Content-Type: application/soap+xml; charset=UTF-8\r\nContent-Transfer-Encoding: binary\r\n"
            .into(),
        soap,
    );
    for a in attachments {
        let id = a
            .content_id
            .as_deref()
            .map(|id| format!("Content-ID: <{id}>\r\n"))
            .unwrap_or_default();
        push_part(
            format!(
                "Content-Type: {}\r\nContent-Transfer-Encoding: binary\r\n{id}",
                a.content_type
            ),
            &a.body,
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let content_type =
        format!("multipart/related; boundary=\"{boundary}\"; type=\"application/soap+xml\"");
    (content_type, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_then_parse_round_trips() {
        let att = Part {
            content_type: "application/octet-stream".into(),
            content_id: Some("a@b".into()),
            body: b"\r\n--not-a-boundary\r\nbinary\0data\r\n".to_vec(),
        };
        let (ct, body) = build(b"<S:Envelope/>", std::slice::from_ref(&att));
        let m = parse(&ct, &body, &MimeLimits::default()).unwrap();
        assert_eq!(m.soap.body, b"<S:Envelope/>");
        assert_eq!(m.attachments, vec![att]);
    }

    #[test]
    fn bounds_and_broken_input_are_errors() {
        let (ct, body) = build(b"<x/>", &[]);
        let small = MimeLimits {
            max_bytes: 10,
            ..MimeLimits::default()
        };
        assert!(matches!(parse(&ct, &body, &small), Err(Error::Limit(_))));
        let truncated = &body[..body.len() - 20];
        assert!(matches!(
            parse(&ct, truncated, &MimeLimits::default()),
            Err(Error::Mime(_))
        ));
        assert!(matches!(
            parse("text/plain", b"x", &MimeLimits::default()),
            Err(Error::Mime(_))
        ));
        let many: Vec<Part> = (0..20)
            .map(|i| Part {
                content_type: "application/octet-stream".into(),
                content_id: Some(format!("{i}")),
                body: vec![],
            })
            .collect();
        let (ct, body) = build(b"<x/>", &many);
        assert!(matches!(
            parse(&ct, &body, &MimeLimits::default()),
            Err(Error::Limit(_))
        ));
    }

    #[test]
    fn content_type_parameters_are_unquoted() {
        let (media, params) = parse_content_type(
            "Multipart/Related; boundary=\"a;b\"; type=\"application/soap+xml\"",
        );
        assert_eq!(media, "multipart/related");
        assert_eq!(param(&params, "boundary"), Some("a;b"));
    }
}
