//! `POST /v1/validate`: the rules report for one document. Members always; anyone when the
//! operator enables `validate.public`, rate-limited per client address.
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Json;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Caller;
use super::{AppState, Problem};

/// Who may validate anonymously, and how often.
pub struct PublicValidation {
    pub enabled: bool,
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl PublicValidation {
    pub fn new(enabled: bool, per_minute: u32) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            enabled,
            limiter: RateLimiter::keyed(quota),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ValidateParams {
    /// `auto` (default: by CustomizationID), `en16931`, `peppol`, `peppol-sb` or `cius-ro`.
    pub rules: Option<String>,
}

/// Validates the XML in the body against EN 16931, Peppol BIS 3 or CIUS-RO and answers the report:
/// `{"syntax","document","rules","valid","fatal":[{"id","location","message"}],"warning",…}`.
#[utoipa::path(operation_id = "validate", post, path = "/v1/validate", tag = "validation",
    params(ValidateParams),
    request_body(content = String, content_type = "application/xml"),
    responses((status = 200, description = "The report, valid or not", body = Object),
        (status = 401, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn validate(
    State(state): State<AppState>,
    Query(params): Query<ValidateParams>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut parts: Parts,
    body: Bytes,
) -> Result<Json<serde_json::Value>, Problem> {
    if parts.headers.contains_key(header::AUTHORIZATION) {
        Caller::from_request_parts(&mut parts, &state).await?;
    } else if !state.public_validation.enabled {
        return Err(Problem::unauthorized());
    } else if state
        .public_validation
        .limiter
        .check_key(&peer.ip())
        .is_err()
    {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "too many anonymous validations from this address; wait a minute or use a token",
        ));
    }
    let rules = params.rules.unwrap_or_else(|| "auto".into());
    let selection =
        crate::validation::selection(&rules).map_err(|e| Problem::bad_request("bad-rules", e))?;
    // Validation is CPU work: off the async workers.
    let validator = state.validator.clone();
    let outcome = tokio::task::spawn_blocking(move || validator.check(&body, selection))
        .await
        .map_err(|_| {
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "validation failed",
            )
        })?;
    match &outcome.report {
        Err(e) => Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable-document",
            e.clone(),
        )),
        Ok(_) => Ok(Json(crate::validation::verdict(None, &outcome, &rules))),
    }
}
