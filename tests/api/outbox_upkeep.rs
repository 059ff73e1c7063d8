//! The outbox at shutdown and over time: a relay stopped with events pending returns at once and
//! takes no more; delivered events are pruned after `workers.outbox_retention`, and nothing
//! else is.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use chrono::{DateTime, Utc};
use postroom::ServeRole;
use postroom_db::{entities::outbox, outbox as outbox_db};
use postroom_e2e::TestApp;
use postroom_queue::{Dispatcher, Event, EventHandler, OutboxRelay, Prepared, RelaySettings};
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A handler that takes a while over each event and counts them.
struct Slow {
    calls: Arc<AtomicUsize>,
    started: Arc<Notify>,
}

#[async_trait::async_trait]
impl EventHandler for Slow {
    fn consumer(&self) -> &'static str {
        "test-slow"
    }
    fn queue(&self) -> &'static str {
        postroom_queue::amqp::INTAKE_QUEUE
    }
    fn event_types(&self) -> &'static [&'static str] {
        &["test.slow"]
    }
    async fn handle(&self, _txn: &DatabaseTransaction, _event: &Event, _prepared: Prepared) -> anyhow::Result<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.started.notify_one();
        tokio::time::sleep(Duration::from_millis(300)).await;
        Ok(())
    }
}

fn relay(db: &DatabaseConnection, handler: Slow) -> OutboxRelay {
    let settings = RelaySettings {
        poll_interval: Duration::from_millis(200),
        batch_size: 100,
        retry_base_delay: Duration::from_secs(3600),
        max_attempts: 8,
    };
    OutboxRelay::new(db.clone(), Dispatcher::new(vec![Arc::new(handler)]), settings, Arc::new(Notify::new()))
}

#[tokio::test]
async fn a_relay_stopped_with_events_pending_returns_at_once_and_takes_no_more() -> anyhow::Result<()> {
    // The API alone: no relay of the service's own competes for the events.
    let app = TestApp::spawn_with(ServeRole::Api, |_| {}).await?;
    let db = app.database().await?;
    for i in 0..30 {
        let event = outbox_db::NewEvent::new("test.slow", &serde_json::json!({ "n": i }))?;
        outbox_db::enqueue(&db, event, Utc::now()).await?;
    }
    let (calls, started) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));

    // Cancelled before it starts: a round reads nothing and hands nothing over.
    let cancelled = CancellationToken::new();
    cancelled.cancel();
    let idle = relay(&db, Slow { calls: calls.clone(), started: started.clone() });
    assert_eq!(idle.drain(&cancelled).await?, 0);
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // Cancelled while an event is in hand: that one finishes, no other starts, and run returns
    // (it used to spin on the pending events for the whole grace period).
    let cancel = CancellationToken::new();
    let running = tokio::spawn(relay(&db, Slow { calls: calls.clone(), started: started.clone() }).run(cancel.clone()));
    tokio::time::timeout(Duration::from_secs(30), started.notified()).await?;
    cancel.cancel();
    tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .map_err(|_| anyhow::anyhow!("the relay did not stop within 5 s of cancel"))??;
    let handled = calls.load(Ordering::SeqCst);
    assert!((1..=2).contains(&handled), "{handled} events handled; only the one in hand may finish");
    let pending = outbox_db::pending_count(&db).await?;
    assert_eq!(pending, 30 - u64::try_from(handled)?, "the rest wait in the outbox for the next start");
    db.close().await?;
    Ok(())
}

/// One outbox row, as the relay would have left it.
struct Row {
    occurred_at: DateTime<Utc>,
    next_attempt_at: DateTime<Utc>,
    published_at: Option<DateTime<Utc>>,
    dead_at: Option<DateTime<Utc>>,
    lane: Option<&'static str>,
}

impl Row {
    fn published(at: DateTime<Utc>) -> Self {
        Self { occurred_at: at, next_attempt_at: at, published_at: Some(at), dead_at: None, lane: None }
    }
}

async fn insert(db: &DatabaseConnection, row: Row) -> anyhow::Result<Uuid> {
    let id = Uuid::now_v7();
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(id),
        event_type: Set("test.kept".to_owned()),
        payload: Set("{}".to_owned()),
        occurred_at: Set(row.occurred_at),
        correlation_id: Set(None),
        priority: Set(None),
        attempts: Set(0),
        next_attempt_at: Set(row.next_attempt_at),
        last_error: Set(None),
        published_at: Set(row.published_at),
        dead_at: Set(row.dead_at),
        lane: Set(row.lane.map(str::to_owned)),
        source_event_id: Set(row.lane.map(|_| Uuid::now_v7())),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

async fn exists(db: &DatabaseConnection, id: Uuid) -> anyhow::Result<bool> {
    Ok(outbox::Entity::find_by_id(id).one(db).await?.is_some())
}

#[tokio::test]
async fn delivered_events_are_pruned_after_the_retention_and_nothing_else_is() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(ServeRole::All, |s| {
        s.workers.outbox_retention = Duration::from_secs(3600);
        s.work.timer_interval = Duration::from_millis(200);
    })
    .await?;
    let db = app.database().await?;
    let (now, old) = (Utc::now(), Utc::now() - chrono::Duration::hours(3));
    let old_event = insert(&db, Row::published(old)).await?;
    let old_copy = insert(&db, Row { lane: Some("ocr"), ..Row::published(old) }).await?;
    let recent = insert(&db, Row::published(now - chrono::Duration::minutes(10))).await?;
    // Old but never delivered: due tomorrow (a retry), and dead.
    let waiting = insert(
        &db,
        Row { next_attempt_at: now + chrono::Duration::days(1), published_at: None, ..Row::published(old) },
    )
    .await?;
    let dead = insert(&db, Row { dead_at: Some(old), published_at: None, ..Row::published(old) }).await?;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while exists(&db, old_event).await? || exists(&db, old_copy).await? {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "delivered events older than the retention were kept");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for (what, id) in
        [("a recent delivered event", recent), ("an event still to deliver", waiting), ("a dead event", dead)]
    {
        assert!(exists(&db, id).await?, "{what} was pruned");
    }
    db.close().await?;
    Ok(())
}

#[tokio::test]
async fn pruning_deletes_a_bounded_batch_oldest_first() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(ServeRole::Api, |_| {}).await?;
    let db = app.database().await?;
    let now = Utc::now();
    let mut ids = Vec::new();
    for hours in [5, 4, 3] {
        ids.push(insert(&db, Row::published(now - chrono::Duration::hours(hours))).await?);
    }
    let cutoff = now - chrono::Duration::hours(1);
    assert_eq!(outbox_db::prune_published(&db, cutoff, 2).await?, 2);
    assert!(!exists(&db, ids[0]).await? && !exists(&db, ids[1]).await?, "the oldest go first");
    assert!(exists(&db, ids[2]).await?);
    assert_eq!(outbox_db::prune_published(&db, cutoff, 2).await?, 1);
    assert_eq!(outbox_db::prune_published(&db, cutoff, 2).await?, 0);
    db.close().await?;
    Ok(())
}
