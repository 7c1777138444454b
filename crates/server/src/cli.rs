//! The `rapport` command line.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};
use rapport_core::account::Role;
use rapport_core::validate::{self, normalize_email};
use rapport_storage::Backend;

use crate::auth::password::hash_blocking;
use crate::auth::random_secret;
use crate::config::{Config, DataArgs, ServeArgs};
use crate::service::{accounts, export};
use crate::Application;

/// Rapport: a self-hosted relationship manager for professional networking.
///
/// With no command, `rapport` serves the web app and the API (same as
/// `rapport serve`). Every flag can also be set with the RAPPORT_* variable
/// shown in `rapport serve --help`.
#[derive(Debug, Parser)]
#[command(name = "rapport", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the REST API (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit (the server also applies them at start).
    Migrate(DataArgs),
    /// Manage accounts from the command line.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Create a realistic demo account (events, contacts, two years of
    /// interactions, ratings) for trying Rapport and for benchmarks.
    Demo {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Demo User")]
        name: String,
        /// How many contacts.
        #[arg(long, default_value_t = 200)]
        contacts: usize,
        /// Average interactions per contact.
        #[arg(long, default_value_t = 6)]
        interactions: usize,
        /// Random seed: the same seed makes the same network.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write an account's data to standard output: the whole account as
    /// JSON (the default), or its contacts as CSV or vCard 4.0. For
    /// admins moving a person out, and for backups of one account.
    Export {
        /// The account's email address.
        #[arg(long)]
        email: String,
        #[arg(long, value_enum, default_value_t = export::Format::Json)]
        format: export::Format,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Import a file into an account: LinkedIn's Connections.csv,
    /// Invitations.csv, messages.csv or its whole .zip, Google or Outlook
    /// CSV, vCard, any other spreadsheet. Prints the preview's totals and its
    /// errors, then commits it in one transaction (unless --dry-run). For
    /// admins moving a person in.
    Import {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// The file to import.
        file: std::path::PathBuf,
        /// Only preview: print what would happen, write nothing to the
        /// network (the preview is kept as an import to commit later).
        #[arg(long)]
        dry_run: bool,
        /// What to do with rows that resemble a contact: skip, create or merge.
        #[arg(long, value_enum, default_value_t = Duplicates::Skip)]
        duplicates: Duplicates,
        /// Keep the text of imported messages in the interactions' notes.
        #[arg(long)]
        store_message_contents: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Write a consistent copy of the SQLite database to FILE while the
    /// server runs (for PostgreSQL, prints how to use pg_dump).
    Backup {
        /// Where to write the copy; must not exist yet.
        file: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an account; prints a generated password unless --password-stdin.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Set a new password (generated, or --password-stdin) and end the
    /// account's sessions.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Disable an account: its sessions and access tokens stop working at once.
    DisableUser {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

pub fn main() -> ExitCode {
    crate::allocator::tune();
    let cli = Cli::parse();
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeArgs::parse_default()));
    let log = match &command {
        Command::Serve(args) => args.log.clone(),
        _ => std::env::var("RAPPORT_LOG").unwrap_or_else(|_| "warn".to_owned()),
    };
    init_logging(&log);
    let result = actix_web::rt::System::new().block_on(run(command));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rapport: {error:#}");
            ExitCode::FAILURE
        }
    }
}

impl ServeArgs {
    /// The serve flags from the environment alone (for a bare `rapport`).
    fn parse_default() -> ServeArgs {
        #[derive(Parser)]
        struct Bare {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Bare::parse_from(["rapport"]).serve
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let json = std::env::var("RAPPORT_LOG_FORMAT").is_ok_and(|f| f == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(data) => {
            rapport_storage::connect(&data.database_url()?).await?;
            println!("The database is up to date.");
            Ok(())
        }
        Command::Admin(admin) => run_admin(admin).await,
        Command::Backup { file, data } => backup(&file, &data).await,
        Command::Export {
            email,
            format,
            data,
        } => export_account(&email, format, &data).await,
        Command::Import {
            email,
            file,
            dry_run,
            duplicates,
            store_message_contents,
            data,
        } => {
            let options = rapport_core::import::CommitOptions {
                duplicates: match duplicates {
                    Duplicates::Skip => rapport_core::import::DuplicateChoice::Skip,
                    Duplicates::Create => rapport_core::import::DuplicateChoice::Create,
                    Duplicates::Merge => rapport_core::import::DuplicateChoice::Merge,
                },
                store_message_contents,
            };
            import_file(&email, &file, dry_run, options, &data).await
        }
        Command::Demo {
            email,
            name,
            contacts,
            interactions,
            seed,
            password_stdin,
            data,
        } => {
            if let Err(message) = validate::email(&email) {
                bail!("--email {message}");
            }
            if contacts > 100_000 {
                bail!("--contacts can be at most 100000");
            }
            let store = rapport_storage::connect(&data.database_url()?).await?;
            if store
                .user_by_email(&normalize_email(&email))
                .await?
                .is_some()
            {
                bail!("{email} already has an account; choose another address for the demo");
            }
            let (password, generated) = read_password(password_stdin)?;
            let role = accounts::first_is_admin(&*store).await?;
            let user = accounts::create(&*store, &email, &name, &password, role).await?;
            let started = std::time::Instant::now();
            let size = crate::demo::DemoSize {
                contacts,
                interactions_per_contact: interactions,
                seed,
            };
            let today = chrono::Utc::now().date_naive();
            let summary = crate::demo::populate(&*store, user.id, size, today).await?;
            println!(
                "Created the demo account {} in {:.1} s: {} events, {} contacts, {} interactions, {} ratings, {} connection flows, {} introductions.",
                user.email,
                started.elapsed().as_secs_f64(),
                summary.events,
                summary.contacts,
                summary.interactions,
                summary.ratings,
                summary.connections,
                summary.introductions
            );
            if generated {
                println!("Password: {password}");
            }
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let config = Config::from_args(&args)?;
    let app = Application::build(config).await?;
    let host = args.addr.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
    // Scripts and tests read this line to find the port.
    println!("Rapport listening on http://{host}:{}", app.port());
    tracing::info!(port = app.port(), "listening");
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((random_secret()[..20].to_owned(), true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if let Err(message) = validate::password(&password) {
        bail!("the password {message}");
    }
    Ok((password, false))
}

async fn run_admin(command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::CreateUser {
            email,
            name,
            admin,
            password_stdin,
            data,
        } => {
            let store = rapport_storage::connect(&data.database_url()?).await?;
            let (password, generated) = read_password(password_stdin)?;
            let role = if admin { Role::Admin } else { Role::User };
            let user = accounts::create(&*store, &email, &name, &password, role).await?;
            println!(
                "Created {} ({}, id {}).",
                user.email,
                role.as_str(),
                user.id
            );
            if generated {
                println!("Password: {password}");
            }
            Ok(())
        }
        AdminCommand::ResetPassword {
            email,
            password_stdin,
            data,
        } => {
            let store = rapport_storage::connect(&data.database_url()?).await?;
            let user = store
                .user_by_email(&normalize_email(&email))
                .await?
                .with_context(|| format!("no account has the email {email}"))?;
            let (password, generated) = read_password(password_stdin)?;
            store
                .change_password(user.id, &hash_blocking(&password)?, None)
                .await?;
            println!(
                "The password of {} is reset; its sessions have ended.",
                user.email
            );
            if generated {
                println!("New password: {password}");
            }
            Ok(())
        }
        AdminCommand::DisableUser { email, data } => {
            let store = rapport_storage::connect(&data.database_url()?).await?;
            let user = store
                .user_by_email(&normalize_email(&email))
                .await?
                .with_context(|| format!("no account has the email {email}"))?;
            store.set_user_disabled(user.id, true).await?;
            println!(
                "Disabled {}; its sessions and tokens no longer work.",
                user.email
            );
            Ok(())
        }
    }
}

async fn export_account(
    email: &str,
    format: export::Format,
    data: &DataArgs,
) -> anyhow::Result<()> {
    use std::io::Write;
    let store = rapport_storage::connect(&data.database_url()?).await?;
    let user = store
        .user_by_email(&normalize_email(email))
        .await?
        .with_context(|| format!("no account has the email {email}"))?;
    let bytes = export::render(&*store, &user, format, rapport_storage::now()).await?;
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

/// What `rapport import` does with possible duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Duplicates {
    Skip,
    Create,
    Merge,
}

async fn import_file(
    email: &str,
    file: &std::path::Path,
    dry_run: bool,
    options: rapport_core::import::CommitOptions,
    data: &DataArgs,
) -> anyhow::Result<()> {
    use crate::service::imports;
    let store = rapport_storage::connect(&data.database_url()?).await?;
    let user = store
        .user_by_email(&normalize_email(email))
        .await?
        .with_context(|| format!("no account has the email {email}"))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let today = crate::service::today_in(user.time_zone.as_deref(), rapport_storage::now());
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let progress = crate::import::Progress::default();
    let import = match imports::preview(
        &*store,
        user.id,
        uuid::Uuid::new_v4(),
        name,
        bytes,
        today,
        &progress,
    )
    .await
    {
        Ok(import) => import,
        Err(imports::Error::Unreadable(why)) => bail!("{}: {}", file.display(), why.message),
        Err(other) => return Err(other.into()),
    };
    let t = &import.totals;
    println!("Read {}: {}.", file.display(), import.detected);
    println!(
        "{} rows: {} new, {} to update, {} possible duplicates, {} errors, {} skipped; {} interactions, {} connection changes.",
        t.rows, t.new, t.update, t.possible_duplicate, t.error, t.skipped, t.interactions, t.connection_changes
    );
    let (errors, _) = imports::rows(
        &*store,
        user.id,
        import.id,
        Some(rapport_core::import::RowOutcome::Error),
        0,
        20,
    )
    .await?;
    for row in &errors {
        println!(
            "  {}line {}: {}: {}",
            row.file
                .as_deref()
                .map(|f| format!("{f} "))
                .unwrap_or_default(),
            row.line,
            row.field.as_deref().unwrap_or("row"),
            row.reason.as_deref().unwrap_or("cannot be read")
        );
    }
    if t.error as usize > errors.len() {
        println!("  … and {} more errors.", t.error as usize - errors.len());
    }
    if dry_run {
        println!(
            "Nothing was written (--dry-run). The preview is kept as import {}: commit it in the app, or run again without --dry-run.",
            import.id
        );
        return Ok(());
    }
    let committed = imports::commit(&*store, user.id, import.id, options, today, &progress).await?;
    let result = committed.result.unwrap_or_default();
    println!(
        "Committed import {}: {} contacts created, {} updated, {} interactions logged, {} connection changes.",
        committed.id,
        result.created.len(),
        result.updated.len(),
        result.interactions,
        result.connection_changes
    );
    Ok(())
}

async fn backup(file: &str, data: &DataArgs) -> anyhow::Result<()> {
    let url = data.database_url()?;
    let store = rapport_storage::connect(&url).await?;
    if store.backend() == Backend::Postgres {
        println!(
            "This instance uses PostgreSQL. Back it up with pg_dump, for example:\n  \
             pg_dump --format=custom --file={file} \"$RAPPORT_DATABASE_URL\"\n\
             and restore with pg_restore --clean --dbname=\"$RAPPORT_DATABASE_URL\" {file}"
        );
        return Ok(());
    }
    if std::path::Path::new(file).exists() {
        bail!("{file} already exists; choose a new file name");
    }
    store.backup_to(file).await?;
    println!("Backed up the database to {file}.");
    Ok(())
}
