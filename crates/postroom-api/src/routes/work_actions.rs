//! Officers' actions on work items: claim next, claim, release, pend, resume, refer, return,
//! reassign, cancel, reopen, re-route and notes. Each handler parses the request, calls the use
//! case in `postroom-casework` (which checks who may, in which state, audits and announces) and
//! answers with the item as it now is.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse, response::Response};
use chrono::Utc;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_casework::{
    ActionRequest, CancelRequest, NoteRequest, PendRequest, PrioritiseRequest, ReassignRequest, ReferRequest,
    ReopenRequest, RerouteRequest,
};
use postroom_domain::london_date;

use crate::{
    error::{ApiError, Problem},
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
        .routes(routes!(reopen_work_item))
        .routes(routes!(reroute_work_item))
        .routes(routes!(prioritise_work_item))
        .routes(routes!(note_work_item))
}

/// The item as the API shows it today.
pub(crate) fn view(item: postroom_db::entities::work_item::Model) -> Result<Json<WorkItemView>, ApiError> {
    Ok(Json(WorkItemView::from_model(item, london_date(Utc::now()))?))
}

/// Claims the next item for the caller across the queues they work: highest priority, then
/// earliest due, then oldest received. Exclusive under concurrency: exactly one item. 204 when
/// nothing is ready. Officers and team leaders (by their own queues).
#[utoipa::path(post, path = "/api/v1/work-items/next", tag = "officer work",
    responses((status = 200, body = WorkItemView), (status = 204, description = "Nothing ready in your queues"),
        (status = 403, description = "Wrong role, or no queues assigned", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(user = caller.user()))]
pub async fn claim_next_work_item(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    match state.casework.claim_next(&caller.casework()).await? {
        Some(item) => Ok(view(item)?.into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// Declares an action's handler with its OpenAPI description: load the item, call the use case
/// of the same name, answer with the item.
macro_rules! action {
    ($(#[$m:meta])* $name:ident => $use_case:ident, $path:literal, $body:ty) => {
        $(#[$m])*
        #[utoipa::path(post, path = $path, tag = "officer work",
            params(("id" = Uuid, Path, description = "Work item id")),
            request_body = $body,
            responses((status = 200, body = WorkItemView),
                (status = 403, description = "Not for your role, or not your queue", body = Problem, content_type = "application/problem+json"),
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
            let item = state.casework.load(id).await?;
            view(state.casework.$use_case(&caller.casework(), &item, req).await?)
        }
    };
}

action!(
    /// Claims a ready item in a queue the caller works. The body may be left out.
    claim_work_item => claim, "/api/v1/work-items/{id}/claim", ActionRequest);
action!(
    /// Gives a claimed item back to its queue (the holder or a team leader). The body may be
    /// left out.
    release_work_item => release, "/api/v1/work-items/{id}/release", ActionRequest);
action!(
    /// Waits for the customer: the SLA clock pauses until they write again, someone resumes it,
    /// or the bring-forward date comes; the due date then moves on by the working days paused.
    pend_work_item => pend, "/api/v1/work-items/{id}/pend", PendRequest);
action!(
    /// Stops waiting for the customer: back to the officer who held it (or ready), due date
    /// moved on by the days paused. The body may be left out.
    resume_work_item => resume, "/api/v1/work-items/{id}/resume", ActionRequest);
action!(
    /// Refers a claimed item to another queue (e.g. `fraud`) with a reason.
    refer_work_item => refer, "/api/v1/work-items/{id}/refer", ReferRequest);
action!(
    /// Returns a referred item to the queue it came from, ready: someone working the queue it
    /// was referred to, or a team leader. The body may be left out.
    return_work_item => return_referral, "/api/v1/work-items/{id}/return", ActionRequest);
action!(
    /// Gives a ready or claimed item to a named officer who works its queue (team leaders).
    reassign_work_item => reassign, "/api/v1/work-items/{id}/reassign", ReassignRequest);
action!(
    /// Cancels an open item with a reason: duplicate, no action needed, or sent in error.
    /// Officers cancel only in queues they work; the post room only triage items.
    cancel_work_item => cancel, "/api/v1/work-items/{id}/cancel", CancelRequest);
action!(
    /// Opens a done or cancelled item again (team leaders, reason required): ready in its queue,
    /// its deadline counted afresh from today.
    reopen_work_item => reopen, "/api/v1/work-items/{id}/reopen", ReopenRequest);
action!(
    /// Moves a ready item to another workflow (team leaders, reason required): queue, priority
    /// and due date follow the new workflow.
    reroute_work_item => reroute, "/api/v1/work-items/{id}/reroute", RerouteRequest);
action!(
    /// Adds a note to the item's history (any state; keeps the caller's claim alive).
    note_work_item => note, "/api/v1/work-items/{id}/notes", NoteRequest);
action!(
    /// Changes an open item's priority (team leaders, reason required), audited with the
    /// priority before and after; its state, holder and due date stay. A safeguarding item
    /// stays P1.
    prioritise_work_item => prioritise, "/api/v1/work-items/{id}/prioritise", PrioritiseRequest);
