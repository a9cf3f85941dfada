//! SML lookup: participant -> SMP base URL, through a U-NAPTR record (`Meta:SMP`) at the
//! participant's NAPTR name, else the legacy `B-<md5>` CNAME name. Answers are cached with their
//! DNS TTL (bounded), "not registered" answers with the zone's negative TTL (bounded).

use std::sync::Arc;
use std::time::Duration;

use gateway_peppol::{cname_name, naptr_name, smp_url_from_naptr, NaptrRecord, ParticipantId};
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;

use crate::cache::TtlCache;
use crate::dns::{build_resolver, classify, DnsConfig, QueryFailure};
use crate::LookupError;

/// SML lookup settings.
#[derive(Debug, Clone)]
pub struct SmlConfig {
    /// The SML DNS zone, e.g. [`gateway_peppol::SML_ZONE_PROD`] (a trailing dot is fine).
    pub zone: String,
    pub dns: DnsConfig,
    /// Bounds applied to the DNS TTL of positive answers.
    pub min_ttl: Duration,
    pub max_ttl: Duration,
    /// Lifetime of a "not registered" answer when the zone gives none (no SOA in the answer).
    pub negative_ttl: Duration,
    /// Upper bound for "not registered" answers.
    pub max_negative_ttl: Duration,
    /// Most participants kept in the cache.
    pub cache_capacity: u64,
}

impl SmlConfig {
    /// Defaults for a zone: system DNS, TTLs bounded to 10 s..1 h, negative answers 60 s..5 min.
    pub fn new(zone: impl Into<String>) -> Self {
        SmlConfig {
            zone: zone.into(),
            dns: DnsConfig::default(),
            min_ttl: Duration::from_secs(10),
            max_ttl: Duration::from_secs(3600),
            negative_ttl: Duration::from_secs(60),
            max_negative_ttl: Duration::from_secs(300),
            cache_capacity: 10_000,
        }
    }
}

/// How the SMP was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmlSource {
    /// A U-NAPTR `Meta:SMP` record.
    Naptr,
    /// The legacy `B-<md5>` CNAME (the URL is `http://` + that name).
    Cname,
}

/// Where a participant's SMP is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmpLocation {
    /// The SMP base URL (no trailing slash), e.g. `https://smp.example.com`.
    pub url: String,
    pub source: SmlSource,
    /// The DNS name that answered.
    pub dns_name: String,
}

/// Resolves participants to SMP base URLs in one SML zone.
#[derive(Debug, Clone)]
pub struct SmlResolver {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: SmlConfig,
    resolver: Arc<TokioResolver>,
    cache: TtlCache<String, Result<SmpLocation, LookupError>>,
}

impl SmlResolver {
    /// Builds the resolver; must be called inside a Tokio runtime.
    pub fn new(config: SmlConfig) -> Result<Self, LookupError> {
        let resolver = Arc::new(build_resolver(&config.dns)?);
        Ok(Self::with_resolver(config, resolver))
    }

    pub(crate) fn with_resolver(config: SmlConfig, resolver: Arc<TokioResolver>) -> Self {
        let cache = TtlCache::new(config.cache_capacity);
        SmlResolver {
            inner: Arc::new(Inner {
                config,
                resolver,
                cache,
            }),
        }
    }

    pub(crate) fn dns(&self) -> Arc<TokioResolver> {
        self.inner.resolver.clone()
    }

    /// The configured zone.
    pub fn zone(&self) -> &str {
        &self.inner.config.zone
    }

    /// The SMP of `participant`, from the cache when a live answer is there.
    pub async fn resolve(&self, participant: &ParticipantId) -> Result<SmpLocation, LookupError> {
        let key = participant.to_uri();
        if let Some(hit) = self.inner.cache.get(&key) {
            return hit;
        }
        let (result, ttl) = self.query(participant).await?;
        match &result {
            Ok(loc) => {
                tracing::debug!(participant = %key, smp = %loc.url, source = ?loc.source, ?ttl, "SML answer")
            }
            Err(e) => tracing::debug!(participant = %key, error = %e, ?ttl, "SML negative answer"),
        }
        self.inner.cache.insert(key, result.clone(), ttl);
        result
    }

    /// Forgets every cached answer.
    pub fn clear_cache(&self) {
        self.inner.cache.clear();
    }

    /// Asks DNS. `Err` = a failure not worth caching (timeouts, server errors); `Ok` holds the
    /// answer to cache (positive or "not registered") and its lifetime.
    async fn query(
        &self,
        participant: &ParticipantId,
    ) -> Result<(Result<SmpLocation, LookupError>, Duration), LookupError> {
        let cfg = &self.inner.config;
        let naptr = fqdn(&naptr_name(participant, &cfg.zone));
        let mut negative: Vec<u32> = Vec::new();
        match self
            .inner
            .resolver
            .lookup(naptr.as_str(), RecordType::NAPTR)
            .await
        {
            Ok(answer) => {
                let mut ttl = u32::MAX;
                let records: Vec<NaptrRecord> = answer
                    .answers()
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::NAPTR(n) => {
                            ttl = ttl.min(r.ttl);
                            Some(NaptrRecord {
                                order: n.order,
                                preference: n.preference,
                                flags: String::from_utf8_lossy(&n.flags).into_owned(),
                                service: String::from_utf8_lossy(&n.services).into_owned(),
                                regexp: String::from_utf8_lossy(&n.regexp).into_owned(),
                                replacement: n.replacement.to_string(),
                            })
                        }
                        _ => None,
                    })
                    .collect();
                if !records.is_empty() {
                    let result = smp_url_from_naptr(&records)
                        .map(|url| SmpLocation {
                            url: url.trim_end_matches('/').to_owned(),
                            source: SmlSource::Naptr,
                            dns_name: naptr.clone(),
                        })
                        .map_err(|e| LookupError::BadNaptr {
                            name: naptr.clone(),
                            reason: e.to_string(),
                        });
                    return Ok((result, self.positive_ttl(ttl)));
                }
            }
            Err(e) => match classify(&naptr, e) {
                QueryFailure::NoRecords { negative_ttl } => negative.extend(negative_ttl),
                QueryFailure::Failed(err) => return Err(err),
            },
        }
        let cname = fqdn(&cname_name(participant, &cfg.zone));
        match self
            .inner
            .resolver
            .lookup(cname.as_str(), RecordType::CNAME)
            .await
        {
            Ok(answer) => {
                let ttl = answer
                    .answers()
                    .iter()
                    .filter(|r| matches!(r.data, RData::CNAME(_)))
                    .map(|r| r.ttl)
                    .min();
                if let Some(ttl) = ttl {
                    let host = cname.trim_end_matches('.');
                    let location = SmpLocation {
                        url: format!("http://{host}"),
                        source: SmlSource::Cname,
                        dns_name: cname.clone(),
                    };
                    return Ok((Ok(location), self.positive_ttl(ttl)));
                }
            }
            Err(e) => match classify(&cname, e) {
                QueryFailure::NoRecords { negative_ttl } => negative.extend(negative_ttl),
                QueryFailure::Failed(err) => return Err(err),
            },
        }
        let not_registered = LookupError::ParticipantNotRegistered {
            participant: participant.to_uri(),
            zone: cfg.zone.clone(),
            naptr_name: naptr,
            cname_name: cname,
        };
        let ttl = negative
            .into_iter()
            .min()
            .map(|s| Duration::from_secs(s.into()))
            .unwrap_or(cfg.negative_ttl)
            .min(cfg.max_negative_ttl);
        Ok((Err(not_registered), ttl))
    }

    fn positive_ttl(&self, ttl: u32) -> Duration {
        let cfg = &self.inner.config;
        Duration::from_secs(ttl.into()).clamp(cfg.min_ttl, cfg.max_ttl.max(cfg.min_ttl))
    }
}

/// An absolute DNS name, so no search domain is ever appended.
fn fqdn(name: &str) -> String {
    format!("{}.", name.trim_end_matches('.'))
}
