//! Configuration: built-in defaults, then a TOML file (`--config`), then `GATEWAY_*` environment
//! variables (`__` separates sections: `GATEWAY_HTTP__MAX_BODY_BYTES`), then command-line flags.
//! Unknown keys are an error wherever they come from.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Environment variables that start with `GATEWAY_` but are not configuration keys.
const NOT_CONFIG: &[&str] = &["config", "test_database_url", "shared"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address of the HTTPS listener.
    pub listen: SocketAddr,
    /// SQLite database, blobs and the development certificate live here.
    pub data_dir: PathBuf,
    /// `postgres://…` to share one database between nodes; default: SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Where raw documents are kept: `files` (default on SQLite) or `database` (default on PostgreSQL).
    pub blobs: Option<BlobsSetting>,
    pub tls: TlsConfig,
    pub http: HttpConfig,
    pub log: LogConfig,
    pub peppol: PeppolConfig,
    pub validate: ValidateConfig,
    pub as4: As4Config,
}

/// The Peppol AS4 access point: receiving on `path`, sending from the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct As4Config {
    /// Our AP certificate (PEM); default `peppol.ap_certificate`, else the development PKI.
    pub certificate: Option<PathBuf>,
    /// Its private key (PEM, unencrypted); default `peppol.ap_key`, else the development PKI.
    pub private_key: Option<PathBuf>,
    /// PEM files of the anchors and intermediates incoming senders must chain to; default the
    /// development Peppol CA when the development PKI is in use.
    pub trust: Vec<PathBuf>,
    /// Path of the AS4 endpoint (also published in SMP answers).
    pub path: String,
    /// Largest AS4 message (MIME body) accepted, in bytes.
    pub max_message_bytes: usize,
    /// Largest decompressed payload accepted, in bytes.
    pub max_payload_bytes: usize,
    /// Receivers reached without an SML/SMP lookup: participant id -> endpoint (tests, fixed
    /// partners). Each entry: `participant`, `url`, `certificate` (PEM path).
    pub static_endpoints: Vec<StaticEndpoint>,
    /// PEM roots trusted for `https://` AS4 endpoints besides the system's.
    pub https_roots: Vec<PathBuf>,
    /// Outbox: attempts before a message is given up, and the first retry delay (doubling).
    pub max_attempts: u32,
    pub retry_base_ms: u64,
    /// Longest delay between two attempts.
    pub retry_max_ms: u64,
    /// Outbox worker on (`serve`).
    pub send: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticEndpoint {
    pub participant: String,
    pub url: String,
    pub certificate: PathBuf,
}

impl Default for As4Config {
    fn default() -> Self {
        Self {
            certificate: None,
            private_key: None,
            trust: Vec::new(),
            path: "/as4".into(),
            max_message_bytes: 50 << 20,
            max_payload_bytes: 100 << 20,
            static_endpoints: Vec::new(),
            https_roots: Vec::new(),
            max_attempts: 8,
            retry_base_ms: 1000,
            retry_max_ms: 3_600_000,
            send: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidateConfig {
    /// Let anyone call `POST /v1/validate` without a token (partners' conformance testing).
    pub public: bool,
    /// Anonymous validations allowed per client address and minute.
    pub public_per_minute: u32,
}

impl Default for ValidateConfig {
    fn default() -> Self {
        Self {
            public: false,
            public_per_minute: 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PeppolConfig {
    /// Path of the SMP 1.x REST API on the main listener.
    pub smp_base: String,
    /// How other access points reach this gateway, e.g. `https://ap.example.com`; default
    /// `https://localhost:PORT` of the listener (development).
    pub public_url: Option<String>,
    /// PEM certificate of the access point (published in SMP endpoints, used for AS4); with
    /// `ap_key`. Default: a development PKI made in `data_dir/peppol`.
    pub ap_certificate: Option<PathBuf>,
    pub ap_key: Option<PathBuf>,
    /// PEM certificate and key that sign SMP answers. Default: the development PKI.
    pub smp_certificate: Option<PathBuf>,
    pub smp_key: Option<PathBuf>,
    /// `ServiceDescription` and `TechnicalContactUrl` of published endpoints.
    pub service_description: String,
    pub technical_contact_url: String,
    /// The SML DNS zone where receivers outside are looked up.
    pub sml_zone: String,
    /// DNS servers (`IP:port`) for SML lookups; empty: the system's resolver.
    pub dns_servers: Vec<SocketAddr>,
    /// PEM files of the CAs whose certificates may sign SMP answers. Empty: the development
    /// Peppol CA when the development PKI is in use, else nothing (every answer is refused).
    pub smp_trust_anchors: Vec<PathBuf>,
    /// PEM files of extra roots trusted for `https://` SMPs.
    pub smp_https_roots: Vec<PathBuf>,
}

impl Default for PeppolConfig {
    fn default() -> Self {
        Self {
            smp_base: "/smp".into(),
            public_url: None,
            ap_certificate: None,
            ap_key: None,
            smp_certificate: None,
            smp_key: None,
            service_description: "E-invoicing gateway access point".into(),
            technical_contact_url: "mailto:peppol@localhost".into(),
            sml_zone: gateway_peppol::SML_ZONE_TEST.into(),
            dns_servers: Vec::new(),
            smp_trust_anchors: Vec::new(),
            smp_https_roots: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobsSetting {
    Files,
    Database,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// PEM certificate chain; without it a development certificate is made in `data_dir/tls`.
    pub cert: Option<PathBuf>,
    /// PEM private key for `cert`.
    pub key: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// A request that takes longer is answered 408.
    pub request_timeout_secs: u64,
    /// On SIGTERM, how long in-flight requests may take to finish.
    pub shutdown_grace_secs: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 25 * 1024 * 1024,
            request_timeout_secs: 60,
            shutdown_grace_secs: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `gateway_server=debug,info`; `RUST_LOG` wins when set.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            blobs: None,
            tls: TlsConfig::default(),
            http: HttpConfig::default(),
            log: LogConfig::default(),
            peppol: PeppolConfig::default(),
            validate: ValidateConfig::default(),
            as4: As4Config::default(),
        }
    }
}

/// Values given on the command line; only those present override the rest.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, Error> {
        Self::load_from(file, overrides, Env::prefixed("GATEWAY_"))
    }

    fn load_from(file: Option<&Path>, overrides: &Overrides, env: Env) -> Result<Self, Error> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                return Err(Error::Config(format!(
                    "configuration file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let env = env.ignore(NOT_CONFIG).split("__");
        figment = figment.merge(env).merge(Serialized::defaults(overrides));
        figment.extract().map_err(|e| Error::Config(one_line(e)))
    }

    pub fn database_url(&self) -> Result<gateway_store::DatabaseUrl, Error> {
        match &self.database_url {
            Some(url) => Ok(gateway_store::DatabaseUrl::parse(url)?),
            None => Ok(gateway_store::DatabaseUrl::sqlite_file(
                &self.data_dir.join("gateway.db"),
            )),
        }
    }
}

/// Figment errors can be several; name each with where it came from, on one line.
fn one_line(err: figment::Error) -> String {
    err.into_iter()
        .map(|e| {
            let source = match &e.metadata {
                Some(meta) => match &meta.source {
                    Some(src) => format!(" (in {src})"),
                    None => format!(" (in {})", meta.name),
                },
                None => String::new(),
            };
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("key `{}`: ", e.path.join("."))
            };
            format!("{key}{}{source}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_str(toml: &str) -> Result<Config, Error> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.toml");
        std::fs::write(&path, toml).unwrap();
        // An empty environment: tests must not see the developer's variables.
        Config::load_from(
            Some(&path),
            &Overrides::default(),
            Env::prefixed("GATEWAY_TEST_NONE_"),
        )
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = Config::load_from(
            None,
            &Overrides::default(),
            Env::prefixed("GATEWAY_TEST_NONE_"),
        )
        .unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.listen.to_string(), "127.0.0.1:8443");
    }

    #[test]
    fn unknown_keys_are_refused_with_their_name() {
        let err = load_str("listen = \"127.0.0.1:9000\"\nlisten_port = 3\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("listen_port"), "{err}");
        let err = load_str("[http]\nmax_body = 3\n").unwrap_err().to_string();
        assert!(err.contains("max_body"), "{err}");
    }

    #[test]
    fn file_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\n[http]\nmax_body_bytes = 10\n",
        )
        .unwrap();
        let overrides = Overrides {
            listen: Some("127.0.0.1:9100".parse().unwrap()),
            ..Default::default()
        };
        let config =
            Config::load_from(Some(&path), &overrides, Env::prefixed("GATEWAY_TEST_NONE_"))
                .unwrap();
        assert_eq!(config.listen.port(), 9100);
        assert_eq!(config.http.max_body_bytes, 10);
    }

    #[test]
    fn bad_values_name_the_key() {
        let err = load_str("listen = \"nowhere\"\n").unwrap_err().to_string();
        assert!(err.contains("listen"), "{err}");
    }

    #[test]
    fn missing_file_is_one_clear_line() {
        let err = Config::load(
            Some(Path::new("/nonexistent/gateway.toml")),
            &Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            "configuration: configuration file /nonexistent/gateway.toml does not exist"
        );
    }
}
