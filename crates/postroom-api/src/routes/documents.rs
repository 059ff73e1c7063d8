//! `GET /api/v1/documents/{id}/content`: the original bytes; `…/pages`: the text page by page.

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderValue, header},
    response::Response,
};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use postroom_db::correspondence;

use crate::{
    error::{ApiError, Problem},
    extract::{ApiPath, Caller},
    routes::views::PageView,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_document_content)).routes(routes!(get_document_pages))
}

/// The original bytes of a document, byte for byte, with the media type sniffed at intake.
/// Any role.
#[utoipa::path(get, path = "/api/v1/documents/{id}/content", tag = "documents",
    params(("id" = Uuid, Path, description = "Document id")),
    responses((status = 200, description = "The original bytes", content_type = "application/octet-stream"),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(document_id = %id))]
pub async fn get_document_content(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Response, ApiError> {
    let doc = correspondence::document(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("document {id} does not exist")))?;
    let opened = state.storage.open(&doc.object_key).await.map_err(|e| match e {
        postroom_storage::StorageError::NotFound(_) => ApiError::Internal(anyhow::anyhow!(
            "document {id} is recorded but its object {} is missing",
            doc.object_key
        )),
        other => other.into(),
    })?;
    let mut response = Response::new(Body::from_stream(opened.stream));
    let headers = response.headers_mut();
    let content_type =
        HeaderValue::from_str(&doc.media_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(opened.size));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", doc.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// The text read from a document, page by page (PDF text layer, OCR or email body). Empty while
/// the text is still being read or when none could be; the document's `text_status` and
/// `text_problem` say which. Any role.
#[utoipa::path(get, path = "/api/v1/documents/{id}/pages", tag = "documents",
    params(("id" = Uuid, Path, description = "Document id")),
    responses((status = 200, body = [PageView]),
        (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(document_id = %id))]
pub async fn get_document_pages(
    State(state): State<AppState>,
    _caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Vec<PageView>>, ApiError> {
    correspondence::document(&state.db, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("document {id} does not exist")))?;
    let pages = correspondence::pages_of(&state.db, id).await?;
    Ok(Json(pages.into_iter().map(PageView::from).collect()))
}
