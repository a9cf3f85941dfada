//! Connectors of a company or an accountant organisation, and the pull feed.
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use gateway_store::{
    ArchiveQuery, ArchivedInvoice, Connector, ConnectorKind, ConnectorOwner, Forwarding,
    NewConnector, Scope, Visibility,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::archive::{company_of, scope};
use super::auth::Caller;
use super::{AppState, Problem};
use crate::connectors::keys;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateConnector {
    pub kind: ConnectorKind,
    /// Webhooks: where to POST.
    pub url: Option<String>,
    /// Webhooks: `v1a` (Ed25519, default) or `v1` (HMAC-SHA256).
    pub scheme: Option<String>,
    /// Mailbox: addresses per direction (an accountant's own addresses by default).
    pub purchases_email: Option<String>,
    pub sales_email: Option<String>,
    /// The company it forwards for, when the token covers several (not for accountants).
    pub company: Option<String>,
    /// Also forward the documents archived before the connector was made (default `true`);
    /// `false` forwards only what is archived from now on.
    pub history: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedConnector {
    pub connector: Connector,
    /// `v1` webhooks: the `whsec_` secret, shown once. (`v1a`: the public key is in `connector`.)
    pub secret: Option<String>,
}

/// Adds a webhook, pull feed or mailbox for archived documents.
#[utoipa::path(operation_id = "create_connector", post, path = "/v1/connectors", tag = "connectors", security(("bearer" = [])),
    request_body = CreateConnector,
    responses((status = 201, body = CreatedConnector), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateConnector>,
) -> Result<impl IntoResponse, Problem> {
    let sc = scope(&state, &caller).await?;
    let owner = match &sc.accountant {
        Some(acc) => ConnectorOwner {
            kind: "accountant".into(),
            id: acc.clone(),
        },
        None => {
            caller.require_writer()?;
            ConnectorOwner {
                kind: "company".into(),
                id: company_of(&caller, body.company.clone())?,
            }
        }
    };
    let bad = |detail: &str| Problem::bad_request("invalid", detail.to_string());
    let mut new = NewConnector {
        owner,
        kind: body.kind,
        url: None,
        scheme: None,
        secret: None,
        public_key: None,
        purchases_email: None,
        sales_email: None,
        history: body.history.unwrap_or(true),
    };
    let mut shown = None;
    match body.kind {
        ConnectorKind::Webhook => {
            let url = body.url.ok_or_else(|| bad("a webhook needs `url`"))?;
            match reqwest::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => return Err(bad("`url` must be an http(s) URL")),
            }
            new.url = Some(url);
            match body.scheme.as_deref().unwrap_or("v1a") {
                "v1a" => {
                    let (sk, pk) = keys::new_v1a();
                    new.secret = Some(sk);
                    new.public_key = Some(pk);
                    new.scheme = Some("v1a".into());
                }
                "v1" => {
                    let secret = keys::new_v1();
                    shown = Some(secret.clone());
                    new.secret = Some(secret);
                    new.scheme = Some("v1".into());
                }
                _ => return Err(bad("`scheme` is `v1a` (Ed25519) or `v1` (HMAC-SHA256)")),
            }
        }
        ConnectorKind::Feed => {}
        ConnectorKind::Mailbox => {
            let own = match &sc.accountant {
                Some(acc) => state.store.get_accountant(acc).await?,
                None => None,
            };
            new.purchases_email = body
                .purchases_email
                .or_else(|| own.as_ref().and_then(|a| a.purchases_email.clone()));
            new.sales_email = body
                .sales_email
                .or_else(|| own.as_ref().and_then(|a| a.sales_email.clone()));
            for e in [&new.purchases_email, &new.sales_email]
                .into_iter()
                .flatten()
            {
                if !e.contains('@') {
                    return Err(bad("mailbox addresses must be e-mail addresses"));
                }
            }
            if new.purchases_email.is_none() && new.sales_email.is_none() {
                return Err(bad("a mailbox needs `purchases_email` or `sales_email`"));
            }
        }
    }
    let connector = state.store.create_connector(new).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedConnector {
            connector,
            secret: shown,
        }),
    ))
}

/// The caller's connectors (an accountant's, or its companies').
#[utoipa::path(operation_id = "list_connectors", get, path = "/v1/connectors", tag = "connectors", security(("bearer" = [])),
    responses((status = 200, body = [Connector]), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Connector>>, Problem> {
    let owners = scope(&state, &caller).await?.owners;
    Ok(Json(state.store.list_connectors(&owners).await?))
}

async fn mine(state: &AppState, caller: &Caller, id: &str) -> Result<Connector, Problem> {
    let owners = scope(state, caller).await?.owners;
    state
        .store
        .get_connector(&owners, id)
        .await?
        .ok_or_else(|| Problem::not_found("connector"))
}

/// One connector, with the reason when it was disabled.
#[utoipa::path(operation_id = "get_connector", get, path = "/v1/connectors/{id}", tag = "connectors", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Connector), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Connector>, Problem> {
    Ok(Json(mine(&state, &caller, &id).await?))
}

/// Removes a connector and its pending deliveries.
#[utoipa::path(operation_id = "delete_connector", delete, path = "/v1/connectors/{id}", tag = "connectors", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let owners = scope(&state, &caller).await?.owners;
    if state.store.delete_connector(&owners, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Problem::not_found("connector"))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// `next` of the previous page (an archive sequence number); 0 or absent from the start.
    pub after: Option<i64>,
    /// 1 to 1000 (default 100).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItem {
    pub forwarding: Forwarding,
    /// Absent once the document's retention ended.
    pub invoice: Option<ArchivedInvoice>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    pub items: Vec<FeedItem>,
    /// The cursor for the next call.
    pub next: i64,
}

/// The pull feed: archived documents in chain order; each stays `to_be_fetched` until acknowledged.
#[utoipa::path(operation_id = "read_feed", get, path = "/v1/connectors/{id}/feed", tag = "connectors", security(("bearer" = [])),
    params(("id" = String, Path), FeedParams),
    responses((status = 200, body = FeedPage), (status = 404, body = Problem)))]
pub async fn feed(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<FeedParams>,
) -> Result<Json<FeedPage>, Problem> {
    let connector = feed_connector(&state, &caller, &id).await?;
    let after = params.after.unwrap_or(0);
    let deliveries = state
        .store
        .feed(
            &connector.id,
            after,
            params.limit.unwrap_or(100).clamp(1, 1000),
        )
        .await?;
    let next = deliveries.last().map_or(after, |d| d.entry_seq);
    let q = ArchiveQuery {
        ids: deliveries.iter().map(|d| d.document_id.clone()).collect(),
        limit: 1000,
        ..Default::default()
    };
    let invoices = if q.ids.is_empty() {
        Vec::new()
    } else {
        state.store.search_archive(&Visibility::All, &q).await?
    };
    let items = deliveries
        .into_iter()
        .map(|d| FeedItem {
            invoice: invoices
                .iter()
                .find(|i| i.document_id == d.document_id)
                .cloned(),
            forwarding: d,
        })
        .collect();
    Ok(Json(FeedPage { items, next }))
}

async fn feed_connector(state: &AppState, caller: &Caller, id: &str) -> Result<Connector, Problem> {
    let connector = mine(state, caller, id).await?;
    if connector.kind != ConnectorKind::Feed {
        return Err(Problem::bad_request(
            "not-a-feed",
            "this connector is not a pull feed",
        ));
    }
    Ok(connector)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    pub document_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Acked {
    /// How many documents went from `to_be_fetched` to `forwarded`.
    pub acknowledged: u64,
}

/// Acknowledges fetched documents: they become `forwarded`.
#[utoipa::path(operation_id = "ack_feed", post, path = "/v1/connectors/{id}/ack", tag = "connectors", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Ack,
    responses((status = 200, body = Acked), (status = 404, body = Problem)))]
pub async fn ack(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<Ack>,
) -> Result<Json<Acked>, Problem> {
    if caller.scope() == Scope::Member {
        caller.require_writer()?;
    }
    let connector = feed_connector(&state, &caller, &id).await?;
    let acknowledged = state.store.ack(&connector.id, &body.document_ids).await?;
    Ok(Json(Acked { acknowledged }))
}
