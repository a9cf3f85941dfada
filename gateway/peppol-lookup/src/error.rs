//! One error type for the whole lookup: each variant says which step failed, for which name or
//! URL, and [`LookupError::is_retryable`] tells a sender whether trying again later can help.

use std::time::Duration;

/// Why a participant's endpoint could not be found.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum LookupError {
    /// The DNS server did not answer within the configured timeout.
    #[error("DNS lookup of `{name}` timed out")]
    DnsTimeout { name: String },
    /// The DNS lookup failed for a transient reason (SERVFAIL, REFUSED, network error).
    #[error("DNS lookup of `{name}` failed: {reason}")]
    Dns { name: String, reason: String },
    /// Neither the NAPTR nor the legacy CNAME name exists: the participant is not in this SML.
    #[error("participant {participant} is not registered in SML zone `{zone}` (no NAPTR at `{naptr_name}`, no CNAME at `{cname_name}`)")]
    ParticipantNotRegistered {
        participant: String,
        zone: String,
        naptr_name: String,
        cname_name: String,
    },
    /// NAPTR records exist but none is a usable U-NAPTR `Meta:SMP` record.
    #[error("NAPTR records at `{name}` are unusable: {reason}")]
    BadNaptr { name: String, reason: String },
    /// The SMP could not be reached (connection refused or reset, TLS failure, DNS of its host).
    #[error("SMP at `{url}` is unreachable: {reason}")]
    SmpUnreachable { url: String, reason: String },
    /// The https SMP's certificate or TLS handshake was refused (untrusted or wrong
    /// certificate, no common protocol): a configuration problem on one side.
    #[error("TLS with SMP at `{url}` failed: {reason}")]
    SmpTls { url: String, reason: String },
    /// The SMP did not answer within the configured timeout.
    #[error("SMP at `{url}` did not answer within {timeout:?}")]
    SmpTimeout { url: String, timeout: Duration },
    /// The SMP answered with a 5xx status (or 408/429).
    #[error("SMP at `{url}` answered HTTP {status} (temporary)")]
    SmpTemporary { url: String, status: u16 },
    /// The SMP answered 404: it has no such participant or no such document type for it.
    #[error("SMP at `{url}` has no service metadata for participant {participant} and document type {document_type} (HTTP 404)")]
    ServiceNotFound {
        url: String,
        participant: String,
        document_type: String,
    },
    /// The SMP answered another non-success status.
    #[error("SMP at `{url}` answered HTTP {status}")]
    SmpStatus { url: String, status: u16 },
    /// The SMP's answer exceeded the configured size limit.
    #[error("SMP answer from `{url}` exceeds {limit} bytes")]
    ResponseTooLarge { url: String, limit: usize },
    /// The answer is not a SignedServiceMetadata document we can read.
    #[error("SMP answer from `{url}` is not valid SignedServiceMetadata: {reason}")]
    BadDocument { url: String, reason: String },
    /// The XML signature is missing, malformed or does not verify.
    #[error("signature of the SMP answer from `{url}` is invalid: {reason}")]
    BadSignature { url: String, reason: String },
    /// The signer certificate does not chain to the SMP trust anchors or is not valid now.
    #[error("SMP signer certificate `{subject}` is not trusted: {reason}")]
    UntrustedCertificate { subject: String, reason: String },
    /// The signed document is about another participant or document type than asked.
    #[error("SMP answer from `{url}` does not match the request: {reason}")]
    WrongDocument { url: String, reason: String },
    /// An SMP `Redirect` could not be followed (second redirect, certificate UID mismatch).
    #[error("SMP redirect from `{url}` refused: {reason}")]
    BadRedirect { url: String, reason: String },
    /// The verified document has no endpoint for this process and transport profile.
    #[error("participant {participant} has no `{transport_profile}` endpoint for process {process} and document type {document_type}")]
    NoEndpoint {
        participant: String,
        document_type: String,
        process: String,
        transport_profile: String,
    },
    /// The endpoint exists but is not active at the checked time.
    #[error("endpoint `{endpoint_url}` is not active at {at}: {reason}")]
    EndpointNotActive {
        endpoint_url: String,
        at: String,
        reason: String,
    },
    /// The endpoint's published data is unusable (certificate not DER, bad date).
    #[error("endpoint `{endpoint_url}` is unusable: {reason}")]
    BadEndpoint {
        endpoint_url: String,
        reason: String,
    },
    /// The lookup is misconfigured (bad trust anchor PEM, bad name server, bad URL).
    #[error("lookup configuration error: {0}")]
    Config(String),
}

impl LookupError {
    /// True when the same lookup may succeed later without anyone changing anything: network
    /// trouble, timeouts and server-side failures. Missing registrations, bad signatures and
    /// untrusted certificates need someone to act and are not retryable.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            LookupError::DnsTimeout { .. }
                | LookupError::Dns { .. }
                | LookupError::SmpUnreachable { .. }
                | LookupError::SmpTimeout { .. }
                | LookupError::SmpTemporary { .. }
        )
    }

    /// True for "this participant/document type/process is not served": the answers worth
    /// caching negatively.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            LookupError::ParticipantNotRegistered { .. }
                | LookupError::ServiceNotFound { .. }
                | LookupError::NoEndpoint { .. }
        )
    }
}
