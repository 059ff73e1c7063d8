//! Escalations raised on work items (`work_item_escalations`): one row per item, threshold and
//! due date, inserted in the transaction that writes the event, so each threshold is crossed
//! once per deadline however many workers look and however often they restart.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Statement, Value};
use uuid::Uuid;

use crate::{
    entities::work_item,
    oversight::{CLOSED, param},
};

/// Open items, not waiting for the customer, due on or before `last_day`, with no escalation
/// `threshold` recorded for their current due date; earliest due first, at most `limit`.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn pending(
    conn: &impl ConnectionTrait,
    threshold: &str,
    last_day: NaiveDate,
    limit: u64,
) -> Result<Vec<work_item::Model>, DbErr> {
    let backend = conn.get_database_backend();
    let p = |n| param(backend, n);
    let sql = format!(
        "SELECT * FROM work_items w WHERE w.status NOT IN {CLOSED} AND w.status <> 'awaiting_customer' \
         AND w.due_on <= {last_day} AND NOT EXISTS (SELECT 1 FROM work_item_escalations e \
         WHERE e.work_item_id = w.id AND e.threshold = {threshold} AND e.due_on = w.due_on) \
         ORDER BY w.due_on, w.id LIMIT {limit}",
        last_day = p(1),
        threshold = p(2),
        limit = p(3),
    );
    let values: [Value; 3] = [last_day.into(), threshold.into(), i64::try_from(limit).unwrap_or(i64::MAX).into()];
    work_item::Entity::find().from_raw_sql(Statement::from_sql_and_values(backend, sql, values)).all(conn).await
}

/// Records `threshold` crossed by item `id` for its due date `due_on`, only if the item still
/// has that due date, is open with its clock running and is due on or before `last_day` (it may
/// have been paused, closed or moved on since it was read): `false` when it no longer qualifies
/// or the escalation was already recorded (another worker got there first), and then nothing is
/// written.
///
/// # Errors
/// When the database fails.
pub async fn record(
    conn: &impl ConnectionTrait,
    id: Uuid,
    threshold: &str,
    due_on: NaiveDate,
    last_day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let backend = conn.get_database_backend();
    let p = |n| param(backend, n);
    let sql = format!(
        "INSERT INTO work_item_escalations (work_item_id, threshold, due_on, raised_at) \
         SELECT id, {threshold}, due_on, {now} FROM work_items WHERE id = {id} AND due_on = {due_on} \
         AND due_on <= {last_day} AND status NOT IN {CLOSED} AND status <> 'awaiting_customer' \
         ON CONFLICT DO NOTHING",
        id = p(1),
        threshold = p(2),
        due_on = p(3),
        last_day = p(4),
        now = p(5),
    );
    let values: [Value; 5] = [id.into(), threshold.into(), due_on.into(), last_day.into(), now.into()];
    Ok(conn.execute(Statement::from_sql_and_values(backend, sql, values)).await?.rows_affected() == 1)
}

/// An escalation as recorded.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Raised {
    pub work_item_id: Uuid,
    pub threshold: String,
    pub due_on: NaiveDate,
    pub raised_at: DateTime<Utc>,
}

/// Every escalation recorded for item `id`, oldest first.
///
/// # Errors
/// When the database fails.
pub async fn of_item(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<Raised>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT work_item_id, threshold, due_on, raised_at FROM work_item_escalations WHERE work_item_id = {} \
         ORDER BY raised_at, threshold",
        param(backend, 1)
    );
    Raised::find_by_statement(Statement::from_sql_and_values(backend, sql, [id.into()])).all(conn).await
}
