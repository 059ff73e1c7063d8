//! The statements behind the SLA report for a period: receipts (and how many of them are still
//! open and overdue), completions grouped by receipt and closing day (the working days between
//! them are counted on the calendar by the caller), and the daily receipts and closings that
//! give the throughput series.
//!
//! Receipts read `ix_work_items_received_on` (`received_on, queue, workflow, status, due_on`)
//! and closings `ix_work_items_closed_on` (`closed_on, status, queue, workflow, due_on,
//! received_on`), each as a range of days.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};

use super::{CLOSED, param};

/// Items received in the period, per workflow and queue.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Received {
    pub workflow: String,
    pub queue: String,
    pub received: i64,
    /// Of those, still open.
    pub still_open: i64,
    /// Of those, open, not waiting for the customer and due before today.
    pub overdue: i64,
}

/// Items completed (done) in the period, per workflow, queue, receipt day and closing day.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct CompletedGroup {
    pub workflow: String,
    pub queue: String,
    pub received_on: Option<NaiveDate>,
    pub closed_on: NaiveDate,
    pub n: i64,
    /// Closed on or before the due date.
    pub in_time: i64,
}

/// Receipts on one day.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct DayReceived {
    pub day: NaiveDate,
    pub n: i64,
}

/// Closings on one day: completed (done) and all closed (done or cancelled).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct DayClosed {
    pub day: NaiveDate,
    pub completed: i64,
    pub closed: i64,
}

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

/// The receipts statement: per workflow and queue, items received from `from` to `to`
/// (inclusive), and how many of them are open and overdue on `today`.
#[must_use]
pub fn received_statement(backend: DbBackend, from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Statement {
    let p = |n| param(backend, n);
    let sql = format!(
        "SELECT workflow, queue, COUNT(*) AS received, \
         SUM(CASE WHEN status NOT IN {CLOSED} THEN 1 ELSE 0 END) AS still_open, \
         SUM(CASE WHEN status NOT IN ('done', 'cancelled', 'awaiting_customer') AND due_on < {today} \
         THEN 1 ELSE 0 END) AS overdue \
         FROM work_items WHERE received_on >= {from} AND received_on <= {to} \
         GROUP BY workflow, queue ORDER BY workflow, queue",
        from = p(1),
        to = p(2),
        today = p(3),
    );
    Statement::from_sql_and_values(backend, sql, [from.into(), to.into(), today.into()])
}

/// Receipts from `from` to `to` (inclusive) per workflow and queue, judged against `today`.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn received(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<Received>, DbErr> {
    Received::find_by_statement(received_statement(conn.get_database_backend(), from, to, today)).all(conn).await
}

/// The completions statement: items done from `from` to `to` (inclusive), grouped by
/// workflow, queue, receipt day and closing day.
#[must_use]
pub fn completed_statement(backend: DbBackend, from: NaiveDate, to: NaiveDate) -> Statement {
    let p = |n| param(backend, n);
    let sql = format!(
        "SELECT workflow, queue, received_on, closed_on, COUNT(*) AS n, \
         SUM(CASE WHEN closed_on <= due_on THEN 1 ELSE 0 END) AS in_time \
         FROM work_items WHERE status = 'done' AND closed_on >= {from} AND closed_on <= {to} \
         GROUP BY workflow, queue, received_on, closed_on ORDER BY workflow, queue",
        from = p(1),
        to = p(2),
    );
    Statement::from_sql_and_values(backend, sql, [from.into(), to.into()])
}

/// Completions from `from` to `to` (inclusive), grouped by workflow, queue, receipt day and
/// closing day.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn completed(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<CompletedGroup>, DbErr> {
    CompletedGroup::find_by_statement(completed_statement(conn.get_database_backend(), from, to)).all(conn).await
}

/// The throughput statements: receipts per day and closings per day from `from` on, and the
/// items open now.
#[must_use]
pub fn movement_statements(backend: DbBackend, from: NaiveDate) -> [Statement; 3] {
    let p = |n| param(backend, n);
    [
        Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT received_on AS day, COUNT(*) AS n FROM work_items WHERE received_on >= {} \
                 GROUP BY received_on ORDER BY received_on",
                p(1)
            ),
            [from.into()],
        ),
        Statement::from_sql_and_values(
            backend,
            format!(
                "SELECT closed_on AS day, SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS completed, \
                 COUNT(*) AS closed FROM work_items WHERE status IN {CLOSED} AND closed_on >= {} \
                 GROUP BY closed_on ORDER BY closed_on",
                p(1)
            ),
            [from.into()],
        ),
        Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM work_items WHERE status NOT IN {CLOSED}")),
    ]
}

/// What the throughput series is made from: receipts per day and closings per day from `from`
/// to the present, and the number of items open now.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn movements(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
) -> Result<(Vec<DayReceived>, Vec<DayClosed>, i64), DbErr> {
    let [received, closed, open] = movement_statements(conn.get_database_backend(), from);
    let received = DayReceived::find_by_statement(received).all(conn).await?;
    let closed = DayClosed::find_by_statement(closed).all(conn).await?;
    let open = Count::find_by_statement(open).one(conn).await?.map_or(0, |c| c.n);
    Ok((received, closed, open))
}

/// Every statement the SLA report runs, named (for the benchmark's plans).
#[must_use]
pub fn statements(
    backend: DbBackend,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Vec<(&'static str, Statement)> {
    let [received, closed, open] = movement_statements(backend, from);
    vec![
        ("receipts per workflow and queue", received_statement(backend, from, to, today)),
        ("completions by receipt and closing day", completed_statement(backend, from, to)),
        ("throughput: receipts per day", received),
        ("throughput: closings per day", closed),
        ("throughput: open now", open),
    ]
}
