//! Each part of the service built from its settings: the database, object storage, signing
//! keys, the workflow catalogue, intake, text extraction, the calendar, IMAP and the broker.
//! [`crate::Application::build`] wires them together; the data commands use some of them.

use std::{path::PathBuf, sync::Arc};

use anyhow::Context;
use sea_orm::DatabaseConnection;

use postroom_auth::HmacKeys;
use postroom_config::{ExposeSecret, Settings, WorkflowsMode};
use postroom_domain::WorkingCalendar;
use postroom_imap::{ImapPoller, ImapSettings, MailRule, RuleAction, Security};
use postroom_intake::{EmailIntake, EmailLimits, ScanIntake};
use postroom_queue::amqp::{BrokerSettings, ForeignQueue, RetryPolicy, Topology};
use postroom_storage::{ObjectStorage, S3Options};
use postroom_templates::Templates;
use postroom_worker::BucketNotifications;
use postroom_workflows::{Catalogue, Source};

/// Email intake with the `[intake]` limits.
#[must_use]
pub fn email_intake(settings: &Settings, db: DatabaseConnection, storage: ObjectStorage) -> EmailIntake {
    let i = &settings.intake;
    EmailIntake::new(
        db,
        storage,
        EmailLimits {
            max_bytes: i.max_email_bytes,
            max_attachments: i.max_attachments,
            max_depth: i.max_nesting_depth,
            max_date_age: max_date_age(settings),
        },
    )
}

/// Scan intake with the `[intake]` limits.
#[must_use]
pub fn scan_intake(settings: &Settings, db: DatabaseConnection, storage: ObjectStorage) -> ScanIntake {
    ScanIntake::new(db, storage, settings.intake.max_files_per_upload, max_date_age(settings))
}

fn max_date_age(settings: &Settings) -> chrono::Duration {
    chrono::Duration::from_std(settings.intake.max_date_age).unwrap_or(chrono::Duration::MAX)
}

/// The workflow catalogue: the built-in one, extended or replaced by `workflows.dir`.
///
/// # Errors
/// Every problem in the catalogue, each naming the file, the key and the reason.
pub fn workflow_catalogue(settings: &Settings) -> anyhow::Result<Catalogue> {
    let w = &settings.workflows;
    let source = match (&w.dir, w.mode) {
        (None, _) => Ok(Source::built_in()),
        (Some(dir), WorkflowsMode::Extend) => Source::dir(dir).map(|d| Source::built_in().overlay(d)),
        (Some(dir), WorkflowsMode::Replace) => Source::dir(dir),
    };
    let mode = if w.mode == WorkflowsMode::Replace { "replace" } else { "extend" };
    source.and_then(|s| Catalogue::from_source(&s)).with_context(|| match &w.dir {
        None => "the built-in workflow catalogue is not usable".to_owned(),
        Some(dir) => format!("workflows.dir = {} (workflows.mode = {mode}) is not usable", dir.display()),
    })
}

/// The catalogue's reply templates, compiled and checked (each parses, starts with its
/// `Subject:` line and reads only known merge fields).
///
/// # Errors
/// Every problem in the templates, each naming the file (and the unknown field).
pub fn reply_templates(settings: &Settings, catalogue: &Catalogue) -> anyhow::Result<Templates> {
    Templates::load(catalogue).with_context(|| match &settings.workflows.dir {
        None => "the built-in reply templates are not usable".to_owned(),
        Some(dir) => format!("the reply templates of workflows.dir = {} are not usable", dir.display()),
    })
}

/// The IMAP poller from `[imap]` (its mail rules checked).
pub(crate) fn imap_poller(
    settings: &Settings,
    emails: EmailIntake,
    db: DatabaseConnection,
) -> anyhow::Result<ImapPoller> {
    use postroom_config::{ImapSecurity, MailRuleAction};
    let i = &settings.imap;
    let host = i.host.clone().context("imap.host is not set")?;
    let security = match i.security {
        ImapSecurity::Tls => Security::Tls,
        ImapSecurity::Starttls => Security::StartTls,
        ImapSecurity::Plain => Security::Plain,
    };
    let rules = i
        .rules
        .iter()
        .map(|r| {
            let action = match r.action {
                MailRuleAction::Receive => RuleAction::Receive,
                MailRuleAction::Skip => RuleAction::Skip,
            };
            MailRule::new(&r.name, r.from.as_deref(), r.to.as_deref(), r.subject.as_deref(), action)
        })
        .collect::<Result<Vec<_>, _>>()
        .context("imap.rules")?;
    anyhow::ensure!(!i.folders.is_empty(), "imap.folders is empty: name at least one folder, e.g. INBOX");
    let settings = ImapSettings {
        port: i.port.unwrap_or(if security == Security::Tls { 993 } else { 143 }),
        host,
        security,
        ca_file: i.ca_file.clone(),
        username: i.username.clone(),
        password: i.password.clone().context("imap.password is not set")?,
        folders: i.folders.clone(),
        processed_folder: i.processed_folder.clone(),
        skipped_folder: i.skipped_folder.clone(),
        rejected_folder: i.rejected_folder.clone(),
        max_attempts: settings.intake.max_attempts,
        poll_interval: i.poll_interval,
        idle: i.idle,
        idle_timeout: i.idle_timeout,
        timeout: i.timeout,
        reconnect_max_delay: i.reconnect_max_delay,
        rules,
    };
    Ok(ImapPoller::new(settings, emails, db))
}

/// The text extractor from `[text]`.
pub(crate) fn text_extractor(settings: &Settings) -> postroom_text::Extractor {
    let t = &settings.text;
    postroom_text::Extractor::new(postroom_text::TextSettings {
        pdfinfo: t.pdfinfo.clone(),
        pdftotext: t.pdftotext.clone(),
        pdftoppm: t.pdftoppm.clone(),
        tesseract: t.tesseract.clone(),
        languages: t.ocr_languages.clone(),
        dpi: t.ocr_dpi,
        page_timeout: t.page_timeout,
        max_pages: t.max_pages,
        min_text_layer_chars: t.min_text_layer_chars,
    })
}

/// The working-day calendar with configured closure days and bank-holiday file.
pub(crate) fn calendar(settings: &Settings) -> anyhow::Result<WorkingCalendar> {
    let mut cal =
        WorkingCalendar::england_and_wales().with_closure_days(settings.calendar.closure_days.iter().copied());
    if let Some(path) = &settings.calendar.bank_holidays_file {
        let json = std::fs::read_to_string(path)
            .with_context(|| format!("calendar.bank_holidays_file {} cannot be read", path.display()))?;
        cal = cal.with_gov_uk_json(&json).with_context(|| {
            format!("calendar.bank_holidays_file {} is not gov.uk bank-holidays JSON", path.display())
        })?;
    }
    Ok(cal)
}

/// Connects and migrates. The URL's password never appears in errors.
///
/// # Errors
/// When the database is unreachable or a migration fails.
pub async fn connect_database(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.database_url();
    let shown = redact_url(url.expose_secret());
    let db = postroom_db::connect(url.expose_secret(), &pool_options(settings))
        .await
        .with_context(|| format!("cannot connect to the database at {shown}"))?;
    postroom_db::migrate(&db).await.with_context(|| format!("migrating the database at {shown}"))?;
    Ok(db)
}

/// Keys the drop folders own (watched, archived, rejected): bucket notifications leave them to
/// the drop-folder watcher, which archives what it takes.
pub(crate) fn drop_folder_prefixes(settings: &Settings) -> Vec<String> {
    let d = &settings.drop_folders;
    if !d.enabled {
        return Vec::new();
    }
    vec![d.scans_prefix.clone(), d.email_prefix.clone(), d.archive_prefix.clone(), d.rejected_prefix.clone()]
}

/// Broker settings from configuration.
pub(crate) fn broker_settings(
    settings: &Settings,
    url: &str,
    scans: &ScanIntake,
    storage: &ObjectStorage,
) -> BrokerSettings {
    let a = &settings.amqp;
    let foreign_queues = a
        .bucket_notifications_queue
        .iter()
        .map(|queue| ForeignQueue {
            queue: queue.clone(),
            handler: Arc::new(
                BucketNotifications::new(scans.clone(), storage.clone()).ignoring(drop_folder_prefixes(settings)),
            ),
        })
        .collect();
    BrokerSettings {
        url: url.to_owned(),
        connection_name: a
            .connection_name
            .clone()
            .unwrap_or_else(|| format!("postroom {} pid {}", env!("CARGO_PKG_VERSION"), std::process::id())),
        topology: Topology {
            prefix: a.prefix.clone(),
            exchange: a.exchange.clone(),
            retry_delays: a.retry_delays(),
            backoffice_ttl: a.backoffice_message_ttl,
        },
        prefetch: a.prefetch,
        publish_window: a.publish_window,
        poll_interval: settings.workers.outbox_poll_interval,
        retry: RetryPolicy { delays: a.retry_delays() },
        reconnect_max_delay: a.reconnect_max_delay,
        foreign_queues,
    }
}

/// Pool tuning from settings.
#[must_use]
pub fn pool_options(settings: &Settings) -> postroom_db::PoolOptions {
    postroom_db::PoolOptions {
        max_connections: settings.database.max_connections,
        sqlite_busy_timeout: settings.database.sqlite_busy_timeout,
        connect_timeout: settings.database.connect_timeout,
        statement_timeout: None,
    }
}

/// The pool the running service uses. Migrations run first on a pool without a statement
/// timeout (a long one must not be cancelled half-way); on PostgreSQL the service's own pool
/// then has `database.statement_timeout` on every connection.
///
/// # Errors
/// When the database is unreachable or a migration fails.
pub async fn serving_database(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let migrated = connect_database(settings).await?;
    let limit = settings.database.statement_timeout;
    if settings.uses_sqlite() || limit.is_zero() {
        return Ok(migrated);
    }
    migrated.close().await.context("closing the connections used to migrate")?;
    let url = settings.database_url();
    let options = postroom_db::PoolOptions { statement_timeout: Some(limit), ..pool_options(settings) };
    postroom_db::connect(url.expose_secret(), &options)
        .await
        .with_context(|| format!("cannot connect to the database at {}", redact_url(url.expose_secret())))
}

/// The slots for searches callers shape: half of the service's pool.
#[must_use]
pub fn search_slots(settings: &Settings) -> postroom_api::slots::SearchSlots {
    let backend = if settings.uses_sqlite() { postroom_db::Backend::Sqlite } else { postroom_db::Backend::Postgres };
    postroom_api::slots::SearchSlots::for_pool(pool_options(settings).max_connections(backend))
}

/// Object storage from settings: an S3 bucket for `s3://`, a directory for `file://`, else the
/// data directory's `objects/`.
///
/// # Errors
/// When the URL is not understood or the store cannot be set up.
pub fn object_storage(settings: &Settings) -> anyhow::Result<ObjectStorage> {
    let s = &settings.storage;
    match s.url.as_deref() {
        None => Ok(ObjectStorage::local(&settings.data_dir.join("objects"))?),
        Some(url) => {
            let parsed = url::Url::parse(url).with_context(|| format!("storage.url {url:?} is not a URL"))?;
            match parsed.scheme() {
                "s3" => {
                    let bucket = parsed
                        .host_str()
                        .filter(|b| !b.is_empty())
                        .with_context(|| format!("storage.url {url:?} names no bucket (s3://BUCKET[/prefix])"))?;
                    Ok(ObjectStorage::s3(S3Options {
                        bucket: bucket.to_owned(),
                        prefix: Some(parsed.path().to_owned()),
                        endpoint: s.endpoint.clone(),
                        region: s.region.clone(),
                        access_key_id: s.access_key_id.clone(),
                        secret_access_key: s.secret_access_key.as_ref().map(|k| k.expose_secret().to_owned()),
                        allow_http: s.allow_http,
                        virtual_hosted_style: s.virtual_hosted_style,
                        max_retries: s.max_retries,
                        retry_timeout: s.retry_timeout,
                    })?)
                }
                "file" => Ok(ObjectStorage::local(&PathBuf::from(parsed.path()))?),
                other => anyhow::bail!("storage.url scheme {other:?} is not supported; use s3:// or file://"),
            }
        }
    }
}

/// The token signing key: `auth.signing_key`, else the key file in the data directory.
///
/// # Errors
/// When the key is too short or the key file is unusable.
pub fn signing_keys(settings: &Settings) -> anyhow::Result<HmacKeys> {
    let keys = match &settings.auth.signing_key {
        Some(key) => HmacKeys::from_secret(key.expose_secret().as_bytes()).context("auth.signing_key")?,
        None => HmacKeys::load_or_create(&HmacKeys::default_path(&settings.data_dir))?,
    };
    Ok(keys.with_max_lifetime(settings.auth.max_token_lifetime.unwrap_or(postroom_auth::DEFAULT_MAX_LIFETIME)))
}

/// A database URL with any password replaced by `***`.
#[must_use]
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_shown_urls() {
        assert_eq!(redact_url("postgres://u:hunter2@db:5432/x"), "postgres://u:***@db:5432/x");
        assert_eq!(redact_url("sqlite://data/x.db?mode=rwc"), "sqlite://data/x.db?mode=rwc");
    }

    #[test]
    fn storage_urls_are_checked() {
        let mut s = Settings::default();
        s.storage.url = Some("ftp://x".into());
        assert!(object_storage(&s).is_err());
        s.storage.url = Some("s3://".into());
        assert!(object_storage(&s).is_err());
    }
}
