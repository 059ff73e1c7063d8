//! Runs the clocks of officer work on an interval: expired claims and bring-forward dates (the
//! rules are `postroom_casework`'s), and stored idempotency keys forgotten after their TTL.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use postroom_casework::Casework;
use postroom_db::idempotency;

/// How the timers run.
#[derive(Debug, Clone)]
pub struct TimerSettings {
    pub claim_timeout: Duration,
    pub interval: Duration,
    pub idempotency_ttl: Duration,
}

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub claims_expired: usize,
    pub brought_forward: usize,
    pub keys_purged: u64,
}

/// Runs the work timers.
pub struct WorkTimers {
    db: DatabaseConnection,
    casework: Casework,
    settings: TimerSettings,
}

impl WorkTimers {
    #[must_use]
    pub fn new(db: DatabaseConnection, casework: Casework, settings: TimerSettings) -> Self {
        Self { db, casework, settings }
    }

    /// Runs a round every interval until `cancel` fires; a failed round is logged and retried.
    pub async fn run(self, cancel: CancellationToken) {
        tracing::info!(claim_timeout = ?self.settings.claim_timeout, "work timers running");
        loop {
            match self.round(Utc::now()).await {
                Ok(r) if r != Round::default() => tracing::info!(
                    claims_expired = r.claims_expired,
                    brought_forward = r.brought_forward,
                    keys_purged = r.keys_purged,
                    "work timers"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "work timers round failed; will retry"),
            }
            tokio::select! {
                () = cancel.cancelled() => break,
                () = tokio::time::sleep(self.settings.interval) => {}
            }
        }
    }

    /// One round at `now`.
    ///
    /// # Errors
    /// When the database fails; what was done before stays done.
    #[tracing::instrument(skip_all)]
    pub async fn round(&self, now: DateTime<Utc>) -> anyhow::Result<Round> {
        let done = self.casework.run_timers(now, self.settings.claim_timeout).await?;
        let key_cutoff = now - chrono::Duration::from_std(self.settings.idempotency_ttl)?;
        Ok(Round {
            claims_expired: done.claims_expired,
            brought_forward: done.brought_forward,
            keys_purged: idempotency::purge(&self.db, key_cutoff).await?,
        })
    }
}
