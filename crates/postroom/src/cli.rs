//! The `postroom` command line.

use std::{io::Write, path::PathBuf, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use postroom_config::Settings;
use postroom_domain::Role;

use crate::{Application, ServeRole, app, telemetry};

/// Postroom: correspondence workflow for council Revenues teams.
#[derive(Debug, Parser)]
#[command(name = "postroom", version, about)]
pub struct Cli {
    /// Configuration file (default: ./postroom.toml when present). `POSTROOM_*` variables override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service: the HTTP API and the workers, in one process or split with --role.
    ///
    /// The API listens on server.bind (default 127.0.0.1:8080): the web UI at / (sign in with a
    /// user from `postroom user add`), the REST API under /api/v1 (bearer tokens from `postroom
    /// token`), its OpenAPI document at /api/openapi.json, browsable at /docs, and /healthz and
    /// /readyz.
    ///
    /// The workers: the outbox relay, which delivers committed events in-process or, with
    /// amqp.url set, publishes them to RabbitMQ (with publisher confirms) and consumes its queues;
    /// the event handlers that open triage items, extract text (PDF text layers, OCR with
    /// tesseract) and classify correspondence into work items; the drop-folder watcher; the IMAP
    /// poller (with imap.host); and the timers for expired claims and bring-forward dates.
    ///
    /// With no configuration it runs on the embedded default: a SQLite database, the stored
    /// originals and the token signing key in ./postroom-data, events delivered in-process (no
    /// broker), and the workflow catalogue built into this binary (the shipped workflows, their
    /// escalation rules and reply templates; workflows.dir extends or replaces it).
    /// Configuration comes from ./postroom.toml (or --config), then POSTROOM_* environment
    /// variables; `postroom config` prints it. Migrations run at start-up, and a configured
    /// service that is unreachable, or a bad workflow file, stops it at once with the reason;
    /// only RabbitMQ being away does not (it starts degraded, events waiting in the outbox, and
    /// connects when the broker is back), though a broker refusing its login still stops it.
    /// SIGINT or SIGTERM stops it gracefully: in-flight requests and events finish, no new
    /// event is taken, and the rest wait in the outbox for the next start.
    Serve {
        /// What this process runs. Run several `api` and `worker` processes on one database (and
        /// broker) to scale out.
        #[arg(long, value_enum, default_value_t = ServeRole::All)]
        role: ServeRole,
    },
    /// Apply pending database migrations (or revert the latest with --down N), then list them.
    Migrate {
        /// Revert this many of the latest migrations instead.
        #[arg(long, value_name = "N")]
        down: Option<u32>,
    },
    /// Print a bearer token for a user and role.
    Token {
        /// User name (letters, digits, '.', '_', '-', '@').
        #[arg(long)]
        user: String,
        /// officer, team_leader, post_room, admin, auditor or service.
        #[arg(long)]
        role: Role,
        /// How long the token is valid, e.g. 8h, 30d (default: auth.token_lifetime, else 8h).
        #[arg(long, value_parser = humantime::parse_duration)]
        valid_for: Option<Duration>,
    },
    /// Manage the local users who sign in to the web UI.
    User {
        #[command(subcommand)]
        what: UserCommand,
    },
    /// Revoke a signed token, or every token of a user issued until now (web sessions too):
    /// they get 401 from their next request. For a lost laptop, a leaver or a leaked token.
    Revoke {
        /// The token to revoke.
        #[arg(long, conflicts_with = "user", required_unless_present = "user")]
        token: Option<String>,
        /// Revoke every token issued to this user until now.
        #[arg(long)]
        user: Option<String>,
        /// Why, for the record.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Print the effective configuration (secrets redacted) as TOML.
    Config,
    /// Import data from a file.
    Import {
        #[command(subcommand)]
        what: Import,
    },
    /// Fill an empty database with a made-up district (accounts of both services, discounts,
    /// reliefs, Direct Debits, recovery) and sample emails and letters to classify.
    SeedDemo {
        /// How many accounts to create.
        #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        accounts: u32,
        /// How many sample emails and letters to receive.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(0..=10_000))]
        correspondence: u32,
        /// Seed for the random choices: the same seed gives the same district.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

/// What `postroom import` reads.
#[derive(Debug, Subcommand)]
pub enum Import {
    /// Accounts from a CSV file (columns: see the README, "Importing accounts"). Every bad row
    /// is reported with its line number; nothing is imported unless every row is good.
    Accounts {
        /// The CSV file, with a header row.
        file: PathBuf,
    },
}

/// What `postroom user` does.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user, or replace the role, display name and password of one already there (a
    /// disabled user stays disabled).
    ///
    /// The password is read from the POSTROOM_PASSWORD environment variable when it is set,
    /// else from the first line of standard input (piped: a terminal, which would show it, is
    /// refused); it is never echoed or logged. It must have 12 to 1024 characters, and is
    /// stored as an Argon2id hash.
    Add {
        /// User name: 1-64 letters, digits, '.', '_', '-' or '@'.
        name: String,
        /// officer, team_leader, post_room, admin, auditor or service.
        #[arg(long)]
        role: Role,
        /// The name shown in the web UI.
        #[arg(long, value_name = "TEXT")]
        display_name: Option<String>,
    },
    /// List the users: name, role, display name, and `disabled` for those who cannot sign in.
    List,
    /// Stop a user signing in (the account and its history are kept).
    Disable {
        /// User name.
        name: String,
    },
    /// Let a disabled user sign in again.
    Enable {
        /// User name.
        name: String,
    },
}

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the command fails with, with context.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(&settings.log);
    match cli.command {
        Command::Serve { role } => serve(settings, role).await,
        Command::Migrate { down } => migrate(&settings, down).await,
        Command::Token { user, role, valid_for } => {
            let keys = app::signing_keys(&settings)?;
            let lifetime = valid_for.or(settings.auth.token_lifetime).unwrap_or(Duration::from_secs(8 * 3600));
            let token = keys.issue(&user, role, lifetime)?;
            writeln!(std::io::stdout().lock(), "{token}").context("writing the token")?;
            Ok(())
        }
        Command::Import { what: Import::Accounts { file } } => {
            let summary = crate::data::import_accounts(&settings, &file).await?;
            writeln!(std::io::stdout().lock(), "{summary}").context("writing the summary")?;
            Ok(())
        }
        Command::SeedDemo { accounts, correspondence, seed } => {
            let options = postroom_demo::DemoOptions {
                accounts: usize::try_from(accounts)?,
                correspondence: usize::try_from(correspondence)?,
                seed,
            };
            let summary = crate::data::seed_demo(&settings, options).await?;
            writeln!(std::io::stdout().lock(), "{summary}").context("writing the summary")?;
            Ok(())
        }
        Command::User { what } => crate::users::run(&settings, what).await,
        Command::Revoke { token, user, reason } => {
            let keys = app::signing_keys(&settings)?;
            let db = app::connect_database(&settings).await?;
            let request = postroom_api::routes::tokens::RevokeRequest { token, user, reason };
            let done =
                postroom_api::routes::tokens::revoke(&db, &keys, "postroom revoke", request, chrono::Utc::now()).await;
            db.close().await?;
            let done = done.map_err(|e| anyhow::anyhow!("{e}"))?;
            let what = match (&done.token_id, done.issued_before) {
                (Some(id), _) => format!("token {id} of {}", done.user),
                (None, Some(before)) => format!("every token of {} issued until {}", done.user, before.to_rfc3339()),
                (None, None) => format!("tokens of {}", done.user),
            };
            writeln!(std::io::stdout().lock(), "revoked {what}").context("writing the result")?;
            Ok(())
        }
        Command::Config => {
            let text = toml::to_string_pretty(&settings).context("rendering the configuration")?;
            write!(std::io::stdout().lock(), "{text}").context("writing the configuration")?;
            Ok(())
        }
    }
}

async fn serve(settings: Settings, role: ServeRole) -> anyhow::Result<()> {
    let signal = shutdown_signal();
    let app = Application::build(settings, role).await?;
    let shutdown = CancellationToken::new();
    let trigger = shutdown.clone();
    tokio::spawn(async move {
        signal.await;
        tracing::info!("shutdown requested; finishing in-flight work");
        trigger.cancel();
    });
    app.run_until(shutdown).await
}

async fn migrate(settings: &Settings, down: Option<u32>) -> anyhow::Result<()> {
    let db = match down {
        None => app::connect_database(settings).await?,
        Some(steps) => {
            let url = settings.database_url();
            let db =
                postroom_db::connect(postroom_config::ExposeSecret::expose_secret(&url), &app::pool_options(settings))
                    .await
                    .with_context(|| {
                        format!(
                            "cannot connect to the database at {}",
                            app::redact_url(postroom_config::ExposeSecret::expose_secret(&url))
                        )
                    })?;
            postroom_db::rollback(&db, steps).await.context("reverting migrations")?;
            db
        }
    };
    let mut out = std::io::stdout().lock();
    for (name, applied) in postroom_db::migration_status(&db).await? {
        writeln!(out, "{} {name}", if applied { "applied" } else { "pending" })?;
    }
    Ok(())
}

/// SIGINT (Ctrl-C) or SIGTERM. The SIGTERM handler is installed when this is called, not when
/// the future is first polled, so a SIGTERM that arrives as soon as the service is up is caught.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
    async move {
        let ctrl_c = async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                tracing::error!(error = %e, "cannot listen for Ctrl-C");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let terminate = async {
            match terminate {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {}
            () = terminate => {}
        }
    }
}
