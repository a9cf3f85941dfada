//! The DNS client: hickory-resolver with either the system configuration or explicit name
//! servers (`IP:port`, e.g. a loopback server in tests). Its own response cache is switched off:
//! [`crate::SmlResolver`] caches whole SML answers with their TTLs instead, so there is one cache
//! with one policy.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::TokioResolver;

use crate::LookupError;

/// Which DNS servers to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameServers {
    /// `/etc/resolv.conf` (or the platform equivalent).
    System,
    /// These servers, each over UDP with TCP fallback for truncated answers.
    Custom(Vec<SocketAddr>),
}

/// DNS client settings.
#[derive(Debug, Clone)]
pub struct DnsConfig {
    pub name_servers: NameServers,
    /// Time to wait for one answer.
    pub timeout: Duration,
    /// Tries per query (hickory retries other servers and transports within this budget).
    pub attempts: usize,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            name_servers: NameServers::System,
            timeout: Duration::from_secs(3),
            attempts: 2,
        }
    }
}

/// Builds the resolver. Must run inside a Tokio runtime.
pub(crate) fn build_resolver(cfg: &DnsConfig) -> Result<TokioResolver, LookupError> {
    let provider = TokioRuntimeProvider::default();
    let mut builder = match &cfg.name_servers {
        NameServers::System => TokioResolver::builder_tokio()
            .map_err(|e| LookupError::Config(format!("system DNS configuration: {e}")))?,
        NameServers::Custom(addrs) => {
            if addrs.is_empty() {
                return Err(LookupError::Config("no DNS name servers configured".into()));
            }
            let servers = addrs
                .iter()
                .map(|addr| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = addr.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = addr.port();
                    NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
                })
                .collect();
            TokioResolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
        }
    };
    let opts: &mut ResolverOpts = builder.options_mut();
    opts.timeout = cfg.timeout;
    opts.attempts = cfg.attempts.max(1);
    opts.cache_size = 0;
    opts.use_hosts_file = ResolveHosts::Never;
    opts.ndots = 0;
    builder
        .build()
        .map_err(|e| LookupError::Config(format!("DNS resolver: {e}")))
}

/// What a failed query means for the SML algorithm.
pub(crate) enum QueryFailure {
    /// NXDOMAIN or no records of that type; `negative_ttl` from the zone's SOA when given.
    NoRecords { negative_ttl: Option<u32> },
    /// Anything else, already mapped to the error to report.
    Failed(LookupError),
}

pub(crate) fn classify(name: &str, e: NetError) -> QueryFailure {
    match e {
        NetError::Dns(DnsError::NoRecordsFound(nr)) => QueryFailure::NoRecords {
            negative_ttl: nr.negative_ttl,
        },
        NetError::Timeout => QueryFailure::Failed(LookupError::DnsTimeout {
            name: name.to_owned(),
        }),
        other => QueryFailure::Failed(LookupError::Dns {
            name: name.to_owned(),
            reason: other.to_string(),
        }),
    }
}

/// Resolves SMP host names for reqwest through the same DNS servers as the SML lookups, so a
/// custom (e.g. private or test) SML zone also serves its SMP host names.
#[derive(Clone)]
pub(crate) struct HickoryHttpResolver(pub(crate) Arc<TokioResolver>);

impl reqwest::dns::Resolve for HickoryHttpResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.0.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let fqdn = if host.ends_with('.') {
                host
            } else {
                format!("{host}.")
            };
            let ips = resolver.lookup_ip(fqdn).await?;
            let addrs: Vec<SocketAddr> = ips.iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}
