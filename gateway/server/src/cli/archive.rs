//! `gateway archive …` and `gateway accountant …`.
use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;
use gateway_store::{Archive, NewAccountant, Store};
use indicatif::{ProgressBar, ProgressStyle};

use super::{print, Format};
use crate::archive::{key, verify, PublicKey};
use crate::config::Config;
use crate::{serve, Error};

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Prove the archive untouched: recompute the hash chain from the database and the blobs and
    /// check the signed checkpoints and tombstones with the archive's public key only.
    #[command(
        after_help = "Examples:\n  gateway archive verify\n  gateway archive verify --public-key archive.pub --format json\n\nExit code: 0 intact, 1 an entry does not hold (named in the report), 2 error."
    )]
    Verify {
        /// Base64 Ed25519 public key file (default: the `.pub` next to `archive.key_file`).
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Archive what is pending and sign a checkpoint of the chain head now.
    #[command(after_help = "Example:\n  gateway archive checkpoint --format json")]
    Checkpoint {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run the expiry job now: documents past their retention leave a signed tombstone.
    #[command(after_help = "Example:\n  gateway archive expire")]
    Expire {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccountantCommand {
    /// Register an accountant organisation.
    #[command(
        after_help = "Example:\n  gateway accountant add --name 'Books & Co' --purchases-email in@books.example --sales-email out@books.example"
    )]
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        purchases_email: Option<String>,
        #[arg(long)]
        sales_email: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Issue a token for an accountant organisation; it sees the companies linked to it.
    #[command(
        after_help = "Example:\n  gateway accountant token --accountant ID --label books --format json"
    )]
    Token {
        #[arg(long)]
        accountant: String,
        #[arg(long, default_value = "cli")]
        label: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

pub async fn run(config: &Config, cmd: ArchiveCommand) -> Result<(), Error> {
    let store: Arc<dyn Store> = Arc::new(serve::open_store(config).await?);
    match cmd {
        ArchiveCommand::Verify { public_key, format } => {
            let path = public_key
                .unwrap_or_else(|| key::public_path(&config.archive.key_path(&config.data_dir)));
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                path: path.display().to_string(),
                source,
            })?;
            let public = PublicKey::parse(&text)
                .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
            let total = store.archive_stats().await?.entries as u64;
            let bar = match format {
                Format::Text => ProgressBar::new(total),
                Format::Json => ProgressBar::hidden(),
            };
            bar.set_style(
                ProgressStyle::with_template("{bar:40} {pos}/{len} entries {per_sec} {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let report = verify::verify(store.as_ref(), &public, &|n| bar.inc(n)).await?;
            bar.finish_and_clear();
            print(format, &report, || {
                match &report.first_failure {
                None => format!(
                    "archive intact: {} entries ({} documents, {} tombstones), {} checkpoints signed by {}, {} entries after the newest",
                    report.entries, report.documents, report.tombstones, report.checkpoints, public.b64(), report.unsigned_tail
                ),
                Some(f) => format!(
                    "archive NOT intact: entry {}{}: {}",
                    f.seq,
                    f.document_id.as_deref().map(|d| format!(" (document {d})")).unwrap_or_default(),
                    f.reason
                ),
            }
            });
            if report.ok {
                Ok(())
            } else {
                Err(Error::Exit(1))
            }
        }
        ArchiveCommand::Checkpoint { format } => {
            let archiver = serve::archiver(config, store)?;
            let archived = archiver.archive_pending().await?;
            let cp = archiver.checkpoint(true).await?;
            print(format, &cp, || match &cp {
                Some(c) => format!(
                    "signed checkpoint at entry {} ({archived} newly archived)",
                    c.head_seq
                ),
                None => "nothing to sign".into(),
            });
            Ok(())
        }
        ArchiveCommand::Expire { format } => {
            let archiver = serve::archiver(config, store)?;
            let n = archiver.expire().await?;
            print(format, &serde_json::json!({"expired": n}), || {
                format!("{n} archived documents expired (signed tombstones left)")
            });
            Ok(())
        }
    }
}

pub async fn accountant(config: &Config, cmd: AccountantCommand) -> Result<(), Error> {
    let store = serve::open_store(config).await?;
    match cmd {
        AccountantCommand::Add {
            name,
            purchases_email,
            sales_email,
            format,
        } => {
            let acc = store
                .create_accountant(NewAccountant {
                    name,
                    purchases_email,
                    sales_email,
                })
                .await?;
            print(format, &acc, || format!("{}\t{}", acc.id, acc.name));
        }
        AccountantCommand::Token {
            accountant,
            label,
            format,
        } => {
            let issued = store.create_accountant_token(&accountant, &label).await?;
            print(format, &issued, || {
                format!(
                    "{}\n(token {}: shown once, store it now)",
                    issued.token, issued.info.id
                )
            });
        }
    }
    Ok(())
}
