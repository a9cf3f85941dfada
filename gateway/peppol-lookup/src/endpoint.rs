//! Picking the endpoint for a process and transport profile from verified metadata, and
//! checking its activation/expiration dates at the given time.

use std::time::SystemTime;

use gateway_peppol::smp::{Endpoint, ServiceMetadata};
use gateway_peppol::{DocumentTypeId, ParticipantId, ProcessId};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::clock::fmt_time;
use crate::LookupError;

/// Where and how to send a document to a participant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEndpoint {
    /// The AS4 endpoint URL (`wsa:Address`).
    pub endpoint_url: String,
    /// The receiving access point's certificate (DER), to encrypt for and to check its receipts.
    pub certificate_der: Vec<u8>,
    pub activation: Option<SystemTime>,
    pub expiration: Option<SystemTime>,
    pub transport_profile: String,
    /// The SMP base URL the answer came from.
    pub smp_url: String,
    /// Subject of the certificate that signed the SMP answer.
    pub smp_signer: String,
}

pub(crate) fn doctype_text(d: &DocumentTypeId) -> String {
    format!("{}::{}", d.scheme(), d.value())
}

pub(crate) fn process_text(p: &ProcessId) -> String {
    format!("{}::{}", p.scheme(), p.value())
}

/// The request a metadata document must answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wanted<'a> {
    pub participant: &'a ParticipantId,
    pub document_type: &'a DocumentTypeId,
    pub process: &'a ProcessId,
    pub transport_profile: &'a str,
}

/// The first endpoint for `wanted` that is active at `at`.
pub(crate) fn select_endpoint(
    metadata: &ServiceMetadata,
    wanted: Wanted<'_>,
    at: SystemTime,
) -> Result<(Endpoint, Option<SystemTime>, Option<SystemTime>), LookupError> {
    let no_endpoint = || LookupError::NoEndpoint {
        participant: wanted.participant.to_uri(),
        document_type: doctype_text(wanted.document_type),
        process: process_text(wanted.process),
        transport_profile: wanted.transport_profile.to_owned(),
    };
    let ServiceMetadata::Information(info) = metadata else {
        return Err(no_endpoint());
    };
    let candidates: Vec<&Endpoint> = info
        .processes
        .iter()
        .filter(|p| &p.process == wanted.process)
        .flat_map(|p| &p.endpoints)
        .filter(|e| e.transport_profile == wanted.transport_profile)
        .collect();
    let mut first_problem = None;
    for e in candidates {
        let activation = parse_date(e, e.service_activation_date.as_deref())?;
        let expiration = parse_date(e, e.service_expiration_date.as_deref())?;
        let problem = match (activation, expiration) {
            (Some(a), _) if at < a => Some(format!("activated only from {}", fmt_time(a))),
            (_, Some(x)) if at > x => Some(format!("expired at {}", fmt_time(x))),
            _ => None,
        };
        match problem {
            None => return Ok((e.clone(), activation, expiration)),
            Some(reason) => {
                first_problem.get_or_insert(LookupError::EndpointNotActive {
                    endpoint_url: e.endpoint_uri.clone(),
                    at: fmt_time(at),
                    reason,
                });
            }
        }
    }
    Err(first_problem.unwrap_or_else(no_endpoint))
}

fn parse_date(e: &Endpoint, text: Option<&str>) -> Result<Option<SystemTime>, LookupError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    parse_xs_datetime(text)
        .map(Some)
        .ok_or_else(|| LookupError::BadEndpoint {
            endpoint_url: e.endpoint_uri.clone(),
            reason: format!("`{text}` is not an xs:dateTime"),
        })
}

/// `xs:dateTime` (UTC when it has no zone, as SMPs commonly publish) or a bare `xs:date`.
pub(crate) fn parse_xs_datetime(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    let full = match text.split_once('T') {
        None => format!("{text}T00:00:00Z"),
        Some((_, clock)) if clock.ends_with(['Z', 'z']) || clock.contains(['+', '-']) => {
            text.to_owned()
        }
        Some(_) => format!("{text}Z"),
    };
    OffsetDateTime::parse(&full, &Rfc3339)
        .ok()
        .map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xs_datetime_forms() {
        let t = |s| {
            parse_xs_datetime(s)
                .map(|t| t.duration_since(SystemTime::UNIX_EPOCH).unwrap())
                .map(|d| d.as_secs())
        };
        assert_eq!(t("2026-01-01T00:00:00Z"), Some(1_767_225_600));
        assert_eq!(t("2026-01-01T00:00:00"), Some(1_767_225_600));
        assert_eq!(t("2026-01-01T01:00:00+01:00"), Some(1_767_225_600));
        assert_eq!(t("2026-01-01T00:00:00.250Z"), Some(1_767_225_600));
        assert_eq!(t("2026-01-01"), Some(1_767_225_600));
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("2026-13-01T00:00:00Z"), None);
    }
}
