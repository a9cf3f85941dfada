//! API tokens: created by the operator (any scope) or by a member (member tokens of its company).
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gateway_store::{IssuedToken, NewToken, Scope, TokenInfo};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::{AppState, Problem};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    pub scope: Scope,
    /// One company for `member`, one or more for `accountant`, none for `admin`.
    #[serde(default)]
    pub company_ids: Vec<String>,
    pub label: String,
    pub user_id: Option<String>,
}

/// Tokens whose companies the caller may see. Never their secrets.
#[utoipa::path(operation_id = "list_tokens", get, path = "/v1/tokens", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = [TokenInfo]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenInfo>>, Problem> {
    Ok(Json(state.store.list_tokens(&caller.visibility()).await?))
}

/// Creates a token. The answer holds the secret; it is shown this once and stored only hashed.
#[utoipa::path(operation_id = "create_token", post, path = "/v1/tokens", tag = "tenants", security(("bearer" = [])),
    request_body = CreateToken,
    responses((status = 201, body = IssuedToken), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateToken>,
) -> Result<(StatusCode, Json<IssuedToken>), Problem> {
    match caller.scope() {
        Scope::Admin => {}
        Scope::Member => {
            if body.scope != Scope::Member {
                return Err(Problem::forbidden(
                    "a member token can only create member tokens",
                ));
            }
            if !body
                .company_ids
                .iter()
                .all(|c| caller.visibility().allows(c))
            {
                return Err(Problem::not_found("company"));
            }
        }
        Scope::Accountant => return Err(Problem::forbidden("accountant tokens are read-only")),
    }
    let issued = state
        .store
        .create_token(NewToken {
            scope: body.scope,
            company_ids: body.company_ids,
            label: body.label,
            user_id: body.user_id,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

/// Revokes a token; `404` when it is not the caller's to see.
#[utoipa::path(operation_id = "revoke_token", delete, path = "/v1/tokens/{id}", tag = "tenants", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    caller.require_writer()?;
    if state.store.revoke_token(&caller.visibility(), &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("token"))
    }
}
