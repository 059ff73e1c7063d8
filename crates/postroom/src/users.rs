//! `postroom user`: the local users who sign in to the web UI, kept in the configured database
//! (migrated first, like the other commands). Passwords are read from `POSTROOM_PASSWORD` or
//! the first line of standard input, never echoed or logged, and stored as Argon2id hashes.

use std::io::{BufRead, Write};

use anyhow::{Context, bail};

use postroom_config::{PASSWORD_ENV, Settings};
use postroom_domain::Role;

use crate::{app, cli::UserCommand};

/// Longest display name accepted, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// Runs a `postroom user` command, printing its outcome.
///
/// # Errors
/// A bad user name, password or display name; an unknown user; the database failing.
pub async fn run(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let lines = match command {
        UserCommand::Add { name, role, display_name } => {
            let from_env = match std::env::var(PASSWORD_ENV) {
                Ok(password) => Some(password),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => bail!("{PASSWORD_ENV} is not valid UTF-8"),
            };
            let stdin = std::io::stdin();
            if from_env.is_none() && std::io::IsTerminal::is_terminal(&stdin) {
                // A terminal would show the password as it is typed.
                bail!("set {PASSWORD_ENV}, or pipe the password to standard input (it is not read from a terminal)");
            }
            let password = read_password(from_env, stdin.lock())?;
            vec![add_user(settings, &name, role, display_name.as_deref(), &password).await?]
        }
        UserCommand::List => list_users(settings).await?,
        UserCommand::Disable { name } => vec![set_disabled(settings, &name, true).await?],
        UserCommand::Enable { name } => vec![set_disabled(settings, &name, false).await?],
    };
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}").context("writing the result")?;
    }
    Ok(())
}

/// The password: `from_env` (`POSTROOM_PASSWORD`) when set, else the first line of `input`
/// without its line ending.
///
/// # Errors
/// When neither gives one, or `input` cannot be read.
pub fn read_password(from_env: Option<String>, mut input: impl BufRead) -> anyhow::Result<String> {
    if let Some(password) = from_env {
        return Ok(password);
    }
    let mut line = String::new();
    let read = input.read_line(&mut line).context("reading the password from standard input")?;
    if read == 0 {
        bail!("no password: set {PASSWORD_ENV} or give it on the first line of standard input");
    }
    let end = line.trim_end_matches(['\n', '\r']).len();
    line.truncate(end);
    Ok(line)
}

/// Adds `name` with `role`, or replaces the role, display name and password of the user
/// already there; the line to print.
///
/// # Errors
/// A bad user name, display name or password (with the rule to follow); the database failing.
pub async fn add_user(
    settings: &Settings,
    name: &str,
    role: Role,
    display_name: Option<&str>,
    password: &str,
) -> anyhow::Result<String> {
    postroom_auth::validate_user(name)?;
    let display_name = display_name.map(str::trim).filter(|d| !d.is_empty());
    if display_name.is_some_and(|d| d.chars().count() > MAX_DISPLAY_NAME_CHARS || d.chars().any(char::is_control)) {
        bail!("the display name must have at most {MAX_DISPLAY_NAME_CHARS} characters and no control characters");
    }
    let hash = postroom_auth::password::hash_password(password).with_context(|| format!("user {name}"))?;
    let db = app::connect_database(settings).await?;
    let saved = postroom_db::users::upsert(&db, name, role, display_name, &hash)
        .await
        .with_context(|| format!("saving user {name}"));
    db.close().await?;
    saved?;
    Ok(format!("user {name} ({role}) saved"))
}

/// One line per user, by name: name, role, display name (`-` when none), tab-separated, then
/// `disabled` for a disabled user. No hashes.
///
/// # Errors
/// When the database fails.
pub async fn list_users(settings: &Settings) -> anyhow::Result<Vec<String>> {
    let db = app::connect_database(settings).await?;
    let users = postroom_db::users::list(&db).await.context("listing users");
    db.close().await?;
    Ok(users?
        .into_iter()
        .map(|u| {
            let display = u.display_name.as_deref().unwrap_or("-");
            let disabled = if u.disabled { "\tdisabled" } else { "" };
            format!("{}\t{}\t{display}{disabled}", u.user_name, u.role)
        })
        .collect())
}

/// Disables (or enables again) `name`; the line to print.
///
/// # Errors
/// A bad user name, no such user, the database failing.
pub async fn set_disabled(settings: &Settings, name: &str, disabled: bool) -> anyhow::Result<String> {
    postroom_auth::validate_user(name)?;
    let max_lifetime = app::signing_keys(settings)?.max_lifetime();
    let db = app::connect_database(settings).await?;
    let found = disable_or_enable(&db, name, disabled, max_lifetime).await;
    db.close().await?;
    if !found? {
        bail!("there is no user called {name} (add one with `postroom user add`)");
    }
    Ok(format!("user {name} {}", if disabled { "disabled" } else { "enabled" }))
}

/// Disabling also revokes every token issued to the user until now (web sessions and API
/// tokens alike), so they stop working at once.
async fn disable_or_enable(
    db: &sea_orm::DatabaseConnection,
    name: &str,
    disabled: bool,
    max_lifetime: std::time::Duration,
) -> anyhow::Result<bool> {
    let found =
        postroom_db::users::set_disabled(db, name, disabled).await.with_context(|| format!("updating user {name}"))?;
    if found && disabled {
        let now = chrono::Utc::now();
        let expires_at = now + chrono::Duration::from_std(max_lifetime)?;
        let what = postroom_db::revocations::Revoked::IssuedBefore { issued_before: now, expires_at };
        postroom_db::revocations::revoke(db, name, what, "postroom user disable", Some("user disabled"), now).await?;
    }
    Ok(found)
}
