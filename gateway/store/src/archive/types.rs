//! Plain data of the archive, accountants and connectors.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Direction;

/// An accountant organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Accountant {
    pub id: String,
    pub name: String,
    /// Where the mailbox drop sends purchase invoices.
    pub purchases_email: Option<String>,
    /// Where the mailbox drop sends sales invoices.
    pub sales_email: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewAccountant {
    pub name: String,
    pub purchases_email: Option<String>,
    pub sales_email: Option<String>,
}

/// A link between a company and an accountant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    /// The company invited; the accountant has not accepted yet.
    Invited,
    Active,
    Unlinked,
}

text_enum!(LinkStatus, "status", { Invited => "invited", Active => "active", Unlinked => "unlinked" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountantLink {
    pub id: String,
    pub accountant_id: String,
    pub accountant_name: String,
    pub company_id: String,
    pub company_name: String,
    pub status: LinkStatus,
    pub invited_at: String,
    pub accepted_at: Option<String>,
    pub unlinked_at: Option<String>,
    /// `company` or `accountant`.
    pub unlinked_by: Option<String>,
}

/// Which side of links a caller stands on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkSide {
    /// The companies a member or the operator may see.
    Companies(crate::Visibility),
    Accountant(String),
}

/// One entry of the global archive hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveEntry {
    pub seq: i64,
    /// `document` or `tombstone`.
    pub kind: String,
    pub document_id: String,
    pub company_id: String,
    pub direction: String,
    pub state: String,
    pub blob_sha256: String,
    /// How many journal events the entry covers, and the hash of the last of them.
    pub events_count: i64,
    pub events_head: String,
    /// SHA-256 over the extracted search fields.
    pub fields_hash: String,
    pub archived_at: String,
    pub expires_at: String,
    /// Tombstones: the entry that expired.
    pub target_seq: Option<i64>,
    /// Tombstones: Ed25519 signature (base64) of `hash` with the archive key.
    pub signature: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// A signed statement of the chain head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Checkpoint {
    pub id: String,
    pub head_seq: i64,
    pub head_hash: String,
    pub signed_at: String,
    /// Base64 Ed25519 public key that signed.
    pub public_key: String,
    /// Base64 Ed25519 signature over [`Checkpoint::message`].
    pub signature: String,
}

impl Checkpoint {
    /// The exact bytes a checkpoint signature covers.
    pub fn message(head_seq: i64, head_hash: &str, signed_at: &str) -> String {
        format!("gateway-archive-checkpoint:v1:{head_seq}:{head_hash}:{signed_at}")
    }
}

/// What the archiver extracted from an archived invoice (all optional: a PDF has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArchiveFields {
    pub invoice_number: Option<String>,
    pub counterparty_name: Option<String>,
    /// The counterparty's VAT number, Peppol and legal identifiers.
    pub counterparty_ids: Vec<String>,
    /// `YYYY-MM-DD`.
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    pub currency: Option<String>,
    /// Amount due (or total with VAT), as written.
    pub total: Option<String>,
    /// The same in hundredths, for range searches.
    pub total_cents: Option<i64>,
    /// Every text of the invoice, for free-text search.
    pub content: String,
}

/// An archived document as listed and searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArchivedInvoice {
    pub document_id: String,
    pub company_id: String,
    pub entry_seq: i64,
    pub direction: String,
    pub state: String,
    pub invoice_number: Option<String>,
    pub counterparty_name: Option<String>,
    pub issue_date: Option<String>,
    pub due_date: Option<String>,
    pub currency: Option<String>,
    pub total: Option<String>,
    pub archived_at: String,
}

/// An archive search; every given criterion must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveQuery {
    /// Words starting words of the counterparty's name, accents ignored.
    pub counterparty: Option<String>,
    /// A counterparty identifier (VAT number, Peppol id), punctuation ignored.
    pub identifier: Option<String>,
    pub invoice_number: Option<String>,
    pub amount_min_cents: Option<i64>,
    pub amount_max_cents: Option<i64>,
    pub issued_from: Option<String>,
    pub issued_to: Option<String>,
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    pub state: Option<String>,
    pub direction: Option<Direction>,
    /// Words anywhere in the invoice, accents ignored.
    pub text: Option<String>,
    /// Documents by id (an export selection).
    pub ids: Vec<String>,
    pub limit: u32,
    /// `document_id` of the last row of the previous page.
    pub after: Option<String>,
}

/// Who owns a connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ConnectorOwner {
    /// `company` or `accountant`.
    pub kind: String,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConnectorKind {
    Webhook,
    Feed,
    Mailbox,
}

text_enum!(ConnectorKind, "kind", { Webhook => "webhook", Feed => "feed", Mailbox => "mailbox" });

/// A destination for archived documents. Secrets never leave the store through this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Connector {
    pub id: String,
    pub owner: ConnectorOwner,
    pub kind: ConnectorKind,
    pub url: Option<String>,
    /// Webhooks: `v1a` (Ed25519, default) or `v1` (HMAC-SHA256).
    pub scheme: Option<String>,
    /// Webhooks with `v1a`: the `whpk_` key receivers verify with.
    pub public_key: Option<String>,
    pub purchases_email: Option<String>,
    pub sales_email: Option<String>,
    pub disabled_at: Option<String>,
    pub disabled_reason: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewConnector {
    pub owner: ConnectorOwner,
    pub kind: ConnectorKind,
    pub url: Option<String>,
    pub scheme: Option<String>,
    /// `whsk_…` or `whsec_…`, made by the caller.
    pub secret: Option<String>,
    pub public_key: Option<String>,
    pub purchases_email: Option<String>,
    pub sales_email: Option<String>,
    /// Also queue the documents archived before it was made, not only the ones after.
    pub history: bool,
}

/// The accountant status of a document for one connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForwardingStatus {
    ToBeFetched,
    Forwarded,
    Error,
}

text_enum!(ForwardingStatus, "status", { ToBeFetched => "to_be_fetched", Forwarded => "forwarded", Error => "error" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Forwarding {
    pub connector_id: String,
    pub document_id: String,
    pub company_id: String,
    pub entry_seq: i64,
    /// Stable across retries: the `webhook-id`.
    pub message_id: String,
    pub status: ForwardingStatus,
    pub reason: Option<String>,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub updated_at: String,
}

/// A delivery that is due, with what sending needs.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub delivery: Forwarding,
    pub connector_kind: ConnectorKind,
    pub url: Option<String>,
    pub scheme: Option<String>,
    pub secret: Option<String>,
    pub purchases_email: Option<String>,
    pub sales_email: Option<String>,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone)]
pub enum Attempt {
    Forwarded,
    /// Try again at this time.
    Retry {
        at: String,
        reason: String,
    },
    /// Give up on this document.
    Failed {
        reason: String,
    },
    /// Give up on the connector (e.g. 410 Gone): this and all its pending documents fail.
    Disable {
        reason: String,
    },
}

/// Turns a tombstone's hash into a base64 signature with the archive key.
pub type Signer = std::sync::Arc<dyn Fn(&str) -> String + Send + Sync>;
