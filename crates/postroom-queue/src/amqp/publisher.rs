//! The confirmed outbox publisher: committed events go to the events exchange, a window at a
//! time, and are marked published only once the broker confirms them. Also carries out
//! re-drives of dead letters that admins asked for.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use lapin::{
    BasicProperties, Channel, Confirmation,
    options::{BasicPublishOptions, ConfirmSelectOptions},
    types::{AMQPValue, FieldTable},
};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, TransactionTrait};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use postroom_db::{
    dead_letters,
    entities::{dead_letter, outbox as outbox_entity},
    outbox,
};
use postroom_domain::Priority;

use super::{ATTEMPT_HEADER, topology::Topology};

pub(super) struct Publisher {
    pub db: DatabaseConnection,
    pub topology: Topology,
    pub window: u64,
    pub poll_interval: Duration,
    pub wake: Arc<Notify>,
}

impl Publisher {
    /// Publishes until cancelled; any broker error ends the session (the supervisor reconnects).
    pub async fn run(self, ch: Channel, cancel: CancellationToken) -> anyhow::Result<()> {
        ch.confirm_select(ConfirmSelectOptions::default()).await?;
        loop {
            if cancel.is_cancelled() {
                return Ok(());
            }
            let (published, redriven) = match (self.publish_outbox(&ch).await, self.redrive(&ch).await) {
                (Ok(p), Ok(r)) => (p, r),
                (Err(e), _) | (_, Err(e)) if !is_broker_error(&e) => {
                    // The database is briefly unavailable: the broker session is fine; try again.
                    tracing::warn!(error = %format!("{e:#}"), "outbox publishing paused");
                    (0, 0)
                }
                (Err(e), _) | (_, Err(e)) => return Err(e),
            };
            if published as u64 >= self.window || redriven > 0 {
                continue;
            }
            tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.poll_interval) => {}
            }
        }
    }

    /// One window: claim due events, publish them all, then wait for every confirm. On
    /// PostgreSQL the rows stay locked (`FOR UPDATE SKIP LOCKED`) until they are marked, so
    /// several relays never publish the same window; SQLite has one writer and takes no lock.
    #[tracing::instrument(skip_all)]
    async fn publish_outbox(&self, ch: &Channel) -> anyhow::Result<usize> {
        if self.db.get_database_backend() != DatabaseBackend::Postgres {
            let rows = outbox::due(&self.db, outbox::Rows::All, Utc::now(), self.window, &[]).await?;
            let confirmed = self.publish_rows(ch, &rows).await?;
            outbox::mark_published_many(&self.db, &confirmed, Utc::now()).await?;
            return Ok(rows.len());
        }
        let txn = self.db.begin().await?;
        let rows = outbox::claim_due(&txn, Utc::now(), self.window).await?;
        if rows.is_empty() {
            txn.commit().await?;
            return Ok(0);
        }
        let confirmed = self.publish_rows(ch, &rows).await?;
        outbox::mark_published_many(&txn, &confirmed, Utc::now()).await?;
        txn.commit().await?;
        tracing::debug!(published = confirmed.len(), "outbox window published");
        Ok(rows.len())
    }

    /// Publishes every row, then awaits every confirm; returns the ids the broker confirmed.
    async fn publish_rows(&self, ch: &Channel, rows: &[outbox_entity::Model]) -> anyhow::Result<Vec<Uuid>> {
        let mut in_flight = Vec::with_capacity(rows.len());
        for row in rows {
            let confirm = ch
                .basic_publish(
                    self.topology.exchange.as_str().into(),
                    row.event_type.as_str().into(),
                    BasicPublishOptions::default(),
                    row.payload.as_bytes(),
                    properties(row),
                )
                .await?;
            in_flight.push((row.id, confirm));
        }
        let mut confirmed = Vec::with_capacity(in_flight.len());
        for (id, confirm) in in_flight {
            match confirm.await? {
                Confirmation::Ack(_) | Confirmation::NotRequested => confirmed.push(id),
                Confirmation::Nack(_) => {
                    tracing::warn!(event_id = %id, "broker refused an event; it stays in the outbox")
                }
            }
        }
        Ok(confirmed)
    }

    /// Dead letters an admin asked to retry go back to the queue they died in.
    async fn redrive(&self, ch: &Channel) -> anyhow::Result<usize> {
        let letters = dead_letters::retry_requested(&self.db, self.window).await?;
        let count = letters.len();
        for letter in letters {
            if letter.source == dead_letters::OUTBOX_SOURCE {
                let txn = self.db.begin().await?;
                outbox::revive(&txn, letter.event_id, Utc::now()).await?;
                dead_letters::mark_retried(&txn, letter.id, Utc::now()).await?;
                txn.commit().await?;
                continue;
            }
            let confirm = ch
                .basic_publish(
                    "".into(),
                    letter.source.as_str().into(),
                    BasicPublishOptions::default(),
                    letter.payload.as_bytes(),
                    redrive_properties(&letter),
                )
                .await?;
            if let Confirmation::Nack(_) = confirm.await? {
                anyhow::bail!("broker refused the re-drive of dead letter {}", letter.id);
            }
            dead_letters::mark_retried(&self.db, letter.id, Utc::now()).await?;
            tracing::info!(dead_letter = %letter.id, queue = %letter.source, "dead letter re-driven");
        }
        Ok(count)
    }
}

/// Whether an error came from the broker (the session must be rebuilt) rather than the database.
fn is_broker_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<lapin::Error>().is_some()) || e.to_string().contains("broker refused")
}

/// AMQP properties of an outbox event.
pub(super) fn properties(row: &outbox_entity::Model) -> BasicProperties {
    event_properties(
        row.event_id(),
        &row.event_type,
        row.correlation_id.as_deref(),
        row.priority,
        Some(row.occurred_at),
    )
}

fn redrive_properties(letter: &dead_letter::Model) -> BasicProperties {
    event_properties(letter.event_id, &letter.event_type, letter.correlation_id.as_deref(), letter.priority, None)
}

fn event_properties(
    id: Uuid,
    event_type: &str,
    correlation_id: Option<&str>,
    priority: Option<i16>,
    occurred_at: Option<chrono::DateTime<Utc>>,
) -> BasicProperties {
    let mut headers = FieldTable::default();
    headers.insert(ATTEMPT_HEADER.into(), AMQPValue::LongUInt(1));
    let mut p = BasicProperties::default()
        .with_message_id(id.to_string().into())
        .with_type(event_type.into())
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_headers(headers);
    if let Some(at) = occurred_at {
        p = p.with_timestamp(u64::try_from(at.timestamp()).unwrap_or_default());
    }
    if let Some(c) = correlation_id {
        p = p.with_correlation_id(c.into());
    }
    if let Some(priority) = priority.and_then(|r| Priority::from_rank(r).ok()) {
        p = p.with_priority(priority.amqp_priority());
    }
    p
}
