//! `GET /api/v1/admin/dead-letters` and `POST /api/v1/admin/dead-letters/{id}/retry`.

use axum::{Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_db::{dead_letters, entities::dead_letter, outbox};
use postroom_domain::Role;

use crate::{
    error::{ApiError, Problem},
    extract::{ApiPath, ApiQuery, Caller},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_dead_letters)).routes(routes!(retry_dead_letter))
}

/// An event that failed every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadLetterView {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    /// `outbox` (in-process delivery) or the queue it died in.
    pub source: String,
    /// The last error.
    pub reason: Option<String>,
    pub attempts: i32,
    pub died_at: DateTime<Utc>,
    pub correlation_id: Option<String>,
    pub payload: serde_json::Value,
    pub retry_requested_at: Option<DateTime<Utc>>,
    pub retry_requested_by: Option<String>,
    pub retried_at: Option<DateTime<Utc>>,
}

impl From<dead_letter::Model> for DeadLetterView {
    fn from(d: dead_letter::Model) -> Self {
        Self {
            payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::String(d.payload)),
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            source: d.source,
            reason: d.reason,
            attempts: d.attempts,
            died_at: d.died_at,
            correlation_id: d.correlation_id,
            retry_requested_at: d.retry_requested_at,
            retry_requested_by: d.retry_requested_by,
            retried_at: d.retried_at,
        }
    }
}

/// Which dead letters to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeadLetterQuery {
    /// Also list those already re-driven.
    pub include_retried: Option<bool>,
    /// Page size, 1-500 (default 100).
    pub limit: Option<u64>,
    /// Dead letters to skip, at most 100000.
    pub offset: Option<u64>,
}

/// Dead letters, newest first. Role: `admin`.
#[utoipa::path(get, path = "/api/v1/admin/dead-letters", tag = "administration", params(DeadLetterQuery),
    responses((status = 200, body = Vec<DeadLetterView>),
        (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn list_dead_letters(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DeadLetterQuery>,
) -> Result<Json<Vec<DeadLetterView>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 500".to_owned()));
    }
    let offset = super::offset(q.offset)?;
    let letters = dead_letters::list(&state.db, q.include_retried.unwrap_or(false), limit, offset).await?;
    Ok(Json(letters.into_iter().map(DeadLetterView::from).collect()))
}

/// Re-drive a dead letter: it is delivered again to the queue it died in (or, in-process, put
/// back in the outbox) with its attempts reset. Handlers that already processed the event skip
/// it. Role: `admin`. 202: accepted; 409 when already re-driven or asked for, or when it is an IMAP message set aside
/// (move it back to the inbox folder instead).
#[utoipa::path(post, path = "/api/v1/admin/dead-letters/{id}/retry", tag = "administration",
    params(("id" = Uuid, Path, description = "Dead letter id")),
    responses((status = 202, body = DeadLetterView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(dead_letter = %id))]
pub async fn retry_dead_letter(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<DeadLetterView>), ApiError> {
    caller.require(&[Role::Admin])?;
    let letter = dead_letters::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("dead letter {id} does not exist")))?;
    if letter.source == dead_letters::IMAP_SOURCE {
        return Err(ApiError::Conflict(format!(
            "dead letter {id} is an IMAP message set aside in the mailbox; move it back to the inbox folder to try it again"
        )));
    }
    let now = Utc::now();
    let txn = state.db.begin().await?;
    if !dead_letters::request_retry(&txn, id, caller.user(), now).await? {
        return Err(ApiError::Conflict(format!("dead letter {id} has already been re-driven or queued for it")));
    }
    // In-process delivery re-drives here; a broker's publisher carries out the request otherwise.
    if letter.source == dead_letters::OUTBOX_SOURCE && state.broker.is_none() {
        outbox::revive(&txn, letter.event_id, now).await?;
        dead_letters::mark_retried(&txn, id, now).await?;
    }
    txn.commit().await?;
    state.outbox_wake.notify_one();
    tracing::info!(user = caller.user(), "dead letter re-drive requested");
    let updated =
        dead_letters::get(&state.db, id).await?.ok_or_else(|| ApiError::NotFound(format!("dead letter {id}")))?;
    Ok((StatusCode::ACCEPTED, Json(updated.into())))
}
