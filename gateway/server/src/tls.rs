//! TLS for the listener: the operator's certificate, or a development CA and certificate made in
//! `data_dir/tls` on first run (ECDSA P-256; `ca.pem` is what a client should trust).
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::config::TlsConfig;
use crate::Error;

pub struct DevCertificate {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Makes the development CA and server certificate unless they already exist.
pub fn ensure_dev_certificate(data_dir: &Path) -> Result<DevCertificate, Error> {
    let dir = data_dir.join("tls");
    let paths = DevCertificate {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    if paths.cert.is_file() && paths.key.is_file() {
        return Ok(paths);
    }
    let tls = |e: rcgen::Error| Error::Tls(format!("generating the development certificate: {e}"));
    let year = chrono::Datelike::year(&chrono::Utc::now());

    let ca_key = KeyPair::generate().map_err(tls)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(tls)?;
    ca.distinguished_name
        .push(DnType::CommonName, "Gateway development CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    ca.not_after = rcgen::date_time_ymd(year + 10, 1, 1);
    let ca_cert = ca.self_signed(&ca_key).map_err(tls)?;
    let issuer = Issuer::new(ca, ca_key);

    let key = KeyPair::generate().map_err(tls)?;
    let mut leaf = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(tls)?;
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.not_before = rcgen::date_time_ymd(year - 1, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(year + 10, 1, 1);
    let leaf_cert = leaf.signed_by(&key, &issuer).map_err(tls)?;

    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    write_private(&paths.key, key.serialize_pem().as_bytes()).map_err(io(&paths.key))?;
    std::fs::write(&paths.ca, ca_cert.pem()).map_err(io(&paths.ca))?;
    // Written last: its presence means the set is complete.
    std::fs::write(&paths.cert, format!("{}{}", leaf_cert.pem(), ca_cert.pem()))
        .map_err(io(&paths.cert))?;
    tracing::info!(ca = %paths.ca.display(), "generated a development TLS certificate; clients should trust the CA file");
    Ok(paths)
}

pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

/// The rustls server configuration for the listener (TLS 1.2 and 1.3, HTTP/2 and HTTP/1.1).
pub fn server_config(tls: &TlsConfig, data_dir: &Path) -> Result<Arc<ServerConfig>, Error> {
    let (cert, key) = match (&tls.cert, &tls.key) {
        (Some(cert), Some(key)) => (cert.clone(), key.clone()),
        (None, None) => {
            let dev = ensure_dev_certificate(data_dir)?;
            (dev.cert, dev.key)
        }
        _ => {
            return Err(Error::Config(
                "tls.cert and tls.key must be given together".into(),
            ))
        }
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
        .and_then(|it| it.collect::<Result<_, _>>())
        .map_err(|e| Error::Tls(format!("reading certificates from {}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(Error::Tls(format!(
            "{} holds no certificate",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(&key).map_err(|e| {
        Error::Tls(format!(
            "reading the private key from {}: {e}",
            key.display()
        ))
    })?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| Error::Tls(format!("certificate and key do not fit: {e}")))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}
