//! Peppol envelope rules over the scanned header, in the order phax/peppol-commons checks them.

use gateway_peppol::{DocumentTypeId, ParticipantId, ProcessId, PARTICIPANT_SCHEME};

use crate::error::{Error, Position, Result};
use crate::model::{
    DocumentIdentification, MlsTo, MlsType, Payload, Sbdh, Scope, StandardBusinessDocument, Warning,
};
use crate::scan::{self, Elem, Limits};

/// Namespace of Peppol's wrapper for non-XML payloads (`BinaryContent`, `TextContent`), whose
/// Standard and Type name the wrapped document rather than the wrapper.
pub const TICC_ENVELOPE_NS: &str = "http://peppol.eu/xsd/ticc/envelope/1.0";

const DEFAULT_DOCTYPE_SCHEME: &str = "busdox-docid-qns";
const DEFAULT_PROCESS_SCHEME: &str = "cenbii-procid-ubl";

/// Reads and checks a Standard Business Document with default [`Limits`].
pub fn read(input: &[u8]) -> Result<StandardBusinessDocument<'_>> {
    read_with(input, &Limits::default())
}

/// Reads and checks a Standard Business Document.
pub fn read_with<'a>(input: &'a [u8], limits: &Limits) -> Result<StandardBusinessDocument<'a>> {
    let scanned = scan::scan(input, limits)?;
    let at = |e: &Elem| Position::at(input, e.offset);
    let schema = |e: &Elem, message: String| Error::Schema { at: at(e), message };
    let header = scanned.header.ok_or(Error::MissingSbdh)?;

    let version = one(&header, "HeaderVersion", input)?;
    if version.text.trim() != "1.0" {
        return Err(Error::InvalidHeaderVersion {
            at: at(version),
            found: version.text.trim().to_owned(),
        });
    }
    let sender = party(&header, Party::Sender, input)?;
    let receiver = party(&header, Party::Receiver, input)?;

    let ident = one(&header, "DocumentIdentification", input)?;
    let standard = one(ident, "Standard", input)?;
    let type_version = one(ident, "TypeVersion", input)?;
    let instance = one(ident, "InstanceIdentifier", input)?;
    let type_name = one(ident, "Type", input)?;
    let created = one(ident, "CreationDateAndTime", input)?;
    if !is_xs_date_time(created.text.trim()) {
        return Err(schema(
            created,
            format!(
                "CreationDateAndTime {:?} is not an xs:dateTime",
                created.text.trim()
            ),
        ));
    }

    let Some(payload) = scanned.payload else {
        return Err(schema(
            &header,
            "no business document after the header".into(),
        ));
    };
    let payload_ns = payload.ns.clone().unwrap_or_default();
    let wrapped = payload_ns == TICC_ENVELOPE_NS;
    if standard.text.trim().is_empty() || (!wrapped && standard.text.trim() != payload_ns) {
        return Err(Error::InvalidStandard {
            at: at(standard),
            found: standard.text.trim().to_owned(),
            expected: payload_ns,
        });
    }
    if !is_type_version(type_version.text.trim()) {
        return Err(Error::InvalidTypeVersion {
            at: at(type_version),
            found: type_version.text.trim().to_owned(),
        });
    }
    if type_name.text.trim().is_empty() || (!wrapped && type_name.text.trim() != payload.name) {
        return Err(Error::InvalidType {
            at: at(type_name),
            found: type_name.text.trim().to_owned(),
            expected: payload.name.clone(),
        });
    }
    if instance.text.trim().is_empty() {
        return Err(Error::InvalidInstanceIdentifier { at: at(instance) });
    }

    let mut warnings = Vec::new();
    let scopes = business_scopes(&header, input)?;
    let header = Sbdh {
        sender,
        receiver,
        document_identification: DocumentIdentification {
            standard: standard.text.trim().to_owned(),
            type_version: type_version.text.trim().to_owned(),
            instance_identifier: instance.text.trim().to_owned(),
            type_name: type_name.text.trim().to_owned(),
            creation_date_and_time: created.text.trim().to_owned(),
        },
        document_type_id: scopes.document_type_id,
        process_id: scopes.process_id,
        country_c1: scopes.country_c1,
        mls_to: scopes.mls_to.map(|(mls, warning)| {
            warnings.extend(warning);
            mls
        }),
        mls_type: scopes.mls_type,
        additional_scopes: scopes.additional,
    };
    Ok(StandardBusinessDocument {
        header,
        payload: Payload {
            bytes: &input[payload.range.clone()],
            range: payload.range,
            namespace: payload.ns,
            local_name: payload.name,
            inherited_namespaces: payload.inherited,
        },
        warnings,
    })
}

fn one<'e>(parent: &'e Elem, name: &str, input: &[u8]) -> Result<&'e Elem> {
    match parent.all(name).as_slice() {
        [one] => Ok(one),
        found => Err(Error::Schema {
            at: Position::at(input, parent.offset),
            message: format!(
                "{} must contain exactly one {name}, found {}",
                parent.name,
                found.len()
            ),
        }),
    }
}

#[derive(Clone, Copy)]
enum Party {
    Sender,
    Receiver,
}

fn party(header: &Elem, which: Party, input: &[u8]) -> Result<ParticipantId> {
    let name = match which {
        Party::Sender => "Sender",
        Party::Receiver => "Receiver",
    };
    let parties = header.all(name);
    let party = match (parties.as_slice(), which) {
        ([one], _) => *one,
        ([], _) => {
            return Err(Error::Schema {
                at: Position::at(input, header.offset),
                message: format!("the header has no {name}"),
            })
        }
        (many, Party::Sender) => return Err(Error::InvalidSenderCount { count: many.len() }),
        (many, Party::Receiver) => return Err(Error::InvalidReceiverCount { count: many.len() }),
    };
    let id = one(party, "Identifier", input)?;
    let at = Position::at(input, id.offset);
    let authority = id.attr("Authority").unwrap_or("").trim().to_owned();
    if authority != PARTICIPANT_SCHEME {
        return Err(match which {
            Party::Sender => Error::InvalidSenderAuthority {
                at,
                found: authority,
            },
            Party::Receiver => Error::InvalidReceiverAuthority {
                at,
                found: authority,
            },
        });
    }
    let value = id.text.trim();
    ParticipantId::parse_lenient(value).map_err(|e| {
        let (found, reason) = (value.to_owned(), e.to_string());
        match which {
            Party::Sender => Error::InvalidSenderValue { at, found, reason },
            Party::Receiver => Error::InvalidReceiverValue { at, found, reason },
        }
    })
}

struct Scopes {
    document_type_id: DocumentTypeId,
    process_id: ProcessId,
    country_c1: String,
    mls_to: Option<(MlsTo, Option<Warning>)>,
    mls_type: Option<MlsType>,
    additional: Vec<Scope>,
}

fn business_scopes(header: &Elem, input: &[u8]) -> Result<Scopes> {
    let business = match header.all("BusinessScope").as_slice() {
        [one] => *one,
        [] => return Err(Error::BusinessScopeMissing),
        _ => return Err(one(header, "BusinessScope", input).unwrap_err()),
    };
    let scopes = business.all("Scope");
    // Read every scope's required children first: a missing one is a schema error.
    let mut read = Vec::with_capacity(scopes.len());
    for scope in &scopes {
        let kind = one(scope, "Type", input)?.text.trim().to_owned();
        let value = one(scope, "InstanceIdentifier", input)?;
        let identifier = match scope.all("Identifier").as_slice() {
            [] => None,
            [one] => Some(one.text.trim().to_owned()),
            _ => return Err(one(scope, "Identifier", input).unwrap_err()),
        };
        read.push((*scope, kind, value, identifier));
    }
    if read.len() < 3 {
        return Err(Error::InvalidScopeCount { count: read.len() });
    }
    let find = |kind: &str| read.iter().find(|(_, k, _, _)| k == kind);

    let (_, _, value, scheme) = find("DOCUMENTID").ok_or(Error::MissingDocumentTypeIdentifier)?;
    let at = Position::at(input, value.offset);
    let document_type_id = if value.text.trim().is_empty() {
        Err("the value is empty".to_owned())
    } else {
        DocumentTypeId::from_parts(
            scheme.as_deref().unwrap_or(DEFAULT_DOCTYPE_SCHEME),
            value.text.trim(),
        )
        .map_err(|e| e.to_string())
    }
    .map_err(|reason| Error::InvalidDocumentTypeIdentifier { at, reason })?;

    let (_, _, value, scheme) = find("PROCESSID").ok_or(Error::MissingProcessIdentifier)?;
    let at = Position::at(input, value.offset);
    let process_id = if value.text.trim().is_empty() {
        Err("the value is empty".to_owned())
    } else {
        ProcessId::from_parts(
            scheme.as_deref().unwrap_or(DEFAULT_PROCESS_SCHEME),
            value.text.trim(),
        )
        .map_err(|e| e.to_string())
    }
    .map_err(|reason| Error::InvalidProcessIdentifier { at, reason })?;

    let (_, _, value, _) = find("COUNTRY_C1").ok_or(Error::MissingCountryC1)?;
    let country_c1 = value.text.trim().to_owned();
    if country_c1.len() != 2 || !country_c1.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Error::InvalidCountryC1 {
            at: Position::at(input, value.offset),
            found: country_c1,
        });
    }

    let mls_to = match find("MLS_TO") {
        None => None,
        Some((scope, _, value, scheme)) => Some(mls_to(scope, value, scheme.clone(), input)?),
    };
    let mls_type = match find("MLS_TYPE") {
        None => None,
        Some((scope, _, value, _)) => {
            let text = value.text.trim();
            if text.is_empty() {
                return Err(Error::Schema {
                    at: Position::at(input, scope.offset),
                    message: "MLS_TYPE scope without a value".into(),
                });
            }
            Some(MlsType::parse(text).ok_or_else(|| Error::InvalidMlsType {
                at: Position::at(input, value.offset),
                found: text.to_owned(),
            })?)
        }
    };
    let peppol = [
        "DOCUMENTID",
        "PROCESSID",
        "COUNTRY_C1",
        "MLS_TO",
        "MLS_TYPE",
    ];
    let additional = read
        .iter()
        .filter(|(_, k, _, _)| !peppol.contains(&k.as_str()))
        .map(|(_, k, v, i)| Scope {
            scope_type: k.clone(),
            instance_identifier: v.text.trim().to_owned(),
            identifier: i.clone(),
        })
        .collect();
    Ok(Scopes {
        document_type_id,
        process_id,
        country_c1,
        mls_to,
        mls_type,
        additional,
    })
}

fn mls_to(
    scope: &Elem,
    value: &Elem,
    scheme: Option<String>,
    input: &[u8],
) -> Result<(MlsTo, Option<Warning>)> {
    let text = value.text.trim().to_owned();
    if text.is_empty() {
        return Err(Error::Schema {
            at: Position::at(input, scope.offset),
            message: "MLS_TO scope without a value".into(),
        });
    }
    let at = Position::at(input, value.offset);
    let parsed = match scheme.as_deref() {
        None => Err("MLS_TO has no Identifier (scheme)".to_owned()),
        Some(s) => ParticipantId::from_parts_lenient(s, &text).map_err(|e| e.to_string()),
    };
    let (participant, warning) = match parsed {
        Ok(p) => (Some(p), None),
        Err(reason) => (
            None,
            Some(Warning {
                at,
                message: format!("MLS_TO {text:?} is not a participant identifier: {reason}"),
            }),
        ),
    };
    Ok((
        MlsTo {
            scheme,
            value: text,
            participant,
        },
        warning,
    ))
}

/// `TypeVersion`: digits, optionally dot-separated (`2.1`, `0`, `2.0`).
fn is_type_version(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// Lexical `xs:dateTime`: `YYYY-MM-DDThh:mm:ss[.f+][Z|±hh:mm]`.
pub(crate) fn is_xs_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 19
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(99);
    if !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 24
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{is_type_version, is_xs_date_time};

    #[test]
    fn xs_date_time_lexical_forms() {
        for ok in [
            "2013-02-19T05:10:10Z",
            "2019-10-18T01:53:29.385+02:00",
            "2025-05-11T00:39:44-01:00",
            "2020-01-01T00:00:00",
        ] {
            assert!(is_xs_date_time(ok), "{ok}");
        }
        for bad in [
            "",
            "2013-02-19",
            "2013-02-19 05:10:10Z",
            "2013-13-19T05:10:10Z",
            "2013-02-19T05:10:10.Z",
            "2013-02-19T05:10:10+0200",
            "2013-02-19T05:10:10Zjunk",
            "２０１３-02-19T05:10:10Z",
        ] {
            assert!(!is_xs_date_time(bad), "{bad}");
        }
    }

    #[test]
    fn type_versions() {
        for ok in ["2.1", "0", "2.0", "10.2.3"] {
            assert!(is_type_version(ok), "{ok}");
        }
        for bad in ["", "Error", "2.", ".1", "2..1", "D22B"] {
            assert!(!is_type_version(bad), "{bad}");
        }
    }
}
