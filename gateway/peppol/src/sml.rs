//! SML DNS names of participants and the U-NAPTR answer that points at their SMP.
//!
//! NAPTR: `strip("=", base32(sha256(lowercase(value)))) . scheme . zone` (Peppol SML spec,
//! BDXL 1.6 s1.4.2); legacy CNAME: `"B-" + hex(md5(lowercase(value))) . scheme . zone`. This is
//! exactly what `shared/peers/sml/naptr_name.py` computes; labels are printed in lower case.

use md5::{Digest as _, Md5};
use sha2::Sha256;

use crate::{Error, ParticipantId};

/// Peppol production SML zone (since 2026-03-19).
pub const SML_ZONE_PROD: &str = "participant.sml.prod.tech.peppol.org";
/// Peppol test SML zone (since 2026-03-19).
pub const SML_ZONE_TEST: &str = "participant.sml.test.tech.peppol.org";
/// Former EC production zone.
pub const SML_ZONE_EC_PROD: &str = "edelivery.tech.ec.europa.eu";
/// Former EC acceptance zone.
pub const SML_ZONE_EC_TEST: &str = "acc.edelivery.tech.ec.europa.eu";

/// The NAPTR service an SMP record carries.
pub const NAPTR_SERVICE_SMP: &str = "Meta:SMP";

/// The name to query for a U-NAPTR record (`Meta:SMP`).
pub fn naptr_name(participant: &ParticipantId, zone: &str) -> String {
    naptr_name_raw(participant.value(), Some(participant.scheme()), zone)
}

/// The legacy `B-<md5>` name (a CNAME to the SMP host).
pub fn cname_name(participant: &ParticipantId, zone: &str) -> String {
    cname_name_raw(participant.value(), Some(participant.scheme()), zone)
}

/// [`naptr_name`] for any value and optional scheme label (e.g. ebCore party ids have none).
pub fn naptr_name_raw(value: &str, scheme: Option<&str>, zone: &str) -> String {
    let digest = Sha256::digest(value.to_lowercase().as_bytes());
    let label = data_encoding::BASE32_NOPAD
        .encode(&digest)
        .to_ascii_lowercase();
    join(&label, scheme, zone)
}

/// [`cname_name`] for any value and optional scheme label.
pub fn cname_name_raw(value: &str, scheme: Option<&str>, zone: &str) -> String {
    let digest = Md5::digest(value.to_lowercase().as_bytes());
    join(
        &format!("B-{}", data_encoding::HEXLOWER.encode(&digest)),
        scheme,
        zone,
    )
}

fn join(label: &str, scheme: Option<&str>, zone: &str) -> String {
    let zone = zone.trim_matches('.');
    [Some(label), scheme, Some(zone)]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(".")
}

/// One NAPTR resource record as a DNS client returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NaptrRecord {
    pub order: u16,
    pub preference: u16,
    pub flags: String,
    pub service: String,
    pub regexp: String,
    pub replacement: String,
}

/// Picks the SMP URL from the records of a NAPTR answer: `U` records with service `Meta:SMP`,
/// lowest order then preference. Other services are ignored; none usable is an error.
pub fn smp_url_from_naptr(records: &[NaptrRecord]) -> Result<String, Error> {
    let mut usable: Vec<&NaptrRecord> = records
        .iter()
        .filter(|r| r.service.eq_ignore_ascii_case(NAPTR_SERVICE_SMP))
        .collect();
    if usable.is_empty() {
        return Err(Error::Naptr(format!(
            "no record with service `{NAPTR_SERVICE_SMP}`"
        )));
    }
    usable.sort_by_key(|r| (r.order, r.preference));
    let mut last = None;
    for r in usable {
        match check_record(r) {
            Ok(url) => return Ok(url),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| Error::Naptr("no usable record".into())))
}

fn check_record(r: &NaptrRecord) -> Result<String, Error> {
    if !r.flags.eq_ignore_ascii_case("U") {
        return Err(Error::Naptr(format!(
            "flags are `{}`; a U-NAPTR record has `U`",
            r.flags
        )));
    }
    let repl = r.replacement.trim();
    if !(repl.is_empty() || repl == ".") {
        return Err(Error::Naptr(format!(
            "replacement is `{}`; a U-NAPTR record has none (`.`)",
            r.replacement
        )));
    }
    parse_naptr_regexp(&r.regexp)
}

/// Reads a U-NAPTR regexp such as `!^.*$!https://smp.example.com!` (RFC 4848 s2.2): the pattern
/// must be `^.*$` and the substitution a literal http(s) URL without back-references.
pub fn parse_naptr_regexp(regexp: &str) -> Result<String, Error> {
    let mut chars = regexp.chars();
    let delim = chars
        .next()
        .ok_or_else(|| Error::Naptr("regexp is empty".into()))?;
    if delim.is_ascii_alphanumeric() || delim == '\\' {
        return Err(Error::Naptr(format!(
            "regexp delimiter {delim:?} is not allowed"
        )));
    }
    let fields: Vec<&str> = chars.as_str().split(delim).collect();
    let [pattern, url, flags] = fields[..] else {
        return Err(Error::Naptr(format!(
            "regexp `{regexp}` must have the form {delim}^.*${delim}URL{delim}"
        )));
    };
    if pattern != "^.*$" {
        return Err(Error::Naptr(format!(
            "regexp pattern is `{pattern}`; U-NAPTR requires `^.*$`"
        )));
    }
    if !flags.is_empty() {
        return Err(Error::Naptr(format!(
            "regexp flags `{flags}` are not allowed"
        )));
    }
    if url.contains('\\') {
        return Err(Error::Naptr(format!(
            "URL `{url}` contains a back-reference or escape"
        )));
    }
    check_url(url)?;
    Ok(url.to_owned())
}

fn check_url(url: &str) -> Result<(), Error> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| Error::Naptr(format!("URL `{url}` is not http or https")))?;
    if let Some(c) = url.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(Error::Naptr(format!("URL `{url}` contains {c:?}")));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') || authority.contains('@') {
        return Err(Error::Naptr(format!("URL `{url}` has no plain host")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(order: u16, flags: &str, service: &str, regexp: &str) -> NaptrRecord {
        NaptrRecord {
            order,
            preference: 10,
            flags: flags.into(),
            service: service.into(),
            regexp: regexp.into(),
            replacement: ".".into(),
        }
    }

    #[test]
    fn regexp() {
        assert_eq!(
            parse_naptr_regexp("!^.*$!https://smp.example.com!").unwrap(),
            "https://smp.example.com"
        );
        assert_eq!(
            parse_naptr_regexp("#^.*$#http://smp.example.com:8080/smp#").unwrap(),
            "http://smp.example.com:8080/smp"
        );
        for bad in [
            "",
            "!^.*$!https://smp.example.com",
            "!^(.*)$!https://smp.example.com!",
            "!^.*$!https://smp.example.com!i",
            "!^.*$!ftp://smp.example.com!",
            "!^.*$!https://!",
            "!^.*$!https://user@evil.example!",
            "!^.*$!https://smp.example.com/\\1!",
            "!^.*$!https://smp example.com!",
            "a^.*$ahttps://x.example.coma",
        ] {
            assert!(
                matches!(parse_naptr_regexp(bad), Err(Error::Naptr(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn record_selection() {
        let recs = [
            rec(1, "U", "Meta:other", "!^.*$!https://other.example!"),
            rec(20, "U", "Meta:SMP", "!^.*$!https://second.example!"),
            rec(10, "U", "meta:smp", "!^.*$!https://first.example!"),
        ];
        assert_eq!(smp_url_from_naptr(&recs).unwrap(), "https://first.example");
        let bad_first = [
            rec(10, "S", "Meta:SMP", "!^.*$!https://first.example!"),
            rec(20, "U", "Meta:SMP", "!^.*$!https://second.example!"),
        ];
        assert_eq!(
            smp_url_from_naptr(&bad_first).unwrap(),
            "https://second.example"
        );
        let e = smp_url_from_naptr(&[rec(1, "U", "Meta:other", "!^.*$!https://x.example!")])
            .unwrap_err();
        assert_eq!(e, Error::Naptr("no record with service `Meta:SMP`".into()));
        let mut r = rec(1, "U", "Meta:SMP", "!^.*$!https://x.example!");
        r.replacement = "smp.example.".into();
        assert!(smp_url_from_naptr(&[r]).is_err());
    }
}
