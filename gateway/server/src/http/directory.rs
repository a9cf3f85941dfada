//! The participant directory over HTTP: search, entries, bulk import, and a member's contacts.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use gateway_store::{
    Address, ContactRole, Delivery, DirectoryQuery, NewParticipant, Participant, Scope, Upserted,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::{AppState, Problem};
use crate::import::{read_card, read_csv, ImportError};
use crate::participant::parse_participant;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words of the name; each must start a word of the name, accents ignored (`ștef tr`).
    pub q: Option<String>,
    /// A VAT number, spaces and dots ignored.
    pub vat: Option<String>,
    /// A Peppol participant identifier, e.g. `0208:0123456749`.
    pub id: Option<String>,
    /// At most this many (1 to 200, default 20).
    pub limit: Option<u32>,
}

/// Searches official entries and the caller's own contacts. Exactly one of `q`, `vat`, `id`.
#[utoipa::path(operation_id = "search_directory", get, path = "/v1/directory", tag = "directory", security(("bearer" = [])),
    params(SearchParams),
    responses((status = 200, body = [Participant]), (status = 400, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<Participant>>, Problem> {
    let query = match (params.q, params.vat, params.id) {
        (Some(q), None, None) => DirectoryQuery::Name(q),
        (None, Some(vat), None) => DirectoryQuery::Vat(vat),
        (None, None, Some(id)) => DirectoryQuery::Identifier(
            parse_lenient(&id).map_err(|e| Problem::bad_request("invalid-participant-id", e))?,
        ),
        _ => {
            return Err(Problem::bad_request(
                "bad-query",
                "give exactly one of q, vat, id",
            ))
        }
    };
    let limit = params.limit.unwrap_or(20);
    let vis = caller.visibility();
    let found = state.store.search_participants(&vis, &query, limit).await?;
    Ok(Json(found.into_iter().map(|p| redact(p, &vis)).collect()))
}

/// Hides which company a member entry is from callers who may not see that company.
fn redact(mut p: Participant, vis: &gateway_store::Visibility) -> Participant {
    if p.member_company_id
        .as_deref()
        .is_some_and(|c| !vis.allows(c))
    {
        p.member_company_id = None;
    }
    p
}

/// Looking up an id someone else wrote: syntax only, since their check digits are not ours to judge.
fn parse_lenient(text: &str) -> Result<gateway_store::Identifier, String> {
    let id =
        gateway_peppol::ParticipantId::parse_lenient(text.trim()).map_err(|e| e.to_string())?;
    Ok(gateway_store::Identifier {
        scheme: id.scheme().to_string(),
        value: id.value().to_string(),
    })
}

/// One entry; `404` when it is another member's private contact.
#[utoipa::path(operation_id = "get_participant", get, path = "/v1/directory/{id}", tag = "directory", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Participant), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Participant>, Problem> {
    let vis = caller.visibility();
    state
        .store
        .get_participant(&vis, &id)
        .await?
        .map(|p| Json(redact(p, &vis)))
        .ok_or_else(|| Problem::not_found("participant"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    pub legal_name: String,
    pub vat_number: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(default)]
    pub address: Option<Address>,
    #[serde(default)]
    pub peppol_ids: Vec<String>,
    /// Default: `peppol` with an identifier, else `email` with an address, else `none`.
    pub delivery: Option<Delivery>,
    pub email: Option<String>,
}

impl NewEntry {
    fn into_new(self, owner: Option<String>, source: &str) -> Result<NewParticipant, Problem> {
        let identifiers = self
            .peppol_ids
            .iter()
            .map(|id| {
                parse_participant(id).map_err(|e| Problem::bad_request("invalid-participant-id", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let delivery = match self.delivery {
            Some(Delivery::Gateway) => {
                return Err(Problem::bad_request(
                    "bad-delivery",
                    "`gateway` delivery belongs to member companies only",
                ))
            }
            Some(d) => d,
            None if !identifiers.is_empty() => Delivery::Peppol,
            None if self.email.is_some() => Delivery::Email,
            None => Delivery::None,
        };
        Ok(NewParticipant {
            owner_company_id: owner,
            legal_name: self.legal_name,
            vat_number: self.vat_number,
            country: self.country.to_ascii_uppercase(),
            address: self.address.unwrap_or_default(),
            identifiers,
            capabilities: Vec::new(),
            delivery,
            email: self.email,
            source: source.into(),
        })
    }
}

/// Adds or updates an entry: official for the operator, a private contact for a member.
#[utoipa::path(operation_id = "add_participant", post, path = "/v1/directory", tag = "directory", security(("bearer" = [])),
    request_body = NewEntry,
    responses((status = 201, body = Upserted), (status = 200, body = Upserted), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn add(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewEntry>,
) -> Result<(StatusCode, Json<Upserted>), Problem> {
    let owner = match caller.scope() {
        Scope::Admin => None,
        Scope::Member => caller.0.company_ids.first().cloned(),
        Scope::Accountant => return Err(Problem::forbidden("accountant tokens are read-only")),
    };
    let mut upserted = state
        .store
        .upsert_participant(body.into_new(owner, "api")?)
        .await?;
    upserted.participant = redact(upserted.participant, &caller.visibility());
    let status = if upserted.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(upserted)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `csv` or `business-card`.
    pub format: ImportFormat,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ImportFormat {
    Csv,
    BusinessCard,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub errors: Vec<ImportError>,
}

/// Bulk import into the official directory (operator only): CSV or a Peppol Directory business card.
#[utoipa::path(operation_id = "import_directory", post, path = "/v1/directory/import", tag = "directory", security(("bearer" = [])),
    params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ImportParams>,
    body: Bytes,
) -> Result<Json<ImportReport>, Problem> {
    caller.require_admin()?;
    let entries: Vec<Result<NewParticipant, ImportError>> = match params.format {
        ImportFormat::Csv => read_csv(&body).map_err(|e| {
            Problem::bad_request("bad-import", format!("line {}: {}", e.line, e.message))
        })?,
        ImportFormat::BusinessCard => read_card(&body)
            .map_err(|e| Problem::bad_request("bad-import", e.message))?
            .into_iter()
            .map(Ok)
            .collect(),
    };
    let mut report = ImportReport::default();
    for entry in entries {
        match entry {
            Ok(new) => match state.store.upsert_participant(new).await {
                Ok(u) if u.created => report.created += 1,
                Ok(_) => report.updated += 1,
                Err(e) => report.errors.push(ImportError {
                    line: 0,
                    message: e.to_string(),
                }),
            },
            Err(e) => report.errors.push(e),
        }
    }
    Ok(Json(report))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub role: ContactRole,
    /// Find the official entry by Peppol identifier…
    pub peppol_id: Option<String>,
    /// …or by VAT number.
    pub vat_number: Option<String>,
    /// Only needed when the gateway holds no official entry.
    pub legal_name: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub delivery: Option<Delivery>,
    /// Required when the token covers several companies.
    pub company: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactAdded {
    pub participant: Participant,
    pub role: ContactRole,
    /// `true` when the official data the gateway holds filled the entry.
    pub prefilled: bool,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub company_id: String,
    pub role: ContactRole,
    pub participant: Participant,
}

const PREFILLED: &str = "Official information of this customer is available in the database and was filled in. The delivery channel is adjusted according to the customer's preference.";

/// Adds a customer or supplier by Peppol id or VAT number, filling in what the directory knows.
#[utoipa::path(operation_id = "add_contact", post, path = "/v1/contacts", tag = "directory", security(("bearer" = [])),
    request_body = NewContact,
    responses((status = 201, body = ContactAdded), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn add_contact(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewContact>,
) -> Result<(StatusCode, Json<ContactAdded>), Problem> {
    caller.require_writer()?;
    let company = match (&body.company, caller.0.company_ids.as_slice()) {
        (Some(id), _) => id.clone(),
        (None, [only]) => only.clone(),
        (None, _) => {
            return Err(Problem::bad_request(
                "company-required",
                "name the company: this token covers several",
            ))
        }
    };
    // Visibility decides: another tenant's company is as absent as a made-up one.
    if state
        .store
        .get_company(&caller.visibility(), &company)
        .await?
        .is_none()
    {
        return Err(Problem::not_found("company"));
    }
    let vis = gateway_store::Visibility::Companies(vec![company.clone()]);
    let mut found = None;
    if let Some(id) = &body.peppol_id {
        let id =
            parse_lenient(id).map_err(|e| Problem::bad_request("invalid-participant-id", e))?;
        found = state
            .store
            .search_participants(&vis, &DirectoryQuery::Identifier(id), 1)
            .await?
            .into_iter()
            .next();
    }
    if found.is_none() {
        if let Some(vat) = &body.vat_number {
            found = state
                .store
                .search_participants(&vis, &DirectoryQuery::Vat(vat.clone()), 1)
                .await?
                .into_iter()
                .next();
        }
    }
    let (participant, prefilled) = match found {
        Some(p) => (p, true),
        None => {
            let entry = NewEntry {
                legal_name: body.legal_name.clone().ok_or_else(|| {
                    Problem::bad_request(
                        "unknown-party",
                        "the directory has no such party: give legal_name and country to add it",
                    )
                })?,
                vat_number: body.vat_number.clone(),
                country: body.country.clone().unwrap_or_default(),
                address: None,
                peppol_ids: body.peppol_id.clone().into_iter().collect(),
                delivery: body.delivery,
                email: body.email.clone(),
            };
            let new = entry.into_new(Some(company.clone()), "contact")?;
            (
                state.store.upsert_participant(new).await?.participant,
                false,
            )
        }
    };
    state
        .store
        .add_contact(&company, &participant.id, body.role)
        .await?;
    let participant = redact(participant, &caller.visibility());
    let message = if prefilled {
        PREFILLED.to_string()
    } else {
        "The party was added to your contacts.".to_string()
    };
    Ok((
        StatusCode::CREATED,
        Json(ContactAdded {
            participant,
            role: body.role,
            prefilled,
            message,
        }),
    ))
}

/// The customers and suppliers of the caller's companies.
#[utoipa::path(operation_id = "list_contacts", get, path = "/v1/contacts", tag = "directory", security(("bearer" = [])),
    responses((status = 200, body = [Contact])))]
pub async fn contacts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Contact>>, Problem> {
    let list = state.store.contacts(&caller.visibility()).await?;
    Ok(Json(
        list.into_iter()
            .map(|(company_id, role, participant)| Contact {
                company_id,
                role,
                participant: redact(participant, &caller.visibility()),
            })
            .collect(),
    ))
}
