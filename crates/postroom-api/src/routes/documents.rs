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

pub(crate) mod serving;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_document_content)).routes(routes!(get_document_pages))
}

/// The original bytes of a document, byte for byte. Shown in place (`inline`) when it is a type
/// the viewer shows (PDF, PNG, JPEG, TIFF, GIF, WebP, plain text in UTF-8); anything else is a
/// download (`attachment`, `application/octet-stream`) under its file name. Always with
/// `nosniff`, a restrictive `Content-Security-Policy` and `Cache-Control: private, no-store`.
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
    let missing = |e| match e {
        postroom_storage::StorageError::NotFound(_) => ApiError::Internal(anyhow::anyhow!(
            "document {id} is recorded but its object {} is missing",
            doc.object_key
        )),
        other => other.into(),
    };
    let (body, size, utf8) = if serving::needs_bytes(&doc.media_type) {
        let bytes = state.storage.get(&doc.object_key).await.map_err(missing)?;
        let utf8 = std::str::from_utf8(&bytes).is_ok();
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        (Body::from(bytes), size, utf8)
    } else {
        let opened = state.storage.open(&doc.object_key).await.map_err(missing)?;
        (Body::from_stream(opened.stream), opened.size, false)
    };
    let presentation = serving::presentation(&doc.media_type, utf8);
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    serving::apply(headers, &presentation, &serving::filename(doc.filename.as_deref(), id, &doc.media_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
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
