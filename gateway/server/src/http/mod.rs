//! The HTTP API: routes, shared state and the layers every request passes through.
mod archive;
mod auth;
mod companies;
mod connectors;
mod directory;
mod documents;
mod email;
mod exports;
mod extraction;
mod health;
mod openapi;
mod params;
mod problem;
mod settings;
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
    /// Rules and, when `validate.artefacts` is set, the compiled schemas.
    pub validator: Arc<crate::validation::Validator>,
    /// Domain of the companies' e-mail import addresses.
    pub email_import_domain: Arc<str>,
    pub archiver: Arc<crate::archive::Archiver>,
    /// Sends e-mail through `[email.outbound]`; `None` when no relay is configured.
    pub email_sender: Option<Arc<dyn crate::email::EmailSender>>,
    pub as4: Arc<crate::as4::As4>,
    /// Wakes the delivery workers when a send queued something.
    pub deliveries: Arc<tokio::sync::Notify>,
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
        .route("/v1/companies/{id}/import-address", get(email::address))
        .route("/v1/import/email", post(email::import))
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
        .route("/v1/documents/totals", get(documents::totals))
        .route("/v1/documents/{id}/events", get(documents::events))
        .route("/v1/documents/{id}/invoice", get(documents::invoice))
        .route(
            "/v1/documents/{id}/extraction",
            get(extraction::get).put(extraction::put),
        )
        .route("/v1/documents/{id}/validate", post(documents::validate))
        .route("/v1/documents/{id}/send", post(documents::send))
        .route("/v1/documents/{id}/archive", post(documents::archive))
        .route("/v1/documents/{id}/accept", post(documents::accept))
        .route("/v1/documents/{id}/refuse", post(documents::refuse))
        .route("/v1/settings", get(settings::get).put(settings::put))
        .route("/v1/dashboard", get(settings::dashboard))
        .route(
            "/v1/accountants",
            get(archive::list_accountants).post(archive::create_accountant),
        )
        .route(
            "/v1/accountants/{id}/tokens",
            post(archive::create_accountant_token),
        )
        .route(
            "/v1/accountant-links",
            get(archive::list_links).post(archive::invite),
        )
        .route("/v1/accountant-links/{id}", delete(archive::unlink))
        .route("/v1/accountant-links/{id}/accept", post(archive::accept))
        .route("/v1/archive", get(archive::search))
        .route("/v1/archive/{id}", get(archive::get))
        .route("/v1/archive/{id}/original", get(archive::original))
        .route("/v1/archive/{id}/ubl", get(archive::ubl))
        .route(
            "/v1/archive-checkpoints",
            get(archive::checkpoints).post(archive::checkpoint),
        )
        .route("/v1/exports/archive.zip", get(exports::zip))
        .route("/v1/exports/archive.xlsx", get(exports::xlsx))
        .route(
            "/v1/connectors",
            get(connectors::list).post(connectors::create),
        )
        .route(
            "/v1/connectors/{id}",
            get(connectors::get).delete(connectors::delete),
        )
        .route("/v1/connectors/{id}/feed", get(connectors::feed))
        .route("/v1/connectors/{id}/ack", post(connectors::ack));

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
