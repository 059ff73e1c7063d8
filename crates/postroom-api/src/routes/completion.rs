//! Completing a work item with typed account changes, and four-eyes approval.
//!
//! `POST /api/v1/work-items/{id}/complete` checks every change (its kind against the workflow,
//! its account against the item's, its rules against the account as the earlier changes leave
//! it) and either applies them all in the transaction that closes the item, or rejects the whole
//! completion listing each error. Where the workflow or a change needs approval the item waits
//! in `awaiting_approval` until a team leader other than the officer approves (changes applied
//! then) or rejects it. An `Idempotency-Key` header makes a retried completion safe.

use std::collections::HashMap;

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_accounts::{ApprovalPolicy, Change, Context, Section, parse_each};
use postroom_db::{
    DatabaseTransaction, account_changes, accounts, casework, casework::Step, entities::work_item, idempotency,
    is_unique_violation, outbox,
};
use postroom_domain::{
    Action, ContentHash, WorkItemStatus,
    events::{ACCOUNT_CHANGED, AccountChanged, WORK_ITEM_COMPLETED, WorkItemCompleted},
    london_date,
};
use postroom_workflows::Workflow;
use sea_orm::TransactionTrait;

use crate::{
    error::{ApiError, FieldError, Problem},
    extract::{ApiJson, ApiPath, Caller},
    routes::{
        views::WorkItemView,
        work_actions::{announce, load, permit},
    },
    state::AppState,
};

/// Header that makes a completion safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on a response replayed for a repeated `Idempotency-Key`.
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(complete_work_item))
        .routes(routes!(approve_work_item))
        .routes(routes!(reject_work_item))
}

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
    /// What was done, in a few words (kept in the history and sent to the back office).
    pub outcome: String,
}

/// The reply the officer asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// One of the workflow's reply templates (`GET /api/v1/workflows`).
    pub template: String,
    pub channel: ReplyChannel,
    /// Anything the reply should say besides the template.
    pub notes: Option<String>,
}

/// How a reply goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyChannel {
    Email,
    Letter,
}

/// The completion kept while it waits for approval.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    changes: Vec<Change>,
    reply: Option<ReplyRequest>,
    outcome: String,
    approval_reasons: Vec<String>,
}

/// The outcome of a completion, approval or rejection.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionView {
    pub item: WorkItemView,
    /// Why a team leader must approve it (empty when it was applied at once).
    pub approval_reasons: Vec<String>,
    /// The account changes applied (none while awaiting approval).
    #[schema(value_type = Vec<Object>)]
    pub applied: Vec<AccountChanged>,
}

/// A team leader's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub version: i32,
    /// Why (required to reject).
    pub reason: Option<String>,
}

/// Completes a claimed item: applies its account changes in the same transaction, or sends it
/// for approval. The officer holding it (or a team leader).
#[utoipa::path(post, path = "/api/v1/work-items/{id}/complete", tag = "officer work",
    params(("id" = Uuid, Path, description = "Work item id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body get the same response, applied once")),
    request_body = CompleteRequest,
    responses((status = 200, body = CompletionView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not claimed, claimed by someone else, stale version, or an account changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every invalid change, listed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = caller.user()))]
pub async fn complete_work_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    json_body(&headers)?;
    let key = idempotency_key(&headers)?;
    let request_hash = ContentHash::of(&[id.as_bytes().as_slice(), b"\n", &body].concat()).as_str().to_owned();
    if let Some(key) = &key
        && let Some(stored) = idempotency::find(&state.db, caller.user(), key).await?
    {
        return replay(&stored, &request_hash);
    }
    match complete(&state, &caller, id, &body, key.as_deref(), &request_hash).await {
        Ok(response) => Ok(response),
        // A concurrent retry of the same request lost the race (409 on the item or an account):
        // answer as the one that won, if it has committed.
        Err(e) => match &key {
            Some(key) => match idempotency::find(&state.db, caller.user(), key).await? {
                Some(stored) => replay(&stored, &request_hash),
                None => Err(e),
            },
            None => Err(e),
        },
    }
}

/// The completion itself (see [`complete_work_item`]).
async fn complete(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: &[u8],
    key: Option<&str>,
    request_hash: &str,
) -> Result<Response, ApiError> {
    let req: CompleteRequest = serde_json::from_slice(body)
        .map_err(|e| ApiError::unprocessable(format!("the body is not a completion: {e}")))?;
    let item = load(state, id).await?;
    permit(Action::Complete, caller, &item, Some(req.version))?;
    let workflow = workflow_of(state, &item)?;
    let (indexed, errors) = check_request(&req, workflow);
    let now = Utc::now();
    let txn = state.db.begin().await?;
    // Write first: SQLite then takes its write lock now (waiting its turn) instead of failing to
    // upgrade a read transaction later; PostgreSQL queues a concurrent completion of this item.
    casework::touch(&txn, &item, now).await?;
    let ctx = Context { today: london_date(now), calendar: &state.calendar };
    let Checked { taken, mut approval_reasons } =
        check_changes(&txn, &item, &indexed, errors, ctx, &state.approval).await?;
    let changes: Vec<Change> = indexed.into_iter().map(|(_, c)| c).collect();
    if workflow.approval {
        approval_reasons.insert(0, format!("workflow {} needs a team leader's approval", workflow.id));
    }
    let completion =
        Pending { changes, reply: req.reply.clone(), outcome: req.outcome.trim().to_owned(), approval_reasons };
    let view = if completion.approval_reasons.is_empty() {
        let applied = finish(&txn, &item, &completion, &taken, caller.user(), None, now).await?;
        CompletionView { item: reload(&txn, &item, now).await?, approval_reasons: Vec::new(), applied }
    } else {
        send_for_approval(&txn, &item, &completion, caller.user(), now).await?;
        CompletionView {
            item: reload(&txn, &item, now).await?,
            approval_reasons: completion.approval_reasons.clone(),
            applied: Vec::new(),
        }
    };
    let body = serde_json::to_string(&view).map_err(anyhow::Error::new)?;
    if let Some(key) = key
        && let Err(e) = idempotency::store(&txn, caller.user(), key, request_hash, 200, &body, now).await
    {
        txn.rollback().await?;
        // The same key is being (or was just) completed by a concurrent retry: answer as it did.
        if is_unique_violation(&e)
            && let Some(stored) = idempotency::find(&state.db, caller.user(), key).await?
        {
            return replay(&stored, request_hash);
        }
        return Err(e.into());
    }
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(json_response(StatusCode::OK, body, false))
}

/// Approves a completion awaiting four-eyes: its changes are checked again and applied, and the
/// item is done. A team leader other than the officer who completed it.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/approve", tag = "officer work",
    params(("id" = Uuid, Path, description = "Work item id")),
    request_body = DecisionRequest,
    responses((status = 200, body = CompletionView),
        (status = 403, description = "Not a team leader, or the officer who completed it", body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A change is no longer valid for the account", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = caller.user()))]
pub async fn approve_work_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<Json<CompletionView>, ApiError> {
    let item = load(&state, id).await?;
    permit(Action::Approve, &caller, &item, Some(req.version))?;
    not_own_work(&caller, &item)?;
    let completion = pending_of(&item)?;
    let completed_by = item.completed_by.clone().unwrap_or_default();
    let now = Utc::now();
    let txn = state.db.begin().await?;
    casework::touch(&txn, &item, now).await?;
    let indexed: Vec<(usize, Change)> = completion.changes.iter().cloned().enumerate().collect();
    let ctx = Context { today: london_date(now), calendar: &state.calendar };
    let Checked { taken, .. } = check_changes(&txn, &item, &indexed, Vec::new(), ctx, &state.approval).await?;
    let applied = finish(&txn, &item, &completion, &taken, &completed_by, Some(caller.user()), now).await?;
    let view = CompletionView {
        item: reload(&txn, &item, now).await?,
        approval_reasons: completion.approval_reasons,
        applied,
    };
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Json(view))
}

/// Rejects a completion awaiting approval, with a reason: nothing is applied and the item goes
/// back to the officer who held it. A team leader other than that officer.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/reject", tag = "officer work",
    params(("id" = Uuid, Path, description = "Work item id")),
    request_body = DecisionRequest,
    responses((status = 200, body = CompletionView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No reason given", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = caller.user()))]
pub async fn reject_work_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<Json<CompletionView>, ApiError> {
    let item = load(&state, id).await?;
    let to = permit(Action::Reject, &caller, &item, Some(req.version))?;
    not_own_work(&caller, &item)?;
    let reason =
        req.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| ApiError::Unprocessable {
            detail: "say why the completion is rejected".to_owned(),
            errors: vec![FieldError { field: "reason".to_owned(), message: "required".to_owned() }],
        })?;
    let completion = pending_of(&item)?;
    let now = Utc::now();
    // Back to the officer who held it (a team leader may have completed it for them).
    let back_to = item.assignee.clone().or_else(|| item.completed_by.clone());
    let step = Step::new("rejected", caller.user(), to)
        .set(work_item::Column::Assignee, back_to.clone())
        .set(work_item::Column::ActiveAt, now)
        .set(work_item::Column::PendingCompletion, Option::<String>::None)
        .set(work_item::Column::CompletedBy, Option::<String>::None)
        .details(
            serde_json::json!({ "reason": reason, "back_to": back_to, "completion": completion_shown(&completion) }),
        );
    let txn = state.db.begin().await?;
    if !casework::advance(&txn, &item, step, now).await? {
        txn.rollback().await?;
        return Err(ApiError::item_changed(&item.reference));
    }
    announce(&txn, &item, WorkItemStatus::InProgress, &item.queue).await?;
    let view = CompletionView {
        item: reload(&txn, &item, now).await?,
        approval_reasons: completion.approval_reasons,
        applied: Vec::new(),
    };
    txn.commit().await?;
    state.outbox_wake.notify_one();
    Ok(Json(view))
}

fn json_body(headers: &HeaderMap) -> Result<(), ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if json { Ok(()) } else { Err(ApiError::UnsupportedMediaType("send the body as application/json".to_owned())) }
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty() || key.len() > 255 {
        return Err(ApiError::BadRequest("Idempotency-Key must be 1 to 255 visible characters".to_owned()));
    }
    Ok(Some(key.to_owned()))
}

fn replay(stored: &postroom_db::entities::idempotency_key::Model, request_hash: &str) -> Result<Response, ApiError> {
    if stored.request_hash != request_hash {
        return Err(ApiError::unprocessable(
            "this Idempotency-Key was used for a different request; use a new key for a new request",
        ));
    }
    let status = StatusCode::from_u16(u16::try_from(stored.status).unwrap_or(200)).unwrap_or(StatusCode::OK);
    Ok(json_response(status, stored.body.clone(), true))
}

fn json_response(status: StatusCode, body: String, replayed: bool) -> Response {
    let mut response =
        (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response();
    if replayed {
        response.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

fn workflow_of<'a>(state: &'a AppState, item: &work_item::Model) -> Result<&'a Workflow, ApiError> {
    state.catalogue.get(&item.workflow).ok_or_else(|| {
        ApiError::Conflict(format!(
            "work item {} has workflow {:?}, which the catalogue no longer has; index it again",
            item.reference, item.workflow
        ))
    })
}

fn not_own_work(caller: &Caller, item: &work_item::Model) -> Result<(), ApiError> {
    if item.completed_by.as_deref() == Some(caller.user()) {
        return Err(ApiError::Forbidden(format!(
            "{} completed work item {}: another team leader must decide (four-eyes)",
            caller.user(),
            item.reference
        )));
    }
    Ok(())
}

fn pending_of(item: &work_item::Model) -> Result<Pending, ApiError> {
    let raw = item.pending_completion.as_deref().ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("work item {} awaits approval with no completion", item.reference))
    })?;
    serde_json::from_str(raw).map_err(|e| ApiError::Internal(anyhow::Error::new(e)))
}

fn completion_json(p: &Pending) -> serde_json::Value {
    serde_json::to_value(p).unwrap_or(serde_json::Value::Null)
}

/// The completion as the item's history shows it: bank account numbers masked.
fn completion_shown(p: &Pending) -> serde_json::Value {
    let mut json = completion_json(p);
    if let Some(changes) = json.get_mut("changes") {
        *changes = p.changes.iter().map(Change::shown).collect();
    }
    json
}

/// What can be checked without the database: outcome, reply template, change shapes and kinds.
/// Returns the well-formed changes with their positions, and every error found.
fn check_request(req: &CompleteRequest, workflow: &Workflow) -> (Vec<(usize, Change)>, Vec<FieldError>) {
    let mut errors = Vec::new();
    if req.outcome.trim().is_empty() {
        errors.push(FieldError { field: "outcome".to_owned(), message: "say what was done".to_owned() });
    }
    if let Some(reply) = &req.reply
        && !workflow.templates.contains(&reply.template)
    {
        errors.push(FieldError {
            field: "reply.template".to_owned(),
            message: format!(
                "workflow {} has no template {:?}; it has {:?}",
                workflow.id, reply.template, workflow.templates
            ),
        });
    }
    let mut changes = Vec::new();
    for (i, parsed) in parse_each(&req.changes).into_iter().enumerate() {
        match parsed {
            Err(e) => errors.push(FieldError { field: format!("changes[{}]", e.index), message: e.message }),
            Ok(c) if !workflow.changes.contains(&c.kind()) => {
                let allowed: Vec<&str> = workflow.changes.iter().map(|k| k.as_str()).collect();
                errors.push(FieldError {
                    field: format!("changes[{i}]"),
                    message: format!(
                        "workflow {} does not allow {} changes (it allows: {})",
                        workflow.id,
                        c.kind(),
                        allowed.join(", ")
                    ),
                });
            }
            Ok(c) => changes.push((i, c)),
        }
    }
    (changes, errors)
}

/// The accounts a completion's changes were checked against, and why the changes need approval.
struct Checked {
    /// The accounts taken, by reference.
    taken: HashMap<String, postroom_db::entities::account::Model>,
    approval_reasons: Vec<String>,
}

/// Checks each change against the item's accounts as they stand in this transaction (taking each
/// account, so a concurrent completion on it fails with 409), in order, each against the state the
/// earlier ones leave, and says which need approval under `policy`.
async fn check_changes(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    changes: &[(usize, Change)],
    mut errors: Vec<FieldError>,
    ctx: Context<'_>,
    policy: &ApprovalPolicy,
) -> Result<Checked, ApiError> {
    let linked = accounts::of_item(txn, item.id).await?;
    let mut taken = HashMap::new();
    let mut states = HashMap::new();
    let mut approval_reasons = Vec::new();
    for (i, change) in changes {
        let reference = change.account();
        if !taken.contains_key(reference) {
            let Some((account, _)) = linked.iter().find(|(a, _)| a.reference == reference) else {
                let refs: Vec<&str> = linked.iter().map(|(a, _)| a.reference.as_str()).collect();
                errors.push(FieldError {
                    field: format!("changes[{i}].account"),
                    message: format!(
                        "account {reference} is not one work item {} concerns ({}); index or link it first",
                        item.reference,
                        if refs.is_empty() { "none".to_owned() } else { refs.join(", ") }
                    ),
                });
                continue;
            };
            let fresh = account_changes::take(txn, account).await?.ok_or_else(|| {
                ApiError::Conflict(format!("account {reference} changed meanwhile; read the item again"))
            })?;
            states.insert(reference.to_owned(), account_changes::state_of(txn, &fresh).await?);
            taken.insert(reference.to_owned(), fresh);
        }
        let (Some(state), Some(account)) = (states.get_mut(reference), taken.get(reference)) else { continue };
        let mut problems = change.validate(state, ctx);
        approval_reasons.extend(change.approval_reason_for(state, policy, ctx.today));
        if problems.is_empty() {
            change.project(state);
            if let Some(mandate) = state.mandate.as_ref().filter(|_| change.section() == Section::Mandate)
                && account_changes::mandate_reference_taken(txn, account.id, mandate).await?
            {
                problems.push(format!(
                    "Direct Debit reference {} is already used with that bank account on another account",
                    mandate.reference
                ));
            }
        }
        errors.extend(problems.into_iter().map(|m| FieldError { field: format!("changes[{i}]"), message: m }));
    }
    if errors.is_empty() {
        Ok(Checked { taken, approval_reasons })
    } else {
        Err(ApiError::Unprocessable {
            detail: format!(
                "{} invalid change(s) in the completion of work item {}; nothing was applied",
                errors.len(),
                item.reference
            ),
            errors,
        })
    }
}

/// Applies the changes, closes the item and announces both, in `txn`.
async fn finish(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    completion: &Pending,
    taken: &HashMap<String, postroom_db::entities::account::Model>,
    completed_by: &str,
    approved_by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<AccountChanged>, ApiError> {
    let mut applied = Vec::new();
    for change in &completion.changes {
        let Some(account) = taken.get(change.account()) else { continue };
        let done = account_changes::apply(txn, account, change, completed_by, Some(item.id), now).await?;
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
    let actor = approved_by.unwrap_or(completed_by);
    let step = Step::new(if approved_by.is_some() { "approved" } else { "completed" }, actor, WorkItemStatus::Done)
        .set(work_item::Column::CompletedBy, completed_by.to_owned())
        .set(work_item::Column::PendingCompletion, Option::<String>::None)
        .details(serde_json::json!({
            "outcome": completion.outcome,
            "reply": completion.reply,
            "changes": applied,
            "completed_by": completed_by,
            "approved_by": approved_by,
        }));
    if !casework::advance(txn, item, step, now).await? {
        return Err(ApiError::item_changed(&item.reference));
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
        reply: completion.reply.as_ref().and_then(|r| serde_json::to_value(r).ok()),
        changes: applied.clone(),
    };
    let mut event = outbox::NewEvent::new(WORK_ITEM_COMPLETED, &completed)?;
    event.priority = Some(item.priority);
    outbox::enqueue(txn, event, now).await?;
    Ok(applied)
}

/// Parks the completion for a team leader.
async fn send_for_approval(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    completion: &Pending,
    completed_by: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let step = Step::new("completed", completed_by, WorkItemStatus::AwaitingApproval)
        .set(work_item::Column::CompletedBy, completed_by.to_owned())
        .set(work_item::Column::PendingCompletion, completion_json(completion).to_string())
        .details(completion_shown(completion));
    if !casework::advance(txn, item, step, now).await? {
        return Err(ApiError::item_changed(&item.reference));
    }
    announce(txn, item, WorkItemStatus::AwaitingApproval, &item.queue).await
}

async fn reload(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    now: DateTime<Utc>,
) -> Result<WorkItemView, ApiError> {
    let fresh = postroom_db::work_items::get(txn, item.id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("work item {} does not exist", item.reference)))?;
    WorkItemView::from_model(fresh, london_date(now))
}
