//! The transactional outbox and the processed-events ledger.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Expr, OnConflict},
};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::{outbox, processed_event};

/// An event to write to the outbox.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_type: &'static str,
    pub payload: serde_json::Value,
    pub correlation_id: Option<String>,
    /// Work priority rank (1–4) where known.
    pub priority: Option<i16>,
}

impl NewEvent {
    /// An event of `event_type` with a serialisable payload.
    ///
    /// # Errors
    /// When the payload does not serialise.
    pub fn new(event_type: &'static str, payload: &impl Serialize) -> Result<Self, DbErr> {
        Ok(Self {
            event_type,
            payload: serde_json::to_value(payload).map_err(|e| DbErr::Custom(format!("event payload: {e}")))?,
            correlation_id: None,
            priority: None,
        })
    }

    /// Carries the request id that caused the event.
    #[must_use]
    pub fn correlated(mut self, correlation_id: Option<String>) -> Self {
        self.correlation_id = correlation_id;
        self
    }
}

/// Writes an event; call inside the transaction that makes the change it reports.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip_all, fields(event_type = event.event_type))]
pub async fn enqueue(conn: &impl ConnectionTrait, event: NewEvent, now: DateTime<Utc>) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(id),
        event_type: Set(event.event_type.to_owned()),
        payload: Set(event.payload.to_string()),
        occurred_at: Set(now),
        correlation_id: Set(event.correlation_id),
        priority: Set(event.priority),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        published_at: Set(None),
        dead_at: Set(None),
        lane: Set(None),
        source_event_id: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(id)
}

/// Copies `event` into `lane` (in-process delivery to a slow work queue such as OCR). The copy
/// keeps the event's type, payload and id (as `source_event_id`) and is due now.
///
/// # Errors
/// When the database fails.
pub async fn enqueue_lane_copy(
    conn: &impl ConnectionTrait,
    event: &outbox::Model,
    lane: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        event_type: Set(event.event_type.clone()),
        payload: Set(event.payload.clone()),
        occurred_at: Set(event.occurred_at),
        correlation_id: Set(event.correlation_id.clone()),
        priority: Set(event.priority),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        published_at: Set(None),
        dead_at: Set(None),
        lane: Set(Some(lane.to_owned())),
        source_event_id: Set(Some(event.event_id())),
    })
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// Which outbox rows a reader wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows<'a> {
    /// Every row (the broker publisher: lane copies are published like events, and consumers
    /// skip what they have already handled).
    All,
    /// Events themselves, not lane copies (the in-process relay).
    Events,
    /// The copies made for one lane (an in-process lane relay).
    Lane(&'a str),
}

/// Rows waiting to be handled whose next attempt is due, oldest first, leaving out `skip`
/// (rows already in hand).
///
/// # Errors
/// When the database fails.
pub async fn due(
    conn: &impl ConnectionTrait,
    rows: Rows<'_>,
    now: DateTime<Utc>,
    limit: u64,
    skip: &[Uuid],
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut q = outbox::Entity::find();
    match rows {
        Rows::All => {}
        Rows::Events => q = q.filter(outbox::Column::Lane.is_null()),
        Rows::Lane(lane) => q = q.filter(outbox::Column::Lane.eq(lane)),
    }
    if !skip.is_empty() {
        q = q.filter(outbox::Column::Id.is_not_in(skip.iter().copied()));
    }
    q.filter(outbox::Column::PublishedAt.is_null())
        .filter(outbox::Column::DeadAt.is_null())
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::OccurredAt)
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Like [`due`], but locks the rows for the caller's transaction. On PostgreSQL rows another
/// relay has locked are skipped (`FOR UPDATE SKIP LOCKED`), so several relays never publish the
/// same event; SQLite has a single writer, so a plain read is enough there.
///
/// # Errors
/// When the database fails.
pub async fn claim_due(
    txn: &sea_orm::DatabaseTransaction,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut q = outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .filter(outbox::Column::DeadAt.is_null())
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::OccurredAt)
        .order_by_asc(outbox::Column::Id)
        .limit(limit);
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q = q.lock_with_behavior(sea_orm::sea_query::LockType::Update, sea_orm::sea_query::LockBehavior::SkipLocked);
    }
    q.all(txn).await
}

/// Marks several events published at once.
///
/// # Errors
/// When the database fails.
pub async fn mark_published_many(conn: &impl ConnectionTrait, ids: &[Uuid], at: DateTime<Utc>) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::PublishedAt, Expr::value(at))
        .filter(outbox::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Puts a dead event back in line (re-drive of an in-process dead letter).
///
/// # Errors
/// When the database fails.
pub async fn revive(conn: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::DeadAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .filter(outbox::Column::Id.eq(id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// How many events are waiting (not yet handled, not dead).
///
/// # Errors
/// When the database fails.
pub async fn pending_count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    outbox::Entity::find()
        .filter(outbox::Column::PublishedAt.is_null())
        .filter(outbox::Column::DeadAt.is_null())
        .count(conn)
        .await
}

/// Deletes at most `limit` rows published before `cutoff`, oldest first, and returns how many
/// went. Rows not yet handled and dead events are never touched, whatever their age. Bounded, so
/// a large backlog is pruned over several rounds without holding long locks on the outbox.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip_all)]
pub async fn prune_published(conn: &impl ConnectionTrait, cutoff: DateTime<Utc>, limit: u64) -> Result<u64, DbErr> {
    let oldest = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(outbox::Column::PublishedAt.lt(cutoff))
        .filter(outbox::Column::DeadAt.is_null())
        .order_by_asc(outbox::Column::PublishedAt)
        .limit(limit)
        .into_query();
    Ok(outbox::Entity::delete_many().filter(outbox::Column::Id.in_subquery(oldest)).exec(conn).await?.rows_affected)
}

/// Marks an event handled (in-process) or confirmed by the broker.
///
/// # Errors
/// When the database fails.
pub async fn mark_published(conn: &impl ConnectionTrait, id: Uuid, at: DateTime<Utc>) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::PublishedAt, Expr::value(at))
        .filter(outbox::Column::Id.eq(id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Records a failed attempt: the next attempt time, or dead when attempts are used up.
///
/// # Errors
/// When the database fails.
pub async fn record_failure(
    conn: &impl ConnectionTrait,
    id: Uuid,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    dead_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
        .col_expr(outbox::Column::LastError, Expr::value(error.chars().take(2000).collect::<String>()))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next_attempt_at))
        .col_expr(outbox::Column::DeadAt, Expr::value(dead_at))
        .filter(outbox::Column::Id.eq(id))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Records that `consumer` handles `event_id` now. Returns `false` when it already has: the
/// caller then skips the work (idempotent consumers). Call inside the handler's transaction.
///
/// # Errors
/// When the database fails.
pub async fn begin_processing(
    conn: &impl ConnectionTrait,
    consumer: &str,
    event_id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let inserted = processed_event::Entity::insert(processed_event::ActiveModel {
        consumer: Set(consumer.to_owned()),
        event_id: Set(event_id),
        processed_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([processed_event::Column::Consumer, processed_event::Column::EventId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(inserted == 1)
}

/// Whether `consumer` has already handled `event_id` (a read, outside any transaction, to skip
/// slow preparation for an event that was already done).
///
/// # Errors
/// When the database fails.
pub async fn is_processed(conn: &impl ConnectionTrait, consumer: &str, event_id: Uuid) -> Result<bool, DbErr> {
    Ok(processed_event::Entity::find_by_id((consumer.to_owned(), event_id)).one(conn).await?.is_some())
}
