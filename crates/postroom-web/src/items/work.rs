//! What an officer does to an item from its page: the lifecycle actions, completion with the
//! account changes the workflow allows and a reply, and the reply's live preview. Each posts a
//! form that is read into the same request type the API takes, so the checks and messages are
//! the same; a refused completion comes back to the page with the messages beside the fields.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use postroom_casework::{CompleteRequest, ReplyRequest};

use super::{Sent, item_context};
use crate::{WebState, error::WebError, session::Posted};

/// The posted fields named in `names` as a JSON object (blank ones left out; `version` as a
/// number), read as `T` with the API's messages for a missing or wrong field.
fn read<T: DeserializeOwned>(posted: &Posted, names: &[&str]) -> Result<T, WebError> {
    let mut object = Map::new();
    for name in names {
        if let Some(v) = posted.get(name) {
            let value = match *name {
                "version" => v.parse::<i64>().map_or_else(|_| Value::String(v.to_owned()), Value::from),
                _ => Value::String(v.to_owned()),
            };
            object.insert((*name).to_owned(), value);
        }
    }
    let body = serde_json::to_vec(&object).map_err(anyhow::Error::from)?;
    Ok(postroom_api::extract::read_json(&body)?)
}

/// `POST /items/{id}/act/{action}`: claim, release, pend, resume, refer, return, cancel,
/// reassign or note.
#[tracing::instrument(skip_all, fields(work_item_id = %id, action = %action, user = %posted.session.principal.user))]
pub async fn act(
    State(state): State<WebState>,
    Path((id, action)): Path<(Uuid, String)>,
    posted: Posted,
) -> Result<Response, WebError> {
    match perform(&state, id, &action, &posted).await {
        Ok(to) => Ok(Redirect::to(&to).into_response()),
        Err(e) => super::refused(&state, &posted.session, id, e).await,
    }
}

/// Does `action` to item `id`; where to go next.
async fn perform(state: &WebState, id: Uuid, action: &str, posted: &Posted) -> Result<String, WebError> {
    let cw = &state.api.casework;
    let caller = posted.session.casework();
    let item = cw.load(id).await?;
    let done = match action {
        "claim" => cw.claim(&caller, &item, read(posted, &["version", "reason"])?).await.map(|_| "claimed"),
        "release" => cw.release(&caller, &item, read(posted, &["version", "reason"])?).await.map(|_| "released"),
        "pend" => {
            cw.pend(&caller, &item, read(posted, &["version", "reason", "bring_forward_on"])?).await.map(|_| "pended")
        }
        "resume" => cw.resume(&caller, &item, read(posted, &["version", "reason"])?).await.map(|_| "resumed"),
        "refer" => cw.refer(&caller, &item, read(posted, &["version", "queue", "reason"])?).await.map(|_| "referred"),
        "return" => cw.return_referral(&caller, &item, read(posted, &["version", "reason"])?).await.map(|_| "returned"),
        "cancel" => cw.cancel(&caller, &item, read(posted, &["version", "reason", "note"])?).await.map(|_| "cancelled"),
        "reassign" => {
            cw.reassign(&caller, &item, read(posted, &["version", "assignee", "reason"])?).await.map(|_| "reassigned")
        }
        "note" => cw.note(&caller, &item, read(posted, &["text"])?).await.map(|_| "noted"),
        other => return Err(WebError::NotFound(format!("there is no action {other:?}"))),
    }?;
    // Released or referred items leave the officer's hands: back to their list.
    Ok(match done {
        "released" | "referred" | "cancelled" => format!("/items?assignee=me&open=true&done={done}"),
        _ => format!("/items/{id}?done={done}"),
    })
}

/// The reply the form asks for, if a template was chosen.
fn reply_of(posted: &Posted) -> Option<ReplyRequest> {
    let template = posted.get("reply.template")?.to_owned();
    let channel = match posted.get("reply.channel") {
        Some("email") => Some(postroom_casework::ReplyChannel::Email),
        Some("letter") => Some(postroom_casework::ReplyChannel::Letter),
        _ => None,
    };
    Some(ReplyRequest { template, channel, notes: posted.get("reply.notes").map(str::to_owned) })
}

/// `POST /items/{id}/complete`: the chosen account changes, the reply and the outcome, applied
/// at once or sent for approval; refused, the page comes back with every message beside its
/// field and what was entered kept.
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = %posted.session.principal.user))]
pub async fn complete(
    State(state): State<WebState>,
    Path(id): Path<Uuid>,
    posted: Posted,
) -> Result<Response, WebError> {
    let (changes, kinds) = state.forms.changes_from(&posted.fields);
    let version = posted.version()?;
    let request = CompleteRequest {
        version,
        changes,
        reply: reply_of(&posted),
        outcome: posted.get("outcome").unwrap_or_default().to_owned(),
    };
    let item = state.api.casework.load(id).await?;
    let caller = posted.session.casework();
    match state.api.casework.complete(&caller, &item, request, None, |_| Ok(String::new())).await {
        Ok(_) => {
            let after = state.api.casework.load(id).await?;
            let done = if after.status == postroom_domain::WorkItemStatus::AwaitingApproval {
                "approval"
            } else {
                "completed"
            };
            Ok(Redirect::to(&format!("/items/{id}?done={done}")).into_response())
        }
        Err(e) => {
            let e = WebError::from(e);
            let status = match &e {
                WebError::Api(api) => api.parts().0,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = crate::forms::place_errors(&e.field_errors(), &kinds);
            let sent = Sent { fields: posted.fields.clone(), summary: Some(e.summary()), errors, ..Sent::default() };
            let context = item_context(&state, &posted.session, id, Some(sent)).await?;
            Ok((status, state.pages.page("item.html", &context)).into_response())
        }
    }
}

/// `POST /items/{id}/preview`: the reply as it would be drafted now. With htmx, only the
/// preview panel is swapped in; without JavaScript, the whole page comes back with it.
#[tracing::instrument(skip_all, fields(work_item_id = %id))]
pub async fn preview(
    State(state): State<WebState>,
    Path(id): Path<Uuid>,
    headers: axum::http::HeaderMap,
    posted: Posted,
) -> Result<Response, WebError> {
    let item = state.api.casework.load(id).await?;
    let preview = match reply_of(&posted) {
        None => json!({"problem": "Choose a reply template to see the reply."}),
        Some(request) => {
            let outcome = posted.get("outcome").unwrap_or_default();
            match state.api.casework.preview_reply(&posted.session.casework(), &item, &request, outcome).await {
                Ok(p) => json!({"reply": p}),
                Err(e) => json!({"problem": WebError::from(e).summary()}),
            }
        }
    };
    if headers.contains_key("hx-request") {
        return Ok(state.pages.page("preview.html", &json!({"preview": preview})).into_response());
    }
    let sent = Sent { fields: posted.fields.clone(), preview: Some(preview), ..Sent::default() };
    let context = item_context(&state, &posted.session, id, Some(sent)).await?;
    Ok(state.pages.page("item.html", &context).into_response())
}
