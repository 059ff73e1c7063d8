//! Escalations and the daily digest: `workitem.breach_warning` and `workitem.overdue` are raised
//! once per item and threshold across restarts and with two worker processes racing (and, on
//! the CI run with RabbitMQ, published once each), items waiting for the customer are left out
//! until they resume; the digest reaches the test SMTP server once a working day.

use std::{collections::BTreeMap, time::Duration};

use chrono::{Days, NaiveTime, Utc};
use postroom::ServeRole;
use postroom_domain::{Priority, Role, WorkingCalendar, london_date};
use postroom_e2e::{SeedItem, SmtpSink, TestApp};
use serde_json::{Value, json};

/// `(event type, work item id)` → how many times raised.
async fn raised(app: &TestApp) -> anyhow::Result<BTreeMap<(String, String), usize>> {
    let mut out = BTreeMap::new();
    for kind in ["workitem.breach_warning", "workitem.overdue"] {
        for e in app.events(kind).await? {
            *out.entry((kind.to_owned(), e["work_item_id"].as_str().unwrap_or_default().to_owned())).or_default() += 1;
        }
    }
    Ok(out)
}

/// Waits until `n` escalations have been raised.
async fn wait_for(app: &TestApp, n: usize) -> anyhow::Result<BTreeMap<(String, String), usize>> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let now = raised(app).await?;
        if now.values().sum::<usize>() >= n {
            return Ok(now);
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "only {now:?} raised");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A queue bound to the service's exchange for both escalation events (RabbitMQ runs only).
async fn listen(app: &TestApp) -> anyhow::Result<Option<(lapin::Connection, lapin::Consumer)>> {
    let Ok(url) = std::env::var("TEST_AMQP_URL") else { return Ok(None) };
    let conn = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    let q = ch
        .queue_declare(
            "".into(),
            lapin::options::QueueDeclareOptions { exclusive: true, ..Default::default() },
            Default::default(),
        )
        .await?;
    for key in ["workitem.breach_warning", "workitem.overdue"] {
        ch.queue_bind(
            q.name().clone(),
            app.settings.amqp.exchange.as_str().into(),
            key.into(),
            Default::default(),
            Default::default(),
        )
        .await?;
    }
    let consumer = ch
        .basic_consume(
            q.name().clone(),
            "escalations".into(),
            lapin::options::BasicConsumeOptions { no_ack: true, ..Default::default() },
            Default::default(),
        )
        .await?;
    Ok(Some((conn, consumer)))
}

#[tokio::test]
async fn escalations_are_raised_once_per_threshold_across_restarts_and_two_workers() -> anyhow::Result<()> {
    // Set up with escalations off, so the paused item is paused before any worker looks.
    let mut app = TestApp::spawn_with(ServeRole::All, |s| {
        s.work.timer_interval = Duration::from_millis(100);
        s.team_leaders.escalations = false;
    })
    .await?;
    let broker = listen(&app).await?;
    let cal = WorkingCalendar::england_and_wales();
    let today = london_date(Utc::now());
    let seed = |priority, due_on| SeedItem {
        workflow: "ct-summons-dispute",
        queue: "ct-recovery",
        priority,
        due_on,
        ..SeedItem::default()
    };
    let soon = app.seed_item(seed(Priority::P1, cal.add_working_days(today, 1).max(today))).await?.to_string();
    let late =
        app.seed_item(seed(Priority::P2, today.checked_sub_days(Days::new(3)).unwrap_or(today))).await?.to_string();
    let later = app.seed_item(seed(Priority::P3, cal.add_working_days(today, 30))).await?.to_string();
    // Waiting for the customer: its clock is stopped, so it is left alone while paused.
    app.set_queues("amy", &["ct-recovery"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let paused =
        app.seed_item(seed(Priority::P2, today.checked_sub_days(Days::new(2)).unwrap_or(today))).await?.to_string();
    assert_eq!(app.post_json(&format!("/api/v1/work-items/{paused}/claim"), &amy, &json!({})).await?.status(), 200);
    let pend = json!({ "reason": "asked for the hearing date", "bring_forward_on": cal.add_working_days(today, 10) });
    assert_eq!(app.post_json(&format!("/api/v1/work-items/{paused}/pend"), &amy, &pend).await?.status(), 200);

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(raised(&app).await?.is_empty(), "escalations are off");
    app.settings.team_leaders.escalations = true;
    app.restart(ServeRole::All).await?;
    // A second worker process on the same database (and broker) races the first.
    let (sibling, sibling_done) = app.spawn_sibling(ServeRole::Worker).await?;
    let first = wait_for(&app, 3).await?;
    let expected: BTreeMap<(String, String), usize> = [
        (("workitem.breach_warning".to_owned(), soon.clone()), 1),
        (("workitem.breach_warning".to_owned(), late.clone()), 1),
        (("workitem.overdue".to_owned(), late.clone()), 1),
    ]
    .into();
    // Several more rounds of both workers, a restart, and more rounds: nothing new.
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.restart(ServeRole::All).await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(raised(&app).await?, expected, "first seen: {first:?}");
    assert!(!raised(&app).await?.keys().any(|(_, id)| *id == later || *id == paused));

    // Resumed, the paused item's clock runs again: it is overdue and at risk, raised once each.
    assert_eq!(app.post_json(&format!("/api/v1/work-items/{paused}/resume"), &amy, &json!({})).await?.status(), 200);
    let now = wait_for(&app, 5).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(raised(&app).await?, now);
    assert_eq!(now.get(&("workitem.overdue".to_owned(), paused.clone())), Some(&1));
    sibling.cancel();
    sibling_done.await??;

    // The item's history says so, and the event carries what a subscriber needs.
    let tl = app.token("tess", Role::TeamLeader)?;
    let detail = app.get_json(&format!("/api/v1/work-items/{late}"), &tl).await?;
    let actions: Vec<&str> = detail["history"]
        .as_array()
        .map(|h| h.iter().filter_map(|e| e["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(actions.contains(&"breach_warning") && actions.contains(&"overdue"), "{actions:?}");
    let event = app
        .events("workitem.overdue")
        .await?
        .into_iter()
        .find(|e| e["work_item_id"] == late.as_str())
        .unwrap_or_default();
    assert_eq!(
        (event["queue"].as_str(), event["priority"].as_str(), event["threshold"].as_str()),
        (Some("ct-recovery"), Some("P2"), Some("overdue"))
    );

    // Through RabbitMQ each was published once.
    if let Some((conn, mut consumer)) = broker {
        use futures::StreamExt;
        app.wait_for_outbox_drained(Duration::from_secs(30)).await?;
        let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
        while let Ok(Some(delivery)) = tokio::time::timeout(Duration::from_secs(2), consumer.next()).await {
            let delivery = delivery?;
            let body: Value = serde_json::from_slice(&delivery.data)?;
            let kind = delivery.routing_key.as_str().to_owned();
            *seen.entry((kind, body["work_item_id"].as_str().unwrap_or_default().to_owned())).or_default() += 1;
        }
        assert_eq!(seen, now, "published through RabbitMQ");
        conn.close(200, "done".into()).await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_daily_digest_reaches_the_team_leaders_once_on_a_working_day() -> anyhow::Result<()> {
    let sink = SmtpSink::start(&[]).await?;
    let configure = |at: NaiveTime| {
        let port = sink.port;
        move |s: &mut postroom_config::Settings| {
            s.work.timer_interval = Duration::from_millis(100);
            s.smtp.host = Some("127.0.0.1".to_owned());
            s.smtp.port = Some(port);
            s.smtp.security = postroom_config::SmtpSecurity::Plain;
            s.team_leaders.digest_to = vec![
                "Revenues Team Leaders <team-leaders@kingsbridge-vale.example>".to_owned(),
                "tess@kingsbridge-vale.example".to_owned(),
            ];
            s.team_leaders.digest_at = at;
        }
    };
    // Not before its time.
    let late_in_the_day = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    let mut app = TestApp::spawn_with(ServeRole::All, configure(late_in_the_day)).await?;
    let today = london_date(Utc::now());
    let due = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    app.seed_item(SeedItem {
        workflow: "ct-summons-dispute",
        queue: "ct-recovery",
        priority: Priority::P1,
        due_on: due,
        ..SeedItem::default()
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sink.messages()?.is_empty());

    // From its time on a working day: once, however many rounds and workers.
    app.settings.team_leaders.digest_at = NaiveTime::MIN;
    app.restart(ServeRole::All).await?;
    let (sibling, sibling_done) = app.spawn_sibling(ServeRole::Worker).await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sibling.cancel();
    sibling_done.await??;
    let messages = sink.messages()?;
    if !WorkingCalendar::england_and_wales().is_working_day(today) {
        assert!(messages.is_empty(), "no digest on a day the council is closed");
        return Ok(());
    }
    assert_eq!(messages.len(), 1, "one digest");
    let text = String::from_utf8_lossy(&messages[0]);
    assert!(text.contains("Subject: Postroom digest") && text.contains("1 overdue"), "{text}");
    assert!(text.contains("team-leaders@kingsbridge-vale.example") && text.contains("tess@kingsbridge-vale.example"));
    assert!(text.contains("ct-recovery: 1 overdue, 0 at risk"), "{text}");
    let tl = app.token("tess", Role::TeamLeader)?;
    let digest = app.get_json("/api/v1/digest", &tl).await?;
    assert_eq!(digest["sent"][0]["status"], "sent", "{digest}");
    assert_eq!(digest["sent"][0]["attempts"], 1);
    assert_eq!(digest["now"]["queues"][0]["overdue"][0]["priority"], "P1");
    Ok(())
}

#[tokio::test]
async fn without_a_mail_server_the_digest_is_an_eml_file_in_the_outbox_directory() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(ServeRole::All, |s| {
        s.work.timer_interval = Duration::from_millis(100);
        s.team_leaders.digest_to = vec!["team-leaders@kingsbridge-vale.example".to_owned()];
        s.team_leaders.digest_at = NaiveTime::MIN;
    })
    .await?;
    let outbox = app.settings.data_dir.join("outbox");
    let digests = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.to_string_lossy().contains("digest-")).collect()
            })
            .unwrap_or_default()
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    if !WorkingCalendar::england_and_wales().is_working_day(london_date(Utc::now())) {
        assert!(digests().is_empty(), "no digest on a day the council is closed");
        return Ok(());
    }
    let files = digests();
    assert_eq!(files.len(), 1, "{files:?}");
    let eml = std::fs::read_to_string(&files[0])?;
    assert!(
        eml.contains("To: team-leaders@kingsbridge-vale.example") && eml.contains("Nothing is overdue or at risk."),
        "{eml}"
    );
    let tl = app.token("tess", Role::TeamLeader)?;
    let digest = app.get_json("/api/v1/digest", &tl).await?;
    assert_eq!(digest["sent"][0]["status"], "sent", "{digest}");
    Ok(())
}
