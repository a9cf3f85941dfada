//! The Peppol AS4 access point: the receiving endpoint ([`receive`]) and the sending outbox
//! ([`outbox`], [`send`]). Protocol work is `gateway-as4-proto`'s; this module adds keys from
//! configuration, the member lookup and durable storage.
pub mod outbox;
pub mod receive;
pub mod send;

use std::path::PathBuf;
use std::sync::Arc;

use gateway_as4_proto::{Limits, LocalAp, Trust};
use gateway_store::Store;

use crate::config::Config;
use crate::Error;

/// Where our AP certificate, key and the trust anchors come from.
#[derive(Debug, Clone)]
pub struct Identity {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
    pub trust: Vec<PathBuf>,
}

impl Identity {
    /// `[as4]` first, then `[peppol]`'s AP certificate, then the development PKI.
    pub fn resolve(config: &Config) -> Result<Identity, Error> {
        let a = &config.as4;
        let cert = a
            .certificate
            .clone()
            .or_else(|| config.peppol.ap_certificate.clone());
        let key = a
            .private_key
            .clone()
            .or_else(|| config.peppol.ap_key.clone());
        match (cert, key) {
            (Some(certificate), Some(private_key)) => {
                if a.trust.is_empty() {
                    return Err(Error::Config(
                        "as4.trust must name the CA certificates of the access points to accept"
                            .into(),
                    ));
                }
                Ok(Identity {
                    certificate,
                    private_key,
                    trust: a.trust.clone(),
                })
            }
            (None, None) => {
                let pki = crate::peppol_pki::ensure_dev_peppol_pki(&config.data_dir)?;
                let trust = if a.trust.is_empty() {
                    vec![pki.ca]
                } else {
                    a.trust.clone()
                };
                Ok(Identity {
                    certificate: pki.ap_cert,
                    private_key: pki.ap_key,
                    trust,
                })
            }
            _ => Err(Error::Config(
                "as4.certificate and as4.private_key go together".into(),
            )),
        }
    }
}

fn read(path: &PathBuf) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// What the AS4 endpoint and the sender share.
pub struct As4 {
    pub local: LocalAp,
    pub trust: Trust,
    pub limits: Limits,
    pub store: Arc<dyn Store>,
}

impl As4 {
    pub fn load(config: &Config, identity: &Identity, store: Arc<dyn Store>) -> Result<As4, Error> {
        let bad = |e: gateway_as4_proto::Error| Error::Config(format!("as4: {e}"));
        let local =
            LocalAp::rsa_from_pem(&read(&identity.certificate)?, &read(&identity.private_key)?)
                .map_err(bad)?;
        let pems = identity
            .trust
            .iter()
            .map(read)
            .collect::<Result<Vec<_>, _>>()?;
        let trust = Trust::from_pems(pems.iter().map(Vec::as_slice)).map_err(bad)?;
        let mut limits = Limits::default();
        limits.mime.max_bytes = config.as4.max_message_bytes;
        limits.max_payload_bytes = config.as4.max_payload_bytes;
        Ok(As4 {
            local,
            trust,
            limits,
            store,
        })
    }
}
