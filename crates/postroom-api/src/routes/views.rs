//! Response shapes shared by several resources (separate from database entities).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use postroom_db::entities::{document, work_item, work_item_event};
use postroom_domain::{Priority, WorkItemStatus};

use crate::error::ApiError;

/// A work item as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemView {
    pub id: Uuid,
    /// Human reference, e.g. `WI-2026-000042`.
    pub reference: String,
    pub workflow: String,
    pub queue: String,
    pub priority: Priority,
    pub status: WorkItemStatus,
    /// When the council received the correspondence.
    pub received_at: DateTime<Utc>,
    /// Due date on the working-day calendar.
    pub due_on: NaiveDate,
    /// True when open, not paused for the customer, and the due date has passed.
    pub overdue: bool,
    /// Who holds the claim (or held it, while awaiting the customer or approval).
    pub assignee: Option<String>,
    /// While awaiting the customer: since when the SLA clock is paused.
    pub paused_on: Option<NaiveDate>,
    /// While awaiting the customer: when it comes back by itself.
    pub bring_forward_on: Option<NaiveDate>,
    /// While referred: the queue it returns to.
    pub home_queue: Option<String>,
    /// Who completed it (awaiting approval or done).
    pub completed_by: Option<String>,
    /// While awaiting approval: why a team leader must approve the completion.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approval_reasons: Vec<String>,
    /// True when the classifier found a person at risk (`classification.safeguarding`): an
    /// officer's completion goes to a team leader, and only a team leader cancels it.
    pub safeguarding: bool,
    /// For optimistic concurrency on changes.
    pub version: i32,
    pub correspondence_id: Option<Uuid>,
    /// Why it has its workflow and priority: the classifier's candidates with the rules that
    /// fired and their weights, the threshold, priority raises and how the due date was set.
    pub classification: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl WorkItemView {
    /// The work items matching `filter`, as views judged against today (UK date).
    ///
    /// # Errors
    /// When the database fails or holds an invalid row.
    pub async fn list(
        db: &sea_orm::DatabaseConnection,
        filter: &postroom_db::work_items::Filter,
    ) -> Result<Vec<Self>, ApiError> {
        let today = postroom_domain::london_date(Utc::now());
        postroom_db::work_items::list(db, filter).await?.into_iter().map(|m| Self::from_model(m, today)).collect()
    }

    /// From the stored row, judged against `today` (UK date).
    ///
    /// # Errors
    /// When the stored status or priority is not valid.
    pub fn from_model(m: work_item::Model, today: NaiveDate) -> Result<Self, ApiError> {
        let (status, priority) = (m.status, m.priority);
        let approval_reasons = postroom_casework::approval_reasons_of(&m);
        let safeguarding = postroom_casework::is_safeguarding(&m);
        Ok(Self {
            id: m.id,
            reference: m.reference,
            workflow: m.workflow,
            queue: m.queue,
            priority,
            status,
            received_at: m.received_at,
            due_on: m.due_on,
            overdue: !status.is_closed() && status != WorkItemStatus::AwaitingCustomer && m.due_on < today,
            assignee: m.assignee,
            paused_on: m.paused_on,
            bring_forward_on: m.bring_forward_on,
            home_queue: m.home_queue,
            completed_by: m.completed_by,
            approval_reasons,
            safeguarding,
            version: m.version,
            correspondence_id: m.correspondence_id,
            classification: m.classification.as_deref().and_then(|c| serde_json::from_str(c).ok()),
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// A stored document.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentView {
    pub id: Uuid,
    pub correspondence_id: Uuid,
    /// Sniffed from the bytes.
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub page_count: Option<i32>,
    /// The sender's file name, for display only.
    pub filename: Option<String>,
    /// `pending`, `extracted`, `no_text` (read, nothing found), `unavailable` (the OCR or PDF
    /// tools are not installed) or `failed` (corrupt file, timeout).
    pub text_status: String,
    /// Why text is missing or incomplete.
    pub text_problem: Option<String>,
    /// `original`, `attachment`, `inline` or `message` (a nested email).
    pub part: String,
    /// All text read from it (email body, PDF text layer, OCR); per page at `pages_url`.
    pub extracted_text: Option<String>,
    /// Where to fetch the text page by page.
    pub pages_url: String,
    /// Where to fetch the original bytes.
    pub content_url: String,
}

impl From<document::Model> for DocumentView {
    fn from(d: document::Model) -> Self {
        Self {
            content_url: format!("/api/v1/documents/{}/content", d.id),
            pages_url: format!("/api/v1/documents/{}/pages", d.id),
            id: d.id,
            correspondence_id: d.correspondence_id,
            media_type: d.media_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            page_count: d.page_count,
            filename: d.filename,
            text_status: d.text_status,
            text_problem: d.text_problem,
            part: d.part,
            extracted_text: d.extracted_text,
        }
    }
}

/// The text of one page of a document.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageView {
    /// 1-based.
    pub page: i32,
    /// `text_layer` (born-digital PDF), `ocr` or `body` (email).
    pub source: String,
    pub text: String,
    /// Mean OCR word confidence, 0–100.
    pub confidence: Option<f32>,
}

impl From<postroom_db::entities::document_page::Model> for PageView {
    fn from(p: postroom_db::entities::document_page::Model) -> Self {
        Self { page: p.page, source: p.source, text: p.text, confidence: p.confidence }
    }
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryView {
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub from_status: Option<WorkItemStatus>,
    pub to_status: Option<WorkItemStatus>,
    pub details: Option<serde_json::Value>,
}

impl From<work_item_event::Model> for HistoryEntryView {
    fn from(e: work_item_event::Model) -> Self {
        Self {
            occurred_at: e.occurred_at,
            actor: e.actor,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            details: e.details.and_then(|d| serde_json::from_str(&d).ok()),
        }
    }
}
