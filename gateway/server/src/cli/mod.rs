//! The `gateway` command line.
mod archive;
mod conformance;
mod directory;
mod extract;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gateway_store::{Address, NewCompany, NewToken, NewUser, Scope, Store, Visibility};
use serde::Serialize;

use crate::config::{Config, LogFormat, Overrides};
use crate::participant::parse_participant;
use crate::{serve, Error};

#[derive(Debug, Parser)]
#[command(
    name = "gateway",
    version,
    about = "E-invoicing access point and interchange gateway"
)]
#[command(
    after_help = "Examples:\n  gateway serve                       # HTTPS on 127.0.0.1:8443, SQLite in ./data\n  gateway company add --name 'Alpha SA' --country BE --vat BE0123456749 --peppol-id 0208:0123456749\n  gateway token create --scope admin --label ops --format json"
)]
pub struct Cli {
    /// TOML configuration file (unknown keys are an error).
    #[arg(long, global = true, env = "GATEWAY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database, blobs and the development certificate.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// `postgres://USER@HOST/DB` to use PostgreSQL instead of SQLite.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway: HTTPS API, health and metrics.
    #[command(
        after_help = "Example:\n  gateway serve --data-dir /var/lib/gateway --listen 0.0.0.0:8443"
    )]
    Serve {
        /// Address to listen on (default 127.0.0.1:8443).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations and exit.
    #[command(
        after_help = "Example:\n  gateway migrate --database-url postgres://gateway@db/gateway"
    )]
    Migrate {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Convert an invoice between UBL 2.1 and UN/CEFACT CII D16B (the input syntax is detected).
    #[command(
        after_help = "Examples:\n  gateway convert --to cii invoice.xml -o invoice-cii.xml\n  cat cii.xml | gateway convert --to ubl - > ubl.xml"
    )]
    Convert {
        /// Target syntax.
        #[arg(long, value_enum)]
        to: TargetArg,
        /// Input file, or `-` for standard input.
        input: PathBuf,
        /// Output file, or `-` (default) for standard output.
        #[arg(short, long, default_value = "-")]
        output: PathBuf,
    },
    /// Find where a Peppol participant receives: SML (DNS) then its SMP, signature checked.
    #[command(
        after_help = "Examples:\n  gateway lookup 0088:5798000000001\n  gateway lookup 9925:be0123456749 --format json"
    )]
    Lookup {
        /// The receiver's participant identifier.
        participant: String,
        /// Document type identifier value (default: Peppol BIS Billing 3 invoice).
        #[arg(long)]
        document_type: Option<String>,
        /// Process identifier value (default: Peppol billing).
        #[arg(long)]
        process: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Validate invoices against EN 16931, Peppol BIS Billing 3 or CIUS-RO (UBL for now).
    #[command(
        after_help = "Examples:\n  gateway validate invoice.xml\n  gateway validate --rules peppol --format json inbox/*.xml\n  gateway validate --artefacts ../shared/conformance invoice.xml   # also the UBL/CII XML schema\n  gateway validate --format svrl invoice.xml > invoice.svrl\n\nExit code: 0 all valid, 1 some invalid, 2 unreadable input or usage error."
    )]
    Validate {
        /// auto (by CustomizationID), en16931, peppol, peppol-sb or cius-ro.
        #[arg(long, default_value = "auto")]
        rules: String,
        /// Directory with the official UBL 2.1 / CII D16B schemas: also check the XML schema
        /// (default: `validate.artefacts`, `GATEWAY_ARTEFACTS`).
        #[arg(long)]
        artefacts: Option<PathBuf>,
        /// text, json (one object per file and line) or svrl (one file: SVRL for Schematron tools).
        #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
        format: ValidateFormat,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Read an invoice from a PDF or image: embedded XML, text layer or OCR.
    Extract(extract::ExtractArgs),
    /// Print the OpenAPI 3.1 document of the HTTP API.
    #[command(after_help = "Example:\n  gateway openapi > openapi.json")]
    Openapi,
    /// Manage member companies.
    #[command(subcommand)]
    Company(CompanyCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// The participant directory: add, import, search.
    #[command(subcommand)]
    Directory(directory::DirectoryCommand),
    /// The tamper-evident archive: verify, checkpoint, expire.
    #[command(subcommand)]
    Archive(archive::ArchiveCommand),
    /// Accountant organisations and their tokens.
    #[command(subcommand)]
    Accountant(archive::AccountantCommand),
    /// Partner conformance: run the official examples and unit tests against the oracle.
    #[command(subcommand)]
    Conformance(conformance::ConformanceCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    Ubl,
    Cii,
}

/// Output of `gateway validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
    Svrl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum CompanyCommand {
    /// Register a member company.
    #[command(
        after_help = "Example:\n  gateway company add --name 'Alpha SA' --country BE --vat BE0123456749 --peppol-id 0208:0123456749 --format json"
    )]
    Add(CompanyAdd),
    /// List companies.
    #[command(after_help = "Example:\n  gateway company list --format json")]
    List {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct CompanyAdd {
    /// Legal name.
    #[arg(long)]
    pub name: String,
    /// ISO 3166-1 alpha-2 country code.
    #[arg(long)]
    pub country: String,
    #[arg(long)]
    pub vat: Option<String>,
    #[arg(long)]
    pub street: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub postal_code: Option<String>,
    /// Peppol participant identifier (repeatable), e.g. 0208:0123456749.
    #[arg(long = "peppol-id")]
    pub peppol_ids: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; its secret is printed once.
    #[command(
        after_help = "Examples:\n  gateway token create --scope admin --label operator\n  gateway token create --scope member --company 0193... --label erp --format json\n  gateway token create --scope accountant --company ID1 --company ID2 --label books"
    )]
    Create {
        #[arg(long, value_enum)]
        scope: ScopeArg,
        /// Company id (repeatable): one for member, one or more for accountant.
        #[arg(long = "company")]
        companies: Vec<String>,
        #[arg(long, default_value = "cli")]
        label: String,
        /// User the token belongs to.
        #[arg(long)]
        user: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List tokens (never their secrets).
    #[command(after_help = "Example:\n  gateway token list --format json")]
    List {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Revoke a token by id.
    #[command(after_help = "Example:\n  gateway token revoke 3f2a9c0d1e4b5a67")]
    Revoke {
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScopeArg {
    Member,
    Accountant,
    Admin,
}

impl From<ScopeArg> for Scope {
    fn from(s: ScopeArg) -> Self {
        match s {
            ScopeArg::Member => Scope::Member,
            ScopeArg::Accountant => Scope::Accountant,
            ScopeArg::Admin => Scope::Admin,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user.
    #[command(
        after_help = "Example:\n  gateway user add --email ana@alpha.example --name 'Ana Pop' --company ID"
    )]
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        company: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List users.
    #[command(after_help = "Example:\n  gateway user list --format json")]
    List {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Runs the command line; the process exits 2 on an error.
pub async fn run(cli: Cli) -> Result<(), Error> {
    let listen = match &cli.command {
        Command::Serve { listen } => *listen,
        _ => None,
    };
    let overrides = Overrides {
        listen,
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
    };
    if let Command::Convert { to, input, output } = &cli.command {
        return convert(*to, input, output);
    }
    if let Command::Validate {
        rules,
        artefacts,
        format,
        files,
    } = &cli.command
    {
        let artefacts = match artefacts {
            Some(dir) => Some(dir.clone()),
            None => {
                Config::load(cli.config.as_deref(), &overrides)?
                    .validate
                    .artefacts
            }
        };
        let validator = crate::validation::Validator::new(artefacts.as_deref())?;
        return match crate::validation::run(rules, files, *format, &validator)? {
            0 => Ok(()),
            code => Err(Error::Exit(code)),
        };
    }
    if let Command::Conformance(cmd) = &cli.command {
        let artefacts = Config::load(cli.config.as_deref(), &overrides)?
            .validate
            .artefacts;
        return match conformance::run(cmd, artefacts)? {
            0 => Ok(()),
            code => Err(Error::Exit(code)),
        };
    }
    if let Command::Extract(args) = cli.command {
        return extract::run(args);
    }
    if let Command::Openapi = cli.command {
        let doc = crate::http::openapi();
        println!(
            "{}",
            doc.to_pretty_json()
                .map_err(|e| Error::Usage(e.to_string()))?
        );
        return Ok(());
    }
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    let serving = matches!(cli.command, Command::Serve { .. });
    init_logging(&config, serving);

    match cli.command {
        Command::Serve { .. } => serve::run(config).await,
        Command::Migrate { format } => {
            let store = serve::open_store(&config).await?;
            let versions: Vec<i64> = gateway_store::migrations()
                .iter()
                .map(|m| m.version)
                .collect();
            print(
                format,
                &serde_json::json!({"database": store.backend().as_str(), "migrations": versions}),
                || {
                    format!(
                        "database ({}) is at migration {}",
                        store.backend().as_str(),
                        versions.last().copied().unwrap_or(0)
                    )
                },
            );
            Ok(())
        }
        Command::Openapi
        | Command::Convert { .. }
        | Command::Validate { .. }
        | Command::Conformance(_)
        | Command::Extract(_) => Ok(()),
        Command::Company(cmd) => company(&config, cmd).await,
        Command::Token(cmd) => token(&config, cmd).await,
        Command::User(cmd) => user(&config, cmd).await,
        Command::Directory(cmd) => directory::run(&config, cmd).await,
        Command::Archive(cmd) => archive::run(&config, cmd).await,
        Command::Accountant(cmd) => archive::accountant(&config, cmd).await,
        Command::Lookup {
            participant,
            document_type,
            process,
            format,
        } => lookup(&config, &participant, document_type, process, format).await,
    }
}

async fn company(config: &Config, cmd: CompanyCommand) -> Result<(), Error> {
    let store = serve::open_store(config).await?;
    match cmd {
        CompanyCommand::Add(a) => {
            let identifiers = a
                .peppol_ids
                .iter()
                .map(|id| parse_participant(id).map_err(Error::Usage))
                .collect::<Result<Vec<_>, _>>()?;
            let company = store
                .create_company(NewCompany {
                    legal_name: a.name,
                    vat_number: a.vat,
                    country: a.country,
                    address: Address {
                        street: a.street,
                        city: a.city,
                        postal_code: a.postal_code,
                    },
                    identifiers,
                })
                .await?;
            print(a.format, &company, || {
                format!("{}\t{}", company.id, company.legal_name)
            });
        }
        CompanyCommand::List { format } => {
            let companies = store.list_companies(&Visibility::All).await?;
            print(format, &companies, || {
                companies
                    .iter()
                    .map(|c| {
                        format!(
                            "{}\t{}\t{}\t{}",
                            c.id,
                            c.country,
                            c.vat_number.as_deref().unwrap_or("-"),
                            c.legal_name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

async fn token(config: &Config, cmd: TokenCommand) -> Result<(), Error> {
    let store = serve::open_store(config).await?;
    match cmd {
        TokenCommand::Create {
            scope,
            companies,
            label,
            user,
            format,
        } => {
            let issued = store
                .create_token(NewToken {
                    scope: scope.into(),
                    company_ids: companies,
                    label,
                    user_id: user,
                })
                .await?;
            print(format, &issued, || {
                format!(
                    "{}\n(token {}, scope {}: shown once, store it now)",
                    issued.token, issued.info.id, issued.info.scope
                )
            });
        }
        TokenCommand::List { format } => {
            let tokens = store.list_tokens(&Visibility::All).await?;
            print(format, &tokens, || {
                tokens
                    .iter()
                    .map(|t| {
                        format!(
                            "{}\t{}\t{}\t{}{}",
                            t.id,
                            t.scope,
                            t.label,
                            t.company_ids.join(","),
                            if t.revoked_at.is_some() {
                                "\trevoked"
                            } else {
                                ""
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        TokenCommand::Revoke { id, format } => {
            if !store.revoke_token(&Visibility::All, &id).await? {
                return Err(Error::Usage(format!("no token with id {id}")));
            }
            print(format, &serde_json::json!({"revoked": id}), || {
                format!("revoked {id}")
            });
        }
    }
    Ok(())
}

async fn user(config: &Config, cmd: UserCommand) -> Result<(), Error> {
    let store = serve::open_store(config).await?;
    match cmd {
        UserCommand::Add {
            email,
            name,
            company,
            format,
        } => {
            let user = store
                .create_user(NewUser {
                    email,
                    name,
                    company_id: company,
                })
                .await?;
            print(format, &user, || format!("{}\t{}", user.id, user.email));
        }
        UserCommand::List { format } => {
            let users = store.list_users(&Visibility::All).await?;
            print(format, &users, || {
                users
                    .iter()
                    .map(|u| {
                        format!(
                            "{}\t{}\t{}\t{}",
                            u.id,
                            u.email,
                            u.name,
                            u.company_id.as_deref().unwrap_or("-")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
    }
    Ok(())
}

async fn lookup(
    config: &Config,
    participant: &str,
    document_type: Option<String>,
    process: Option<String>,
    format: Format,
) -> Result<(), Error> {
    use gateway_peppol::{DocumentTypeId, ParticipantId, ProcessId};
    let usage = |e: gateway_peppol::Error| Error::Usage(e.to_string());
    let participant = ParticipantId::parse_lenient(participant).map_err(usage)?;
    let document_type = match document_type {
        Some(d) => DocumentTypeId::from_parts(gateway_peppol::DOCTYPE_SCHEME, &d).map_err(usage)?,
        None => gateway_peppol::BIS3_INVOICE,
    };
    let process = match process {
        Some(p) => ProcessId::from_parts(gateway_peppol::PROCESS_SCHEME, &p).map_err(usage)?,
        None => gateway_peppol::BILLING_PROCESS,
    };
    let lookup = crate::lookup::build(config)?;
    let found = lookup
        .lookup(&participant, &document_type, &process)
        .await
        .map_err(|e| {
            let hint = if e.is_retryable() {
                " (temporary: try again later)"
            } else {
                ""
            };
            Error::Usage(format!("{participant}: {e}{hint}"))
        })?;
    let subject = x509_subject(&found.certificate_der);
    let value = serde_json::json!({
        "participant": participant.value(),
        "endpoint_url": found.endpoint_url,
        "transport_profile": found.transport_profile,
        "certificate_subject": subject,
        "smp_url": found.smp_url,
        "smp_signer": found.smp_signer,
    });
    print(format, &value, || {
        format!(
            "{} receives at {} ({}), certificate {}; SMP {} signed by {}",
            participant.value(),
            found.endpoint_url,
            found.transport_profile,
            subject,
            found.smp_url,
            found.smp_signer
        )
    });
    Ok(())
}

/// The subject of a DER certificate, for people; `?` when it cannot be read.
fn x509_subject(der: &[u8]) -> String {
    x509_parser::parse_x509_certificate(der)
        .map(|(_, c)| c.subject().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// `gateway convert`: pure bytes in, bytes out; errors name the line and column.
fn convert(to: TargetArg, input: &std::path::Path, output: &std::path::Path) -> Result<(), Error> {
    use std::io::{Read, Write};
    let dash = std::path::Path::new("-");
    let name = input.display().to_string();
    let bytes = if input == dash {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|source| Error::Io {
                path: "standard input".into(),
                source,
            })?;
        buf
    } else {
        std::fs::read(input).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?
    };
    let target = match to {
        TargetArg::Ubl => gateway_convert::Target::Ubl,
        TargetArg::Cii => gateway_convert::Target::Cii,
    };
    let out = gateway_convert::convert(&bytes, target, &gateway_xml::Limits::default())
        .map_err(|e| Error::Usage(format!("{name}: {e}")))?;
    if output == dash {
        std::io::stdout()
            .write_all(&out)
            .map_err(|source| Error::Io {
                path: "standard output".into(),
                source,
            })
    } else {
        std::fs::write(output, out).map_err(|source| Error::Io {
            path: output.display().to_string(),
            source,
        })
    }
}

pub(crate) fn print<T: Serialize>(format: Format, value: &T, text: impl FnOnce() -> String) {
    match format {
        Format::Json => println!("{}", serde_json::to_string(value).unwrap_or_default()),
        Format::Text => {
            let text = text();
            if !text.is_empty() {
                println!("{text}");
            }
        }
    }
}

fn init_logging(config: &Config, serving: bool) {
    use tracing_subscriber::EnvFilter;
    // Admin commands print results on stdout; keep their logs to warnings on stderr.
    let default = if serving {
        config.log.level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
