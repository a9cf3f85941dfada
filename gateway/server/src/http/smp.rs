//! The Peppol SMP 1.x REST API for our members: ServiceGroup, SignedServiceMetadata (enveloped
//! XML signature, RSA-SHA256, exclusive c14n) and the Peppol Directory business card.
use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use gateway_peppol::smp::{
    write_business_card, write_service_group, write_signed_service_metadata, BusinessCard,
    BusinessEntity, CardName, Endpoint, Process, ServiceGroup, ServiceInformation, ServiceMetadata,
    TRANSPORT_PROFILE_AS4_V2, TRANSPORT_PROFILE_EDELIVERY_AS4_V2,
};
use gateway_peppol::{parse_smp_path, DocumentTypeId, ParticipantId, ProcessId, SmpRequest};
use gateway_store::{Identifier, Participant};

use super::{AppState, Problem};

/// What the SMP publishes about this access point, fixed at start-up.
pub struct SmpPublisher {
    /// Path prefix of the SMP API, e.g. `/smp`.
    pub base: String,
    /// Absolute URL prefix of the SMP API, for ServiceGroup references.
    pub public_base: String,
    /// The AS4 endpoint URL published for every member.
    pub endpoint_url: String,
    /// DER of the access point's certificate.
    pub ap_certificate: Vec<u8>,
    /// DER of our X25519 key-agreement certificate when the EC profile is on: published as a
    /// second endpoint with the eDelivery AS4 2.0 transport profile.
    pub ec_certificate: Option<Vec<u8>>,
    pub service_description: String,
    pub technical_contact_url: String,
    pub signer: crate::smp_signer::SmpSigner,
}

pub async fn serve(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, Problem> {
    let smp: Arc<SmpPublisher> = state.smp.clone();
    let rest = uri.path().strip_prefix(smp.base.as_str()).unwrap_or("");
    if let Some(card) = rest.strip_prefix("/businesscard/") {
        let id = gateway_peppol::decode_segment(card)
            .ok()
            .and_then(|s| ParticipantId::parse_lenient(&s).ok())
            .ok_or_else(|| {
                Problem::bad_request("bad-participant", "not a participant identifier")
            })?;
        let member = member(&state, &id).await?;
        return Ok(xml(write_business_card(&business_card(&id, &member))));
    }
    let request =
        parse_smp_path(rest).map_err(|e| Problem::bad_request("bad-smp-path", e.to_string()))?;
    match request {
        SmpRequest::ServiceGroup(id) => {
            let member = member(&state, &id).await?;
            let references = doctypes(&member)
                .iter()
                .map(|d| gateway_peppol::service_metadata_url(&smp.public_base, &id, d))
                .collect();
            Ok(xml(write_service_group(&ServiceGroup {
                participant: id,
                references,
                extension: None,
            })))
        }
        SmpRequest::ServiceMetadata(id, doctype) => {
            let member = member(&state, &id).await?;
            let processes: Vec<Process> = member
                .capabilities
                .iter()
                .filter(|c| c.document_type == doctype.value())
                .filter_map(|c| {
                    ProcessId::from_parts(gateway_peppol::PROCESS_SCHEME, &c.process).ok()
                })
                .map(|process| Process {
                    process,
                    endpoints: endpoints(&smp),
                    extension: None,
                })
                .collect();
            if processes.is_empty() {
                return Err(Problem::not_found("document type for this participant"));
            }
            let metadata = ServiceMetadata::Information(ServiceInformation {
                participant: id,
                document_type: doctype,
                processes,
                extension: None,
            });
            let unsigned = write_signed_service_metadata(&metadata, None);
            let signed = smp.signer.sign(&unsigned).map_err(|e| {
                tracing::error!(error = %e, "cannot sign SMP answer");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the SMP answer could not be signed",
                )
            })?;
            Ok(xml(signed))
        }
    }
}

/// A member of this gateway with that identifier, or 404: we are the SMP of our members only.
async fn member(state: &AppState, id: &ParticipantId) -> Result<Participant, Problem> {
    let found = state
        .store
        .participant_by_identifier(&Identifier {
            scheme: id.scheme().to_string(),
            value: id.value().to_string(),
        })
        .await?;
    match found {
        Some(p) if p.member => Ok(p),
        _ => Err(Problem::not_found("participant on this SMP")),
    }
}

fn doctypes(p: &Participant) -> Vec<DocumentTypeId> {
    let mut out: Vec<DocumentTypeId> = p
        .capabilities
        .iter()
        .filter_map(|c| {
            DocumentTypeId::from_parts(gateway_peppol::DOCTYPE_SCHEME, &c.document_type).ok()
        })
        .collect();
    out.dedup();
    out
}

/// The Peppol endpoint, then the EC one when on (same URL: the receiver opens both).
fn endpoints(smp: &SmpPublisher) -> Vec<Endpoint> {
    let mut out = vec![endpoint(smp, TRANSPORT_PROFILE_AS4_V2, &smp.ap_certificate)];
    if let Some(ec) = &smp.ec_certificate {
        out.push(endpoint(smp, TRANSPORT_PROFILE_EDELIVERY_AS4_V2, ec));
    }
    out
}

fn endpoint(smp: &SmpPublisher, profile: &str, certificate: &[u8]) -> Endpoint {
    Endpoint {
        transport_profile: profile.into(),
        endpoint_uri: smp.endpoint_url.clone(),
        require_business_level_signature: false,
        minimum_authentication_level: None,
        service_activation_date: None,
        service_expiration_date: None,
        certificate: Endpoint::encode_certificate(certificate),
        service_description: smp.service_description.clone(),
        technical_contact_url: smp.technical_contact_url.clone(),
        technical_information_url: None,
        extension: None,
    }
}

fn business_card(id: &ParticipantId, p: &Participant) -> BusinessCard {
    BusinessCard {
        participant: id.clone(),
        entities: vec![BusinessEntity {
            names: vec![CardName {
                name: p.legal_name.clone(),
                language: None,
            }],
            country_code: p.country.clone(),
            geographical_information: p.address.city.clone(),
            ..BusinessEntity::default()
        }],
    }
}

fn xml(body: Vec<u8>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}
