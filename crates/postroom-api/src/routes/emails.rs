//! `POST /api/v1/intake/emails`: raw RFC 5322 messages from the council's mail gateway.

use axum::{
    Json,
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, StatusCode, header},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_domain::{Channel, Role};
use postroom_intake::{EmailError, IncomingEmail, OnLimit};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiQuery, Caller, RequestId},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_email))
}

/// Options of an email delivery.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmailDelivery {
    /// When the mail gateway received the message (RFC 3339), if it held it before passing it
    /// on. Deadlines run from this time; without it, from now. Refused when in the future or
    /// older than `intake.max_date_age`.
    pub received_at: Option<DateTime<Utc>>,
}

/// What was recorded for an email.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailReceipt {
    pub correspondence_id: Uuid,
    /// True when this message (same bytes or same Message-ID) was already received.
    pub duplicate: bool,
    pub message_id: Option<String>,
    /// `received`, or `unparseable` (kept, and triaged with `reason`).
    pub status: String,
    pub reason: Option<String>,
    /// The raw message (`original`), then each attachment, inline image and nested message.
    pub documents: Vec<EmailReceiptDocument>,
}

/// One stored part.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailReceiptDocument {
    pub id: Uuid,
    /// `original`, `attachment`, `inline` or `message`.
    pub part: String,
    /// Sniffed from the bytes.
    pub media_type: String,
    pub filename: Option<String>,
    pub size_bytes: u64,
}

/// Receive one email as raw RFC 5322 (`Content-Type: message/rfc822`). The raw message is kept as
/// the original; its bodies become text, its attachments documents. The message's own `Date:`
/// is kept as `sent_at` (the sender's claim); deadlines run from `received_at`, which is now or
/// the gateway's `received_at`. The same bytes again are a duplicate (200); a different message
/// reusing a Message-ID is recorded as `possible_duplicate`, linked to the first. Roles:
/// `service` (the mail gateway), `admin`.
#[utoipa::path(post, path = "/api/v1/intake/emails", tag = "intake",
    params(EmailDelivery),
    request_body(content = String, content_type = "message/rfc822", description = "The raw message"),
    responses(
        (status = 201, description = "Recorded", body = EmailReceipt),
        (status = 200, description = "Already received", body = EmailReceipt),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(user = caller.user()))]
pub async fn create_email(
    State(state): State<AppState>,
    caller: Caller,
    RequestId(request_id): RequestId,
    ApiQuery(delivery): ApiQuery<EmailDelivery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<EmailReceipt>), ApiError> {
    caller.require(&[Role::Service, Role::Admin])?;
    let now = Utc::now();
    if let Some(at) = delivery.received_at
        && !state.emails.plausible_delivery(at, now)
    {
        return Err(ApiError::unprocessable(format!(
            "received_at {at} is in the future or older than the date window (intake.max_date_age)"
        )));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !content_type.trim().to_ascii_lowercase().starts_with("message/rfc822") {
        return Err(ApiError::UnsupportedMediaType(
            "send the raw message with Content-Type: message/rfc822".to_owned(),
        ));
    }
    let raw = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(format!("the message is larger than the limit of {} bytes", state.max_body_bytes))
        }
        _ => ApiError::BadRequest(e.body_text()),
    })?;
    let email = IncomingEmail {
        raw,
        channel: Channel::Email,
        delivered_at: delivery.received_at,
        correlation_id: request_id,
        on_limit: OnLimit::Refuse,
    };
    let received = state.emails.receive(email, now).await.map_err(|e| match e {
        EmailError::Empty => ApiError::unprocessable("the message is empty"),
        EmailError::TooLarge { .. } => ApiError::PayloadTooLarge(e.to_string()),
        EmailError::OverLimit(reason) => ApiError::unprocessable(reason),
        EmailError::Storage(e) => e.into(),
        EmailError::Database(e) => e.into(),
    })?;
    if !received.duplicate {
        state.outbox_wake.notify_one();
    }
    let status = if received.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((
        status,
        Json(EmailReceipt {
            correspondence_id: received.correspondence_id,
            duplicate: received.duplicate,
            message_id: received.message_id,
            status: received.status,
            reason: received.reason,
            documents: received
                .documents
                .into_iter()
                .map(|d| EmailReceiptDocument {
                    id: d.id,
                    part: d.part,
                    media_type: d.media_type,
                    filename: d.filename,
                    size_bytes: d.size_bytes,
                })
                .collect(),
        }),
    ))
}
