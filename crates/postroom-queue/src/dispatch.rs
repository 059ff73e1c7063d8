//! Handlers and the dispatcher that runs them idempotently.

use std::{any::Any, sync::Arc};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use uuid::Uuid;

use postroom_db::{entities::outbox as outbox_entity, outbox};

/// An event as delivered to handlers.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: Uuid,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: Option<String>,
    pub priority: Option<i16>,
}

impl TryFrom<outbox_entity::Model> for Event {
    type Error = serde_json::Error;
    fn try_from(m: outbox_entity::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            id: m.event_id(),
            event_type: m.event_type,
            payload: serde_json::from_str(&m.payload)?,
            occurred_at: m.occurred_at,
            correlation_id: m.correlation_id,
            priority: m.priority,
        })
    }
}

/// Something that reacts to events. Implementations do their work in the given transaction
/// only, so the work and the idempotency record commit together.
#[async_trait]
pub trait EventHandler: Send + Sync {
    /// The consumer name, unique per handler (the idempotency key is consumer + event id).
    fn consumer(&self) -> &'static str;
    /// The work queue this handler runs behind when a broker is configured (see
    /// [`crate::amqp::WORK_QUEUES`]).
    fn queue(&self) -> &'static str;
    /// The event types it wants.
    fn event_types(&self) -> &'static [&'static str];
    /// Whether this handler wants events of `event_type`.
    fn handles(&self, event_type: &str) -> bool {
        self.event_types().contains(&event_type)
    }
    /// How many events this handler may work on at once (its queue's consumers or lane
    /// workers). Most handlers are quick database work and take one at a time.
    fn concurrency(&self) -> usize {
        1
    }
    /// Slow work done before the handler's transaction opens, such as OCR, so that it holds no
    /// database lock meanwhile. It may read but must not write; what it returns is handed to
    /// [`EventHandler::handle`]. It is skipped for an event this handler already processed.
    ///
    /// # Errors
    /// An error counts as a failed attempt: the event is retried later.
    async fn prepare(&self, _db: &DatabaseConnection, _event: &Event) -> anyhow::Result<Prepared> {
        Ok(Prepared::nothing())
    }
    /// Does the work.
    ///
    /// # Errors
    /// Any error rolls the transaction back; the event is retried later.
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event, prepared: Prepared) -> anyhow::Result<()>;
}

/// What [`EventHandler::prepare`] produced, handed on to [`EventHandler::handle`].
pub struct Prepared(Option<Box<dyn Any + Send>>);

impl Prepared {
    /// Nothing prepared.
    #[must_use]
    pub fn nothing() -> Self {
        Self(None)
    }

    /// Wraps a prepared value.
    #[must_use]
    pub fn value<T: Any + Send>(value: T) -> Self {
        Self(Some(Box::new(value)))
    }

    /// The prepared value, if it is a `T`.
    #[must_use]
    pub fn take<T: Any>(self) -> Option<T> {
        self.0.and_then(|b| b.downcast::<T>().ok()).map(|b| *b)
    }
}

/// Runs every interested handler for an event, each at most once per event.
#[derive(Clone, Default)]
pub struct Dispatcher {
    handlers: Vec<Arc<dyn EventHandler>>,
}

impl Dispatcher {
    #[must_use]
    pub fn new(handlers: Vec<Arc<dyn EventHandler>>) -> Self {
        Self { handlers }
    }

    /// The handlers that run behind `queue`.
    #[must_use]
    pub fn for_queue(&self, queue: &str) -> Self {
        Self { handlers: self.handlers.iter().filter(|h| h.queue() == queue).cloned().collect() }
    }

    /// Whether any handler wants events of `event_type`.
    #[must_use]
    pub fn wants(&self, event_type: &str) -> bool {
        self.handlers.iter().any(|h| h.handles(event_type))
    }

    /// Whether there are no handlers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// The handlers.
    #[must_use]
    pub fn handlers(&self) -> &[Arc<dyn EventHandler>] {
        &self.handlers
    }

    /// Runs the handlers for `event`. Handlers that already processed it are skipped.
    ///
    /// # Errors
    /// The first handler failure; handlers before it have committed and will be skipped on retry.
    #[tracing::instrument(skip_all, fields(event_id = %event.id, event_type = %event.event_type, correlation_id = event.correlation_id.as_deref()))]
    pub async fn dispatch(&self, db: &DatabaseConnection, event: &Event) -> anyhow::Result<()> {
        for handler in self.handlers.iter().filter(|h| h.handles(&event.event_type)) {
            if outbox::is_processed(db, handler.consumer(), event.id).await? {
                tracing::debug!(consumer = handler.consumer(), "already processed; skipped");
                continue;
            }
            let prepared =
                handler.prepare(db, event).await.map_err(|e| e.context(format!("handler {}", handler.consumer())))?;
            let txn = db.begin().await?;
            if !outbox::begin_processing(&txn, handler.consumer(), event.id, Utc::now()).await? {
                txn.rollback().await?;
                tracing::debug!(consumer = handler.consumer(), "already processed; skipped");
                continue;
            }
            match handler.handle(&txn, event, prepared).await {
                Ok(()) => txn.commit().await?,
                Err(e) => {
                    txn.rollback().await?;
                    return Err(e.context(format!("handler {}", handler.consumer())));
                }
            }
        }
        Ok(())
    }
}
