//! What the benchmarks share: numbers from the environment, the median and 95th percentile of
//! timed runs, and a fresh PostgreSQL database for a run, dropped afterwards.

use std::time::{Duration, Instant};

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

use postroom_config::{SecretString, Settings};

/// `name` from the environment as a number, or `default`.
pub fn env_number(name: &str, default: usize) -> anyhow::Result<usize> {
    std::env::var(name).map_or(Ok(default), |v| v.parse().with_context(|| format!("{name}={v:?} is not a number")))
}

/// Median and 95th percentile of `runs` runs of `f`.
pub async fn time<F, Fut>(runs: usize, f: F) -> anyhow::Result<(Duration, Duration)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f().await?;
        times.push(start.elapsed());
    }
    times.sort();
    let at = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
    Ok((at(50), at(95)))
}

/// Milliseconds to two places.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// A database created for one run on the server of `TEST_POSTGRES_URL` (an admin URL).
pub struct FreshPostgres {
    admin: DatabaseConnection,
    name: String,
    /// `base` with the new database's URL.
    pub settings: Settings,
}

impl FreshPostgres {
    /// Creates the database, or `None` without `TEST_POSTGRES_URL`.
    pub async fn create(base: &Settings) -> anyhow::Result<Option<Self>> {
        let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else { return Ok(None) };
        let name = format!("postroom_bench_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&admin_url).await.context("TEST_POSTGRES_URL is unreachable")?;
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
        let mut url = url::Url::parse(&admin_url)?;
        url.set_path(&format!("/{name}"));
        let mut settings = base.clone();
        settings.database.url = Some(SecretString::from(url.to_string()));
        Ok(Some(Self { admin, name, settings }))
    }

    /// Drops the database, then passes on the run's `outcome`.
    pub async fn drop_after(self, outcome: anyhow::Result<()>) -> anyhow::Result<()> {
        self.admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name)).await?;
        self.admin.close().await?;
        outcome
    }
}
