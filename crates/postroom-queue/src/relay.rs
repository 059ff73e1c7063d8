//! The outbox relay: delivers committed events, retries failures, sets aside dead ones.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use sea_orm::DatabaseConnection;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use postroom_db::{
    dead_letters::{self, NewDeadLetter},
    entities::outbox as outbox_entity,
    outbox,
};

use crate::{Dispatcher, Event};

/// Relay tuning.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    pub poll_interval: Duration,
    pub batch_size: u64,
    pub retry_base_delay: Duration,
    pub max_attempts: u32,
}

/// Delivers outbox events in-process to a [`Dispatcher`].
#[derive(Clone)]
pub struct OutboxRelay {
    db: DatabaseConnection,
    dispatcher: Dispatcher,
    settings: RelaySettings,
    wake: Arc<Notify>,
}

impl OutboxRelay {
    #[must_use]
    pub fn new(db: DatabaseConnection, dispatcher: Dispatcher, settings: RelaySettings, wake: Arc<Notify>) -> Self {
        Self { db, dispatcher, settings, wake }
    }

    /// Runs until `cancel` fires: delivers what is due, then waits to be woken or for the poll
    /// interval. An event being handled when `cancel` fires is finished first.
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!("outbox relay started (in-process delivery)");
        loop {
            match self.drain(&cancel).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %format!("{e:#}"), "outbox relay round failed"),
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        tracing::info!("outbox relay stopped");
    }

    /// Delivers every event due now, one batch at a time. Returns how many were handled.
    ///
    /// # Errors
    /// When the outbox cannot be read or updated.
    pub async fn drain(&self, cancel: &CancellationToken) -> anyhow::Result<usize> {
        let batch = outbox::due(&self.db, Utc::now(), self.settings.batch_size).await?;
        let mut handled = 0;
        for row in batch {
            if cancel.is_cancelled() {
                break;
            }
            self.deliver(row).await?;
            handled += 1;
        }
        Ok(handled)
    }

    async fn deliver(&self, row: outbox_entity::Model) -> anyhow::Result<()> {
        let (id, attempts) = (row.id, row.attempts);
        let letter = NewDeadLetter {
            id: None,
            event_id: row.id,
            event_type: row.event_type.clone(),
            source: dead_letters::OUTBOX_SOURCE.to_owned(),
            payload: row.payload.clone(),
            correlation_id: row.correlation_id.clone(),
            priority: row.priority,
            reason: None,
            attempts: row.attempts.saturating_add(1),
        };
        let result = match Event::try_from(row) {
            Ok(event) => self.dispatcher.dispatch(&self.db, &event).await,
            Err(e) => Err(anyhow::Error::new(e).context("event payload is not JSON")),
        };
        let now = Utc::now();
        match result {
            Ok(()) => outbox::mark_published(&self.db, id, now).await?,
            Err(e) => {
                let attempt = u32::try_from(attempts).unwrap_or(0).saturating_add(1);
                let dead = attempt >= self.settings.max_attempts;
                let delay = backoff(self.settings.retry_base_delay, attempt);
                let next = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                let message = format!("{e:#}");
                if dead {
                    tracing::error!(event_id = %id, attempt, error = %message, "event failed for the last time; set aside as dead");
                } else {
                    tracing::warn!(event_id = %id, attempt, error = %message, retry_in = ?delay, "event failed; will retry");
                }
                let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
                outbox::record_failure(&txn, id, &message, next, dead.then_some(now)).await?;
                if dead {
                    dead_letters::record(&txn, NewDeadLetter { reason: Some(message), ..letter }, now).await?;
                }
                txn.commit().await?;
            }
        }
        Ok(())
    }
}

/// `base × 2^(attempt−1)`, capped at one hour.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.saturating_sub(1).min(20)).unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(Duration::from_secs(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let base = Duration::from_secs(2);
        assert_eq!(backoff(base, 1), Duration::from_secs(2));
        assert_eq!(backoff(base, 2), Duration::from_secs(4));
        assert_eq!(backoff(base, 5), Duration::from_secs(32));
        assert_eq!(backoff(base, 40), Duration::from_secs(3600));
    }
}
