//! The officer's pages: the start page, "Next item", the work-item lists with their filters and
//! search, and one item with everything needed to finish it.

use axum::{
    extract::{Path, Query, RawQuery, State},
    http::{StatusCode, Uri},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use postroom_api::{
    extract::{ApiPath, ApiQuery},
    routes::{
        accounts::{AccountQuery, get_account, search_accounts},
        work_items::{WorkItemQuery, get_work_item, list_work_items},
    },
};
use postroom_domain::{Role, WorkItemStatus};

use crate::{WebState, error::WebError, session::Session};

mod work;

pub use work::{act, complete, preview};

/// What a finished action says on the next page.
#[derive(Debug, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// The message for a `?done=` code (only these, so a link cannot make the page say anything).
pub(crate) fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "claimed" => "You hold this item now.",
        "released" => "Released: it is back in its queue.",
        "pended" => "Waiting for the customer: the SLA clock is paused until they write or the bring-forward date.",
        "resumed" => "Resumed: the SLA clock runs again.",
        "referred" => "Referred.",
        "returned" => "Returned from referral.",
        "cancelled" => "Cancelled.",
        "noted" => "Note added.",
        "completed" => "Completed: the account changes are applied and the reply is drafted.",
        "approval" => "Sent to a team leader for approval.",
        "reply-saved" => "The reply's changes are saved.",
        "reply-approved" => "The reply is approved: an email goes out now, a letter with the next print batch.",
        "reply-resent" => "The reply will be sent again.",
        "printed" => "Marked printed: its letters count as sent.",
        "approved" => "Approved: the changes are applied.",
        "rejected" => "Rejected: it is back with the officer.",
        "indexed" => "Indexed: it is in its queue now.",
        "prioritised" => "Priority changed.",
        "reassigned" => "Reassigned.",
        "queues" => "Queues saved.",
        "nothing" => "There is nothing to claim in your queues right now.",
        "noqueues" => "You work no queues yet: a team leader ticks your queues on the Officers page.",
        _ => return None,
    })
}

/// `GET /`: officers see their work; the post room the triage queue; team leaders, admins and
/// auditors the dashboard.
pub async fn home(
    State(state): State<WebState>,
    session: Session,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    match session.role() {
        Role::PostRoom => return Ok(Redirect::to("/triage").into_response()),
        Role::TeamLeader | Role::Admin | Role::Auditor => return Ok(Redirect::to("/dashboard").into_response()),
        Role::Officer | Role::Service => {}
    }
    let mine =
        items(&state, &session, &[("assignee", session.principal.user.clone()), ("open", "true".into())]).await?;
    let queues = postroom_db::queues::of_user(&state.api.db, &session.principal.user).await?;
    Ok(state
        .pages
        .page(
            "home.html",
            &json!({"session": session.context(), "nav": "home", "mine": mine, "queues": queues,
                "notice": notice(done.done.as_deref())}),
        )
        .into_response())
}

/// The items matching `filters` (query-string pairs, as the API takes them).
async fn items(state: &WebState, session: &Session, filters: &[(&str, String)]) -> Result<Value, WebError> {
    let query = parse_query(filters)?;
    let page = list_work_items(State(state.api.clone()), session.api(), ApiQuery(query)).await?;
    Ok(serde_json::to_value(page.0.items).map_err(anyhow::Error::from)?)
}

/// The filters as the API's query type, so a bad one is refused with the API's own message.
fn parse_query(filters: &[(&str, String)]) -> Result<WorkItemQuery, WebError> {
    let encoded: Vec<String> = filters
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", crate::error::url_encode(v.trim())))
        .collect();
    let uri: Uri = format!("/?{}", encoded.join("&")).parse().map_err(anyhow::Error::from)?;
    axum::extract::Query::<WorkItemQuery>::try_from_uri(&uri)
        .map(|q| q.0)
        .map_err(|e| WebError::BadRequest(format!("a filter is not valid: {}", e.body_text())))
}

/// `POST /next`: claims the most urgent item in the officer's queues and opens it.
#[tracing::instrument(skip_all, fields(user = %posted.session.principal.user))]
pub async fn next_item(State(state): State<WebState>, posted: crate::session::Posted) -> Result<Response, WebError> {
    let user = &posted.session.principal.user;
    if matches!(posted.session.role(), Role::Officer | Role::TeamLeader)
        && postroom_db::queues::of_user(&state.api.db, user).await?.is_empty()
    {
        return Ok(Redirect::to("/?done=noqueues").into_response());
    }
    match state.api.casework.claim_next(&posted.session.casework()).await? {
        Some(item) => Ok(Redirect::to(&format!("/items/{}?done=claimed", item.id)).into_response()),
        None => Ok(Redirect::to("/?done=nothing").into_response()),
    }
}

/// The filters the list page's form offers, by their query-string names; any other filter of
/// the API's list (the dashboard's links use them) is kept as it came.
const FORM_FILTERS: [&str; 8] = ["queue", "status", "priority", "due_to", "overdue", "assignee", "account", "q"];

/// `GET /items`: work items filtered by queue, status, priority, due date, overdue, assignee
/// (`me` for oneself), account, and a search box that finds items by their reference, an
/// account reference or sender, and accounts by name, postcode, address or reference.
pub async fn list(
    State(state): State<WebState>,
    session: Session,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let pairs: Vec<(String, String)> = match raw.as_deref() {
        Some(raw) => axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
            &format!("/?{raw}").parse::<Uri>().map_err(anyhow::Error::from)?,
        )
        .map(|q| q.0)
        .map_err(|e| WebError::BadRequest(e.body_text()))?,
        None => Vec::new(),
    };
    let mut filters: Vec<(&str, String)> = Vec::new();
    let mut chosen = serde_json::Map::new();
    for (k, v) in pairs.iter().filter(|(k, _)| k != "done" && k != "offset") {
        chosen.insert(k.clone(), Value::String(v.clone()));
        let value = if k == "assignee" && v == "me" { session.principal.user.clone() } else { v.clone() };
        filters.push((k.as_str(), value));
    }
    if let Some(page) = pairs.iter().find(|(k, _)| k == "offset") {
        filters.push(("offset", page.1.clone()));
    }
    let kept: Vec<(&String, &Value)> = chosen.iter().filter(|(k, _)| !FORM_FILTERS.contains(&k.as_str())).collect();
    let done = pairs.iter().find(|(k, _)| k == "done").map(|(_, v)| v.as_str());
    let q = chosen.get("q").and_then(Value::as_str).map(str::trim).unwrap_or_default().to_owned();
    let (found, problem) = match items(&state, &session, &filters).await {
        Ok(found) => (found, None),
        Err(e @ (WebError::BadRequest(_) | WebError::Api(_))) => (json!([]), Some(e.summary())),
        Err(e) => return Err(e),
    };
    // The search box also finds accounts by name, postcode or address.
    let accounts = if q.chars().count() >= 2 {
        let query = AccountQuery { q: q.clone(), limit: Some(10) };
        match search_accounts(State(state.api.clone()), session.api(), ApiQuery(query)).await {
            Ok(found) => serde_json::to_value(found.0).map_err(anyhow::Error::from)?,
            Err(_) => json!([]),
        }
    } else {
        json!([])
    };
    let queues = crate::queue_names(&state);
    let statuses: Vec<&str> = WorkItemStatus::ALL.iter().map(|s| s.as_str()).collect();
    let offset = pairs.iter().find(|(k, _)| k == "offset").and_then(|(_, v)| v.parse::<u64>().ok()).unwrap_or(0);
    let count = found.as_array().map_or(0, Vec::len);
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let nav = if chosen.get("assignee").and_then(Value::as_str) == Some("me") { "mine" } else { "items" };
    let base: Vec<String> = chosen
        .iter()
        .filter_map(|(k, v)| {
            v.as_str().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", crate::error::url_encode(v)))
        })
        .collect();
    Ok((
        status,
        state.pages.page(
            "items.html",
            &json!({"session": session.context(), "nav": nav, "items": found, "accounts": accounts,
                "filters": chosen, "queues": queues, "statuses": statuses, "problem": problem,
                "kept": kept, "notice": notice(done),
                "offset": offset, "next_offset": (count == 50).then_some(offset + 50),
                "previous_offset": offset.checked_sub(50), "base": base.join("&")}),
        ),
    )
        .into_response())
}

/// `GET /items/{id}`: the documents, the text read from them with the references that matched
/// marked, why it was classified so, the accounts it concerns (charge, instalments, recovery
/// stage, other open items), its history, and what may be done to it now.
pub async fn show(
    State(state): State<WebState>,
    session: Session,
    Path(id): Path<Uuid>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let context = item_context(&state, &session, id, None).await?;
    let mut context = context;
    context["notice"] = json!(notice(done.done.as_deref()));
    Ok(state.pages.page("item.html", &context).into_response())
}

/// A completion form as it was sent back, with what was wrong.
#[derive(Debug, Default)]
pub struct Sent {
    pub fields: Vec<(String, String)>,
    pub summary: Option<String>,
    pub errors: Vec<(String, String)>,
    pub preview: Option<Value>,
    /// Why an action on the item (pend, refer, index, …) was refused.
    pub refused: Option<String>,
}

/// The item page again with why `error` refused what was asked, when the item can be shown and
/// the refusal is the person's to fix (a bad date, a missing reason, a stale page); anything
/// else is the error page.
pub async fn refused(state: &WebState, session: &Session, id: Uuid, error: WebError) -> Result<Response, WebError> {
    let status = match &error {
        WebError::Api(api) if api.parts().0.is_client_error() => api.parts().0,
        WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
        _ => return Err(error),
    };
    let mut message = error.summary();
    for (field, problem) in error.field_errors() {
        message.push_str(&format!(" ({field}: {problem})"));
    }
    let sent = Sent { refused: Some(message), ..Sent::default() };
    let context = item_context(state, session, id, Some(sent)).await?;
    Ok((status, state.pages.page("item.html", &context)).into_response())
}

/// Everything the item page shows.
pub async fn item_context(
    state: &WebState,
    session: &Session,
    id: Uuid,
    sent: Option<Sent>,
) -> Result<Value, WebError> {
    let detail = get_work_item(State(state.api.clone()), session.api(), ApiPath(id)).await?.0;
    let mut accounts = Vec::new();
    let mut terms: Vec<String> = Vec::new();
    for link in &detail.accounts {
        terms.push(link.reference.clone());
        match get_account(State(state.api.clone()), session.api(), ApiPath(link.reference.clone())).await {
            Ok(account) => {
                let value = serde_json::to_value(&account.0).map_err(anyhow::Error::from)?;
                terms.extend(search_terms(&value));
                accounts.push(json!({"link": link, "detail": value}));
            }
            Err(e) => accounts.push(json!({"link": link, "problem": e.to_string()})),
        }
    }
    let workflow = state.api.catalogue.get(&detail.item.workflow);
    let forms: Vec<Value> =
        workflow.map(|w| w.changes.iter().filter_map(|k| state.forms.form(k.as_str())).collect()).unwrap_or_default();
    let holder = detail.item.assignee.as_deref() == Some(session.principal.user.as_str());
    let status = detail.item.status;
    let sent = sent.unwrap_or_default();
    let applied: Vec<&str> = sent.fields.iter().filter(|(k, _)| k == "apply").map(|(_, v)| v.as_str()).collect();
    let values: serde_json::Map<String, Value> =
        sent.fields.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let errors: serde_json::Map<String, Value> =
        sent.errors.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    let queues = crate::queue_names(state);
    let mut replies = Vec::with_capacity(detail.replies.len());
    for r in &detail.replies {
        let reply =
            postroom_api::routes::replies::get_reply(State(state.api.clone()), session.api(), ApiPath(r.id)).await?;
        replies.push(serde_json::to_value(reply.0).map_err(anyhow::Error::from)?);
    }
    Ok(json!({
        "session": session.context(),
        "nav": "items",
        "replies": replies,
        "docs": crate::documents::for_page(state, &detail.documents).await,
        "item": serde_json::to_value(&detail).map_err(anyhow::Error::from)?,
        "accounts": accounts,
        "terms": terms,
        "workflow": workflow.map(|w| json!({"id": w.id, "title": w.title, "templates": w.templates, "approval": w.approval})),
        "forms": forms,
        "may": {
            "claim": matches!(status, WorkItemStatus::Ready | WorkItemStatus::Triage) && matches!(session.role(), Role::Officer | Role::TeamLeader),
            "work": status == WorkItemStatus::InProgress && (holder || session.leads()),
            "resume": status == WorkItemStatus::AwaitingCustomer && (holder || session.leads()),
            "return": status == WorkItemStatus::Referred && matches!(session.role(), Role::Officer | Role::TeamLeader),
            "decide": status == WorkItemStatus::AwaitingApproval && session.leads(),
            "lead": session.leads() && !status.is_closed(),
            "note": !matches!(session.role(), Role::Auditor | Role::Service),
            "index": status == WorkItemStatus::Triage && matches!(session.role(), Role::PostRoom | Role::TeamLeader | Role::Admin),
        },
        "queues": queues,
        "workflows": crate::triage::workflow_choices(state),
        "sent": values,
        "applied_kinds": applied,
        "errors": errors,
        "summary": sent.summary,
        "refused": sent.refused,
        "preview": sent.preview,
    }))
}

/// What to mark in the documents' text: the account's references, postcode and names.
fn search_terms(account: &Value) -> Vec<String> {
    let a = account;
    let mut terms = Vec::new();
    for key in ["reference", "uprn"] {
        if let Some(s) = a[key].as_str() {
            terms.push(s.to_owned());
        }
    }
    if let Some(s) = a["property"]["postcode"].as_str() {
        terms.push(s.to_owned());
    }
    if let Some(parties) = a["parties"].as_array() {
        terms.extend(parties.iter().filter_map(|p| p["name"].as_str().map(str::to_owned)));
    }
    terms
}
