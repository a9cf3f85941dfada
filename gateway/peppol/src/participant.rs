//! Peppol participant identifiers (`iso6523-actorid-upis::ICD:identifier`).

use std::fmt;
use std::str::FromStr;

use crate::checks::{check_identifier, Finding, Severity};
use crate::icd::{lookup_icd, IcdStatus};
use crate::Error;

/// The only participant identifier scheme Peppol uses.
pub const PARTICIPANT_SCHEME: &str = "iso6523-actorid-upis";

/// Peppol Policy for use of Identifiers: participant identifier values are at most 50 characters.
pub const MAX_PARTICIPANT_VALUE_LEN: usize = 50;

const WHAT: &str = "participant identifier";

/// A Peppol participant identifier, e.g. `iso6523-actorid-upis::0208:0123456749`.
///
/// Scheme and value are case-insensitive (Peppol policy), so the value is stored in lower case:
/// equality and hashing ignore case, and [`Display`](fmt::Display) prints the canonical form.
/// Serde reads and writes the same string as `Display`; reading also takes the short form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId {
    /// Lower-case `ICD:identifier`.
    value: String,
}

impl ParticipantId {
    /// Parses `0208:0123456749` or `iso6523-actorid-upis::0208:0123456749` and validates it fully:
    /// a current ICD, the characters and length allowed, and the fatal PEPPOL-COMMON rules.
    /// Use this for identifiers we register or publish.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let id = Self::parse_lenient(s)?;
        let (icd, rest) = id.split();
        if rest.chars().any(|c| c.is_ascii_whitespace()) {
            let (pos, ch) = char_pos(&id.value, |c| c.is_ascii_whitespace());
            return Err(Error::BadChar {
                what: WHAT,
                ch,
                pos,
            });
        }
        match lookup_icd(icd) {
            Some(e) if e.status == IcdStatus::Active => {}
            other => {
                return Err(Error::UnknownIcd {
                    icd: icd.to_owned(),
                    removed: other.is_some(),
                })
            }
        }
        if let Some(f) = id
            .findings()
            .into_iter()
            .find(|f| f.severity == Severity::Fatal)
        {
            return Err(Error::CheckFailed {
                rule: f.rule,
                icd: f.icd,
                scheme_name: f.scheme_name,
                value: rest.to_owned(),
                reason: f.reason,
            });
        }
        Ok(id)
    }

    /// Parses the syntax only (scheme, `NNNN:` prefix, US-ASCII, length) without the ICD list or
    /// check digits. For identifiers that other parties sent us (SBDH, SMP answers), which we
    /// must be able to name even when their scheme is old or their check digit wrong.
    pub fn parse_lenient(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let value = match s.split_once("::") {
            Some((scheme, value)) => {
                if !scheme.eq_ignore_ascii_case(PARTICIPANT_SCHEME) {
                    return Err(Error::WrongScheme {
                        what: WHAT,
                        expected: PARTICIPANT_SCHEME,
                        found: scheme.to_owned(),
                    });
                }
                value
            }
            None => s,
        };
        if value.is_empty() {
            return Err(Error::Empty { what: WHAT });
        }
        let len = value.chars().count();
        if len > MAX_PARTICIPANT_VALUE_LEN {
            return Err(Error::TooLong {
                what: WHAT,
                len,
                max: MAX_PARTICIPANT_VALUE_LEN,
            });
        }
        if let Some((pos, ch)) = value
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_graphic() || *c == ' '))
        {
            return Err(Error::BadChar {
                what: WHAT,
                ch,
                pos,
            });
        }
        let syntax_ok = value.len() > 5
            && value.as_bytes()[..4].iter().all(u8::is_ascii_digit)
            && value.as_bytes()[4] == b':';
        if !syntax_ok {
            return Err(Error::ParticipantSyntax {
                value: value.to_owned(),
            });
        }
        Ok(ParticipantId {
            value: value.to_ascii_lowercase(),
        })
    }

    /// Builds an identifier from scheme and value as found in XML (`scheme` attribute + text).
    pub fn from_parts_lenient(scheme: &str, value: &str) -> Result<Self, Error> {
        if !scheme.trim().eq_ignore_ascii_case(PARTICIPANT_SCHEME) {
            return Err(Error::WrongScheme {
                what: WHAT,
                expected: PARTICIPANT_SCHEME,
                found: scheme.to_owned(),
            });
        }
        Self::parse_lenient(value)
    }

    /// The scheme, always [`PARTICIPANT_SCHEME`].
    pub fn scheme(&self) -> &'static str {
        PARTICIPANT_SCHEME
    }

    /// Lower-case `ICD:identifier`, e.g. `0208:0123456749`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The 4-digit ICD.
    pub fn icd(&self) -> &str {
        self.split().0
    }

    /// The part after `ICD:`.
    pub fn identifier(&self) -> &str {
        self.split().1
    }

    /// `iso6523-actorid-upis::0208:0123456749`, the form used in SMP URLs before encoding.
    pub fn to_uri(&self) -> String {
        format!("{PARTICIPANT_SCHEME}::{}", self.value)
    }

    /// The PEPPOL-COMMON rules this identifier fails, fatal and warning.
    pub fn findings(&self) -> Vec<Finding> {
        let (icd, rest) = self.split();
        check_identifier(icd, rest)
    }

    fn split(&self) -> (&str, &str) {
        // Constructors guarantee an ASCII `NNNN:` prefix, so these slices always exist.
        (
            self.value.get(..4).unwrap_or_default(),
            self.value.get(5..).unwrap_or_default(),
        )
    }
}

fn char_pos(s: &str, pred: impl Fn(char) -> bool) -> (usize, char) {
    s.chars()
        .enumerate()
        .find(|(_, c)| pred(*c))
        .unwrap_or((0, ' '))
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PARTICIPANT_SCHEME}::{}", self.value)
    }
}

impl FromStr for ParticipantId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl serde::Serialize for ParticipantId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ParticipantId {
    /// Deserializing validates fully, like [`ParticipantId::parse`].
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> Error {
        ParticipantId::parse(s).unwrap_err()
    }

    #[test]
    fn parses_both_forms_and_folds_case() {
        let a = ParticipantId::parse("0208:0123456749").unwrap();
        let b = ParticipantId::parse("ISO6523-ACTORID-UPIS::0208:0123456749").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "iso6523-actorid-upis::0208:0123456749");
        assert_eq!((a.icd(), a.identifier()), ("0208", "0123456749"));
        let v = ParticipantId::parse("9925:BE0123456749").unwrap();
        assert_eq!(v, ParticipantId::parse("9925:be0123456749").unwrap());
        assert_eq!(v.value(), "9925:be0123456749");
        assert!(ParticipantId::parse("0088:5798000000001").is_ok());
        assert!(ParticipantId::parse(" 0007:5560360793 ").is_ok());
        assert!(ParticipantId::parse("0184:DK12345678").is_ok());
    }

    #[test]
    fn precise_errors() {
        assert_eq!(
            err("0208:0123456789"),
            Error::CheckFailed {
                rule: "PEPPOL-COMMON-R043",
                icd: "0208",
                scheme_name: "Belgian enterprise number",
                value: "0123456789".into(),
                reason: "must be 10 digits whose last two are 97 minus the first eight mod 97",
            }
        );
        assert_eq!(err("0088:5798000000002").code(), "PEPPOL-COMMON-R040");
        assert_eq!(err("0192:923609017").code(), "PEPPOL-COMMON-R041");
        assert_eq!(err("0007:5560360794").code(), "PEPPOL-COMMON-R049");
        assert_eq!(err("0151:51824753557").code(), "PEPPOL-COMMON-R050");
        assert_eq!(
            err("0010:5798000000001"),
            Error::UnknownIcd {
                icd: "0010".into(),
                removed: false
            }
        );
        assert_eq!(
            err("0193:123"),
            Error::UnknownIcd {
                icd: "0193".into(),
                removed: true
            }
        );
        assert_eq!(err(""), Error::Empty { what: WHAT });
        assert_eq!(err("iso6523-actorid-upis::"), Error::Empty { what: WHAT });
        assert_eq!(
            err("foo::0208:0123456749"),
            Error::WrongScheme {
                what: WHAT,
                expected: PARTICIPANT_SCHEME,
                found: "foo".into()
            }
        );
        assert_eq!(
            err("208:0123456749"),
            Error::ParticipantSyntax {
                value: "208:0123456749".into()
            }
        );
        assert_eq!(
            err("0208:"),
            Error::ParticipantSyntax {
                value: "0208:".into()
            }
        );
        assert_eq!(
            err("9915:te st"),
            Error::BadChar {
                what: WHAT,
                ch: ' ',
                pos: 7
            }
        );
        assert_eq!(
            err("9915:tést"),
            Error::BadChar {
                what: WHAT,
                ch: 'é',
                pos: 6
            }
        );
        let long = format!("9915:{}", "a".repeat(46));
        assert_eq!(
            err(&long),
            Error::TooLong {
                what: WHAT,
                len: 51,
                max: 50
            }
        );
        assert!(ParticipantId::parse(&long[..50]).is_ok());
    }

    #[test]
    fn messages_say_what_and_where() {
        assert_eq!(
            err("0208:0123456789").to_string(),
            "[PEPPOL-COMMON-R043] `0208:0123456789` is not a valid Belgian enterprise number: \
             must be 10 digits whose last two are 97 minus the first eight mod 97"
        );
        assert_eq!(
            err("9915:tést").to_string(),
            "participant identifier has a forbidden character 'é' at position 6 (only US-ASCII is allowed)"
        );
        assert!(err("0193:1")
            .to_string()
            .contains("was removed from the Peppol code list"));
    }

    #[test]
    fn warnings_do_not_block() {
        let id = ParticipantId::parse("0106:1234567").unwrap();
        let f = id.findings();
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].rule, f[0].severity),
            ("PEPPOL-COMMON-R054", Severity::Warning)
        );
    }

    #[test]
    fn lenient_names_what_strict_refuses() {
        let id = ParticipantId::parse_lenient("0010:5798000000001").unwrap();
        assert_eq!(id.icd(), "0010");
        let id = ParticipantId::parse_lenient("0208:0123456789").unwrap();
        assert_eq!(id.findings()[0].rule, "PEPPOL-COMMON-R043");
        assert!(ParticipantId::from_parts_lenient("iso6523-actorid-upis", "0088:123ABC").is_ok());
        assert!(ParticipantId::from_parts_lenient("humpty dumpty", "0088:1").is_err());
        assert!(ParticipantId::parse_lenient("0088:\u{7}").is_err());
    }

    #[test]
    fn serde_round_trip() {
        let id: ParticipantId = serde_json::from_str("\"0208:0123456749\"").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"iso6523-actorid-upis::0208:0123456749\"");
        assert_eq!(serde_json::from_str::<ParticipantId>(&json).unwrap(), id);
        let e = serde_json::from_str::<ParticipantId>("\"0208:0123456789\"").unwrap_err();
        assert!(e.to_string().contains("PEPPOL-COMMON-R043"), "{e}");
    }
}

/// Serde with the lenient parser, for stored identifiers that came from the network:
/// `#[serde(with = "gateway_peppol::participant_lenient")]`. The plain impls validate fully.
pub mod participant_lenient {
    use super::ParticipantId;

    pub fn serialize<S: serde::Serializer>(id: &ParticipantId, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(id)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<ParticipantId, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        ParticipantId::parse_lenient(&s).map_err(serde::de::Error::custom)
    }

    #[cfg(test)]
    mod tests {
        use super::super::ParticipantId;

        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Stored {
            #[serde(with = "super")]
            sender: ParticipantId,
        }

        #[test]
        fn keeps_what_strict_refuses() {
            let json = r#"{"sender":"iso6523-actorid-upis::0088:7315458756324"}"#;
            let s: Stored = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&s).unwrap(), json);
            assert!(serde_json::from_str::<ParticipantId>(r#""0088:7315458756324""#).is_err());
        }
    }
}
