//! HTTP GET of SMP documents: bounded in time and size, plain http allowed (most SMPs are
//! http; the XML signature, not TLS, protects the answer), https with the system roots plus
//! configured extra roots, through rustls with the ring provider.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hickory_resolver::TokioResolver;

use crate::dns::HickoryHttpResolver;
use crate::LookupError;

/// HTTP settings of the SMP client.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Whole-request limit (connect, headers and body).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Larger answers are refused (an SMP answer is a few kB).
    pub max_response_bytes: usize,
    /// PEM roots trusted for https SMPs in addition to the system roots.
    pub extra_root_certs_pem: Option<Vec<u8>>,
    /// Fixed addresses for host names (`host`, `IP:port`); the port applies when the URL has
    /// none. For pinning and for tests.
    pub resolve_overrides: Vec<(String, SocketAddr)>,
    pub user_agent: String,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_response_bytes: 1024 * 1024,
            extra_root_certs_pem: None,
            resolve_overrides: Vec::new(),
            user_agent: concat!("gateway-peppol-lookup/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// Installs rustls' ring provider as the process default (once; later calls do nothing).
pub fn install_ring_provider() {
    // Err means a provider is already installed; with ring the only one in the tree, that is ours.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(crate) fn build_client(
    cfg: &HttpConfig,
    dns: Option<Arc<TokioResolver>>,
) -> Result<reqwest::Client, LookupError> {
    install_ring_provider();
    let mut b = reqwest::Client::builder()
        .timeout(cfg.timeout)
        .connect_timeout(cfg.connect_timeout)
        .user_agent(cfg.user_agent.clone())
        .redirect(reqwest::redirect::Policy::limited(3))
        .no_proxy();
    if let Some(pem) = &cfg.extra_root_certs_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| LookupError::Config(format!("extra root certificates: {e}")))?;
        b = b.tls_certs_merge(certs);
    }
    if let Some(dns) = dns {
        b = b.dns_resolver(Arc::new(HickoryHttpResolver(dns)));
    }
    for (host, addr) in &cfg.resolve_overrides {
        b = b.resolve(host, *addr);
    }
    b.build()
        .map_err(|e| LookupError::Config(format!("HTTP client: {e}")))
}

/// A complete answer.
pub(crate) struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
    /// From `Cache-Control`: `Some(ZERO)` for no-store/no-cache, `None` when absent.
    pub max_age: Option<Duration>,
}

pub(crate) async fn get(
    client: &reqwest::Client,
    url: &str,
    cfg: &HttpConfig,
) -> Result<Fetched, LookupError> {
    let fail = |e: reqwest::Error| {
        if e.is_timeout() {
            LookupError::SmpTimeout {
                url: url.to_owned(),
                timeout: cfg.timeout,
            }
        } else if let Some(tls) = find_rustls_error(&e) {
            LookupError::SmpTls {
                url: url.to_owned(),
                reason: tls.to_string(),
            }
        } else {
            LookupError::SmpUnreachable {
                url: url.to_owned(),
                reason: error_chain(&e),
            }
        }
    };
    let mut resp = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/xml, text/xml")
        .send()
        .await
        .map_err(fail)?;
    let status = resp.status().as_u16();
    let max_age = resp
        .headers()
        .get_all(reqwest::header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(parse_cache_control)
        .min();
    let too_large = || LookupError::ResponseTooLarge {
        url: url.to_owned(),
        limit: cfg.max_response_bytes,
    };
    if resp
        .content_length()
        .is_some_and(|n| n > cfg.max_response_bytes as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(fail)? {
        if body.len() + chunk.len() > cfg.max_response_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched {
        status,
        body,
        max_age,
    })
}

/// `max-age=N` -> N seconds; `no-store` / `no-cache` -> 0; nothing usable -> `None`.
pub(crate) fn parse_cache_control(value: &str) -> Option<Duration> {
    let mut out = None;
    for d in value.split(',').map(str::trim) {
        let lower = d.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return Some(Duration::ZERO);
        }
        if let Some(n) = lower.strip_prefix("max-age=") {
            if let Ok(secs) = n.trim_matches('"').parse::<u64>() {
                out = Some(Duration::from_secs(secs));
            }
        }
    }
    out
}

/// The rustls error behind a failed request, if TLS is what failed. `io::Error` hides its
/// payload from `source()` (and hyper nests io errors), so look inside them explicitly.
fn find_rustls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// The error and its sources on one line (reqwest's Display hides the cause).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control() {
        let s = Duration::from_secs;
        assert_eq!(parse_cache_control("max-age=300"), Some(s(300)));
        assert_eq!(parse_cache_control("public, max-age=60"), Some(s(60)));
        assert_eq!(parse_cache_control("no-store"), Some(Duration::ZERO));
        assert_eq!(
            parse_cache_control("max-age=60, no-cache"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_cache_control("public"), None);
        assert_eq!(parse_cache_control("max-age=abc"), None);
    }
}
