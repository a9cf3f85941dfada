use thiserror::Error;

/// Errors of the gateway process: configuration, start-up, and the admin commands.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    #[error("configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] gateway_store::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Usage(String),
    /// An e-mail that cannot be imported: not MIME, or nothing in it to import.
    #[error("e-mail: {0}")]
    Mail(String),
    /// Sending an e-mail failed for good (after the retries of a transient failure).
    #[error("sending e-mail through {relay} failed after {attempts} attempt(s): {reason}")]
    EmailSend {
        relay: String,
        attempts: u32,
        reason: String,
    },
    /// Ends the process with this code after the command printed its own report.
    #[error("exit {0}")]
    Exit(u8),
}
