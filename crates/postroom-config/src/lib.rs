//! Postroom's one typed configuration.
//!
//! Loaded once at start-up: built-in defaults, then `postroom.toml` (or the file given with
//! `--config`), then `POSTROOM_*` environment variables, where `__` separates sections
//! (`POSTROOM_DATABASE__URL`, `POSTROOM_SERVER__BIND`). Unknown keys are refused with the key
//! and where it came from. Secrets are held in [`SecretString`], whose `Debug` is redacted.
//!
//! With no configuration at all Postroom runs on the embedded default: everything lives in the
//! data directory (`./postroom-data`): a SQLite database, a local object store and the token
//! signing key.

mod replies;

pub use replies::{EXAMPLE_COUNCIL_NAME, ReplySettings, domain_of};

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::NaiveDate;
use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
pub use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

mod auth;
mod charges;
mod classifier;
mod smtp;
mod team_leaders;
mod web;
pub use auth::AuthSettings;
pub use charges::{ChargesSettings, EXAMPLE_COUNCIL, Money};
pub use classifier::ClassifierSettings;
pub use smtp::{SmtpSecurity, SmtpSettings};
pub use team_leaders::TeamLeaderSettings;
pub use web::WebSettings;

/// The configuration file read from the working directory when no `--config` is given.
pub const DEFAULT_CONFIG_FILE: &str = "postroom.toml";
/// Prefix of configuration environment variables.
pub const ENV_PREFIX: &str = "POSTROOM_";
/// The password `postroom user add` reads; not configuration, so the loader skips it.
pub const PASSWORD_ENV: &str = "POSTROOM_PASSWORD";

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file given explicitly does not exist.
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    /// A key is unknown, has the wrong type or an invalid value.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// All of Postroom's settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Where the embedded default keeps its database, objects and keys.
    pub data_dir: PathBuf,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub storage: StorageSettings,
    pub auth: AuthSettings,
    pub calendar: CalendarSettings,
    pub intake: IntakeSettings,
    pub workers: WorkerSettings,
    pub text: TextSettings,
    pub drop_folders: DropFolderSettings,
    pub imap: ImapSettings,
    pub smtp: SmtpSettings,
    pub workflows: WorkflowSettings,
    pub classifier: ClassifierSettings,
    pub accounts: AccountSettings,
    pub work: WorkSettings,
    pub team_leaders: TeamLeaderSettings,
    pub web: WebSettings,
    pub charges: ChargesSettings,
    pub amqp: AmqpSettings,
    pub replies: ReplySettings,
    pub log: LogSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("postroom-data"),
            server: ServerSettings::default(),
            database: DatabaseSettings::default(),
            storage: StorageSettings::default(),
            auth: AuthSettings::default(),
            calendar: CalendarSettings::default(),
            intake: IntakeSettings::default(),
            workers: WorkerSettings::default(),
            text: TextSettings::default(),
            drop_folders: DropFolderSettings::default(),
            imap: ImapSettings::default(),
            smtp: SmtpSettings::default(),
            workflows: WorkflowSettings::default(),
            classifier: ClassifierSettings::default(),
            accounts: AccountSettings::default(),
            work: WorkSettings::default(),
            team_leaders: TeamLeaderSettings::default(),
            web: WebSettings::default(),
            charges: ChargesSettings::default(),
            amqp: AmqpSettings::default(),
            replies: ReplySettings::default(),
            log: LogSettings::default(),
        }
    }
}

/// HTTP server.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address to listen on; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Largest request body accepted (uploads included), in bytes.
    pub max_body_bytes: usize,
    /// How long a request may take before it is answered 408.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
    /// How long shutdown waits for in-flight requests and work.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body_bytes: 50 * 1024 * 1024,
            request_timeout: Duration::from_secs(120),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Database. Without `url`, a SQLite file in the data directory.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:5432/db` or `sqlite://path/to/file.db`.
    #[serde(serialize_with = "serialize_redacted")]
    pub url: Option<SecretString>,
    /// Largest number of pooled connections (default: 10 on PostgreSQL, 5 on SQLite).
    pub max_connections: Option<u32>,
    /// SQLite busy timeout.
    #[serde(with = "humantime_serde")]
    pub sqlite_busy_timeout: Option<Duration>,
    /// How long to keep trying to connect (at start-up, and for a pooled connection) before failing.
    #[serde(with = "humantime_serde")]
    pub connect_timeout: Option<Duration>,
    /// PostgreSQL: the longest one statement of the running service may take before the
    /// database cancels it (`statement_timeout` on every pooled connection); `0s` for no limit.
    /// At most `server.request_timeout`. Not applied to `migrate`, `import` or `export`, nor on
    /// SQLite (which has no such setting).
    #[serde(with = "humantime_serde")]
    pub statement_timeout: Duration,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: None,
            sqlite_busy_timeout: None,
            connect_timeout: None,
            statement_timeout: Duration::from_secs(15),
        }
    }
}

/// Object storage. Without `url`, a directory in the data directory.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageSettings {
    /// `s3://bucket` (or `s3://bucket/prefix`), or `file:///absolute/dir`.
    pub url: Option<String>,
    /// S3 endpoint for S3-compatible servers (SeaweedFS, MinIO), e.g. `http://127.0.0.1:8333`.
    pub endpoint: Option<String>,
    /// S3 region (default `us-east-1`).
    pub region: Option<String>,
    /// S3 access key id; without one, the usual AWS environment and instance credentials apply.
    pub access_key_id: Option<String>,
    /// S3 secret access key.
    #[serde(serialize_with = "serialize_redacted")]
    pub secret_access_key: Option<SecretString>,
    /// Allow plain `http://` endpoints (local servers only).
    pub allow_http: bool,
    /// Use virtual-hosted-style requests (`bucket.host`) instead of path style.
    pub virtual_hosted_style: bool,
    /// Retries of a failed S3 request (with growing delay) before it fails.
    pub max_retries: usize,
    /// Longest time spent retrying one S3 request.
    #[serde(with = "humantime_serde")]
    pub retry_timeout: Duration,
}

impl Default for StorageSettings {
    fn default() -> Self {
        Self {
            url: None,
            endpoint: None,
            region: None,
            access_key_id: None,
            secret_access_key: None,
            allow_http: false,
            virtual_hosted_style: false,
            max_retries: 5,
            retry_timeout: Duration::from_secs(60),
        }
    }
}

/// The working-day calendar.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarSettings {
    /// Council closure days (e.g. the days between Christmas and New Year), `YYYY-MM-DD`.
    pub closure_days: Vec<NaiveDate>,
    /// A gov.uk `bank-holidays.json` file whose England & Wales events are added (for
    /// proclaimed one-off bank holidays).
    pub bank_holidays_file: Option<PathBuf>,
}

/// Intake.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntakeSettings {
    /// Working days after receipt that a triage item is due.
    pub triage_target_working_days: u32,
    /// Most files in one scan upload.
    pub max_files_per_upload: usize,
    /// Largest email accepted, in bytes (the API answers 413; from IMAP it is kept and triaged).
    pub max_email_bytes: usize,
    /// Most attachments in one email, nested messages included.
    pub max_attachments: usize,
    /// Deepest nesting of forwarded messages inside an email.
    pub max_nesting_depth: usize,
    /// How far back a date a sender controls may lie: a scan's `received_on` stamp older than
    /// this is refused (422); an email delivery time older than this is replaced by the time
    /// Postroom took it.
    #[serde(with = "humantime_serde")]
    pub max_date_age: Duration,
    /// How many times the drop folders and the IMAP poller try a file or message that fails
    /// before setting it aside (rejected prefix or folder, with the reason) and going on.
    pub max_attempts: u32,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            triage_target_working_days: 1,
            max_files_per_upload: 100,
            max_email_bytes: 25 * 1024 * 1024,
            max_attachments: 50,
            max_nesting_depth: 5,
            max_date_age: Duration::from_secs(90 * 24 * 60 * 60),
            max_attempts: 3,
        }
    }
}

/// Background workers.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerSettings {
    /// How often the outbox relay looks for events when nothing wakes it.
    #[serde(with = "humantime_serde")]
    pub outbox_poll_interval: Duration,
    /// Most outbox events handled per round.
    pub outbox_batch_size: u64,
    /// First retry delay for a failed event; doubles per attempt.
    #[serde(with = "humantime_serde")]
    pub retry_base_delay: Duration,
    /// Attempts before an event is set aside as dead (visible to admins).
    pub max_attempts: u32,
    /// How long an outbox event is kept after it was delivered; then the work timers delete it.
    /// Events not yet delivered and dead events are kept whatever their age.
    #[serde(with = "humantime_serde")]
    pub outbox_retention: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            outbox_poll_interval: Duration::from_secs(1),
            outbox_batch_size: 100,
            retry_base_delay: Duration::from_secs(2),
            max_attempts: 8,
            outbox_retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Text extraction: poppler-utils for PDFs, tesseract for OCR. A tool that is not installed
/// leaves documents marked `unavailable` (the item still flows and shows "no text" in triage).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextSettings {
    /// `pdfinfo` (page counts), from poppler-utils.
    pub pdfinfo: PathBuf,
    /// `pdftotext` (PDF text layers), from poppler-utils.
    pub pdftotext: PathBuf,
    /// `pdftoppm` (PDF pages to images for OCR), from poppler-utils.
    pub pdftoppm: PathBuf,
    /// `tesseract` (OCR), from tesseract-ocr.
    pub tesseract: PathBuf,
    /// Tesseract languages, e.g. `eng` or `eng+cym` (each needs its tesseract-ocr-<lang> package).
    pub ocr_languages: String,
    /// Resolution PDF pages are rasterised at for OCR.
    pub ocr_dpi: u32,
    /// Longest one page may take; a tool that overruns is stopped and the page marked.
    #[serde(with = "humantime_serde")]
    pub page_timeout: Duration,
    /// Pages beyond this are not read (the document says so).
    pub max_pages: u32,
    /// A PDF page whose text layer has fewer letters and digits than this is read by OCR.
    pub min_text_layer_chars: usize,
    /// Documents read at once by one worker process (OCR queue consumers).
    pub concurrency: usize,
}

impl Default for TextSettings {
    fn default() -> Self {
        Self {
            pdfinfo: "pdfinfo".into(),
            pdftotext: "pdftotext".into(),
            pdftoppm: "pdftoppm".into(),
            tesseract: "tesseract".into(),
            ocr_languages: "eng".to_owned(),
            ocr_dpi: 300,
            page_timeout: Duration::from_secs(60),
            max_pages: 100,
            min_text_layer_chars: 25,
            concurrency: 2,
        }
    }
}

/// Drop folders in the object store (the local `data_dir/objects/` directory on the embedded
/// default, or the bucket): files put there are received, then moved to the archive.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DropFolderSettings {
    /// Watch the drop folders (worker role).
    pub enabled: bool,
    /// Scans: PDF, TIFF, PNG, JPEG.
    pub scans_prefix: String,
    /// Raw emails (`.eml`).
    pub email_prefix: String,
    /// Received files are moved here: `<archive_prefix><YYYY-MM-DD>/<hash>-<name>`.
    pub archive_prefix: String,
    /// Files that cannot be received are moved here with a `.reason.txt` beside them.
    pub rejected_prefix: String,
    /// How often the folders are listed.
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// How long a file must stay unchanged before it is taken (a copy still in progress is not).
    #[serde(with = "humantime_serde")]
    pub stable_for: Duration,
}

impl Default for DropFolderSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            scans_prefix: "inbox/scans/".to_owned(),
            email_prefix: "inbox/email/".to_owned(),
            archive_prefix: "archive/".to_owned(),
            rejected_prefix: "inbox/rejected/".to_owned(),
            poll_interval: Duration::from_secs(5),
            stable_for: Duration::from_secs(5),
        }
    }
}

/// The workflow catalogue and the classifier. The catalogue shipped with Postroom is built into
/// the binary; `dir` extends or replaces it (see [`WorkflowsMode`]).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkflowSettings {
    /// A directory of workflow files (`*.toml`, `escalation.toml`, `templates/*.j2`) laid over
    /// the built-in catalogue, or used instead of it. Unset: the built-in catalogue alone.
    pub dir: Option<PathBuf>,
    /// How `dir` combines with the built-in catalogue.
    pub mode: WorkflowsMode,
    /// The score a workflow's fired rules must reach for an item to leave triage.
    pub threshold: f32,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        Self { dir: None, mode: WorkflowsMode::Extend, threshold: 3.0 }
    }
}

/// How `workflows.dir` combines with the built-in catalogue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowsMode {
    /// Each file in `dir` replaces the built-in file with the same name (`ct-refund.toml` is the
    /// workflow `ct-refund`; `templates/refund-issued.email.j2` that template;
    /// `escalation.toml` the escalation rules); the others are added.
    #[default]
    Extend,
    /// `dir` is the whole catalogue; nothing built in is used.
    Replace,
}

/// Accounts.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountSettings {
    /// Regular expressions that find candidate account references in letters (council- and
    /// vendor-specific: e.g. `\\b5\\d{8}\\b` for Council Tax and `\\b1\\d{8}\\b` for Business
    /// Rates). Every candidate is checked against the accounts before it is linked.
    pub reference_patterns: Vec<String>,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self { reference_patterns: vec![r"\b\d{8,10}\b".to_owned()] }
    }
}

/// Officers' work: claims, bring-forward dates and four-eyes approval.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkSettings {
    /// A claimed item with no action by its holder for this long goes back to ready.
    #[serde(with = "humantime_serde")]
    pub claim_timeout: Duration,
    /// How often expired claims and bring-forward dates are looked for.
    #[serde(with = "humantime_serde")]
    pub timer_interval: Duration,
    /// A discount starting more than this many days ago needs a team leader's approval.
    pub approval_backdate_days: i64,
    /// Account change kinds that always need a team leader's approval.
    pub approval_kinds: Vec<postroom_domain::ChangeKind>,
    /// A refund or write-off of more than this many pence needs a team leader's approval even
    /// when `approval_kinds` does not list its kind.
    pub approval_amount_pence: i64,
    /// The largest amount of money, in pence, any account change may carry (a refund, a
    /// write-off, a payment arrangement's payment): larger ones are refused as mistakes.
    pub max_amount_pence: i64,
    /// Days after a Business Rates summons was served before a liability order may be recorded:
    /// 14 as Council Tax's SI 1992/613 reg 35(2A); the NNDR rule is unverified, so configurable.
    pub business_rates_liability_order_days: u32,
    /// How long a completion's `Idempotency-Key` and its response are kept.
    #[serde(with = "humantime_serde")]
    pub idempotency_ttl: Duration,
}

impl Default for WorkSettings {
    fn default() -> Self {
        Self {
            claim_timeout: Duration::from_secs(30 * 60),
            timer_interval: Duration::from_secs(30),
            approval_backdate_days: 28,
            approval_kinds: vec![postroom_domain::ChangeKind::Refund, postroom_domain::ChangeKind::WriteOff],
            approval_amount_pence: 100_000,
            max_amount_pence: 1_000_000_000,
            business_rates_liability_order_days: 14,
            idempotency_ttl: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// The most `work.max_amount_pence` may be: £10,000,000,000, far beyond any council's refund,
/// and small enough that sums of amounts cannot overflow.
pub const MAX_AMOUNT_PENCE_LIMIT: i64 = 1_000_000_000_000;

impl WorkSettings {
    /// What is wrong with these settings, each naming its key.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(1..=MAX_AMOUNT_PENCE_LIMIT).contains(&self.max_amount_pence) {
            problems.push(format!(
                "work.max_amount_pence = {} must be from 1 to {MAX_AMOUNT_PENCE_LIMIT}",
                self.max_amount_pence
            ));
        }
        if !(0..=self.max_amount_pence).contains(&self.approval_amount_pence) {
            problems.push(format!(
                "work.approval_amount_pence = {} must be from 0 to work.max_amount_pence ({})",
                self.approval_amount_pence, self.max_amount_pence
            ));
        }
        if self.approval_backdate_days < 0 {
            problems
                .push(format!("work.approval_backdate_days = {} must not be negative", self.approval_backdate_days));
        }
        problems
    }
}

/// The council mailbox over IMAP. Polling is on when `host` is set (worker role).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImapSettings {
    pub host: Option<String>,
    /// Default 993 (`tls`) or 143 (`starttls`, `plain`).
    pub port: Option<u16>,
    pub security: ImapSecurity,
    /// Extra trusted CA certificates (PEM) for TLS, e.g. the council's own CA.
    pub ca_file: Option<PathBuf>,
    pub username: String,
    #[serde(serialize_with = "serialize_redacted")]
    pub password: Option<SecretString>,
    /// Folders mail is taken from.
    pub folders: Vec<String>,
    /// Where taken messages are moved (created if missing). Without it they are flagged
    /// `\Seen` and `$Postroom` and left where they are.
    pub processed_folder: Option<String>,
    /// Where messages a `skip` rule matches are moved (default: the processed folder).
    pub skipped_folder: Option<String>,
    /// Where a message that fails `intake.max_attempts` times is set aside (created if
    /// missing), with a dead letter naming it and the reason. Without it the message is
    /// flagged `$PostroomRejected` and left where it is.
    pub rejected_folder: Option<String>,
    #[serde(with = "humantime_serde")]
    pub poll_interval: Duration,
    /// Wait for new mail with IMAP IDLE where the server offers it (one folder only).
    pub idle: bool,
    #[serde(with = "humantime_serde")]
    pub idle_timeout: Duration,
    /// Connecting, logging in.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    #[serde(with = "humantime_serde")]
    pub reconnect_max_delay: Duration,
    /// Mail rules, first match decides.
    pub rules: Vec<MailRuleSettings>,
}

impl Default for ImapSettings {
    fn default() -> Self {
        Self {
            host: None,
            port: None,
            security: ImapSecurity::Tls,
            ca_file: None,
            username: String::new(),
            password: None,
            folders: vec!["INBOX".to_owned()],
            processed_folder: Some("Postroom-Processed".to_owned()),
            skipped_folder: None,
            rejected_folder: Some("Postroom-Rejected".to_owned()),
            poll_interval: Duration::from_secs(60),
            idle: true,
            idle_timeout: Duration::from_secs(25 * 60),
            timeout: Duration::from_secs(30),
            reconnect_max_delay: Duration::from_secs(300),
            rules: Vec::new(),
        }
    }
}

/// How the IMAP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImapSecurity {
    /// TLS from the start (port 993).
    Tls,
    /// STARTTLS on a plain connection (port 143).
    Starttls,
    /// No encryption: only for a server on the same host, or tests.
    Plain,
}

/// A mail rule: regular expressions (case-insensitive) on From, To/Cc and Subject; all given
/// must match.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MailRuleSettings {
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub subject: Option<String>,
    pub action: MailRuleAction,
}

/// What a matching mail rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailRuleAction {
    /// Receive it (to let some mail past a later skip rule).
    Receive,
    /// Do not receive it: recorded in the IMAP ledger with the rule and moved aside.
    Skip,
}

/// RabbitMQ. Without `url`, events are delivered in-process (the embedded default).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AmqpSettings {
    /// `amqp://user:password@host:5672/vhost` (`%2f` is the default vhost).
    #[serde(serialize_with = "serialize_redacted")]
    pub url: Option<SecretString>,
    /// The topic exchange Postroom publishes its events to.
    pub exchange: String,
    /// Prefix of every queue and exchange name Postroom declares.
    pub prefix: String,
    /// Unacknowledged messages a consumer may hold.
    pub prefetch: u16,
    /// Publishes in flight before the relay waits for the broker's confirms.
    pub publish_window: u64,
    /// Delays before each retry of a failed message; after the last, it is dead-lettered.
    pub retry_delays: Vec<humantime_serde::Serde<Duration>>,
    /// Longest wait between reconnection attempts.
    #[serde(with = "humantime_serde")]
    pub reconnect_max_delay: Duration,
    /// Longest a back-office queue keeps messages nobody consumed.
    #[serde(with = "humantime_serde")]
    pub backoffice_message_ttl: Duration,
    /// Name shown for Postroom's connection in the broker (default: postroom, version and pid).
    pub connection_name: Option<String>,
    /// A queue of S3-style bucket event notifications (`ObjectCreated`, as MinIO or S3 publish
    /// them) to consume: each new object becomes received correspondence.
    pub bucket_notifications_queue: Option<String>,
}

impl Default for AmqpSettings {
    fn default() -> Self {
        Self {
            url: None,
            exchange: "postroom.events".to_owned(),
            prefix: "postroom".to_owned(),
            prefetch: 32,
            publish_window: 256,
            retry_delays: [1, 10, 60, 600].map(|s| Duration::from_secs(s).into()).to_vec(),
            reconnect_max_delay: Duration::from_secs(30),
            backoffice_message_ttl: Duration::from_secs(14 * 24 * 3600),
            connection_name: None,
            bucket_notifications_queue: None,
        }
    }
}

impl AmqpSettings {
    /// The retry delays as plain durations.
    #[must_use]
    pub fn retry_delays(&self) -> Vec<Duration> {
        self.retry_delays.iter().map(|d| **d).collect()
    }
}

/// Logging.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `pretty` for people, `json` for log collectors.
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info,postroom=debug`. `RUST_LOG` overrides it.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self { format: LogFormat::Pretty, filter: "info".to_owned() }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

fn serialize_redacted<S: serde::Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(_) => s.serialize_some("[REDACTED]"),
        None => s.serialize_none(),
    }
}

impl Settings {
    /// Loads defaults, then the configuration file, then `POSTROOM_*` environment variables
    /// (except [`PASSWORD_ENV`]).
    ///
    /// With `file = None`, `postroom.toml` in the working directory is read if it exists.
    ///
    /// # Errors
    /// When an explicitly named file is missing, or any key is unknown or invalid.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let figment = match file {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.to_owned())),
            Some(path) => Figment::new().merge(Toml::file_exact(path)),
            None => Figment::new().merge(Toml::file(DEFAULT_CONFIG_FILE)),
        };
        let password_key = PASSWORD_ENV.trim_start_matches(ENV_PREFIX).to_ascii_lowercase();
        Self::extract(figment.merge(Env::prefixed(ENV_PREFIX).ignore(&[&password_key]).split("__")))
    }

    /// Loads from a TOML string and the environment (for tests and tools).
    ///
    /// # Errors
    /// When any key is unknown or invalid.
    pub fn from_toml(toml: &str) -> Result<Self, ConfigError> {
        Self::extract(Figment::new().merge(Toml::string(toml)))
    }

    fn extract(figment: Figment) -> Result<Self, ConfigError> {
        let settings = figment
            .extract::<Self>()
            .map_err(|e| ConfigError::Invalid(e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")))?;
        let mut problems = settings.charges.problems();
        problems.extend(settings.work.problems());
        problems.extend(settings.smtp.problems());
        problems.extend(settings.classifier.problems());
        problems.extend(settings.team_leaders.problems());
        problems.extend(settings.web.problems());
        problems.extend(settings.auth.problems(settings.web.session_lifetime));
        problems.extend(settings.replies.problems());
        if settings.database.statement_timeout > settings.server.request_timeout {
            problems.push(format!(
                "database.statement_timeout ({:?}) must not be longer than server.request_timeout ({:?}): a \
                 query would run on after its request was answered",
                settings.database.statement_timeout, settings.server.request_timeout
            ));
        }
        if settings.smtp.host.is_some()
            && Duration::from_secs(settings.replies.sending_lease_secs) < settings.smtp.timeout.saturating_mul(10)
        {
            problems.push(format!(
                "replies.sending_lease_secs ({}) must be at least ten times smtp.timeout ({:?}): an attempt to send \
                 may take that long, and a shorter lease would take a slow attempt for an interrupted one",
                settings.replies.sending_lease_secs, settings.smtp.timeout
            ));
        }
        if settings.workflows.mode == WorkflowsMode::Replace && settings.workflows.dir.is_none() {
            problems.push(
                "workflows.mode = \"replace\" needs workflows.dir (the directory that replaces the built-in catalogue)"
                    .to_owned(),
            );
        }
        if problems.is_empty() { Ok(settings) } else { Err(ConfigError::Invalid(problems.join("; "))) }
    }

    /// The database URL the service will use: the configured one, or the embedded SQLite file.
    #[must_use]
    pub fn database_url(&self) -> SecretString {
        match &self.database.url {
            Some(url) => url.clone(),
            None => SecretString::from(format!("sqlite://{}?mode=rwc", self.data_dir.join("postroom.db").display())),
        }
    }

    /// Whether the embedded SQLite database is in use.
    #[must_use]
    pub fn uses_sqlite(&self) -> bool {
        self.database.url.as_ref().is_none_or(|u| u.expose_secret().starts_with("sqlite:"))
    }
}

#[cfg(test)]
#[expect(clippy::result_large_err, reason = "figment::Jail fixes the closures' error type")]
mod tests;
