//! Purchase PDFs and images read into invoices off the request path. A durable job per
//! document (table `extraction_jobs`) is claimed with a lease by [`worker`]; the result fills
//! the document's summary and, when nothing needs a person, moves it to `received` where the
//! company's auto-accept options apply as for XML.
pub mod review;
pub mod worker;

use gateway_extract::fields::checks::{vat_check, VatCheck};
use std::collections::BTreeMap;

use gateway_extract::{memory, Extraction, Options, Source};
use gateway_store::{states, ExtractionOutcome, Step, Store, Visibility};
use serde_json::json;

/// Who the journal names for the worker's steps.
pub const ACTOR: &str = "extraction";

/// Why a person has to look: the extraction's own reasons and, for values read from the page
/// (where one misread digit changes the party), VAT numbers whose check digits fail. Embedded
/// XML is taken as the supplier wrote it, like an XML upload.
pub fn review_reasons(x: &Extraction) -> Vec<String> {
    let mut reasons = x.review_reasons.clone();
    if x.source == Source::EmbeddedXml {
        return reasons;
    }
    for id in ["BT-31", "BT-48"] {
        if let Some(f) = x.fields.get(id) {
            if vat_check(&f.value) == VatCheck::Invalid {
                reasons.push(format!("{id}: VAT number {} fails its check", f.value));
            }
        }
    }
    reasons
}

/// Reads the bytes (CPU-bound: call from `spawn_blocking`).
pub fn read(bytes: &[u8], opts: &Options) -> Result<Extraction, String> {
    gateway_extract::extract(bytes, opts).map_err(|e| e.to_string())
}

/// The JSON kept and served for review: fields with value, confidence, page and box.
pub fn result_json(x: &Extraction, reasons: &[String]) -> serde_json::Value {
    json!({
        "source": x.source.as_str(),
        "pages": x.pages,
        "fields": x.fields,
        "lines": x.lines,
        "review_reasons": reasons,
    })
}

/// Takes over what a person confirmed for this supplier before (found by the VAT id or IBAN
/// read), for values read from the page; the fields it set or changed.
async fn recall_supplier(
    store: &dyn Store,
    company_id: &str,
    x: &mut Extraction,
    review_threshold: f32,
) -> Result<Vec<String>, gateway_store::Error> {
    if x.source == Source::EmbeddedXml {
        return Ok(Vec::new());
    }
    let keys = memory::keys(&x.fields);
    let Some(remembered) = store.recall_supplier(company_id, &keys).await? else {
        return Ok(Vec::new());
    };
    let remembered: BTreeMap<String, String> =
        serde_json::from_value(remembered).unwrap_or_default();
    let recalled = memory::recall(&mut x.fields, &remembered);
    if !recalled.is_empty() {
        (x.needs_review, x.review_reasons) =
            gateway_extract::fields::review(&x.fields, review_threshold);
    }
    Ok(recalled)
}

/// Remembers the supplier-stable fields a person confirmed, under the supplier's keys.
pub async fn remember_supplier(
    store: &dyn Store,
    company_id: &str,
    x: &Extraction,
) -> Result<(), gateway_store::Error> {
    let keys = memory::keys(&x.fields);
    if keys.is_empty() {
        return Ok(());
    }
    store
        .remember_supplier(company_id, &keys, &json!(memory::remembered(&x.fields)))
        .await
}

/// What to store for an extraction and which steps follow.
pub async fn outcome(
    store: &dyn Store,
    document_id: &str,
    company_id: &str,
    read: Result<Extraction, String>,
    review_threshold: f32,
) -> Result<ExtractionOutcome, gateway_store::Error> {
    let mut x = match read {
        Ok(x) => x,
        Err(e) => {
            return Ok(ExtractionOutcome {
                document_id: document_id.into(),
                source: None,
                result: None,
                invoice_xml: None,
                summary: None,
                steps: vec![Step::new(
                    states::NEEDS_REVIEW,
                    "extraction_failed",
                    json!({ "error": e }),
                )
                .because(format!("the file could not be read: {e}"))],
                error: Some(e),
                actor: ACTOR.into(),
            })
        }
    };
    let recalled = recall_supplier(store, company_id, &mut x, review_threshold).await?;
    let reasons = review_reasons(&x);
    let (ubl, summary) = review::rendering(&x);
    let detail = json!({"source": x.source.as_str(), "fields": x.fields.len(),
        "recalled": recalled, "review_reasons": reasons});
    let steps = if reasons.is_empty() {
        let own_import = store
            .get_document(&Visibility::All, document_id)
            .await?
            .is_some_and(|d| matches!(d.source.as_str(), "api" | "upload" | "email"));
        let mut steps = vec![Step::new(states::RECEIVED, "extracted", detail)
            .because(format!("read from the {}", x.source.as_str()))];
        if let Some(s) = &summary {
            if let Some(rule) = store.auto_accept_rule(company_id, own_import, s).await? {
                steps.push(
                    Step::new(
                        states::ACCEPTED,
                        "accepted",
                        json!({"by": "auto-accept", "rule": rule}),
                    )
                    .because(format!("auto-accepted ({rule})")),
                );
            }
        }
        steps
    } else {
        vec![Step::new(states::NEEDS_REVIEW, "extracted", detail)
            .because(format!("to review: {}", reasons.join("; ")))]
    };
    Ok(ExtractionOutcome {
        document_id: document_id.into(),
        source: Some(x.source.as_str().into()),
        result: Some(result_json(&x, &reasons)),
        invoice_xml: Some(String::from_utf8_lossy(&ubl).into_owned()),
        error: None,
        summary,
        steps,
        actor: ACTOR.into(),
    })
}
