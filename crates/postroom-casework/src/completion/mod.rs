//! Completing a work item with typed account changes, and four-eyes approval.
//!
//! A completion checks every change (its kind against the workflow, its account against the
//! item's, its rules against the account as the earlier changes leave it) and either applies
//! them all in the transaction that closes the item, or rejects the whole completion listing
//! each error. Where the workflow or a change needs approval the item waits in
//! `awaiting_approval` until a team leader other than the officer approves (changes checked again
//! and applied then) or rejects it. A completion sent with an `Idempotency-Key` stores its answer
//! in the same transaction, so a retry gets the same answer and applies nothing twice.

mod apply;
mod bills;
mod check;

use chrono::Utc;
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use postroom_accounts::{Change, Context};
use postroom_db::{
    casework::{ItemPatch, Step},
    entities::work_item,
    idempotency, is_unique_violation,
};
use postroom_domain::{events::AccountChanged, london_date};
use postroom_workflows::Workflow;

pub(crate) use apply::Pending;
use apply::{Signed, finish, send_for_approval};
use check::{Checked, check_changes, check_request};

use crate::{
    Action, Caller, Casework, CaseworkError,
    text::{MAX_REASON_CHARS, required},
    transition::advance,
};

/// A completion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// The item's `version` as last read (a stale one gets 409).
    pub version: i32,
    /// The account changes to apply, each tagged by `kind`.
    #[serde(default)]
    #[schema(value_type = Vec<Change>)]
    pub changes: Vec<serde_json::Value>,
    /// The reply to send the customer, if any.
    pub reply: Option<ReplyRequest>,
    /// What was done, in a few words (at most 2,000 characters; kept in the history and sent to
    /// the back office).
    pub outcome: String,
}

/// The reply the officer asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// One of the workflow's reply templates (`GET /api/v1/workflows`).
    pub template: String,
    /// Left out: email when the customer wrote by email or prefers it and an address is known,
    /// else a letter.
    #[serde(default)]
    pub channel: Option<ReplyChannel>,
    /// Anything the reply should say besides the template (at most 10,000 characters).
    pub notes: Option<String>,
}

/// How a reply goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyChannel {
    Email,
    Letter,
}

/// A team leader's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub version: i32,
    /// Why: required to reject; on approval an optional comment kept in the history (at most
    /// 2,000 characters).
    pub reason: Option<String>,
}

/// The outcome of a completion, approval or rejection.
#[derive(Debug, Clone)]
pub struct Completion {
    pub item: work_item::Model,
    /// Why a team leader must approve it (empty when it was applied at once).
    pub approval_reasons: Vec<String>,
    /// The account changes applied (none while awaiting approval).
    pub applied: Vec<AccountChanged>,
}

/// A completion sent with an `Idempotency-Key`: the key, and a hash of the request it was sent
/// with (the same key with another request is refused).
#[derive(Debug, Clone, Copy)]
pub struct Idempotent<'a> {
    pub key: &'a str,
    pub request_hash: &'a str,
}

/// A stored answer to a request sent with an `Idempotency-Key`: its status and JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    pub body: String,
}

/// What a completion answers: the body rendered now, or the answer stored for the same request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Fresh(String),
    Replayed(StoredAnswer),
}

impl Casework {
    /// The answer stored for `user`'s `key`, if any; 422 when it was for another request.
    ///
    /// # Errors
    /// 422 for a key used with a different request; the database failing.
    pub async fn replay(&self, user: &str, request: Idempotent<'_>) -> Result<Option<StoredAnswer>, CaseworkError> {
        let Some(stored) = idempotency::find(&self.db, user, request.key).await? else { return Ok(None) };
        if stored.request_hash != request.request_hash {
            return Err(CaseworkError::invalid(
                "Idempotency-Key",
                "this Idempotency-Key was used for a different request; use a new key for a new request",
                "already used for another request",
            ));
        }
        Ok(Some(StoredAnswer { status: u16::try_from(stored.status).unwrap_or(200), body: stored.body }))
    }

    /// Completes a claimed item (its holder, or a team leader): applies its changes in the same
    /// transaction, or sends it for approval. `render` turns the outcome into the answer's JSON
    /// body, stored with the key when there is one.
    ///
    /// # Errors
    /// 403/409 as the lifecycle says; 409 for a stale version or an account changed meanwhile;
    /// 422 listing every invalid change.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn complete(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: CompleteRequest,
        idempotent: Option<Idempotent<'_>>,
        render: impl FnOnce(&Completion) -> Result<String, CaseworkError>,
    ) -> Result<Answer, CaseworkError> {
        Self::permit(Action::Complete, caller, item, Some(req.version))?;
        let workflow = self.workflow_of(item)?;
        let (indexed, errors) = check_request(&req, workflow);
        let now = Utc::now();
        let txn = self.db.begin().await?;
        // Write first: SQLite then takes its write lock now (waiting its turn) instead of failing
        // to upgrade a read transaction later; PostgreSQL queues a concurrent completion.
        postroom_db::casework::touch(&txn, item, now).await?;
        let ctx = Context { today: london_date(now), calendar: &self.calendar };
        let Checked { taken, mut approval_reasons } =
            check_changes(&txn, item, &indexed, errors, ctx, &self.approval).await?;
        if let Some(reply) = &req.reply {
            crate::replies::check_reply(&txn, item, reply, now).await?;
        }
        if workflow.approval {
            approval_reasons.insert(0, format!("workflow {} needs a team leader's approval", workflow.id));
        }
        approval_reasons.extend(crate::safeguarding::approval_reason(caller, item));
        let pending = Pending {
            changes: indexed.into_iter().map(|(_, c)| c).collect(),
            reply: req.reply,
            outcome: req.outcome.trim().to_owned(),
            approval_reasons,
        };
        let completion = if pending.approval_reasons.is_empty() {
            let signed = Signed { completed_by: &caller.user, approved_by: None, reason: None };
            let (item, applied) = finish(&txn, item, &pending, &taken, signed, (workflow, &self.replying), now).await?;
            Completion { item, approval_reasons: Vec::new(), applied }
        } else {
            let item = send_for_approval(&txn, item, &pending, &caller.user, now).await?;
            Completion { item, approval_reasons: pending.approval_reasons, applied: Vec::new() }
        };
        let body = render(&completion)?;
        if let Some(request) = idempotent {
            let stored = idempotency::Stored {
                user: &caller.user,
                key: request.key,
                request_hash: request.request_hash,
                work_item_id: Some(completion.item.id),
            };
            if let Err(e) = idempotency::store(&txn, stored, 200, &body, now).await {
                txn.rollback().await?;
                // The same key is being (or was just) completed by a concurrent retry: answer as
                // it did.
                if is_unique_violation(&e)
                    && let Some(answer) = self.replay(&caller.user, request).await?
                {
                    return Ok(Answer::Replayed(answer));
                }
                return Err(e.into());
            }
        }
        txn.commit().await?;
        self.wake();
        Ok(Answer::Fresh(body))
    }

    /// Approves a completion awaiting four-eyes (a team leader other than the officer who
    /// completed it): its changes are checked again and applied, with the approver recorded on
    /// each account change, and the item is done.
    ///
    /// # Errors
    /// 403 for the officer who completed it; 409 as the lifecycle says; 422 when a change is no
    /// longer valid for the account.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn approve(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: DecisionRequest,
    ) -> Result<Completion, CaseworkError> {
        Self::permit(Action::Approve, caller, item, Some(req.version))?;
        not_own_work(caller, item)?;
        let comment = crate::text::optional("reason", req.reason.as_deref(), MAX_REASON_CHARS)?;
        let pending = Pending::of(item)?;
        let completed_by = item.completed_by.clone().unwrap_or_default();
        let now = Utc::now();
        let txn = self.db.begin().await?;
        postroom_db::casework::touch(&txn, item, now).await?;
        let indexed: Vec<(usize, Change)> = pending.changes.iter().cloned().enumerate().collect();
        let ctx = Context { today: london_date(now), calendar: &self.calendar };
        let Checked { taken, .. } = check_changes(&txn, item, &indexed, Vec::new(), ctx, &self.approval).await?;
        let signed =
            Signed { completed_by: &completed_by, approved_by: Some(&caller.user), reason: comment.as_deref() };
        let workflow = self.workflow_of(item)?;
        let (item, applied) = finish(&txn, item, &pending, &taken, signed, (workflow, &self.replying), now).await?;
        txn.commit().await?;
        self.wake();
        Ok(Completion { item, approval_reasons: pending.approval_reasons, applied })
    }

    /// Rejects a completion awaiting approval, with a reason: nothing is applied and the item goes
    /// back, in progress, to the officer who held it. A team leader other than that officer. The
    /// answer stored for the completion's `Idempotency-Key` is forgotten: sent again, it is a new
    /// completion.
    ///
    /// # Errors
    /// 403 for the officer who completed it; 409 as the lifecycle says; 422 without a reason.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn reject(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: DecisionRequest,
    ) -> Result<Completion, CaseworkError> {
        let to = Self::permit(Action::Reject, caller, item, Some(req.version))?;
        not_own_work(caller, item)?;
        let reason = match req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(reason) => required("reason", reason, MAX_REASON_CHARS)?,
            None => return Err(CaseworkError::invalid("reason", "say why the completion is rejected", "required")),
        };
        let pending = Pending::of(item)?;
        let now = Utc::now();
        // Back to the officer who held it (a team leader may have completed it for them).
        let back_to = item.assignee.clone().or_else(|| item.completed_by.clone());
        let patch = ItemPatch {
            assignee: Some(back_to.clone()),
            active_at: Some(now),
            pending_completion: Some(None),
            completed_by: Some(None),
            ..ItemPatch::default()
        };
        let step = Step::new("rejected", &caller.user, to, patch).details(serde_json::json!({
            "reason": reason,
            "back_to": back_to,
            "completion": pending.shown()?,
        }));
        let txn = self.db.begin().await?;
        let fresh = advance(&txn, item, step, None, now).await?;
        idempotency::forget_for_item(&txn, item.id).await?;
        txn.commit().await?;
        self.wake();
        Ok(Completion { item: fresh, approval_reasons: pending.approval_reasons, applied: Vec::new() })
    }

    pub(crate) fn workflow_of(&self, item: &work_item::Model) -> Result<&Workflow, CaseworkError> {
        self.catalogue.get(&item.workflow).ok_or_else(|| {
            CaseworkError::Conflict(format!(
                "work item {} has workflow {:?}, which the catalogue no longer has; a team leader re-routes it",
                item.reference, item.workflow
            ))
        })
    }
}

/// Why the item waits for approval, from the completion parked on it (empty otherwise).
#[must_use]
pub fn approval_reasons_of(item: &work_item::Model) -> Vec<String> {
    Pending::of(item).map(|p| p.approval_reasons).unwrap_or_default()
}

fn not_own_work(caller: &Caller, item: &work_item::Model) -> Result<(), CaseworkError> {
    if item.completed_by.as_deref() == Some(caller.user.as_str()) {
        return Err(CaseworkError::Forbidden(format!(
            "{} completed work item {}: another team leader must decide (four-eyes)",
            caller.user, item.reference
        )));
    }
    Ok(())
}
