//! Claim-next and the queue counts on a large number of items:
//! `cargo bench -p postroom --bench claim`.
//!
//! Loads `BENCH_ITEMS` work items (default 100,000) in bulk into a fresh SQLite file, and also
//! into a fresh PostgreSQL database when `TEST_POSTGRES_URL` (an admin URL) is set: spread over
//! eight queues, half of them finished (done or cancelled), the rest mostly ready, with mixed
//! priorities, due dates and receipt times. Then times, `BENCH_RUNS` times each (default 200),
//! claim-next for an officer with one queue and with two queues (`casework::claim_next`, as the
//! API runs it; each run claims an item) and `GET /api/v1/queues`'s counts (`queues::counts`),
//! and prints the median and 95th percentile as a Markdown table; then the same without the
//! partial indexes of migration 13, for comparison. Nothing is asserted: the figures depend on
//! the machine. PostgreSQL is vacuumed and analysed after the load, as autovacuum soon would be;
//! SQLite is used as the service leaves it (no statistics).

use std::{io::Write, time::Instant};

use chrono::{Days, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, TransactionTrait};

use postroom_config::Settings;
use postroom_db::{casework, entities::work_item, queues};
use postroom_domain::{WorkItemStatus, london_date};

mod support;

use support::{env_number, ms, time};

const QUEUES: [&str; 8] = [
    "ct-changes",
    "ct-discounts",
    "ct-payments",
    "ct-recovery",
    "ct-enquiries",
    "business-rates",
    "information-governance",
    "vulnerability",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = env_number("BENCH_ITEMS", 100_000)?;
    let runs = env_number("BENCH_RUNS", 200)?.max(1);
    let mut out = std::io::stdout().lock();
    writeln!(out, "{n} work items over {} queues; {runs} runs each", QUEUES.len())?;
    let dir = tempfile::tempdir()?;
    let mut sqlite = Settings { data_dir: dir.path().to_owned(), ..Settings::default() };
    sqlite.log.filter = "warn".to_owned();
    bench(&mut out, "SQLite (file)", &sqlite, n, runs).await?;
    if let Some(pg) = support::FreshPostgres::create(&sqlite).await? {
        let outcome = bench(&mut out, "PostgreSQL", &pg.settings, n, runs).await;
        pg.drop_after(outcome).await?;
    }
    Ok(())
}

async fn bench(out: &mut impl Write, backend: &str, settings: &Settings, n: usize, runs: usize) -> anyhow::Result<()> {
    let db = postroom::app::connect_database(settings).await?;
    writeln!(out, "\n### {backend}\n")?;
    let started = Instant::now();
    load(&db, n).await?;
    writeln!(out, "loaded {n} items in {:.1} s\n", started.elapsed().as_secs_f64())?;
    let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    if postgres {
        db.execute_unprepared("VACUUM ANALYZE work_items").await?;
    }
    writeln!(out, "| what | indexes | median | p95 |")?;
    writeln!(out, "|---|---|---:|---:|")?;
    for indexes in ["partial (migration 13)", "without the partial indexes"] {
        if indexes.starts_with("without") {
            db.execute_unprepared("DROP INDEX ix_work_items_ready_claim").await?;
            db.execute_unprepared("DROP INDEX ix_work_items_open_counts").await?;
            if postgres {
                db.execute_unprepared("ANALYZE work_items").await?;
            }
        }
        let one = vec![QUEUES[0].to_owned()];
        let two = vec![QUEUES[1].to_owned(), QUEUES[2].to_owned()];
        for (what, queues) in [("claim next, one queue", &one), ("claim next, two queues", &two)] {
            let times = time(runs, || async {
                let txn = db.begin().await?;
                let claimed = casework::claim_next(&txn, "bench", queues, Utc::now()).await?;
                txn.commit().await?;
                anyhow::ensure!(claimed.is_some(), "nothing left to claim");
                Ok(())
            })
            .await?;
            writeln!(out, "| {what} | {indexes} | {} | {} |", ms(times.0), ms(times.1))?;
        }
        let today = london_date(Utc::now());
        let times = time(runs, || async {
            anyhow::ensure!(!queues::counts(&db, today).await?.is_empty());
            Ok(())
        })
        .await?;
        writeln!(out, "| queue counts | {indexes} | {} | {} |", ms(times.0), ms(times.1))?;
    }
    db.close().await?;
    Ok(())
}

/// Inserts `n` items in transactions of 10,000, 1,000 rows a statement.
async fn load(db: &DatabaseConnection, n: usize) -> anyhow::Result<()> {
    let now = Utc::now();
    let today = london_date(now);
    let rows: Vec<usize> = (0..n).collect();
    for batch in rows.chunks(10_000) {
        let txn = db.begin().await?;
        for chunk in batch.chunks(1000) {
            let models = chunk.iter().map(|&i| {
                // A permutation of 0..n: receipt and due order do not follow insertion.
                let scrambled = (i * 7919 + 13) % n.max(1);
                let status = match i % 10 {
                    0..=3 => WorkItemStatus::Done,
                    4 => WorkItemStatus::Cancelled,
                    5 => WorkItemStatus::InProgress,
                    6 => WorkItemStatus::AwaitingCustomer,
                    _ => WorkItemStatus::Ready,
                };
                work_item::ActiveModel::from(work_item::Model {
                    id: uuid::Uuid::now_v7(),
                    reference: format!("WI-2025-{:07}", i + 1),
                    correspondence_id: None,
                    workflow: "ct-general-enquiry".to_owned(),
                    queue: QUEUES[(i / 10) % QUEUES.len()].to_owned(),
                    priority: postroom_domain::Priority::from_rank(i16::try_from(1 + scrambled % 4).unwrap_or(4))
                        .unwrap_or(postroom_domain::Priority::P4),
                    status,
                    received_at: now - chrono::Duration::minutes(i64::try_from(scrambled).unwrap_or(0)),
                    due_on: today + Days::new((scrambled % 60) as u64) - Days::new(20),
                    assignee: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    claimed_at: None,
                    closed_at: status.is_closed().then_some(now),
                    classification: None,
                    active_at: None,
                    paused_on: None,
                    bring_forward_on: None,
                    home_queue: None,
                    pending_completion: None,
                    completed_by: None,
                    received_on: Some(london_date(
                        now - chrono::Duration::minutes(i64::try_from(scrambled).unwrap_or(0)),
                    )),
                    closed_on: status.is_closed().then_some(today),
                })
            });
            work_item::Entity::insert_many(models).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
    }
    Ok(())
}
