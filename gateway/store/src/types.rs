//! Plain data that goes in and out of the store.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `as_str`, `FromStr` (an unknown text is [`crate::Error::Invalid`] naming the field and the
/// choices) and `Display` for an enum stored as text.
macro_rules! text_enum {
    ($ty:ident, $field:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                match s {
                    $($text => Ok($ty::$variant),)+
                    other => Err(crate::Error::Invalid {
                        field: $field,
                        reason: format!(
                            "`{other}` is not one of {}",
                            [$($text),+].join(", ")
                        ),
                    }),
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use text_enum;

text_enum!(Scope, "scope", { Member => "member", Accountant => "accountant", Admin => "admin" });
text_enum!(Direction, "direction", { Purchase => "purchase", Sales => "sales", Other => "other" });
text_enum!(Delivery, "delivery", { Gateway => "gateway", Peppol => "peppol", Email => "email", None => "none" });
text_enum!(ContactRole, "role", { Customer => "customer", Supplier => "supplier" });

/// A member company: a tenant of the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Company {
    pub id: String,
    pub legal_name: String,
    pub vat_number: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub address: Address,
    /// Peppol participant identifiers, e.g. `iso6523-actorid-upis` / `0208:0123456789`.
    pub identifiers: Vec<Identifier>,
    pub created_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub street: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Identifier {
    pub scheme: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct NewCompany {
    pub legal_name: String,
    pub vat_number: Option<String>,
    pub country: String,
    pub address: Address,
    pub identifiers: Vec<Identifier>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub company_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub company_id: Option<String>,
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Acts for exactly one company.
    Member,
    /// Reads and exports the companies linked to it.
    Accountant,
    /// The operator: every company.
    Admin,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub scope: Scope,
    /// Exactly one for `member`, one or more for `accountant`, none for `admin`.
    pub company_ids: Vec<String>,
    pub label: String,
    pub user_id: Option<String>,
}

/// A token as listed: never the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub scope: Scope,
    pub company_ids: Vec<String>,
    pub label: String,
    pub user_id: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A token just created: the only moment the secret exists outside the caller's hands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    pub info: TokenInfo,
    pub token: String,
}

/// Who is calling, as established from a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub token_id: String,
    pub scope: Scope,
    pub company_ids: Vec<String>,
    pub user_id: Option<String>,
}

impl Principal {
    /// The companies this principal may see.
    pub fn visibility(&self) -> Visibility {
        match self.scope {
            Scope::Admin => Visibility::All,
            Scope::Member | Scope::Accountant => Visibility::Companies(self.company_ids.clone()),
        }
    }
}

/// Which companies' rows a query may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    Companies(Vec<String>),
}

impl Visibility {
    pub fn allows(&self, company_id: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Companies(ids) => ids.iter().any(|id| id == company_id),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlobRef {
    pub sha256: String,
    pub size: i64,
}

/// Whose invoice this is, seen from the company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Purchase,
    Sales,
    /// Other papers of the document centre.
    Other,
}

#[derive(Debug, Clone)]
pub struct NewDocument {
    pub company_id: String,
    pub direction: Direction,
    /// Where it came from: `upload`, `api`, `as4`, `email`, …
    pub source: String,
    pub media_type: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
    /// Who did it, for the journal (`token:ID`, `system:as4`, …).
    pub actor: String,
    pub initial_state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: String,
    pub company_id: String,
    pub direction: Direction,
    pub source: String,
    pub media_type: String,
    pub file_name: Option<String>,
    pub blob: BlobRef,
    pub state: String,
    pub created_at: String,
    pub updated_at: String,
}

/// Keyset paging over `(created_at, id)`, newest first.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub limit: u32,
    /// The `id` of the last row of the previous page.
    pub after: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StateChange {
    pub document_id: String,
    pub from: String,
    pub to: String,
    pub actor: String,
    pub kind: String,
    pub detail: serde_json::Value,
}

/// One row of the append-only journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Event {
    pub document_id: String,
    pub seq: i64,
    pub company_id: String,
    pub actor: String,
    pub at: String,
    pub kind: String,
    pub from_state: Option<String>,
    pub to_state: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// How a participant wants to receive invoices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// A member of this gateway: straight to its inbox.
    Gateway,
    /// Over the Peppol network (AS4).
    Peppol,
    /// By e-mail, to `email`.
    Email,
    /// Not sent: archived only.
    None,
}

/// A document type and process a participant receives (Peppol identifier values, no scheme).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub struct Capability {
    pub document_type: String,
    pub process: String,
}

impl Capability {
    /// Peppol BIS Billing 3 invoice and credit note: what every participant receives by default,
    /// in the order the store lists capabilities.
    pub fn bis3_defaults() -> Vec<Capability> {
        let process = gateway_peppol::BILLING_PROCESS.value().to_string();
        [
            gateway_peppol::BIS3_INVOICE,
            gateway_peppol::BIS3_CREDIT_NOTE,
        ]
        .iter()
        .map(|d| Capability {
            document_type: d.value().to_string(),
            process: process.clone(),
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
    }
}

/// A party of the directory: a member company or an outside party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Participant {
    pub id: String,
    pub legal_name: String,
    pub vat_number: Option<String>,
    pub country: String,
    pub address: Address,
    pub identifiers: Vec<Identifier>,
    pub capabilities: Vec<Capability>,
    pub delivery: Delivery,
    pub email: Option<String>,
    /// `true` when this participant is a member company of this gateway.
    pub member: bool,
    /// The member company this participant is; shown to those who may see that company.
    pub member_company_id: Option<String>,
    /// `true` for directory entries everyone sees; `false` for a member's private contact.
    pub official: bool,
    /// Where the entry came from: `member`, `cli`, `api`, `csv`, `business-card`, …
    pub source: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct NewParticipant {
    /// `None` for an official entry; a company id for that member's private contact.
    pub owner_company_id: Option<String>,
    pub legal_name: String,
    pub vat_number: Option<String>,
    pub country: String,
    pub address: Address,
    pub identifiers: Vec<Identifier>,
    /// Empty means Peppol BIS Billing 3 invoice and credit note.
    pub capabilities: Vec<Capability>,
    pub delivery: Delivery,
    pub email: Option<String>,
    pub source: String,
}

/// What to look a participant up by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryQuery {
    /// Words of the name; each must start a word of the participant's name, accents ignored.
    Name(String),
    Vat(String),
    Identifier(Identifier),
}

/// A customer or supplier of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContactRole {
    Customer,
    Supplier,
}

/// The outcome of writing a directory entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Upserted {
    pub participant: Participant,
    /// `false` when an existing entry with the same identifier or VAT number was updated.
    pub created: bool,
}
