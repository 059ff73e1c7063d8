//! Completing a work item with typed account changes, and four-eyes approval: the HTTP side
//! (the `Idempotency-Key` header, the answer's shape) of the use cases in
//! `postroom_casework::completion`.

use axum::{
    Json,
    body::Bytes,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_casework::{
    Answer, CompleteRequest, Completion, DecisionRequest, Idempotent, ReplyPreview, ReplyRequest, StoredAnswer,
};
use postroom_domain::{ContentHash, events::AccountChanged, london_date};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiJson, ApiPath, Caller},
    routes::views::WorkItemView,
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
        .routes(routes!(preview_reply))
}

/// What the reply preview is rendered from.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    pub reply: ReplyRequest,
    /// What was done, as the completion will say (merge field `outcome`).
    #[serde(default)]
    pub outcome: String,
}

/// The reply as completing the item now would draft it (before its account changes are
/// applied): nothing is stored. Officers and team leaders; the web UI's live preview.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/reply-preview", tag = "officer work",
    params(("id" = Uuid, Path, description = "Work item id")),
    request_body = PreviewRequest,
    responses((status = 200, body = ReplyPreview),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A template the workflow does not have, or nowhere to send it", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = caller.user()))]
pub async fn preview_reply(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PreviewRequest>,
) -> Result<Json<ReplyPreview>, ApiError> {
    let item = state.casework.load(id).await?;
    Ok(Json(state.casework.preview_reply(&caller.casework(), &item, &req.reply, &req.outcome).await?))
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

impl CompletionView {
    fn of(c: Completion) -> Result<Self, ApiError> {
        Ok(Self {
            item: WorkItemView::from_model(c.item, london_date(Utc::now()))?,
            approval_reasons: c.approval_reasons,
            applied: c.applied,
        })
    }
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
    let idempotent = key.as_deref().map(|key| Idempotent { key, request_hash: &request_hash });
    if let Some(request) = idempotent
        && let Some(stored) = state.casework.replay(caller.user(), request).await?
    {
        return Ok(replayed(stored));
    }
    let result = complete(&state, &caller, id, &body, idempotent).await;
    match (result, idempotent) {
        (Ok(Answer::Fresh(body)), _) => Ok(json_response(StatusCode::OK, body)),
        (Ok(Answer::Replayed(stored)), _) => Ok(replayed(stored)),
        // A concurrent retry of the same request lost the race (409 on the item or an account):
        // answer as the one that won, if it has committed.
        (Err(e), Some(request)) => match state.casework.replay(caller.user(), request).await? {
            Some(stored) => Ok(replayed(stored)),
            None => Err(e),
        },
        (Err(e), None) => Err(e),
    }
}

async fn complete(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    body: &[u8],
    idempotent: Option<Idempotent<'_>>,
) -> Result<Answer, ApiError> {
    let req: CompleteRequest = crate::extract::read_json(body)?;
    let item = state.casework.load(id).await?;
    let render = |c: &Completion| -> Result<String, postroom_casework::CaseworkError> {
        let view = CompletionView::of(c.clone()).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(serde_json::to_string(&view)?)
    };
    Ok(state.casework.complete(&caller.casework(), &item, req, idempotent, render).await?)
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
    let item = state.casework.load(id).await?;
    Ok(Json(CompletionView::of(state.casework.approve(&caller.casework(), &item, req).await?)?))
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
    let item = state.casework.load(id).await?;
    Ok(Json(CompletionView::of(state.casework.reject(&caller.casework(), &item, req).await?)?))
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

fn replayed(stored: StoredAnswer) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = json_response(status, stored.body);
    response.headers_mut().insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
}
