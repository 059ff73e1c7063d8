//! The document viewer's two sources: an original in place (images, PDFs; served exactly as the
//! API serves it, with its restrictive headers) and a PDF's pages as images rendered on the
//! server, so a letter reads in the page without a PDF plug-in.

use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use uuid::Uuid;

use postroom_api::{extract::ApiPath, routes::documents::get_document_content};

use crate::{WebState, error::WebError, session::Session};

/// `GET /documents/{id}/original`.
pub async fn original(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<Uuid>,
) -> Result<Response, WebError> {
    Ok(get_document_content(State(state.api.clone()), session.api(), ApiPath(id)).await?)
}

/// `GET /documents/{id}/pages/{page}`: page `page` (1-based) of a PDF as a PNG.
#[tracing::instrument(skip_all, fields(document_id = %id, page))]
pub async fn page_image(
    State(state): State<WebState>,
    _session: Session,
    Path((id, page)): Path<(Uuid, u32)>,
) -> Result<Response, WebError> {
    let doc = postroom_db::correspondence::document(&state.api.db, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("document {id} does not exist")))?;
    if doc.media_type != "application/pdf" {
        return Err(WebError::NotFound(format!("document {id} is not a PDF: open the original")));
    }
    let pages = u32::try_from(doc.page_count.unwrap_or(0)).unwrap_or(0);
    if page == 0 || (pages > 0 && page > pages) {
        return Err(WebError::NotFound(format!("document {id} has no page {page}")));
    }
    let bytes = state.api.storage.get(&doc.object_key).await.map_err(|e| WebError::Internal(e.into()))?;
    let png =
        state.text.pdf_page_png(&bytes, page).await.map_err(|e| {
            WebError::Internal(anyhow::anyhow!("page {page} of document {id} could not be rendered: {e}"))
        })?;
    let mut response = png.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=600"));
    Ok(response)
}

/// The largest HTML email part shown in the page (larger ones are read as text or opened).
const MAX_HTML_BYTES: i64 = 1024 * 1024;

/// The item's documents as the page shows them: an HTML email part also as sanitised HTML (no
/// scripts, styles, forms or remote content: images and links to other sites are removed).
pub async fn for_page(
    state: &WebState,
    documents: &[postroom_api::routes::views::DocumentView],
) -> Vec<serde_json::Value> {
    let mut out = Vec::with_capacity(documents.len());
    for doc in documents {
        let mut value = serde_json::to_value(doc).unwrap_or_default();
        if doc.media_type.starts_with("text/html") && doc.size_bytes <= MAX_HTML_BYTES {
            let stored = postroom_db::correspondence::document(&state.api.db, doc.id).await.ok().flatten();
            if let Some(stored) = stored
                && let Ok(bytes) = state.api.storage.get(&stored.object_key).await
            {
                value["html"] = serde_json::Value::String(sanitise(&String::from_utf8_lossy(&bytes)));
            }
        }
        out.push(value);
    }
    out
}

/// An email's HTML made safe to show inside our page.
pub fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .rm_tags(["img", "picture", "source", "video", "audio", "iframe"])
        .url_schemes(["mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_relative(ammonia::UrlRelative::Deny)
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitise;

    #[test]
    fn email_html_loses_scripts_remote_content_and_links_out() {
        let out = sanitise(
            r#"<p onclick="x()">Dear council,<script>alert(1)</script><img src="https://track.example/p.gif"><a href="https://phish.example/">pay here</a> <a href="mailto:a@b.example">mail</a></p><style>p{}</style>"#,
        );
        assert!(
            !out.contains("script") && !out.contains("onclick") && !out.contains("<img") && !out.contains("style"),
            "{out}"
        );
        assert!(!out.contains("phish.example"), "{out}");
        assert!(out.contains("Dear council,") && out.contains("mailto:a@b.example"), "{out}");
    }
}
