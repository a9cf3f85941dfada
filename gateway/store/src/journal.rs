//! The hash chain over a document's events: each event's hash covers its content and the hash of
//! the event before it, so an edited or removed row breaks every hash after it.
use sha2::{Digest, Sha256};

use crate::Event;

/// `prev_hash` of a document's first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of an event, from its fields and `prev_hash` (its own `hash` field is ignored).
pub(crate) fn event_hash(e: &Event) -> String {
    // A JSON array has one canonical form for these plain values: no key order to agree on.
    let canonical = serde_json::json!([
        e.document_id,
        e.seq,
        e.company_id,
        e.actor,
        e.at,
        e.kind,
        e.from_state,
        e.to_state,
        e.detail.to_string(),
        e.prev_hash,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}
