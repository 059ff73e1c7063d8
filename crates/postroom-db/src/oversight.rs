//! The statements behind the team leaders' dashboard: open work per queue, priority and status
//! (with deadlines and ageing), each officer's work, and the share completed in time.
//!
//! Every statement reads an index made for it (migration 30): open work the partial index
//! `ix_work_items_open_dashboard` (`status NOT IN ('done', 'cancelled')`, written literally,
//! not as bound parameters, so every plan, PostgreSQL's generic plans included, can use it),
//! items held `ix_work_items_open_assignee`, completions awaiting approval
//! `ix_work_items_awaiting_approval`; completions `ix_work_items_closed_on` and, for the
//! officers' figures, `ix_work_items_done_by` (both `status, closed_on, …`: the status fixed,
//! then a range of closing days). The dates that bound each figure (today, the end of the
//! warning window, the ageing bands' receipt days) are worked out on the working-day calendar
//! by the caller.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};

use postroom_domain::{Priority, WorkItemStatus};

pub mod report;

/// The days that bound the dashboard's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub today: NaiveDate,
    /// The last day of the warning window (`today` plus the configured working days).
    pub soon: NaiveDate,
    /// The earliest receipt day of each ageing band but the last (0-2, 3-5, 6-10 and 11-20
    /// working days old): an item received on or after `ageing[0]` is 0-2 working days old.
    pub ageing: [NaiveDate; 4],
    /// Monday of this week.
    pub week_from: NaiveDate,
    /// The first day of the 7 and of the 30 days ending today.
    pub last_7_from: NaiveDate,
    pub last_30_from: NaiveDate,
}

/// Open items of one queue, priority and status.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct OpenWork {
    pub queue: String,
    pub priority: Priority,
    pub status: WorkItemStatus,
    pub n: i64,
    /// Due before today.
    pub overdue: i64,
    /// Due today.
    pub due_today: i64,
    /// Due from today to the end of the warning window.
    pub due_soon: i64,
    /// The earliest receipt day among them.
    pub oldest: Option<NaiveDate>,
    pub age_0_2: i64,
    pub age_3_5: i64,
    pub age_6_10: i64,
    pub age_11_20: i64,
    pub age_over_20: i64,
}

/// Open items an officer holds, by status.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Held {
    pub officer: String,
    pub status: WorkItemStatus,
    pub n: i64,
}

/// What an officer completed over the last 30 days.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Completed {
    pub officer: String,
    pub today: i64,
    pub this_week: i64,
    pub last_30_days: i64,
}

/// An officer's completions awaiting a team leader's approval.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct AwaitingApproval {
    pub officer: String,
    pub n: i64,
}

/// A queue's completions over the last 7 and 30 days, and how many were on time (closed on or
/// before the due date).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct InTime {
    pub queue: String,
    pub done_7: i64,
    pub in_time_7: i64,
    pub done_30: i64,
    pub in_time_30: i64,
}

/// An officer's median time from claim to done over the last 30 days, in seconds.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct Handling {
    pub officer: String,
    pub median_seconds: Option<f64>,
}

/// `$n` on PostgreSQL, `?n` on SQLite.
pub(crate) fn param(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") }
}

/// The closed statuses as SQL literals, as the partial indexes write them.
pub(crate) const CLOSED: &str = "('done', 'cancelled')";

/// Open work per queue, priority and status, against `b`.
#[must_use]
pub fn open_work_statement(backend: DbBackend, b: &Bounds) -> Statement {
    let p = |n| param(backend, n);
    let sql = format!(
        "SELECT queue, priority, status, COUNT(*) AS n, \
         SUM(CASE WHEN due_on < {today} THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN due_on = {today} THEN 1 ELSE 0 END) AS due_today, \
         SUM(CASE WHEN due_on >= {today} AND due_on <= {soon} THEN 1 ELSE 0 END) AS due_soon, \
         MIN(received_on) AS oldest, \
         SUM(CASE WHEN received_on >= {a0} THEN 1 ELSE 0 END) AS age_0_2, \
         SUM(CASE WHEN received_on < {a0} AND received_on >= {a1} THEN 1 ELSE 0 END) AS age_3_5, \
         SUM(CASE WHEN received_on < {a1} AND received_on >= {a2} THEN 1 ELSE 0 END) AS age_6_10, \
         SUM(CASE WHEN received_on < {a2} AND received_on >= {a3} THEN 1 ELSE 0 END) AS age_11_20, \
         SUM(CASE WHEN received_on < {a3} THEN 1 ELSE 0 END) AS age_over_20 \
         FROM work_items WHERE status NOT IN {CLOSED} \
         GROUP BY queue, priority, status ORDER BY queue, priority, status",
        today = p(1),
        soon = p(2),
        a0 = p(3),
        a1 = p(4),
        a2 = p(5),
        a3 = p(6),
    );
    let values: Vec<Value> =
        [b.today, b.soon, b.ageing[0], b.ageing[1], b.ageing[2], b.ageing[3]].into_iter().map(Value::from).collect();
    Statement::from_sql_and_values(backend, sql, values)
}

/// Open work per queue, priority and status.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn open_work(conn: &impl ConnectionTrait, b: &Bounds) -> Result<Vec<OpenWork>, DbErr> {
    OpenWork::find_by_statement(open_work_statement(conn.get_database_backend(), b)).all(conn).await
}

/// The officers' statements: open items held per officer and status; completions over the last
/// 30 days; completions awaiting approval; and claim-to-done times (on PostgreSQL the median per
/// officer, on SQLite the pairs).
#[must_use]
pub fn officer_statements(backend: DbBackend, b: &Bounds) -> [Statement; 4] {
    let p = |n| param(backend, n);
    let held = Statement::from_string(
        backend,
        format!(
            "SELECT assignee AS officer, status, COUNT(*) AS n FROM work_items \
             WHERE status NOT IN {CLOSED} AND assignee IS NOT NULL GROUP BY assignee, status ORDER BY assignee, status"
        ),
    );
    let done = format!(
        "FROM work_items WHERE status = 'done' AND completed_by IS NOT NULL AND closed_on >= {} AND closed_on <= {}",
        p(1),
        p(2)
    );
    let completed = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT completed_by AS officer, SUM(CASE WHEN closed_on = {today} THEN 1 ELSE 0 END) AS today, \
             SUM(CASE WHEN closed_on >= {week} THEN 1 ELSE 0 END) AS this_week, COUNT(*) AS last_30_days \
             {done} GROUP BY completed_by ORDER BY completed_by",
            today = p(2),
            week = p(3),
        ),
        [b.last_30_from.into(), b.today.into(), b.week_from.into()],
    );
    let awaiting = Statement::from_string(
        backend,
        format!(
            "SELECT completed_by AS officer, COUNT(*) AS n FROM work_items WHERE status NOT IN {CLOSED} \
             AND status = 'awaiting_approval' AND completed_by IS NOT NULL GROUP BY completed_by ORDER BY completed_by"
        ),
    );
    let timed = "AND claimed_at IS NOT NULL AND closed_at IS NOT NULL";
    let handling = if backend == DbBackend::Postgres {
        format!(
            "SELECT completed_by AS officer, percentile_cont(0.5) WITHIN GROUP \
             (ORDER BY EXTRACT(EPOCH FROM (closed_at - claimed_at))) AS median_seconds \
             {done} {timed} GROUP BY completed_by ORDER BY completed_by"
        )
    } else {
        format!("SELECT completed_by AS officer, claimed_at, closed_at {done} {timed} ORDER BY completed_by")
    };
    let handling = Statement::from_sql_and_values(backend, handling, [b.last_30_from.into(), b.today.into()]);
    [held, completed, awaiting, handling]
}

/// The officers' rows: held, completed, awaiting approval, handling.
pub type Officers = (Vec<Held>, Vec<Completed>, Vec<AwaitingApproval>, Vec<Handling>);

/// Per officer: the open items they hold by status, their completions over the last 30 days,
/// their completions awaiting approval, and their median handling time.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn officers(conn: &impl ConnectionTrait, b: &Bounds) -> Result<Officers, DbErr> {
    let [held, completed, awaiting, handling] = officer_statements(conn.get_database_backend(), b);
    let held = Held::find_by_statement(held).all(conn).await?;
    let completed = Completed::find_by_statement(completed).all(conn).await?;
    let awaiting = AwaitingApproval::find_by_statement(awaiting).all(conn).await?;
    let handling = medians(conn, handling).await?;
    Ok((held, completed, awaiting, handling))
}

/// Median seconds from claim to done per officer: PostgreSQL works it out; SQLite (the
/// embedded default, with no percentile function) reads the pairs and the median is taken here.
async fn medians(conn: &impl ConnectionTrait, statement: Statement) -> Result<Vec<Handling>, DbErr> {
    if conn.get_database_backend() == DbBackend::Postgres {
        return Handling::find_by_statement(statement).all(conn).await;
    }
    #[derive(FromQueryResult)]
    struct Pair {
        officer: String,
        claimed_at: DateTime<Utc>,
        closed_at: DateTime<Utc>,
    }
    let pairs = Pair::find_by_statement(statement).all(conn).await?;
    let mut out: Vec<Handling> = Vec::new();
    let mut seconds: Vec<f64> = Vec::new();
    let flush = |officer: Option<&str>, seconds: &mut Vec<f64>, out: &mut Vec<Handling>| {
        if let Some(officer) = officer {
            out.push(Handling { officer: officer.to_owned(), median_seconds: median(seconds) });
        }
        seconds.clear();
    };
    let mut current: Option<String> = None;
    for pair in pairs {
        if current.as_deref() != Some(pair.officer.as_str()) {
            flush(current.as_deref(), &mut seconds, &mut out);
            current = Some(pair.officer.clone());
        }
        #[expect(clippy::cast_precision_loss, reason = "handling times are far below 2^52 milliseconds")]
        seconds.push((pair.closed_at - pair.claimed_at).num_milliseconds() as f64 / 1000.0);
    }
    flush(current.as_deref(), &mut seconds, &mut out);
    Ok(out)
}

/// The median as PostgreSQL's `percentile_cont(0.5)` gives it (the mean of the middle two of an
/// even count), or `None` for none.
#[must_use]
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { f64::midpoint(values[mid - 1], values[mid]) } else { values[mid] })
}

/// The share-in-time statement: per queue, completions over the last 7 and 30 days and how
/// many were on time.
#[must_use]
pub fn in_time_statement(backend: DbBackend, b: &Bounds) -> Statement {
    let p = |n| param(backend, n);
    let sql = format!(
        "SELECT queue, SUM(CASE WHEN closed_on >= {from7} THEN 1 ELSE 0 END) AS done_7, \
         SUM(CASE WHEN closed_on >= {from7} AND closed_on <= due_on THEN 1 ELSE 0 END) AS in_time_7, \
         COUNT(*) AS done_30, SUM(CASE WHEN closed_on <= due_on THEN 1 ELSE 0 END) AS in_time_30 \
         FROM work_items WHERE status = 'done' AND closed_on >= {from30} AND closed_on <= {today} \
         GROUP BY queue ORDER BY queue",
        from7 = p(1),
        from30 = p(2),
        today = p(3),
    );
    Statement::from_sql_and_values(backend, sql, [b.last_7_from.into(), b.last_30_from.into(), b.today.into()])
}

/// Per queue: completions over the last 7 and 30 days and how many were on time.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn in_time(conn: &impl ConnectionTrait, b: &Bounds) -> Result<Vec<InTime>, DbErr> {
    InTime::find_by_statement(in_time_statement(conn.get_database_backend(), b)).all(conn).await
}

/// Every statement the dashboard runs, named (for the benchmark's plans).
#[must_use]
pub fn dashboard_statements(backend: DbBackend, b: &Bounds) -> Vec<(&'static str, Statement)> {
    let [held, completed, awaiting, handling] = officer_statements(backend, b);
    vec![
        ("open work by queue, priority and state", open_work_statement(backend, b)),
        ("officers: items held", held),
        ("officers: completions over 30 days", completed),
        ("officers: completions awaiting approval", awaiting),
        ("officers: median claim to done", handling),
        ("share in time, 7 and 30 days", in_time_statement(backend, b)),
    ]
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&mut []), None);
    }
}
