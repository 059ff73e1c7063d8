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
}

/// Opens a connection pool. SQLite runs in WAL mode with a busy timeout and foreign keys on; the
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
    let max_connections = options.max_connections;
    opts.sqlx_logging(false).acquire_timeout(timeout).connect_timeout(timeout);
    match backend {
        Backend::Sqlite => {
            create_sqlite_parent(url)?;
            let busy = options.sqlite_busy_timeout.unwrap_or(Duration::from_secs(10));
            opts.max_connections(max_connections.unwrap_or(5)).map_sqlx_sqlite_opts(move |o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(busy)
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        }
        Backend::Postgres => {
            opts.max_connections(max_connections.unwrap_or(10));
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

    #[test]
    fn unknown_schemes_are_refused() {
        assert!(Backend::of("mysql://x").is_err());
        assert_eq!(Backend::of("postgresql://x").ok(), Some(Backend::Postgres));
    }
}
