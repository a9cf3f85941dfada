//! `POST {as4.path}`: open the message, find the member it is for, store it durably, then
//! answer the signed receipt. The same MessageId again gets the stored receipt and no second
//! document. Failures are answered with a signed ebMS error; storage failures with HTTP 500, so
//! the sender retries and no receipt leaves for a message we do not hold.
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gateway_as4_proto::{
    build_error, build_receipt, open_message, Error as As4Error, Opened, Rejected,
    SIGNAL_CONTENT_TYPE,
};
use gateway_store::{Identifier, Inbound, InboundMessage};

use super::revocation::Refused;
use super::As4;
use crate::http::AppState;

pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let as4 = state.as4.clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // The receipt is signed with the opening; it is wasted only when the receiver turns out
    // not to be ours. A message of usual size is opened right here, in well under a
    // millisecond: the trip to a blocking thread and back cost 20% of the throughput in
    // wake-ups and context switches (as4_bench). Bigger ones go to the blocking pool, so that
    // they do not hold up other connections.
    let opened = if body.len() <= OPEN_INLINE_MAX {
        open_and_sign(&as4, &content_type, &body)
    } else {
        let worker = as4.clone();
        match tokio::task::spawn_blocking(move || open_and_sign(&worker, &content_type, &body))
            .await
        {
            Ok(opened) => opened,
            Err(e) => return internal(format!("AS4 worker: {e}")),
        }
    };
    let (opened, receipt) = match opened {
        Ok(opened) => opened,
        Err(rejected) => {
            tracing::info!(message_id = ?rejected.message_id, error = %rejected.error, "AS4 message refused");
            return error_answer(&as4, rejected.message_id.as_deref(), &rejected.error).await;
        }
    };
    let message_id = opened.user_message.message_id.clone();
    if let Err(refused) = as4.revocation.check(&as4.trust, &opened.signer_der).await {
        let (Refused::Revoked(why) | Refused::Unknown(why)) = refused;
        let e = As4Error::Authentication(why);
        tracing::info!(%message_id, error = %e, "AS4 message refused");
        return error_answer(&as4, Some(&message_id), &e).await;
    }
    match accept(&as4, opened, receipt).await {
        Ok(receipt) => soap(receipt.into_bytes()),
        Err(Refusal::Ebms(e)) => {
            tracing::info!(%message_id, error = %e, "AS4 message refused");
            error_answer(&as4, Some(&message_id), &e).await
        }
        Err(Refusal::Internal(e)) => internal(e),
    }
}

/// Messages up to this size are opened on the runtime's thread.
const OPEN_INLINE_MAX: usize = 128 * 1024;

type Signed = Result<Vec<u8>, String>;

/// Opens the message and signs its receipt.
fn open_and_sign(as4: &As4, content_type: &str, body: &[u8]) -> Result<(Opened, Signed), Rejected> {
    let opened = open_message(
        content_type,
        body,
        &as4.opener,
        &as4.trust,
        &as4.limits,
        SystemTime::now(),
    )?;
    let um = &opened.user_message;
    let receipt = build_receipt(
        &um.message_id,
        &opened.references,
        as4.answering(&opened.signer_der),
    )
    .map_err(|e| format!("signing the receipt: {e}"));
    Ok((opened, receipt))
}

enum Refusal {
    Ebms(As4Error),
    Internal(String),
}

/// Member lookup and storage; the receipt returned is the one stored (the first one sent for
/// this MessageId).
async fn accept(as4: &Arc<As4>, opened: Opened, receipt: Signed) -> Result<String, Refusal> {
    let um = &opened.user_message;
    let receiver = &opened.sbdh.receiver;
    let internal = |e: gateway_store::Error| Refusal::Internal(e.to_string());
    let receiver_id = Identifier {
        scheme: receiver.scheme().to_string(),
        value: receiver.value().to_string(),
    };
    let member = as4
        .members
        .company_of(&*as4.store, receiver_id)
        .await
        .map_err(internal)?;
    let Some(company_id) = member else {
        // A message we took before the receiver left still gets its receipt again.
        return match as4.store.inbound_receipt(&um.message_id).await {
            Ok(Some(receipt)) => Ok(receipt),
            Ok(None) => Err(Refusal::Ebms(As4Error::NotServiced(receiver.to_uri()))),
            Err(e) => Err(internal(e)),
        };
    };
    let document = opened.business_document().to_vec();
    let receipt = String::from_utf8(receipt.map_err(Refusal::Internal)?)
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    let stored = as4
        .store
        .record_inbound(InboundMessage {
            message_id: um.message_id.clone(),
            company_id,
            from_party: um.from.value.clone(),
            sender_id: opened.sbdh.sender.to_uri(),
            receiver_id: receiver.to_uri(),
            document_type: um.action.clone(),
            process: um.service.clone(),
            file_name: Some(format!(
                "{}.xml",
                opened.sbdh.document_identification.instance_identifier
            )),
            document,
            sbd: opened.sbd,
            receipt: receipt.clone(),
        })
        .await
        .map_err(|e| Refusal::Internal(format!("storing the message: {e}")))?;
    Ok(match stored {
        Inbound::Stored { document_id } => {
            tracing::info!(message_id = %um.message_id, %document_id, "AS4 message received");
            receipt
        }
        Inbound::Duplicate { receipt, .. } => receipt,
    })
}

async fn error_answer(as4: &Arc<As4>, ref_to: Option<&str>, error: &As4Error) -> Response {
    let (local, ebms, ref_to) = (as4.clone(), error.ebms(), ref_to.map(str::to_owned));
    let built =
        tokio::task::spawn_blocking(move || build_error(ref_to.as_deref(), &[ebms], &local.local))
            .await;
    match built {
        Ok(Ok(xml)) => soap(xml),
        Ok(Err(e)) => internal(format!("signing the error: {e}")),
        Err(e) => internal(e.to_string()),
    }
}

fn soap(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, SIGNAL_CONTENT_TYPE)], body).into_response()
}

fn internal(detail: String) -> Response {
    tracing::error!(error = %detail, "AS4 message not taken");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "the message could not be stored; send it again",
    )
        .into_response()
}
