//! Test harness: boots the real Postroom service in-process on a free port.
//!
//! The backend follows the environment: with `TEST_POSTGRES_URL` (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`) every test gets a fresh PostgreSQL database,
//! dropped afterwards; without it, a SQLite file in a fresh temporary data directory. When
//! `TEST_POSTGRES_URL` is set but PostgreSQL is unreachable, tests fail; they never skip.

mod backends;
pub mod dovecot;
pub mod hostile;
mod mail;
mod seed;

pub use backends::BrokerNamespace;
use backends::PgDatabase;
pub use mail::{SmtpSink, pdf_text};
pub use seed::{ACACIA_AVENUE, BilledAccount, SeedAccount, SeedItem, seed_billed_account, seed_item_on};

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use postroom::{Application, ServeRole};
use postroom_auth::HmacKeys;
use postroom_config::{SecretString, Settings};
use postroom_domain::Role;
use sea_orm::{ConnectionTrait, Database};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Environment variable naming the PostgreSQL admin URL for the PostgreSQL run.
pub const POSTGRES_ENV: &str = "TEST_POSTGRES_URL";
/// Environment variable naming a RabbitMQ URL: tests then deliver events through RabbitMQ, each
/// test under its own queue prefix and exchange (deleted afterwards).
pub const AMQP_ENV: &str = "TEST_AMQP_URL";
/// Environment variable naming an S3-compatible endpoint (with `TEST_S3_BUCKET`): tests then keep
/// originals in that bucket, under a fresh prefix per test, instead of a local directory.
pub const S3_ENDPOINT_ENV: &str = "TEST_S3_ENDPOINT";

/// A running Postroom.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    shutdown: CancellationToken,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    _data: tempfile::TempDir,
    _database: Option<PgDatabase>,
    _broker: Option<BrokerNamespace>,
}

impl TestApp {
    /// The whole service (API and workers) with default test settings.
    pub async fn spawn() -> anyhow::Result<Self> {
        Self::spawn_with(ServeRole::All, |_| {}).await
    }

    /// The service in `role`, after `configure` adjusts the settings.
    pub async fn spawn_with(role: ServeRole, configure: impl FnOnce(&mut Settings)) -> anyhow::Result<Self> {
        Self::spawn_prepared(role, configure, &[]).await
    }

    /// The whole service, on PostgreSQL after `postgres_setup` has run on the fresh database
    /// before the service opens any connection, with `{database}` standing for its name: e.g.
    /// `ALTER DATABASE "{database}" SET enable_hashjoin = off` then holds for every connection
    /// the service opens. On SQLite nothing is run.
    pub async fn spawn_with_postgres_setup(postgres_setup: &[&str]) -> anyhow::Result<Self> {
        Self::spawn_prepared(ServeRole::All, |_| {}, postgres_setup).await
    }

    async fn spawn_prepared(
        role: ServeRole,
        configure: impl FnOnce(&mut Settings),
        postgres_setup: &[&str],
    ) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let mut settings = Settings { data_dir: data.path().join("data"), ..Settings::default() };
        settings.server.bind = "127.0.0.1:0".parse()?;
        settings.workers.outbox_poll_interval = Duration::from_millis(200);
        settings.workers.retry_base_delay = Duration::from_millis(100);
        settings.log.filter = "warn".to_owned();
        // Tests pin past dates (date stamps, gateway receipt times) to get fixed due dates; the
        // tests of the date window set it back to what they check.
        settings.intake.max_date_age = Duration::from_secs(50 * 365 * 24 * 60 * 60);
        let database = match std::env::var(POSTGRES_ENV) {
            Ok(admin) => {
                let db = PgDatabase::create(&admin).await?;
                db.run(postgres_setup).await?;
                settings.database.url = Some(SecretString::from(db.url.clone()));
                Some(db)
            }
            Err(_) => None,
        };
        if let Ok(endpoint) = std::env::var(S3_ENDPOINT_ENV) {
            let bucket = std::env::var("TEST_S3_BUCKET").context("TEST_S3_ENDPOINT needs TEST_S3_BUCKET")?;
            settings.storage.url = Some(format!("s3://{bucket}/test-{}", uuid::Uuid::new_v4().simple()));
            settings.storage.endpoint = Some(endpoint);
            settings.storage.region = Some("us-east-1".to_owned());
            settings.storage.access_key_id = Some("test".to_owned());
            settings.storage.secret_access_key = Some(SecretString::from("test"));
            settings.storage.allow_http = true;
        }
        let broker = match std::env::var(AMQP_ENV) {
            Ok(url) => {
                let ns = BrokerNamespace::new(&url);
                settings.amqp.url = Some(SecretString::from(url));
                settings.amqp.prefix = ns.topology.prefix.clone();
                settings.amqp.exchange = ns.topology.exchange.clone();
                settings.amqp.retry_delays = ns.topology.retry_delays.iter().map(|d| (*d).into()).collect();
                settings.amqp.reconnect_max_delay = Duration::from_secs(2);
                settings.amqp.connection_name = Some(ns.topology.prefix.clone());
                Some(ns)
            }
            Err(_) => None,
        };
        configure(&mut settings);
        let mut app = Self {
            address: String::new(),
            client: reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?,
            settings,
            shutdown: CancellationToken::new(),
            handle: None,
            _data: data,
            _database: database,
            _broker: broker,
        };
        app.start(role).await?;
        Ok(app)
    }

    async fn start(&mut self, role: ServeRole) -> anyhow::Result<()> {
        init_test_logging();
        let built = Application::build(self.settings.clone(), role).await?;
        self.address = format!("http://127.0.0.1:{}", built.port());
        self.shutdown = CancellationToken::new();
        self.handle = Some(tokio::spawn(built.run_until(self.shutdown.clone())));
        Ok(())
    }

    /// Starts a second instance of the service on the same database, storage and broker (as a
    /// horizontally scaled deployment would), in `role`. Stops when the returned token fires.
    pub async fn spawn_sibling(
        &self,
        role: ServeRole,
    ) -> anyhow::Result<(CancellationToken, JoinHandle<anyhow::Result<()>>)> {
        let mut settings = self.settings.clone();
        settings.server.bind = "127.0.0.1:0".parse()?;
        if let Some(name) = &settings.amqp.connection_name {
            settings.amqp.connection_name = Some(format!("{name}-sibling"));
        }
        let built = Application::build(settings, role).await?;
        let stop = CancellationToken::new();
        let handle = tokio::spawn(built.run_until(stop.clone()));
        Ok((stop, handle))
    }

    /// Stops the service gracefully and waits for it.
    pub async fn stop(&mut self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        if let Some(handle) = self.handle.take() {
            handle.await.context("service task panicked")??;
        }
        Ok(())
    }

    /// Stops the service and starts it again, in `role`, on the same data and database.
    pub async fn restart(&mut self, role: ServeRole) -> anyhow::Result<()> {
        self.stop().await?;
        self.settings.server.bind = "127.0.0.1:0".parse()?;
        self.start(role).await
    }

    /// A token for `user` with `role`, signed with this service's key.
    pub fn token(&self, user: &str, role: Role) -> anyhow::Result<String> {
        let keys = HmacKeys::load_or_create(&HmacKeys::default_path(&self.settings.data_dir))?;
        Ok(keys.issue(user, role, Duration::from_secs(3600))?)
    }

    /// `address` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET with a bearer token.
    pub async fn get(&self, path: &str, token: &str) -> anyhow::Result<reqwest::Response> {
        Ok(self.client.get(self.url(path)).bearer_auth(token).send().await?)
    }

    /// GET and parse JSON, expecting 200.
    pub async fn get_json(&self, path: &str, token: &str) -> anyhow::Result<serde_json::Value> {
        let resp = self.get(path, token).await?;
        let status = resp.status();
        let body = resp.text().await?;
        anyhow::ensure!(status == 200, "GET {path}: {status} {body}");
        Ok(serde_json::from_str(&body)?)
    }

    /// POST files to the scan intake, with optional extra form fields.
    pub async fn post_scans(
        &self,
        token: &str,
        files: &[(&str, &[u8])],
        fields: &[(&str, &str)],
    ) -> anyhow::Result<reqwest::Response> {
        let mut form = reqwest::multipart::Form::new();
        for (name, bytes) in files {
            form = form.part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name((*name).to_owned()));
        }
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        Ok(self.client.post(self.url("/api/v1/intake/scans")).bearer_auth(token).multipart(form).send().await?)
    }

    /// Posts one raw email to `POST /api/v1/intake/emails` as the mail gateway does; `query` is
    /// empty or e.g. `?received_at=2026-11-20T09:00:00Z`.
    pub async fn post_email(
        &self,
        token: &str,
        raw: impl Into<Vec<u8>>,
        query: &str,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .client
            .post(self.url(&format!("/api/v1/intake/emails{query}")))
            .bearer_auth(token)
            .header("content-type", "message/rfc822")
            .body(raw.into())
            .send()
            .await?)
    }

    /// Waits until the outbox is empty (every event delivered), or fails after `timeout`.
    pub async fn wait_for_outbox_drained(&self, timeout: Duration) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let ready: serde_json::Value = self.client.get(self.url("/readyz")).send().await?.json().await?;
            if ready["outbox_pending"] == 0 {
                return Ok(());
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "outbox not drained: {ready}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until every event is delivered and every `correspondence.received` event has been
    /// handled by each of its consumers (triage item, text extraction, classification),
    /// in-process or through the broker, or fails after `timeout`.
    pub async fn wait_until_quiet(&self, timeout: Duration) -> anyhow::Result<()> {
        self.wait_for_outbox_drained(timeout).await?;
        let url = postroom_config::ExposeSecret::expose_secret(&self.settings.database_url()).to_owned();
        let db = Database::connect(url).await?;
        let deadline = tokio::time::Instant::now() + timeout;
        // Every handler of received correspondence: the triage item, the text extraction, and
        // the classification that follows the text.
        let sql = "SELECT COUNT(*) AS n FROM outbox o JOIN \
                   (SELECT 'correspondence.received' AS event_type, 'open-triage-item' AS consumer \
                    UNION ALL SELECT 'correspondence.received', 'extract-text' \
                    UNION ALL SELECT 'correspondence.text_extracted', 'classify') c ON c.event_type = o.event_type \
                   WHERE o.lane IS NULL AND o.dead_at IS NULL \
                   AND NOT EXISTS (SELECT 1 FROM processed_events p WHERE p.event_id = o.id AND p.consumer = c.consumer)";
        loop {
            let row = db.query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await?;
            let unhandled: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or_default();
            if unhandled == 0 {
                db.close().await?;
                return Ok(());
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "{unhandled} events not handled in {timeout:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Work items listed under `query` (e.g. `?queue=triage`), once everything is handled.
    pub async fn work_items(&self, token: &str, query: &str) -> anyhow::Result<Vec<serde_json::Value>> {
        self.wait_until_quiet(Duration::from_secs(60)).await?;
        let page = self.get_json(&format!("/api/v1/work-items{query}"), token).await?;
        Ok(page["items"].as_array().cloned().unwrap_or_default())
    }

    /// A direct connection to the service's database (for tests that arrange or inspect rows).
    pub async fn database(&self) -> anyhow::Result<sea_orm::DatabaseConnection> {
        let url = postroom_config::ExposeSecret::expose_secret(&self.settings.database_url()).to_owned();
        Ok(Database::connect(url).await?)
    }

    /// Posts `n` distinct scans, `concurrency` at a time; returns the correspondence ids in order.
    pub async fn post_many_scans(
        &self,
        token: &str,
        n: usize,
        concurrency: usize,
        tag: &str,
    ) -> anyhow::Result<Vec<String>> {
        use futures::StreamExt;
        let results: Vec<anyhow::Result<String>> = futures::stream::iter(0..n)
            .map(|i| async move {
                // Enough words for a text layer, so volume tests read it rather than OCR each page.
                let letter = pdf(&format!("Council Tax correspondence: {tag} letter {i}"));
                let resp = self.post_scans(token, &[(&format!("{i}.pdf"), &letter)], &[]).await?;
                anyhow::ensure!(resp.status() == 201, "scan {i}: {}", resp.status());
                let receipt: serde_json::Value = resp.json().await?;
                Ok(receipt["items"][0]["correspondence_id"].as_str().unwrap_or_default().to_owned())
            })
            .buffered(concurrency)
            .collect()
            .await;
        results.into_iter().collect()
    }

    /// Every work item (all pages), once everything is handled.
    pub async fn all_work_items(&self, token: &str) -> anyhow::Result<Vec<serde_json::Value>> {
        // Volume tests: every letter is also read (pdftotext) and classified, on a 2-core CI
        // machine running other tests beside it. A bound on waiting, not a speed target.
        self.wait_until_quiet(Duration::from_secs(400)).await?;
        let mut all = Vec::new();
        loop {
            let page = self.get_json(&format!("/api/v1/work-items?limit=500&offset={}", all.len()), token).await?;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            if items.is_empty() {
                return Ok(all);
            }
            all.extend(items);
        }
    }

    /// Writes an object into the service's object store (as a capture system would).
    pub async fn put_object(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
        let storage = postroom::app::object_storage(&self.settings)?;
        storage.put_immutable(key, bytes.into()).await?;
        Ok(())
    }

    /// The keys of the objects under `prefix` in the service's object store, sorted.
    pub async fn object_keys(&self, prefix: &str) -> anyhow::Result<Vec<String>> {
        let storage = postroom::app::object_storage(&self.settings)?;
        let mut keys: Vec<String> = storage.list(prefix).await?.into_iter().map(|o| o.key).collect();
        keys.sort();
        Ok(keys)
    }

    /// Reads an object from the service's object store.
    pub async fn object(&self, key: &str) -> anyhow::Result<Vec<u8>> {
        let storage = postroom::app::object_storage(&self.settings)?;
        Ok(storage.get(key).await?.to_vec())
    }

    /// Adds an account at a property with one liable party (until accounts can be imported).
    pub async fn seed_account(&self, account: SeedAccount<'_>) -> anyhow::Result<()> {
        use postroom_db::accounts::{AccountStatus, NewAccount, NewProperty, insert_account};
        let db = self.database().await?;
        let new = NewAccount {
            reference: account.reference.to_owned(),
            service: account.service.parse().map_err(anyhow::Error::msg)?,
            status: AccountStatus::Live,
            property: NewProperty {
                uprn: account.uprn,
                address: account.address.to_owned(),
                postcode: Some(account.postcode.to_owned()),
                billing_authority: None,
                valuation: postroom_accounts::PropertyState::default(),
            },
            parties: vec![postroom_accounts::PartyState {
                name: account.party.to_owned(),
                role: "liable".to_owned(),
                liable_from: None,
                liable_to: None,
                email: None,
                phone: None,
                postal_address: None,
                preferred_channel: None,
                forwarding_address: None,
            }],
            instalments: 10,
            recovery_stage: account.recovery_stage.map(str::parse).transpose().map_err(anyhow::Error::msg)?,
            vulnerable: account.vulnerable,
            adjustments: Vec::new(),
            mandate: None,
        };
        insert_account(&db, &new).await?;
        db.close().await?;
        Ok(())
    }

    /// A local user who signs in to the web UI with `password` (as `postroom user add` makes).
    pub async fn add_user(&self, user: &str, role: Role, password: &str) -> anyhow::Result<()> {
        let hash = postroom_auth::password::hash_password(password)?;
        let db = self.database().await?;
        postroom_db::users::upsert(&db, user, role, None, &hash).await?;
        db.close().await?;
        Ok(())
    }

    /// Opens a ready work item directly in the database (as the classifier would), concerning
    /// the accounts with these references, and returns its id. For tests of officer work that
    /// need many items quickly; intake and classification have their own tests.
    pub async fn seed_item(&self, item: SeedItem<'_>) -> anyhow::Result<uuid::Uuid> {
        let db = self.database().await?;
        let id = seed_item_on(&db, &item).await?;
        db.close().await?;
        Ok(id)
    }

    /// POSTs JSON with a bearer token.
    pub async fn post_json(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self.client.post(self.url(path)).bearer_auth(token).json(body).send().await?)
    }

    /// The payloads of the events of `event_type` written to the outbox (each once: lane copies
    /// left out).
    pub async fn events(&self, event_type: &str) -> anyhow::Result<Vec<serde_json::Value>> {
        use postroom_db::entities::outbox;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let db = self.database().await?;
        let rows = outbox::Entity::find()
            .filter(outbox::Column::EventType.eq(event_type))
            .filter(outbox::Column::Lane.is_null())
            .all(&db)
            .await?;
        db.close().await?;
        Ok(rows.into_iter().filter_map(|r| serde_json::from_str(&r.payload).ok()).collect())
    }

    /// Sets the queues an officer works, as a team leader.
    pub async fn set_queues(&self, user: &str, queues: &[&str]) -> anyhow::Result<()> {
        let tl = self.token("team-lead", Role::TeamLeader)?;
        let resp = self
            .client
            .put(self.url(&format!("/api/v1/officers/{user}/queues")))
            .bearer_auth(tl)
            .json(&serde_json::json!({ "queues": queues }))
            .send()
            .await?;
        anyhow::ensure!(resp.status() == 200, "setting queues: {} {}", resp.status(), resp.text().await?);
        Ok(())
    }

    /// The RabbitMQ URL, failing clearly when the broker tests run without one.
    pub fn amqp_url() -> anyhow::Result<String> {
        std::env::var(AMQP_ENV).with_context(|| format!("this test needs RabbitMQ: set {AMQP_ENV} (CI does)"))
    }

    /// Closes this service's broker connection from the broker's side (`rabbitmqctl`).
    pub fn close_broker_connection(&self) -> anyhow::Result<()> {
        let name = self.settings.amqp.connection_name.clone().context("no connection name")?;
        let out = std::process::Command::new("rabbitmqctl")
            .args(["-q", "list_connections", "pid", "client_properties"])
            .output()
            .context("running rabbitmqctl")?;
        let text = String::from_utf8_lossy(&out.stdout);
        let pids: Vec<&str> =
            text.lines().filter(|l| l.contains(&name)).filter_map(|l| l.split_whitespace().next()).collect();
        anyhow::ensure!(!pids.is_empty(), "no broker connection named {name}");
        for pid in pids {
            let status = std::process::Command::new("rabbitmqctl")
                .args(["-q", "close_connection", pid, "test: connection dropped"])
                .status()?;
            anyhow::ensure!(status.success(), "rabbitmqctl close_connection {pid} failed");
        }
        Ok(())
    }

    /// The data directory (for tests that look at what is kept there).
    pub fn data_dir(&self) -> PathBuf {
        self.settings.data_dir.clone()
    }

    /// Whether originals are kept in the data directory (not in an S3 bucket).
    pub fn uses_local_storage(&self) -> bool {
        self.settings.storage.url.is_none()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn init_test_logging() {
    let filter = std::env::var("TEST_LOG").unwrap_or_else(|_| "off".to_owned());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
}

/// An A4 PDF whose text layer is `text` (what intake's pdftotext reads back).
#[expect(clippy::expect_used, reason = "a test helper; it fails only if the compiled-in font does")]
pub fn pdf(text: &str) -> Vec<u8> {
    postroom_pdf::document(text).expect("a sample PDF")
}

/// Minimal PNG / JPEG / TIFF headers followed by `salt` (enough for sniffing; unique per salt).
pub fn png(salt: &str) -> Vec<u8> {
    [b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".as_slice(), salt.as_bytes()].concat()
}
pub fn jpeg(salt: &str) -> Vec<u8> {
    [b"\xff\xd8\xff\xe0\0\x10JFIF\0".as_slice(), salt.as_bytes()].concat()
}
pub fn tiff(salt: &str) -> Vec<u8> {
    [b"II*\0\x08\0\0\0\x0e\0\0\x01\x03\0".as_slice(), salt.as_bytes()].concat()
}
