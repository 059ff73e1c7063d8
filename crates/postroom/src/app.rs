//! Building and running the service.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use axum::Router;
use sea_orm::DatabaseConnection;
use tokio::{net::TcpListener, sync::Notify};
use tokio_util::sync::CancellationToken;

use postroom_api::AppState;
use postroom_auth::TokenVerifier;
use postroom_casework::Casework;
use postroom_config::{ExposeSecret, Settings};
use postroom_imap::ImapPoller;
use postroom_queue::{
    Dispatcher, EventHandler, OutboxRelay, RelaySettings,
    amqp::{Broker, BrokerStatus},
};
use postroom_worker::{
    Classify, DropFolderSettings, DropFolders, ExtractText, LearnSettings, Learner, OpenTriageItem, TimerSettings,
    WorkTimers,
};
use postroom_workflows::IdentifierFinder;

use crate::components::{broker_settings, calendar, imap_poller, text_extractor};
pub use crate::components::{
    connect_database, email_intake, object_storage, pool_options, redact_url, reply_templates, search_slots,
    serving_database, signing_keys, workflow_catalogue,
};

/// What a `serve` process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ServeRole {
    /// The API and all the workers in one process (the default).
    #[default]
    All,
    /// The HTTP API only; the events it commits wait in the outbox for a worker process.
    Api,
    /// The workers only, with /healthz and /readyz on the bind address.
    Worker,
}

impl ServeRole {
    fn runs_api(self) -> bool {
        matches!(self, Self::All | Self::Api)
    }
    fn runs_workers(self) -> bool {
        matches!(self, Self::All | Self::Worker)
    }
}

/// How committed events are delivered.
enum Delivery {
    /// In-process, from the outbox (the embedded default): the main relay and its lanes (slow
    /// queues such as OCR).
    InProcess(Vec<OutboxRelay>),
    /// Through RabbitMQ.
    Broker(Box<Broker>),
}

/// How long the start-up check waits for RabbitMQ to answer before starting without it.
const BROKER_CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// The start-up check of RabbitMQ. A broker that refuses Postroom (wrong credentials, a vhost it
/// may not use, a clashing topology) or a URL that does not parse is a configuration error and
/// stops start-up. A broker that cannot be reached does not: the service starts degraded, intake
/// and the API work, events wait in the outbox, `/readyz` says so, and the broker runner
/// connects (with a growing delay) once the broker is back.
async fn check_broker(broker: &Broker, url: &str) -> anyhow::Result<()> {
    let shown = redact_url(url);
    let error = match tokio::time::timeout(BROKER_CHECK_TIMEOUT, broker.check()).await {
        Ok(Ok(())) => return Ok(()),
        Ok(Err(e)) if postroom_queue::amqp::is_refusal(&e) => {
            return Err(e.context(format!("RabbitMQ at {shown} is not usable")));
        }
        Ok(Err(e)) => format!("{e:#}"),
        Err(_) => format!("no answer within {BROKER_CHECK_TIMEOUT:?}"),
    };
    tracing::warn!(
        broker = %shown,
        %error,
        "RabbitMQ is unreachable: starting degraded; intake goes on and events wait in the outbox until it is back"
    );
    Ok(())
}

/// A built service, bound to its port, not yet running.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: Router,
    delivery: Option<Delivery>,
    drop_folders: Option<DropFolders>,
    imap: Option<ImapPoller>,
    timers: Option<WorkTimers>,
    /// The classifier's model, retrained on a schedule from the council's decisions.
    learner: Option<Arc<Learner>>,
    broker_status: Option<BrokerStatus>,
    db: DatabaseConnection,
    /// The catalogue's reply templates, checked at start-up.
    templates: Arc<postroom_templates::Templates>,
    shutdown_grace: Duration,
}

impl Application {
    /// Connects to everything configured, runs migrations, and binds the listener. Fails fast,
    /// with a message naming the service, when something configured is unreachable, except
    /// RabbitMQ: a broker that is away only makes the service start degraded.
    ///
    /// # Errors
    /// When the database, storage, signing key or listen address is unusable, or RabbitMQ
    /// refuses Postroom.
    #[tracing::instrument(skip_all, fields(role = ?role))]
    pub async fn build(settings: Settings, role: ServeRole) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
        let catalogue = Arc::new(workflow_catalogue(&settings)?);
        let templates = Arc::new(reply_templates(&settings, &catalogue)?);
        tracing::info!(
            workflows = catalogue.workflows().len(),
            templates = templates.names().count(),
            source = catalogue.source(),
            "workflow catalogue loaded"
        );
        let calendar = Arc::new(calendar(&settings)?);
        let db = serving_database(&settings).await?;
        let storage = object_storage(&settings)?;
        storage.check().await.with_context(|| format!("object storage ({}) is not usable", storage.description()))?;
        let keys = signing_keys(&settings)?;
        let verifier: Arc<dyn TokenVerifier> = Arc::new(keys.clone());
        let outbox_wake = Arc::new(Notify::new());
        let scans = crate::components::scan_intake(&settings, db.clone(), storage.clone());
        let extractor = text_extractor(&settings);
        let (probe, tesseract) = (extractor.clone(), settings.text.tesseract.clone());
        tokio::spawn(async move {
            match probe.ocr_version().await {
                Some(version) => tracing::info!(%version, "OCR available"),
                None => tracing::warn!(
                    tesseract = %tesseract.display(),
                    "tesseract is not installed: scanned images will be marked \"no text\" for triage"
                ),
            }
        });
        let approval = Arc::new(postroom_accounts::ApprovalPolicy {
            backdate_days: settings.work.approval_backdate_days,
            kinds: settings.work.approval_kinds.clone(),
            amount_pence: settings.work.approval_amount_pence,
            max_amount_pence: settings.work.max_amount_pence,
            business_rates_liability_order_days: settings.work.business_rates_liability_order_days,
        });
        let replying = crate::replies::replying(&settings, templates.clone(), calendar.clone())?;
        let casework =
            Casework::new(db.clone(), catalogue.clone(), calendar.clone(), approval, replying, outbox_wake.clone());
        let learner = match (settings.classifier.model, role.runs_workers()) {
            (true, true) => Some(Learner::start(db.clone(), catalogue.clone(), learn_settings(&settings)).await?),
            _ => None,
        };
        let handlers: Vec<Arc<dyn EventHandler>> = vec![
            Arc::new(OpenTriageItem::new(casework.clone(), settings.intake.triage_target_working_days)),
            Arc::new(Classify::new(
                casework.clone(),
                catalogue.clone(),
                calendar.clone(),
                settings.workflows.threshold,
                IdentifierFinder::new(&settings.accounts.reference_patterns)
                    .context("accounts.reference_patterns holds an invalid regular expression")?,
                learner.clone(),
            )),
            Arc::new(ExtractText::new(storage.clone(), extractor, settings.text.concurrency)),
            Arc::new(crate::replies::send_replies(&settings, casework.clone(), storage.clone())?),
        ];
        let dispatcher = Dispatcher::new(handlers);
        let mut broker_status = None;
        let delivery = match (&settings.amqp.url, role.runs_workers()) {
            (_, false) => None,
            (None, true) => Some(Delivery::InProcess(OutboxRelay::with_lanes(
                db.clone(),
                &dispatcher,
                RelaySettings {
                    poll_interval: settings.workers.outbox_poll_interval,
                    batch_size: settings.workers.outbox_batch_size,
                    retry_base_delay: settings.workers.retry_base_delay,
                    max_attempts: settings.workers.max_attempts,
                },
                outbox_wake.clone(),
                &[postroom_queue::amqp::OCR_QUEUE, postroom_queue::amqp::SEND_QUEUE],
            ))),
            (Some(url), true) => {
                let broker_settings = broker_settings(&settings, url.expose_secret(), &scans, &storage);
                let (broker, status) = Broker::new(db.clone(), dispatcher, broker_settings, outbox_wake.clone());
                check_broker(&broker, url.expose_secret()).await?;
                broker_status = Some(status);
                Some(Delivery::Broker(Box::new(broker)))
            }
        };
        let emails = email_intake(&settings, db.clone(), storage.clone());
        let drop_folders = (role.runs_workers() && settings.drop_folders.enabled).then(|| {
            let d = &settings.drop_folders;
            DropFolders::new(
                storage.clone(),
                scans.clone(),
                emails.clone(),
                DropFolderSettings {
                    scans_prefix: d.scans_prefix.clone(),
                    email_prefix: d.email_prefix.clone(),
                    archive_prefix: d.archive_prefix.clone(),
                    rejected_prefix: d.rejected_prefix.clone(),
                    poll_interval: d.poll_interval,
                    stable_for: d.stable_for,
                    max_attempts: settings.intake.max_attempts,
                },
            )
        });
        let imap = match (&settings.imap.host, role.runs_workers()) {
            (Some(_), true) => {
                let poller = imap_poller(&settings, emails.clone(), db.clone())?;
                poller.check().await.context("the IMAP mailbox ([imap]) is not usable")?;
                Some(poller)
            }
            _ => None,
        };
        let timers = if role.runs_workers() {
            let oversight = crate::replies::oversight(&settings, db.clone(), casework.clone())?;
            let settings = TimerSettings {
                claim_timeout: settings.work.claim_timeout,
                interval: settings.work.timer_interval,
                idempotency_ttl: settings.work.idempotency_ttl,
                outbox_retention: settings.workers.outbox_retention,
            };
            Some(WorkTimers::new(db.clone(), casework.clone(), settings).with_oversight(oversight))
        } else {
            None
        };
        let state = AppState {
            db: db.clone(),
            storage: storage.clone(),
            verifier,
            scans,
            emails,
            outbox_wake,
            calendar: calendar.clone(),
            casework,
            rates: Arc::new(settings.charges.rates()),
            catalogue,
            max_body_bytes: settings.server.max_body_bytes,
            search_slots: search_slots(&settings),
            warning_working_days: settings.team_leaders.warning_working_days,
            broker: broker_status.clone(),
        };
        let router = if role.runs_api() {
            let pages = if settings.web.enabled {
                let web = postroom_web::WebSettings {
                    session_lifetime: settings.web.session_lifetime,
                    secure_cookies: settings.web.secure_cookies,
                };
                postroom_web::router(postroom_web::WebState::new(state.clone(), keys, web, text_extractor(&settings))?)
            } else {
                axum::Router::new()
            };
            postroom_api::router(state, settings.server.request_timeout, pages)
        } else {
            postroom_api::ops_router(state)
        };
        let listener = TcpListener::bind(settings.server.bind)
            .await
            .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
        let local_addr = listener.local_addr()?;
        tracing::info!(%local_addr, storage = storage.description(), "postroom built");
        Ok(Self {
            listener,
            local_addr,
            router,
            delivery,
            drop_folders,
            imap,
            timers,
            learner,
            broker_status,
            db,
            templates,
            shutdown_grace: settings.server.shutdown_grace,
        })
    }

    /// The reply templates of the catalogue it serves, checked at start-up.
    #[must_use]
    pub fn templates(&self) -> Arc<postroom_templates::Templates> {
        self.templates.clone()
    }

    /// The bound port (useful with port 0).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The broker's status when RabbitMQ is configured and this process runs workers.
    #[must_use]
    pub fn broker_status(&self) -> Option<BrokerStatus> {
        self.broker_status.clone()
    }

    /// The bound address.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` fires, then stops taking requests, lets in-flight requests and
    /// the current event finish (up to the grace period), and closes the database pool.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let workers = shutdown.child_token();
        let mut tasks = tokio::task::JoinSet::new();
        match self.delivery {
            Some(Delivery::InProcess(relays)) => {
                for relay in relays {
                    tasks.spawn(relay.run(workers.clone()));
                }
            }
            Some(Delivery::Broker(broker)) => {
                tasks.spawn(broker.run(workers.clone()));
            }
            None => {}
        }
        if let Some(drop_folders) = self.drop_folders {
            tasks.spawn(drop_folders.run(workers.clone()));
        }
        if let Some(imap) = self.imap {
            tasks.spawn(imap.run(workers.clone()));
        }
        if let Some(timers) = self.timers {
            tasks.spawn(timers.run(workers.clone()));
        }
        if let Some(learner) = self.learner {
            tasks.spawn(learner.run(workers.clone()));
        }
        tracing::info!(address = %self.local_addr, "postroom listening");
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .await
            .context("HTTP server failed")?;
        workers.cancel();
        if tokio::time::timeout(self.shutdown_grace, tasks.join_all()).await.is_err() {
            tracing::warn!("workers did not stop within the grace period");
        }
        self.db.close().await.context("closing the database pool")?;
        tracing::info!("postroom stopped");
        Ok(())
    }
}

/// How the classifier's model learns, from `[classifier]`.
fn learn_settings(settings: &Settings) -> LearnSettings {
    LearnSettings {
        policy: postroom_learn::Policy { confidence: settings.classifier.confidence },
        retrain_every: settings.classifier.retrain_every,
        min_examples: settings.classifier.retrain_min_examples,
    }
}
