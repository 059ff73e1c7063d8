//! The post room's triage: what could not be classified or matched, oldest first, each indexed
//! (workflow and accounts) from its page beside the document.

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use serde_json::json;
use uuid::Uuid;

use postroom_api::{extract::ApiQuery, routes::work_items::list_work_items};
use postroom_casework::IndexRequest;

use crate::{
    WebState,
    error::WebError,
    items::Done,
    session::{Posted, Session},
};

/// `GET /triage`.
pub async fn list(
    State(state): State<WebState>,
    session: Session,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let query = postroom_api::routes::work_items::WorkItemQuery {
        status: Some(postroom_domain::WorkItemStatus::Triage),
        limit: Some(200),
        ..Default::default()
    };
    let page = list_work_items(State(state.api.clone()), session.api(), ApiQuery(query)).await?.0;
    let mut items = page.items;
    items.sort_by_key(|i| i.received_at);
    Ok(state
        .pages
        .page(
            "triage.html",
            &json!({"session": session.context(), "nav": "triage", "items": items,
                "notice": crate::items::notice(done.done.as_deref())}),
        )
        .into_response())
}

/// The workflows an item can be indexed to, for the picker: id and title.
pub fn workflow_choices(state: &WebState) -> Vec<serde_json::Value> {
    let mut all: Vec<_> =
        state.api.catalogue.workflows().iter().map(|w| json!({"id": w.id, "title": w.title})).collect();
    all.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    all
}

/// `POST /items/{id}/index`: the workflow and the accounts (references separated by spaces or
/// commas); then the next triage item.
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = %posted.session.principal.user))]
pub async fn index(State(state): State<WebState>, Path(id): Path<Uuid>, posted: Posted) -> Result<Response, WebError> {
    let request = IndexRequest {
        version: posted.version()?,
        workflow: posted.get("workflow").unwrap_or_default().to_owned(),
        accounts: posted
            .get("accounts")
            .unwrap_or_default()
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let item = state.api.casework.load(id).await?;
    match state.api.casework.index(&posted.session.casework(), &item, request).await {
        Ok(_) => Ok(Redirect::to("/triage?done=indexed").into_response()),
        Err(e) => crate::items::refused(&state, &posted.session, id, e.into()).await,
    }
}
