//! A member's lifecycle settings and its payables/receivables dashboard.
use axum::extract::{Query, State};
use axum::Json;
use gateway_store::{Dashboard, Settings};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Caller;
use super::{AppState, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyParam {
    /// Required when the token covers several companies.
    pub company: Option<String>,
}

/// Reporting and notification e-mail, report frequency and the auto-accept options.
#[utoipa::path(operation_id = "get_settings", get, path = "/v1/settings", tag = "documents", security(("bearer" = [])),
    params(CompanyParam),
    responses((status = 200, body = Settings), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CompanyParam>,
) -> Result<Json<Settings>, Problem> {
    let company = caller.target_company(q.company)?;
    Ok(Json(state.store.settings(&company).await?))
}

/// Replaces the settings. Auto-accept options: documents the company imported itself,
/// documents from the network whose supplier is one of its suppliers (contacts with role
/// `supplier`), or everything; what none accepts waits to be accepted by hand.
#[utoipa::path(operation_id = "put_settings", put, path = "/v1/settings", tag = "documents", security(("bearer" = [])),
    params(CompanyParam), request_body = Settings,
    responses((status = 200, body = Settings), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CompanyParam>,
    Json(settings): Json<Settings>,
) -> Result<Json<Settings>, Problem> {
    caller.require_writer()?;
    let company = caller.target_company(q.company)?;
    Ok(Json(state.store.put_settings(&company, settings).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// One company; all visible ones when absent.
    pub company: Option<String>,
    /// The day to count from (YYYY-MM-DD); today (UTC) when absent.
    pub today: Option<String>,
}

/// Payables (purchases received, in review or accepted) and receivables (sales sent or
/// archived) by ageing bucket of their due date: overdue, due within 30 days, 30–60, 60–90,
/// after 90; each with the count and the total per currency.
#[utoipa::path(operation_id = "get_dashboard", get, path = "/v1/dashboard", tag = "documents", security(("bearer" = [])),
    params(DashboardParams),
    responses((status = 200, body = Dashboard), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DashboardParams>,
) -> Result<Json<Dashboard>, Problem> {
    if let Some(c) = &q.company {
        if !caller.visibility().allows(c) {
            return Err(Problem::not_found("company"));
        }
    }
    let today = match &q.today {
        Some(t) => chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
            Problem::bad_request(
                "invalid",
                format!("today: `{t}` is not a date (YYYY-MM-DD)"),
            )
        })?,
        None => chrono::Utc::now().date_naive(),
    };
    Ok(Json(
        state
            .store
            .dashboard(&caller.visibility(), q.company.as_deref(), today)
            .await?,
    ))
}
