//! Raw documents: stored as received (blob + first journal event) before anything else happens.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use gateway_store::{Direction, Document, Event, NewDocument, Page, Scope};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::{AppState, Problem};
use crate::metrics::DocumentLabels;

/// Media types the gateway accepts as documents.
const ACCEPTED: &[&str] = &[
    "application/xml",
    "text/xml",
    "application/pdf",
    "image/jpeg",
    "image/png",
];

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// `purchase` (default), `sales` or `other`.
    pub direction: Option<Direction>,
    /// Required when the token covers several companies (operator, accountant).
    pub company: Option<String>,
    /// The original file name, kept for people.
    pub file_name: Option<String>,
}

/// Stores a raw document (XML, PDF, JPEG, PNG) for a company of the caller.
#[utoipa::path(operation_id = "upload_document", post, path = "/v1/documents", tag = "documents", security(("bearer" = [])),
    params(UploadParams),
    request_body(content = Vec<u8>, content_type = "application/xml"),
    responses((status = 201, body = Document), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<UploadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, Problem> {
    caller.require_writer()?;
    let company_id = match (
        params.company,
        caller.scope(),
        caller.0.company_ids.as_slice(),
    ) {
        (Some(id), _, _) if caller.visibility().allows(&id) => id,
        (Some(_), _, _) => return Err(Problem::not_found("company")),
        (None, Scope::Member, [only]) => only.clone(),
        (None, _, _) => {
            return Err(Problem::bad_request(
                "company-required",
                "name the company with ?company=ID: this token covers several",
            ))
        }
    };
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if !ACCEPTED.contains(&media_type.as_str()) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            format!(
                "Content-Type `{media_type}` is not one of {}",
                ACCEPTED.join(", ")
            ),
        ));
    }
    if body.is_empty() {
        return Err(Problem::bad_request("empty-body", "the document is empty"));
    }
    let document = state
        .store
        .create_document(NewDocument {
            company_id,
            direction: params.direction.unwrap_or(Direction::Purchase),
            source: "upload".into(),
            media_type,
            file_name: params.file_name,
            bytes: body.to_vec(),
            actor: caller.actor(),
            initial_state: "received".into(),
        })
        .await?;
    state
        .metrics
        .documents_received
        .get_or_create(&DocumentLabels {
            source: "upload".into(),
        })
        .inc();
    let location = format!("/v1/documents/{}", document.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(document),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1 to 1000 (default 50).
    pub limit: Option<u32>,
    /// `next` of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentPage {
    pub items: Vec<Document>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// The caller's documents, newest first.
#[utoipa::path(operation_id = "list_documents", get, path = "/v1/documents", tag = "documents", security(("bearer" = [])),
    params(ListParams),
    responses((status = 200, body = DocumentPage), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<DocumentPage>, Problem> {
    let limit = params.limit.unwrap_or(50).clamp(1, 1000);
    let items = state
        .store
        .list_documents(
            &caller.visibility(),
            Page {
                limit,
                after: params.after,
            },
        )
        .await?;
    let next = (items.len() == limit as usize)
        .then(|| items.last().map(|d| d.id.clone()))
        .flatten();
    Ok(Json(DocumentPage { items, next }))
}

async fn visible(state: &AppState, caller: &Caller, id: &str) -> Result<Document, Problem> {
    state
        .store
        .get_document(&caller.visibility(), id)
        .await?
        .ok_or_else(|| Problem::not_found("document"))
}

/// One document; `404` when it is not the caller's.
#[utoipa::path(operation_id = "get_document", get, path = "/v1/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Document), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Document>, Problem> {
    Ok(Json(visible(&state, &caller, &id).await?))
}

/// The bytes exactly as received.
#[utoipa::path(operation_id = "get_document_original", get, path = "/v1/documents/{id}/original", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn original(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Problem> {
    let doc = visible(&state, &caller, &id).await?;
    let bytes = state
        .store
        .get_blob(&doc.blob.sha256)
        .await?
        .ok_or_else(|| {
            tracing::error!(document = %doc.id, blob = %doc.blob.sha256, "blob row missing");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the document's bytes are missing",
            )
        })?;
    Ok(([(header::CONTENT_TYPE, doc.media_type)], bytes))
}

/// The document's journal: every state change, hash-chained.
#[utoipa::path(operation_id = "get_document_events", get, path = "/v1/documents/{id}/events", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = [Event]), (status = 404, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Event>>, Problem> {
    state
        .store
        .events(&caller.visibility(), &id)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("document"))
}
