//! Identifiers in Peppol SMP 1.x REST URLs: `{base}/{scheme::value}` and
//! `{base}/{scheme::value}/services/{scheme::value}`, each segment percent-encoded.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::{DocumentTypeId, Error, ParticipantId};

/// Everything but RFC 3986 unreserved characters is escaped, so `:` -> `%3A`, `#` -> `%23`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How many nested encodings [`decode_segment`] undoes at most.
const MAX_DECODE_ROUNDS: usize = 3;

/// Percent-encodes one path segment (`iso6523-actorid-upis::0208:1` -> `iso6523-actorid-upis%3A%3A0208%3A1`).
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Decodes one path segment that should hold `scheme::value`. Real clients send it escaped
/// once (`%3A%3A`), not at all (`::`, legal in a path), or twice (`%253A%253A`): decoding is
/// repeated while the text has no `::` yet and still holds escapes.
pub fn decode_segment(s: &str) -> Result<String, Error> {
    let mut cur = decode_once(s)?;
    for _ in 1..MAX_DECODE_ROUNDS {
        if cur.contains("::") || !has_escape(&cur) {
            break;
        }
        cur = decode_once(&cur)?;
    }
    Ok(cur)
}

fn decode_once(s: &str) -> Result<String, Error> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return Err(Error::PercentEncoding {
                    input: s.to_owned(),
                    pos: i,
                });
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| Error::NotUtf8 {
            input: s.to_owned(),
        })
}

fn has_escape(s: &str) -> bool {
    s.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
}

fn join(base: &str, rest: &str) -> String {
    format!("{}/{rest}", base.trim_end_matches('/'))
}

/// The ServiceGroup URL (or path) under `base`, e.g. `/smp/iso6523-actorid-upis%3A%3A0208%3A...`.
pub fn service_group_url(base: &str, participant: &ParticipantId) -> String {
    join(base, &encode_segment(&participant.to_uri()))
}

/// The SignedServiceMetadata URL (or path) for one document type.
pub fn service_metadata_url(
    base: &str,
    participant: &ParticipantId,
    doctype: &DocumentTypeId,
) -> String {
    join(
        base,
        &format!(
            "{}/services/{}",
            encode_segment(&participant.to_uri()),
            encode_segment(&doctype.to_string())
        ),
    )
}

/// What an SMP 1.x request path (relative to the SMP base) asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmpRequest {
    ServiceGroup(ParticipantId),
    ServiceMetadata(ParticipantId, DocumentTypeId),
}

/// Parses `{participant}` or `{participant}/services/{doctype}` (raw, still encoded; a leading
/// `/` is ignored). The participant is parsed leniently: whether we serve it is the caller's call.
pub fn parse_smp_path(path: &str) -> Result<SmpRequest, Error> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let mut parts = path.split('/');
    let bad = || Error::ParticipantSyntax {
        value: path.to_owned(),
    };
    let participant =
        ParticipantId::parse_lenient(&decode_segment(parts.next().ok_or_else(bad)?)?)?;
    match (parts.next(), parts.next(), parts.next()) {
        (None, ..) | (Some(""), None, _) => Ok(SmpRequest::ServiceGroup(participant)),
        (Some("services"), Some(doc), None) => {
            let doctype = DocumentTypeId::parse(&decode_segment(doc)?)?;
            Ok(SmpRequest::ServiceMetadata(participant, doctype))
        }
        _ => Err(Error::ParticipantSyntax {
            value: path.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BIS3_INVOICE;

    const ENC_DOC: &str = "busdox-docid-qns%3A%3Aurn%3Aoasis%3Anames%3Aspecification%3Aubl%3Aschema%3Axsd%3AInvoice-2%3A%3AInvoice%23%23urn%3Acen.eu%3Aen16931%3A2017%23compliant%23urn%3Afdc%3Apeppol.eu%3A2017%3Apoacc%3Abilling%3A3.0%3A%3A2.1";

    fn pid() -> ParticipantId {
        ParticipantId::parse("0208:0123456749").unwrap()
    }

    #[test]
    fn encodes_as_the_spec() {
        assert_eq!(
            encode_segment("iso6523-actorid-upis::0208:0123456789"),
            "iso6523-actorid-upis%3A%3A0208%3A0123456789"
        );
        assert_eq!(encode_segment(&BIS3_INVOICE.to_string()), ENC_DOC);
        assert_eq!(
            service_group_url("/smp/", &pid()),
            "/smp/iso6523-actorid-upis%3A%3A0208%3A0123456749"
        );
        assert_eq!(
            service_metadata_url("https://smp.example.com", &pid(), &BIS3_INVOICE),
            format!("https://smp.example.com/iso6523-actorid-upis%3A%3A0208%3A0123456749/services/{ENC_DOC}")
        );
    }

    #[test]
    fn decodes_the_variants_clients_send() {
        let want = "iso6523-actorid-upis::0208:0123456749";
        for v in [
            "iso6523-actorid-upis%3A%3A0208%3A0123456749",
            "iso6523-actorid-upis%3a%3a0208%3a0123456749",
            "iso6523-actorid-upis::0208:0123456749",
            "iso6523-actorid-upis%253A%253A0208%253A0123456749",
            "iso6523-actorid-upis%25253A%25253A0208%25253A0123456749",
        ] {
            assert_eq!(decode_segment(v).unwrap(), want, "{v}");
        }
        // Once decoded to `::`, a remaining escape is data, not another layer.
        assert_eq!(decode_segment("a%3A%3Ab%2541").unwrap(), "a::b%41");
        assert_eq!(
            decode_segment("abc%3").unwrap_err(),
            Error::PercentEncoding {
                input: "abc%3".into(),
                pos: 3
            }
        );
        assert!(matches!(
            decode_segment("%FF%FE"),
            Err(Error::NotUtf8 { .. })
        ));
    }

    #[test]
    fn parses_request_paths() {
        let p = format!("/iso6523-actorid-upis%3A%3A0208%3A0123456749/services/{ENC_DOC}");
        assert_eq!(
            parse_smp_path(&p).unwrap(),
            SmpRequest::ServiceMetadata(pid(), BIS3_INVOICE)
        );
        let p = "iso6523-actorid-upis%3A%3A0208%3A0123456749";
        assert_eq!(parse_smp_path(p).unwrap(), SmpRequest::ServiceGroup(pid()));
        let double = format!(
            "iso6523-actorid-upis%253A%253A0208%253A0123456749/services/{}",
            ENC_DOC.replace('%', "%25")
        );
        assert_eq!(
            parse_smp_path(&double).unwrap(),
            SmpRequest::ServiceMetadata(pid(), BIS3_INVOICE)
        );
        assert!(parse_smp_path("iso6523-actorid-upis%3A%3A0208%3A0123456749/other/x").is_err());
        assert!(parse_smp_path("x::0208:1").is_err());
    }
}
