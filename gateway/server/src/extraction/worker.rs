//! The extraction worker: claims a job with a lease, reads the file on a blocking thread and
//! stores the outcome. A crash mid-way leaves the job pending; it is claimed again once its
//! lease ends.
use std::sync::Arc;
use std::time::Duration;

use gateway_extract::Options;
use gateway_store::{states, ExtractionOutcome, Step, Store};
use serde_json::json;

/// How long a claim holds; longer than any extraction (OCR of a few pages takes seconds).
const LEASE_SECS: i64 = 300;
/// A file that made the worker fail this often is left to a person.
const MAX_ATTEMPTS: i64 = 3;
const IDLE: Duration = Duration::from_millis(300);

/// Starts the worker; it runs until the process ends.
pub fn spawn(store: Arc<dyn Store>, opts: Options) {
    tokio::spawn(async move {
        loop {
            match once(store.as_ref(), &opts).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "extraction failed; retrying"),
            }
            tokio::time::sleep(IDLE).await;
        }
    });
}

/// Processes one job; `false` when there was none.
pub async fn once(store: &dyn Store, opts: &Options) -> Result<bool, gateway_store::Error> {
    let Some(job) = store.claim_extraction(LEASE_SECS).await? else {
        return Ok(false);
    };
    let outcome = if job.attempts > MAX_ATTEMPTS {
        let e = format!("gave up after {} attempts", job.attempts - 1);
        ExtractionOutcome {
            document_id: job.document_id.clone(),
            source: None,
            result: None,
            invoice_xml: None,
            summary: None,
            steps: vec![Step::new(
                states::NEEDS_REVIEW,
                "extraction_failed",
                json!({ "error": e }),
            )
            .because(e.clone())],
            error: Some(e),
            actor: super::ACTOR.into(),
        }
    } else {
        let bytes = job.bytes;
        let threshold = opts.review_threshold;
        let opts = opts.clone();
        let read = tokio::task::spawn_blocking(move || super::read(&bytes, &opts))
            .await
            .unwrap_or_else(|e| Err(format!("the extraction stopped: {e}")));
        super::outcome(store, &job.document_id, &job.company_id, read, threshold).await?
    };
    let events = store.finish_extraction(outcome).await?;
    tracing::info!(document = %job.document_id, steps = events.len(), "extraction stored");
    Ok(true)
}
