//! Reviewing what the extraction read from a purchase PDF or image: the fields with their
//! confidence and place on the page, and corrections that make the document's invoice.
use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gateway_store::{states, ExtractionOutcome, ExtractionRecord, Step};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::auth::Caller;
use super::{AppState, Problem};
use crate::extraction::{remember_supplier, result_json, review, review_reasons};

/// A value read from the document.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtractedField {
    pub value: String,
    /// 0..1; 1 for a value a person corrected.
    pub confidence: f32,
    /// 1-based page (none for embedded XML).
    pub page: Option<u32>,
    /// Left, top, right, bottom in points from the page's top-left corner.
    #[serde(rename = "box")]
    #[schema(value_type = Option<Object>)]
    pub bbox: Option<serde_json::Value>,
}

/// What the extraction read, for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExtractionView {
    pub document_id: String,
    /// pending, done or failed.
    pub status: String,
    /// embedded-xml, text-layer or ocr.
    pub source: Option<String>,
    /// EN 16931 business terms (`BT-1`, …).
    pub fields: BTreeMap<String, ExtractedField>,
    /// BG-25 invoice lines read from the page: per line its terms (`BT-126` line id,
    /// `BT-153` item name, `BT-129` quantity, `BT-130` unit, `BT-146` net price, `BT-131` line
    /// amount, `BT-151`/`BT-152` VAT category and rate). Lines never send a document to review;
    /// lines that do not add up carry a low confidence.
    pub lines: Vec<BTreeMap<String, ExtractedField>>,
    /// Why a person has to look; empty when nothing does.
    pub review_reasons: Vec<String>,
    pub error: Option<String>,
}

/// Corrected values by business term; `null` removes a field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Corrections {
    #[schema(value_type = Object)]
    pub fields: BTreeMap<String, Option<String>>,
}

fn fields_view(fields: &serde_json::Value) -> BTreeMap<String, ExtractedField> {
    fields
        .as_object()
        .into_iter()
        .flatten()
        .map(|(id, f)| {
            (
                id.clone(),
                ExtractedField {
                    value: f["value"].as_str().unwrap_or_default().to_string(),
                    confidence: f["confidence"].as_f64().unwrap_or(0.0) as f32,
                    page: f["page"].as_u64().map(|p| p as u32),
                    bbox: Some(f["box"].clone()).filter(|b| !b.is_null()),
                },
            )
        })
        .collect()
}

fn view(r: &ExtractionRecord) -> ExtractionView {
    let result = r.result.clone().unwrap_or_default();
    ExtractionView {
        document_id: r.document_id.clone(),
        status: r.status.clone(),
        source: r.source.clone(),
        fields: fields_view(&result["fields"]),
        lines: result["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(fields_view)
            .collect(),
        review_reasons: result["review_reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        error: r.error.clone(),
    }
}

async fn record(state: &AppState, caller: &Caller, id: &str) -> Result<ExtractionRecord, Problem> {
    state
        .store
        .extraction(&caller.visibility(), id)
        .await?
        .ok_or_else(|| Problem::not_found("extraction"))
}

/// What was read from a purchase PDF or image: fields with value, confidence, page and box,
/// and the reasons for review. 404 until the document is queued for extraction.
#[utoipa::path(operation_id = "get_extraction", get, path = "/v1/documents/{id}/extraction", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ExtractionView), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ExtractionView>, Problem> {
    Ok(Json(view(&record(&state, &caller, &id).await?)))
}

/// Corrects extracted values. The fields are checked again and the invoice built from them
/// becomes the document's UBL (`GET /v1/documents/{id}/invoice`); when nothing needs review
/// any more the document moves to `received`, ready for `accept`. The corrections are
/// remembered for the supplier to read its next invoices better.
#[utoipa::path(operation_id = "correct_extraction", put, path = "/v1/documents/{id}/extraction", tag = "documents", security(("bearer" = [])),
    params(("id" = String, Path)), request_body(content = Corrections, content_type = "application/json"),
    responses((status = 200, body = ExtractionView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<Corrections>,
) -> Result<Json<ExtractionView>, Problem> {
    caller.require_writer()?;
    let r = record(&state, &caller, &id).await?;
    let doc = state
        .store
        .get_document(&caller.visibility(), &id)
        .await?
        .ok_or_else(|| Problem::not_found("document"))?;
    if r.status == "pending"
        || ![states::NEEDS_REVIEW, states::RECEIVED].contains(&doc.state.as_str())
    {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "state-conflict",
            format!(
                "document {id} is {} (extraction {}): corrections apply to an extracted document in needs_review or received",
                doc.state, r.status
            ),
        ));
    }
    let x = review::apply(
        &r.result.clone().unwrap_or_default(),
        r.source.as_deref(),
        &body.fields,
    );
    let reasons = review_reasons(&x);
    let (ubl, summary) = review::rendering(&x);
    let detail =
        json!({"corrected": body.fields.keys().collect::<Vec<_>>(), "review_reasons": reasons});
    let step = if reasons.is_empty() {
        Step::new(states::RECEIVED, "corrected", detail).because("corrected by a person")
    } else {
        Step::new(states::NEEDS_REVIEW, "corrected", detail)
            .because(format!("to review: {}", reasons.join("; ")))
    };
    state
        .store
        .finish_extraction(ExtractionOutcome {
            document_id: id.clone(),
            source: r.source.clone(),
            result: Some(result_json(&x, &reasons)),
            invoice_xml: Some(String::from_utf8_lossy(&ubl).into_owned()),
            error: None,
            summary,
            steps: if doc.state == states::NEEDS_REVIEW {
                vec![step]
            } else {
                Vec::new()
            },
            actor: caller.actor(),
        })
        .await?;
    // Complete now: what the person confirmed reads this supplier's next invoices.
    if reasons.is_empty() {
        remember_supplier(state.store.as_ref(), &doc.company_id, &x).await?;
    }
    Ok(Json(view(&record(&state, &caller, &id).await?)))
}
