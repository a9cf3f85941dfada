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
    build_error, build_receipt, open_message, Error as As4Error, Opened, SIGNAL_CONTENT_TYPE,
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
    let worker = as4.clone();
    let opened = tokio::task::spawn_blocking(move || {
        open_message(
            &content_type,
            &body,
            &worker.opener,
            &worker.trust,
            &worker.limits,
            SystemTime::now(),
        )
    })
    .await;
    let opened = match opened {
        Ok(Ok(opened)) => opened,
        Ok(Err(rejected)) => {
            tracing::info!(message_id = ?rejected.message_id, error = %rejected.error, "AS4 message refused");
            return error_answer(&as4, rejected.message_id.as_deref(), &rejected.error).await;
        }
        Err(e) => return internal(format!("AS4 worker: {e}")),
    };
    let message_id = opened.user_message.message_id.clone();
    if let Err(refused) = as4.revocation.check(&as4.trust, &opened.signer_der).await {
        let (Refused::Revoked(why) | Refused::Unknown(why)) = refused;
        let e = As4Error::Authentication(why);
        tracing::info!(%message_id, error = %e, "AS4 message refused");
        return error_answer(&as4, Some(&message_id), &e).await;
    }
    match accept(&as4, opened).await {
        Ok(receipt) => soap(receipt.into_bytes()),
        Err(Refusal::Ebms(e)) => {
            tracing::info!(%message_id, error = %e, "AS4 message refused");
            error_answer(&as4, Some(&message_id), &e).await
        }
        Err(Refusal::Internal(e)) => internal(e),
    }
}

enum Refusal {
    Ebms(As4Error),
    Internal(String),
}

/// Member lookup, receipt and storage; the receipt returned is the one stored.
async fn accept(as4: &Arc<As4>, opened: Opened) -> Result<String, Refusal> {
    let um = &opened.user_message;
    if let Some(receipt) = as4
        .store
        .inbound_receipt(&um.message_id)
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?
    {
        return Ok(receipt);
    }
    let receiver = &opened.sbdh.receiver;
    let member = as4
        .store
        .participant_by_identifier(&Identifier {
            scheme: receiver.scheme().to_string(),
            value: receiver.value().to_string(),
        })
        .await
        .map_err(|e| Refusal::Internal(e.to_string()))?;
    let company_id = match member {
        Some(p) if p.member => p
            .member_company_id
            .ok_or_else(|| Refusal::Ebms(As4Error::NotServiced(receiver.to_uri())))?,
        _ => return Err(Refusal::Ebms(As4Error::NotServiced(receiver.to_uri()))),
    };
    let document = opened.business_document().to_vec();
    let (local, refs, id, signer) = (
        as4.clone(),
        opened.references.clone(),
        um.message_id.clone(),
        opened.signer_der.clone(),
    );
    let receipt =
        tokio::task::spawn_blocking(move || build_receipt(&id, &refs, local.answering(&signer)))
            .await
            .map_err(|e| Refusal::Internal(e.to_string()))?
            .map_err(|e| Refusal::Internal(format!("signing the receipt: {e}")))?;
    let receipt = String::from_utf8(receipt).map_err(|e| Refusal::Internal(e.to_string()))?;
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
            sbd: opened.sbd.clone(),
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
