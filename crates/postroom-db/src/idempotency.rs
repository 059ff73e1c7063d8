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

/// Stores the response to `user`'s request with `key`. In the transaction that did the work, so
/// the two commit together; a concurrent duplicate fails on the primary key.
///
/// # Errors
/// When the database fails, or the key is already stored (a unique violation).
pub async fn store(
    conn: &impl ConnectionTrait,
    user: &str,
    key: &str,
    request_hash: &str,
    status: u16,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        user_name: Set(user.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status: Set(i16::try_from(status).unwrap_or(i16::MAX)),
        body: Set(body.to_owned()),
        created_at: Set(now),
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
