//! The clocks of officer work: a claim whose holder has done nothing for the claim timeout goes
//! back to ready; an item waiting for the customer comes back on its bring-forward date.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use postroom_db::casework::{ItemPatch, Step};
use postroom_domain::{WorkItemStatus, london_date};

use crate::{Casework, CaseworkError, transition::advance};

/// Most items one timer looks at per round.
const BATCH: u64 = 200;

/// What one round of the timers did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TimerRound {
    pub claims_expired: usize,
    pub brought_forward: usize,
}

impl Casework {
    /// Expires the claims idle for `claim_timeout` and brings forward the items whose date has
    /// come, each in its own transaction; an item an officer acted on meanwhile is left alone
    /// (their action wins).
    ///
    /// # Errors
    /// When the database fails; what was done before stays done.
    #[tracing::instrument(skip_all)]
    pub async fn run_timers(&self, now: DateTime<Utc>, claim_timeout: Duration) -> Result<TimerRound, CaseworkError> {
        let mut round = TimerRound::default();
        let idle_since = now - chrono::Duration::from_std(claim_timeout).map_err(anyhow::Error::new)?;
        for item in postroom_db::casework::expired_claims(&self.db, idle_since, BATCH).await? {
            let patch = ItemPatch { assignee: Some(None), ..ItemPatch::default() };
            let step = Step::new("claim_expired", "system", WorkItemStatus::Ready, patch)
                .idle_before(idle_since)
                .details(serde_json::json!({
                    "assignee": { "before": item.assignee, "after": null },
                    "inactive_since": item.active_at,
                    "claim_timeout_secs": claim_timeout.as_secs(),
                }));
            if self.timer_step(&item, step, now).await? {
                round.claims_expired += 1;
            }
        }
        for item in postroom_db::casework::brought_forward(&self.db, london_date(now), BATCH).await? {
            let why = serde_json::json!({ "by": "bring_forward_date", "bring_forward_on": item.bring_forward_on });
            let step = self.resumption(&item, "brought_forward", "system", why, now);
            if self.timer_step(&item, step, now).await? {
                round.brought_forward += 1;
            }
        }
        Ok(round)
    }

    /// `false` when the item changed meanwhile.
    async fn timer_step(
        &self,
        item: &postroom_db::entities::work_item::Model,
        step: Step<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, CaseworkError> {
        let txn = self.db.begin().await?;
        match advance(&txn, item, step, None, now).await {
            Ok(_) => {
                txn.commit().await?;
                self.wake();
                Ok(true)
            }
            Err(CaseworkError::Conflict(_)) => {
                txn.rollback().await?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}
