//! The team leaders' dashboard and SLA report on a year's work:
//! `cargo bench -p postroom --bench oversight`.
//!
//! Loads `BENCH_ITEMS` work items (default 1,000,000) in bulk into a fresh PostgreSQL database
//! when `TEST_POSTGRES_URL` (an admin URL) is set, and `BENCH_SQLITE_ITEMS` (default 100,000;
//! 0 leaves it out) into a fresh SQLite file, shaped like
//! a council's year: 3% open (spread over eight queues, four priorities and every open state,
//! half held by one of 50 officers, due from three weeks ago to six weeks ahead, received up
//! to 60 days ago), the rest closed over the last 365 days (90% done, by the 50 officers, 80% on
//! time), each received up to 20 days before it closed. Then times, `BENCH_RUNS` times each
//! (default 50), every statement the dashboard runs (open work by queue, priority and state;
//! the officers' figures; the share in time over 7 and 30 days) and the SLA report's for 30
//! days (receipts, completions, the throughput movements), and prints the median and 95th
//! percentile as a Markdown table, then PostgreSQL's plans (`EXPLAIN (ANALYZE, BUFFERS)`) of the
//! dashboard's statements. PostgreSQL is vacuumed and analysed after the load, as autovacuum
//! soon would be. Nothing is asserted: the figures depend on the machine.

use std::{
    io::Write,
    time::{Duration, Instant},
};

use chrono::{Days, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Statement, TransactionTrait};

use postroom_config::Settings;
use postroom_db::{
    entities::work_item,
    oversight::{self, report},
};
use postroom_domain::{Priority, WorkItemStatus, WorkingCalendar, london_date, london_midnight};

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

const OPEN: [WorkItemStatus; 6] = [
    WorkItemStatus::Ready,
    WorkItemStatus::InProgress,
    WorkItemStatus::AwaitingCustomer,
    WorkItemStatus::Referred,
    WorkItemStatus::AwaitingApproval,
    WorkItemStatus::Triage,
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n = env_number("BENCH_ITEMS", 1_000_000)?;
    let runs = env_number("BENCH_RUNS", 50)?.max(1);
    let mut out = std::io::stdout().lock();
    writeln!(out, "3% of the items open, over {} queues; {runs} runs each", QUEUES.len())?;
    let dir = tempfile::tempdir()?;
    let mut sqlite = Settings { data_dir: dir.path().to_owned(), ..Settings::default() };
    sqlite.log.filter = "warn".to_owned();
    // SQLite is the embedded default for small councils: `BENCH_SQLITE_ITEMS` (default 100,000)
    // items, 0 to leave it out.
    let small = env_number("BENCH_SQLITE_ITEMS", 100_000)?;
    if small > 0 {
        bench(&mut out, "SQLite (file)", &sqlite, small, runs).await?;
    }
    if let Some(pg) = support::FreshPostgres::create(&sqlite).await? {
        let outcome = bench(&mut out, "PostgreSQL", &pg.settings, n, runs).await;
        pg.drop_after(outcome).await?;
    }
    Ok(())
}

async fn bench(out: &mut impl Write, backend: &str, settings: &Settings, n: usize, runs: usize) -> anyhow::Result<()> {
    let db = postroom::app::connect_database(settings).await?;
    writeln!(out, "\n### {backend}, {n} items\n")?;
    let started = Instant::now();
    load(&db, n).await?;
    writeln!(out, "loaded {n} items in {:.1} s\n", started.elapsed().as_secs_f64())?;
    let postgres = db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    if postgres {
        db.execute_unprepared("VACUUM ANALYZE work_items").await?;
    }
    let calendar = WorkingCalendar::england_and_wales();
    let today = london_date(Utc::now());
    let b = postroom_casework::oversight::bounds(&calendar, today, 2);
    let from = today.checked_sub_days(Days::new(29)).unwrap_or(today);
    writeln!(out, "| statement | median | p95 |")?;
    writeln!(out, "|---|---:|---:|")?;
    let dashboard = [
        (
            "dashboard: open work by queue, priority, state",
            time(runs, || async { Ok(oversight::open_work(&db, &b).await.map(drop)?) }).await?,
        ),
        (
            "dashboard: officers (held, completed, handling, approvals)",
            time(runs, || async { Ok(oversight::officers(&db, &b).await.map(drop)?) }).await?,
        ),
        (
            "dashboard: share in time, 7 and 30 days",
            time(runs, || async { Ok(oversight::in_time(&db, &b).await.map(drop)?) }).await?,
        ),
    ];
    table(out, &dashboard, "dashboard, all statements")?;
    let sla = [
        (
            "SLA report: receipts, 30 days",
            time(runs, || async { Ok(report::received(&db, from, today, today).await.map(drop)?) }).await?,
        ),
        (
            "SLA report: completions, 30 days",
            time(runs, || async { Ok(report::completed(&db, from, today).await.map(drop)?) }).await?,
        ),
        (
            "SLA report: throughput movements, 30 days",
            time(runs, || async { Ok(report::movements(&db, from).await.map(drop)?) }).await?,
        ),
    ];
    table(out, &sla, "SLA report, all statements")?;
    if postgres {
        writeln!(out, "\nPlans (`EXPLAIN (ANALYZE, BUFFERS)`):")?;
        let backend = db.get_database_backend();
        let mut all = oversight::dashboard_statements(backend, &b);
        all.extend(report::statements(backend, from, today, today));
        for (what, stmt) in all {
            writeln!(out, "\n{what}:\n\n```")?;
            let explain = Statement::from_sql_and_values(
                stmt.db_backend,
                format!("EXPLAIN (ANALYZE, BUFFERS) {}", stmt.sql),
                stmt.values.map(|v| v.0).unwrap_or_default(),
            );
            for r in db.query_all(explain).await? {
                let line: String = r.try_get_by_index(0)?;
                writeln!(out, "{line}")?;
            }
            writeln!(out, "```")?;
        }
    }
    db.close().await?;
    Ok(())
}

/// Table rows for `rows` and their sum (of medians, of 95th percentiles).
fn table(out: &mut impl Write, rows: &[(&str, (Duration, Duration))], total: &str) -> anyhow::Result<()> {
    let mut sum = (Duration::ZERO, Duration::ZERO);
    for (what, (p50, p95)) in rows {
        writeln!(out, "| {what} | {} | {} |", ms(*p50), ms(*p95))?;
        sum = (sum.0 + *p50, sum.1 + *p95);
    }
    writeln!(out, "| **{total}** | **{}** | **{}** |", ms(sum.0), ms(sum.1))?;
    Ok(())
}

/// Inserts `n` items in transactions of 10,000, 1,000 rows a statement.
async fn load(db: &DatabaseConnection, n: usize) -> anyhow::Result<()> {
    let now = Utc::now();
    let today = london_date(now);
    let day = |back: usize| today.checked_sub_days(Days::new(back as u64)).unwrap_or(today);
    let rows: Vec<usize> = (0..n).collect();
    for batch in rows.chunks(10_000) {
        let txn = db.begin().await?;
        for chunk in batch.chunks(1000) {
            let models = chunk.iter().map(|&i| {
                // A permutation of 0..n: dates and queues do not follow insertion.
                let s = (i * 7919 + 13) % n.max(1);
                let open = i % 100 < 3;
                let status = if open {
                    OPEN[s % OPEN.len()]
                } else if s.is_multiple_of(10) {
                    WorkItemStatus::Cancelled
                } else {
                    WorkItemStatus::Done
                };
                let officer = format!("officer-{:02}", s % 50);
                let (received_on, closed_on, due_on) = if open {
                    let received = day(s % 60);
                    (received, None, day(21).checked_add_days(Days::new((s % 63) as u64)).unwrap_or(today))
                } else {
                    let closed = day(s % 365);
                    let received = closed.checked_sub_days(Days::new((s % 21) as u64)).unwrap_or(closed);
                    // 80% closed on or before the due date.
                    let due =
                        if s.is_multiple_of(5) { closed.pred_opt().unwrap_or(closed) } else { closed + Days::new(3) };
                    (received, Some(closed), due)
                };
                let received_at = london_midnight(received_on) + chrono::Duration::minutes((s % 600) as i64 + 480);
                let closed_at = closed_on.map(|d| london_midnight(d) + chrono::Duration::hours(15));
                let held = open && s.is_multiple_of(2) && status != WorkItemStatus::Triage;
                work_item::ActiveModel::from(work_item::Model {
                    id: uuid::Uuid::now_v7(),
                    reference: format!("WI-2025-{:07}", i + 1),
                    correspondence_id: None,
                    workflow: "ct-general-enquiry".to_owned(),
                    queue: QUEUES[(s / 7) % QUEUES.len()].to_owned(),
                    priority: Priority::from_rank(i16::try_from(1 + s % 4).unwrap_or(4)).unwrap_or(Priority::P4),
                    status,
                    received_at,
                    due_on,
                    assignee: (held || status == WorkItemStatus::Done).then(|| officer.clone()),
                    version: 1,
                    created_at: received_at,
                    updated_at: closed_at.unwrap_or(received_at),
                    claimed_at: closed_at.map(|c| c - chrono::Duration::minutes((s % 240) as i64 + 5)),
                    closed_at,
                    classification: None,
                    active_at: None,
                    paused_on: None,
                    bring_forward_on: None,
                    home_queue: None,
                    pending_completion: None,
                    completed_by: matches!(status, WorkItemStatus::Done | WorkItemStatus::AwaitingApproval)
                        .then(|| officer.clone()),
                    received_on: Some(received_on),
                    closed_on,
                })
            });
            work_item::Entity::insert_many(models).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
    }
    Ok(())
}
