//! Accountants and their links to companies, and the archive: search, one entry, its files and
//! signed checkpoints. Accountant organisation tokens see the archives of their linked
//! companies and nothing else.
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use gateway_store::{
    Accountant, AccountantLink, ArchiveEntry, ArchiveQuery, ArchiveStats, ArchivedInvoice,
    Checkpoint, ConnectorOwner, Direction, Document, Forwarding, IssuedToken, LinkSide,
    NewAccountant, Scope, Visibility,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::params::{cents, comma_list, day};
use super::{AppState, Problem};

/// What an archive caller sees and which connectors it owns.
pub struct ArchiveScope {
    pub visibility: Visibility,
    pub owners: Vec<ConnectorOwner>,
    /// The accountant organisation behind the token, if any.
    pub accountant: Option<String>,
}

pub async fn scope(state: &AppState, caller: &Caller) -> Result<ArchiveScope, Problem> {
    if caller.scope() == Scope::Accountant {
        if let Some(acc) = state.store.accountant_of_token(&caller.0.token_id).await? {
            let companies = state.store.linked_companies(&acc).await?;
            return Ok(ArchiveScope {
                visibility: Visibility::Companies(companies),
                owners: vec![ConnectorOwner {
                    kind: "accountant".into(),
                    id: acc.clone(),
                }],
                accountant: Some(acc),
            });
        }
    }
    Ok(ArchiveScope {
        visibility: caller.visibility(),
        owners: caller
            .0
            .company_ids
            .iter()
            .map(|c| ConnectorOwner {
                kind: "company".into(),
                id: c.clone(),
            })
            .collect(),
        accountant: None,
    })
}

/// The one company a write is for: `company` when given and visible, else the token's only one.
pub fn company_of(caller: &Caller, company: Option<String>) -> Result<String, Problem> {
    match (company, caller.0.company_ids.as_slice()) {
        (Some(id), _) if caller.visibility().allows(&id) => Ok(id),
        (Some(_), _) => Err(Problem::not_found("company")),
        (None, [only]) => Ok(only.clone()),
        (None, _) => Err(Problem::bad_request(
            "company-required",
            "name the company with `company`: this token does not cover exactly one",
        )),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountant {
    pub name: String,
    pub purchases_email: Option<String>,
    pub sales_email: Option<String>,
}

/// Registers an accountant organisation (operator only).
#[utoipa::path(operation_id = "create_accountant", post, path = "/v1/accountants", tag = "accountants", security(("bearer" = [])),
    request_body = CreateAccountant,
    responses((status = 201, body = Accountant), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn create_accountant(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateAccountant>,
) -> Result<impl IntoResponse, Problem> {
    caller.require_admin()?;
    let acc = state
        .store
        .create_accountant(NewAccountant {
            name: body.name,
            purchases_email: body.purchases_email,
            sales_email: body.sales_email,
        })
        .await?;
    Ok((StatusCode::CREATED, Json(acc)))
}

/// Accountant organisations a company can invite; an accountant token sees its own.
#[utoipa::path(operation_id = "list_accountants", get, path = "/v1/accountants", tag = "accountants", security(("bearer" = [])),
    responses((status = 200, body = [Accountant]), (status = 401, body = Problem)))]
pub async fn list_accountants(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<Accountant>>, Problem> {
    let all = state.store.list_accountants().await?;
    match scope(&state, &caller).await?.accountant {
        Some(acc) => Ok(Json(all.into_iter().filter(|a| a.id == acc).collect())),
        None if caller.scope() == Scope::Accountant => Ok(Json(Vec::new())),
        None => Ok(Json(all)),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountantToken {
    pub label: String,
}

/// Issues a token for an accountant organisation (operator only); the secret is shown once.
#[utoipa::path(operation_id = "create_accountant_token", post, path = "/v1/accountants/{id}/tokens", tag = "accountants", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = CreateAccountantToken,
    responses((status = 201, body = IssuedToken), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn create_accountant_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CreateAccountantToken>,
) -> Result<impl IntoResponse, Problem> {
    caller.require_admin()?;
    let issued = state
        .store
        .create_accountant_token(&id, &body.label)
        .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

async fn link_side(state: &AppState, caller: &Caller) -> Result<LinkSide, Problem> {
    Ok(match scope(state, caller).await?.accountant {
        Some(acc) => LinkSide::Accountant(acc),
        None => LinkSide::Companies(caller.visibility()),
    })
}

/// Links of the caller's companies, or of the calling accountant organisation.
#[utoipa::path(operation_id = "list_accountant_links", get, path = "/v1/accountant-links", tag = "accountants", security(("bearer" = [])),
    responses((status = 200, body = [AccountantLink]), (status = 401, body = Problem)))]
pub async fn list_links(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AccountantLink>>, Problem> {
    let side = link_side(&state, &caller).await?;
    Ok(Json(state.store.links(&side).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invite {
    pub accountant_id: String,
    /// Required when the token covers several companies.
    pub company: Option<String>,
}

/// A company invites an accountant organisation; the link is active once the accountant accepts.
#[utoipa::path(operation_id = "invite_accountant", post, path = "/v1/accountant-links", tag = "accountants", security(("bearer" = [])),
    request_body = Invite,
    responses((status = 201, body = AccountantLink), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<Invite>,
) -> Result<impl IntoResponse, Problem> {
    caller.require_writer()?;
    let company = company_of(&caller, body.company)?;
    let link = state
        .store
        .invite_accountant(&company, &body.accountant_id)
        .await?;
    Ok((StatusCode::CREATED, Json(link)))
}

/// The invited accountant organisation accepts.
#[utoipa::path(operation_id = "accept_accountant_link", post, path = "/v1/accountant-links/{id}/accept", tag = "accountants", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AccountantLink), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AccountantLink>, Problem> {
    let Some(acc) = scope(&state, &caller).await?.accountant else {
        return Err(Problem::forbidden(
            "only the invited accountant organisation accepts a link",
        ));
    };
    Ok(Json(state.store.accept_link(&acc, &id).await?))
}

/// Either side ends a link; the accountant stops seeing the company at once.
#[utoipa::path(operation_id = "unlink_accountant", delete, path = "/v1/accountant-links/{id}", tag = "accountants", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AccountantLink), (status = 404, body = Problem)))]
pub async fn unlink(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AccountantLink>, Problem> {
    let side = link_side(&state, &caller).await?;
    if let LinkSide::Companies(_) = side {
        caller.require_writer()?;
    }
    state
        .store
        .unlink(&side, &id)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("link"))
}

/// Archive search criteria; all given ones must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Words of the counterparty's name (prefixes, accents ignored).
    pub counterparty: Option<String>,
    /// A counterparty identifier: VAT number or Peppol id (punctuation ignored).
    pub identifier: Option<String>,
    /// Invoice number (punctuation and case ignored).
    pub number: Option<String>,
    /// Smallest amount due, e.g. `100.00`.
    pub amount_min: Option<String>,
    pub amount_max: Option<String>,
    /// Issue date range, `YYYY-MM-DD`, inclusive.
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    /// Document state: `accepted`, `sent`, `archived`.
    pub status: Option<String>,
    pub direction: Option<Direction>,
    /// Words anywhere in the invoice (prefixes, accents ignored).
    pub q: Option<String>,
    /// Comma-separated document ids (a selection).
    pub ids: Option<String>,
    /// 1 to 1000 (default 50; exports up to 10000).
    pub limit: Option<u32>,
    /// `next` of the previous page.
    pub after: Option<String>,
}

impl SearchParams {
    pub fn query(&self, default_limit: u32, max_limit: u32) -> Result<ArchiveQuery, Problem> {
        Ok(ArchiveQuery {
            counterparty: self.counterparty.clone(),
            identifier: self.identifier.clone(),
            invoice_number: self.number.clone(),
            amount_min_cents: cents("amount_min", &self.amount_min)?,
            amount_max_cents: cents("amount_max", &self.amount_max)?,
            issued_from: day("issued_from", &self.issued_from)?,
            issued_to: day("issued_to", &self.issued_to)?,
            due_from: day("due_from", &self.due_from)?,
            due_to: day("due_to", &self.due_to)?,
            state: self.status.clone(),
            direction: self.direction,
            text: self.q.clone(),
            ids: comma_list(&self.ids),
            limit: self.limit.unwrap_or(default_limit).clamp(1, max_limit),
            after: self.after.clone(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchivePage {
    pub items: Vec<ArchivedInvoice>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Searches the archived documents the caller may see, newest issue date first.
#[utoipa::path(operation_id = "search_archive", get, path = "/v1/archive", tag = "archive", security(("bearer" = [])),
    params(SearchParams),
    responses((status = 200, body = ArchivePage), (status = 400, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
) -> Result<Json<ArchivePage>, Problem> {
    let query = params.query(50, 1000)?;
    let vis = scope(&state, &caller).await?.visibility;
    let items = state.store.search_archive(&vis, &query).await?;
    let next = (items.len() == query.limit as usize)
        .then(|| items.last().map(|i| i.document_id.clone()))
        .flatten();
    Ok(Json(ArchivePage { items, next }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArchiveDetail {
    pub invoice: ArchivedInvoice,
    pub entry: ArchiveEntry,
    /// The accountant status per connector.
    pub forwarding: Vec<Forwarding>,
}

pub async fn visible(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(ArchivedInvoice, Document), Problem> {
    let vis = scope(state, caller).await?.visibility;
    let q = ArchiveQuery {
        ids: vec![id.to_string()],
        limit: 1,
        ..Default::default()
    };
    let invoice = state
        .store
        .search_archive(&vis, &q)
        .await?
        .pop()
        .ok_or_else(|| Problem::not_found("archived document"))?;
    let doc = state
        .store
        .get_document(&Visibility::All, id)
        .await?
        .ok_or_else(|| Problem::not_found("archived document"))?;
    Ok((invoice, doc))
}

/// One archived document: its search fields, its chain entry and its forwarding status.
#[utoipa::path(operation_id = "get_archived", get, path = "/v1/archive/{id}", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ArchiveDetail), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ArchiveDetail>, Problem> {
    let (invoice, _) = visible(&state, &caller, &id).await?;
    let entry = state
        .store
        .archive_entry_of(&id)
        .await?
        .ok_or_else(|| Problem::not_found("archived document"))?;
    let owners = scope(&state, &caller).await?.owners;
    let mine: Vec<String> = state
        .store
        .list_connectors(&owners)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let forwarding = state
        .store
        .deliveries_of(&id)
        .await?
        .into_iter()
        .filter(|d| caller.scope() == Scope::Admin || mine.contains(&d.connector_id))
        .collect();
    Ok(Json(ArchiveDetail {
        invoice,
        entry,
        forwarding,
    }))
}

pub async fn bytes_of(state: &AppState, doc: &Document) -> Result<Vec<u8>, Problem> {
    state
        .store
        .get_blob(&doc.blob.sha256)
        .await?
        .ok_or_else(|| {
            Problem::new(
                StatusCode::GONE,
                "expired",
                "the document's bytes are gone (retention ended)",
            )
        })
}

/// The archived bytes exactly as received.
#[utoipa::path(operation_id = "get_archived_original", get, path = "/v1/archive/{id}/original", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn original(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Problem> {
    let (_, doc) = visible(&state, &caller, &id).await?;
    let bytes = bytes_of(&state, &doc).await?;
    Ok(([(header::CONTENT_TYPE, doc.media_type)], bytes))
}

/// The archived invoice as UBL (converted when it was received as CII).
#[utoipa::path(operation_id = "get_archived_ubl", get, path = "/v1/archive/{id}/ubl", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/xml", body = Vec<u8>), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn ubl(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Problem> {
    let (_, doc) = visible(&state, &caller, &id).await?;
    let bytes = bytes_of(&state, &doc).await?;
    let ubl = crate::connectors::mailbox::ubl_of(&doc, &bytes).ok_or_else(|| {
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not-an-invoice",
            "this document is not a UBL or CII invoice",
        )
    })?;
    Ok(([(header::CONTENT_TYPE, "application/xml")], ubl))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointList {
    /// Base64 Ed25519 public key of the archive: what `gateway archive verify` needs.
    pub public_key: String,
    pub stats: ArchiveStats,
    pub checkpoints: Vec<Checkpoint>,
}

/// The archive's signed checkpoints and public key (operator only).
#[utoipa::path(operation_id = "list_archive_checkpoints", get, path = "/v1/archive-checkpoints", tag = "archive", security(("bearer" = [])),
    responses((status = 200, body = CheckpointList), (status = 403, body = Problem)))]
pub async fn checkpoints(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<CheckpointList>, Problem> {
    caller.require_admin()?;
    Ok(Json(CheckpointList {
        public_key: state.archiver.key.public_b64(),
        stats: state.store.archive_stats().await?,
        checkpoints: state.store.checkpoints().await?,
    }))
}

/// Signs the chain head now (operator only).
#[utoipa::path(operation_id = "create_archive_checkpoint", post, path = "/v1/archive-checkpoints", tag = "archive", security(("bearer" = [])),
    responses((status = 201, body = Checkpoint), (status = 403, body = Problem)))]
pub async fn checkpoint(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<impl IntoResponse, Problem> {
    caller.require_admin()?;
    state.archiver.archive_pending().await.map_err(internal)?;
    let cp = state
        .archiver
        .checkpoint(true)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("no checkpoint was made"))?;
    Ok((StatusCode::CREATED, Json(cp)))
}

pub fn internal(e: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "archive failure");
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the gateway failed; the request id in the logs tells more",
    )
}
