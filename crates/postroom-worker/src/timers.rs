//! Runs the clocks of officer work on an interval: expired claims and bring-forward dates (the
//! rules are `postroom_casework`'s), the team leaders' escalations and daily digest
//! ([`Oversight`]), stored idempotency keys forgotten after their TTL, and delivered outbox
//! events deleted after their retention.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use postroom_casework::Casework;
use postroom_db::{idempotency, outbox};

use crate::oversight::{Oversight, OversightRound};

/// Most delivered outbox events deleted in one round: a large backlog (after the retention was
/// shortened, say) goes over several rounds, each a short statement.
pub const OUTBOX_PRUNE_BATCH: u64 = 1000;

/// How the timers run.
#[derive(Debug, Clone)]
pub struct TimerSettings {
    pub claim_timeout: Duration,
    pub interval: Duration,
    pub idempotency_ttl: Duration,
    /// Delivered outbox events older than this are deleted.
    pub outbox_retention: Duration,
}

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub claims_expired: usize,
    pub brought_forward: usize,
    pub keys_purged: u64,
    pub outbox_pruned: u64,
    /// Token revocations whose every token has expired, removed.
    pub revocations_purged: u64,
    pub oversight: OversightRound,
}

/// Runs the work timers.
pub struct WorkTimers {
    db: DatabaseConnection,
    casework: Casework,
    settings: TimerSettings,
    oversight: Option<Oversight>,
}

impl WorkTimers {
    #[must_use]
    pub fn new(db: DatabaseConnection, casework: Casework, settings: TimerSettings) -> Self {
        Self { db, casework, settings, oversight: None }
    }

    /// Also raises the team leaders' escalations and sends their digest each round.
    #[must_use]
    pub fn with_oversight(mut self, oversight: Oversight) -> Self {
        self.oversight = Some(oversight);
        self
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
                    outbox_events_pruned = r.outbox_pruned,
                    revocations_purged = r.revocations_purged,
                    breach_warnings = r.oversight.escalated.breach_warnings,
                    overdue = r.oversight.escalated.overdue,
                    digest_sent = r.oversight.digest_sent,
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
        let keys_purged = idempotency::purge(&self.db, key_cutoff).await?;
        let outbox_pruned = self.prune_outbox(now).await?;
        let revocations_purged = postroom_db::revocations::purge_expired(&self.db, now).await?;
        // Last, and on its own: a failing escalation or digest never holds up the housekeeping.
        let oversight = match &self.oversight {
            Some(o) => o.round(now).await.unwrap_or_else(|e| {
                tracing::warn!(error = %format!("{e:#}"), "team leaders' escalations or digest failed; will retry");
                OversightRound::default()
            }),
            None => OversightRound::default(),
        };
        Ok(Round {
            claims_expired: done.claims_expired,
            brought_forward: done.brought_forward,
            keys_purged,
            outbox_pruned,
            revocations_purged,
            oversight,
        })
    }

    /// Deletes one batch of the outbox events delivered longer than the retention ago.
    async fn prune_outbox(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        // A retention longer than the calendar reaches back keeps everything.
        let Some(cutoff) = chrono::Duration::from_std(self.settings.outbox_retention)
            .ok()
            .and_then(|keep| now.checked_sub_signed(keep))
        else {
            return Ok(0);
        };
        Ok(outbox::prune_published(&self.db, cutoff, OUTBOX_PRUNE_BATCH).await?)
    }
}
