//! The archive worker (documents in an archived state enter the hash chain), signed checkpoints,
//! retention, and offline verification.
pub mod extract;
pub mod key;
pub mod verify;
pub mod worker;

pub use key::{ArchiveKey, PublicKey};
pub use worker::Archiver;
