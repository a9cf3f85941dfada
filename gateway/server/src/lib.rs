//! The gateway process: configuration, the HTTPS server, and the command line.
#![forbid(unsafe_code)]

pub mod archive;
pub mod as4;
pub mod cli;
pub mod config;
pub mod connectors;
pub mod email;
mod error;
pub mod extraction;
pub mod http;
mod import;
pub mod lifecycle;
pub mod lookup;
pub mod metrics;
mod participant;
pub mod peppol_pki;
pub mod serve;
mod smp_signer;
pub mod tls;
pub mod validation;

pub use error::Error;
