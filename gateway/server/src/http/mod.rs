//! The HTTP API: routes, shared state and the layers every request passes through.
mod auth;
mod companies;
mod directory;
mod documents;
mod health;
mod openapi;
mod problem;
pub mod smp;
mod tokens;
mod users;
pub mod validate;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, State};
use axum::http::{HeaderName, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use gateway_store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use openapi::openapi;
pub use problem::{Problem, PROBLEM_JSON};

use crate::config::HttpConfig;
use crate::metrics::{Metrics, RequestLabels, RouteLabels};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub smp: Arc<smp::SmpPublisher>,
    pub public_validation: Arc<validate::PublicValidation>,
    pub as4: Arc<crate::as4::As4>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState, http: &HttpConfig, as4: &crate::config::As4Config) -> Router {
    let as4_route = format!("/{}", as4.path.trim_matches('/'));
    let smp_routes = format!("{}/{{*rest}}", state.smp.base.trim_end_matches('/'));
    let api = Router::new()
        .route("/v1/me", get(users::me))
        .route(
            "/v1/companies",
            get(companies::list).post(companies::create),
        )
        .route("/v1/companies/{id}", get(companies::get))
        .route("/v1/users", get(users::list).post(users::create))
        .route("/v1/tokens", get(tokens::list).post(tokens::create))
        .route("/v1/tokens/{id}", delete(tokens::revoke))
        .route("/v1/directory", get(directory::search).post(directory::add))
        .route("/v1/directory/import", post(directory::import))
        .route("/v1/directory/{id}", get(directory::get))
        .route(
            "/v1/contacts",
            get(directory::contacts).post(directory::add_contact),
        )
        .route(
            "/v1/documents",
            get(documents::list).post(documents::upload),
        )
        .route("/v1/validate", post(validate::validate))
        .route("/v1/documents/{id}", get(documents::get))
        .route("/v1/documents/{id}/original", get(documents::original))
        .route("/v1/documents/{id}/events", get(documents::events));

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(openapi::serve))
        .route(&smp_routes, get(smp::serve))
        // Not a member API (no token; the message signature authenticates): outside OpenAPI.
        .route(
            &as4_route,
            post(crate::as4::receive::receive)
                .layer(DefaultBodyLimit::max(as4.max_message_bytes)),
        )
        .merge(api)
        .fallback(|| async { Problem::not_found("resource") })
        .layer(middleware::from_fn(problem::problemize))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(http.request_timeout_secs),
        ))
        .layer(DefaultBodyLimit::max(http.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn record_metrics(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let started = Instant::now();
    state.metrics.in_flight.inc();
    let response = next.run(request).await;
    state.metrics.in_flight.dec();
    state
        .metrics
        .durations
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
