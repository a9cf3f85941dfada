//! Sending e-mail (invoices to customers who receive by e-mail, reports) through the configured
//! relay with lettre. Transient failures are retried with doubling waits; a permanent refusal
//! (5xx) is not. Routing calls [`EmailSender`], so its tests can put a recorder in its place.
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{OutboundEmailConfig, OutboundTls};
use crate::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAttachment {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    /// Plain text.
    pub body: String,
    pub attachments: Vec<EmailAttachment>,
}

/// Something that delivers an e-mail, or says clearly why it could not.
#[async_trait]
pub trait EmailSender: Send + Sync {
    /// Sends; the message's `Message-ID` (the proof of delivery to the relay).
    async fn send(&self, email: &OutgoingEmail) -> Result<String, Error>;
}

/// Sends through the relay of `[email.outbound]`.
pub struct SmtpSender {
    config: OutboundEmailConfig,
    relay: String,
    from: Mailbox,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpSender {
    pub fn new(config: &OutboundEmailConfig) -> Result<Self, Error> {
        let relay = config.relay.clone().ok_or_else(|| {
            Error::Config("email.outbound.relay is not set: e-mail delivery is off".into())
        })?;
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| Error::Config(format!("email.outbound.from `{}`: {e}", config.from)))?;
        let tls_params = || -> Result<TlsParameters, Error> {
            let mut builder = TlsParameters::builder(relay.clone());
            if let Some(path) = &config.ca_file {
                let pem = std::fs::read(path).map_err(|source| Error::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                let cert = Certificate::from_pem(&pem).map_err(|e| {
                    Error::Config(format!("email.outbound.ca_file {}: {e}", path.display()))
                })?;
                builder = builder.add_root_certificate(cert);
            }
            builder
                .build_rustls()
                .map_err(|e| Error::Tls(format!("e-mail relay {relay}: {e}")))
        };
        let (tls, default_port) = match config.tls {
            OutboundTls::Starttls => (Tls::Required(tls_params()?), 587),
            OutboundTls::Tls => (Tls::Wrapper(tls_params()?), 465),
            OutboundTls::None => (Tls::None, 25),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.as_str())
            .port(config.port.unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(Duration::from_secs(config.timeout_secs)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            config: config.clone(),
            relay: format!("{relay}:{}", config.port.unwrap_or(default_port)),
            from,
            transport: builder.build(),
        })
    }

    fn message(&self, email: &OutgoingEmail, message_id: &str) -> Result<Message, Error> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| Error::Mail(format!("recipient `{}`: {e}", email.to)))?;
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(email.body.clone()));
        for a in &email.attachments {
            let ctype = ContentType::parse(&a.media_type).map_err(|e| {
                Error::Mail(format!(
                    "attachment {} type `{}`: {e}",
                    a.name, a.media_type
                ))
            })?;
            parts = parts.singlepart(Attachment::new(a.name.clone()).body(a.bytes.clone(), ctype));
        }
        Message::builder()
            .message_id(Some(message_id.to_string()))
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .multipart(parts)
            .map_err(|e| Error::Mail(format!("building the message: {e}")))
    }
}

#[async_trait]
impl EmailSender for SmtpSender {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, Error> {
        let message_id = format!(
            "<{}@{}>",
            uuid::Uuid::new_v4().simple(),
            self.from.email.domain()
        );
        let message = self.message(email, &message_id)?;
        let attempts = self.config.attempts.max(1);
        let mut wait = Duration::from_millis(self.config.backoff_ms);
        for attempt in 1..=attempts {
            match self.transport.send(message.clone()).await {
                Ok(_) => return Ok(message_id),
                Err(e) if e.is_permanent() || attempt == attempts => {
                    return Err(Error::EmailSend {
                        relay: self.relay.clone(),
                        attempts: attempt,
                        reason: error_chain(&e),
                    })
                }
                Err(e) => {
                    tracing::warn!(relay = %self.relay, attempt, error = %error_chain(&e), "e-mail not sent; retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        }
        unreachable!("the last attempt returns")
    }
}

/// lettre's error and its causes on one line ("Connection error: … : connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Sends one invoice e-mail through the configured relay.
pub async fn send_invoice_email(
    config: &OutboundEmailConfig,
    to: &str,
    subject: &str,
    body: &str,
    attachments: Vec<(String, String, Vec<u8>)>,
) -> Result<(), Error> {
    let sender = SmtpSender::new(config)?;
    sender
        .send(&OutgoingEmail {
            to: to.to_string(),
            subject: subject.to_string(),
            body: body.to_string(),
            attachments: attachments
                .into_iter()
                .map(|(name, media_type, bytes)| EmailAttachment {
                    name,
                    media_type,
                    bytes,
                })
                .collect(),
        })
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OutboundEmailConfig {
        OutboundEmailConfig {
            relay: Some("smtp.example.com".into()),
            ..Default::default()
        }
    }

    fn err(config: &OutboundEmailConfig) -> String {
        match SmtpSender::new(config) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn settings_are_checked_when_the_sender_is_made() {
        assert!(SmtpSender::new(&config()).is_ok());
        assert!(err(&OutboundEmailConfig::default()).contains("email.outbound.relay"));
        let bad_from = OutboundEmailConfig {
            from: "not an address".into(),
            ..config()
        };
        assert!(err(&bad_from).contains("email.outbound.from"));
        let missing_ca = OutboundEmailConfig {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..config()
        };
        assert!(err(&missing_ca).contains("/nonexistent/ca.pem"));
    }

    #[test]
    fn messages_carry_the_body_and_every_attachment() {
        let sender = SmtpSender::new(&config()).unwrap();
        let email = OutgoingEmail {
            to: "ap@customer.example".into(),
            subject: "Invoice 1".into(),
            body: "Attached.".into(),
            attachments: vec![
                EmailAttachment {
                    name: "a.pdf".into(),
                    media_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4".to_vec(),
                },
                EmailAttachment {
                    name: "a.xml".into(),
                    media_type: "application/xml".into(),
                    bytes: b"<Invoice/>".to_vec(),
                },
            ],
        };
        let raw = sender.message(&email, "<1@x>").unwrap().formatted();
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        assert_eq!(parsed.subject(), Some("Invoice 1"));
        let names: Vec<_> = parsed
            .attachments()
            .map(|a| mail_parser::MimeHeaders::attachment_name(a).unwrap_or(""))
            .collect();
        assert_eq!(names, ["a.pdf", "a.xml"]);
        let bad = OutgoingEmail {
            to: "nobody".into(),
            ..email
        };
        assert!(sender
            .message(&bad, "<1@x>")
            .unwrap_err()
            .to_string()
            .contains("nobody"));
    }
}
