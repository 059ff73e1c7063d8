//! The team leader's pages: the dashboard (queue depth, ageing, deadlines at risk, officers,
//! SLA trend and throughput, every figure a link to the items it counts), approvals with the
//! before and after, reassigning and prioritising, and which queues each officer works.

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use chrono::{Days, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use postroom_api::{
    extract::{ApiJson, ApiPath, ApiQuery},
    routes::{
        officers::{OfficerQueues, put_officer_queues},
        work_items::{WorkItemQuery, list_work_items},
    },
};
use postroom_casework::{DecisionRequest, PrioritiseRequest, ReassignManyRequest};
use postroom_domain::london_date;

use crate::{
    WebState,
    charts::{Bar, bars, lines},
    error::WebError,
    items::{Done, notice},
    session::{Posted, Session},
};

/// A dashboard link to the API's item list, as the same list in the UI.
fn ui_link(api_link: &str) -> String {
    api_link.replacen("/api/v1/work-items", "/items", 1)
}

/// `GET /dashboard`.
pub async fn show(
    State(state): State<WebState>,
    session: Session,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let caller = session.casework();
    let dashboard = state.api.casework.dashboard(&caller, state.api.warning_working_days).await?;
    let depth: Vec<Bar> = dashboard
        .queues
        .iter()
        .map(|q| Bar {
            label: q.queue.replace('_', " "),
            value: q.figures.open.count,
            link: Some(ui_link(&q.figures.open.items)),
        })
        .collect();
    let ageing: Vec<Bar> = dashboard
        .total
        .ageing
        .iter()
        .map(|b| Bar { label: format!("{} working days", b.band), value: b.count, link: Some(ui_link(&b.items)) })
        .collect();
    let today = london_date(Utc::now());
    let from = today.checked_sub_days(Days::new(29)).unwrap_or(today);
    let report = state.api.casework.sla_report(&caller, from, today).await?;
    let days: Vec<String> = report.throughput.iter().map(|d| d.day.format("%-d %b").to_string()).collect();
    let throughput = lines(
        "Received, completed and open at the end of each day, last 30 days",
        &days,
        &[
            ("Received", report.throughput.iter().map(|d| d.received).collect()),
            ("Completed", report.throughput.iter().map(|d| d.completed).collect()),
            ("Open", report.throughput.iter().map(|d| d.open_at_day_end).collect()),
        ],
    );
    let trend = sla_trend(&state, &caller, today).await?;
    let mut value = serde_json::to_value(&dashboard).map_err(anyhow::Error::from)?;
    relink(&mut value);
    Ok(state
        .pages
        .page(
            "dashboard.html",
            &json!({"session": session.context(), "nav": "dashboard", "d": value,
                "depth_chart": bars("Open items by queue", &depth), "ageing_chart": bars("Open items by age", &ageing),
                "throughput_chart": throughput, "report": report,
                "trend_chart": lines(
                    "Share of items completed in time, each of the last 8 weeks (per cent)",
                    &trend.iter().map(|w| w["week"].as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>(),
                    &[("In time %", trend.iter().map(|w| w["share"].as_u64().unwrap_or(0)).collect())],
                ),
                "trend": trend,
                "notice": notice(done.done.as_deref())}),
        )
        .into_response())
}

/// The SLA trend: for each of the last 8 weeks (Monday to Sunday, this week so far), the items
/// completed and the share completed in time, from the SLA report.
async fn sla_trend(
    state: &WebState,
    caller: &postroom_casework::Caller,
    today: chrono::NaiveDate,
) -> Result<Vec<Value>, WebError> {
    use chrono::Datelike;
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let mut weeks = Vec::with_capacity(8);
    for back in (0..8_u64).rev() {
        let from = monday - Days::new(7 * back);
        let to = (from + Days::new(6)).min(today);
        let report = state.api.casework.sla_report(caller, from, to).await?;
        let completed: u64 = report.rows.iter().map(|r| r.completed).sum();
        let in_time: u64 = report.rows.iter().map(|r| r.completed_in_time).sum();
        let share = (completed > 0).then(|| (in_time * 100 + completed / 2) / completed);
        weeks.push(json!({"week": from.format("%-d %b").to_string(), "completed": completed, "in_time": in_time, "share": share}));
    }
    Ok(weeks)
}

/// Every `items` link in the dashboard's JSON pointed at the UI's list.
fn relink(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s) if k == "items" => *s = ui_link(s),
                    other => relink(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(relink),
        _ => {}
    }
}

/// `GET /approvals`: completions waiting for a team leader, each with the changes asked for
/// (after) beside the account as it is now (before).
pub async fn approvals(
    State(state): State<WebState>,
    session: Session,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    if !session.leads() {
        return Err(WebError::Forbidden("only team leaders and admins approve completions".to_owned()));
    }
    let query = WorkItemQuery {
        status: Some(postroom_domain::WorkItemStatus::AwaitingApproval),
        limit: Some(100),
        ..Default::default()
    };
    let items = list_work_items(State(state.api.clone()), session.api(), ApiQuery(query)).await?.0.items;
    let mut waiting = Vec::new();
    for item in items {
        let model = state.api.casework.load(item.id).await?;
        let pending: Value =
            model.pending_completion.as_deref().and_then(|c| serde_json::from_str(c).ok()).unwrap_or(Value::Null);
        let mut before = Vec::new();
        for (account, _) in postroom_db::accounts::of_item(&state.api.db, item.id).await? {
            let detail = postroom_api::routes::accounts::get_account(
                State(state.api.clone()),
                session.api(),
                ApiPath(account.reference.clone()),
            )
            .await;
            if let Ok(detail) = detail {
                before.push(serde_json::to_value(detail.0).map_err(anyhow::Error::from)?);
            }
        }
        waiting.push(json!({"item": item, "pending": pending, "before": before}));
    }
    Ok(state
        .pages
        .page(
            "approvals.html",
            &json!({"session": session.context(), "nav": "approvals", "waiting": waiting,
                "notice": notice(done.done.as_deref())}),
        )
        .into_response())
}

/// `POST /items/{id}/decide`: approve (`decision=approve`) or reject with a reason.
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = %posted.session.principal.user))]
pub async fn decide(State(state): State<WebState>, Path(id): Path<Uuid>, posted: Posted) -> Result<Response, WebError> {
    let item = state.api.casework.load(id).await?;
    let request = DecisionRequest { version: posted.version()?, reason: posted.get("reason").map(str::to_owned) };
    let caller = posted.session.casework();
    let done = match posted.get("decision") {
        Some("approve") => state.api.casework.approve(&caller, &item, request).await.map(|_| "approved")?,
        Some("reject") => state.api.casework.reject(&caller, &item, request).await.map(|_| "rejected")?,
        _ => return Err(WebError::BadRequest("choose approve or reject".to_owned())),
    };
    Ok(Redirect::to(&format!("/approvals?done={done}")).into_response())
}

/// `POST /items/{id}/prioritise`.
#[tracing::instrument(skip_all, fields(work_item_id = %id, user = %posted.session.principal.user))]
pub async fn prioritise(
    State(state): State<WebState>,
    Path(id): Path<Uuid>,
    posted: Posted,
) -> Result<Response, WebError> {
    let item = state.api.casework.load(id).await?;
    let body = json!({
        "version": posted.version()?,
        "priority": posted.get("priority"),
        "reason": posted.get("reason").unwrap_or_default(),
    });
    let done = async {
        let request: PrioritiseRequest =
            postroom_api::extract::read_json(&serde_json::to_vec(&body).map_err(anyhow::Error::from)?)?;
        state.api.casework.prioritise(&posted.session.casework(), &item, request).await?;
        Ok::<_, WebError>(())
    };
    match done.await {
        Ok(()) => Ok(Redirect::to(&format!("/items/{id}?done=prioritised")).into_response()),
        Err(e) => crate::items::refused(&state, &posted.session, id, e).await,
    }
}

/// `POST /reassign`: the ticked items to one officer.
#[tracing::instrument(skip_all, fields(user = %posted.session.principal.user))]
pub async fn reassign(State(state): State<WebState>, posted: Posted) -> Result<Response, WebError> {
    let request = ReassignManyRequest {
        items: posted.all("items").into_iter().map(str::to_owned).collect(),
        assignee: posted.get("assignee").unwrap_or_default().to_owned(),
        reason: posted.get("reason").map(str::to_owned),
    };
    let outcomes = state.api.casework.reassign_many(&posted.session.casework(), request).await?;
    let refused: Vec<String> = outcomes
        .iter()
        .filter(|o| o.outcome != "reassigned")
        .map(|o| {
            format!("{}: {}", o.reference.as_deref().unwrap_or(&o.item), o.detail.as_deref().unwrap_or(&o.outcome))
        })
        .collect();
    if refused.is_empty() {
        return Ok(Redirect::to("/items?at_risk=true&done=reassigned").into_response());
    }
    Err(WebError::BadRequest(format!("some items were not reassigned: {}", refused.join("; "))))
}

/// `GET /officers`: each user who works items, and the queues they work.
pub async fn officers(
    State(state): State<WebState>,
    session: Session,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    if !session.leads() {
        return Err(WebError::Forbidden("only team leaders and admins assign queues".to_owned()));
    }
    let users = postroom_db::users::list(&state.api.db).await?;
    let mut rows = Vec::new();
    for user in users
        .iter()
        .filter(|u| !u.disabled && matches!(u.role, postroom_domain::Role::Officer | postroom_domain::Role::TeamLeader))
    {
        let queues = postroom_db::queues::of_user(&state.api.db, &user.user_name).await?;
        rows.push(
            json!({"user": user.user_name, "name": user.display_name, "role": user.role.as_str(), "queues": queues}),
        );
    }
    Ok(state
        .pages
        .page(
            "officers.html",
            &json!({"session": session.context(), "nav": "officers", "officers": rows,
                "queues": crate::queue_names(&state), "notice": notice(done.done.as_deref())}),
        )
        .into_response())
}

/// `POST /officers/{user}`: the ticked queues replace the officer's.
#[tracing::instrument(skip_all, fields(officer = %user))]
pub async fn set_queues(
    State(state): State<WebState>,
    Path(user): Path<String>,
    posted: Posted,
) -> Result<Response, WebError> {
    let queues = OfficerQueues { queues: posted.all("queues").into_iter().map(str::to_owned).collect() };
    let _saved =
        put_officer_queues(State(state.api.clone()), posted.session.api(), ApiPath(user), ApiJson(queues)).await?;
    Ok(Redirect::to("/officers?done=queues").into_response())
}
