//! Forwarding archived documents: Standard Webhooks, the pull feed (nothing to send: the
//! accountant fetches and acknowledges) and the mailbox drop.
pub mod keys;
pub mod mailbox;
pub mod outbound;
pub mod webhook;
pub mod worker;

pub use worker::Forwarder;
