//! The inbound SMTP server: mail to `<code>@<import_domain>` becomes purchase documents of the
//! company with that code. Protocol details are in `gateway-smtp-proto`; this module does the
//! I/O: STARTTLS with the listener's certificate, the size limit while the message streams to a
//! spool file, and the reply after DATA only once every document is stored.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use gateway_smtp_proto::{
    parse_command, Command, DataDecoder, LineAssembler, LineEvent, Reply, MAX_COMMAND_LINE,
};
use gateway_store::Store;
use rustls::ServerConfig;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use crate::config::EmailConfig;
use crate::metrics::{DocumentLabels, Metrics};
use crate::Error;

/// RFC 5321 4.5.3.2: at least 5 minutes per command and per data block.
const IDLE: Duration = Duration::from_secs(300);
/// RFC 5321 4.5.3.1.8: at least 100 recipients must be accepted.
const MAX_RECIPIENTS: usize = 100;
/// A client that keeps sending nonsense is dropped.
const MAX_ERRORS: usize = 10;
const READ_CHUNK: usize = 64 * 1024;

/// What every connection shares.
pub struct Inbound {
    pub store: Arc<dyn Store>,
    pub metrics: Arc<Metrics>,
    pub config: EmailConfig,
    /// The listener's TLS configuration, without HTTP's ALPN.
    pub tls: Arc<ServerConfig>,
    /// Messages being received are written here, never held in memory whole.
    pub spool: PathBuf,
}

impl Inbound {
    pub fn new(
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        config: EmailConfig,
        https_tls: &ServerConfig,
        data_dir: &std::path::Path,
    ) -> Result<Self, Error> {
        let mut tls = https_tls.clone();
        tls.alpn_protocols.clear();
        let spool = data_dir.join("spool");
        std::fs::create_dir_all(&spool).map_err(|source| Error::Io {
            path: spool.display().to_string(),
            source,
        })?;
        Ok(Self {
            store,
            metrics,
            config,
            tls: Arc::new(tls),
            spool,
        })
    }
}

/// Accepts connections until the process ends. Each one runs on its own task.
pub async fn serve(listener: TcpListener, inbound: Arc<Inbound>) {
    let slots = Arc::new(Semaphore::new(inbound.config.max_connections));
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "smtp accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let inbound = inbound.clone();
        let slot = slots.clone().try_acquire_owned();
        tokio::spawn(async move {
            let Ok(_slot) = slot else {
                let mut tcp = tcp;
                let busy = Reply::new(421, "4.3.2 too many connections, try again later");
                let _ = tcp.write_all(&busy.to_bytes()).await;
                return;
            };
            if let Err(e) = connection(tcp, &inbound).await {
                tracing::debug!(%peer, error = %e, "smtp connection ended");
            }
        });
    }
}

async fn connection(tcp: TcpStream, inbound: &Inbound) -> std::io::Result<()> {
    let mut session = Session::new(inbound, false);
    let mut plain = Conn::new(tcp);
    let greeting = Reply::new(
        220,
        format!("{} ESMTP gateway e-mail import", inbound.config.hostname),
    );
    plain.write(&greeting).await?;
    let Some(Upgrade) = session.run(&mut plain).await? else {
        return Ok(());
    };
    // Anything the client sent after STARTTLS before the handshake is dropped with `plain`:
    // it must not be taken as if it had come over TLS.
    let handshake = TlsAcceptor::from(inbound.tls.clone()).accept(plain.io);
    let tls = tokio::time::timeout(IDLE, handshake)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "TLS handshake"))??;
    let mut session = Session::new(inbound, true);
    session.run(&mut Conn::new(tls)).await?;
    Ok(())
}

/// The client asked for STARTTLS and was told to go ahead.
struct Upgrade;

/// A stream with a read buffer.
struct Conn<S> {
    io: S,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    fn new(io: S) -> Self {
        Self {
            io,
            buf: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Reads more when everything buffered was used; `false` at the end of the stream.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.start < self.end {
            return Ok(true);
        }
        let n = tokio::time::timeout(IDLE, self.io.read(&mut self.buf))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle too long"))??;
        self.start = 0;
        self.end = n;
        Ok(n > 0)
    }

    async fn write(&mut self, reply: &Reply) -> std::io::Result<()> {
        self.io.write_all(&reply.to_bytes()).await?;
        self.io.flush().await
    }
}

/// The message being received, in a temporary file removed when dropped.
struct Spool {
    file: std::io::Result<(tempfile::NamedTempFile, tokio::fs::File)>,
}

impl Spool {
    fn create(dir: &std::path::Path) -> Self {
        let file = tempfile::NamedTempFile::new_in(dir).and_then(|temp| {
            let handle = tokio::fs::File::from_std(temp.reopen()?);
            Ok((temp, handle))
        });
        Self { file }
    }

    /// Appends; the first failure is kept and later writes are skipped.
    async fn write(&mut self, bytes: &[u8]) {
        if let Ok((_, handle)) = &mut self.file {
            if let Err(e) = handle.write_all(bytes).await {
                self.file = Err(e);
            }
        }
    }

    async fn read_back(self) -> std::io::Result<Vec<u8>> {
        let (temp, mut handle) = self.file?;
        handle.flush().await?;
        drop(handle);
        tokio::fs::read(temp.path()).await
    }
}

struct Recipient {
    company_id: String,
}

/// One SMTP session (before or after STARTTLS, which starts a new one).
struct Session<'a> {
    inbound: &'a Inbound,
    tls: bool,
    helo: Option<String>,
    from: Option<String>,
    recipients: Vec<Recipient>,
    errors: usize,
}

enum Next {
    Continue,
    Close,
    StartTls,
    /// 354 was said: the message follows.
    Data,
}

impl<'a> Session<'a> {
    fn new(inbound: &'a Inbound, tls: bool) -> Self {
        Self {
            inbound,
            tls,
            helo: None,
            from: None,
            recipients: Vec::new(),
            errors: 0,
        }
    }

    fn reset(&mut self) {
        self.from = None;
        self.recipients.clear();
    }

    async fn run<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        conn: &mut Conn<S>,
    ) -> std::io::Result<Option<Upgrade>> {
        let mut lines = LineAssembler::new(MAX_COMMAND_LINE);
        loop {
            if !conn.fill().await? {
                return Ok(None);
            }
            let (used, event) = lines.feed(conn.pending());
            conn.consume(used);
            let reply_and_next = match event {
                None => continue,
                Some(LineEvent::TooLong) => {
                    (Reply::new(500, "5.5.2 line too long"), Next::Continue)
                }
                Some(LineEvent::Line(line)) => match parse_command(&line) {
                    Err(e) => (e.reply(), Next::Continue),
                    Ok(command) => self.command(command).await,
                },
            };
            let (reply, next) = match reply_and_next {
                (go_ahead, Next::Data) => {
                    conn.write(&go_ahead).await?;
                    let reply = self.receive(conn).await?;
                    self.reset();
                    (reply, Next::Continue)
                }
                other => other,
            };
            if !reply.is_positive() {
                self.errors += 1;
            }
            conn.write(&reply).await?;
            match next {
                Next::Continue if self.errors >= MAX_ERRORS => {
                    conn.write(&Reply::new(421, "4.7.0 too many errors, closing"))
                        .await?;
                    return Ok(None);
                }
                Next::Continue | Next::Data => {}
                Next::Close => return Ok(None),
                Next::StartTls => return Ok(Some(Upgrade)),
            }
        }
    }

    async fn command(&mut self, command: Command) -> (Reply, Next) {
        let cfg = &self.inbound.config;
        let reply = match command {
            Command::Ehlo(domain) => {
                self.reset();
                self.helo = Some(domain.clone());
                let mut lines = vec![
                    format!("{} greets {domain}", cfg.hostname),
                    format!("SIZE {}", cfg.max_message_bytes),
                    "8BITMIME".to_string(),
                    "ENHANCEDSTATUSCODES".to_string(),
                ];
                if !self.tls {
                    lines.push("STARTTLS".into());
                }
                Reply::multi(250, lines)
            }
            Command::Helo(domain) => {
                self.reset();
                self.helo = Some(domain);
                Reply::new(250, cfg.hostname.clone())
            }
            Command::StartTls if self.tls => Reply::new(503, "5.5.1 TLS is already active"),
            Command::StartTls => {
                return (Reply::new(220, "2.0.0 ready to start TLS"), Next::StartTls)
            }
            Command::Mail { .. } if self.helo.is_none() => Reply::new(503, "5.5.1 say EHLO first"),
            Command::Mail { .. } if cfg.require_tls && !self.tls => {
                Reply::new(530, "5.7.0 must issue a STARTTLS command first")
            }
            Command::Mail { .. } if self.from.is_some() => {
                Reply::new(503, "5.5.1 a transaction is open: RSET first")
            }
            Command::Mail {
                size: Some(size), ..
            } if size > cfg.max_message_bytes => Reply::new(
                552,
                format!(
                    "5.3.4 the message is larger than the limit of {} bytes",
                    cfg.max_message_bytes
                ),
            ),
            Command::Mail { from, .. } => {
                self.from = Some(from);
                Reply::new(250, "2.1.0 sender OK")
            }
            Command::Rcpt { .. } if self.from.is_none() => Reply::new(503, "5.5.1 MAIL FROM first"),
            Command::Rcpt { to } => self.recipient(to).await,
            Command::Rset => {
                self.reset();
                Reply::new(250, "2.0.0 OK")
            }
            Command::Noop => Reply::new(250, "2.0.0 OK"),
            Command::Quit => return (Reply::new(221, "2.0.0 bye"), Next::Close),
            Command::Vrfy => Reply::new(252, "2.5.0 cannot verify; send the message"),
            Command::Help => Reply::new(214, "2.0.0 send invoices to your import address"),
            Command::Data => match self.data_allowed() {
                Ok(()) => {
                    return (
                        Reply::new(354, "end data with <CR><LF>.<CR><LF>"),
                        Next::Data,
                    )
                }
                Err(reply) => reply,
            },
        };
        (reply, Next::Continue)
    }

    async fn recipient(&mut self, to: String) -> Reply {
        if self.recipients.len() >= MAX_RECIPIENTS {
            return Reply::new(452, "4.5.3 too many recipients");
        }
        let Some((local, domain)) = to.rsplit_once('@') else {
            return Reply::new(550, "5.1.1 no such import address");
        };
        // `code+anything@…` reaches `code@…` (sub-addressing, for people's own filters).
        let code = local.split_once('+').map_or(local, |(code, _)| code);
        if !domain.eq_ignore_ascii_case(&self.inbound.config.import_domain) {
            return Reply::new(550, "5.7.1 relaying denied: not an import address");
        }
        match self.inbound.store.company_by_import_code(code).await {
            Ok(Some(company_id)) => {
                if !self.recipients.iter().any(|r| r.company_id == company_id) {
                    self.recipients.push(Recipient { company_id });
                }
                Reply::new(250, "2.1.5 recipient OK")
            }
            Ok(None) => Reply::new(550, "5.1.1 no such import address"),
            Err(e) => {
                tracing::error!(error = %e, "smtp: looking up an import address failed");
                Reply::new(451, "4.3.0 temporary failure, try again later")
            }
        }
    }

    fn data_allowed(&self) -> Result<(), Reply> {
        if self.from.is_none() {
            Err(Reply::new(503, "5.5.1 MAIL FROM first"))
        } else if self.recipients.is_empty() {
            Err(Reply::new(554, "5.5.1 no valid recipients"))
        } else {
            Ok(())
        }
    }

    /// Reads the message to its final dot, spooling it to a file and counting bytes; then imports
    /// it for every recipient. The reply is positive only when everything is stored.
    async fn receive<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        conn: &mut Conn<S>,
    ) -> std::io::Result<Reply> {
        let max = self.inbound.config.max_message_bytes;
        // A spool that cannot be written (disk full) does not break the session: the message is
        // read to its end and the sender told to try again.
        let mut spool = Spool::create(&self.inbound.spool);
        let mut decoder = DataDecoder::default();
        let mut out = Vec::with_capacity(READ_CHUNK);
        let mut size: u64 = 0;
        loop {
            if !conn.fill().await? {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "connection closed during DATA",
                ));
            }
            out.clear();
            let progress = decoder.feed(conn.pending(), &mut out);
            conn.consume(progress.consumed);
            size += out.len() as u64;
            // Past the limit, the rest is read and dropped: the session stays in step.
            if size <= max {
                spool.write(&out).await;
            }
            if progress.done {
                break;
            }
        }
        if size > max {
            tracing::info!(size, max, "smtp: message over the size limit refused");
            return Ok(Reply::new(
                552,
                format!("5.3.4 the message is larger than the limit of {max} bytes"),
            ));
        }
        if decoder.line_too_long() {
            return Ok(Reply::new(500, "5.5.6 a line is longer than 1000 bytes"));
        }
        match spool.read_back().await {
            Ok(raw) => Ok(self.import(&raw).await),
            Err(e) => {
                tracing::error!(error = %e, spool = %self.inbound.spool.display(), "smtp: spooling a message failed");
                Ok(Reply::new(
                    451,
                    "4.3.0 could not store the message, try again later",
                ))
            }
        }
    }

    async fn import(&self, raw: &[u8]) -> Reply {
        let mut stored = 0;
        for r in &self.recipients {
            let actor = format!(
                "email:{}",
                self.from
                    .as_deref()
                    .filter(|f| !f.is_empty())
                    .unwrap_or("<>")
            );
            match crate::email::import_message(&*self.inbound.store, &r.company_id, raw, &actor)
                .await
            {
                Ok(docs) => {
                    let new = docs.iter().filter(|d| !d.already_imported).count();
                    stored += new;
                    self.inbound
                        .metrics
                        .documents_received
                        .get_or_create(&DocumentLabels {
                            source: "email".into(),
                        })
                        .inc_by(new as u64);
                    tracing::info!(company = %r.company_id, documents = docs.len(), new, "smtp: message imported");
                }
                Err(Error::Mail(reason)) => {
                    return Reply::new(554, format!("5.6.0 {reason}"));
                }
                Err(e) => {
                    // Whatever was stored is remembered; a retry stores only the rest.
                    tracing::error!(company = %r.company_id, error = %e, "smtp: storing an imported message failed");
                    return Reply::new(451, "4.3.0 could not store the message, try again later");
                }
            }
        }
        Reply::new(250, format!("2.0.0 stored {stored} document(s)"))
    }
}
