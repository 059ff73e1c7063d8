//! Postroom persistence: connecting (SQLite embedded default or PostgreSQL), running migrations,
//! the sea-orm entities, and named, instrumented queries that take a connection or transaction.
//!
//! API response types live in `postroom-api`; these entities are storage shapes only.

pub mod account_changes;
pub mod accounts;
pub mod bill_revisions;
pub mod casework;
pub mod classifier;
pub mod connect;
pub mod correspondence;
pub mod counters;
pub mod dead_letters;
pub mod digests;
pub mod entities;
pub mod escalations;
pub mod idempotency;
pub mod imap_ledger;
pub mod outbox;
pub mod oversight;
pub mod queues;
pub mod replies;
pub mod revocations;
pub mod users;
pub mod work_items;

pub use connect::{
    Backend, PoolOptions, connect, is_statement_timeout, migrate, ping, rollback, rollback_all,
    status as migration_status,
};
pub use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};

/// Whether a database error is a unique-constraint violation (someone else inserted first).
#[must_use]
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// Whether the database refused the values in a statement (a value it cannot hold, an index
/// row too large, a constraint), as opposed to being unreachable or failing in itself: the same
/// statement would fail again, and leaving the value out may succeed.
#[must_use]
pub fn refused_the_data(err: &DbErr) -> bool {
    let (DbErr::Exec(runtime) | DbErr::Query(runtime)) = err else { return false };
    let sea_orm::RuntimeErr::SqlxError(sqlx_err) = runtime else { return false };
    let Some(db_err) = sqlx_err.as_database_error() else { return false };
    let Some(code) = db_err.code() else { return false };
    if db_err.try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>().is_some() {
        // SQLSTATE classes: data exception, integrity constraint violation, program limit exceeded.
        return matches!(code.get(..2), Some("22" | "23" | "54"));
    }
    // SQLite result codes: TOOBIG, CONSTRAINT (and its extended codes), MISMATCH.
    code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 18..=20))
}

/// Text PostgreSQL can hold: NUL (U+0000) becomes U+FFFD. Every text column filled from
/// outside (correspondence, documents, pages) goes through this, so both databases store the
/// same thing.
#[must_use]
pub fn storable(text: String) -> String {
    if text.contains('\0') { text.replace('\0', "\u{FFFD}") } else { text }
}

/// [`storable`] for optional text.
#[must_use]
pub fn storable_opt(text: Option<String>) -> Option<String> {
    text.map(storable)
}
