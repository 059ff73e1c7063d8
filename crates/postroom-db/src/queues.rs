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
    status: String,
    due_on: chrono::NaiveDate,
    n: i64,
}

/// Open work per queue, counted by status and against `today`, by queue name.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn counts(conn: &impl ConnectionTrait, today: chrono::NaiveDate) -> Result<Vec<QueueCounts>, DbErr> {
    use postroom_domain::WorkItemStatus as S;
    use sea_orm::{QuerySelect, sea_query::Expr};

    use crate::entities::work_item::{Column, Entity};
    let closed = [S::Done.as_str(), S::Cancelled.as_str()];
    let rows = Entity::find()
        .select_only()
        .column(Column::Queue)
        .column(Column::Status)
        .column(Column::DueOn)
        .column_as(Expr::col(Column::Id).count(), "n")
        .filter(Column::Status.is_not_in(closed))
        .group_by(Column::Queue)
        .group_by(Column::Status)
        .group_by(Column::DueOn)
        .into_model::<Row>()
        .all(conn)
        .await?;
    let mut out: std::collections::BTreeMap<String, QueueCounts> = std::collections::BTreeMap::new();
    for r in rows {
        let n = u64::try_from(r.n).unwrap_or(0);
        let c = out
            .entry(r.queue.clone())
            .or_insert_with(|| QueueCounts { queue: r.queue.clone(), ..QueueCounts::default() });
        match r.status.parse::<S>() {
            Ok(S::Triage) => c.triage += n,
            Ok(S::Ready) => c.ready += n,
            Ok(S::InProgress) => c.in_progress += n,
            Ok(S::AwaitingCustomer) => c.awaiting_customer += n,
            Ok(S::Referred) => c.referred += n,
            Ok(S::AwaitingApproval) => c.awaiting_approval += n,
            _ => {}
        }
        if r.status != S::AwaitingCustomer.as_str() {
            if r.due_on < today {
                c.overdue += n;
            } else if r.due_on == today {
                c.due_today += n;
            }
        }
    }
    Ok(out.into_values().collect())
}
