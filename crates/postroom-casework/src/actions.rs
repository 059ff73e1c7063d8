//! The lifecycle actions on one work item: claim, release, pend, resume, refer, return,
//! reassign, cancel, reopen and notes. Each is checked against the item's state, the caller's
//! role and who holds the claim, and audited with what it changed before and after.

use chrono::{Days, Utc};
use sea_orm::TransactionTrait;

use postroom_db::{
    casework::{ItemPatch, Step},
    entities::work_item,
    queues, work_items,
};
use postroom_domain::{Role, WorkItemStatus, london_date};

use crate::requests::{CancelRequest, NoteRequest, PendRequest, ReassignRequest, ReferRequest, ReopenRequest};

use crate::{
    ActionRequest, Caller, Casework, CaseworkError,
    lifecycle::{Action, CancelReason},
    sla::{self, Resumed},
    text::{MAX_NOTE_CHARS, MAX_REASON_CHARS, optional, required},
};

/// The columns of a claim by `user` now.
fn claimed_by(user: &str, now: chrono::DateTime<Utc>) -> ItemPatch {
    ItemPatch {
        assignee: Some(Some(user.to_owned())),
        claimed_at: Some(now),
        active_at: Some(now),
        ..ItemPatch::default()
    }
}

impl Casework {
    /// Claims a ready item in a queue the caller works.
    ///
    /// # Errors
    /// 403 for a role that may not claim or a queue the caller does not work; 409 when the item
    /// is not ready or the version is stale.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn claim(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Claim, caller, item, req.version)?;
        self.works_queue(caller, &item.queue).await?;
        let reason = optional("reason", req.reason.as_deref(), MAX_REASON_CHARS)?;
        let now = Utc::now();
        let step = Step::new("claimed", &caller.user, to, claimed_by(&caller.user, now))
            .details(serde_json::json!({ "assignee": caller.user, "by": "claim", "reason": reason }));
        self.transition(item, step, now).await
    }

    /// Gives a claimed item back to its queue (the holder or a team leader).
    ///
    /// # Errors
    /// As [`Casework::claim`].
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn release(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Release, caller, item, req.version)?;
        let reason = optional("reason", req.reason.as_deref(), MAX_REASON_CHARS)?;
        let patch = ItemPatch { assignee: Some(None), ..ItemPatch::default() };
        let step = Step::new("released", &caller.user, to, patch)
            .details(serde_json::json!({ "assignee": { "before": item.assignee, "after": null }, "reason": reason }));
        self.transition(item, step, Utc::now()).await
    }

    /// Waits for the customer: the SLA clock pauses until they write again, someone resumes it,
    /// or the bring-forward date comes. The item stays with its officer.
    ///
    /// # Errors
    /// As [`Casework::claim`]; 422 for a missing reason or a bring-forward date not after today
    /// or more than a year ahead.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn pend(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: PendRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Pend, caller, item, req.version)?;
        let reason = required("reason", &req.reason, MAX_REASON_CHARS)?;
        let now = Utc::now();
        let today = london_date(now);
        let latest = today.checked_add_days(Days::new(366)).unwrap_or(today);
        if req.bring_forward_on <= today || req.bring_forward_on > latest {
            return Err(CaseworkError::invalid(
                "bring_forward_on",
                format!("bring_forward_on must be after today ({today}) and within a year"),
                format!("a date from {} to {latest}", today.succ_opt().unwrap_or(today)),
            ));
        }
        let step = Step::new("pended", &caller.user, to, sla::paused(today, req.bring_forward_on))
            .details(serde_json::json!({ "reason": reason, "bring_forward_on": req.bring_forward_on }));
        self.transition(item, step, now).await
    }

    /// Stops waiting for the customer: the item goes back to the officer who held it (or to
    /// ready in its queue when nobody did), its due date moved on by the working days paused.
    ///
    /// # Errors
    /// As [`Casework::claim`].
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn resume(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        Self::permit(Action::Resume, caller, item, req.version)?;
        if caller.role == Role::Officer {
            self.works_queue(caller, &item.queue).await?;
        }
        let reason = optional("reason", req.reason.as_deref(), MAX_REASON_CHARS)?;
        let now = Utc::now();
        let why = serde_json::json!({ "by": "officer", "reason": reason });
        let step = self.resumption(item, "resumed", &caller.user, why, now);
        self.transition(item, step, now).await
    }

    /// The step that resumes `item` now: back to its holder (claim renewed) or to ready.
    pub(crate) fn resumption<'a>(
        &self,
        item: &work_item::Model,
        action: &'a str,
        actor: &'a str,
        why: serde_json::Value,
        now: chrono::DateTime<Utc>,
    ) -> Step<'a> {
        let r @ Resumed { working_days_paused, due_on } = sla::resumed(item, &self.calendar, london_date(now));
        let mut patch = sla::unpaused(r);
        let to = match &item.assignee {
            Some(holder) => {
                patch = ItemPatch {
                    due_on: patch.due_on,
                    paused_on: patch.paused_on,
                    bring_forward_on: patch.bring_forward_on,
                    ..claimed_by(holder, now)
                };
                WorkItemStatus::InProgress
            }
            None => WorkItemStatus::Ready,
        };
        Step::new(action, actor, to, patch).details(serde_json::json!({
            "why": why,
            "back_to": item.assignee,
            "paused_since": item.paused_on,
            "working_days_paused": working_days_paused,
            "due_on": { "before": item.due_on, "after": due_on },
        }))
    }

    /// Refers a claimed item to another queue of the catalogue (e.g. `fraud`) with a reason; it
    /// remembers the queue it came from.
    ///
    /// # Errors
    /// As [`Casework::claim`]; 422 for a missing reason or an unknown or the same queue.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn refer(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: ReferRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Refer, caller, item, req.version)?;
        let reason = required("reason", &req.reason, MAX_REASON_CHARS)?;
        let known =
            req.queue != postroom_workflows::TRIAGE && self.catalogue.workflows().iter().any(|w| w.queue == req.queue);
        if !known || req.queue == item.queue {
            return Err(CaseworkError::invalid(
                "queue",
                format!("cannot refer to queue {:?}: name another queue of the catalogue (not triage)", req.queue),
                "unknown, triage, or the same queue",
            ));
        }
        let patch = ItemPatch {
            queue: Some(req.queue.clone()),
            home_queue: Some(Some(item.queue.clone())),
            assignee: Some(None),
            ..ItemPatch::default()
        };
        let step = Step::new("referred", &caller.user, to, patch).details(serde_json::json!({
            "queue": { "before": item.queue, "after": req.queue },
            "assignee": { "before": item.assignee, "after": null },
            "reason": reason,
        }));
        self.transition(item, step, Utc::now()).await
    }

    /// Returns a referred item to the queue it came from, ready. Only someone working the queue
    /// it was referred to, or a team leader: the officer who referred it cannot take it back.
    ///
    /// # Errors
    /// As [`Casework::claim`].
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn return_referral(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Return, caller, item, req.version)?;
        if caller.role != Role::TeamLeader && !queues::of_user(&self.db, &caller.user).await?.contains(&item.queue) {
            return Err(CaseworkError::Forbidden(format!(
                "work item {} was referred to queue {}: someone working that queue, or a team leader, returns it",
                item.reference, item.queue
            )));
        }
        let reason = optional("reason", req.reason.as_deref(), MAX_REASON_CHARS)?;
        let home = item.home_queue.clone().unwrap_or_else(|| item.queue.clone());
        let patch = ItemPatch { queue: Some(home.clone()), home_queue: Some(None), ..ItemPatch::default() };
        let step = Step::new("returned", &caller.user, to, patch)
            .details(serde_json::json!({ "queue": { "before": item.queue, "after": home }, "reason": reason }));
        self.transition(item, step, Utc::now()).await
    }

    /// Gives a ready or claimed item to a named officer who works its queue (team leaders).
    ///
    /// # Errors
    /// As [`Casework::claim`]; 422 when the officer does not work the queue.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn reassign(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: ReassignRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Reassign, caller, item, req.version)?;
        let assignee = required("assignee", &req.assignee, 255)?;
        let reason = optional("reason", req.reason.as_deref(), MAX_REASON_CHARS)?;
        if !queues::of_user(&self.db, &assignee).await?.contains(&item.queue) {
            return Err(CaseworkError::invalid(
                "assignee",
                format!("{assignee} does not work queue {}; add the queue to them first", item.queue),
                "not a member of the queue",
            ));
        }
        let now = Utc::now();
        let step = Step::new("reassigned", &caller.user, to, claimed_by(&assignee, now)).details(serde_json::json!({
            "assignee": { "before": item.assignee, "after": assignee },
            "reason": reason,
        }));
        self.transition(item, step, now).await
    }

    /// Cancels an open item with a reason: duplicate, no action needed, or sent in error. An
    /// officer cancels only in a queue they work; the post room only triage items; a safeguarding
    /// item only a team leader.
    ///
    /// # Errors
    /// As [`Casework::claim`]; 422 for `merged` (the classifier's).
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn cancel(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: CancelRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Cancel, caller, item, req.version)?;
        crate::safeguarding::may_cancel(caller, item)?;
        if caller.role == Role::Officer {
            self.works_queue(caller, &item.queue).await?;
        }
        if req.reason == CancelReason::Merged {
            return Err(CaseworkError::invalid(
                "reason",
                "merged is set by the classifier; use duplicate",
                "one of duplicate, no_action_needed, sent_in_error",
            ));
        }
        let note = optional("note", req.note.as_deref(), MAX_REASON_CHARS)?;
        let step = Step::new("cancelled", &caller.user, to, ItemPatch::default())
            .details(serde_json::json!({ "reason": req.reason, "note": note }));
        self.transition(item, step, Utc::now()).await
    }

    /// Opens a done or cancelled item again (team leaders, reason required): ready in its queue,
    /// unassigned, its deadline counted afresh from today by its workflow's target.
    ///
    /// # Errors
    /// As [`Casework::claim`]; 422 without a reason.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn reopen(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: ReopenRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        let to = Self::permit(Action::Reopen, caller, item, req.version)?;
        // Correspondence nobody had sorted goes back to be sorted, not to a queue of its own.
        let to = if item.workflow == postroom_workflows::TRIAGE { WorkItemStatus::Triage } else { to };
        let reason = required("reason", &req.reason, MAX_REASON_CHARS)?;
        let now = Utc::now();
        let due_on = match self.catalogue.get(&item.workflow) {
            Some(w) => w.place(&self.calendar, now, "", None).due_on,
            None => self.calendar.add_working_days(london_date(now), 1),
        };
        // A referral cancelled in the queue it went to reopens in the queue it came from.
        let queue = item.home_queue.clone().unwrap_or_else(|| item.queue.clone());
        let patch = ItemPatch {
            queue: Some(queue.clone()),
            home_queue: Some(None),
            due_on: Some(due_on),
            assignee: Some(None),
            paused_on: Some(None),
            bring_forward_on: Some(None),
            completed_by: Some(None),
            pending_completion: Some(None),
            ..ItemPatch::default()
        };
        let step = Step::new("reopened", &caller.user, to, patch).details(serde_json::json!({
            "reason": reason,
            "was": item.status,
            "queue": { "before": item.queue, "after": queue },
            "completed_by": item.completed_by,
            "due_on": { "before": item.due_on, "after": due_on },
        }));
        self.transition(item, step, now).await
    }

    /// Adds a note to the item's history (any state); a note by the holder keeps the claim alive.
    ///
    /// # Errors
    /// 403 for a role that may not; 422 for an empty or over-long note.
    #[tracing::instrument(skip_all, fields(work_item = %item.reference, user = %caller.user))]
    pub async fn note(
        &self,
        caller: &Caller,
        item: &work_item::Model,
        req: NoteRequest,
    ) -> Result<work_item::Model, CaseworkError> {
        Self::permit(Action::Notes, caller, item, None)?;
        let text = required("text", &req.text, MAX_NOTE_CHARS)?;
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let entry = work_items::NewEvent {
            actor: &caller.user,
            action: "note",
            from_status: None,
            to_status: None,
            details: Some(serde_json::json!({ "text": text })),
        };
        work_items::audit(&txn, item.id, entry, now).await?;
        if item.assignee.as_deref() == Some(caller.user.as_str()) {
            postroom_db::casework::touch(&txn, item, now).await?;
        }
        let fresh = crate::transition::reload(&txn, item).await?;
        txn.commit().await?;
        Ok(fresh)
    }
}
