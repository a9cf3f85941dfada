//! Users and the caller itself.
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use gateway_store::{NewUser, Scope, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;
use super::{AppState, Problem};

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub token_id: String,
    pub scope: Scope,
    pub company_ids: Vec<String>,
    pub user_id: Option<String>,
}

/// Who the presented token is.
#[utoipa::path(operation_id = "get_me", get, path = "/v1/me", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
pub async fn me(caller: Caller) -> Json<Me> {
    let p = caller.0;
    Json(Me {
        token_id: p.token_id,
        scope: p.scope,
        company_ids: p.company_ids,
        user_id: p.user_id,
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    pub email: String,
    pub name: String,
    pub company_id: Option<String>,
}

/// Users of the caller's companies.
#[utoipa::path(operation_id = "list_users", get, path = "/v1/users", tag = "tenants", security(("bearer" = [])),
    responses((status = 200, body = [User]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<User>>, Problem> {
    Ok(Json(state.store.list_users(&caller.visibility()).await?))
}

/// Adds a user: the operator for any company, a member for its own.
#[utoipa::path(operation_id = "create_user", post, path = "/v1/users", tag = "tenants", security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = User), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateUser>,
) -> Result<(StatusCode, Json<User>), Problem> {
    caller.require_writer()?;
    if caller.scope() != Scope::Admin {
        match &body.company_id {
            Some(id) if caller.visibility().allows(id) => {}
            Some(_) => return Err(Problem::not_found("company")),
            None => return Err(Problem::forbidden("a member adds users to its own company")),
        }
    }
    let user = state
        .store
        .create_user(NewUser {
            email: body.email,
            name: body.name,
            company_id: body.company_id,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}
