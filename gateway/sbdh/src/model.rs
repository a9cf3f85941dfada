//! The Peppol envelope data an SBDH carries (Peppol Envelope Specification 2.0).

use std::ops::Range;

use gateway_peppol::{DocumentTypeId, ParticipantId, ProcessId};

use crate::error::Position;

/// `DocumentIdentification` of the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentIdentification {
    /// `Standard`: the namespace URI of the business document's root element.
    pub standard: String,
    /// `TypeVersion`, e.g. `2.1`.
    pub type_version: String,
    /// `InstanceIdentifier`: unique id of this envelope (a UUID in practice).
    pub instance_identifier: String,
    /// `Type`: the local name of the business document's root element, e.g. `Invoice`.
    pub type_name: String,
    /// `CreationDateAndTime` as written (an `xs:dateTime`).
    pub creation_date_and_time: String,
}

/// `MLS_TYPE` scope values (Peppol Message Level Status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MlsType {
    AlwaysSend,
    FailureOnly,
}

impl MlsType {
    /// The value as written in the scope.
    pub fn as_str(self) -> &'static str {
        match self {
            MlsType::AlwaysSend => "ALWAYS_SEND",
            MlsType::FailureOnly => "FAILURE_ONLY",
        }
    }

    /// Parses the case-sensitive scope value.
    pub fn parse(s: &str) -> Option<MlsType> {
        match s {
            "ALWAYS_SEND" => Some(MlsType::AlwaysSend),
            "FAILURE_ONLY" => Some(MlsType::FailureOnly),
            _ => None,
        }
    }
}

/// The `MLS_TO` scope: where Message Level Status answers go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MlsTo {
    /// The scope `Identifier` (scheme), when present.
    pub scheme: Option<String>,
    /// The scope `InstanceIdentifier` as written.
    pub value: String,
    /// The participant, when scheme and value form a valid identifier (else a [`Warning`]).
    pub participant: Option<ParticipantId>,
}

/// A scope that is not one of the Peppol ones, kept for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub scope_type: String,
    pub instance_identifier: String,
    pub identifier: Option<String>,
}

/// The Peppol data of a Standard Business Document Header (HeaderVersion is always 1.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sbdh {
    /// C1, from `Sender/Identifier`.
    pub sender: ParticipantId,
    /// C4, from `Receiver/Identifier`.
    pub receiver: ParticipantId,
    pub document_identification: DocumentIdentification,
    /// `DOCUMENTID` scope.
    pub document_type_id: DocumentTypeId,
    /// `PROCESSID` scope.
    pub process_id: ProcessId,
    /// `COUNTRY_C1` scope: the country of the sender (C1).
    pub country_c1: String,
    /// Optional `MLS_TO` scope.
    pub mls_to: Option<MlsTo>,
    /// Optional `MLS_TYPE` scope.
    pub mls_type: Option<MlsType>,
    /// Other scopes, in document order.
    pub additional_scopes: Vec<Scope>,
}

/// The business document: an exact slice of the input, so signatures and hashes over it hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload<'a> {
    /// The bytes from `<` of the start tag to `>` of the end tag.
    pub bytes: &'a [u8],
    /// Where `bytes` lies in the input.
    pub range: Range<usize>,
    /// Namespace URI of the root element.
    pub namespace: Option<String>,
    /// Local name of the root element.
    pub local_name: String,
    /// Namespace declarations of the `StandardBusinessDocument` element that are in scope in
    /// the payload and not redeclared by it, as (prefix, URI), `None` for the default
    /// namespace. `bytes` parsed alone lacks these; add the ones the payload uses.
    pub inherited_namespaces: Vec<(Option<String>, String)>,
}

/// Something accepted but worth telling (e.g. an MLS_TO that is not a participant identifier,
/// which Peppol treats as a warning since peppol-commons 12.3.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub at: Position,
    pub message: String,
}

/// A read Standard Business Document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardBusinessDocument<'a> {
    pub header: Sbdh,
    pub payload: Payload<'a>,
    pub warnings: Vec<Warning>,
}
