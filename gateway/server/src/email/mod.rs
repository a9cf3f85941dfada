//! E-mail: import of purchase documents (our own SMTP listener and raw MIME over the API),
//! sending invoices through a relay, and the "needs your action" report.
pub mod channel;
pub mod import;
pub mod outbound;
pub mod report;
pub mod smtp;

pub use import::{import_message, ImportedDocument};
pub use outbound::{send_invoice_email, EmailAttachment, EmailSender, OutgoingEmail, SmtpSender};
