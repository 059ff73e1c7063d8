//! The queues each officer may work, kept by team leaders.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::entities::queue_member;

/// The queues `user` may work, by name.
///
/// # Errors
/// When the database fails.
pub async fn of_user(conn: &impl ConnectionTrait, user: &str) -> Result<Vec<String>, DbErr> {
    Ok(queue_member::Entity::find()
        .filter(queue_member::Column::UserName.eq(user))
        .order_by_asc(queue_member::Column::Queue)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.queue)
        .collect())
}

/// Every officer's queues, by user then queue.
///
/// # Errors
/// When the database fails.
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<queue_member::Model>, DbErr> {
    queue_member::Entity::find()
        .order_by_asc(queue_member::Column::UserName)
        .order_by_asc(queue_member::Column::Queue)
        .all(conn)
        .await
}

/// Replaces the queues `user` may work with `queues`, recording who set them.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn, queues), fields(queues = queues.len()))]
pub async fn replace(
    conn: &impl ConnectionTrait,
    user: &str,
    queues: &[String],
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    queue_member::Entity::delete_many().filter(queue_member::Column::UserName.eq(user)).exec(conn).await?;
    if queues.is_empty() {
        return Ok(());
    }
    queue_member::Entity::insert_many(queues.iter().map(|q| queue_member::ActiveModel {
        user_name: Set(user.to_owned()),
        queue: Set(q.clone()),
        added_by: Set(by.to_owned()),
        added_at: Set(now),
    }))
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// How much work a queue holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub queue: String,
    pub triage: u64,
    pub ready: u64,
    pub in_progress: u64,
    pub awaiting_customer: u64,
    pub referred: u64,
    pub awaiting_approval: u64,
    /// Open, not paused for the customer, due before `today`.
    pub overdue: u64,
    /// Open, not paused for the customer, due `today`.
    pub due_today: u64,
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct Row {
    queue: String,
    status: postroom_domain::WorkItemStatus,
    n: i64,
    overdue: i64,
    due_today: i64,
}

/// The queue-count statement: open items per queue and status, with how many are due before and
/// on `today`. One ordered pass over the partial index `ix_work_items_open_counts` (`queue,
/// status, due_on WHERE status NOT IN ('done', 'cancelled')`), grouped as it is read: the
/// closed statuses are written literally, as in the index predicate, so every plan (PostgreSQL's
/// generic plans included) can use the index and knows how many rows to expect.
#[must_use]
pub fn counts_statement(backend: sea_orm::DbBackend, today: chrono::NaiveDate) -> sea_orm::Statement {
    use postroom_domain::WorkItemStatus as S;
    let today_param = if backend == sea_orm::DbBackend::Postgres { "$1" } else { "?1" };
    let sql = format!(
        "SELECT queue, status, COUNT(*) AS n, \
         SUM(CASE WHEN due_on < {today_param} THEN 1 ELSE 0 END) AS overdue, \
         SUM(CASE WHEN due_on = {today_param} THEN 1 ELSE 0 END) AS due_today \
         FROM work_items WHERE status NOT IN ('{done}', '{cancelled}') \
         GROUP BY queue, status ORDER BY queue, status",
        done = S::Done.as_str(),
        cancelled = S::Cancelled.as_str(),
    );
    sea_orm::Statement::from_sql_and_values(backend, sql, [today.into()])
}

/// Open work per queue, counted by status and against `today`, by queue name.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn counts(conn: &impl ConnectionTrait, today: chrono::NaiveDate) -> Result<Vec<QueueCounts>, DbErr> {
    use postroom_domain::WorkItemStatus as S;
    use sea_orm::FromQueryResult;

    let rows = Row::find_by_statement(counts_statement(conn.get_database_backend(), today)).all(conn).await?;
    let mut out: std::collections::BTreeMap<String, QueueCounts> = std::collections::BTreeMap::new();
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    for r in rows {
        let n = count(r.n);
        let c = out
            .entry(r.queue.clone())
            .or_insert_with(|| QueueCounts { queue: r.queue.clone(), ..QueueCounts::default() });
        match r.status {
            S::Triage => c.triage += n,
            S::Ready => c.ready += n,
            S::InProgress => c.in_progress += n,
            S::AwaitingCustomer => c.awaiting_customer += n,
            S::Referred => c.referred += n,
            S::AwaitingApproval => c.awaiting_approval += n,
            S::Done | S::Cancelled => {}
        }
        // The SLA clock stops while an item waits for the customer.
        if r.status != S::AwaitingCustomer {
            c.overdue += count(r.overdue);
            c.due_today += count(r.due_today);
        }
    }
    Ok(out.into_values().collect())
}
