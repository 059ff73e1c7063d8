//! `GET /api/v1/correspondence/{id}`.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_db::{correspondence, work_items};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiPath, Caller},
    routes::views::{DocumentView, WorkItemView},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_correspondence))
}

/// Correspondence with its documents and the work items it produced.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrespondenceView {
    pub id: Uuid,
    /// `scan`, `email`, `imap` or `drop_folder`.
    pub channel: postroom_domain::Channel,
    pub received_at: DateTime<Utc>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub content_hash: String,
    pub batch_id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub documents: Vec<DocumentView>,
    pub work_items: Vec<WorkItemView>,
}

/// One piece of correspondence. Any role.
#[utoipa::path(get, path = "/api/v1/correspondence/{id}", tag = "correspondence",
    params(("id" = Uuid, Path, description = "Correspondence id")),
    responses((status = 200, body = CorrespondenceView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(correspondence_id = %id))]
pub async fn get_correspondence(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<CorrespondenceView>, ApiError> {
    let c = correspondence::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("correspondence {id} does not exist")))?;
    let documents = correspondence::documents_of(&state.db, &[id]).await?;
    let filter = work_items::Filter { correspondence_id: Some(id), limit: 100, ..Default::default() };
    let items = WorkItemView::list(&state.db, &filter).await?;
    Ok(Json(CorrespondenceView {
        id: c.id,
        channel: c.channel,
        received_at: c.received_at,
        sender: c.sender,
        subject: c.subject,
        content_hash: c.content_hash,
        batch_id: c.batch_id,
        status: c.status,
        status_reason: c.status_reason,
        recorded_at: c.created_at,
        documents: documents.into_iter().map(DocumentView::from).collect(),
        work_items: items,
    }))
}
