//! `gateway serve`: open the store, bind, serve over TLS, stop gracefully on SIGTERM or Ctrl-C.
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use axum_server::tls_rustls::RustlsConfig;
use axum_server::Handle;
use gateway_store::{BlobLocation, SqlStore, Store};

use crate::config::{BlobsSetting, Config};
use crate::http::{router, AppState};
use crate::metrics::Metrics;
use crate::{tls, Error};

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
    let store = open_store(&config).await?;
    let tls = tls::server_config(&config.tls, &config.data_dir)?;
    tracing::info!(database = store.backend().as_str(), "storage ready");
    let state = AppState {
        store: Arc::new(store),
        metrics: Arc::new(Metrics::default()),
    };
    let app = router(state, &config.http);

    let handle = Handle::new();
    let grace = Duration::from_secs(config.http.shutdown_grace_secs);
    tokio::spawn(shutdown_on_signal(handle.clone(), grace));
    tracing::info!("listening on https://{local}");
    axum_server::from_tcp_rustls(listener, RustlsConfig::from_config(tls))
        .map_err(|source| Error::Listen {
            addr: config.listen,
            source,
        })?
        .handle(handle)
        .serve(app.into_make_service())
        .await
        .map_err(Error::Serve)?;
    tracing::info!("stopped");
    Ok(())
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
