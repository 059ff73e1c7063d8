//! The team leaders' daily digests (`digests`, one row per UK day): taken for sending with a
//! lease, so two workers never both send one day's digest, and each attempt's outcome.
//!
//! Statuses: `sending` (an attempt holds it), `pending` (an attempt certainly failed: the next
//! round tries again), `sent`, `failed` (the mail server refused it for good) and `unconfirmed`
//! (an attempt stopped without recording its outcome, or the connection failed after the
//! message was sent: it is not sent again, as the recipients may have it).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};

use crate::oversight::param;

/// A day's digest as recorded.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Digest {
    pub day: NaiveDate,
    pub status: String,
    /// The addresses, comma-separated.
    pub recipients: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub sending_since: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
}

/// What [`take`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Taken for sending now: send it, then [`finish`].
    Send,
    /// Another attempt holds it, or it is finished.
    Leave,
}

/// Takes `day`'s digest for sending: the first attempt creates it; a later one takes it only
/// when an earlier attempt certainly failed (`pending`). An attempt that has held it for longer
/// than `lease` without an outcome is marked `unconfirmed`, not taken.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn, recipients))]
pub async fn take(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
    recipients: &str,
    now: DateTime<Utc>,
    lease: chrono::Duration,
) -> Result<Taken, DbErr> {
    let backend = conn.get_database_backend();
    let p = |n| param(backend, n);
    let insert = format!(
        "INSERT INTO digests (day, status, recipients, attempts, created_at, sending_since) \
         VALUES ({}, 'sending', {}, 1, {}, {}) ON CONFLICT DO NOTHING",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    let values: [Value; 4] = [day.into(), recipients.into(), now.into(), now.into()];
    if conn.execute(Statement::from_sql_and_values(backend, insert, values)).await?.rows_affected() == 1 {
        return Ok(Taken::Send);
    }
    let retry = format!(
        "UPDATE digests SET status = 'sending', attempts = attempts + 1, sending_since = {}, recipients = {} \
         WHERE day = {} AND status = 'pending'",
        p(1),
        p(2),
        p(3)
    );
    let values: [Value; 3] = [now.into(), recipients.into(), day.into()];
    if conn.execute(Statement::from_sql_and_values(backend, retry, values)).await?.rows_affected() == 1 {
        return Ok(Taken::Send);
    }
    let stale = format!(
        "UPDATE digests SET status = 'unconfirmed', outcome = {} WHERE day = {} AND status = 'sending' \
         AND sending_since < {}",
        p(1),
        p(2),
        p(3)
    );
    let outcome = "an attempt stopped without recording whether the mail server took it; not sent again";
    let values: [Value; 3] = [outcome.into(), day.into(), (now - lease).into()];
    conn.execute(Statement::from_sql_and_values(backend, stale, values)).await?;
    Ok(Taken::Leave)
}

/// Records how the attempt that took `day`'s digest ended: `sent`, `pending` (try again),
/// `failed` or `unconfirmed`, with what happened.
///
/// # Errors
/// When the database fails.
pub async fn finish(
    conn: &impl ConnectionTrait,
    day: NaiveDate,
    status: &str,
    outcome: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let p = |n| param(backend, n);
    let sent_at: Option<DateTime<Utc>> = (status == "sent").then_some(now);
    let sql = format!(
        "UPDATE digests SET status = {}, outcome = {}, sent_at = {}, sending_since = NULL \
         WHERE day = {} AND status = 'sending'",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    let values: [Value; 4] = [status.into(), outcome.into(), sent_at.into(), day.into()];
    conn.execute(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

/// The digests from `since` on, newest first.
///
/// # Errors
/// When the database fails.
pub async fn recent(conn: &impl ConnectionTrait, since: NaiveDate) -> Result<Vec<Digest>, DbErr> {
    let backend = conn.get_database_backend();
    let sql = format!(
        "SELECT day, status, recipients, attempts, created_at, sending_since, sent_at, outcome FROM digests \
         WHERE day >= {} ORDER BY day DESC",
        param(backend, 1)
    );
    Digest::find_by_statement(Statement::from_sql_and_values(backend, sql, [since.into()])).all(conn).await
}
