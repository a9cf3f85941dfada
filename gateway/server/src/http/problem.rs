//! Errors as RFC 9457 `application/problem+json`, each with a stable `type`.
use axum::body::Body;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem detail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:gateway:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:gateway:problem:{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: Some(detail.into()),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no such {what}"),
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send a valid API token as `Authorization: Bearer gw_…`",
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn bad_request(slug: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, slug, detail)
    }

    /// For an error status produced outside our handlers (routing, limits, timeouts).
    fn for_status(status: StatusCode) -> Self {
        let (slug, detail) = match status {
            StatusCode::NOT_FOUND => ("not-found", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method-not-allowed",
                "this resource does not accept that method",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => (
                "payload-too-large",
                "the request body exceeds http.max_body_bytes",
            ),
            StatusCode::REQUEST_TIMEOUT => (
                "timeout",
                "the request took longer than http.request_timeout_secs",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("unsupported-media-type", "send a supported Content-Type")
            }
            StatusCode::UNPROCESSABLE_ENTITY => (
                "invalid-body",
                "the request body does not have the expected shape",
            ),
            s if s.is_server_error() => (
                "internal",
                "the gateway failed; the request id in the logs tells more",
            ),
            _ => ("bad-request", "the request is malformed"),
        };
        Self::new(status, slug, detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<gateway_store::Error> for Problem {
    fn from(err: gateway_store::Error) -> Self {
        use gateway_store::Error as E;
        match &err {
            E::Conflict { .. } => Self::new(StatusCode::CONFLICT, "conflict", err.to_string()),
            E::StateConflict { .. } => {
                Self::new(StatusCode::CONFLICT, "state-conflict", err.to_string())
            }
            E::Invalid { .. } => Self::bad_request("invalid", err.to_string()),
            E::NotFound { .. } => Self::new(StatusCode::NOT_FOUND, "not-found", err.to_string()),
            _ => {
                tracing::error!(error = %err, "storage failure");
                Self::for_status(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

/// Turns every error response that is not yet a problem (axum's rejections, the body limit,
/// timeouts, unknown routes) into one, so clients parse one error format.
pub async fn problemize(request: Request<Body>, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if (status.is_client_error() || status.is_server_error()) && !is_problem {
        let mut problem = Problem::for_status(status);
        // Keep axum's rejection text: it names the field or header that was wrong.
        if let Ok(bytes) = axum::body::to_bytes(response.into_body(), 4096).await {
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if !text.is_empty() && status != StatusCode::NOT_FOUND {
                problem.detail = Some(text);
            }
        }
        return problem.into_response();
    }
    response
}
