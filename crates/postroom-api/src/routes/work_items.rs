//! `GET /api/v1/work-items`, `GET /api/v1/work-items/{id}` and `POST …/{id}/index`.

use axum::{Json, extract::State};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_casework::IndexRequest;
use postroom_db::{correspondence, work_items};
use postroom_domain::{TextStatus, london_date};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiJson, ApiPath, ApiQuery, Caller},
    routes::views::{DocumentView, HistoryEntryView, WorkItemView},
    state::AppState,
};

mod query;

pub use query::WorkItemQuery;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_work_items))
        .routes(routes!(get_work_item))
        .routes(routes!(index_work_item))
}

/// A page of work items.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemPage {
    pub items: Vec<WorkItemView>,
    pub limit: u64,
    pub offset: u64,
}

/// A work item with its documents and audit history.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemDetail {
    #[serde(flatten)]
    pub item: WorkItemView,
    pub documents: Vec<DocumentView>,
    /// The accounts it concerns, and how each was matched.
    pub accounts: Vec<AccountLinkView>,
    /// Where reading its documents stands: `pending` while any is still being read,
    /// `extracted` when some text was read, `no_text` when none could be (OCR not installed, a
    /// blank or unreadable scan): a person must read the original.
    pub text: ItemText,
    /// What a person should know about how its correspondence arrived: a sender's date far
    /// from when it reached us, a possible duplicate, why something could not be read.
    pub notes: Vec<String>,
    /// Its replies to the customer, oldest first (`GET /api/v1/replies/{id}` for one).
    pub replies: Vec<ReplySummaryView>,
    pub history: Vec<HistoryEntryView>,
}

/// A reply as its work item lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplySummaryView {
    pub id: Uuid,
    pub template: String,
    /// `email` or `letter`.
    pub channel: String,
    pub status: String,
    pub subject: String,
    pub sent_at: Option<chrono::DateTime<Utc>>,
}

/// An account a work item concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountLinkView {
    pub reference: String,
    /// `council_tax` or `business_rates`.
    pub service: String,
    /// `reference`, `uprn`, `postcode_and_name` or `indexed`.
    pub matched_by: String,
}

/// Where reading a work item's documents stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemText {
    Pending,
    Extracted,
    NoText,
}

impl ItemText {
    fn of(documents: &[postroom_db::entities::document::Model]) -> Self {
        let pending = TextStatus::Pending.as_str();
        if documents.iter().any(|d| d.text_status == pending) {
            Self::Pending
        } else if documents.iter().any(|d| d.extracted_text.as_deref().is_some_and(|t| !t.trim().is_empty())) {
            Self::Extracted
        } else {
            Self::NoText
        }
    }
}

/// List work items, most urgent first (priority, then due date, then receipt), filtered by
/// queue, status, priority, open or closed, correspondence, assignee, who completed it, account,
/// overdue, at risk (then earliest due first), due, receipt and closing days, closed in time,
/// reference or text (`q`). The dashboard's figures link here with the filters they were
/// counted with. 422 names each filter that is not valid. Any role.
#[utoipa::path(get, path = "/api/v1/work-items", tag = "work items", params(WorkItemQuery),
    responses((status = 200, body = WorkItemPage),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A filter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Every search slot is taken (text search), or the database cancelled the query",
            body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn list_work_items(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(q): ApiQuery<WorkItemQuery>,
) -> Result<Json<WorkItemPage>, ApiError> {
    let today = london_date(Utc::now());
    let filter = q.into_filter(today, state.warning_working_days, |n| {
        postroom_casework::oversight::warning_until(&state.calendar, today, n)
    })?;
    let (limit, offset) = (filter.limit, filter.offset);
    // Text search reads every item (`LIKE '%…%'`): it takes a search slot.
    let _slot = match filter.text {
        Some(_) => Some(state.search_slots.take().await?),
        None => None,
    };
    let items = WorkItemView::list(&state.db, &filter).await?;
    Ok(Json(WorkItemPage { items, limit, offset }))
}

/// One work item with its documents and history. Any role.
#[utoipa::path(get, path = "/api/v1/work-items/{id}", tag = "work items",
    params(("id" = Uuid, Path, description = "Work item id")),
    responses((status = 200, body = WorkItemDetail),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(work_item_id = %id))]
pub async fn get_work_item(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<WorkItemDetail>, ApiError> {
    let item = work_items::get(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("work item {id} does not exist")))?;
    let gathered = work_items::correspondence_of(&state.db, id).await?;
    let documents = correspondence::documents_of(&state.db, &gathered).await?;
    let notes = correspondence::many(&state.db, &gathered)
        .await?
        .iter()
        .flat_map(crate::routes::correspondence::intake_notes)
        .collect();
    let history = work_items::events(&state.db, id).await?;
    let linked = postroom_db::accounts::of_item(&state.db, id).await?;
    let replies = postroom_db::replies::for_item(&state.db, id).await?;
    Ok(Json(WorkItemDetail {
        item: WorkItemView::from_model(item, london_date(Utc::now()))?,
        accounts: linked
            .into_iter()
            .map(|(a, how)| AccountLinkView { reference: a.reference, service: a.service, matched_by: how })
            .collect(),
        text: ItemText::of(&documents),
        notes,
        documents: documents.into_iter().map(DocumentView::from).collect(),
        replies: replies
            .into_iter()
            .map(|r| ReplySummaryView {
                id: r.id,
                template: r.template,
                channel: r.channel,
                status: r.status,
                subject: r.subject,
                sent_at: r.sent_at,
            })
            .collect(),
        history: history.into_iter().map(HistoryEntryView::from).collect(),
    }))
}

/// Indexes a triage item by hand: sets its workflow and accounts, which moves it to that
/// workflow's queue as `ready`, with priority and due date recomputed from the original received date (priority
/// raises found in its text still apply). Post room, team leaders and admins.
#[utoipa::path(post, path = "/api/v1/work-items/{id}/index", tag = "work items",
    params(("id" = Uuid, Path, description = "Work item id")),
    request_body = IndexRequest,
    responses((status = 200, body = WorkItemView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not in triage, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown workflow or accounts, or a Council Tax or Business Rates workflow with no account", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = caller.user()))]
pub async fn index_work_item(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<IndexRequest>,
) -> Result<Json<WorkItemView>, ApiError> {
    let item = state.casework.load(id).await?;
    crate::routes::work_actions::view(state.casework.index(&caller.casework(), &item, req).await?)
}
