//! Where an outside participant receives: the SML/SMP lookup, configured from `[peppol]`.
use gateway_peppol_lookup::{
    DnsConfig, HttpConfig, Lookup, LookupConfig, NameServers, SmlConfig, SmpClientConfig, SmpTrust,
};

use crate::config::Config;
use crate::Error;

/// Builds the lookup. Without configured trust anchors, the development Peppol CA of the data
/// directory is trusted (it signs this gateway's own SMP answers in development).
pub fn build(config: &Config) -> Result<Lookup, Error> {
    gateway_peppol_lookup::install_ring_provider();
    let p = &config.peppol;
    let read = |path: &std::path::PathBuf| {
        std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    };
    let mut anchors = Vec::new();
    for path in &p.smp_trust_anchors {
        anchors.extend(read(path)?);
    }
    if anchors.is_empty() && p.smp_certificate.is_none() {
        let pki = crate::peppol_pki::ensure_dev_peppol_pki(&config.data_dir)?;
        tracing::warn!(
            "peppol.smp_trust_anchors is empty: trusting the development Peppol CA only"
        );
        anchors = read(&pki.ca)?;
    }
    let trust = SmpTrust::from_pem(&anchors)
        .map_err(|e| Error::Config(format!("peppol.smp_trust_anchors: {e}")))?;
    let mut roots = Vec::new();
    for path in &p.smp_https_roots {
        roots.extend(read(path)?);
    }
    let mut sml = SmlConfig::new(p.sml_zone.clone());
    sml.dns = DnsConfig {
        name_servers: if p.dns_servers.is_empty() {
            NameServers::System
        } else {
            NameServers::Custom(p.dns_servers.clone())
        },
        ..DnsConfig::default()
    };
    let mut smp = SmpClientConfig::new(trust);
    smp.http = HttpConfig {
        extra_root_certs_pem: (!roots.is_empty()).then_some(roots),
        ..HttpConfig::default()
    };
    Lookup::new(sml, smp, LookupConfig::default())
        .map_err(|e| Error::Config(format!("peppol lookup: {e}")))
}
