//! Stored responses for requests sent with an `Idempotency-Key`, per user.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::idempotency_key;

/// The response stored for `user`'s `key`, if any.
///
/// # Errors
/// When the database fails.
pub async fn find(conn: &impl ConnectionTrait, user: &str, key: &str) -> Result<Option<idempotency_key::Model>, DbErr> {
    idempotency_key::Entity::find_by_id((user.to_owned(), key.to_owned())).one(conn).await
}

/// Which request a stored response answers.
#[derive(Debug, Clone, Copy)]
pub struct Stored<'a> {
    pub user: &'a str,
    pub key: &'a str,
    pub request_hash: &'a str,
    /// The work item the request was about, so that deciding it can forget the answer.
    pub work_item_id: Option<uuid::Uuid>,
}

/// Stores the response to `user`'s request with `key`. In the transaction that did the work, so
/// the two commit together; a concurrent duplicate fails on the primary key.
///
/// # Errors
/// When the database fails, or the key is already stored (a unique violation).
pub async fn store(
    conn: &impl ConnectionTrait,
    stored: Stored<'_>,
    status: u16,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let Stored { user, key, request_hash, work_item_id } = stored;
    idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        user_name: Set(user.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status: Set(i16::try_from(status).unwrap_or(i16::MAX)),
        body: Set(body.to_owned()),
        created_at: Set(now),
        work_item_id: Set(work_item_id),
    })
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// Forgets keys stored before `cutoff`; returns how many.
///
/// # Errors
/// When the database fails.
pub async fn purge(conn: &impl ConnectionTrait, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(cutoff))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Forgets the responses stored for requests about `work_item_id`: once a team leader has
/// decided a completion, the answer "awaiting approval" is no longer true, and a completion sent
/// again with the same key is a new request.
///
/// # Errors
/// When the database fails.
pub async fn forget_for_item(conn: &impl ConnectionTrait, work_item_id: uuid::Uuid) -> Result<u64, DbErr> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::WorkItemId.eq(work_item_id))
        .exec(conn)
        .await?
        .rows_affected)
}
