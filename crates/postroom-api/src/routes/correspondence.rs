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
    /// When the council received it: deadlines run from here.
    pub received_at: DateTime<Utc>,
    /// When the sender says it was written (an email's `Date:`): their claim, not used for
    /// deadlines.
    pub sent_at: Option<DateTime<Utc>>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub content_hash: String,
    pub batch_id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    /// A different, earlier message with the same Message-ID: this may be a duplicate of it.
    pub possible_duplicate_of: Option<Uuid>,
    /// What a person should know about how it arrived: a sender's date far from when it
    /// reached us, a possible duplicate, why it could not be read.
    pub notes: Vec<String>,
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
    let notes = intake_notes(&c);
    Ok(Json(CorrespondenceView {
        id: c.id,
        channel: c.channel,
        received_at: c.received_at,
        sent_at: c.sent_at,
        sender: c.sender,
        subject: c.subject,
        content_hash: c.content_hash,
        batch_id: c.batch_id,
        status: c.status,
        status_reason: c.status_reason,
        possible_duplicate_of: c.possible_duplicate_of,
        notes,
        recorded_at: c.created_at,
        documents: documents.into_iter().map(DocumentView::from).collect(),
        work_items: items,
    }))
}

/// How far a sender's date may lie from when the message reached us before it is pointed out.
const DATE_TOLERANCE_HOURS: i64 = 24;

/// What a person should know about how correspondence arrived (shown on it and on its items).
#[must_use]
pub fn intake_notes(c: &postroom_db::entities::correspondence::Model) -> Vec<String> {
    let mut notes = Vec::new();
    if c.status != "received"
        && let Some(reason) = &c.status_reason
    {
        notes.push(format!("{}: {reason}", c.status.replace('_', " ")));
    } else if let Some(reason) = &c.status_reason {
        notes.push(reason.clone());
    }
    if let Some(sent) = c.sent_at {
        let gap = c.received_at.signed_duration_since(sent);
        if gap.num_hours().abs() > DATE_TOLERANCE_HOURS {
            let (amount, direction) = if gap.num_days().abs() >= 2 {
                (format!("{} days", gap.num_days().abs()), if gap.num_seconds() > 0 { "before" } else { "after" })
            } else {
                (format!("{} hours", gap.num_hours().abs()), if gap.num_seconds() > 0 { "before" } else { "after" })
            };
            notes.push(format!(
                "the sender dated it {}, {amount} {direction} it reached us on {}; deadlines run from when it reached us",
                sent.format("%Y-%m-%d %H:%M UTC"),
                c.received_at.format("%Y-%m-%d %H:%M UTC"),
            ));
        }
    }
    notes
}
