//! IMAP intake: polls the council mailbox and receives each message as email.
//!
//! For each configured folder the poller selects it, lists its UIDs, and takes the ones the
//! ledger (UIDVALIDITY + UID) has not seen: fetches the raw message with `BODY.PEEK[]` (so it
//! stays unread for people), applies the mail rules, receives it through [`EmailIntake`]
//! (over-limit mail is kept raw and triaged with the reason, since a mailbox cannot be told no),
//! records it in the ledger, and only then moves it to the processed folder (or flags it).
//! Nothing is ever deleted.
//!
//! Every step is idempotent, so a crash anywhere loses and duplicates nothing: a message received
//! but not yet in the ledger is found again and recognised by its Message-ID or bytes; one in
//! the ledger but not yet moved is moved at the next round. A new UIDVALIDITY (a rebuilt
//! mailbox) makes every message new to the ledger, and the same deduplication keeps it at one
//! record each.
//!
//! Between rounds the poller waits with IMAP IDLE when the server offers it and one folder is
//! watched, so new mail is taken within seconds; otherwise it polls every `poll_interval`.

mod connect;
mod round;
mod rules;
mod set_aside;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context;
use async_imap::Session;
use futures::TryStreamExt;
use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};
use tokio_util::sync::CancellationToken;

use postroom_db::dead_letters;
use postroom_intake::{Attempts, EmailIntake};

pub use connect::Security;
pub use rules::{MailRule, RuleAction, RuleError};

/// The keyword set on messages taken when there is no processed folder.
pub const TAKEN_KEYWORD: &str = "$Postroom";
/// The keyword set on messages set aside when there is no rejected folder.
pub const REJECTED_KEYWORD: &str = "$PostroomRejected";
/// The `source` of the dead letter recorded for a message set aside.
pub const DEAD_LETTER_SOURCE: &str = dead_letters::IMAP_SOURCE;

/// Where the mailbox is and how to treat it.
#[derive(Debug, Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Extra trusted certificates (PEM), e.g. the council's own CA; the system's are trusted too.
    pub ca_file: Option<std::path::PathBuf>,
    pub username: String,
    pub password: SecretString,
    /// Folders to take mail from, e.g. `INBOX`.
    pub folders: Vec<String>,
    /// Where taken messages are moved (created if missing); without it they are flagged
    /// `\Seen` and [`TAKEN_KEYWORD`] and left in place.
    pub processed_folder: Option<String>,
    /// Where messages a rule skips are moved; without it they go where taken messages go.
    pub skipped_folder: Option<String>,
    /// Where a message that failed `max_attempts` times is set aside (with a dead letter naming
    /// it); without it the message is flagged [`REJECTED_KEYWORD`] and left in place.
    pub rejected_folder: Option<String>,
    /// Failures of one message (while the database and store answer) before it is set aside.
    pub max_attempts: u32,
    pub poll_interval: Duration,
    /// Wait with IDLE between rounds where the server supports it (one folder only).
    pub idle: bool,
    /// The longest one IDLE lasts before it is renewed (servers drop idle clients after 30 min).
    pub idle_timeout: Duration,
    /// Connecting, logging in and each command.
    pub timeout: Duration,
    /// Longest wait between reconnection attempts.
    pub reconnect_max_delay: Duration,
    pub rules: Vec<MailRule>,
}

/// What happened in one round.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RoundReport {
    pub received: usize,
    pub duplicates: usize,
    pub skipped: usize,
    pub moved: usize,
    /// Messages that failed this round (tried again next round).
    pub failed: usize,
    /// Messages set aside after failing `max_attempts` times.
    pub set_aside: usize,
}

/// Takes mail from the council mailbox.
#[derive(Clone)]
pub struct ImapPoller {
    settings: Arc<ImapSettings>,
    emails: EmailIntake,
    db: DatabaseConnection,
    /// Failures so far of messages not yet taken, across sessions.
    attempts: Arc<Mutex<Attempts>>,
}

impl ImapPoller {
    #[must_use]
    pub fn new(settings: ImapSettings, emails: EmailIntake, db: DatabaseConnection) -> Self {
        let attempts = Arc::new(Mutex::new(Attempts::new(settings.max_attempts)));
        Self { settings: Arc::new(settings), emails, db, attempts }
    }

    /// Connects and logs in once, to fail fast at start-up on a wrong host or password.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses the login.
    pub async fn check(&self) -> anyhow::Result<()> {
        let s = &self.settings;
        match connect::open(s).await? {
            connect::Opened::Plain(client) => self.login(client).await?.logout().await?,
            connect::Opened::Tls(client) => self.login(*client).await?.logout().await?,
        }
        Ok(())
    }

    /// Runs until `cancel` fires, reconnecting with growing delays after failures.
    pub async fn run(self, cancel: CancellationToken) {
        let s = self.settings.clone();
        tracing::info!(host = %s.host, port = s.port, folders = ?s.folders, "watching the IMAP mailbox");
        let first_delay = Duration::from_secs(1);
        let mut delay = first_delay;
        while !cancel.is_cancelled() {
            let mut rounds_done = false;
            let result = match connect::open(&s).await {
                Ok(connect::Opened::Plain(client)) => self.session(client, &cancel, &mut rounds_done).await,
                Ok(connect::Opened::Tls(client)) => self.session(*client, &cancel, &mut rounds_done).await,
                Err(e) => Err(e),
            };
            if rounds_done {
                // A session that completed a round (e.g. dropped later when the mailbox was
                // rebuilt) starts the backoff again; one that fails before or during its first
                // round waits longer and longer.
                delay = first_delay;
            }
            match result {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), retry_in = ?delay, "IMAP session failed; reconnecting");
                    tokio::select! {
                        () = cancel.cancelled() => break,
                        () = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(s.reconnect_max_delay);
                }
            }
        }
        tracing::info!("IMAP mailbox no longer watched");
    }

    async fn login<T>(&self, client: async_imap::Client<T>) -> anyhow::Result<Session<T>>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let s = &self.settings;
        let login = client.login(&s.username, s.password.expose_secret());
        let session = tokio::time::timeout(s.timeout, login)
            .await
            .with_context(|| format!("IMAP login to {} timed out", s.host))?
            .map_err(|(e, _)| e)
            .with_context(|| format!("IMAP login to {} as {} was refused", s.host, s.username))?;
        Ok(session)
    }

    /// One logged-in session: rounds, with IDLE or a sleep between them, until cancelled.
    async fn session<T>(
        &self,
        client: async_imap::Client<T>,
        cancel: &CancellationToken,
        rounds_done: &mut bool,
    ) -> anyhow::Result<()>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let s = &self.settings;
        let mut session = self.login(client).await?;
        let caps = session.capabilities().await?;
        let can_move = caps.has_str("MOVE");
        let can_idle = s.idle && caps.has_str("IDLE") && s.folders.len() == 1;
        for folder in s.processed_folder.iter().chain(&s.skipped_folder).chain(&s.rejected_folder) {
            // Creating a folder that exists fails harmlessly; one that cannot be created shows
            // up as a failed move, and the message stays in place.
            if session.create(folder).await.is_ok() {
                tracing::info!(%folder, "IMAP folder created");
            }
        }
        loop {
            let report = self.round(&mut session, can_move).await?;
            *rounds_done = true;
            if report != RoundReport::default() {
                tracing::info!(?report, "IMAP round");
            }
            if can_idle {
                let mut idle = session.idle();
                idle.init().await?;
                let (wait, stop) = idle.wait_with_timeout(s.idle_timeout);
                let stopped = tokio::select! {
                    r = wait => { r?; false }
                    () = cancel.cancelled() => true,
                };
                drop(stop);
                session = idle.done().await?;
                if stopped {
                    break;
                }
            } else {
                tokio::select! {
                    () = cancel.cancelled() => break,
                    () = tokio::time::sleep(s.poll_interval) => {}
                }
            }
        }
        let _ = session.logout().await;
        Ok(())
    }

    /// Moves a taken message to `target` (MOVE, or COPY + delete flag + UID EXPUNGE of just that
    /// message), or flags it when there is no target.
    async fn put_away<T>(
        &self,
        session: &mut Session<T>,
        uid: u32,
        target: Option<&str>,
        can_move: bool,
    ) -> anyhow::Result<()>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    {
        let set = uid.to_string();
        match target {
            Some(folder) if can_move => session.uid_mv(&set, folder).await?,
            Some(folder) => {
                session.uid_copy(&set, folder).await?;
                let _: Vec<_> = session.uid_store(&set, "+FLAGS.SILENT (\\Deleted)").await?.try_collect().await?;
                let _: Vec<_> = session.uid_expunge(&set).await?.try_collect().await?;
            }
            None => {
                let flags = format!("+FLAGS.SILENT (\\Seen {TAKEN_KEYWORD})");
                let _: Vec<_> = session.uid_store(&set, flags).await?.try_collect().await?;
            }
        }
        Ok(())
    }
}
