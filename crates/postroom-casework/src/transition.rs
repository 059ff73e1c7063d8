//! The one path every state change takes: check who may, advance the item (only at the version
//! read), audit, write `workitem.updated` to the outbox, commit, wake the relay.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use postroom_db::{casework::Step, entities::work_item, outbox, queues, work_items};
use postroom_domain::{
    Role, WorkItemStatus,
    events::{WORK_ITEM_UPDATED, WorkItemSummary},
};

use crate::{
    Casework, CaseworkError,
    lifecycle::{Action, Actor, Refusal},
};

/// Who is asking: their user name and role, from their token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user: String,
    pub role: Role,
}

impl Caller {
    #[must_use]
    pub fn new(user: impl Into<String>, role: Role) -> Self {
        Self { user: user.into(), role }
    }

    fn actor(&self) -> Actor<'_> {
        Actor { role: self.role, user: &self.user }
    }

    /// Refuses a caller whose role may never take `action` (403 naming the roles allowed).
    ///
    /// # Errors
    /// 403.
    pub fn may(&self, action: Action) -> Result<(), CaseworkError> {
        if action.roles().contains(&self.role) {
            return Ok(());
        }
        let allowed: Vec<&str> = action.roles().iter().map(|r| r.as_str()).collect();
        Err(CaseworkError::Forbidden(format!("role {} may not {action}; allowed: {}", self.role, allowed.join(", "))))
    }
}

/// An action that needs nothing but, optionally, the version last read and a reason. The body
/// may be left out altogether.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The item's `version` as last read; when given, a stale one gets 409.
    pub version: Option<i32>,
    /// Why, for the audit trail (at most 2,000 characters).
    pub reason: Option<String>,
}

impl Casework {
    /// A work item by id, or 404.
    ///
    /// # Errors
    /// 404, or the database failing.
    pub async fn load(&self, id: Uuid) -> Result<work_item::Model, CaseworkError> {
        work_items::get(&self.db, id)
            .await?
            .ok_or_else(|| CaseworkError::NotFound(format!("work item {id} does not exist")))
    }

    /// Checks `action` by `caller` on `item` (role 403; state or claim 409; stale version 409),
    /// giving the state it leads to.
    pub(crate) fn permit(
        action: Action,
        caller: &Caller,
        item: &work_item::Model,
        version: Option<i32>,
    ) -> Result<WorkItemStatus, CaseworkError> {
        let to = action.check(caller.actor(), item.status, item.assignee.as_deref()).map_err(|r| match r {
            Refusal::Role { .. } => CaseworkError::Forbidden(r.to_string()),
            Refusal::State { .. } | Refusal::NotHolder { .. } => {
                CaseworkError::Conflict(format!("work item {}: {r}", item.reference))
            }
        })?;
        if let Some(v) = version.filter(|v| *v != item.version) {
            return Err(stale(item, v));
        }
        Ok(to)
    }

    /// Refuses a caller who does not work `queue` (team leaders work every queue).
    pub(crate) async fn works_queue(&self, caller: &Caller, queue: &str) -> Result<(), CaseworkError> {
        if caller.role == Role::TeamLeader || queues::of_user(&self.db, &caller.user).await?.iter().any(|q| q == queue)
        {
            return Ok(());
        }
        Err(CaseworkError::Forbidden(format!("{} does not work queue {queue}; a team leader can add it", caller.user)))
    }

    /// Applies `step` to `item` in its own transaction with its announcement, then wakes the
    /// relay; 409 when the item changed since it was read. Answers with the item as it now is.
    pub(crate) async fn transition(
        &self,
        item: &work_item::Model,
        step: Step<'_>,
        now: DateTime<Utc>,
    ) -> Result<work_item::Model, CaseworkError> {
        let txn = self.db.begin().await?;
        let fresh = advance(&txn, item, step, None, now).await?;
        txn.commit().await?;
        self.wake();
        Ok(fresh)
    }
}

/// A 409 for a stale version.
pub(crate) fn stale(item: &work_item::Model, version: i32) -> CaseworkError {
    CaseworkError::Conflict(format!(
        "work item {} is at version {}, not {version}: read it again",
        item.reference, item.version
    ))
}

/// Applies `step` to `item` in `txn` and announces the item's new state; 409 when the item
/// changed since it was read. The caller commits and wakes the relay.
pub(crate) async fn advance(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    step: Step<'_>,
    correlation_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<work_item::Model, CaseworkError> {
    if !postroom_db::casework::advance(txn, item, step, now).await? {
        return Err(CaseworkError::item_changed(&item.reference));
    }
    let fresh = reload(txn, item).await?;
    announce(txn, &fresh, correlation_id, now).await?;
    Ok(fresh)
}

/// The item as it now is in `txn`.
pub(crate) async fn reload(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
) -> Result<work_item::Model, CaseworkError> {
    work_items::get(txn, item.id)
        .await?
        .ok_or_else(|| CaseworkError::NotFound(format!("work item {} does not exist", item.reference)))
}

/// Writes `workitem.updated` for the back office and dashboards: the item's queue and state now.
pub(crate) async fn announce(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    correlation_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), CaseworkError> {
    announce_as(txn, WORK_ITEM_UPDATED, item, correlation_id, now).await
}

/// Writes `event_type` (`workitem.created` or `workitem.updated`) with the item's summary.
pub(crate) async fn announce_as(
    txn: &DatabaseTransaction,
    event_type: &'static str,
    item: &work_item::Model,
    correlation_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), CaseworkError> {
    let summary = WorkItemSummary {
        work_item_id: item.id,
        reference: item.reference.clone(),
        correspondence_id: item.correspondence_id,
        queue: item.queue.clone(),
        status: item.status.as_str().to_owned(),
    };
    let mut event = outbox::NewEvent::new(event_type, &summary)?.correlated(correlation_id.map(str::to_owned));
    event.priority = Some(item.priority.rank());
    outbox::enqueue(txn, event, now).await?;
    Ok(())
}
