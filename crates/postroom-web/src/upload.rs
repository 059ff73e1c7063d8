//! The post room's upload of scanned post: a batch of files with its date stamp, sent with a
//! progress bar (a morning's scans run to hundreds of megabytes), recorded by the same intake as
//! the API's `POST /api/v1/intake/scans`; each file becomes a triage item.

use axum::{
    extract::{Multipart, Query, State, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use postroom_api::{extract::RequestId, routes::intake::create_scans};
use postroom_domain::london_date;

use crate::{WebState, error::WebError, session::Session};

/// `GET /upload`.
pub async fn page(State(state): State<WebState>, session: Session) -> Result<Response, WebError> {
    if !matches!(session.role(), postroom_domain::Role::PostRoom | postroom_domain::Role::Admin) {
        return Err(WebError::Forbidden("only the post room and admins upload scans".to_owned()));
    }
    let today = london_date(chrono::Utc::now());
    Ok(state
        .pages
        .page("upload.html", &json!({"session": session.context(), "nav": "upload", "today": today.to_string()}))
        .into_response())
}

/// The session's CSRF token, in the form's address: a multipart body is passed on to the intake
/// as it streams, so the token cannot be read from it first.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    csrf: Option<String>,
}

/// `POST /upload?csrf=…`: the files, `received_on` (the post-room date stamp) and `batch`.
#[tracing::instrument(skip_all, fields(user = %session.principal.user))]
pub async fn upload(
    State(state): State<WebState>,
    session: Session,
    Query(query): Query<UploadQuery>,
    request_id: RequestId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    if query.csrf.as_deref() != Some(session.csrf.as_str()) {
        return Err(WebError::Forbidden(
            "this form has expired or did not come from Postroom: reload the page and try again".to_owned(),
        ));
    }
    let (status, receipt) = create_scans(State(state.api.clone()), session.api(), request_id, multipart).await?;
    let today = london_date(chrono::Utc::now());
    let page = state.pages.page(
        "upload.html",
        &json!({"session": session.context(), "nav": "upload", "today": today.to_string(), "receipt": receipt.0}),
    );
    Ok((if status == StatusCode::CREATED { StatusCode::CREATED } else { StatusCode::OK }, page).into_response())
}
