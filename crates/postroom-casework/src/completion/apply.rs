//! Applying a checked completion: the account changes, the item done, and the events; or the
//! completion parked for a team leader.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;
use serde::{Deserialize, Serialize};

use postroom_accounts::Change;
use postroom_db::{
    account_changes::{self, ChangedBy},
    casework::{ItemPatch, Step},
    entities::{account, work_item},
    outbox,
};
use postroom_domain::{
    WorkItemStatus,
    events::{ACCOUNT_CHANGED, AccountChanged, WORK_ITEM_COMPLETED, WorkItemCompleted},
};

use postroom_workflows::Workflow;

use super::{ReplyRequest, bills::Before};
use crate::{
    CaseworkError,
    replies::{DraftOf, Replying, draft},
    transition::advance,
};

/// The completion kept on the item while it waits for approval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub changes: Vec<Change>,
    pub reply: Option<ReplyRequest>,
    pub outcome: String,
    pub approval_reasons: Vec<String>,
}

impl Pending {
    /// The completion parked on `item`.
    pub(crate) fn of(item: &work_item::Model) -> Result<Self, CaseworkError> {
        let raw = item.pending_completion.as_deref().ok_or_else(|| {
            CaseworkError::Internal(anyhow::anyhow!("work item {} awaits approval with no completion", item.reference))
        })?;
        Ok(serde_json::from_str(raw)?)
    }

    /// As the item's history shows it: bank account numbers masked.
    pub(crate) fn shown(&self) -> Result<serde_json::Value, CaseworkError> {
        let mut json = serde_json::to_value(self)?;
        if let Some(changes) = json.get_mut("changes") {
            *changes = self.changes.iter().map(Change::shown).collect();
        }
        Ok(json)
    }
}

/// Who completed and who approved.
#[derive(Debug, Clone, Copy)]
pub(super) struct Signed<'a> {
    pub completed_by: &'a str,
    pub approved_by: Option<&'a str>,
    /// The approver's comment, if any.
    pub reason: Option<&'a str>,
}

/// Applies the changes, closes the item and announces both, in `txn`.
pub(super) async fn finish(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    completion: &Pending,
    taken: &HashMap<String, account::Model>,
    signed: Signed<'_>,
    (workflow, replying): (&Workflow, &Replying),
    now: DateTime<Utc>,
) -> Result<(work_item::Model, Vec<AccountChanged>), CaseworkError> {
    let Signed { completed_by, approved_by, reason } = signed;
    let before = Before::bill(txn, &completion.changes, taken.values(), &replying.rates, now).await?;
    let mut applied = Vec::new();
    for change in &completion.changes {
        let Some(account) = taken.get(change.account()) else { continue };
        let by = ChangedBy { actor: completed_by, approved_by, work_item_id: Some(item.id) };
        let done = account_changes::apply(txn, account, change, by, now).await?;
        applied.push(AccountChanged {
            account: done.account,
            account_id: done.account_id,
            kind: done.kind,
            before: done.before,
            after: done.after,
            work_item_id: item.id,
            work_item: item.reference.clone(),
            changed_by: completed_by.to_owned(),
            approved_by: approved_by.map(str::to_owned),
        });
    }
    before.record_revisions(txn, item.id, &replying.rates, now).await?;
    let actor = approved_by.unwrap_or(completed_by);
    let patch = ItemPatch {
        completed_by: Some(Some(completed_by.to_owned())),
        pending_completion: Some(None),
        ..ItemPatch::default()
    };
    let action = if approved_by.is_some() { "approved" } else { "completed" };
    let step = Step::new(action, actor, WorkItemStatus::Done, patch).details(serde_json::json!({
        "outcome": completion.outcome,
        "reply": completion.reply,
        "changes": applied,
        "completed_by": completed_by,
        "approved_by": approved_by,
        "approval_reasons": completion.approval_reasons,
        "approver_comment": reason,
    }));
    let done = advance(txn, item, step, None, now).await?;
    if let Some(request) = &completion.reply {
        let of = DraftOf {
            workflow,
            request,
            outcome: &completion.outcome,
            applied: &applied,
            author: completed_by,
            approved: approved_by.is_some(),
        };
        draft(txn, &done, of, replying, now).await?;
    }
    for change in &applied {
        outbox::enqueue(txn, outbox::NewEvent::new(ACCOUNT_CHANGED, change)?, now).await?;
    }
    let completed = WorkItemCompleted {
        work_item_id: item.id,
        reference: item.reference.clone(),
        workflow: item.workflow.clone(),
        queue: item.queue.clone(),
        outcome: completion.outcome.clone(),
        completed_by: completed_by.to_owned(),
        approved_by: approved_by.map(str::to_owned),
        reply: completion.reply.as_ref().map(serde_json::to_value).transpose()?,
        changes: applied.clone(),
    };
    let mut event = outbox::NewEvent::new(WORK_ITEM_COMPLETED, &completed)?;
    event.priority = Some(item.priority.rank());
    outbox::enqueue(txn, event, now).await?;
    Ok((done, applied))
}

/// Parks the completion for a team leader, in `txn`.
pub(super) async fn send_for_approval(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    completion: &Pending,
    completed_by: &str,
    now: DateTime<Utc>,
) -> Result<work_item::Model, CaseworkError> {
    let patch = ItemPatch {
        completed_by: Some(Some(completed_by.to_owned())),
        pending_completion: Some(Some(serde_json::to_string(completion)?)),
        ..ItemPatch::default()
    };
    let step =
        Step::new("completed", completed_by, WorkItemStatus::AwaitingApproval, patch).details(completion.shown()?);
    advance(txn, item, step, None, now).await
}
