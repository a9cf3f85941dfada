//! Where does a Peppol participant receive? SML lookup (DNS U-NAPTR `Meta:SMP`, legacy `B-<md5>`
//! CNAME fallback) then the SMP's SignedServiceMetadata, verified (XML signature, signer chained
//! to the SMP trust anchors at an injectable time), then the endpoint for a process and
//! transport profile.
//!
//! - [`SmlResolver`]: participant -> SMP base URL, cached with DNS TTLs, negative answers too;
//! - [`SmpClient`]: fetch + verify + one SMP redirect;
//! - [`verify_service_metadata`]: the verification alone (bytes in, metadata out);
//! - [`Lookup`]: both, with a cache honouring `Cache-Control`; errors say what failed and
//!   whether retrying can help ([`LookupError::is_retryable`]).
//!
//! TLS is rustls with the ring provider ([`install_ring_provider`] is called for you).
//!
//! ```no_run
//! use gateway_peppol::{ParticipantId, BILLING_PROCESS, BIS3_INVOICE, SML_ZONE_PROD};
//! use gateway_peppol_lookup::{Lookup, LookupConfig, SmlConfig, SmpClientConfig, SmpTrust};
//!
//! # async fn demo(smp_ca_pem: &[u8]) -> Result<(), gateway_peppol_lookup::LookupError> {
//! let trust = SmpTrust::from_pem(smp_ca_pem)?;
//! let lookup = Lookup::new(
//!     SmlConfig::new(SML_ZONE_PROD),
//!     SmpClientConfig::new(trust),
//!     LookupConfig::default(),
//! )?;
//! let receiver = ParticipantId::parse("0088:5798000000001").expect("valid id");
//! match lookup.lookup(&receiver, &BIS3_INVOICE, &BILLING_PROCESS).await {
//!     Ok(ep) => println!("send to {} ({} bytes of AP certificate)", ep.endpoint_url, ep.certificate_der.len()),
//!     Err(e) if e.is_retryable() => println!("try again later: {e}"),
//!     Err(e) => println!("cannot deliver: {e}"),
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_debug_implementations)]

mod cache;
mod clock;
mod dns;
mod endpoint;
mod error;
mod http;
mod lookup;
mod sml;
mod smp;
mod trust;
mod verify;

pub use clock::{Clock, FixedClock, SystemClock};
pub use dns::{DnsConfig, NameServers};
pub use endpoint::ResolvedEndpoint;
pub use error::LookupError;
pub use http::{install_ring_provider, HttpConfig};
pub use lookup::{Lookup, LookupConfig};
pub use sml::{SmlConfig, SmlResolver, SmlSource, SmpLocation};
pub use smp::{FetchedMetadata, SmpClient, SmpClientConfig};
pub use trust::{SignerInfo, SmpTrust};
pub use verify::{verify_service_metadata, VerifiedServiceMetadata};
