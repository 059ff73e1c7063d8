//! The print room's page: the day's batches of approved letters, each downloaded as one PDF
//! (the browser shows the download's progress) and marked printed once it has gone through the
//! printer; the same use cases as `/api/v1/print-batches`.

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde_json::json;
use uuid::Uuid;

use postroom_api::{
    extract::ApiPath,
    routes::replies::{BatchQuery, get_print_batch_pdf, list_print_batches},
};
use postroom_casework::PrintedRequest;

use crate::{
    WebState,
    error::WebError,
    items::{Done, notice},
    session::{Posted, Session},
};

/// `GET /print`: the latest batches, newest first, with the version each would be marked
/// printed at.
pub async fn list(
    State(state): State<WebState>,
    session: Session,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let batches =
        list_print_batches(State(state.api.clone()), session.api(), Query(BatchQuery { limit: Some(30) })).await?.0;
    let mut rows = Vec::with_capacity(batches.len());
    for batch in batches {
        let version = match batch.status.as_str() {
            "open" => Some(state.api.casework.print_batch(batch.id).await?.version()),
            _ => None,
        };
        rows.push(json!({"batch": batch, "version": version}));
    }
    Ok(state
        .pages
        .page(
            "print.html",
            &json!({"session": session.context(), "nav": "print", "batches": rows, "notice": notice(done.done.as_deref())}),
        )
        .into_response())
}

/// `GET /print/{id}/pdf`: every letter of the batch in one PDF.
pub async fn pdf(State(state): State<WebState>, session: Session, Path(id): Path<Uuid>) -> Result<Response, WebError> {
    Ok(get_print_batch_pdf(State(state.api.clone()), session.api(), ApiPath(id)).await?)
}

/// `POST /print/{id}/printed`: the batch went through the printer; its letters are sent.
#[tracing::instrument(skip_all, fields(batch = %id, user = %posted.session.principal.user))]
pub async fn printed(
    State(state): State<WebState>,
    Path(id): Path<Uuid>,
    posted: Posted,
) -> Result<Response, WebError> {
    let version = posted.get("version").unwrap_or_default().to_owned();
    state.api.casework.mark_printed(&posted.session.casework(), id, PrintedRequest { version }).await?;
    Ok(Redirect::to("/print?done=printed").into_response())
}
