//! Delivery guarantees: volume, idempotency, retries, dead letters, broker failures. The tests
//! marked `ignore` need RabbitMQ (`TEST_AMQP_URL`); CI runs them with `--include-ignored`.

use std::{collections::HashSet, time::Duration};

use postroom_domain::Role;
use postroom_e2e::TestApp;
use sea_orm::{ConnectionTrait, Statement};

fn assert_one_item_per_letter(items: &[serde_json::Value], letters: &[String]) {
    assert_eq!(items.len(), letters.len(), "exactly one work item per letter");
    let seen: HashSet<&str> = items.iter().filter_map(|i| i["correspondence_id"].as_str()).collect();
    let expected: HashSet<&str> = letters.iter().map(String::as_str).collect();
    assert_eq!(seen, expected, "every letter has its item and no item is duplicated");
}

#[tokio::test]
async fn a_thousand_scans_make_exactly_a_thousand_work_items() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let letters = app.post_many_scans(&token, 1000, 16, "volume").await?;
    let items = app.all_work_items(&token).await?;
    assert_one_item_per_letter(&items, &letters);
    Ok(())
}

#[tokio::test]
async fn an_event_that_keeps_failing_is_dead_lettered_and_can_be_re_driven() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.workers.max_attempts = 2;
        s.workers.retry_base_delay = Duration::from_millis(50);
    })
    .await?;
    let admin = app.token("ada", Role::Admin)?;
    // An event about correspondence that does not exist (yet): its handler fails every time.
    let missing = uuid::Uuid::now_v7();
    let db = app.database().await?;
    let payload = serde_json::json!({ "correspondence_id": missing }).to_string();
    let event_id = uuid::Uuid::now_v7();
    let now = chrono::Utc::now();
    let insert = sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => {
                "INSERT INTO outbox (id, event_type, payload, occurred_at, attempts, next_attempt_at) VALUES ($1, 'correspondence.received', $2, $3, 0, $3)"
            }
            _ => {
                "INSERT INTO outbox (id, event_type, payload, occurred_at, attempts, next_attempt_at) VALUES (?, 'correspondence.received', ?, ?, 0, ?)"
            }
        },
        match db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => vec![event_id.into(), payload.into(), now.into()],
            _ => vec![event_id.into(), payload.into(), now.into(), now.into()],
        },
    );
    db.execute(insert).await?;

    let letter = wait_for_dead_letter(&app, &admin, event_id).await?;
    assert!(letter["reason"].as_str().unwrap().contains("does not exist"), "{letter}");
    let expected_source = if app.settings.amqp.url.is_some() {
        format!("{}.intake", app.settings.amqp.prefix)
    } else {
        "outbox".to_owned()
    };
    assert_eq!(letter["source"], expected_source);

    // Only admins see dead letters.
    let officer = app.token("olly", Role::Officer)?;
    assert_eq!(app.get("/api/v1/admin/dead-letters", &officer).await?.status(), 403);

    // Fix the cause (the correspondence now exists), then re-drive: the item appears.
    let backend = db.get_database_backend();
    let (sql, values): (&str, Vec<sea_orm::Value>) = match backend {
        sea_orm::DatabaseBackend::Postgres => (
            "INSERT INTO correspondence (id, channel, received_at, content_hash, status, created_at) VALUES ($1, 'scan', $2, 'deadbeef', 'received', $2)",
            vec![missing.into(), now.into()],
        ),
        _ => (
            "INSERT INTO correspondence (id, channel, received_at, content_hash, status, created_at) VALUES (?, 'scan', ?, 'deadbeef', 'received', ?)",
            vec![missing.into(), now.into(), now.into()],
        ),
    };
    db.execute(Statement::from_sql_and_values(backend, sql, values)).await?;
    let id = letter["id"].as_str().unwrap();
    let resp =
        app.client.post(app.url(&format!("/api/v1/admin/dead-letters/{id}/retry"))).bearer_auth(&admin).send().await?;
    assert_eq!(resp.status(), 202);
    let again =
        app.client.post(app.url(&format!("/api/v1/admin/dead-letters/{id}/retry"))).bearer_auth(&admin).send().await?;
    assert_eq!(again.status(), 409, "a re-drive is asked for once");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let items = app.get_json(&format!("/api/v1/work-items?correspondence_id={missing}"), &admin).await?;
        if items["items"].as_array().is_some_and(|a| a.len() == 1) {
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "re-driven event was not handled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = app.get_json("/api/v1/admin/dead-letters", &admin).await?;
    assert!(
        listed.as_array().unwrap().iter().all(|l| l["id"] != letter["id"]),
        "re-driven letters leave the default list"
    );
    Ok(())
}

/// The dead letter of `event_id` from the intake queue (through RabbitMQ the OCR queue sets the
/// same broken event aside too).
async fn wait_for_dead_letter(app: &TestApp, admin: &str, event_id: uuid::Uuid) -> anyhow::Result<serde_json::Value> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let ocr_queue = format!("{}.ocr", app.settings.amqp.prefix);
    loop {
        let letters = app.get_json("/api/v1/admin/dead-letters", admin).await?;
        let mine = |l: &&serde_json::Value| l["event_id"] == event_id.to_string() && l["source"] != ocr_queue.as_str();
        if let Some(l) = letters.as_array().and_then(|a| a.iter().find(mine)) {
            return Ok(l.clone());
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "no dead letter for {event_id}: {letters}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn a_dropped_broker_connection_is_re_established_and_nothing_is_lost_or_duplicated() -> anyhow::Result<()> {
    TestApp::amqp_url()?;
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let mut letters = app.post_many_scans(&token, 300, 8, "before drop").await?;
    app.close_broker_connection()?;
    // Intake goes on while the service reconnects; the outbox holds the events.
    letters.extend(app.post_many_scans(&token, 300, 8, "during reconnect").await?);
    app.close_broker_connection().or_else(|_| Ok::<_, anyhow::Error>(()))?;
    letters.extend(app.post_many_scans(&token, 400, 8, "after").await?);
    let items = app.all_work_items(&token).await?;
    assert_one_item_per_letter(&items, &letters);
    Ok(())
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn an_unreadable_message_goes_to_the_dead_letters_without_blocking_the_queue() -> anyhow::Result<()> {
    let url = TestApp::amqp_url()?;
    let app = TestApp::spawn().await?;
    let admin = app.token("ada", Role::Admin)?;
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    let queue = format!("{}.intake", app.settings.amqp.prefix);
    ch.basic_publish(
        "".into(),
        queue.as_str().into(),
        lapin::options::BasicPublishOptions::default(),
        b"{not json",
        lapin::BasicProperties::default(),
    )
    .await?
    .await?;
    conn.close(200, "done".into()).await?;
    // The queue keeps flowing.
    let token = app.token("pat", Role::PostRoom)?;
    let letters = app.post_many_scans(&token, 20, 4, "after poison").await?;
    assert_one_item_per_letter(&app.all_work_items(&token).await?, &letters);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let listed = app.get_json("/api/v1/admin/dead-letters", &admin).await?;
        if let Some(l) = listed.as_array().and_then(|a| a.first()) {
            assert!(l["reason"].as_str().unwrap().contains("unreadable message"), "{l}");
            assert_eq!(l["source"], queue.as_str());
            assert_eq!(l["payload"], "{not json");
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the poison message was not dead-lettered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn messages_carry_event_id_type_correlation_id_and_priority() -> anyhow::Result<()> {
    use futures::StreamExt;
    let url = TestApp::amqp_url()?;
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let resp = app
        .client
        .post(app.url("/api/v1/intake/scans"))
        .bearer_auth(&token)
        .header("x-request-id", "req-42")
        .multipart(
            reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(postroom_e2e::pdf("props")).file_name("p.pdf")),
        )
        .send()
        .await?;
    assert_eq!(resp.status(), 201);
    app.wait_until_quiet(Duration::from_secs(30)).await?;
    // The back-office queue received workitem.created.
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    let queue = format!("{}.backoffice", app.settings.amqp.prefix);
    let mut consumer = ch
        .basic_consume(
            queue.as_str().into(),
            "test".into(),
            lapin::options::BasicConsumeOptions::default(),
            lapin::types::FieldTable::default(),
        )
        .await?;
    let delivery = tokio::time::timeout(Duration::from_secs(10), consumer.next()).await?.expect("a message")?;
    let p = &delivery.properties;
    assert_eq!(p.kind().as_ref().map(|k| k.as_str()), Some("workitem.created"));
    assert!(p.message_id().as_ref().is_some_and(|m| uuid::Uuid::parse_str(m.as_str()).is_ok()));
    assert_eq!(p.correlation_id().as_ref().map(|c| c.as_str()), Some("req-42"));
    assert_eq!(*p.priority(), Some(2), "P3 maps to AMQP priority 2");
    assert_eq!(*p.delivery_mode(), Some(2), "persistent");
    let body: serde_json::Value = serde_json::from_slice(&delivery.data)?;
    assert_eq!(body["queue"], "triage");
    conn.close(200, "done".into()).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn a_bucket_notification_makes_the_new_object_correspondence() -> anyhow::Result<()> {
    let (app, feed) = BucketFeed::start().await?;
    let token = app.token("pat", Role::Admin)?;
    // A capture system writes a scan into the bucket, then the bucket announces it. (Keys under
    // the drop folders are left to the drop-folder watcher, so this one is elsewhere.)
    let key = "capture/batch 7/letter.pdf";
    let letter = postroom_e2e::pdf("written straight into the bucket");
    app.put_object(key, letter.clone()).await?;
    // The first record names a drop-folder key (not in the bucket): it must be left alone, or
    // the whole notification would fail before reaching the letter.
    let notification = serde_json::json!({"Records": [
        {"eventName": "s3:ObjectCreated:Put",
         "s3": {"bucket": {"name": "postroom"}, "object": {"key": "inbox/rejected/notes.zip.reason.txt", "size": 10}}},
        {"eventName": "s3:ObjectCreated:Put",
         "s3": {"bucket": {"name": "postroom"}, "object": {"key": "capture/batch+7/letter.pdf", "size": letter.len()}}}]});
    feed.publish(notification.to_string().as_bytes()).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let items = loop {
        let items = app.work_items(&token, "").await?;
        if !items.is_empty() || std::time::Instant::now() > deadline {
            break items;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(items.len(), 1);
    let corr = app
        .get_json(&format!("/api/v1/correspondence/{}", items[0]["correspondence_id"].as_str().unwrap()), &token)
        .await?;
    assert_eq!(corr["channel"], "drop_folder");
    assert_eq!(corr["documents"][0]["filename"], "letter.pdf");
    assert_eq!(app.get_json("/api/v1/admin/dead-letters", &token).await?, serde_json::json!([]));
    feed.close().await
}

/// The outbox event that announced `correspondence_id`.
async fn received_event_id(app: &TestApp, correspondence_id: &str) -> anyhow::Result<uuid::Uuid> {
    let db = app.database().await?;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT id, payload FROM outbox WHERE event_type = 'correspondence.received'",
        ))
        .await?;
    for row in rows {
        let payload: String = row.try_get("", "payload")?;
        if payload.contains(correspondence_id) {
            return Ok(row.try_get("", "id")?);
        }
    }
    anyhow::bail!("no correspondence.received event for {correspondence_id}")
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn the_same_message_delivered_twice_changes_nothing() -> anyhow::Result<()> {
    let url = TestApp::amqp_url()?;
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let letters = app.post_many_scans(&token, 1, 1, "twice").await?;
    assert_eq!(app.all_work_items(&token).await?.len(), 1);
    let event_id = received_event_id(&app, &letters[0]).await?;
    // The broker delivers the same event again (as after a lost ack).
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    let body = serde_json::json!({ "correspondence_id": letters[0] }).to_string();
    for _ in 0..3 {
        ch.basic_publish(
            app.settings.amqp.exchange.as_str().into(),
            "correspondence.received".into(),
            lapin::options::BasicPublishOptions::default(),
            body.as_bytes(),
            lapin::BasicProperties::default()
                .with_message_id(event_id.to_string().into())
                .with_type("correspondence.received".into()),
        )
        .await?
        .await?;
    }
    conn.close(200, "done".into()).await?;
    // Give the consumer time to see all three, then check nothing changed.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(app.all_work_items(&token).await?.len(), 1, "redelivered events are skipped");
    Ok(())
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL) and PostgreSQL (TEST_POSTGRES_URL); CI runs it"]
async fn two_relays_on_one_database_never_publish_an_event_twice() -> anyhow::Result<()> {
    let url = TestApp::amqp_url()?;
    anyhow::ensure!(
        std::env::var(postroom_e2e::POSTGRES_ENV).is_ok(),
        "this test needs {}",
        postroom_e2e::POSTGRES_ENV
    );
    // Only workitem.created is counted: the triage items are due within the warning window, so
    // the team leaders' escalation events (tested on their own) are switched off here.
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| s.team_leaders.escalations = false).await?;
    let (stop, sibling) = app.spawn_sibling(postroom::ServeRole::Worker).await?;
    let token = app.token("pat", Role::PostRoom)?;
    let letters = app.post_many_scans(&token, 500, 16, "two relays").await?;
    let items = app.all_work_items(&token).await?;
    assert_one_item_per_letter(&items, &letters);
    app.wait_for_outbox_drained(Duration::from_secs(30)).await?;
    // Each workitem.created event reached the back-office queue exactly once.
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    let queue = format!("{}.backoffice", app.settings.amqp.prefix);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let count = loop {
        let q = ch
            .queue_declare(
                queue.as_str().into(),
                lapin::options::QueueDeclareOptions { passive: true, ..Default::default() },
                lapin::types::FieldTable::default(),
            )
            .await?;
        if q.message_count() as usize >= letters.len() || std::time::Instant::now() > deadline {
            break q.message_count();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(count as usize, letters.len(), "one workitem.created message per item");
    conn.close(200, "done".into()).await?;
    stop.cancel();
    sibling.await??;
    Ok(())
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn a_consumer_cancelled_by_the_broker_is_re_established() -> anyhow::Result<()> {
    let url = TestApp::amqp_url()?;
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let mut letters = app.post_many_scans(&token, 10, 4, "before cancel").await?;
    assert_eq!(app.all_work_items(&token).await?.len(), 10);
    // Deleting the (idle) queue makes the broker cancel its consumer (basic.cancel).
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    let queue = format!("{}.intake", app.settings.amqp.prefix);
    ch.queue_delete(queue.as_str().into(), lapin::options::QueueDeleteOptions::default()).await?;
    conn.close(200, "done".into()).await?;
    // The service notices, reconnects, declares the queue again and consumes from it.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let ready: serde_json::Value = app.client.get(app.url("/readyz")).send().await?.json().await?;
        let consumers = rabbitmq_consumers(&queue)?;
        if ready["broker"] == "ok" && consumers > 0 {
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the consumer was not re-established");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    letters.extend(app.post_many_scans(&token, 10, 4, "after cancel").await?);
    assert_one_item_per_letter(&app.all_work_items(&token).await?, &letters);
    Ok(())
}

/// Consumers on `queue`, per `rabbitmqctl` (0 when the queue does not exist).
fn rabbitmq_consumers(queue: &str) -> anyhow::Result<u32> {
    let out = std::process::Command::new("rabbitmqctl")
        .args(["-q", "list_queues", "name", "consumers", "--no-table-headers"])
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .find(|(name, _)| *name == queue)
        .and_then(|(_, n)| n.trim().parse().ok())
        .unwrap_or(0))
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn poison_bucket_notifications_are_dead_lettered_with_their_reason_and_the_next_one_is_received()
-> anyhow::Result<()> {
    let (app, feed) = BucketFeed::start().await?;
    let token = app.token("pat", Role::Admin)?;
    app.put_object("capture/notes.zip", b"PK\x03\x04 not a scan".to_vec()).await?;
    let letter = postroom_e2e::pdf("after the poison");
    app.put_object("capture/after.pdf", letter).await?;
    let created = |key: &str| {
        serde_json::json!({"Records": [{"eventName": "s3:ObjectCreated:Put", "s3": {"object": {"key": key}}}]})
            .to_string()
            .into_bytes()
    };
    for body in [b"{not json at all".to_vec(), created("capture/notes.zip"), created("capture/after.pdf")] {
        feed.publish(&body).await?;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let (items, letters) = loop {
        let items = app.work_items(&token, "").await?;
        let letters = app.get_json("/api/v1/admin/dead-letters", &token).await?;
        let dead = letters.as_array().map_or(0, Vec::len);
        if (items.len() == 1 && dead == 2) || std::time::Instant::now() > deadline {
            break (items, letters);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(items.len(), 1, "the notification after the poison was received");
    let reasons = letters.to_string();
    assert!(reasons.contains("not an S3 event notification"), "{reasons}");
    // The key is a file name (personal data): the reason names it by its digest, the first 12
    // hex digits of its SHA-256.
    assert!(reasons.contains("file ae998911a2cf was not received") && reasons.contains("application/zip"), "{reasons}");
    // The notification itself, kept as the dead letter's payload for the admin, names the key.
    let logged: Vec<&str> = letters.as_array().into_iter().flatten().filter_map(|l| l["reason"].as_str()).collect();
    assert!(logged.iter().all(|r| !r.contains("notes.zip")), "{logged:?}");
    assert_eq!(app.object("capture/notes.zip").await?, b"PK\x03\x04 not a scan", "the object is kept as written");
    feed.close().await
}

/// A service consuming bucket notifications from a queue of its own, and a connection to
/// publish notifications to it as a bucket would.
struct BucketFeed {
    queue: String,
    conn: lapin::Connection,
    ch: lapin::Channel,
}

impl BucketFeed {
    async fn start() -> anyhow::Result<(TestApp, Self)> {
        let url = TestApp::amqp_url()?;
        let queue = format!("postroom-test-bucket-{}", uuid::Uuid::new_v4().simple());
        let q = queue.clone();
        let app =
            TestApp::spawn_with(postroom::ServeRole::All, move |s| s.amqp.bucket_notifications_queue = Some(q)).await?;
        let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
        let ch = conn.create_channel().await?;
        Ok((app, Self { queue, conn, ch }))
    }

    async fn publish(&self, body: &[u8]) -> anyhow::Result<()> {
        self.ch
            .basic_publish(
                "".into(),
                self.queue.as_str().into(),
                lapin::options::BasicPublishOptions::default(),
                body,
                lapin::BasicProperties::default(),
            )
            .await?
            .await?;
        Ok(())
    }

    /// Deletes the queue and its retry queues, and disconnects.
    async fn close(self) -> anyhow::Result<()> {
        let queue = &self.queue;
        for q in [queue.clone(), format!("{queue}.retry.200ms"), format!("{queue}.retry.400ms")] {
            let _ = self.ch.queue_delete(q.as_str().into(), lapin::options::QueueDeleteOptions::default()).await;
        }
        self.conn.close(200, "done".into()).await?;
        Ok(())
    }
}
