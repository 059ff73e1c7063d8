//! Postroom persistence: connecting (SQLite embedded default or PostgreSQL), running migrations,
//! the sea-orm entities, and named, instrumented queries that take a connection or transaction.
//!
//! API response types live in `postroom-api`; these entities are storage shapes only.

pub mod account_changes;
pub mod accounts;
pub mod casework;
pub mod connect;
pub mod correspondence;
pub mod counters;
pub mod dead_letters;
pub mod entities;
pub mod idempotency;
pub mod imap_ledger;
pub mod outbox;
pub mod queues;
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
