//! E-mail import over HTTP: a company's import address, and raw MIME for operators who pipe
//! mail from their own MTA (e.g. a Postfix transport) instead of using our SMTP listener.
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::{AppState, Problem};
use crate::email::{import_message, ImportedDocument};
use crate::metrics::DocumentLabels;
use crate::Error;

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportAddress {
    pub company_id: String,
    /// Send purchase invoices (PDF, JPEG, PNG or XML attachments) here.
    pub address: String,
}

/// The company's e-mail import address; `404` when it is not the caller's.
#[utoipa::path(operation_id = "get_import_address", get, path = "/v1/companies/{id}/import-address", tag = "email",
    security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ImportAddress), (status = 404, body = Problem)))]
pub async fn address(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ImportAddress>, Problem> {
    if state
        .store
        .get_company(&caller.visibility(), &id)
        .await?
        .is_none()
    {
        return Err(Problem::not_found("company"));
    }
    let code = state.store.import_code(&id).await?;
    Ok(Json(ImportAddress {
        address: format!("{code}@{}", state.email_import_domain),
        company_id: id,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The receiving company; required when the token covers several (operator).
    pub company: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedMessage {
    pub documents: Vec<ImportedDocument>,
}

/// Imports one raw e-mail (RFC 5322 / MIME): each PDF, JPEG, PNG or XML attachment becomes a
/// purchase document. Posting the same message again stores nothing twice.
#[utoipa::path(operation_id = "import_email", post, path = "/v1/import/email", tag = "email", security(("bearer" = [])),
    params(ImportParams),
    request_body(content = Vec<u8>, content_type = "message/rfc822"),
    responses((status = 201, body = ImportedMessage), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ImportParams>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportedMessage>), Problem> {
    caller.require_writer()?;
    let company_id = caller.target_company(params.company)?;
    let documents = import_message(&*state.store, &company_id, &body, &caller.actor())
        .await
        .map_err(|e| match e {
            Error::Mail(reason) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unimportable-email",
                reason,
            ),
            Error::Store(e) => Problem::from(e),
            other => {
                tracing::error!(error = %other, "e-mail import failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "import failed",
                )
            }
        })?;
    let new = documents.iter().filter(|d| !d.already_imported).count();
    state
        .metrics
        .documents_received
        .get_or_create(&DocumentLabels {
            source: "email".into(),
        })
        .inc_by(new as u64);
    Ok((StatusCode::CREATED, Json(ImportedMessage { documents })))
}
