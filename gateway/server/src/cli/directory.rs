//! `gateway directory`: add, import and search participants.
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use gateway_store::{Address, Delivery, Directory, DirectoryQuery, NewParticipant, Visibility};
use indicatif::{ProgressBar, ProgressStyle};

use super::{print, Format};
use crate::config::Config;
use crate::import::{read_card, read_csv, ImportError};
use crate::participant::parse_participant;
use crate::{serve, Error};

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Add (or update) an official directory entry.
    #[command(
        after_help = "Example:\n  gateway directory add --name 'Nordic Foods A/S' --country DK --peppol-id 0088:5798000000001"
    )]
    Add(AddArgs),
    /// Import official entries from CSV files or Peppol Directory business cards.
    #[command(
        after_help = "Examples:\n  gateway directory import parties.csv\n  gateway directory import --as business-card cards/*.xml --format json\n\nCSV columns (header row, any order): legal_name, country (required), vat_number, street,\ncity, postal_code, peppol_ids (separated by spaces or ;), delivery (peppol|email|none), email."
    )]
    Import {
        /// Files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// What the files are; by default `.csv` is CSV and anything else a business card.
        #[arg(long = "as", value_enum)]
        kind: Option<ImportKind>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Search by name (accent-insensitive word prefixes), VAT number or Peppol identifier.
    #[command(
        after_help = "Examples:\n  gateway directory search stefan tr\n  gateway directory search --vat RO18547290\n  gateway directory search --id 0088:5798000000001 --format json"
    )]
    Search {
        /// Words of the name.
        words: Vec<String>,
        #[arg(long, conflicts_with_all = ["words", "id"])]
        vat: Option<String>,
        #[arg(long, conflicts_with_all = ["words", "vat"])]
        id: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    name: String,
    #[arg(long)]
    country: String,
    #[arg(long)]
    vat: Option<String>,
    #[arg(long)]
    street: Option<String>,
    #[arg(long)]
    city: Option<String>,
    #[arg(long)]
    postal_code: Option<String>,
    /// Peppol participant identifier (repeatable).
    #[arg(long = "peppol-id")]
    peppol_ids: Vec<String>,
    /// Default: peppol with an identifier, email with --email, else none.
    #[arg(long, value_enum)]
    delivery: Option<DeliveryArg>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DeliveryArg {
    Peppol,
    Email,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportKind {
    Csv,
    BusinessCard,
}

#[derive(Debug, Default, serde::Serialize)]
struct Summary {
    files: usize,
    created: u64,
    updated: u64,
    errors: Vec<FileError>,
}

#[derive(Debug, serde::Serialize)]
struct FileError {
    file: String,
    #[serde(flatten)]
    error: ImportError,
}

pub async fn run(config: &Config, cmd: DirectoryCommand) -> Result<(), Error> {
    let store = serve::open_store(config).await?;
    match cmd {
        DirectoryCommand::Add(a) => {
            let identifiers = a
                .peppol_ids
                .iter()
                .map(|id| parse_participant(id).map_err(Error::Usage))
                .collect::<Result<Vec<_>, _>>()?;
            let delivery = match a.delivery {
                Some(DeliveryArg::Peppol) => Delivery::Peppol,
                Some(DeliveryArg::Email) => Delivery::Email,
                Some(DeliveryArg::None) => Delivery::None,
                None if !identifiers.is_empty() => Delivery::Peppol,
                None if a.email.is_some() => Delivery::Email,
                None => Delivery::None,
            };
            let upserted = store
                .upsert_participant(NewParticipant {
                    owner_company_id: None,
                    legal_name: a.name,
                    vat_number: a.vat,
                    country: a.country.to_ascii_uppercase(),
                    address: Address {
                        street: a.street,
                        city: a.city,
                        postal_code: a.postal_code,
                    },
                    identifiers,
                    capabilities: Vec::new(),
                    delivery,
                    email: a.email,
                    source: "cli".into(),
                })
                .await?;
            let p = &upserted.participant;
            print(a.format, &upserted, || {
                format!(
                    "{} {}\t{}",
                    if upserted.created { "added" } else { "updated" },
                    p.id,
                    p.legal_name
                )
            });
        }
        DirectoryCommand::Import {
            files,
            kind,
            format,
        } => {
            let bar = ProgressBar::new(files.len() as u64);
            bar.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} files, {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            if format == Format::Json {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            let mut summary = Summary {
                files: files.len(),
                ..Summary::default()
            };
            for file in &files {
                let name = file.display().to_string();
                let bytes = std::fs::read(file).map_err(|source| Error::Io {
                    path: name.clone(),
                    source,
                })?;
                let is_csv = match kind {
                    Some(k) => k == ImportKind::Csv,
                    None => file
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("csv")),
                };
                let entries = if is_csv {
                    read_csv(&bytes)
                } else {
                    read_card(&bytes).map(|v| v.into_iter().map(Ok).collect())
                };
                match entries {
                    Err(error) => summary.errors.push(FileError {
                        file: name.clone(),
                        error,
                    }),
                    Ok(entries) => {
                        for entry in entries {
                            match entry {
                                Ok(new) => match store.upsert_participant(new).await {
                                    Ok(u) if u.created => summary.created += 1,
                                    Ok(_) => summary.updated += 1,
                                    Err(e) => summary.errors.push(FileError {
                                        file: name.clone(),
                                        error: ImportError {
                                            line: 0,
                                            message: e.to_string(),
                                        },
                                    }),
                                },
                                Err(error) => summary.errors.push(FileError {
                                    file: name.clone(),
                                    error,
                                }),
                            }
                            bar.set_message(format!(
                                "{} added, {} updated",
                                summary.created, summary.updated
                            ));
                        }
                    }
                }
                bar.inc(1);
            }
            bar.finish_and_clear();
            print(format, &summary, || {
                let mut lines: Vec<String> = summary
                    .errors
                    .iter()
                    .map(|e| format!("{}:{}: {}", e.file, e.error.line, e.error.message))
                    .collect();
                lines.push(format!(
                    "imported {} files: {} added, {} updated, {} errors",
                    summary.files,
                    summary.created,
                    summary.updated,
                    summary.errors.len()
                ));
                lines.join("\n")
            });
            if !summary.errors.is_empty() {
                return Err(Error::Usage(format!(
                    "{} entries could not be imported",
                    summary.errors.len()
                )));
            }
        }
        DirectoryCommand::Search {
            words,
            vat,
            id,
            limit,
            format,
        } => {
            let query = match (vat, id) {
                (Some(vat), _) => DirectoryQuery::Vat(vat),
                (_, Some(id)) => {
                    let id = gateway_peppol::ParticipantId::parse_lenient(&id)
                        .map_err(|e| Error::Usage(e.to_string()))?;
                    DirectoryQuery::Identifier(gateway_store::Identifier {
                        scheme: id.scheme().to_string(),
                        value: id.value().to_string(),
                    })
                }
                _ if words.is_empty() => {
                    return Err(Error::Usage("give words of a name, --vat or --id".into()))
                }
                _ => DirectoryQuery::Name(words.join(" ")),
            };
            let found = store
                .search_participants(&Visibility::All, &query, limit)
                .await?;
            print(format, &found, || {
                found
                    .iter()
                    .map(|p| {
                        let ids: Vec<&str> =
                            p.identifiers.iter().map(|i| i.value.as_str()).collect();
                        format!(
                            "{}\t{}\t{}\t{}\t{}",
                            p.id,
                            p.country,
                            p.delivery.as_str(),
                            ids.join(","),
                            p.legal_name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}
