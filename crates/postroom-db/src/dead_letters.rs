//! Dead letters: recording, listing and re-drive requests.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::entities::dead_letter;

/// Where in-process deliveries die (the `source` of their dead letters).
pub const OUTBOX_SOURCE: &str = "outbox";
/// IMAP messages set aside after failing repeatedly: the message waits in the mailbox's
/// rejected folder; moving it back to the inbox tries it again (there is nothing to re-drive).
pub const IMAP_SOURCE: &str = "imap";

/// A dead letter to record.
#[derive(Debug, Clone)]
pub struct NewDeadLetter {
    /// A fixed id makes recording idempotent (a second record with it is ignored).
    pub id: Option<Uuid>,
    pub event_id: Uuid,
    pub event_type: String,
    pub source: String,
    pub payload: String,
    pub correlation_id: Option<String>,
    pub priority: Option<i16>,
    pub reason: Option<String>,
    pub attempts: i32,
}

/// Records a dead letter.
///
/// # Errors
/// When the database fails.
pub async fn record(conn: &impl ConnectionTrait, d: NewDeadLetter, now: DateTime<Utc>) -> Result<Uuid, DbErr> {
    let id = d.id.unwrap_or_else(Uuid::now_v7);
    dead_letter::Entity::insert(dead_letter::ActiveModel {
        id: Set(id),
        event_id: Set(d.event_id),
        event_type: Set(d.event_type),
        source: Set(d.source),
        payload: Set(d.payload),
        correlation_id: Set(d.correlation_id),
        priority: Set(d.priority),
        reason: Set(d.reason.map(|r| r.chars().take(4000).collect())),
        attempts: Set(d.attempts),
        died_at: Set(now),
        retry_requested_at: Set(None),
        retry_requested_by: Set(None),
        retried_at: Set(None),
    })
    .on_conflict(OnConflict::column(dead_letter::Column::Id).do_nothing().to_owned())
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Dead letters, newest first; `include_retried` also lists those already re-driven.
///
/// # Errors
/// When the database fails.
pub async fn list(
    conn: &impl ConnectionTrait,
    include_retried: bool,
    limit: u64,
    offset: u64,
) -> Result<Vec<dead_letter::Model>, DbErr> {
    let mut q = dead_letter::Entity::find();
    if !include_retried {
        q = q.filter(dead_letter::Column::RetriedAt.is_null());
    }
    q.order_by_desc(dead_letter::Column::DiedAt)
        .order_by_desc(dead_letter::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await
}

/// One dead letter.
///
/// # Errors
/// When the database fails.
pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<dead_letter::Model>, DbErr> {
    dead_letter::Entity::find_by_id(id).one(conn).await
}

/// Asks for a re-drive (the broker's publisher carries it out). Returns false when the letter
/// was already re-driven or already asked for.
///
/// # Errors
/// When the database fails.
pub async fn request_retry(conn: &impl ConnectionTrait, id: Uuid, by: &str, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let res = dead_letter::Entity::update_many()
        .col_expr(dead_letter::Column::RetryRequestedAt, Expr::value(now))
        .col_expr(dead_letter::Column::RetryRequestedBy, Expr::value(by))
        .filter(dead_letter::Column::Id.eq(id))
        .filter(dead_letter::Column::RetriedAt.is_null())
        .filter(dead_letter::Column::RetryRequestedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Re-drives asked for but not yet carried out.
///
/// # Errors
/// When the database fails.
pub async fn retry_requested(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<dead_letter::Model>, DbErr> {
    dead_letter::Entity::find()
        .filter(dead_letter::Column::RetriedAt.is_null())
        .filter(dead_letter::Column::RetryRequestedAt.is_not_null())
        .order_by_asc(dead_letter::Column::RetryRequestedAt)
        .limit(limit)
        .all(conn)
        .await
}

/// Marks a dead letter re-driven.
///
/// # Errors
/// When the database fails.
pub async fn mark_retried(conn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    dead_letter::Entity::update_many()
        .col_expr(dead_letter::Column::RetriedAt, Expr::value(now))
        .filter(dead_letter::Column::Id.eq(id))
        .exec(conn)
        .await
        .map(|_| ())
}
