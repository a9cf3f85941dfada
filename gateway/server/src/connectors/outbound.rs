//! The outbound HTTP client of webhooks: refuses private, loopback and link-local destinations
//! (unless the operator allows them) after resolving the host itself, and pins the connection
//! to the address it checked, so a second DNS answer cannot point elsewhere. No redirects.
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Outbound {
    pub allow_private: bool,
    pub timeout: Duration,
}

/// What came back from a POST.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// `Retry-After` in seconds, when given as seconds.
    pub retry_after: Option<u64>,
}

/// Addresses a webhook may not reach without `webhooks.allow_private`.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64.0.0/10, carrier-grade NAT
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link local
        }
    }
}

impl Outbound {
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<Answer, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad URL `{url}`: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!("`{url}` is not an http(s) URL"));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| format!("`{url}` has no host"))?
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
        let addr = addrs
            .iter()
            .find(|a| self.allow_private || !is_private(a.ip()))
            .copied()
            .ok_or_else(|| match addrs.first() {
                Some(a) => format!(
                    "refused: {host} resolves to the private or loopback address {} (webhooks.allow_private is off)",
                    a.ip()
                ),
                None => format!("{host} has no address"),
            })?;
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .resolve(&host, addr)
            .user_agent(concat!("gateway-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let mut req = client.post(parsed).body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.map_err(|e| {
            if e.is_timeout() {
                format!("no answer within {} s", self.timeout.as_secs())
            } else {
                // reqwest's own text is generic; the cause (refused, reset, TLS…) is in the chain.
                let mut text = format!("cannot deliver: {e}");
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    text.push_str(&format!(": {s}"));
                    source = s.source();
                }
                text
            }
        })?;
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        Ok(Answer {
            status: resp.status().as_u16(),
            retry_after,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_loopback_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "8.8.8.8"] {
            assert!(!is_private(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        let out = Outbound {
            allow_private: false,
            timeout: Duration::from_secs(2),
        };
        let err = out
            .post("http://127.0.0.1:9/hook", &[], Vec::new())
            .await
            .unwrap_err();
        assert!(
            err.contains("refused") && err.contains("127.0.0.1"),
            "{err}"
        );
        let err = out
            .post("http://localhost:9/hook", &[], Vec::new())
            .await
            .unwrap_err();
        assert!(err.contains("refused"), "{err}");
    }
}
