//! The outbox relay: delivers committed events, retries failures, sets aside dead ones.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use futures::StreamExt;
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
///
/// One relay delivers events themselves and runs the handlers of the quick work queues inline.
/// A slow work queue (OCR) gets a *lane*: the main relay copies each event such a queue wants
/// into the lane (in the transaction that marks the event handled), and the lane's own relay
/// delivers the copies with bounded concurrency. A long OCR run therefore never holds up the
/// triage of the letters behind it, and a crash loses nothing: copies are rows like events.
#[derive(Clone)]
pub struct OutboxRelay {
    db: DatabaseConnection,
    dispatcher: Dispatcher,
    settings: RelaySettings,
    wake: Arc<Notify>,
    /// `None`: the main relay; `Some(queue)`: the lane of that work queue.
    lane: Option<&'static str>,
    /// For the main relay: the lanes to copy events into, with their handlers and wake-ups.
    lanes: Vec<(&'static str, Dispatcher, Arc<Notify>)>,
    concurrency: usize,
}

impl OutboxRelay {
    /// A relay that runs every handler inline, one event at a time.
    #[must_use]
    pub fn new(db: DatabaseConnection, dispatcher: Dispatcher, settings: RelaySettings, wake: Arc<Notify>) -> Self {
        Self { db, dispatcher, settings, wake, lane: None, lanes: Vec::new(), concurrency: 1 }
    }

    /// The main relay plus one lane relay for each of `lanes` that has handlers. A lane runs as
    /// many events at once as the most concurrent of its handlers allows.
    #[must_use]
    pub fn with_lanes(
        db: DatabaseConnection,
        dispatcher: &Dispatcher,
        settings: RelaySettings,
        wake: Arc<Notify>,
        lanes: &[&'static str],
    ) -> Vec<Self> {
        let inline =
            Dispatcher::new(dispatcher.handlers().iter().filter(|h| !lanes.contains(&h.queue())).cloned().collect());
        let mut relays = Vec::new();
        let mut main = Self::new(db.clone(), inline, settings.clone(), wake);
        for &lane in lanes {
            let handlers = dispatcher.for_queue(lane);
            if handlers.is_empty() {
                continue;
            }
            let lane_wake = Arc::new(Notify::new());
            main.lanes.push((lane, handlers.clone(), lane_wake.clone()));
            let concurrency = handlers.handlers().iter().map(|h| h.concurrency()).max().unwrap_or(1).max(1);
            relays.push(Self {
                db: db.clone(),
                dispatcher: handlers,
                settings: settings.clone(),
                wake: lane_wake,
                lane: Some(lane),
                lanes: Vec::new(),
                concurrency,
            });
        }
        relays.insert(0, main);
        relays
    }

    /// The lane this relay delivers (`None` for the main relay).
    #[must_use]
    pub fn lane(&self) -> Option<&'static str> {
        self.lane
    }

    /// Runs until `cancel` fires: delivers what is due, then waits to be woken or for the poll
    /// interval. An event being handled when `cancel` fires is finished first; no new one is
    /// taken, and the rest wait in the outbox for the next start.
    pub async fn run(self, cancel: CancellationToken) {
        let lane = self.lane.unwrap_or("main");
        tracing::info!(lane, concurrency = self.concurrency, "outbox relay started (in-process delivery)");
        while !cancel.is_cancelled() {
            match self.drain(&cancel).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(lane, error = %format!("{e:#}"), "outbox relay round failed"),
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.settings.poll_interval) => {}
            }
        }
        tracing::info!(lane, "outbox relay stopped");
    }

    /// Delivers one batch of the events due now, up to `concurrency` at once. Once `cancel` has
    /// fired it reads nothing and starts no event (those in hand are finished). Returns how many
    /// were delivered (handled, or failed and scheduled for a retry): 0 when cancelled first.
    ///
    /// # Errors
    /// When the outbox cannot be read or updated.
    pub async fn drain(&self, cancel: &CancellationToken) -> anyhow::Result<usize> {
        if cancel.is_cancelled() {
            return Ok(0);
        }
        let rows = match self.lane {
            Some(lane) => outbox::Rows::Lane(lane),
            None => outbox::Rows::Events,
        };
        let batch = outbox::due(&self.db, rows, Utc::now(), self.settings.batch_size, &[]).await?;
        let results: Vec<anyhow::Result<()>> = futures::stream::iter(batch)
            .take_while(|_| std::future::ready(!cancel.is_cancelled()))
            .map(|row| self.deliver(row))
            .buffer_unordered(self.concurrency)
            .collect()
            .await;
        let delivered = results.len();
        results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;
        Ok(delivered)
    }

    async fn deliver(&self, row: outbox_entity::Model) -> anyhow::Result<()> {
        let (id, attempts) = (row.id, row.attempts);
        let letter = NewDeadLetter {
            id: None,
            event_id: row.id,
            event_type: row.event_type.clone(),
            // Lane copies are outbox rows too: a retry revives the copy (its id is `event_id`).
            source: dead_letters::OUTBOX_SOURCE.to_owned(),
            payload: row.payload.clone(),
            correlation_id: row.correlation_id.clone(),
            priority: row.priority,
            reason: None,
            attempts: row.attempts.saturating_add(1),
        };
        let copy_into: Vec<_> = self.lanes.iter().filter(|(_, d, _)| d.wants(&row.event_type)).collect();
        let result = match Event::try_from(row.clone()) {
            Ok(event) => self.dispatcher.dispatch(&self.db, &event).await,
            Err(e) => Err(anyhow::Error::new(e).context("event payload is not JSON")),
        };
        let now = Utc::now();
        match result {
            Ok(()) if copy_into.is_empty() => outbox::mark_published(&self.db, id, now).await?,
            Ok(()) => {
                let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
                for (lane, _, _) in &copy_into {
                    outbox::enqueue_lane_copy(&txn, &row, lane, now).await?;
                }
                outbox::mark_published(&txn, id, now).await?;
                txn.commit().await?;
                for (_, _, wake) in copy_into {
                    wake.notify_one();
                }
            }
            Err(e) => {
                let attempt = u32::try_from(attempts).unwrap_or(0).saturating_add(1);
                let dead = attempt >= self.settings.max_attempts;
                let delay = backoff(self.settings.retry_base_delay, attempt);
                let next = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                let message = match self.lane {
                    Some(lane) => format!("{lane} queue: {e:#}"),
                    None => format!("{e:#}"),
                };
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
