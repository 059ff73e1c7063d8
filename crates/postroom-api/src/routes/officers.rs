//! The queues each officer works (kept by team leaders), and how much work each queue holds.

use axum::{Json, extract::State};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use postroom_db::queues;
use postroom_domain::{Role, london_date};
use sea_orm::TransactionTrait;

use crate::{
    error::{ApiError, FieldError, Problem},
    extract::{ApiJson, ApiPath, Caller},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_officers))
        .routes(routes!(get_officer_queues, put_officer_queues))
        .routes(routes!(list_queues))
}

/// The queues an officer works.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficerQueues {
    /// Queue names from the workflow catalogue.
    pub queues: Vec<String>,
}

/// An officer and their queues.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficerView {
    pub user: String,
    pub queues: Vec<String>,
}

/// How much work a queue holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    pub queue: String,
    pub triage: u64,
    pub ready: u64,
    pub in_progress: u64,
    pub awaiting_customer: u64,
    pub referred: u64,
    pub awaiting_approval: u64,
    /// Open, not paused for the customer, and past its due date.
    pub overdue: u64,
    pub due_today: u64,
}

/// Every officer with queues, and their queues. Team leaders and admins.
#[utoipa::path(get, path = "/api/v1/officers", tag = "officer work",
    responses((status = 200, body = Vec<OfficerView>),
        (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn list_officers(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<OfficerView>>, ApiError> {
    caller.require(&[Role::TeamLeader, Role::Admin])?;
    let mut out: Vec<OfficerView> = Vec::new();
    for m in queues::all(&state.db).await? {
        match out.last_mut() {
            Some(o) if o.user == m.user_name => o.queues.push(m.queue),
            _ => out.push(OfficerView { user: m.user_name, queues: vec![m.queue] }),
        }
    }
    Ok(Json(out))
}

/// The queues an officer works. Team leaders, admins, and the officer.
#[utoipa::path(get, path = "/api/v1/officers/{user}/queues", tag = "officer work",
    params(("user" = String, Path, description = "The officer's user name")),
    responses((status = 200, body = OfficerQueues),
        (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_officer_queues(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<String>,
) -> Result<Json<OfficerQueues>, ApiError> {
    if caller.user() != user {
        caller.require(&[Role::TeamLeader, Role::Admin])?;
    }
    Ok(Json(OfficerQueues { queues: queues::of_user(&state.db, &user).await? }))
}

/// Sets the queues an officer works (replacing them; an empty list takes them all away). Team
/// leaders and admins. Each must be a queue of the workflow catalogue.
#[utoipa::path(put, path = "/api/v1/officers/{user}/queues", tag = "officer work",
    params(("user" = String, Path, description = "The officer's user name")),
    request_body = OfficerQueues,
    responses((status = 200, body = OfficerQueues),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown queue", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn put_officer_queues(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(user): ApiPath<String>,
    ApiJson(req): ApiJson<OfficerQueues>,
) -> Result<Json<OfficerQueues>, ApiError> {
    caller.require(&[Role::TeamLeader, Role::Admin])?;
    let known: Vec<&str> = state.catalogue.workflows().iter().map(|w| w.queue.as_str()).collect();
    let unknown: Vec<FieldError> = req
        .queues
        .iter()
        .enumerate()
        .filter(|(_, q)| !known.contains(&q.as_str()))
        .map(|(i, q)| FieldError { field: format!("queues[{i}]"), message: format!("no workflow uses queue {q:?}") })
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::Unprocessable { detail: "unknown queues".to_owned(), errors: unknown });
    }
    let mut wanted = req.queues;
    wanted.sort();
    wanted.dedup();
    let txn = state.db.begin().await?;
    queues::replace(&txn, &user, &wanted, caller.user(), Utc::now()).await?;
    txn.commit().await?;
    tracing::info!(officer = %user, queues = ?wanted, "officer's queues set");
    Ok(Json(OfficerQueues { queues: wanted }))
}

/// Per queue: items by status, overdue and due today. Any role.
#[utoipa::path(get, path = "/api/v1/queues", tag = "officer work",
    responses((status = 200, body = Vec<QueueView>)),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn list_queues(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<QueueView>>, ApiError> {
    let counts = queues::counts(&state.db, london_date(Utc::now())).await?;
    Ok(Json(
        counts
            .into_iter()
            .map(|c| QueueView {
                queue: c.queue,
                triage: c.triage,
                ready: c.ready,
                in_progress: c.in_progress,
                awaiting_customer: c.awaiting_customer,
                referred: c.referred,
                awaiting_approval: c.awaiting_approval,
                overdue: c.overdue,
                due_today: c.due_today,
            })
            .collect(),
    ))
}
