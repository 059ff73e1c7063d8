//! The clocks of officer work: a claim whose holder has done nothing for `claim_timeout` goes back
//! to ready; an item waiting for the customer comes back on its bring-forward date (its due date
//! moved on by the working days paused); stored idempotency keys are forgotten after their TTL.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use postroom_db::{
    casework::{self, Step},
    entities::work_item,
    idempotency, outbox,
};
use postroom_domain::{
    WorkItemStatus, WorkingCalendar,
    events::{WORK_ITEM_UPDATED, WorkItemSummary},
    london_date,
};

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
    calendar: Arc<WorkingCalendar>,
    settings: TimerSettings,
    outbox_wake: Arc<Notify>,
}

const BATCH: u64 = 200;

impl WorkTimers {
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        calendar: Arc<WorkingCalendar>,
        settings: TimerSettings,
        outbox_wake: Arc<Notify>,
    ) -> Self {
        Self { db, calendar, settings, outbox_wake }
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
        let mut round = Round::default();
        let idle_since = now - chrono::Duration::from_std(self.settings.claim_timeout)?;
        for item in casework::expired_claims(&self.db, idle_since, BATCH).await? {
            // A note by the holder moves `active_at` without a new version: check it again here.
            let step = Step::new("claim_expired", "system", WorkItemStatus::Ready)
                .set(work_item::Column::Assignee, Option::<String>::None)
                .only_if(sea_orm::sea_query::Expr::col(work_item::Column::ActiveAt).lt(idle_since))
                .details(serde_json::json!({
                    "assignee": { "before": item.assignee, "after": null },
                    "inactive_since": item.active_at,
                    "claim_timeout_secs": self.settings.claim_timeout.as_secs(),
                }));
            if self.apply(&item, step, WorkItemStatus::Ready, now).await? {
                round.claims_expired += 1;
            }
        }
        for item in casework::brought_forward(&self.db, london_date(now), BATCH).await? {
            let why = serde_json::json!({ "by": "bring_forward_date", "bring_forward_on": item.bring_forward_on });
            let step = casework::resume(&item, &self.calendar, "brought_forward", "system", why, now);
            if self.apply(&item, step, WorkItemStatus::Ready, now).await? {
                round.brought_forward += 1;
            }
        }
        let key_cutoff = now - chrono::Duration::from_std(self.settings.idempotency_ttl)?;
        round.keys_purged = idempotency::purge(&self.db, key_cutoff).await?;
        if round.claims_expired + round.brought_forward > 0 {
            self.outbox_wake.notify_one();
        }
        Ok(round)
    }

    /// Applies `step` and announces the new state, in one transaction; `false` when an officer
    /// acted on the item meanwhile (their action wins).
    async fn apply(
        &self,
        item: &work_item::Model,
        step: Step<'_>,
        to: WorkItemStatus,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let txn = self.db.begin().await?;
        if !casework::advance(&txn, item, step, now).await? {
            txn.rollback().await?;
            return Ok(false);
        }
        let summary = WorkItemSummary {
            work_item_id: item.id,
            reference: item.reference.clone(),
            correspondence_id: item.correspondence_id,
            queue: item.queue.clone(),
            status: to.as_str().to_owned(),
        };
        let mut event = outbox::NewEvent::new(WORK_ITEM_UPDATED, &summary)?;
        event.priority = Some(item.priority);
        outbox::enqueue(&txn, event, now).await?;
        txn.commit().await?;
        Ok(true)
    }
}
