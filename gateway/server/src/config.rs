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
const NOT_CONFIG: &[&str] = &["config", "test_database_url", "shared", "artefacts"];

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
    pub email: EmailConfig,
    pub archive: ArchiveConfig,
    pub webhooks: WebhooksConfig,
    pub as4: As4Config,
    pub extract: ExtractConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailConfig {
    /// Address of the inbound SMTP listener (e.g. `0.0.0.0:25`); off when absent (the default),
    /// since it needs an MX record pointing here. `POST /v1/import/email` works either way.
    pub smtp_listen: Option<SocketAddr>,
    /// Domain of the import addresses `<code>@<import_domain>`; RCPT to any other is refused.
    pub import_domain: String,
    /// Name the SMTP server gives in its greeting and EHLO answer.
    pub hostname: String,
    /// Largest message accepted (announced as SIZE; a larger one is refused with 552).
    pub max_message_bytes: u64,
    /// Concurrent SMTP connections; more are answered 421.
    pub max_connections: usize,
    /// Refuse MAIL until the client has switched to TLS (530). Off by default: some senders'
    /// servers still deliver in plain text, and a refused invoice is worse than a readable one.
    pub require_tls: bool,
    pub outbound: OutboundEmailConfig,
}

impl Default for EmailConfig {
    fn default() -> Self {
        Self {
            smtp_listen: None,
            import_domain: "import.localhost".into(),
            hostname: "localhost".into(),
            max_message_bytes: 25 * 1024 * 1024,
            max_connections: 100,
            require_tls: false,
            outbound: OutboundEmailConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveConfig {
    /// Ed25519 archive signing key (base64 seed); made on first start when missing. Default
    /// `data_dir/archive/archive.key`, with the public key next to it in `archive.pub`.
    pub key_file: Option<PathBuf>,
    /// How long archived documents are kept before the expiry job removes them.
    pub retention_years: u32,
    /// How often the archiver looks for newly archived documents (it is also woken directly).
    pub poll_interval_ms: u64,
    /// How often the chain head is signed (when it moved).
    pub checkpoint_interval_secs: u64,
    /// How often the expiry job runs.
    pub expiry_interval_secs: u64,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        Self {
            key_file: None,
            retention_years: 10,
            poll_interval_ms: 2000,
            checkpoint_interval_secs: 3600,
            expiry_interval_secs: 3600,
        }
    }
}

/// How e-mail leaves the gateway: through a relay (submission server) over SMTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboundEmailConfig {
    /// Host name of the relay; e-mail delivery is off when absent.
    pub relay: Option<String>,
    /// Port of the relay; default 587 for `starttls`, 465 for `tls`, 25 for `none`.
    pub port: Option<u16>,
    pub tls: OutboundTls,
    /// PEM file of an extra CA to trust for the relay (besides the system's roots).
    pub ca_file: Option<PathBuf>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Invoices <invoices@example.com>`.
    pub from: String,
    /// Attempts per message, transient failures only; waits double from `backoff_ms`.
    pub attempts: u32,
    pub backoff_ms: u64,
    /// Connection and command timeout.
    pub timeout_secs: u64,
    /// The queue of invoice e-mails is drained on every send and at least this often.
    pub poll_secs: u64,
    /// Action reports go out every this many seconds instead of daily at 06:00 UTC.
    pub report_interval_secs: Option<u64>,
}

impl Default for OutboundEmailConfig {
    fn default() -> Self {
        Self {
            relay: None,
            port: None,
            tls: OutboundTls::Starttls,
            ca_file: None,
            username: None,
            password: None,
            from: "gateway@localhost".into(),
            attempts: 3,
            backoff_ms: 500,
            timeout_secs: 30,
            poll_secs: 30,
            report_interval_secs: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboundTls {
    /// Plain connection upgraded with STARTTLS, which must succeed.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on loopback.
    None,
}

impl ArchiveConfig {
    pub fn key_path(&self, data_dir: &Path) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| data_dir.join("archive").join("archive.key"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Let webhooks reach private, loopback and link-local addresses (tests, closed networks).
    pub allow_private: bool,
    /// Seconds to wait before each attempt: the Standard Webhooks schedule by default
    /// (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).
    pub retry_schedule_secs: Vec<u64>,
    /// A `Retry-After` longer than this is cut to it.
    pub max_retry_after_secs: u64,
    /// Per-attempt timeout.
    pub timeout_secs: u64,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            retry_schedule_secs: vec![0, 5, 300, 1800, 7200, 18000, 36000, 36000],
            max_retry_after_secs: 36000,
            timeout_secs: 15,
        }
    }
}

/// Reading purchase PDFs and images (the extraction worker): OCR programs and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExtractConfig {
    /// Tesseract executable (looked up on `PATH` when not a path).
    pub tesseract: PathBuf,
    /// Directory holding the `*.traineddata` language files; default: Tesseract's own.
    pub tessdata_dir: Option<PathBuf>,
    /// Tesseract languages, `+`-separated (each needs its traineddata file).
    pub languages: String,
    /// poppler's `pdftoppm` executable, which renders PDF pages for OCR.
    pub pdftoppm: PathBuf,
    /// Resolution PDF pages are rendered at.
    pub dpi: u32,
    /// Time limit per program run (the OCR of one page, or rendering), seconds.
    pub timeout_secs: u64,
    /// Address-space limit per program run, bytes (0: none).
    pub memory_limit_bytes: u64,
    /// Pages read at most per document.
    pub max_pages: u32,
    /// Stretch the levels and straighten photographed pages before OCR.
    pub preprocess: bool,
    /// A field below this confidence sends the document to review.
    pub review_threshold: f32,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        let ocr = gateway_extract::ocr::OcrConfig::default();
        Self {
            tesseract: ocr.tesseract,
            tessdata_dir: ocr.tessdata_dir,
            languages: ocr.languages,
            pdftoppm: ocr.pdftoppm,
            dpi: ocr.dpi,
            timeout_secs: ocr.timeout.as_secs(),
            memory_limit_bytes: ocr.memory_limit,
            max_pages: ocr.max_pages,
            preprocess: ocr.preprocess,
            review_threshold: gateway_extract::Options::default().review_threshold,
        }
    }
}

impl ExtractConfig {
    /// The extraction options these settings give.
    pub fn options(&self) -> gateway_extract::Options {
        gateway_extract::Options {
            review_threshold: self.review_threshold,
            ocr: gateway_extract::ocr::OcrConfig {
                tesseract: self.tesseract.clone(),
                tessdata_dir: self.tessdata_dir.clone(),
                languages: self.languages.clone(),
                pdftoppm: self.pdftoppm.clone(),
                dpi: self.dpi,
                timeout: std::time::Duration::from_secs(self.timeout_secs),
                memory_limit: self.memory_limit_bytes,
                max_pages: self.max_pages,
                preprocess: self.preprocess,
                ..Default::default()
            },
            ..Default::default()
        }
    }
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
    /// Also speak the eDelivery AS4 2.0 EC profile (Ed25519 signatures, X25519 key agreement):
    /// published in the SMP as a second transport profile, preferred when sending to a partner
    /// that publishes it. With no `ec_*` files, a development EC PKI is made in `data_dir/peppol`.
    pub ec: bool,
    /// EC profile: our Ed25519 signing certificate and its key (PEM; same CN as the AP one).
    pub ec_certificate: Option<PathBuf>,
    pub ec_private_key: Option<PathBuf>,
    /// EC profile: our X25519 key-agreement certificate (published in the SMP) and its key.
    pub ec_agreement_certificate: Option<PathBuf>,
    pub ec_agreement_key: Option<PathBuf>,
    /// CRL checking of peer AP certificates: `strict`, `soft` (an unavailable CRL is logged
    /// and counted, the certificate passes) or `off`.
    pub crl: crate::as4::revocation::CrlPolicy,
    /// Time limit of one CRL download.
    pub crl_timeout_ms: u64,
}

/// Which AS4 profile a partner speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum As4Profile {
    /// Peppol AS4 (RSA-SHA256, RSA-OAEP key transport).
    #[default]
    Peppol,
    /// eDelivery AS4 2.0 EC profile (Ed25519, X25519 + HKDF + AES key wrap).
    Ec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticEndpoint {
    pub participant: String,
    pub url: String,
    /// The partner's certificate: its AP certificate (`peppol`), or its X25519 key-agreement
    /// certificate (`ec`).
    pub certificate: PathBuf,
    #[serde(default)]
    pub profile: As4Profile,
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
            ec: false,
            ec_certificate: None,
            ec_private_key: None,
            ec_agreement_certificate: None,
            ec_agreement_key: None,
            crl: Default::default(),
            crl_timeout_ms: 5000,
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
    /// Directory of the official artefacts with the UBL 2.1 / CII D16B schemas: when set,
    /// validation also checks the XML schema. `GATEWAY_ARTEFACTS` is read when this is unset.
    pub artefacts: Option<PathBuf>,
}

impl Default for ValidateConfig {
    fn default() -> Self {
        Self {
            public: false,
            public_per_minute: 60,
            artefacts: None,
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
            email: EmailConfig::default(),
            archive: ArchiveConfig::default(),
            webhooks: WebhooksConfig::default(),
            as4: As4Config::default(),
            extract: ExtractConfig::default(),
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
        let mut config = Self::load_from(file, overrides, Env::prefixed("GATEWAY_"))?;
        // The short form of `GATEWAY_VALIDATE__ARTEFACTS`, as the validation tools name it.
        if config.validate.artefacts.is_none() {
            config.validate.artefacts = std::env::var_os("GATEWAY_ARTEFACTS").map(PathBuf::from);
        }
        Ok(config)
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
    fn email_sections() {
        let config = load_str(
            "[email]\nsmtp_listen = \"127.0.0.1:2525\"\nimport_domain = \"in.example\"\n[email.outbound]\nrelay = \"smtp.example\"\ntls = \"tls\"\n",
        )
        .unwrap();
        assert_eq!(config.email.smtp_listen.unwrap().port(), 2525);
        assert_eq!(config.email.import_domain, "in.example");
        assert_eq!(config.email.max_message_bytes, 25 * 1024 * 1024);
        assert_eq!(config.email.outbound.tls, OutboundTls::Tls);
        assert!(Config::default().email.smtp_listen.is_none());
        let err = load_str("[email.outbound]\ntls = \"maybe\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("email.outbound.tls"), "{err}");
    }

    #[test]
    fn extraction_settings_reach_the_ocr_options() {
        let config = load_str(
            "[extract]\ntessdata_dir = \"/opt/tessdata\"\nlanguages = \"ron+eng\"\ntimeout_secs = 7\npreprocess = false\n",
        )
        .unwrap();
        let opts = config.extract.options();
        assert_eq!(
            opts.ocr.tessdata_dir.as_deref(),
            Some(Path::new("/opt/tessdata"))
        );
        assert_eq!(opts.ocr.languages, "ron+eng");
        assert_eq!(opts.ocr.timeout, std::time::Duration::from_secs(7));
        assert!(!opts.ocr.preprocess);
        assert_eq!(opts.ocr.dpi, 300, "unset keys keep their defaults");
        let err = load_str("[extract]\nlanguage = \"eng\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("language"), "{err}");
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
