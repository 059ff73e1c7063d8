//! Officers' actions on work items: claim next, claim, release, pend, resume, refer, return,
//! reassign, cancel and notes. Each is checked against the item's state, the caller's role and
//! who holds the claim (`postroom_domain::lifecycle`): a role that may never do it gets 403, a
//! state that does not allow it gets 409 naming the state. Each writes an audit entry (who, when,
//! what, before and after) and announces `workitem.updated`.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse, response::Response};
use chrono::{Days, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_db::{DatabaseTransaction, casework, casework::Step, entities::work_item, outbox, queues, work_items};
use postroom_domain::{
    Action, CancelReason, Role, WorkItemStatus,
    events::{WORK_ITEM_UPDATED, WorkItemSummary},
    lifecycle::{Actor, Refusal},
    london_date,
};
use sea_orm::TransactionTrait;

use crate::{
    error::{ApiError, FieldError, Problem},
    extract::{ApiJson, ApiPath, Caller},
    routes::views::WorkItemView,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(claim_next_work_item))
        .routes(routes!(claim_work_item))
        .routes(routes!(release_work_item))
        .routes(routes!(pend_work_item))
        .routes(routes!(resume_work_item))
        .routes(routes!(refer_work_item))
        .routes(routes!(return_work_item))
        .routes(routes!(reassign_work_item))
        .routes(routes!(cancel_work_item))
        .routes(routes!(note_work_item))
}

/// An action that needs nothing but, optionally, the version last read.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// The item's `version` as last read; when given, a stale one gets 409.
    pub version: Option<i32>,
    /// Why, for the audit trail.
    pub reason: Option<String>,
}

/// Wait for the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PendRequest {
    pub version: Option<i32>,
    /// What the customer has been asked for.
    pub reason: String,
    /// When the item comes back by itself if the customer has not written (after today, within
    /// a year).
    pub bring_forward_on: NaiveDate,
}

/// Refer to another queue.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferRequest {
    pub version: Option<i32>,
    /// The queue to refer to, e.g. `fraud` (a queue of the workflow catalogue).
    pub queue: String,
    pub reason: String,
}

/// Give to a named officer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    pub version: Option<i32>,
    /// The officer's user name; they must work the item's queue.
    pub assignee: String,
    pub reason: Option<String>,
}

/// Close without action.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub version: Option<i32>,
    /// `duplicate`, `no_action_needed` or `sent_in_error`.
    pub reason: CancelReason,
    pub note: Option<String>,
}

/// A note on the item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    pub text: String,
}

/// Loads an item or 404.
pub(crate) async fn load(state: &AppState, id: Uuid) -> Result<work_item::Model, ApiError> {
    work_items::get(&state.db, id).await?.ok_or_else(|| ApiError::NotFound(format!("work item {id} does not exist")))
}

/// Checks `action` by `caller` on `item` (role 403; state or claim 409; stale version 409),
/// giving the state it leads to.
pub(crate) fn permit(
    action: Action,
    caller: &Caller,
    item: &work_item::Model,
    version: Option<i32>,
) -> Result<WorkItemStatus, ApiError> {
    let state: WorkItemStatus = item.status.parse().map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    let actor = Actor { role: caller.0.role, user: caller.user() };
    let to = action.check(actor, state, item.assignee.as_deref()).map_err(|r| match r {
        Refusal::Role { .. } => ApiError::Forbidden(r.to_string()),
        Refusal::State { .. } | Refusal::NotHolder { .. } => {
            ApiError::Conflict(format!("work item {}: {r}", item.reference))
        }
    })?;
    if let Some(v) = version.filter(|v| *v != item.version) {
        return Err(stale(item, v));
    }
    Ok(to)
}

pub(crate) fn stale(item: &work_item::Model, version: i32) -> ApiError {
    ApiError::Conflict(format!(
        "work item {} is at version {}, not {version}: read it again",
        item.reference, item.version
    ))
}

fn required(field: &str, text: &str) -> Result<(), ApiError> {
    if text.trim().is_empty() {
        return Err(ApiError::Unprocessable {
            detail: format!("{field} is required"),
            errors: vec![FieldError { field: field.to_owned(), message: "must not be empty".to_owned() }],
        });
    }
    Ok(())
}

/// Announces the item's new state for the back office and dashboards.
pub(crate) async fn announce(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    status: WorkItemStatus,
    queue: &str,
) -> Result<(), ApiError> {
    let summary = WorkItemSummary {
        work_item_id: item.id,
        reference: item.reference.clone(),
        correspondence_id: item.correspondence_id,
        queue: queue.to_owned(),
        status: status.as_str().to_owned(),
    };
    let mut event = outbox::NewEvent::new(WORK_ITEM_UPDATED, &summary)?;
    event.priority = Some(item.priority);
    outbox::enqueue(txn, event, Utc::now()).await?;
    Ok(())
}

/// Applies `step` in one transaction with its announcement; 409 when the item changed since it
/// was read. Answers with the item as it now is.
async fn commit(state: &AppState, item: &work_item::Model, step: Step<'_>) -> Result<Json<WorkItemView>, ApiError> {
    let now = Utc::now();
    let txn = state.db.begin().await?;
    if !casework::advance(&txn, item, step, now).await? {
        txn.rollback().await?;
        return Err(ApiError::item_changed(&item.reference));
    }
    let fresh = work_items::get(&txn, item.id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("work item {} does not exist", item.reference)))?;
    let status = fresh.status.parse().map_err(|e| ApiError::Internal(anyhow::Error::new(e)))?;
    announce(&txn, item, status, &fresh.queue).await?;
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Json(WorkItemView::from_model(fresh, london_date(now))?))
}

/// Whether `user` may work `queue` (team leaders may work any).
async fn works_queue(state: &AppState, caller: &Caller, queue: &str) -> Result<(), ApiError> {
    if caller.0.role == Role::TeamLeader {
        return Ok(());
    }
    if queues::of_user(&state.db, caller.user()).await?.iter().any(|q| q == queue) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!("{} does not work queue {queue}; a team leader can add it", caller.user())))
    }
}

/// Claims the next item for the caller across the queues they work: highest priority, then
/// earliest due, then oldest received. Exclusive under concurrency. 204 when nothing is ready.
/// Officers and team leaders (by their own queues).
#[utoipa::path(post, path = "/api/v1/work-items/next", tag = "officer work",
    responses((status = 200, body = WorkItemView), (status = 204, description = "Nothing ready in your queues"),
        (status = 403, description = "Wrong role, or no queues assigned", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(user = caller.user()))]
pub async fn claim_next_work_item(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    caller.require(Action::Claim.roles())?;
    let mine = queues::of_user(&state.db, caller.user()).await?;
    if mine.is_empty() {
        return Err(ApiError::Forbidden(format!(
            "{} has no queues to work; a team leader assigns them with PUT /api/v1/officers/{}/queues",
            caller.user(),
            caller.user()
        )));
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let Some(item) = casework::claim_next(&txn, caller.user(), &mine, now).await? else {
        txn.rollback().await?;
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    announce(&txn, &item, WorkItemStatus::InProgress, &item.queue).await?;
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Json(WorkItemView::from_model(item, london_date(now))?).into_response())
}

/// Declares an action's handler with its OpenAPI description; its body is the function of the
/// same name in `bodies`, which reads like any other function.
macro_rules! action_doc {
    ($(#[$m:meta])* $name:ident, $path:literal, $body:ty) => {
        $(#[$m])*
        #[utoipa::path(post, path = $path, tag = "officer work",
            params(("id" = Uuid, Path, description = "Work item id")),
            request_body = $body,
            responses((status = 200, body = WorkItemView),
                (status = 403, description = "Not for your role", body = Problem, content_type = "application/problem+json"),
                (status = 404, body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "Not allowed in the item's state, claimed by someone else, or a stale version", body = Problem, content_type = "application/problem+json"),
                (status = 422, body = Problem, content_type = "application/problem+json")),
            security(("bearer" = [])))]
        #[tracing::instrument(skip_all, fields(work_item_id = %id, user = caller.user()))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            ApiPath(id): ApiPath<Uuid>,
            ApiJson(req): ApiJson<$body>,
        ) -> Result<Json<WorkItemView>, ApiError> {
            let item = load(&state, id).await?;
            bodies::$name(&state, &caller, &item, req).await
        }
    };
}

action_doc!(
    /// Claims a ready item in a queue the caller works.
    claim_work_item, "/api/v1/work-items/{id}/claim", ActionRequest);
action_doc!(
    /// Gives a claimed item back to its queue (the holder or a team leader).
    release_work_item, "/api/v1/work-items/{id}/release", ActionRequest);
action_doc!(
    /// Waits for the customer: the SLA clock pauses until they write again, someone resumes it,
    /// or the bring-forward date comes; the due date then moves on by the working days paused.
    pend_work_item, "/api/v1/work-items/{id}/pend", PendRequest);
action_doc!(
    /// Stops waiting for the customer: back to ready, due date moved on by the days paused.
    resume_work_item, "/api/v1/work-items/{id}/resume", ActionRequest);
action_doc!(
    /// Refers a claimed item to another queue (e.g. `fraud`) with a reason.
    refer_work_item, "/api/v1/work-items/{id}/refer", ReferRequest);
action_doc!(
    /// Returns a referred item to the queue it came from, ready.
    return_work_item, "/api/v1/work-items/{id}/return", ActionRequest);
action_doc!(
    /// Gives a ready or claimed item to a named officer who works its queue (team leaders).
    reassign_work_item, "/api/v1/work-items/{id}/reassign", ReassignRequest);
action_doc!(
    /// Cancels an open item with a reason: duplicate, no action needed, or sent in error.
    cancel_work_item, "/api/v1/work-items/{id}/cancel", CancelRequest);
action_doc!(
    /// Adds a note to the item's history (any state; keeps the caller's claim alive).
    note_work_item, "/api/v1/work-items/{id}/notes", NoteRequest);

mod bodies {
    use super::*;

    pub(super) async fn claim_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        let to = permit(Action::Claim, caller, item, req.version)?;
        works_queue(state, caller, &item.queue).await?;
        let now = Utc::now();
        let step = Step::new("claimed", caller.user(), to)
            .set(work_item::Column::Assignee, caller.user())
            .set(work_item::Column::ClaimedAt, now)
            .set(work_item::Column::ActiveAt, now)
            .details(serde_json::json!({ "assignee": caller.user(), "by": "claim", "reason": req.reason }));
        commit(state, item, step).await
    }

    pub(super) async fn release_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        let to = permit(Action::Release, caller, item, req.version)?;
        let step =
            Step::new("released", caller.user(), to).set(work_item::Column::Assignee, Option::<String>::None).details(
                serde_json::json!({ "assignee": { "before": item.assignee, "after": null }, "reason": req.reason }),
            );
        commit(state, item, step).await
    }

    pub(super) async fn pend_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: PendRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        permit(Action::Pend, caller, item, req.version)?;
        required("reason", &req.reason)?;
        let now = Utc::now();
        let today = london_date(now);
        let latest = today.checked_add_days(Days::new(366)).unwrap_or(today);
        if req.bring_forward_on <= today || req.bring_forward_on > latest {
            return Err(ApiError::Unprocessable {
                detail: format!("bring_forward_on must be after today ({today}) and within a year"),
                errors: vec![FieldError { field: "bring_forward_on".to_owned(), message: "out of range".to_owned() }],
            });
        }
        commit(state, item, casework::pend(caller.user(), &req.reason, req.bring_forward_on, now)).await
    }

    pub(super) async fn resume_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        permit(Action::Resume, caller, item, req.version)?;
        let why = serde_json::json!({ "by": "officer", "reason": req.reason });
        commit(state, item, casework::resume(item, &state.calendar, "resumed", caller.user(), why, Utc::now())).await
    }

    pub(super) async fn refer_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: ReferRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        let to = permit(Action::Refer, caller, item, req.version)?;
        required("reason", &req.reason)?;
        let known = state.catalogue.workflows().iter().any(|w| w.queue == req.queue);
        if !known || req.queue == item.queue {
            return Err(ApiError::Unprocessable {
                detail: format!("cannot refer to queue {:?}: name another queue of the catalogue", req.queue),
                errors: vec![FieldError { field: "queue".to_owned(), message: "unknown or the same queue".to_owned() }],
            });
        }
        let step = Step::new("referred", caller.user(), to)
            .set(work_item::Column::Queue, req.queue.clone())
            .set(work_item::Column::HomeQueue, item.queue.clone())
            .set(work_item::Column::Assignee, Option::<String>::None)
            .details(serde_json::json!({
                "queue": { "before": item.queue, "after": req.queue },
                "assignee": { "before": item.assignee, "after": null },
                "reason": req.reason,
            }));
        commit(state, item, step).await
    }

    pub(super) async fn return_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: ActionRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        let to = permit(Action::Return, caller, item, req.version)?;
        let home = item.home_queue.clone().unwrap_or_else(|| item.queue.clone());
        let step = Step::new("returned", caller.user(), to)
            .set(work_item::Column::Queue, home.clone())
            .set(work_item::Column::HomeQueue, Option::<String>::None)
            .details(serde_json::json!({ "queue": { "before": item.queue, "after": home }, "reason": req.reason }));
        commit(state, item, step).await
    }

    pub(super) async fn reassign_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: ReassignRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        let to = permit(Action::Reassign, caller, item, req.version)?;
        required("assignee", &req.assignee)?;
        if !queues::of_user(&state.db, &req.assignee).await?.contains(&item.queue) {
            return Err(ApiError::Unprocessable {
                detail: format!("{} does not work queue {}; add the queue to them first", req.assignee, item.queue),
                errors: vec![FieldError {
                    field: "assignee".to_owned(),
                    message: "not a member of the queue".to_owned(),
                }],
            });
        }
        let now = Utc::now();
        let step = Step::new("reassigned", caller.user(), to)
            .set(work_item::Column::Assignee, req.assignee.clone())
            .set(work_item::Column::ClaimedAt, now)
            .set(work_item::Column::ActiveAt, now)
            .details(serde_json::json!({
                "assignee": { "before": item.assignee, "after": req.assignee },
                "reason": req.reason,
            }));
        commit(state, item, step).await
    }

    pub(super) async fn cancel_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: CancelRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        let to = permit(Action::Cancel, caller, item, req.version)?;
        if req.reason == CancelReason::Merged {
            return Err(ApiError::Unprocessable {
                detail: "merged is set by the classifier; use duplicate".to_owned(),
                errors: vec![FieldError { field: "reason".to_owned(), message: "not for people".to_owned() }],
            });
        }
        let step = Step::new("cancelled", caller.user(), to)
            .details(serde_json::json!({ "reason": req.reason, "note": req.note }));
        commit(state, item, step).await
    }

    pub(super) async fn note_work_item(
        state: &AppState,
        caller: &Caller,
        item: &work_item::Model,
        req: NoteRequest,
    ) -> Result<Json<WorkItemView>, ApiError> {
        permit(Action::Notes, caller, item, None)?;
        required("text", &req.text)?;
        if req.text.chars().count() > postroom_accounts::change::MAX_TEXT {
            return Err(ApiError::unprocessable("a note is at most 10,000 characters"));
        }
        let now = Utc::now();
        let txn = state.db.begin().await?;
        let entry = work_items::NewEvent {
            actor: caller.user(),
            action: "note",
            from_status: None,
            to_status: None,
            details: Some(serde_json::json!({ "text": req.text })),
        };
        work_items::audit(&txn, item.id, entry, now).await?;
        if item.assignee.as_deref() == Some(caller.user()) {
            casework::touch(&txn, item, now).await?;
        }
        txn.commit().await?;
        Ok(Json(WorkItemView::from_model(load(state, item.id).await?, london_date(now))?))
    }
}
