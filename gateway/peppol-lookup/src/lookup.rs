//! The whole lookup: SML -> SMP -> verified metadata -> endpoint, with a cache of verified
//! metadata per (participant, document type) that honours the SMP's `Cache-Control` (bounded)
//! and remembers "not found" answers for a while.

use std::sync::Arc;
use std::time::Duration;

use gateway_peppol::smp::TRANSPORT_PROFILE_AS4_V2;
use gateway_peppol::{DocumentTypeId, ParticipantId, ProcessId};

use crate::cache::TtlCache;
use crate::endpoint::{select_endpoint, ResolvedEndpoint, Wanted};
use crate::sml::{SmlConfig, SmlResolver};
use crate::smp::{FetchedMetadata, SmpClient, SmpClientConfig};
use crate::LookupError;

/// Cache and endpoint policy of [`Lookup`].
#[derive(Debug, Clone)]
pub struct LookupConfig {
    /// The transport profile to pick (default `peppol-transport-as4-v2_0`).
    pub transport_profile: String,
    /// Lifetime of an answer whose SMP sent no `Cache-Control: max-age`.
    pub default_ttl: Duration,
    /// Upper bound of any SMP-given lifetime.
    pub max_ttl: Duration,
    /// Lifetime of "not registered" / "not found" answers.
    pub negative_ttl: Duration,
    /// Most (participant, document type) pairs kept.
    pub cache_capacity: u64,
}

impl Default for LookupConfig {
    fn default() -> Self {
        LookupConfig {
            transport_profile: TRANSPORT_PROFILE_AS4_V2.to_owned(),
            default_ttl: Duration::from_secs(600),
            max_ttl: Duration::from_secs(3600),
            negative_ttl: Duration::from_secs(60),
            cache_capacity: 10_000,
        }
    }
}

type Key = (ParticipantId, DocumentTypeId);
type Cached = Result<Arc<FetchedMetadata>, LookupError>;

/// SML + SMP lookup with caching. Cheap to clone; clones share the caches.
#[derive(Debug, Clone)]
pub struct Lookup {
    sml: SmlResolver,
    smp: SmpClient,
    config: Arc<LookupConfig>,
    cache: Arc<TtlCache<Key, Cached>>,
}

impl Lookup {
    /// Builds the SML resolver and an SMP client that resolves SMP hosts through the same DNS
    /// servers. Must be called inside a Tokio runtime.
    pub fn new(
        sml: SmlConfig,
        smp: SmpClientConfig,
        config: LookupConfig,
    ) -> Result<Self, LookupError> {
        let sml = SmlResolver::new(sml)?;
        let smp = SmpClient::build(smp, Some(sml.dns()))?;
        Ok(Self::from_parts(sml, smp, config))
    }

    /// Combines an existing resolver and client.
    pub fn from_parts(sml: SmlResolver, smp: SmpClient, config: LookupConfig) -> Self {
        let cache = Arc::new(TtlCache::new(config.cache_capacity));
        Lookup {
            sml,
            smp,
            config: Arc::new(config),
            cache,
        }
    }

    /// The SML resolver (e.g. to clear its cache).
    pub fn sml(&self) -> &SmlResolver {
        &self.sml
    }

    /// Where to send `document_type` in `process` to `participant`.
    pub async fn lookup(
        &self,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
        process: &ProcessId,
    ) -> Result<ResolvedEndpoint, LookupError> {
        let profile = self.config.transport_profile.clone();
        self.lookup_preferring(participant, document_type, process, &[&profile])
            .await
    }

    /// Like [`Lookup::lookup`], taking the first of `profiles` (in order) the participant
    /// publishes an active endpoint for; the error is the last profile's when none fits.
    pub async fn lookup_preferring(
        &self,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
        process: &ProcessId,
        profiles: &[&str],
    ) -> Result<ResolvedEndpoint, LookupError> {
        let key = (participant.clone(), document_type.clone());
        let fetched = match self.cache.get(&key) {
            Some(hit) => hit?,
            None => {
                let result = self.fetch(participant, document_type).await;
                match &result {
                    Ok(f) => self.cache.insert(key, result.clone(), self.ttl_for(f)),
                    Err(e) if e.is_not_found() => {
                        self.cache
                            .insert(key, result.clone(), self.config.negative_ttl)
                    }
                    Err(_) => {}
                }
                result?
            }
        };
        let now = self.smp.clock().now();
        let mut selected = Err(LookupError::NoEndpoint {
            participant: participant.to_uri(),
            document_type: document_type.value().to_owned(),
            process: process.value().to_owned(),
            transport_profile: profiles.join(", "),
        });
        for profile in profiles {
            let wanted = Wanted {
                participant,
                document_type,
                process,
                transport_profile: profile,
            };
            selected = select_endpoint(&fetched.verified.metadata, wanted, now);
            if selected.is_ok() {
                break;
            }
        }
        let (endpoint, activation, expiration) = selected?;
        let certificate_der =
            endpoint
                .certificate_der()
                .ok_or_else(|| LookupError::BadEndpoint {
                    endpoint_url: endpoint.endpoint_uri.clone(),
                    reason: "Certificate is not base64".into(),
                })?;
        Ok(ResolvedEndpoint {
            endpoint_url: endpoint.endpoint_uri,
            certificate_der,
            activation,
            expiration,
            transport_profile: endpoint.transport_profile,
            smp_url: fetched.url.clone(),
            smp_signer: fetched.verified.signer.subject.clone(),
        })
    }

    /// Forgets cached metadata and SML answers.
    pub fn clear_cache(&self) {
        self.cache.clear();
        self.sml.clear_cache();
    }

    async fn fetch(
        &self,
        participant: &ParticipantId,
        document_type: &DocumentTypeId,
    ) -> Result<Arc<FetchedMetadata>, LookupError> {
        let location = self.sml.resolve(participant).await?;
        let fetched = self
            .smp
            .service_metadata(&location.url, participant, document_type)
            .await?;
        Ok(Arc::new(fetched))
    }

    fn ttl_for(&self, f: &FetchedMetadata) -> Duration {
        f.max_age
            .unwrap_or(self.config.default_ttl)
            .min(self.config.max_ttl)
    }
}
