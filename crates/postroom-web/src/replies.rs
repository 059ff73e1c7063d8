//! Replies from the item page: a draft is read, edited and approved for sending (by its author,
//! or a team leader where four-eyes applies), a letter's PDF opened as it will print, and a
//! failed or unconfirmed email sent again by a team leader. The same use cases as the API's
//! `/api/v1/replies/{id}…`.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use uuid::Uuid;

use postroom_api::{extract::ApiPath, routes::replies::get_reply_pdf};
use postroom_casework::{ReplyApproval, ReplyEdit};

use crate::{
    WebState,
    error::WebError,
    session::{Posted, Session},
};

/// `POST /replies/{id}/{action}`: `save` (subject and body), `approve` or `resend`; back to
/// the item.
#[tracing::instrument(skip_all, fields(reply = %id, action = %action, user = %posted.session.principal.user))]
pub async fn act(
    State(state): State<WebState>,
    Path((id, action)): Path<(Uuid, String)>,
    posted: Posted,
) -> Result<Response, WebError> {
    let cw = &state.api.casework;
    let caller = posted.session.casework();
    let reply = match action.as_str() {
        "save" => {
            let edit = ReplyEdit {
                version: posted.version()?,
                subject: posted.get("subject").map(str::to_owned),
                body: posted.get("body").map(str::to_owned),
            };
            cw.edit_reply(&caller, id, edit).await?
        }
        "approve" => cw.approve_reply(&caller, id, ReplyApproval { version: posted.version()? }).await?,
        "resend" => cw.resend_reply(&caller, id).await?,
        other => return Err(WebError::NotFound(format!("there is no reply action {other:?}"))),
    };
    let done = match action.as_str() {
        "save" => "reply-saved",
        "approve" => "reply-approved",
        _ => "reply-resent",
    };
    Ok(Redirect::to(&format!("/items/{}?done={done}#replies", reply.work_item_id)).into_response())
}

/// `GET /replies/{id}/pdf`: a letter as it will print (or as it was stored once approved).
pub async fn pdf(State(state): State<WebState>, session: Session, Path(id): Path<Uuid>) -> Result<Response, WebError> {
    Ok(get_reply_pdf(State(state.api.clone()), session.api(), ApiPath(id)).await?)
}
