//! Documents: stored as received (blob + first journal event), then taken through their
//! lifecycle: submit, validate, send or archive (sales); accept or refuse (purchases).
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gateway_store::{
    DocumentDetail, DocumentFilter, Event, IdempotencyKey, InvoiceKind, ListRequest, RowPage,
    SortBy, StatusTotal,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::params::{cents, comma_list, day};
use super::{AppState, Problem};
use crate::lifecycle::{self, LifecycleError, Submission, Then};
use crate::metrics::DocumentLabels;
use gateway_store::Direction;

/// Media types the gateway accepts as documents.
const ACCEPTED: &[&str] = &[
    "application/xml",
    "application/json",
    "text/xml",
    "application/pdf",
    "image/jpeg",
    "image/png",
];

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

impl From<LifecycleError> for Problem {
    fn from(err: LifecycleError) -> Self {
        match err {
            LifecycleError::NotFound(what) => Problem::not_found(what),
            LifecycleError::Store(e) => e.into(),
            LifecycleError::Unreadable(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unreadable-invoice",
                err.to_string(),
            ),
            LifecycleError::NotApplicable(_) => {
                Problem::new(StatusCode::CONFLICT, "not-applicable", err.to_string())
            }
            LifecycleError::NoRoute(_) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "no-route",
                err.to_string(),
            ),
            LifecycleError::Unsupported(_) => Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                err.to_string(),
            ),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// `purchase` (default), `sales` or `other` (the document centre).
    pub direction: Option<Direction>,
    /// Required when the token covers several companies (operator, accountant).
    pub company: Option<String>,
    /// The original file name, kept for people.
    pub file_name: Option<String>,
    /// For a sales invoice: validate, send or archive it right away.
    pub then: Option<Then>,
}

/// Several files uploaded at once (multipart), in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadBatch {
    pub items: Vec<DocumentDetail>,
}

fn media_type_of(value: Option<&str>, file_name: Option<&str>) -> String {
    let declared = value
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    if !declared.is_empty() && declared != "application/octet-stream" {
        return declared;
    }
    let ext = file_name
        .and_then(|f| f.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("xml") => "application/xml",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        _ => declared.as_str(),
    }
    .to_string()
}

fn check_media_type(media_type: &str) -> Result<(), Problem> {
    if ACCEPTED.contains(&media_type) {
        return Ok(());
    }
    Err(Problem::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        format!(
            "Content-Type `{media_type}` is not one of {}",
            ACCEPTED.join(", ")
        ),
    ))
}

fn request_sha256(params: &UploadParams, company: &str, media_type: &str, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [
        company,
        params.direction.map(|d| d.as_str()).unwrap_or("purchase"),
        &format!("{:?}", params.then),
        params.file_name.as_deref().unwrap_or(""),
        media_type,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(bytes);
    format!("{:x}", h.finalize())
}

/// Submits a sales invoice (UBL or CII) or uploads documents: one file as the body, or several
/// as `multipart/form-data` (PDF, JPEG, PNG, XML). Purchases that are readable invoices are
/// `received` (or accepted by an auto-accept option); PDFs and images wait in `needs_review`;
/// sales invoices start as `draft`. With `Idempotency-Key`, a repeated request returns the first
/// one's document and creates nothing (`Idempotent-Replayed: true`). A second invoice with the
/// same supplier, number and issue date is stored with `duplicate_of` set.
#[utoipa::path(operation_id = "upload_document", post, path = "/v1/documents", tag = "documents", security(("bearer" = [])),
    params(UploadParams, ("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the same document, never a second one.")),
    request_body(content(
        (Vec<u8> = "application/xml"), (Object = "application/json"), (Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"),
        (Vec<u8> = "multipart/form-data"))),
    responses((status = 201, description = "One document, or `UploadBatch` for multipart", body = DocumentDetail),
        (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<UploadParams>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, Problem> {
    caller.require_writer()?;
    let company_id = caller.target_company(params.company.clone())?;
    let key = headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| {
            v.to_str().map(str::to_string).map_err(|_| {
                Problem::bad_request("invalid", "Idempotency-Key must be visible ASCII")
            })
        })
        .transpose()?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut files: Vec<(Option<String>, String, Vec<u8>)> = Vec::new();
    let multipart = content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data");
    if multipart {
        // Rejections keep their status (413 over the body limit); the problem layer words them.
        let mut form = match Multipart::from_request(request, &state).await {
            Ok(form) => form,
            Err(e) => return Ok(e.into_response()),
        };
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return Ok(e.into_response()),
            };
            let name = field.file_name().map(str::to_string);
            let media_type = media_type_of(field.content_type(), name.as_deref());
            let bytes = match field.bytes().await {
                Ok(bytes) => bytes,
                Err(e) => return Ok(e.into_response()),
            };
            files.push((name, media_type, bytes.to_vec()));
        }
        if files.is_empty() {
            return Err(Problem::bad_request(
                "empty-body",
                "the multipart body has no file",
            ));
        }
    } else {
        let body = match Bytes::from_request(request, &state).await {
            Ok(body) => body,
            Err(e) => return Ok(e.into_response()),
        };
        files.push((
            params.file_name.clone(),
            media_type_of(Some(content_type), None),
            body.to_vec(),
        ));
    }
    for (i, (name, media_type, bytes)) in files.iter().enumerate() {
        check_media_type(media_type).map_err(|mut p| {
            if multipart {
                p.detail = Some(format!(
                    "file {} ({}): {}",
                    i + 1,
                    name.as_deref().unwrap_or("unnamed"),
                    p.detail.unwrap_or_default()
                ));
            }
            p
        })?;
        if bytes.is_empty() {
            return Err(Problem::bad_request(
                "empty-body",
                format!("the document is empty (file {})", i + 1),
            ));
        }
    }
    let source = if multipart { "upload" } else { "api" };
    let vis = caller.visibility();
    let mut out = Vec::with_capacity(files.len());
    let mut replayed = false;
    let many = files.len() > 1 || multipart;
    for (i, (name, media_type, bytes)) in files.into_iter().enumerate() {
        let idempotency = key.as_ref().map(|k| IdempotencyKey {
            key: if many { format!("{k}#{i}") } else { k.clone() },
            request_sha256: request_sha256(&params, &company_id, &media_type, &bytes),
        });
        let created = lifecycle::submit(
            state.store.as_ref(),
            Submission {
                company_id: company_id.clone(),
                direction: params.direction.unwrap_or(Direction::Purchase),
                source: source.into(),
                media_type,
                file_name: name,
                bytes,
                actor: caller.actor(),
                idempotency,
                then: params.then,
            },
        )
        .await?;
        replayed |= created.replayed;
        if params.then == Some(lifecycle::Then::Send) {
            state.deliveries.notify_one();
        }
        if !created.replayed {
            state
                .metrics
                .documents_received
                .get_or_create(&DocumentLabels {
                    source: source.into(),
                })
                .inc();
        }
        out.push(detail(&state, &vis, &created.document.id).await?);
    }
    let mut response = if many {
        (StatusCode::CREATED, Json(UploadBatch { items: out })).into_response()
    } else {
        let d = out.pop().expect("one file");
        let location = format!("/v1/documents/{}", d.row.document.id);
        (StatusCode::CREATED, [(header::LOCATION, location)], Json(d)).into_response()
    };
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

async fn detail(
    state: &AppState,
    vis: &gateway_store::Visibility,
    id: &str,
) -> Result<DocumentDetail, Problem> {
    state
        .store
        .document_detail(vis, id)
        .await?
        .ok_or_else(|| Problem::not_found("document"))
}

/// Filters of the document list and its totals.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilterParams {
    pub company: Option<String>,
    pub direction: Option<Direction>,
    /// One state or several separated by commas, e.g. `received,needs_review`.
    pub status: Option<String>,
    /// `invoice` or `credit_note`.
    pub kind: Option<InvoiceKind>,
    /// Part of the counterparty's name, or its identifier or VAT number.
    pub counterparty: Option<String>,
    pub currency: Option<String>,
    /// Issue date from (YYYY-MM-DD, inclusive).
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    /// Created from (RFC 3339 or YYYY-MM-DD).
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    /// Smallest amount due, as a decimal (`100.50`).
    pub min_total: Option<String>,
    pub max_total: Option<String>,
    /// `true`: only duplicates; `false`: none.
    pub duplicates: Option<bool>,
}

impl FilterParams {
    fn filter(&self, caller: &Caller) -> Result<DocumentFilter, Problem> {
        if let Some(c) = &self.company {
            if !caller.visibility().allows(c) {
                return Err(Problem::not_found("company"));
            }
        }
        Ok(DocumentFilter {
            company: self.company.clone(),
            direction: self.direction,
            states: comma_list(&self.status),
            kind: self.kind,
            counterparty: self.counterparty.clone(),
            currency: self.currency.clone(),
            issued_from: day("issued_from", &self.issued_from)?,
            issued_to: day("issued_to", &self.issued_to)?,
            due_from: day("due_from", &self.due_from)?,
            due_to: day("due_to", &self.due_to)?,
            created_from: day("created_from", &self.created_from)?,
            created_to: day("created_to", &self.created_to)?,
            min_total_cents: cents("min_total", &self.min_total)?,
            max_total_cents: cents("max_total", &self.max_total)?,
            duplicates: self.duplicates,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// `created` (default), `issue_date`, `due_date`, `total`, `invoice_number`, `counterparty`, `status`.
    pub sort: Option<SortBy>,
    /// `desc` (default) or `asc`.
    pub order: Option<String>,
    /// Page size, 1 to 1000 (default 50).
    pub limit: Option<u32>,
    /// `next` of the previous page.
    pub after: Option<String>,
}

/// The caller's documents as the list screen shows them: filtered, sorted, paged by cursor.
#[utoipa::path(operation_id = "list_documents", get, path = "/v1/documents", tag = "documents", security(("bearer" = [])),
    params(FilterParams, PageParams),
    responses((status = 200, body = RowPage), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<FilterParams>,
    Query(page): Query<PageParams>,
) -> Result<Json<RowPage>, Problem> {
    let descending = match page.order.as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => {
            return Err(Problem::bad_request(
                "invalid",
                format!("order: `{other}` is not asc or desc"),
            ))
        }
    };
    let req = ListRequest {
        filter: filter.filter(&caller)?,
        sort: page.sort.unwrap_or_default(),
        descending,
        limit: page.limit.unwrap_or(50).clamp(1, 1000),
        after: page.after,
    };
    Ok(Json(
        state.store.list_rows(&caller.visibility(), &req).await?,
    ))
}

/// Counts and totals per state of the documents the filters select: "click a status or a
/// total" lists them with `?status=`. Credit notes count against the totals.
#[utoipa::path(operation_id = "document_totals", get, path = "/v1/documents/totals", tag = "documents", security(("bearer" = [])),
    params(FilterParams),
    responses((status = 200, body = [StatusTotal]), (status = 400, body = Problem)))]
pub async fn totals(
    State(state): State<AppState>,
    caller: Caller,
    Query(filter): Query<FilterParams>,
) -> Result<Json<Vec<StatusTotal>>, Problem> {
    let filter = filter.filter(&caller)?;
    Ok(Json(
        state
            .store
            .status_totals(&caller.visibility(), &filter)
            .await?,
    ))
}

/// One document with its summary and deliveries; `404` when it is not the caller's.
#[utoipa::path(operation_id = "get_document", get, path = "/v1/documents/{id}", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentDetail), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DocumentDetail>, Problem> {
    Ok(Json(detail(&state, &caller.visibility(), &id).await?))
}

/// The bytes exactly as received.
#[utoipa::path(operation_id = "get_document_original", get, path = "/v1/documents/{id}/original", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = Problem)))]
pub async fn original(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, Problem> {
    let doc = detail(&state, &caller.visibility(), &id)
        .await?
        .row
        .document;
    let bytes = blob(&state, &doc).await?;
    Ok(([(header::CONTENT_TYPE, doc.media_type)], bytes))
}

async fn blob(state: &AppState, doc: &gateway_store::Document) -> Result<Vec<u8>, Problem> {
    state
        .store
        .get_blob(&doc.blob.sha256)
        .await?
        .ok_or_else(|| {
            tracing::error!(document = %doc.id, blob = %doc.blob.sha256, "blob row missing");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the document's bytes are missing",
            )
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParams {
    /// `ubl` (default), `cii` or `json` (the EN 16931 model).
    pub format: Option<String>,
}

/// An invoice in UBL or CII (converted through the EN 16931 model when it was received in the
/// other syntax), or as JSON of the model: the same shape `POST /v1/documents` takes as
/// `application/json`.
#[utoipa::path(operation_id = "get_document_invoice", get, path = "/v1/documents/{id}/invoice", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path), FormatParams),
    responses((status = 200, content((Vec<u8> = "application/xml"), (Object = "application/json"))),
        (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn invoice(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<FormatParams>,
) -> Result<Response, Problem> {
    let doc = detail(&state, &caller.visibility(), &id)
        .await?
        .row
        .document;
    let target = match params.format.as_deref().unwrap_or("ubl") {
        "ubl" => Some(gateway_convert::Target::Ubl),
        "cii" => Some(gateway_convert::Target::Cii),
        "json" => None,
        other => {
            return Err(Problem::bad_request(
                "invalid",
                format!("format: `{other}` is not ubl, cii or json"),
            ))
        }
    };
    let bytes = if lifecycle::is_xml(&doc.media_type) {
        blob(&state, &doc).await?
    } else {
        // A PDF or image: the invoice read from it (as corrected), once extracted.
        let extracted = state
            .store
            .extraction(&caller.visibility(), &doc.id)
            .await?
            .and_then(|x| x.invoice_xml);
        match extracted {
            Some(xml) => xml.into_bytes(),
            None => {
                return Err(LifecycleError::NotApplicable(format!(
                    "document {} is {}: only the original is available",
                    doc.id, doc.media_type
                ))
                .into())
            }
        }
    };
    let parsed = lifecycle::extract::parse(&bytes).map_err(LifecycleError::Unreadable)?;
    let Some(target) = target else {
        return Ok(Json(parsed.invoice).into_response());
    };
    let out = if parsed.syntax == target.into() {
        bytes
    } else {
        gateway_convert::write(&parsed.invoice, target)
    };
    Ok(([(header::CONTENT_TYPE, "application/xml")], out).into_response())
}

/// The document's journal: every state change, hash-chained.
#[utoipa::path(operation_id = "get_document_events", get, path = "/v1/documents/{id}/events", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = [Event]), (status = 404, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Event>>, Problem> {
    state
        .store
        .events(&caller.visibility(), &id)
        .await?
        .map(Json)
        .ok_or_else(|| Problem::not_found("document"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Validated {
    pub valid: bool,
    /// The document; its journal's last event holds the findings.
    pub document: DocumentDetail,
}

/// Validates a sales draft (EN 16931 and Peppol rules, and that the seller is the company):
/// `validated` when it passes; otherwise it stays a draft with the findings in its journal.
#[utoipa::path(operation_id = "validate_document", post, path = "/v1/documents/{id}/validate", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Validated), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn validate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Validated>, Problem> {
    caller.require_writer()?;
    let (document, valid) = lifecycle::validate(
        state.store.as_ref(),
        &caller.visibility(),
        &id,
        &caller.actor(),
    )
    .await?;
    Ok(Json(Validated { valid, document }))
}

/// Sends a validated sales invoice by the customer's delivery preference in the directory:
/// a member of this gateway receives it in its inbox at once; Peppol and e-mail deliveries are
/// queued; a customer who receives no e-invoices makes it `archived`.
#[utoipa::path(operation_id = "send_document", post, path = "/v1/documents/{id}/send", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentDetail), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
pub async fn send(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DocumentDetail>, Problem> {
    caller.require_writer()?;
    let sent = lifecycle::send(
        state.store.as_ref(),
        &caller.visibility(),
        &id,
        &caller.actor(),
        None,
    )
    .await?;
    state.deliveries.notify_one();
    Ok(Json(sent))
}

/// Archives a sales document without sending it.
#[utoipa::path(operation_id = "archive_document", post, path = "/v1/documents/{id}/archive", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentDetail), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn archive(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DocumentDetail>, Problem> {
    caller.require_writer()?;
    Ok(Json(
        lifecycle::archive(
            state.store.as_ref(),
            &caller.visibility(),
            &id,
            &caller.actor(),
        )
        .await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct Decision {
    /// Required to refuse; kept on the document and in its journal.
    pub reason: Option<String>,
}

fn decision(body: &Bytes) -> Result<Decision, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Decision::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        Problem::bad_request(
            "invalid-body",
            format!("expected {{\"reason\": \"…\"}}: {e}"),
        )
    })
}

/// Accepts a purchase document (received or needing review).
#[utoipa::path(operation_id = "accept_document", post, path = "/v1/documents/{id}/accept", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Option<Decision>, content_type = "application/json"),
    responses((status = 200, body = DocumentDetail), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<DocumentDetail>, Problem> {
    decide(state, caller, id, body, true).await
}

/// Refuses a purchase document; the reason is required.
#[utoipa::path(operation_id = "refuse_document", post, path = "/v1/documents/{id}/refuse", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Decision, content_type = "application/json"),
    responses((status = 200, body = DocumentDetail), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn refuse(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<DocumentDetail>, Problem> {
    decide(state, caller, id, body, false).await
}

async fn decide(
    state: AppState,
    caller: Caller,
    id: String,
    body: Bytes,
    accept: bool,
) -> Result<Json<DocumentDetail>, Problem> {
    caller.require_writer()?;
    let d = decision(&body)?;
    Ok(Json(
        lifecycle::decide(
            state.store.as_ref(),
            &caller.visibility(),
            &id,
            &caller.actor(),
            accept,
            d.reason,
        )
        .await?,
    ))
}
