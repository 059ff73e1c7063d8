//! What team leaders watch: `GET /api/v1/dashboard`, `GET /api/v1/reports/sla` and
//! `GET /api/v1/reports/throughput` (JSON, or CSV with `Accept: text/csv`), `GET
//! /api/v1/digest`, and `POST /api/v1/work-items/reassign` (several items to one officer).

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};
use chrono::{Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use postroom_casework::{
    BulkOutcome, ReassignManyRequest,
    oversight::{Dashboard, Digest, SlaReport, ThroughputDay},
};
use postroom_domain::{Role, london_date};

use crate::{
    error::{ApiError, Problem},
    extract::{ApiJson, ApiQuery, Caller},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_dashboard))
        .routes(routes!(get_sla_report))
        .routes(routes!(get_throughput))
        .routes(routes!(get_digest))
        .routes(routes!(reassign_work_items))
}

/// The dashboard's warning window.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Items due within this many working days are "due soon" (default
    /// `team_leaders.warning_working_days`; at most 60).
    pub warning_working_days: Option<u32>,
}

/// The warning window asked for, or the configured one; 422 past 60 working days.
fn warning(asked: Option<u32>, state: &AppState) -> Result<u32, ApiError> {
    match asked.unwrap_or(state.warning_working_days) {
        n if n <= 60 => Ok(n),
        n => Err(ApiError::invalid("warning_working_days", format!("must be at most 60, not {n}"))),
    }
}

/// Open work per queue and priority (by state, due today, due soon, overdue, oldest, ageing in
/// working-day bands), each officer's work (held, completed today, this week and in 30 days,
/// median handling time, completions awaiting approval) and each queue's share completed in
/// time over 7 and 30 days. Every figure links (`items`) to the work-item list it counts.
/// Team leaders, admins and auditors.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "team leaders", params(DashboardQuery),
    responses((status = 200, body = Dashboard),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_dashboard(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let days = warning(q.warning_working_days, &state)?;
    Ok(Json(state.casework.dashboard(&caller.casework(), days).await?))
}

/// A report's period.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First UK day (`YYYY-MM-DD`; default 29 days before `to`).
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Last UK day (default today).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
}

impl PeriodQuery {
    fn period(&self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        let day = |field: &str, v: &Option<String>| -> Result<Option<NaiveDate>, ApiError> {
            v.as_deref()
                .map(|d| {
                    NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| ApiError::invalid(field, format!("must be a date as YYYY-MM-DD, not {d:?}")))
                })
                .transpose()
        };
        let to = day("to", &self.to)?.unwrap_or_else(|| london_date(Utc::now()));
        let from = day("from", &self.from)?.unwrap_or_else(|| to.checked_sub_days(Days::new(29)).unwrap_or(to));
        Ok((from, to))
    }
}

/// The SLA report's CSV columns, in the order of [`postroom_casework::oversight::SlaRow`].
const SLA_COLUMNS: &[&str] = &[
    "workflow",
    "queue",
    "received",
    "completed",
    "completed_in_time",
    "in_time_share",
    "median_working_days",
    "p90_working_days",
    "still_open",
    "overdue",
];

/// The throughput series' CSV columns, in the order of [`ThroughputDay`].
const THROUGHPUT_COLUMNS: &[&str] = &["day", "received", "completed", "open_at_day_end"];

/// `rows` as a CSV attachment named `name` when the client asked for CSV (`Accept: text/csv`),
/// else `json`.
fn json_or_csv<T: Serialize>(
    headers: &HeaderMap,
    name: &str,
    columns: &[&str],
    rows: &[T],
    json: &impl Serialize,
) -> Result<Response, ApiError> {
    let csv = headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).any(|v| v.contains("text/csv"));
    if !csv {
        return Ok(Json(json).into_response());
    }
    // The header is written even when there are no rows, so an empty period is an empty table.
    let mut out = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    out.write_record(columns).map_err(anyhow::Error::new)?;
    for row in rows {
        out.serialize(row).map_err(anyhow::Error::new)?;
    }
    let bytes = out.into_inner().map_err(|e| anyhow::anyhow!("writing CSV: {e}"))?;
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(|e| anyhow::anyhow!("file name {name:?}: {e}"))?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, bytes).into_response())
}

/// By workflow and queue over the period: received, completed, completed in time (and the
/// share), median and 90th percentile working days from receipt to completion, still open and
/// overdue; with the daily throughput series. JSON, or the rows as CSV with `Accept: text/csv`.
/// Team leaders, admins and auditors.
#[utoipa::path(get, path = "/api/v1/reports/sla", tag = "team leaders", params(PeriodQuery),
    responses((status = 200, body = SlaReport, description = "JSON; or `text/csv` (one row per workflow and queue)"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date that is not one, a period that ends before it starts or is over two years",
            body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_sla_report(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Response, ApiError> {
    let (from, to) = q.period()?;
    let report = state.casework.sla_report(&caller.casework(), from, to).await?;
    json_or_csv(&headers, &format!("sla-{from}-to-{to}.csv"), SLA_COLUMNS, &report.rows, &report)
}

/// The daily throughput over the period: received, completed and open at the end of each day.
/// JSON, or CSV with `Accept: text/csv`. Team leaders, admins and auditors.
#[utoipa::path(get, path = "/api/v1/reports/throughput", tag = "team leaders", params(PeriodQuery),
    responses((status = 200, body = Vec<ThroughputDay>, description = "JSON; or `text/csv` (one row per day)"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_throughput(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> Result<Response, ApiError> {
    let (from, to) = q.period()?;
    let report = state.casework.sla_report(&caller.casework(), from, to).await?;
    json_or_csv(
        &headers,
        &format!("throughput-{from}-to-{to}.csv"),
        THROUGHPUT_COLUMNS,
        &report.throughput,
        &report.throughput,
    )
}

/// The daily digest as it would be sent now (what is overdue and at risk, per queue), and
/// the digests sent in the last 14 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct DigestView {
    pub now: Digest,
    pub sent: Vec<SentDigest>,
}

/// A digest as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentDigest {
    pub day: NaiveDate,
    /// `sending`, `pending` (to be tried again), `sent`, `failed` or `unconfirmed`.
    pub status: String,
    pub recipients: Vec<String>,
    pub attempts: i32,
    pub sent_at: Option<chrono::DateTime<Utc>>,
    pub outcome: Option<String>,
}

/// Today's digest as it stands, and the digests of the last 14 days. Team leaders, admins and
/// auditors.
#[utoipa::path(get, path = "/api/v1/digest", tag = "team leaders",
    responses((status = 200, body = DigestView),
        (status = 403, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn get_digest(State(state): State<AppState>, caller: Caller) -> Result<Json<DigestView>, ApiError> {
    caller.require(&[Role::TeamLeader, Role::Admin, Role::Auditor])?;
    let now = Utc::now();
    let digest = state.casework.digest(now, state.warning_working_days, 25).await?;
    let since = london_date(now).checked_sub_days(Days::new(14)).unwrap_or(digest.day);
    let sent = postroom_db::digests::recent(&state.db, since)
        .await?
        .into_iter()
        .map(|d| SentDigest {
            day: d.day,
            status: d.status,
            recipients: d.recipients.split(',').map(str::to_owned).filter(|r| !r.is_empty()).collect(),
            attempts: d.attempts,
            sent_at: d.sent_at,
            outcome: d.outcome,
        })
        .collect();
    Ok(Json(DigestView { now: digest, sent }))
}

/// Gives each listed item (by reference or id, at most 200) to one officer, as
/// `POST …/{id}/reassign` would, each on its own: the answer says, item by item, whether it was
/// reassigned or why not. Team leaders.
#[utoipa::path(post, path = "/api/v1/work-items/reassign", tag = "team leaders",
    request_body = ReassignManyRequest,
    responses((status = 200, body = Vec<BulkOutcome>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No items, more than 200, or no assignee", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(user = caller.user()))]
pub async fn reassign_work_items(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ReassignManyRequest>,
) -> Result<Json<Vec<BulkOutcome>>, ApiError> {
    Ok(Json(state.casework.reassign_many(&caller.casework(), req).await?))
}
