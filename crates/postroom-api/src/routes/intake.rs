//! `POST /api/v1/intake/scans`: the post room's uploads.

use axum::{
    Json,
    extract::{
        Multipart, State,
        multipart::{MultipartError, MultipartRejection},
    },
    http::StatusCode,
};
use chrono::{NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_domain::{Channel, Role};
use postroom_intake::{IntakeError, ScanBatch, ScanFile};

use crate::{
    error::{ApiError, Problem},
    extract::{Caller, RequestId},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_scans))
}

/// The multipart form of a scan upload (documentation only).
#[derive(ToSchema)]
#[expect(dead_code, reason = "describes the multipart form for the OpenAPI document")]
pub struct ScanUpload {
    /// One or more files (PDF, TIFF, PNG or JPEG), each in a field named `file`.
    #[schema(content_media_type = "application/octet-stream")]
    file: Vec<Vec<u8>>,
    /// The post-room date stamp, `YYYY-MM-DD`; defaults to today.
    received_on: Option<NaiveDate>,
    /// The post-room batch identifier (1-64 of letters, digits, space, `_ . / -`).
    batch: Option<String>,
}

/// What was recorded for an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanReceipt {
    /// The batch the files were recorded under.
    pub batch: String,
    /// True when every file had already been received (nothing new was created).
    pub duplicate: bool,
    /// One entry per file, in upload order.
    pub items: Vec<ScanReceiptItem>,
}

/// One file of an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanReceiptItem {
    pub correspondence_id: Uuid,
    pub document_id: Uuid,
    pub filename: Option<String>,
    /// Sniffed from the bytes.
    pub media_type: String,
    pub size_bytes: u64,
    pub sha256: String,
    /// True when these bytes had already been received.
    pub duplicate: bool,
}

/// Upload scanned post. Each file becomes correspondence with its original stored immutably,
/// and a work item follows in the triage queue. Roles: `post_room`, `admin`, `service`.
#[utoipa::path(post, path = "/api/v1/intake/scans", tag = "intake",
    request_body(content = ScanUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Recorded", body = ScanReceipt),
        (status = 200, description = "Every file was already recorded", body = ScanReceipt),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(user = caller.user()))]
pub async fn create_scans(
    State(state): State<AppState>,
    caller: Caller,
    RequestId(request_id): RequestId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ScanReceipt>), ApiError> {
    caller.require(&[Role::PostRoom, Role::Admin, Role::Service])?;
    let multipart = multipart.map_err(|e| {
        ApiError::UnsupportedMediaType(format!("send the scans as multipart/form-data ({})", e.body_text()))
    })?;
    let mut batch = read_form(multipart, state.max_body_bytes).await?;
    batch.correlation_id = request_id;
    let (batch_id, received) = state.scans.receive(batch, Utc::now()).await.map_err(intake_error)?;
    if received.iter().any(|r| !r.duplicate) {
        state.outbox_wake.notify_one();
    }
    let duplicate = received.iter().all(|r| r.duplicate);
    let items = received
        .into_iter()
        .map(|r| ScanReceiptItem {
            correspondence_id: r.correspondence_id,
            document_id: r.document_id,
            filename: r.filename,
            media_type: r.media_type.as_str().to_owned(),
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            duplicate: r.duplicate,
        })
        .collect();
    let status = if duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(ScanReceipt { batch: batch_id, duplicate, items })))
}

/// Reads the form: `file` fields, `received_on`, `batch`. Anything else is refused.
async fn read_form(mut multipart: Multipart, limit: usize) -> Result<ScanBatch, ApiError> {
    let mut batch =
        ScanBatch { files: Vec::new(), received_on: None, batch: None, correlation_id: None, channel: Channel::Scan };
    let too_large = |e: MultipartError| multipart_error(e, limit);
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" | "files" | "file[]" => {
                let filename = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await.map_err(too_large)?;
                batch.files.push(ScanFile { filename, bytes });
            }
            "received_on" => {
                let text = field.text().await.map_err(too_large)?;
                // An empty field (a form left blank) is a field not given.
                if text.trim().is_empty() {
                    continue;
                }
                let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                    ApiError::unprocessable(format!("received_on {text:?} is not a date; use YYYY-MM-DD"))
                })?;
                batch.received_on = Some(day);
            }
            "batch" => {
                let text = field.text().await.map_err(too_large)?;
                let text = text.trim().to_owned();
                if text.is_empty() {
                    continue;
                }
                let ok = (1..=64).contains(&text.len())
                    && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '.' | '/' | '-'));
                if !ok {
                    return Err(ApiError::unprocessable(
                        "batch must be 1-64 letters, digits, spaces or _ . / -".to_owned(),
                    ));
                }
                batch.batch = Some(text);
            }
            other => {
                return Err(ApiError::unprocessable(format!(
                    "unknown form field {other:?}; expected file, received_on or batch"
                )));
            }
        }
    }
    Ok(batch)
}

fn multipart_error(e: MultipartError, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(format!("the upload is larger than the limit of {limit} bytes"))
    } else {
        ApiError::BadRequest(format!("the multipart body is malformed: {}", e.body_text()))
    }
}

fn intake_error(e: IntakeError) -> ApiError {
    match e {
        IntakeError::UnsupportedMediaType { .. } => ApiError::UnsupportedMediaType(e.to_string()),
        IntakeError::NoFiles => {
            ApiError::unprocessable("the upload contains no files; send each file in a form field named 'file'")
        }
        IntakeError::TooManyFiles { .. }
        | IntakeError::EmptyFile { .. }
        | IntakeError::FutureDate(_)
        | IntakeError::StaleDate { .. } => ApiError::unprocessable(e.to_string()),
        IntakeError::Storage(e) => e.into(),
        IntakeError::Database(e) => e.into(),
    }
}
