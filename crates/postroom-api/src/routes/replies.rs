//! Replies to the customer (read, edit, approve, send again, the letter as a PDF) and the
//! print room's batches: the HTTP side of `postroom_casework`'s reply use cases.

use axum::{
    Json,
    body::Body,
    extract::{Query, State},
    http::{HeaderValue, header},
    response::Response,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_casework::{PrintedRequest, ReplyApproval, ReplyEdit};
use postroom_db::{
    entities::{print_batch, reply},
    replies::BatchSummary,
};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiJson, ApiPath, Caller},
    routes::documents::serving,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_reply, edit_reply))
        .routes(routes!(approve_reply))
        .routes(routes!(resend_reply))
        .routes(routes!(get_reply_pdf))
        .routes(routes!(get_reply_eml))
        .routes(routes!(list_print_batches))
        .routes(routes!(get_print_batch))
        .routes(routes!(get_print_batch_pdf))
        .routes(routes!(mark_print_batch_printed))
}

/// A reply to the customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyView {
    pub id: Uuid,
    pub work_item_id: Uuid,
    /// The customer's correspondence it answers.
    pub correspondence_id: Option<Uuid>,
    pub template: String,
    /// `email` or `letter`.
    pub channel: String,
    /// `draft`, `approved`, `sending`, `sent`, `failed`, `unconfirmed`, `batched` or `printed`.
    pub status: String,
    /// Send `version` back to edit or approve it.
    pub version: i32,
    pub recipient_name: String,
    /// The email address, or the postal address lines.
    pub recipient: Vec<String>,
    pub subject: String,
    /// The text (an email's plain-text part; a letter's body).
    pub text: String,
    /// An email's HTML part (made from the text).
    pub html: Option<String>,
    /// A team leader other than the author must approve it.
    pub needs_team_leader: bool,
    pub author: String,
    pub updated_by: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    /// Our Message-ID (email), recorded at approval.
    pub message_id: Option<String>,
    /// The customer's Message-ID it answers (email).
    pub in_reply_to: Option<String>,
    pub attempts: i32,
    pub sent_at: Option<DateTime<Utc>>,
    /// What the mail server answered.
    pub server_response: Option<String>,
    pub last_error: Option<String>,
    pub print_batch_id: Option<Uuid>,
    /// Where the letter's PDF is (letters), or the sent `.eml` (email, once stored).
    pub document: Option<String>,
}

impl From<reply::Model> for ReplyView {
    fn from(r: reply::Model) -> Self {
        let email = r.channel == "email";
        let document = if email {
            r.stored_key.as_ref().map(|_| format!("/api/v1/replies/{}/eml", r.id))
        } else {
            Some(format!("/api/v1/replies/{}/pdf", r.id))
        };
        Self {
            html: email.then(|| postroom_templates::html(&r.body)),
            id: r.id,
            work_item_id: r.work_item_id,
            correspondence_id: r.correspondence_id,
            template: r.template,
            channel: r.channel,
            status: r.status,
            version: r.version,
            recipient_name: r.recipient_name,
            recipient: r.recipient.lines().map(str::to_owned).collect(),
            subject: r.subject,
            text: r.body,
            needs_team_leader: r.needs_team_leader,
            author: r.author,
            updated_by: r.updated_by,
            approved_by: r.approved_by,
            approved_at: r.approved_at,
            message_id: r.message_id,
            in_reply_to: r.in_reply_to,
            attempts: r.attempts,
            sent_at: r.sent_at,
            server_response: r.server_response,
            last_error: r.last_error,
            print_batch_id: r.print_batch_id,
            document,
        }
    }
}

/// A reply: its text (and HTML for an email), channel, recipient, status and item. Any role.
#[utoipa::path(get, path = "/api/v1/replies/{id}", tag = "replies",
    params(("id" = Uuid, Path, description = "Reply id")),
    responses((status = 200, body = ReplyView),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(reply = %id))]
pub async fn get_reply(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ReplyView>, ApiError> {
    Ok(Json(state.casework.reply(id).await?.into()))
}

/// Edits a draft's subject or text: its author or a team leader, while it is a draft.
#[utoipa::path(put, path = "/api/v1/replies/{id}", tag = "replies",
    params(("id" = Uuid, Path, description = "Reply id")),
    request_body = ReplyEdit,
    responses((status = 200, body = ReplyView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer a draft, or a stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(reply = %id, user = caller.user()))]
pub async fn edit_reply(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(edit): ApiJson<ReplyEdit>,
) -> Result<Json<ReplyView>, ApiError> {
    Ok(Json(state.casework.edit_reply(&caller.casework(), id, edit).await?.into()))
}

/// Approves a draft: it is queued for sending (email) or for the day's print batch (letter).
/// Its author or a team leader; a sensitive workflow's reply, or one from an item that needed
/// four-eyes approval, a team leader other than its author.
#[utoipa::path(post, path = "/api/v1/replies/{id}/approve", tag = "replies",
    params(("id" = Uuid, Path, description = "Reply id")),
    request_body = ReplyApproval,
    responses((status = 200, body = ReplyView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No longer a draft, or a stale version", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(reply = %id, user = caller.user()))]
pub async fn approve_reply(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(approval): ApiJson<ReplyApproval>,
) -> Result<Json<ReplyView>, ApiError> {
    Ok(Json(state.casework.approve_reply(&caller.casework(), id, approval).await?.into()))
}

/// Sends again a reply that failed or whose sending is unconfirmed (check the mail relay's log
/// for its Message-ID first). A team leader or an admin.
#[utoipa::path(post, path = "/api/v1/replies/{id}/resend", tag = "replies",
    params(("id" = Uuid, Path, description = "Reply id")),
    responses((status = 200, body = ReplyView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not failed or unconfirmed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(reply = %id, user = caller.user()))]
pub async fn resend_reply(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ReplyView>, ApiError> {
    Ok(Json(state.casework.resend_reply(&caller.casework(), id).await?.into()))
}

/// A letter reply as an A4 PDF: the stored letter once approved, else the draft as it would
/// print. Any role.
#[utoipa::path(get, path = "/api/v1/replies/{id}/pdf", tag = "replies",
    params(("id" = Uuid, Path, description = "Reply id")),
    responses((status = 200, content_type = "application/pdf", description = "The letter"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An email reply", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(reply = %id))]
pub async fn get_reply_pdf(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let letter = state.casework.reply(id).await?;
    let bytes = match &letter.stored_key {
        Some(key) if letter.channel == "letter" => state.storage.get(key).await?.to_vec(),
        _ => {
            let item = state.casework.load(letter.work_item_id).await?;
            state.casework.letter_pdf(&letter, &item.reference)?
        }
    };
    Ok(file(bytes, "application/pdf", &format!("reply-{id}.pdf")))
}

/// The email as sent (`message/rfc822`), once stored. Any role.
#[utoipa::path(get, path = "/api/v1/replies/{id}/eml", tag = "replies",
    params(("id" = Uuid, Path, description = "Reply id")),
    responses((status = 200, content_type = "message/rfc822", description = "The message as sent"),
        (status = 404, description = "No such reply, or not sent yet", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(reply = %id))]
pub async fn get_reply_eml(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let email = state.casework.reply(id).await?;
    let key = email
        .stored_key
        .as_ref()
        .filter(|_| email.channel == "email")
        .ok_or_else(|| ApiError::NotFound(format!("reply {id} has no stored email (a letter, or not sent yet)")))?;
    let bytes = state.storage.get(key).await?.to_vec();
    Ok(file(bytes, "message/rfc822", &format!("reply-{id}.eml")))
}

/// A download of `bytes`, never cached, never rendered as one of our pages.
fn file(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    let presentation = serving::presentation(content_type, false);
    let size = bytes.len();
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    serving::apply(headers, &presentation, filename);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    response
}

/// A day's print batch.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintBatchView {
    pub id: Uuid,
    /// The day its letters were approved (Europe/London).
    pub day: NaiveDate,
    /// `open` (letters still join it) or `printed`.
    pub status: String,
    pub letters: u64,
    pub created_at: DateTime<Utc>,
    pub printed_at: Option<DateTime<Utc>>,
    pub printed_by: Option<String>,
    /// The combined PDF for the print room.
    pub pdf: String,
}

impl PrintBatchView {
    fn of(batch: print_batch::Model, letters: u64) -> Self {
        Self {
            pdf: format!("/api/v1/print-batches/{}/pdf", batch.id),
            id: batch.id,
            day: batch.day,
            status: batch.status,
            letters,
            created_at: batch.created_at,
            printed_at: batch.printed_at,
            printed_by: batch.printed_by,
        }
    }
}

/// A print batch with its letters.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintBatchDetail {
    pub batch: PrintBatchView,
    /// Which letters it holds: send it back to mark the batch printed (its PDF's `ETag` too).
    pub version: String,
    pub letters: Vec<ReplyView>,
}

impl PrintBatchDetail {
    fn of(found: postroom_casework::PrintedBatch) -> Self {
        let count = u64::try_from(found.letters.len()).unwrap_or(u64::MAX);
        Self {
            version: found.version(),
            batch: PrintBatchView::of(found.batch, count),
            letters: found.letters.into_iter().map(ReplyView::from).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// At most this many, newest first (default 50, at most 500).
    pub limit: Option<u64>,
}

/// Print batches, newest day first. Any role.
#[utoipa::path(get, path = "/api/v1/print-batches", tag = "replies", params(BatchQuery),
    responses((status = 200, body = [PrintBatchView])),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn list_print_batches(
    State(state): State<AppState>,
    _caller: Caller,
    Query(query): Query<BatchQuery>,
) -> Result<Json<Vec<PrintBatchView>>, ApiError> {
    let limit = query.limit.unwrap_or(50).clamp(1, 500);
    let found = state.casework.print_batches(limit).await?;
    Ok(Json(found.into_iter().map(|BatchSummary { batch, letters }| PrintBatchView::of(batch, letters)).collect()))
}

/// One print batch and its letters. Any role.
#[utoipa::path(get, path = "/api/v1/print-batches/{id}", tag = "replies",
    params(("id" = Uuid, Path, description = "Print batch id")),
    responses((status = 200, body = PrintBatchDetail),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(batch = %id))]
pub async fn get_print_batch(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<PrintBatchDetail>, ApiError> {
    Ok(Json(PrintBatchDetail::of(state.casework.print_batch(id).await?)))
}

/// Every letter of a print batch in one PDF, in order, for the print room. Any role.
#[utoipa::path(get, path = "/api/v1/print-batches/{id}/pdf", tag = "replies",
    params(("id" = Uuid, Path, description = "Print batch id")),
    responses((status = 200, content_type = "application/pdf", description = "The batch"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "No letters", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(batch = %id))]
pub async fn get_print_batch_pdf(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let found = state.casework.print_batch(id).await?;
    if found.letters.is_empty() {
        return Err(ApiError::Conflict(format!("print batch {id} has no letters to print")));
    }
    let mut letters = Vec::with_capacity(found.letters.len());
    for letter in &found.letters {
        let key = letter.stored_key.as_ref().ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("letter {} is in print batch {id} but has no stored PDF", letter.id))
        })?;
        letters.push(state.storage.get(key).await?.to_vec());
    }
    let combined = postroom_pdf::combine(&letters)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("print batch {id} did not combine: {e}")))?;
    let version = found.version();
    let mut response = file(combined, "application/pdf", &format!("print-batch-{}-{id}.pdf", found.batch.day));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Marks a print batch printed: `{version}` as read with the batch or its PDF's `ETag`; each of
/// its letters is `printed` (with `reply.sent`); letters approved later go into a new batch.
/// The post room, a team leader or an admin.
#[utoipa::path(post, path = "/api/v1/print-batches/{id}/printed", tag = "replies",
    params(("id" = Uuid, Path, description = "Print batch id")),
    request_body = PrintedRequest,
    responses((status = 200, body = PrintBatchDetail),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already printed, or letters joined it since the version printed", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(batch = %id, user = caller.user()))]
pub async fn mark_print_batch_printed(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(printed): ApiJson<PrintedRequest>,
) -> Result<Json<PrintBatchDetail>, ApiError> {
    Ok(Json(PrintBatchDetail::of(state.casework.mark_printed(&caller.casework(), id, printed).await?)))
}
