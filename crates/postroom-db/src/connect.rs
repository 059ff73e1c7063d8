//! Connecting to the database and keeping its schema current.

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr};

use postroom_migration::{Migrator, MigratorTrait};

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// From a database URL's scheme.
    ///
    /// # Errors
    /// When the scheme is neither `sqlite:` nor `postgres:`/`postgresql:`.
    pub fn of(url: &str) -> Result<Self, DbErr> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(DbErr::Custom("database.url must start with postgres:// or sqlite://".to_owned()))
        }
    }
}

/// Pool tuning; `None` takes the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolOptions {
    /// Default 10 on PostgreSQL, 5 on SQLite.
    pub max_connections: Option<u32>,
    /// Default 10 s.
    pub sqlite_busy_timeout: Option<Duration>,
    /// How long to keep trying to connect or to get a pooled connection; default 15 s.
    pub connect_timeout: Option<Duration>,
    /// PostgreSQL's `statement_timeout` on every connection: a statement running longer is
    /// cancelled in the database (SQLSTATE 57014, see [`is_statement_timeout`]). `None` or zero:
    /// no limit. `SQLite` has none.
    pub statement_timeout: Option<Duration>,
}

impl PoolOptions {
    /// The pool size: the one set, else 10 on PostgreSQL, 5 on `SQLite`.
    #[must_use]
    pub fn max_connections(&self, backend: Backend) -> u32 {
        self.max_connections.unwrap_or(match backend {
            Backend::Sqlite => 5,
            Backend::Postgres => 10,
        })
    }
}

/// SQLSTATE of a PostgreSQL statement cancelled (by `statement_timeout`, or by hand).
const QUERY_CANCELED: &str = "57014";

/// Whether the database cancelled the statement: PostgreSQL's `statement_timeout` ran out (or
/// someone cancelled it with `pg_cancel_backend`).
#[must_use]
pub fn is_statement_timeout(e: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    let runtime = match e {
        DbErr::Query(r) | DbErr::Exec(r) | DbErr::Conn(r) => r,
        _ => return false,
    };
    matches!(runtime, RuntimeErr::SqlxError(sqlx::Error::Database(d)) if d.code().as_deref() == Some(QUERY_CANCELED))
}

/// Opens a connection pool. On PostgreSQL every connection has the statement timeout asked for.
/// SQLite runs in WAL mode with a busy timeout and foreign keys on; the
/// database file (and its directory) is created when missing.
///
/// # Errors
/// When the URL is unsupported or the database cannot be reached.
#[tracing::instrument(skip_all, fields(backend))]
pub async fn connect(url: &str, options: &PoolOptions) -> Result<DatabaseConnection, DbErr> {
    let backend = Backend::of(url)?;
    tracing::Span::current().record("backend", tracing::field::debug(backend));
    let mut opts = ConnectOptions::new(url.to_owned());
    let timeout = options.connect_timeout.unwrap_or(Duration::from_secs(15));
    let max_connections = options.max_connections(backend);
    opts.sqlx_logging(false).acquire_timeout(timeout).connect_timeout(timeout);
    match backend {
        Backend::Sqlite => {
            create_sqlite_parent(url)?;
            let busy = options.sqlite_busy_timeout.unwrap_or(Duration::from_secs(10));
            opts.max_connections(max_connections).map_sqlx_sqlite_opts(move |o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(busy)
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        }
        Backend::Postgres => {
            opts.max_connections(max_connections);
            if let Some(limit) = options.statement_timeout.filter(|t| !t.is_zero()) {
                let setting = format!("{}ms", limit.as_millis().max(1));
                opts.map_sqlx_postgres_opts(move |o| o.options([("statement_timeout", setting.as_str())]));
            }
        }
    }
    Database::connect(opts).await
}

fn create_sqlite_parent(url: &str) -> Result<(), DbErr> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| DbErr::Custom(format!("cannot create database directory {}: {e}", parent.display())))?;
    }
    Ok(())
}

/// Applies every pending migration.
///
/// # Errors
/// When a migration fails.
#[tracing::instrument(skip_all)]
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Reverts every migration (also the test of every `down`).
///
/// # Errors
/// When a migration's `down` fails.
pub async fn rollback_all(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::down(db, None).await
}

/// Reverts the latest `steps` migrations (`postroom migrate --down N`).
///
/// # Errors
/// When a migration's `down` fails.
pub async fn rollback(db: &DatabaseConnection, steps: u32) -> Result<(), DbErr> {
    Migrator::down(db, Some(steps)).await
}

/// Names of applied and pending migrations, in order, with whether each is applied.
///
/// # Errors
/// When the database fails.
pub async fn status(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, DbErr> {
    let applied: std::collections::HashSet<String> =
        Migrator::get_applied_migrations(db).await?.iter().map(|m| m.name().to_owned()).collect();
    Ok(Migrator::migrations().iter().map(|m| (m.name().to_owned(), applied.contains(m.name()))).collect())
}

/// Checks the database answers.
///
/// # Errors
/// When it does not.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectionTrait, Statement};

    #[tokio::test]
    async fn migrations_go_up_down_and_up_again_on_sqlite() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}/nested/x.db?mode=rwc", dir.path().display());
        let db = connect(&url, &PoolOptions::default()).await?;
        migrate(&db).await?;
        rollback_all(&db).await?;
        let rows = db
            .query_all(Statement::from_string(
                db.get_database_backend(),
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'",
            ))
            .await?;
        assert!(rows.is_empty(), "down left tables behind");
        migrate(&db).await?;
        let mode = db
            .query_one(Statement::from_string(db.get_database_backend(), "PRAGMA journal_mode"))
            .await?
            .map(|r| r.try_get_by_index::<String>(0))
            .transpose()?;
        assert_eq!(mode.as_deref(), Some("wal"));
        let fk = db
            .query_one(Statement::from_string(db.get_database_backend(), "PRAGMA foreign_keys"))
            .await?
            .map(|r| r.try_get_by_index::<i32>(0))
            .transpose()?;
        assert_eq!(fk, Some(1));
        Ok(())
    }

    /// On PostgreSQL (`TEST_POSTGRES_URL`): every pooled connection has the statement timeout,
    /// and a statement running past it is cancelled in the database and recognised as such.
    #[tokio::test]
    async fn a_statement_past_the_timeout_is_cancelled_in_the_database() -> anyhow::Result<()> {
        let Ok(url) = std::env::var("TEST_POSTGRES_URL") else { return Ok(()) };
        let options = PoolOptions { statement_timeout: Some(Duration::from_millis(300)), ..PoolOptions::default() };
        let db = connect(&url, &options).await?;
        let backend = db.get_database_backend();
        let shown = db
            .query_one(Statement::from_string(backend, "SHOW statement_timeout"))
            .await?
            .map(|r| r.try_get_by_index::<String>(0))
            .transpose()?;
        assert_eq!(shown.as_deref(), Some("300ms"));
        let started = std::time::Instant::now();
        let slow = db.execute_unprepared("SELECT pg_sleep(5)").await;
        let err = slow.err().ok_or_else(|| anyhow::anyhow!("pg_sleep(5) finished despite the timeout"))?;
        assert!(is_statement_timeout(&err), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(4), "cancelled at the timeout, not at the end");
        ping(&db).await?;
        assert!(!is_statement_timeout(&DbErr::Custom("x".into())));
        Ok(())
    }

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(Backend::of("mysql://x").is_err());
        assert_eq!(Backend::of("postgresql://x").ok(), Some(Backend::Postgres));
    }
}
