//! Companies: the tenants. The operator creates them; everyone sees only their own.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gateway_store::{Address, Company, NewCompany};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::{AppState, Problem};
use crate::participant::parse_participant;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCompany {
    pub legal_name: String,
    pub vat_number: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `BE`.
    pub country: String,
    #[serde(default)]
    pub address: Option<Address>,
    /// Peppol participant identifiers such as `0208:0123456789`.
    #[serde(default)]
    pub peppol_ids: Vec<String>,
}

impl CreateCompany {
    pub fn into_new(self) -> Result<NewCompany, Problem> {
        let identifiers = self
            .peppol_ids
            .iter()
            .map(|id| {
                parse_participant(id).map_err(|e| Problem::bad_request("invalid-participant-id", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(NewCompany {
            legal_name: self.legal_name,
            vat_number: self.vat_number,
            country: self.country,
            address: self.address.unwrap_or_default(),
            identifiers,
        })
    }
}

/// The companies the caller may see.
#[utoipa::path(operation_id = "list_companies", get, path = "/v1/companies", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = [Company]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Company>>, Problem> {
    Ok(Json(
        state.store.list_companies(&caller.visibility()).await?,
    ))
}

/// One company; `404` when it is not the caller's.
#[utoipa::path(operation_id = "get_company", get, path = "/v1/companies/{id}", tag = "tenants", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Company), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Company>, Problem> {
    state
        .store
        .get_company(&caller.visibility(), &id)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("company"))
}

/// Registers a member company (operator only).
#[utoipa::path(operation_id = "create_company", post, path = "/v1/companies", tag = "tenants", security(("bearer" = [])),
    request_body = CreateCompany,
    responses((status = 201, body = Company), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateCompany>,
) -> Result<(StatusCode, Json<Company>), Problem> {
    caller.require_admin()?;
    let company = state.store.create_company(body.into_new()?).await?;
    Ok((StatusCode::CREATED, Json(company)))
}
