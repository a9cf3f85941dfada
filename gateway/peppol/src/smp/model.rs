//! Peppol SMP 1.x documents (`http://busdox.org/serviceMetadata/publishing/1.0/`) as plain structs.

use crate::{DocumentTypeId, ParticipantId, ProcessId};

/// SMP publishing namespace.
pub const NS_SMP: &str = "http://busdox.org/serviceMetadata/publishing/1.0/";
/// Identifier namespace (`ids:`).
pub const NS_IDS: &str = "http://busdox.org/transport/identifiers/1.0/";
/// WS-Addressing namespace (`wsa:EndpointReference`).
pub const NS_WSA: &str = "http://www.w3.org/2005/08/addressing";
/// XML Signature namespace.
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Peppol AS4 transport profile (the current one).
pub const TRANSPORT_PROFILE_AS4_V2: &str = "peppol-transport-as4-v2_0";
/// eDelivery AS4 2.0 with its EC profile (Ed25519, X25519): offered between access points that
/// both support it, next to the Peppol one. The endpoint's certificate is the X25519
/// key-agreement certificate.
pub const TRANSPORT_PROFILE_EDELIVERY_AS4_V2: &str = "bdxr-transport-ebms3-as4-v2p0";
/// Legacy AS2 transport profile (still found in old SMP answers).
pub const TRANSPORT_PROFILE_AS2_V1: &str = "busdox-transport-as2-ver1p0";

/// A verbatim XML fragment kept from the input (an `Extension` or the `ds:Signature`). Its
/// namespace prefixes may be declared on an ancestor, so treat it as bytes, not a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawXml(pub String);

/// `smp:ServiceGroup`: the document types a participant has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceGroup {
    pub participant: ParticipantId,
    /// `ServiceMetadataReference/@href`, the URLs of the SignedServiceMetadata documents.
    pub references: Vec<String>,
    pub extension: Option<RawXml>,
}

/// `smp:SignedServiceMetadata`: the metadata and the SMP's enveloped signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedServiceMetadata {
    pub metadata: ServiceMetadata,
    /// The `ds:Signature` element as it was in the input (verified elsewhere, on the raw bytes).
    pub signature: Option<RawXml>,
}

/// `smp:ServiceMetadata`: either the endpoints or a redirect to another SMP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceMetadata {
    Information(ServiceInformation),
    Redirect(Redirect),
}

/// `smp:ServiceInformation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInformation {
    pub participant: ParticipantId,
    pub document_type: DocumentTypeId,
    pub processes: Vec<Process>,
    pub extension: Option<RawXml>,
}

/// `smp:Process`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    pub process: ProcessId,
    pub endpoints: Vec<Endpoint>,
    pub extension: Option<RawXml>,
}

/// `smp:Endpoint`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `@transportProfile`, e.g. [`TRANSPORT_PROFILE_AS4_V2`].
    pub transport_profile: String,
    /// `wsa:EndpointReference/wsa:Address`.
    pub endpoint_uri: String,
    pub require_business_level_signature: bool,
    pub minimum_authentication_level: Option<String>,
    /// `xs:dateTime` text as published (the caller parses it with its clock library).
    pub service_activation_date: Option<String>,
    pub service_expiration_date: Option<String>,
    /// Base64 DER of the AP certificate, whitespace removed.
    pub certificate: String,
    pub service_description: String,
    pub technical_contact_url: String,
    pub technical_information_url: Option<String>,
    pub extension: Option<RawXml>,
}

impl Endpoint {
    /// The certificate as DER bytes; `None` when the base64 is broken.
    pub fn certificate_der(&self) -> Option<Vec<u8>> {
        data_encoding::BASE64
            .decode(self.certificate.as_bytes())
            .ok()
    }

    /// The `certificate` field for a DER certificate (base64, one line).
    pub fn encode_certificate(der: &[u8]) -> String {
        data_encoding::BASE64.encode(der)
    }
}

/// `smp:Redirect`: ask another SMP, whose certificate has this UID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub href: String,
    pub certificate_uid: String,
    pub extension: Option<RawXml>,
}

impl ServiceMetadata {
    /// The endpoint for a process and transport profile, if this is a `ServiceInformation`.
    pub fn endpoint(&self, process: &ProcessId, transport_profile: &str) -> Option<&Endpoint> {
        let ServiceMetadata::Information(info) = self else {
            return None;
        };
        info.processes
            .iter()
            .filter(|p| &p.process == process)
            .flat_map(|p| &p.endpoints)
            .find(|e| e.transport_profile == transport_profile)
    }
}
