//! Account search on a large district: `cargo bench -p postroom --bench search`.
//!
//! Builds the `seed-demo` district (`BENCH_ACCOUNTS` accounts, default 100,000) in a fresh
//! SQLite file, and also in a fresh PostgreSQL database when `TEST_POSTGRES_URL` (an admin URL)
//! is set, through the same `insert_account` the import uses; then times typical searches as the
//! API runs them (`accounts::search`, 20 results) `BENCH_RUNS` times each (default 200) and
//! prints the median and 95th percentile as a Markdown table. Nothing is asserted: the figures
//! depend on the machine. PostgreSQL is vacuumed and analysed after the load, as autovacuum
//! soon would be; SQLite is searched as the service leaves it (no statistics).
//!
//! `BENCH_DATABASE_URL` searches a database that already holds the district instead (made by
//! `postroom seed-demo --accounts N --correspondence 0` with the default seed), without loading.

use std::{io::Write, time::Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait};

use postroom_config::{SecretString, Settings};
use postroom_db::accounts::{self, NewAccount};
use postroom_demo::district;

mod support;

use support::{env_number, ms, time};

/// The searches timed: what an officer types, and what it exercises.
fn searches(accounts: &[NewAccount]) -> Vec<(&'static str, String)> {
    let some = &accounts[accounts.len() / 3];
    let postcode = some.property.postcode.clone().unwrap_or_default();
    let outward = postcode.split(' ').next().unwrap_or_default().to_owned();
    let reference = some.reference.clone();
    let uprn = some.property.uprn.map(|u| u.to_string()).unwrap_or_default();
    let street = some.property.address.split(',').find(|p| p.contains(' ')).unwrap_or_default().trim().to_owned();
    let street = street.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ').to_owned();
    vec![
        ("common surname", "smith".to_owned()),
        ("rare surname", "fletcher".to_owned()),
        ("forename and surname", "margaret jones".to_owned()),
        ("surname prefix", "thom".to_owned()),
        ("two letters", "ha".to_owned()),
        ("locality (a third of all accounts)", "kingsbridge".to_owned()),
        ("postcode", postcode.to_lowercase()),
        ("postcode without space", postcode.replace(' ', "")),
        ("outward code", outward.to_lowercase()),
        ("street name", street.to_lowercase()),
        ("street word", "acacia".to_owned()),
        ("house and street", format!("12 {}", street.to_lowercase())),
        ("reference prefix", reference[..6].to_owned()),
        ("full reference", reference),
        ("UPRN", uprn),
        ("no match", "zzyzx".to_owned()),
    ]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if let Ok(filter) = std::env::var("BENCH_TRACE") {
        // e.g. BENCH_TRACE=postroom_db=debug: each step of a search with its time.
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(std::io::stderr)
            .init();
    }
    let n = env_number("BENCH_ACCOUNTS", 100_000)?;
    let runs = env_number("BENCH_RUNS", 200)?.max(1);
    let mut out = std::io::stdout().lock();
    let accounts = district(n, 2026);
    writeln!(out, "district: {n} accounts; {runs} runs per search")?;
    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        let mut settings = Settings::default();
        settings.database.url = Some(SecretString::from(url));
        return bench(&mut out, "given database", &settings, &accounts, runs, false).await;
    }
    let dir = tempfile::tempdir()?;
    let mut sqlite = Settings { data_dir: dir.path().to_owned(), ..Settings::default() };
    sqlite.log.filter = "warn".to_owned();
    bench(&mut out, "SQLite (file)", &sqlite, &accounts, runs, true).await?;
    if let Some(pg) = support::FreshPostgres::create(&sqlite).await? {
        let outcome = bench(&mut out, "PostgreSQL", &pg.settings, &accounts, runs, true).await;
        pg.drop_after(outcome).await?;
    }
    Ok(())
}

async fn bench(
    out: &mut impl Write,
    backend: &str,
    settings: &Settings,
    accounts: &[NewAccount],
    runs: usize,
    fill: bool,
) -> anyhow::Result<()> {
    let db = postroom::app::connect_database(settings).await?;
    writeln!(out, "\n### {backend}\n")?;
    if fill {
        let started = Instant::now();
        load(&db, accounts).await?;
        let seconds = started.elapsed().as_secs_f64();
        writeln!(out, "loaded {} accounts in {seconds:.1} s\n", accounts.len())?;
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            // What autovacuum does within a minute or so of a load this size.
            db.execute_unprepared("VACUUM ANALYZE").await?;
        }
    }
    writeln!(out, "| search | query | results | median | p95 |")?;
    writeln!(out, "|---|---|---:|---:|---:|")?;
    for (what, q) in searches(accounts) {
        let found = accounts::search(&db, &q, 20).await?.len();
        let (p50, p95) = time(runs, || async { Ok(accounts::search(&db, &q, 20).await.map(drop)?) }).await?;
        writeln!(out, "| {what} | `{q}` | {found} | {} | {} |", ms(p50), ms(p95))?;
    }
    db.close().await?;
    Ok(())
}

async fn load(db: &DatabaseConnection, accounts: &[NewAccount]) -> anyhow::Result<()> {
    for chunk in accounts.chunks(2000) {
        let txn = db.begin().await?;
        for account in chunk {
            accounts::insert_account(&txn, account).await?;
        }
        txn.commit().await?;
    }
    Ok(())
}
