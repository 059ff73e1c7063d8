//! Escalations: `workitem.breach_warning` when an open item comes within the warning window of
//! its due date, `workitem.overdue` when it passes it. Each is raised once per item, threshold
//! and due date (an item whose deadline moves, resumed after a pause, is warned again for the
//! new date): the row in `work_item_escalations`, the outbox event and the item's audit entry
//! are written in one transaction, and a second worker's insert of the same row does nothing.
//! Items waiting for the customer (the SLA clock stopped) are left out.

use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;

use postroom_db::{escalations, outbox, work_items};
use postroom_domain::{
    events::{Escalation, WORK_ITEM_BREACH_WARNING, WORK_ITEM_OVERDUE},
    london_date,
};

use super::bounds;
use crate::{Casework, CaseworkError};

/// The threshold an item within the warning window crosses.
pub const BREACH_WARNING: &str = "breach_warning";
/// The threshold an item past its due date crosses.
pub const OVERDUE: &str = "overdue";

/// Most items looked at per statement.
const BATCH: u64 = 200;

/// What one round raised.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Escalated {
    pub breach_warnings: usize,
    pub overdue: usize,
}

impl Casework {
    /// Raises every escalation due at `now` with a warning window of `warning_days` working
    /// days, each in its own transaction.
    ///
    /// # Errors
    /// The database failing; what was raised before stays raised.
    #[tracing::instrument(skip_all)]
    pub async fn raise_escalations(&self, now: DateTime<Utc>, warning_days: u32) -> Result<Escalated, CaseworkError> {
        let b = bounds(&self.calendar, london_date(now), warning_days);
        let mut raised = Escalated::default();
        let yesterday = b.today.pred_opt().unwrap_or(b.today);
        for (threshold, last_day, event) in
            [(BREACH_WARNING, b.soon, WORK_ITEM_BREACH_WARNING), (OVERDUE, yesterday, WORK_ITEM_OVERDUE)]
        {
            loop {
                let items = escalations::pending(&self.db, threshold, last_day, BATCH).await?;
                for found in &items {
                    // Stamped when written, not when the round began: an item created meanwhile
                    // must not show an escalation before its creation.
                    let at = Utc::now();
                    let txn = self.db.begin().await?;
                    if !escalations::record(&txn, found.id, threshold, found.due_on, last_day, at).await? {
                        txn.rollback().await?;
                        continue;
                    }
                    // As it is now, under the row just written.
                    let Some(item) = work_items::get(&txn, found.id).await? else {
                        txn.rollback().await?;
                        continue;
                    };
                    let payload = Escalation {
                        work_item_id: item.id,
                        reference: item.reference.clone(),
                        workflow: item.workflow.clone(),
                        queue: item.queue.clone(),
                        priority: item.priority.to_string(),
                        status: item.status.as_str().to_owned(),
                        due_on: item.due_on,
                        assignee: item.assignee.clone(),
                        threshold: threshold.to_owned(),
                        warning_working_days: warning_days,
                    };
                    let mut e = outbox::NewEvent::new(event, &payload)?;
                    e.priority = Some(item.priority.rank());
                    outbox::enqueue(&txn, e, at).await?;
                    let entry = work_items::NewEvent {
                        actor: "system",
                        action: threshold,
                        from_status: Some(item.status),
                        to_status: Some(item.status),
                        details: Some(serde_json::json!({
                            "due_on": item.due_on,
                            "warning_working_days": warning_days,
                            "event": event,
                        })),
                    };
                    work_items::audit(&txn, item.id, entry, at).await?;
                    txn.commit().await?;
                    if threshold == OVERDUE {
                        raised.overdue += 1;
                    } else {
                        raised.breach_warnings += 1;
                    }
                }
                if u64::try_from(items.len()).unwrap_or(u64::MAX) < BATCH {
                    break;
                }
            }
        }
        if raised != Escalated::default() {
            self.wake();
            tracing::info!(breach_warnings = raised.breach_warnings, overdue = raised.overdue, "escalations raised");
        }
        Ok(raised)
    }
}
