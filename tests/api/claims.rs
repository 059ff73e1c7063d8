//! Claim-next at volume: one item per claim whatever plan the database picks, and claim-next
//! and the queue counts read from their partial indexes (the plans are asserted, not timed;
//! `cargo bench -p postroom --bench claim` measures them).

use std::collections::{HashMap, HashSet};

use chrono::{Days, Duration, Utc};
use postroom_db::entities::{work_item, work_item_event};
use postroom_domain::{Role, WorkItemStatus, london_date};
use postroom_e2e::TestApp;
use reqwest::StatusCode;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, Statement,
    TransactionTrait,
};
use serde_json::Value;

const QUEUES: [&str; 5] = ["ct-changes", "ct-discounts", "ct-payments", "ct-recovery", "business-rates"];

/// Inserts `n` items over [`QUEUES`] in bulk (multi-row inserts), with mixed priorities, due
/// dates and receipt times in no particular order, each with the status `status(i)`.
async fn insert_items(
    db: &DatabaseConnection,
    n: usize,
    status: impl Fn(usize) -> WorkItemStatus,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let today = london_date(now);
    let txn = db.begin().await?;
    let rows: Vec<usize> = (0..n).collect();
    for chunk in rows.chunks(1000) {
        let models = chunk.iter().map(|&i| {
            // A permutation of 0..n, so neither receipt order nor due order follows insertion.
            let scrambled = (i * 7919 + 13) % n.max(1);
            let status = status(i);
            work_item::ActiveModel::from(work_item::Model {
                id: uuid::Uuid::now_v7(),
                reference: format!("WI-2025-{:06}", 100_000 + i),
                correspondence_id: None,
                workflow: "ct-general-enquiry".to_owned(),
                queue: QUEUES[(i / 7) % QUEUES.len()].to_owned(),
                priority: postroom_domain::Priority::from_rank(i16::try_from(1 + scrambled % 4).unwrap_or(4))
                    .unwrap_or(postroom_domain::Priority::P4),
                status,
                received_at: now - Duration::minutes(i64::try_from(scrambled).unwrap_or(0)),
                due_on: today + Days::new((scrambled % 30) as u64),
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
                received_on: Some(london_date(now - Duration::minutes(i64::try_from(scrambled).unwrap_or(0)))),
                closed_on: status.is_closed().then_some(today),
            })
        });
        work_item::Entity::insert_many(models).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

async fn execute(db: &DatabaseConnection, sql: &str) -> anyhow::Result<()> {
    db.execute_unprepared(sql).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claim_next_takes_exactly_one_item_whatever_the_plan() -> anyhow::Result<()> {
    const OFFICERS: usize = 50;
    const ROUNDS: usize = 3;
    // The planner pushed towards nested loops for every connection the service opens.
    let mut app = TestApp::spawn_with_postgres_setup(&[
        r#"ALTER DATABASE "{database}" SET enable_hashjoin = off"#,
        r#"ALTER DATABASE "{database}" SET enable_mergejoin = off"#,
        r#"ALTER DATABASE "{database}" SET enable_hashagg = off"#,
        r#"ALTER DATABASE "{database}" SET enable_material = off"#,
    ])
    .await?;
    let db = app.database().await?;
    let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
    let items = if postgres { 10_000 } else { 2_000 };
    if postgres {
        // Statistics from before the items were classified, as after a burst of intake that
        // autovacuum has not caught up with: the planner believes almost nothing is ready,
        // which is when it puts the claim's candidate on the inner side of a nested loop.
        execute(&db, "ALTER TABLE work_items SET (autovacuum_enabled = off)").await?;
        insert_items(&db, items, |_| WorkItemStatus::Triage).await?;
        execute(&db, "ANALYZE work_items").await?;
        execute(&db, "UPDATE work_items SET status = 'ready'").await?;
    } else {
        insert_items(&db, items, |_| WorkItemStatus::Ready).await?;
    }
    let ready = work_item::Entity::find().filter(work_item::Column::Status.eq("ready")).all(&db).await?.len();
    assert_eq!(ready, items);

    let mut answers: Vec<(String, String)> = Vec::new();
    for round in 0..ROUNDS {
        let mut officers = tokio::task::JoinSet::new();
        for o in 0..OFFICERS {
            let user = format!("officer-{round}-{o}");
            // Two or three overlapping queues each.
            let mine: Vec<&str> = (0..2 + o % 2).map(|k| QUEUES[(o + k) % QUEUES.len()]).collect();
            app.set_queues(&user, &mine).await?;
            let (client, url, token) =
                (app.client.clone(), app.url("/api/v1/work-items/next"), app.token(&user, Role::Officer)?);
            officers.spawn(async move {
                let resp = client.post(&url).bearer_auth(&token).send().await?;
                if resp.status() != StatusCode::OK {
                    // Items are ready in every queue: no answer but 200 is right (checked below).
                    return anyhow::Ok((user, format!("HTTP {}", resp.status())));
                }
                let item: Value = resp.json().await?;
                anyhow::ensure!(item["assignee"] == user.as_str(), "claimed for someone else: {item}");
                anyhow::Ok((user, item["id"].as_str().unwrap_or_default().to_owned()))
            });
        }
        for answer in officers.join_all().await {
            answers.push(answer?);
        }
    }

    let held = work_item::Entity::find().filter(work_item::Column::Status.eq("in_progress")).all(&db).await?;
    let mut by_officer: HashMap<String, Vec<String>> = HashMap::new();
    for item in &held {
        by_officer.entry(item.assignee.clone().unwrap_or_default()).or_default().push(item.id.to_string());
    }
    let wrong: Vec<String> = answers
        .iter()
        .filter(|(user, id)| by_officer.get(user) != Some(&vec![id.clone()]))
        .map(|(user, id)| format!("{user} was answered {id} but holds {:?}", by_officer.get(user)))
        .collect();
    assert!(wrong.is_empty(), "{} of {} claims: {wrong:#?}", wrong.len(), answers.len());
    assert_eq!(held.len(), OFFICERS * ROUNDS, "one item in progress per claim");
    let claims = work_item_event::Entity::find().filter(work_item_event::Column::Action.eq("claimed")).all(&db).await?;
    let mut audited: HashMap<String, usize> = HashMap::new();
    for c in &claims {
        *audited.entry(c.work_item_id.to_string()).or_default() += 1;
    }
    for item in &held {
        assert_eq!(audited.get(&item.id.to_string()), Some(&1), "{} has one claim audit entry", item.reference);
    }
    assert_eq!(claims.len(), held.len());
    db.close().await?;
    app.stop().await
}

/// The plan of `statement` as the database explains it, one line per step.
async fn plan(db: &DatabaseConnection, statement: Statement) -> anyhow::Result<String> {
    let backend = db.get_database_backend();
    let explain = if backend == DatabaseBackend::Postgres { "EXPLAIN" } else { "EXPLAIN QUERY PLAN" };
    let sql = format!("{explain} {}", statement.sql);
    let rows = db.query_all(Statement { sql, ..statement }).await?;
    let column = if backend == DatabaseBackend::Postgres { "QUERY PLAN" } else { "detail" };
    let lines: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", column)).collect::<Result<_, _>>()?;
    Ok(lines.join("\n"))
}

#[tokio::test]
async fn claim_next_and_the_queue_counts_read_their_partial_indexes() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let db = app.database().await?;
    let backend = db.get_database_backend();
    // Mostly finished work, as in a live system: a tenth open, half of that ready.
    insert_items(&db, 20_000, |i| match i % 20 {
        0 => WorkItemStatus::Ready,
        1 => WorkItemStatus::InProgress,
        2..=17 => WorkItemStatus::Done,
        _ => WorkItemStatus::Cancelled,
    })
    .await?;
    if backend == DatabaseBackend::Postgres {
        execute(&db, "VACUUM ANALYZE work_items").await?;
    }
    let queues: Vec<String> = QUEUES[..2].iter().map(|q| (*q).to_owned()).collect();
    let claim = postroom_db::casework::claim_statement(backend, "amy", &queues, Utc::now())
        .ok_or_else(|| anyhow::anyhow!("no statement for two queues"))?;
    let claim_plan = plan(&db, claim).await?;
    let counts_plan = plan(&db, postroom_db::queues::counts_statement(backend, london_date(Utc::now()))).await?;
    println!("claim next, two queues:\n{claim_plan}\n\nqueue counts:\n{counts_plan}");
    if backend == DatabaseBackend::Postgres {
        // One ordered probe per queue, merged, locked in order: nothing read beyond the first.
        assert_eq!(claim_plan.matches("ix_work_items_ready_claim").count(), 2, "{claim_plan}");
        assert!(claim_plan.contains("Merge Append"), "{claim_plan}");
        assert!(claim_plan.contains("InitPlan"), "the candidate is chosen once: {claim_plan}");
        assert!(claim_plan.contains("LockRows"), "{claim_plan}");
        assert!(!claim_plan.contains("  Sort  ") && !claim_plan.contains("Seq Scan"), "{claim_plan}");
        assert!(counts_plan.contains("Index Only Scan using ix_work_items_open_counts"), "{counts_plan}");
        assert!(counts_plan.contains("GroupAggregate") && !counts_plan.contains("Sort Key"), "{counts_plan}");
    } else {
        assert_eq!(claim_plan.matches("INDEX ix_work_items_ready_claim (queue=?)").count(), 2, "{claim_plan}");
        assert!(claim_plan.contains("MERGE (UNION ALL)"), "{claim_plan}");
        assert!(!claim_plan.contains("TEMP B-TREE"), "{claim_plan}");
        assert!(counts_plan.contains("USING COVERING INDEX ix_work_items_open_counts"), "{counts_plan}");
        assert!(!counts_plan.contains("TEMP B-TREE"), "{counts_plan}");
    }
    // And the statements answer correctly: the most urgent ready item of the two queues.
    let amy = app.token("amy", Role::Officer)?;
    app.set_queues("amy", &QUEUES[..2]).await?;
    let ready = work_item::Entity::find()
        .filter(work_item::Column::Status.eq("ready"))
        .filter(work_item::Column::Queue.is_in(QUEUES[..2].iter().copied()))
        .all(&db)
        .await?;
    let best = ready
        .iter()
        .min_by_key(|i| (i.priority, i.due_on, i.received_at, i.id))
        .ok_or_else(|| anyhow::anyhow!("nothing ready"))?;
    let resp = app.client.post(app.url("/api/v1/work-items/next")).bearer_auth(&amy).send().await?;
    assert_eq!(resp.status(), StatusCode::OK);
    let claimed: Value = resp.json().await?;
    assert_eq!(claimed["reference"], best.reference.as_str());
    let tl = app.token("tess", Role::TeamLeader)?;
    let counts: Value = app.get_json("/api/v1/queues", &tl).await?;
    let today = london_date(Utc::now());
    let all = work_item::Entity::find().all(&db).await?;
    for q in counts.as_array().into_iter().flatten() {
        let name = q["queue"].as_str().unwrap_or_default();
        let of = |status: &str| all.iter().filter(|i| i.queue == name && i.status.as_str() == status).count() as u64;
        let open: Vec<&work_item::Model> = all
            .iter()
            .filter(|i| i.queue == name && matches!(i.status, WorkItemStatus::Ready | WorkItemStatus::InProgress))
            .collect();
        assert_eq!(q["ready"], of("ready"), "{q}");
        assert_eq!(q["in_progress"], of("in_progress"), "{q}");
        assert_eq!(q["overdue"], open.iter().filter(|i| i.due_on < today).count() as u64, "{q}");
        assert_eq!(q["due_today"], open.iter().filter(|i| i.due_on == today).count() as u64, "{q}");
    }
    let names: HashSet<&str> = counts.as_array().into_iter().flatten().filter_map(|q| q["queue"].as_str()).collect();
    assert_eq!(names, QUEUES.into_iter().collect());
    db.close().await?;
    app.stop().await
}
