//! Revoked tokens: checked on every request that presents a signed token (API bearer or web
//! session), written when someone signs out, when an admin revokes one token, or when a user is
//! signed out everywhere.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::entities::token_revocation;

/// What is revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// One token, by its id (`jti`), which expires at `expires_at`.
    Token { jti: String, expires_at: DateTime<Utc> },
    /// Every token of the user issued up to `issued_before`; the last of them expires by
    /// `expires_at` (`issued_before` plus the longest lifetime a token may have).
    IssuedBefore { issued_before: DateTime<Utc>, expires_at: DateTime<Utc> },
}

/// Records a revocation of `user`'s token(s).
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(db, reason))]
pub async fn revoke(
    db: &impl ConnectionTrait,
    user: &str,
    what: Revoked,
    by: &str,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (jti, issued_before, expires_at) = match what {
        Revoked::Token { jti, expires_at } => (Some(jti), None, expires_at),
        Revoked::IssuedBefore { issued_before, expires_at } => (None, Some(issued_before), expires_at),
    };
    token_revocation::Entity::insert(token_revocation::ActiveModel {
        id: Set(Uuid::now_v7()),
        jti: Set(jti),
        user_name: Set(user.to_owned()),
        issued_before: Set(issued_before),
        expires_at: Set(expires_at),
        revoked_at: Set(now),
        revoked_by: Set(by.to_owned()),
        reason: Set(reason.map(|r| crate::storable(r.to_owned()))),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Whether the token `jti` of `user`, issued at `issued_at`, was revoked (itself, or all of the
/// user's tokens issued by then).
///
/// # Errors
/// When the database fails.
pub async fn is_revoked(
    db: &impl ConnectionTrait,
    user: &str,
    jti: &str,
    issued_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let hits = token_revocation::Entity::find()
        .filter(
            Condition::any().add(token_revocation::Column::Jti.eq(jti)).add(
                Condition::all()
                    .add(token_revocation::Column::UserName.eq(user))
                    .add(token_revocation::Column::IssuedBefore.gte(issued_at)),
            ),
        )
        .count(db)
        .await?;
    Ok(hits > 0)
}

/// Removes revocations whose every token has expired; how many.
///
/// # Errors
/// When the database fails.
pub async fn purge_expired(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let done =
        token_revocation::Entity::delete_many().filter(token_revocation::Column::ExpiresAt.lt(now)).exec(db).await?;
    Ok(done.rows_affected)
}
