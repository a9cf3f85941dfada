//! The document lifecycle over the store: submit, validate, send (routing by the customer's
//! delivery preference), archive, receive into a member's inbox, accept or refuse.
//!
//! Sales: `draft → validated → sent | archived`. Purchases: `received → needs_review →
//! accepted | refused`. Every step is a journal event; the HTTP handlers and the benchmark both
//! go through these functions.
pub mod actions;
pub mod channels;
pub mod extract;
#[cfg(test)]
mod fixtures;
pub mod peppol;

use gateway_store::{
    states, AutoAcceptRule, Created, Delivery, DeliveryStatus, Direction, DocumentDetail,
    IdempotencyKey, Identifier, NewDelivery, NewDocument, NewInvoice, Step, Store, Visibility,
};
use serde_json::json;

pub use extract::Parsed;

/// Errors of the lifecycle, each mapped to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    Store(#[from] gateway_store::Error),
    /// Not there, or not the caller's: the two look the same.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// Not XML of an invoice the gateway reads (UBL, CII): nothing was stored.
    #[error("the invoice cannot be read: {0}")]
    Unreadable(String),
    /// The operation does not apply to this document (direction or kind).
    #[error("{0}")]
    NotApplicable(String),
    /// The customer has no delivery channel the gateway can use.
    #[error("no route to the customer: {0}")]
    NoRoute(String),
    #[error("{0}")]
    Unsupported(String),
}

pub type Result<T, E = LifecycleError> = std::result::Result<T, E>;

/// What to do right after a submission, in the same call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Then {
    Validate,
    Send,
    Archive,
}

/// A document handed to the gateway by a member (API or upload).
#[derive(Debug, Clone)]
pub struct Submission {
    pub company_id: String,
    pub direction: Direction,
    /// `api`, `upload`, `email`, …: `api` and `upload` count as the company's own imports.
    pub source: String,
    pub media_type: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
    pub actor: String,
    pub idempotency: Option<IdempotencyKey>,
    pub then: Option<Then>,
}

/// JSON of the EN 16931 model (`gateway_model::Invoice`).
pub const JSON: &str = "application/json";

pub fn is_xml(media_type: &str) -> bool {
    matches!(media_type, "application/xml" | "text/xml")
}

/// Stores a submission in the state its content allows and takes the requested next step.
pub async fn submit(store: &dyn Store, mut sub: Submission) -> Result<Created> {
    let mut origin = None;
    if sub.media_type == JSON {
        // JSON of the model: stored as its UBL rendering, which every reader and the rules know.
        let invoice: gateway_model::Invoice = serde_json::from_slice(&sub.bytes)
            .map_err(|e| LifecycleError::Unreadable(format!("JSON of the model: {e}")))?;
        let ubl = gateway_convert::write(&invoice, gateway_convert::Target::Ubl);
        origin = Some(
            json!({"submitted_as": "json", "json_sha256": gateway_store::sha256_hex(&sub.bytes)}),
        );
        sub.bytes = ubl;
        sub.media_type = "application/xml".into();
    }
    let parsed = if is_xml(&sub.media_type) && sub.direction != Direction::Other {
        Some(extract::parse(&sub.bytes))
    } else {
        None
    };
    let own_import = matches!(sub.source.as_str(), "api" | "upload" | "email");
    let (initial, summary, steps, parsed) = match (sub.direction, parsed) {
        (Direction::Sales, Some(Err(e))) => return Err(LifecycleError::Unreadable(e)),
        (Direction::Sales, Some(Ok(p))) => {
            let mut summary = extract::summary(&p, Direction::Sales);
            if origin.is_some() {
                summary.syntax = "json".into();
            }
            let mut steps = Vec::new();
            if let Some(then) = sub.then {
                let company = store
                    .get_company(&Visibility::All, &sub.company_id)
                    .await?
                    .ok_or_else(|| gateway_store::Error::NotFound {
                        what: "company",
                        id: sub.company_id.clone(),
                    })?;
                let (step, valid) = validation_step(&p, &company);
                steps.push(step);
                if valid && then == Then::Archive {
                    steps.push(archive_step("archived on submission"));
                }
            }
            (states::DRAFT, Some(summary), steps, Some(p))
        }
        (Direction::Sales, None) => (
            states::DRAFT,
            None,
            vec![Step::new(states::DRAFT, "noted", json!({}))
                .because("not a structured invoice: it can be archived, not sent")],
            None,
        ),
        (Direction::Purchase, Some(Err(e))) => (
            states::RECEIVED,
            None,
            vec![
                Step::new(states::NEEDS_REVIEW, "needs_review", json!({"error": e}))
                    .because(format!("not a readable invoice: {e}")),
            ],
            None,
        ),
        (Direction::Purchase, Some(Ok(p))) => {
            let mut summary = extract::summary(&p, Direction::Purchase);
            if origin.is_some() {
                summary.syntax = "json".into();
            }
            let steps = auto_accept(store, &sub.company_id, own_import, &summary).await?;
            (states::RECEIVED, Some(summary), steps, Some(p))
        }
        (Direction::Purchase, None) => (
            states::RECEIVED,
            None,
            vec![Step::new(
                states::NEEDS_REVIEW,
                "needs_review",
                json!({"media_type": sub.media_type}),
            )
            .because("waiting for extraction: the original is kept")],
            None,
        ),
        (Direction::Other, _) => (states::RECEIVED, None, Vec::new(), None),
    };
    let id = gateway_store::new_document_id();
    let mut a = NewInvoice {
        id: Some(id.clone()),
        document: NewDocument {
            company_id: sub.company_id.clone(),
            direction: sub.direction,
            source: sub.source,
            media_type: sub.media_type,
            file_name: sub.file_name,
            bytes: sub.bytes,
            actor: sub.actor.clone(),
            initial_state: initial.into(),
        },
        summary,
        steps,
        idempotency: sub.idempotency,
        review_duplicates: sub.direction == Direction::Purchase,
        origin,
        deliveries: Vec::new(),
    };
    let validated = a.steps.last().is_some_and(|s| s.to == states::VALIDATED);
    let (Some(Then::Send), Some(parsed), true) = (sub.then, parsed.as_ref(), validated) else {
        return Ok(store.create_invoice(a).await?);
    };
    // Submit and send in one transaction: the invoice, already sent, and the recipient's copy.
    let plan = match plan_delivery(store, &sub.company_id, &id, parsed, &a.document).await {
        Ok(plan) => plan,
        Err(e @ LifecycleError::NoRoute(_)) => {
            // Kept as validated, so that it can be archived or sent once the customer is known.
            let created = store.create_invoice(a).await?;
            if created.replayed {
                return Ok(created);
            }
            return Err(LifecycleError::NoRoute(format!(
                "{e}; document {} is kept as validated",
                created.document.id
            )));
        }
        Err(e) => return Err(e),
    };
    a.steps.push(plan.step);
    let to_peppol = peppol_recipient(&plan.delivery).map(|r| (r, a.document.bytes.clone()));
    a.deliveries.extend(plan.delivery);
    let mut batch = vec![a];
    batch.extend(plan.inbox);
    let created = store.create_invoices(batch).await?.remove(0);
    if let (Some((receiver, bytes)), false) = (to_peppol, created.replayed) {
        peppol::hand_over(store, &id, &sub.company_id, parsed, &receiver, bytes).await;
    }
    Ok(created)
}

/// The participant of a Peppol delivery, which goes to the AS4 outbox once stored.
fn peppol_recipient(delivery: &Option<NewDelivery>) -> Option<String> {
    delivery
        .as_ref()
        .filter(|d| d.channel == Delivery::Peppol)
        .and_then(|d| d.recipient.clone())
}

/// How a validated sales invoice goes out: its step, its delivery and, for a member of this
/// gateway, the copy for that member's inbox (created with it or just after).
struct DeliveryPlan {
    step: Step,
    delivery: Option<NewDelivery>,
    inbox: Option<NewInvoice>,
}

async fn plan_delivery(
    store: &dyn Store,
    company_id: &str,
    document_id: &str,
    parsed: &Parsed,
    document: &NewDocument,
) -> Result<DeliveryPlan> {
    Ok(match route(store, company_id, parsed).await? {
        Route::Member(member) => {
            let inbox = inbox_copy(store, document_id, document, parsed, &member).await?;
            DeliveryPlan {
                step: Step::new(states::SENT, "sent", json!({"channel": "gateway"})),
                delivery: Some(NewDelivery {
                    channel: Delivery::Gateway,
                    recipient: Some(member),
                    status: DeliveryStatus::Delivered,
                    proof: Some(json!({"inbox_document_id": inbox.id})),
                    reason: None,
                }),
                inbox: Some(inbox),
            }
        }
        Route::Peppol(participant) => DeliveryPlan {
            step: Step::new(states::SENT, "sent", json!({"channel": "peppol"})),
            delivery: Some(NewDelivery {
                channel: Delivery::Peppol,
                recipient: Some(participant),
                status: DeliveryStatus::Queued,
                proof: None,
                reason: Some("waiting for the AS4 outbox".into()),
            }),
            inbox: None,
        },
        Route::Email(address) => DeliveryPlan {
            step: Step::new(states::SENT, "sent", json!({"channel": "email"})),
            delivery: Some(NewDelivery {
                channel: Delivery::Email,
                recipient: Some(address),
                status: DeliveryStatus::Queued,
                proof: None,
                reason: Some("waiting for the e-mail sender".into()),
            }),
            inbox: None,
        },
        Route::None => DeliveryPlan {
            step: archive_step("the customer receives no e-invoices (directory: none)"),
            delivery: None,
            inbox: None,
        },
    })
}

fn archive_step(why: &str) -> Step {
    Step::new(states::ARCHIVED, "archived", json!({"reason": why})).because(why)
}

/// The validation step of a sales invoice: `validated`, or a `validation_failed` event that
/// leaves it a draft, with the findings in the journal.
pub fn validation_step(p: &Parsed, company: &gateway_store::Company) -> (Step, bool) {
    let report = extract::validate(p);
    let seller = extract::seller_mismatch(p, company);
    let detail = match &report {
        Ok(r) => json!({
            "rules": r.rules.as_str(),
            "fatal": r.fatal.iter().take(50).map(|f| json!({"id": f.id, "location": f.location, "message": f.message})).collect::<Vec<_>>(),
            "warnings": r.warning.len(),
            "seller": seller,
        }),
        Err(e) => json!({"error": e, "seller": seller}),
    };
    let problem = match (&report, &seller) {
        (Err(e), _) => Some(format!("cannot be validated: {e}")),
        (Ok(r), _) if !r.is_valid() => Some(format!(
            "{} rule(s) failed: {}",
            r.fatal.len(),
            r.fatal
                .iter()
                .take(5)
                .map(|f| f.id)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        (Ok(_), Some(s)) => Some(s.clone()),
        (Ok(_), None) => None,
    };
    match problem {
        None => (Step::new(states::VALIDATED, "validated", detail), true),
        Some(why) => (
            Step::new(states::DRAFT, "validation_failed", detail).because(why),
            false,
        ),
    }
}

/// The accept step for a readable purchase document when one of the company's options says so.
async fn auto_accept(
    store: &dyn Store,
    company_id: &str,
    own_import: bool,
    summary: &gateway_store::Summary,
) -> Result<Vec<Step>> {
    Ok(store
        .auto_accept_rule(company_id, own_import, summary)
        .await?
        .map(|rule: AutoAcceptRule| {
            vec![Step::new(
                states::ACCEPTED,
                "accepted",
                json!({"by": "auto-accept", "rule": rule}),
            )
            .because(format!("auto-accepted ({rule})"))]
        })
        .unwrap_or_default())
}

async fn load(store: &dyn Store, vis: &Visibility, id: &str) -> Result<DocumentDetail> {
    store
        .document_detail(vis, id)
        .await?
        .ok_or(LifecycleError::NotFound("document"))
}

async fn parse_stored(store: &dyn Store, d: &DocumentDetail) -> Result<Parsed> {
    if !is_xml(&d.row.document.media_type) {
        return Err(LifecycleError::NotApplicable(format!(
            "document {} is {}, not an XML invoice",
            d.row.document.id, d.row.document.media_type
        )));
    }
    let bytes = store
        .get_blob(&d.row.document.blob.sha256)
        .await?
        .ok_or_else(|| gateway_store::Error::BlobMissing(d.row.document.blob.sha256.clone()))?;
    extract::parse(&bytes).map_err(LifecycleError::Unreadable)
}

fn require(d: &DocumentDetail, direction: Direction, what: &str) -> Result<()> {
    if d.row.document.direction != direction {
        return Err(LifecycleError::NotApplicable(format!(
            "only {direction} documents can be {what}; document {} is a {} document",
            d.row.document.id, d.row.document.direction
        )));
    }
    Ok(())
}

/// Validates a sales draft; an invalid one stays a draft with the findings journaled.
pub async fn validate(
    store: &dyn Store,
    vis: &Visibility,
    id: &str,
    actor: &str,
) -> Result<(DocumentDetail, bool)> {
    let d = load(store, vis, id).await?;
    require(&d, Direction::Sales, "validated")?;
    let parsed = parse_stored(store, &d).await?;
    let company = store
        .get_company(&Visibility::All, &d.row.document.company_id)
        .await?
        .ok_or_else(|| gateway_store::Error::NotFound {
            what: "company",
            id: d.row.document.company_id.clone(),
        })?;
    let (step, valid) = validation_step(&parsed, &company);
    store
        .advance(
            vis,
            gateway_store::Advance {
                document_id: id.into(),
                from: vec![states::DRAFT.into()],
                actor: actor.into(),
                steps: vec![step],
                deliveries: Vec::new(),
            },
        )
        .await?;
    Ok((load(store, vis, id).await?, valid))
}

/// Archives a sales document without sending it.
pub async fn archive(
    store: &dyn Store,
    vis: &Visibility,
    id: &str,
    actor: &str,
) -> Result<DocumentDetail> {
    let d = load(store, vis, id).await?;
    require(&d, Direction::Sales, "archived")?;
    store
        .advance(
            vis,
            gateway_store::Advance {
                document_id: id.into(),
                from: vec![states::DRAFT.into(), states::VALIDATED.into()],
                actor: actor.into(),
                steps: vec![archive_step("archived without sending")],
                deliveries: Vec::new(),
            },
        )
        .await?;
    load(store, vis, id).await
}

/// Accepts or refuses a purchase document, by a person; a refusal needs a reason.
pub async fn decide(
    store: &dyn Store,
    vis: &Visibility,
    id: &str,
    actor: &str,
    accept: bool,
    reason: Option<String>,
) -> Result<DocumentDetail> {
    let d = load(store, vis, id).await?;
    require(
        &d,
        Direction::Purchase,
        if accept { "accepted" } else { "refused" },
    )?;
    let reason = reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if !accept && reason.is_none() {
        return Err(gateway_store::Error::Invalid {
            field: "reason",
            reason: "a refusal needs a reason".into(),
        }
        .into());
    }
    let (to, kind) = if accept {
        (states::ACCEPTED, "accepted")
    } else {
        (states::REFUSED, "refused")
    };
    let mut step = Step::new(to, kind, json!({"by": "person", "reason": reason}));
    step.reason = reason;
    store
        .advance(
            vis,
            gateway_store::Advance {
                document_id: id.into(),
                from: vec![states::RECEIVED.into(), states::NEEDS_REVIEW.into()],
                actor: actor.into(),
                steps: vec![step.clone()],
                deliveries: Vec::new(),
            },
        )
        .await?;
    if d.row.document.source == "gateway" {
        tell_the_seller(store, id, &step).await;
    }
    load(store, vis, id).await
}

/// A member's decision on an invoice another member sent through the gateway shows on the
/// seller's copy: an event and the status reason, the state unchanged. The decision itself is
/// stored already; a failure here is logged, not the decider's error.
async fn tell_the_seller(store: &dyn Store, purchase_id: &str, decision: &Step) {
    let told = async {
        let events = store
            .events(&Visibility::All, purchase_id)
            .await?
            .unwrap_or_default();
        let Some(sent_id) = events
            .first()
            .and_then(|e| e.detail["origin"]["sent_document_id"].as_str())
            .map(str::to_string)
        else {
            return Ok::<_, LifecycleError>(());
        };
        let Some(sent) = store.get_document(&Visibility::All, &sent_id).await? else {
            return Ok(());
        };
        let (kind, verdict) = match decision.to.as_str() {
            states::ACCEPTED => ("customer_accepted", "accepted by the customer".to_string()),
            _ => (
                "customer_refused",
                format!(
                    "refused by the customer: {}",
                    decision.reason.as_deref().unwrap_or("no reason given")
                ),
            ),
        };
        let step = Step::new(
            sent.state.as_str(),
            kind,
            json!({"purchase_document_id": purchase_id, "reason": decision.reason}),
        )
        .because(verdict);
        store
            .advance(
                &Visibility::All,
                gateway_store::Advance {
                    document_id: sent_id,
                    from: vec![sent.state.clone()],
                    actor: "system:gateway".into(),
                    steps: vec![step],
                    deliveries: Vec::new(),
                },
            )
            .await?;
        Ok(())
    };
    if let Err(e) = told.await {
        tracing::error!(purchase_id, error = %e, "the seller's copy does not show the decision");
    }
}

/// Where a customer is reached, from the directory.
enum Route {
    Member(String),
    Peppol(String),
    Email(String),
    None,
}

async fn route(store: &dyn Store, company_id: &str, parsed: &Parsed) -> Result<Route> {
    let buyer = parsed
        .invoice
        .buyer
        .as_ref()
        .ok_or_else(|| LifecycleError::NoRoute("the invoice names no buyer".into()))?;
    let address = extract::electronic_address(buyer);
    let vat = buyer
        .vat_identifier
        .as_ref()
        .and_then(|t| t.id.as_ref())
        .map(|t| t.normalized());
    let identifier = address.as_ref().map(|a| Identifier {
        scheme: gateway_peppol::PARTICIPANT_SCHEME.into(),
        value: a.clone(),
    });
    let found = store
        .route_entry(company_id, identifier.as_ref(), vat.as_deref())
        .await?;
    Ok(match found {
        Some(p) => match (p.delivery, &p.member_company_id) {
            (Delivery::Gateway, Some(member)) => Route::Member(member.clone()),
            (Delivery::Email, _) => Route::Email(p.email.clone().unwrap_or_default()),
            (Delivery::None, _) => Route::None,
            (Delivery::Peppol | Delivery::Gateway, _) => match p.peppol_id.or(address) {
                Some(id) => Route::Peppol(id),
                None => {
                    return Err(LifecycleError::NoRoute(format!(
                        "{} has no Peppol identifier",
                        p.legal_name
                    )))
                }
            },
        },
        // Unknown here: the AS4 outbox looks the address up in the SML.
        None => match address {
            Some(a) => Route::Peppol(a),
            None => {
                return Err(LifecycleError::NoRoute(
                    "the customer is not in the directory and the invoice has no electronic address; archive it instead".into(),
                ))
            }
        },
    })
}

/// Sends a validated sales invoice by the customer's delivery preference: a member of this
/// gateway gets it in its inbox now; Peppol and e-mail deliveries are queued for their
/// senders; a customer who receives no e-invoices gets nothing and the invoice is archived.
pub async fn send(
    store: &dyn Store,
    vis: &Visibility,
    id: &str,
    actor: &str,
    parsed: Option<Parsed>,
) -> Result<DocumentDetail> {
    let d = load(store, vis, id).await?;
    require(&d, Direction::Sales, "sent")?;
    if d.row.document.state != states::VALIDATED {
        return Err(gateway_store::Error::StateConflict {
            document: id.into(),
            expected: states::VALIDATED.into(),
            actual: d.row.document.state.clone(),
        }
        .into());
    }
    let parsed = match parsed {
        Some(p) => p,
        None => parse_stored(store, &d).await?,
    };
    let company_id = d.row.document.company_id.clone();
    let bytes = store
        .get_blob(&d.row.document.blob.sha256)
        .await?
        .ok_or_else(|| gateway_store::Error::BlobMissing(d.row.document.blob.sha256.clone()))?;
    let document = NewDocument {
        company_id: company_id.clone(),
        direction: Direction::Sales,
        source: d.row.document.source.clone(),
        media_type: d.row.document.media_type.clone(),
        file_name: d.row.document.file_name.clone(),
        bytes,
        actor: actor.into(),
        initial_state: states::DRAFT.into(),
    };
    let plan = plan_delivery(store, &company_id, id, &parsed, &document).await?;
    // The inbox copy first: its key is this document, so a send retried after a failure
    // finds the copy it made and never makes a second.
    let (step, mut delivery) = (plan.step, plan.delivery);
    let to_peppol = peppol_recipient(&delivery);
    if let Some(inbox) = plan.inbox {
        let made = store.create_invoice(inbox).await?;
        if let Some(d) = delivery.as_mut() {
            d.proof = Some(json!({"inbox_document_id": made.document.id}));
        }
    }
    store
        .advance(
            vis,
            gateway_store::Advance {
                document_id: id.into(),
                from: vec![states::VALIDATED.into()],
                actor: actor.into(),
                steps: vec![step],
                deliveries: delivery.into_iter().collect(),
            },
        )
        .await?;
    if let Some(receiver) = to_peppol {
        peppol::hand_over(store, id, &company_id, &parsed, &receiver, document.bytes).await;
    }
    load(store, vis, id).await
}

/// A sent invoice as a purchase document for a member's inbox. Its idempotency key is the
/// sender's document, so the copy is made once however often the send is retried.
async fn inbox_copy(
    store: &dyn Store,
    sent_id: &str,
    sent: &NewDocument,
    parsed: &Parsed,
    member: &str,
) -> Result<NewInvoice> {
    let summary = extract::summary(parsed, Direction::Purchase);
    let steps = auto_accept(store, member, false, &summary).await?;
    let sender = parsed
        .invoice
        .seller
        .as_ref()
        .and_then(extract::electronic_address);
    Ok(NewInvoice {
        id: Some(gateway_store::new_document_id()),
        document: NewDocument {
            company_id: member.into(),
            direction: Direction::Purchase,
            source: "gateway".into(),
            media_type: sent.media_type.clone(),
            file_name: sent.file_name.clone(),
            bytes: sent.bytes.clone(),
            actor: "system:gateway".into(),
            initial_state: states::RECEIVED.into(),
        },
        summary: Some(summary),
        steps,
        idempotency: Some(IdempotencyKey {
            key: format!("gateway:{sent_id}"),
            request_sha256: gateway_store::sha256_hex(&sent.bytes),
        }),
        review_duplicates: true,
        origin: Some(json!({"channel": "gateway", "sender": sender, "sent_document_id": sent_id})),
        deliveries: Vec::new(),
    })
}
