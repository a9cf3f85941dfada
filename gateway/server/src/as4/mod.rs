//! The Peppol AS4 access point: the receiving endpoint ([`receive`]) and the sending outbox
//! ([`outbox`], [`send`]). Protocol work is `gateway-as4-proto`'s; this module adds keys from
//! configuration, the member lookup and durable storage.
pub mod members;
pub mod outbox;
pub mod receive;
pub mod revocation;
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
    /// The EC profile's certificates and keys, when `as4.ec` is on.
    pub ec: Option<EcIdentity>,
}

/// Our eDelivery AS4 2.0 EC-profile identity.
#[derive(Debug, Clone)]
pub struct EcIdentity {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
    pub agreement_certificate: PathBuf,
    pub agreement_key: PathBuf,
}

impl EcIdentity {
    /// The four `as4.ec_*` files, or the development EC PKI (whose CA joins `trust` when the
    /// development Peppol PKI is in use too).
    fn resolve(
        config: &Config,
        trust: &mut Vec<PathBuf>,
        dev: bool,
    ) -> Result<Option<Self>, Error> {
        let a = &config.as4;
        if !a.ec {
            return Ok(None);
        }
        match (
            &a.ec_certificate,
            &a.ec_private_key,
            &a.ec_agreement_certificate,
            &a.ec_agreement_key,
        ) {
            (Some(c), Some(k), Some(ac), Some(ak)) => Ok(Some(EcIdentity {
                certificate: c.clone(),
                private_key: k.clone(),
                agreement_certificate: ac.clone(),
                agreement_key: ak.clone(),
            })),
            (None, None, None, None) => {
                let pki = crate::peppol_pki::ensure_dev_ec_pki(&config.data_dir)?;
                if dev {
                    trust.push(pki.ca.clone());
                }
                Ok(Some(EcIdentity {
                    certificate: pki.sign_cert,
                    private_key: pki.sign_key,
                    agreement_certificate: pki.agreement_cert,
                    agreement_key: pki.agreement_key,
                }))
            }
            _ => Err(Error::Config(
                "as4.ec_certificate, as4.ec_private_key, as4.ec_agreement_certificate and as4.ec_agreement_key go together".into(),
            )),
        }
    }
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
                let mut trust = a.trust.clone();
                let ec = EcIdentity::resolve(config, &mut trust, false)?;
                Ok(Identity {
                    certificate,
                    private_key,
                    trust,
                    ec,
                })
            }
            (None, None) => {
                let pki = crate::peppol_pki::ensure_dev_peppol_pki(&config.data_dir)?;
                let dev = a.trust.is_empty();
                let mut trust = if dev { vec![pki.ca] } else { a.trust.clone() };
                let ec = EcIdentity::resolve(config, &mut trust, dev)?;
                Ok(Identity {
                    certificate: pki.ap_cert,
                    private_key: pki.ap_key,
                    trust,
                    ec,
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
    /// Peppol profile (RSA): signs our messages and signals.
    pub local: LocalAp,
    /// EC profile (Ed25519 / X25519), when on.
    pub ec: Option<LocalAp>,
    /// Opens incoming messages of either profile: RSA key transport and, with the EC profile,
    /// X25519 key agreement.
    pub opener: LocalAp,
    pub trust: Trust,
    pub revocation: revocation::Revocation,
    pub limits: Limits,
    pub store: Arc<dyn Store>,
    /// Final recipients we serve, found recently.
    pub members: members::Members,
}

impl As4 {
    pub fn load(
        config: &Config,
        identity: &Identity,
        store: Arc<dyn Store>,
        crl_unavailable: prometheus_client::metrics::counter::Counter,
    ) -> Result<As4, Error> {
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
        let ec = match &identity.ec {
            Some(e) => {
                let ec = LocalAp::ed25519_from_pem(
                    &read(&e.certificate)?,
                    &read(&e.private_key)?,
                    &read(&e.agreement_certificate)?,
                    &read(&e.agreement_key)?,
                )
                .map_err(bad)?;
                if ec.party_id != local.party_id {
                    return Err(Error::Config(format!(
                        "as4: the EC certificate's CN {} is not the AP certificate's {}",
                        ec.party_id, local.party_id
                    )));
                }
                Some(ec)
            }
            None => None,
        };
        let opener = LocalAp {
            agreement: ec.as_ref().and_then(|e| e.agreement.clone()),
            ..local.clone()
        };
        let mut limits = Limits::default();
        limits.mime.max_bytes = config.as4.max_message_bytes;
        limits.max_payload_bytes = config.as4.max_payload_bytes;
        Ok(As4 {
            local,
            ec,
            opener,
            trust,
            revocation: revocation::Revocation::new(
                config.as4.crl,
                std::time::Duration::from_millis(config.as4.crl_timeout_ms),
                crl_unavailable,
            )?,
            limits,
            store,
            members: Default::default(),
        })
    }
}

impl As4 {
    /// Who answers a message signed by `signer_der`: the EC identity for an Ed25519 signer
    /// (the sender then checks an Ed25519 receipt), else the RSA one.
    pub fn answering(&self, signer_der: &[u8]) -> &LocalAp {
        match &self.ec {
            Some(ec) if gateway_as4_proto::ec::is_ed25519_certificate(signer_der) => ec,
            _ => &self.local,
        }
    }
}
