//! `gateway serve`: open the store, bind, serve over TLS, stop gracefully on SIGTERM or Ctrl-C.
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use gateway_store::{BlobLocation, SqlStore, Store};

use crate::archive::{ArchiveKey, Archiver};
use crate::config::{BlobsSetting, Config};
use crate::email::smtp::Inbound;
use crate::email::{EmailSender, SmtpSender};
use crate::http::smp::SmpPublisher;
use crate::http::{router, AppState};
use crate::metrics::Metrics;
use crate::smp_signer::SmpSigner;
use crate::{tls, Error};
use rustls::pki_types::pem::PemObject;

/// Opens the configured store and applies pending migrations.
pub async fn open_store(config: &Config) -> Result<SqlStore, Error> {
    let url = config.database_url()?;
    let blobs = match config.blobs {
        Some(BlobsSetting::Files) => BlobLocation::Files(config.data_dir.join("blobs")),
        Some(BlobsSetting::Database) => BlobLocation::Database,
        None => SqlStore::default_blobs(url.backend(), &config.data_dir),
    };
    prepare_data_dir(config)?;
    Ok(SqlStore::open(&url, blobs).await?)
}

fn prepare_data_dir(config: &Config) -> Result<(), Error> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| Error::Io {
        path: config.data_dir.display().to_string(),
        source,
    })
}

pub async fn run(config: Config) -> Result<(), Error> {
    prepare_data_dir(&config)?;
    // Bind before anything slow, so a busy port is reported at once.
    let listener = TcpListener::bind(config.listen).map_err(|source| Error::Listen {
        addr: config.listen,
        source,
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|source| Error::Listen {
            addr: config.listen,
            source,
        })?;
    let local = listener.local_addr().map_err(|source| Error::Listen {
        addr: config.listen,
        source,
    })?;
    let smtp_listener = match config.email.smtp_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| Error::Listen { addr, source })?,
        ),
        None => None,
    };
    let store: Arc<dyn Store> = Arc::new(open_store(&config).await?);
    let tls = tls::server_config(&config.tls, &config.data_dir)?;
    tracing::info!(database = store.backend().as_str(), "storage ready");
    let identity = crate::as4::Identity::resolve(&config)?;
    let smp = smp_publisher(&config, local, &identity)?;
    let metrics = Arc::new(Metrics::default());
    let smtp = match smtp_listener {
        Some(listener) => Some((
            listener,
            Arc::new(Inbound::new(
                store.clone(),
                metrics.clone(),
                config.email.clone(),
                &tls,
                &config.data_dir,
            )?),
        )),
        None => None,
    };
    let email_sender = email_sender(&config)?;
    let archiver = archiver(&config, store.clone())?;
    crate::connectors::Forwarder {
        store: store.clone(),
        webhooks: config.webhooks.clone(),
        email: email_sender.clone(),
        wake: archiver.archived.clone(),
    }
    .spawn();
    archiver.clone().spawn();
    crate::extraction::worker::spawn(store.clone(), config.extract.options());
    let as4 = Arc::new(crate::as4::As4::load(
        &config,
        &identity,
        store.clone(),
        metrics.as4_crl_unavailable.clone(),
    )?);
    // Queueing needs no sending: a stranded delivery waits in the outbox until `as4.send`.
    crate::lifecycle::peppol::spawn_sweeper(store.clone(), Duration::from_secs(30));
    if config.as4.send {
        let lookup = match crate::lookup::build(&config) {
            Ok(l) => Some(l),
            Err(e) => {
                tracing::warn!(error = %e, "no SML/SMP lookup: AS4 sends only to as4.static_endpoints");
                None
            }
        };
        let sender = Arc::new(crate::as4::send::Sender::new(&config, as4.clone(), lookup)?);
        let policy = crate::as4::outbox::Policy {
            max_attempts: config.as4.max_attempts.max(1),
            base: Duration::from_millis(config.as4.retry_base_ms),
            max_delay: Duration::from_millis(config.as4.retry_max_ms),
            lease: Duration::from_secs(120),
            idle: Duration::from_millis(200),
        };
        crate::as4::outbox::spawn_workers(store.clone(), sender, policy, 2);
    }
    let deliveries = Arc::new(tokio::sync::Notify::new());
    if let Some(sender) = &email_sender {
        crate::lifecycle::channels::spawn_worker(
            store.clone(),
            Arc::new(crate::email::channel::EmailChannel {
                sender: sender.clone(),
            }),
            deliveries.clone(),
            Duration::from_secs(config.email.outbound.poll_secs.max(1)),
        );
        let public = match &config.peppol.public_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => format!("https://localhost:{}", local.port()),
        };
        let reports = crate::email::report::ReportScheduler {
            source: Arc::new(crate::lifecycle::actions::LifecycleActions {
                store: store.clone(),
            }),
            sender: sender.clone(),
            documents_url: format!("{public}/v1/documents"),
        };
        match config.email.outbound.report_interval_secs {
            Some(secs) => tokio::spawn(reports.run_every(Duration::from_secs(secs.max(1)))),
            None => tokio::spawn(reports.run_forever()),
        };
    }
    let state = AppState {
        archiver: Arc::new(archiver),
        store,
        metrics,
        smp: Arc::new(smp),
        public_validation: Arc::new(crate::http::validate::PublicValidation::new(
            config.validate.public,
            config.validate.public_per_minute,
        )),
        validator: Arc::new(crate::validation::Validator::new(
            config.validate.artefacts.as_deref(),
        )?),
        email_import_domain: config.email.import_domain.as_str().into(),
        email_sender,
        as4,
        deliveries,
    };
    let app = router(state, &config.http, &config.as4);

    let handle = Handle::new();
    let grace = Duration::from_secs(config.http.shutdown_grace_secs);
    tokio::spawn(shutdown_on_signal(handle.clone(), grace));
    tracing::info!("listening on https://{local}");
    if let Some((listener, inbound)) = smtp {
        if let Ok(addr) = listener.local_addr() {
            tracing::info!(import_domain = %config.email.import_domain, "smtp listening on {addr}");
        }
        tokio::spawn(crate::email::smtp::serve(listener, inbound));
    }
    axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(tls))
        .map_err(|source| Error::Listen {
            addr: config.listen,
            source,
        })?
        // Without TCP_NODELAY a response written in two segments waits for the peer's
        // delayed ACK: 40 ms stalls, measured on AS4 receipts over loopback.
        .map(|tls| tls.acceptor(axum_server::accept::NoDelayAcceptor::new()))
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .await
        .map_err(Error::Serve)?;
    tracing::info!("stopped");
    Ok(())
}

/// The archive worker with its key (made in the data directory on first start).
pub fn archiver(config: &Config, store: Arc<dyn Store>) -> Result<Archiver, Error> {
    let key = ArchiveKey::load_or_create(&config.archive.key_path(&config.data_dir))?;
    Ok(Archiver {
        store,
        key: Arc::new(key),
        config: config.archive.clone(),
        wake: Arc::new(tokio::sync::Notify::new()),
        archived: Arc::new(tokio::sync::Notify::new()),
    })
}

/// The outbound e-mail channel, checked at start so a bad relay setting stops the start-up.
fn email_sender(config: &Config) -> Result<Option<Arc<dyn EmailSender>>, Error> {
    match &config.email.outbound.relay {
        Some(_) => Ok(Some(Arc::new(SmtpSender::new(&config.email.outbound)?))),
        None => Ok(None),
    }
}

/// What the SMP publishes: our AS4 endpoint and AP certificate, signed with the SMP key. Without
/// configured certificates, the development Peppol PKI of the data directory.
fn smp_publisher(
    config: &Config,
    local: std::net::SocketAddr,
    identity: &crate::as4::Identity,
) -> Result<SmpPublisher, Error> {
    let p = &config.peppol;
    let dev = || crate::peppol_pki::ensure_dev_peppol_pki(&config.data_dir);
    let (ap_cert, smp_cert, smp_key) = match (&p.ap_certificate, &p.smp_certificate, &p.smp_key) {
        (Some(ap), Some(cert), Some(key)) => (ap.clone(), cert.clone(), key.clone()),
        (None, None, None) => {
            let pki = dev()?;
            (pki.ap_cert, pki.smp_cert, pki.smp_key)
        }
        _ => {
            return Err(Error::Config(
                "peppol.ap_certificate, peppol.smp_certificate and peppol.smp_key go together"
                    .into(),
            ))
        }
    };
    // The certificate published is the one AS4 works with.
    let ap_cert = if config.as4.certificate.is_some() {
        identity.certificate.clone()
    } else {
        ap_cert
    };
    let public_url = match &p.public_url {
        Some(url) => url.trim_end_matches('/').to_string(),
        None => format!("https://localhost:{}", local.port()),
    };
    let ap_pem = std::fs::read(&ap_cert).map_err(|source| Error::Io {
        path: ap_cert.display().to_string(),
        source,
    })?;
    let ap_certificate = rustls::pki_types::CertificateDer::pem_slice_iter(&ap_pem)
        .next()
        .and_then(Result::ok)
        .ok_or_else(|| Error::Tls(format!("{} holds no certificate", ap_cert.display())))?
        .to_vec();
    let ec_certificate = match &identity.ec {
        Some(ec) => {
            let pem = std::fs::read(&ec.agreement_certificate).map_err(|source| Error::Io {
                path: ec.agreement_certificate.display().to_string(),
                source,
            })?;
            Some(
                rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
                    .next()
                    .and_then(Result::ok)
                    .ok_or_else(|| {
                        Error::Tls(format!(
                            "{} holds no certificate",
                            ec.agreement_certificate.display()
                        ))
                    })?
                    .to_vec(),
            )
        }
        None => None,
    };
    let base = format!("/{}", p.smp_base.trim_matches('/'));
    Ok(SmpPublisher {
        ec_certificate,
        public_base: format!("{public_url}{base}"),
        base,
        endpoint_url: format!("{public_url}/{}", config.as4.path.trim_start_matches('/')),
        ap_certificate,
        service_description: p.service_description.clone(),
        technical_contact_url: p.technical_contact_url.clone(),
        signer: SmpSigner::load(&smp_cert, &smp_key)?,
    })
}

async fn shutdown_on_signal(handle: Handle<std::net::SocketAddr>, grace: Duration) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await
            }
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!(
        grace_secs = grace.as_secs(),
        "shutting down: finishing in-flight requests"
    );
    handle.graceful_shutdown(Some(grace));
}
