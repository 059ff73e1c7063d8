//! Officer work: claim next, the item lifecycle and its refusals, officers' queues, claim expiry,
//! the SLA pause and bring-forward.

use std::time::Duration;

use chrono::{Days, Utc};
use postroom_domain::{Priority, Role, london_date};
use postroom_e2e::{SeedItem, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn body(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Value)> {
    let status = resp.status();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

async fn act(app: &TestApp, token: &str, id: &str, action: &str, req: Value) -> anyhow::Result<(StatusCode, Value)> {
    body(app.post_json(&format!("/api/v1/work-items/{id}/{action}"), token, &req).await?).await
}

async fn next(app: &TestApp, token: &str) -> anyhow::Result<(StatusCode, Value)> {
    body(app.client.post(app.url("/api/v1/work-items/next")).bearer_auth(token).send().await?).await
}

fn today() -> chrono::NaiveDate {
    london_date(Utc::now())
}

#[tokio::test]
async fn claim_next_takes_the_most_urgent_item_in_the_officers_queues_then_204() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let amy = app.token("amy", Role::Officer)?;
    let (status, problem) = next(&app, &amy).await?;
    assert_eq!(status, 403, "no queues yet: {problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("no queues"), "{problem}");
    app.set_queues("amy", &["ct-discounts"]).await?;

    let now = Utc::now();
    let late_p3 = app
        .seed_item(SeedItem { queue: "ct-discounts", due_on: today() + Days::new(2), ..SeedItem::default() })
        .await?;
    let soon_p3_newer = app
        .seed_item(SeedItem { queue: "ct-discounts", due_on: today() + Days::new(1), ..SeedItem::default() })
        .await?;
    let soon_p3_older = app
        .seed_item(SeedItem {
            queue: "ct-discounts",
            due_on: today() + Days::new(1),
            received_at: now - chrono::Duration::days(3),
            ..SeedItem::default()
        })
        .await?;
    let p1 = app
        .seed_item(SeedItem {
            queue: "ct-discounts",
            priority: Priority::P1,
            due_on: today() + Days::new(9),
            ..SeedItem::default()
        })
        .await?;
    let elsewhere =
        app.seed_item(SeedItem { queue: "complaints", priority: Priority::P1, ..SeedItem::default() }).await?;

    let mut order = Vec::new();
    loop {
        let (status, item) = next(&app, &amy).await?;
        if status == StatusCode::NO_CONTENT {
            break;
        }
        assert_eq!(status, 200, "{item}");
        assert_eq!(item["status"], "in_progress");
        assert_eq!(item["assignee"], "amy");
        order.push(item["id"].as_str().unwrap_or_default().to_owned());
    }
    let expected: Vec<String> = [p1, soon_p3_older, soon_p3_newer, late_p3].iter().map(ToString::to_string).collect();
    assert_eq!(order, expected, "priority, then due date, then receipt; never another queue");
    let other: Value = app.get_json(&format!("/api/v1/work-items/{elsewhere}"), &amy).await?;
    assert_eq!(other["status"], "ready");
    let history = other["history"].as_array().cloned().unwrap_or_default();
    assert!(history.iter().all(|h| h["action"] != "claimed"));
    let claimed: Value = app.get_json(&format!("/api/v1/work-items/{p1}"), &amy).await?;
    let entry = claimed["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "claimed")).cloned();
    let entry = entry.unwrap_or_default();
    assert_eq!(entry["actor"], "amy");
    assert_eq!(entry["from_status"], "ready");
    assert_eq!(entry["to_status"], "in_progress");
    app.stop().await
}

#[tokio::test]
async fn claim_next_never_hands_one_item_to_two_officers() -> anyhow::Result<()> {
    const ITEMS: usize = 1_000;
    const OFFICERS: usize = 50;
    let mut app = TestApp::spawn().await?;
    let db = app.database().await?;
    let mut seeded = std::collections::HashSet::new();
    for i in 0..ITEMS {
        let item = SeedItem {
            queue: if i % 2 == 0 { "ct-discounts" } else { "ct-changes" },
            priority: [Priority::P1, Priority::P2, Priority::P3, Priority::P4][i % 4],
            due_on: today() + Days::new((i % 20) as u64),
            ..SeedItem::default()
        };
        seeded.insert(postroom_e2e::seed_item_on(&db, &item).await?.to_string());
    }
    db.close().await?;
    for o in 0..OFFICERS {
        app.set_queues(&format!("officer-{o}"), &["ct-changes", "ct-discounts"]).await?;
    }
    let mut officers = tokio::task::JoinSet::new();
    for o in 0..OFFICERS {
        let client = app.client.clone();
        let url = app.url("/api/v1/work-items/next");
        let user = format!("officer-{o}");
        let token = app.token(&user, Role::Officer)?;
        officers.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let resp = client.post(&url).bearer_auth(&token).send().await?;
                match resp.status() {
                    StatusCode::NO_CONTENT => return anyhow::Ok((user, mine)),
                    StatusCode::OK => {
                        let item: Value = resp.json().await?;
                        anyhow::ensure!(item["assignee"] == user.as_str(), "claimed for someone else: {item}");
                        mine.push(item["id"].as_str().unwrap_or_default().to_owned());
                    }
                    other => anyhow::bail!("{user}: {other} {}", resp.text().await?),
                }
            }
        });
    }
    let mut claimed = std::collections::HashMap::new();
    let mut busy_officers = 0;
    for result in officers.join_all().await {
        let (user, mine) = result?;
        busy_officers += usize::from(!mine.is_empty());
        for id in mine {
            if let Some(first) = claimed.insert(id.clone(), user.clone()) {
                panic!("item {id} was claimed by both {first} and {user}");
            }
        }
    }
    assert_eq!(claimed.len(), ITEMS, "every item claimed exactly once");
    assert!(claimed.keys().all(|id| seeded.contains(id)), "only seeded items were claimed");
    assert!(busy_officers > 1, "the officers really ran concurrently");
    let tl = app.token("tess", Role::TeamLeader)?;
    let queues: Value = app.get_json("/api/v1/queues", &tl).await?;
    let in_progress: u64 = queues.as_array().into_iter().flatten().filter_map(|q| q["in_progress"].as_u64()).sum();
    let ready: u64 = queues.as_array().into_iter().flatten().filter_map(|q| q["ready"].as_u64()).sum();
    assert_eq!((in_progress, ready), (ITEMS as u64, 0));
    app.stop().await
}

#[tokio::test]
async fn every_refused_transition_is_409_naming_the_state_or_403_for_the_role() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    app.set_queues("bob", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let bob = app.token("bob", Role::Officer)?;
    let auditor = app.token("al", Role::Auditor)?;
    let id = app.seed_item(SeedItem::default()).await?.to_string();

    // Ready: only claim (and cancel, reassign) make sense.
    for action in ["release", "pend", "resume", "refer", "return", "complete", "approve", "reject"] {
        let req = match action {
            "pend" => json!({"reason": "x", "bring_forward_on": today() + Days::new(5)}),
            "refer" => json!({"queue": "fraud", "reason": "x"}),
            "complete" => json!({"version": 1, "outcome": "x"}),
            "approve" | "reject" => json!({"version": 1, "reason": "x"}),
            _ => json!({}),
        };
        let (status, problem) = act(&app, &amy, &id, action, req).await?;
        if matches!(action, "approve" | "reject") {
            assert_eq!(status, 403, "{action} by an officer: {problem}");
        } else {
            assert_eq!(status, 409, "{action} on a ready item: {problem}");
            assert!(problem["detail"].as_str().unwrap_or_default().contains("ready"), "{action}: {problem}");
            assert_eq!(problem["type"], "/problems/conflict");
        }
    }
    let (status, _) = act(&app, &auditor, &id, "claim", json!({})).await?;
    assert_eq!(status, 403, "auditors change nothing");

    // Claimed by amy: bob may not act on it, nor claim it.
    let (status, item) = act(&app, &amy, &id, "claim", json!({"version": 1})).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["version"], 2);
    let (status, problem) = act(&app, &bob, &id, "claim", json!({})).await?;
    assert_eq!(status, 409);
    assert!(problem["detail"].as_str().unwrap_or_default().contains("in_progress"), "{problem}");
    for action in ["release", "pend", "refer", "cancel"] {
        let req = match action {
            "pend" => json!({"reason": "x", "bring_forward_on": today() + Days::new(5)}),
            "refer" => json!({"queue": "fraud", "reason": "x"}),
            "cancel" => json!({"reason": "duplicate"}),
            _ => json!({}),
        };
        let (status, problem) = act(&app, &bob, &id, action, req).await?;
        assert_eq!(status, 409, "{action} by bob: {problem}");
        let detail = problem["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("in_progress, claimed by amy"), "{problem}");
    }
    // A stale version is refused.
    let (status, problem) = act(&app, &amy, &id, "release", json!({"version": 1})).await?;
    assert_eq!(status, 409);
    assert!(problem["detail"].as_str().unwrap_or_default().contains("version 2"), "{problem}");

    // Cancel needs one of the reasons.
    let (status, _) = act(&app, &amy, &id, "cancel", json!({})).await?;
    assert_eq!(status, 422);
    let (status, _) = act(&app, &amy, &id, "cancel", json!({"reason": "bored"})).await?;
    assert_eq!(status, 422);
    let (status, _) = act(&app, &amy, &id, "cancel", json!({"reason": "merged"})).await?;
    assert_eq!(status, 422);
    let (status, item) = act(&app, &amy, &id, "cancel", json!({"reason": "sent_in_error", "note": "not ours"})).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["status"], "cancelled");
    // Closed: nothing more, except notes.
    for action in ["claim", "release", "resume", "return", "cancel"] {
        let req = if action == "cancel" { json!({"reason": "duplicate"}) } else { json!({}) };
        let (status, problem) = act(&app, &amy, &id, action, req).await?;
        assert_eq!(status, 409, "{action} on a cancelled item");
        assert!(problem["detail"].as_str().unwrap_or_default().contains("cancelled"), "{problem}");
    }
    let (status, _) = act(&app, &bob, &id, "notes", json!({"text": "Customer rang to check it was closed"})).await?;
    assert_eq!(status, 200);
    let detail: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    let cancel = detail["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "cancelled")).cloned();
    let details = cancel.unwrap_or_default()["details"].clone();
    assert_eq!(details["reason"], "sent_in_error", "{detail}");
    app.stop().await
}

#[tokio::test]
async fn refer_return_reassign_release_and_notes_move_the_item_and_are_audited() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    app.set_queues("fred", &["fraud"]).await?;
    app.set_queues("bob", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let fred = app.token("fred", Role::Officer)?;
    let tess = app.token("tess", Role::TeamLeader)?;
    let id = app.seed_item(SeedItem::default()).await?.to_string();

    act(&app, &amy, &id, "claim", json!({})).await?;
    let (status, problem) = act(&app, &amy, &id, "refer", json!({"queue": "nowhere", "reason": "x"})).await?;
    assert_eq!(status, 422, "{problem}");
    let (status, item) =
        act(&app, &amy, &id, "refer", json!({"queue": "fraud", "reason": "two names on the SPD claim"})).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!((item["status"].as_str(), item["queue"].as_str()), (Some("referred"), Some("fraud")));
    assert_eq!(item["home_queue"], "ct-enquiries");
    let (status, item) = act(&app, &fred, &id, "return", json!({"reason": "no fraud found"})).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!((item["status"].as_str(), item["queue"].as_str()), (Some("ready"), Some("ct-enquiries")));

    let (status, _) = act(&app, &amy, &id, "reassign", json!({"assignee": "bob"})).await?;
    assert_eq!(status, 403, "officers do not reassign");
    let (status, problem) = act(&app, &tess, &id, "reassign", json!({"assignee": "fred"})).await?;
    assert_eq!(status, 422, "fred does not work ct-enquiries: {problem}");
    let (status, item) = act(&app, &tess, &id, "reassign", json!({"assignee": "bob", "reason": "leave"})).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!((item["status"].as_str(), item["assignee"].as_str()), (Some("in_progress"), Some("bob")));
    let (status, item) = act(&app, &tess, &id, "release", json!({})).await?;
    assert_eq!(status, 200, "team leaders release anyone's claim: {item}");
    assert_eq!(item["assignee"], Value::Null);
    let (status, _) = act(&app, &amy, &id, "notes", json!({"text": ""})).await?;
    assert_eq!(status, 422);

    let detail: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &tess).await?;
    let actions: Vec<(String, String)> = detail["history"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (e["action"].as_str().unwrap_or_default().to_owned(), e["actor"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    let expected =
        [("claimed", "amy"), ("referred", "amy"), ("returned", "fred"), ("reassigned", "tess"), ("released", "tess")];
    let tail: Vec<(String, String)> = actions.iter().skip(1).cloned().collect();
    assert_eq!(tail, expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec());
    let reassigned = detail["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "reassigned")).cloned();
    let reassigned = reassigned.unwrap_or_default();
    assert_eq!(reassigned["details"]["assignee"]["before"], Value::Null);
    assert_eq!(reassigned["details"]["assignee"]["after"], "bob");
    app.stop().await
}

#[tokio::test]
async fn a_claim_left_idle_expires_and_the_item_is_ready_again() -> anyhow::Result<()> {
    let mut app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.work.claim_timeout = Duration::from_secs(1);
        s.work.timer_interval = Duration::from_millis(200);
    })
    .await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let id = app.seed_item(SeedItem::default()).await?.to_string();
    let (status, _) = next(&app, &amy).await?;
    assert_eq!(status, 200);
    // Notes by the holder keep the claim alive well past the timeout...
    for i in 0..8 {
        let (status, _) = act(&app, &amy, &id, "notes", json!({"text": format!("still on it ({i})")})).await?;
        assert_eq!(status, 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let item: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    assert_eq!(item["status"], "in_progress", "a note is activity: {item}");
    // ...and once they stop, it expires.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let item = loop {
        let item: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
        if item["status"] == "ready" || tokio::time::Instant::now() > deadline {
            break item;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(item["status"], "ready", "{item}");
    assert_eq!(item["assignee"], Value::Null);
    let expired = item["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "claim_expired")).cloned();
    let expired = expired.unwrap_or_default();
    assert_eq!(expired["actor"], "system");
    assert_eq!(expired["details"]["assignee"]["before"], "amy");
    app.stop().await
}

/// Sets when an item's SLA clock paused (the API pauses it today; the test needs a pause that
/// has lasted) and, optionally, its bring-forward date.
async fn backdate_pause(
    app: &TestApp,
    id: &str,
    paused_on: chrono::NaiveDate,
    bring_forward_on: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    use postroom_db::entities::work_item;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let db = app.database().await?;
    let mut update = work_item::Entity::update_many().col_expr(work_item::Column::PausedOn, Expr::value(paused_on));
    if let Some(b) = bring_forward_on {
        update = update.col_expr(work_item::Column::BringForwardOn, Expr::value(b));
    }
    update.filter(work_item::Column::Id.eq(uuid::Uuid::parse_str(id)?)).exec(&db).await?;
    db.close().await?;
    Ok(())
}

#[tokio::test]
async fn pending_pauses_the_sla_clock_and_resuming_moves_the_due_date_by_the_working_days_paused() -> anyhow::Result<()>
{
    let mut app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let due = today() - Days::new(1);
    let id = app.seed_item(SeedItem { due_on: due, ..SeedItem::default() }).await?.to_string();
    act(&app, &amy, &id, "claim", json!({})).await?;
    let (status, problem) =
        act(&app, &amy, &id, "pend", json!({"reason": "asked for a tenancy agreement", "bring_forward_on": today()}))
            .await?;
    assert_eq!(status, 422, "the bring-forward date must be after today: {problem}");
    let (status, problem) = act(&app, &amy, &id, "pend", json!({"bring_forward_on": today() + Days::new(10)})).await?;
    assert_eq!(status, 422, "a reason is required: {problem}");
    let (status, item) = act(
        &app,
        &amy,
        &id,
        "pend",
        json!({"reason": "asked for a tenancy agreement", "bring_forward_on": today() + Days::new(14)}),
    )
    .await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["status"], "awaiting_customer");
    assert_eq!(item["paused_on"], today().to_string());
    assert_eq!(item["overdue"], false, "the clock is paused");

    // The pause began seven working days ago.
    let calendar = postroom_domain::WorkingCalendar::england_and_wales();
    let mut since = today();
    while calendar.working_days_between(since, today()) < 7 {
        since = since.pred_opt().unwrap_or(since);
    }
    backdate_pause(&app, &id, since, None).await?;
    let (status, item) = act(&app, &amy, &id, "resume", json!({"reason": "customer sent it"})).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!((item["status"].as_str(), item["assignee"].as_str()), (Some("in_progress"), Some("amy")), "back to amy");
    let moved = calendar.add_working_days(due, 7);
    assert_eq!(item["due_on"], moved.to_string(), "due {due} + 7 working days paused");
    assert_eq!(item["paused_on"], Value::Null);
    let detail: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    let resumed = detail["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "resumed")).cloned();
    let resumed = resumed.unwrap_or_default();
    assert_eq!(resumed["details"]["working_days_paused"], 7);
    assert_eq!(resumed["details"]["due_on"]["before"], due.to_string());
    app.stop().await
}

#[tokio::test]
async fn an_item_comes_back_by_itself_on_its_bring_forward_date() -> anyhow::Result<()> {
    let mut app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.work.timer_interval = Duration::from_millis(200);
    })
    .await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let due = today() + Days::new(3);
    let id = app.seed_item(SeedItem { due_on: due, ..SeedItem::default() }).await?.to_string();
    act(&app, &amy, &id, "claim", json!({})).await?;
    let (status, _) = act(
        &app,
        &amy,
        &id,
        "pend",
        json!({"reason": "evidence asked for", "bring_forward_on": today() + Days::new(7)}),
    )
    .await?;
    assert_eq!(status, 200);
    // Two working days ago it was pended, with a bring-forward date of today.
    let calendar = postroom_domain::WorkingCalendar::england_and_wales();
    let mut since = today();
    while calendar.working_days_between(since, today()) < 2 {
        since = since.pred_opt().unwrap_or(since);
    }
    backdate_pause(&app, &id, since, Some(today())).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let item = loop {
        let item: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
        if item["status"] != "awaiting_customer" || tokio::time::Instant::now() > deadline {
            break item;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Back with the officer who pended it, her claim renewed.
    assert_eq!((item["status"].as_str(), item["assignee"].as_str()), (Some("in_progress"), Some("amy")), "{item}");
    assert_eq!(item["due_on"], calendar.add_working_days(due, 2).to_string());
    let back = item["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "brought_forward")).cloned();
    assert_eq!(back.unwrap_or_default()["actor"], "system");
    app.stop().await
}

#[tokio::test]
async fn team_leaders_keep_the_officers_queues() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let amy = app.token("amy", Role::Officer)?;
    let tess = app.token("tess", Role::TeamLeader)?;
    let put = |token: String, queues: Value| {
        app.client
            .put(app.url("/api/v1/officers/amy/queues"))
            .bearer_auth(token)
            .json(&json!({ "queues": queues }))
            .send()
    };
    assert_eq!(put(amy.clone(), json!(["ct-discounts"])).await?.status(), 403, "officers do not choose their queues");
    let (status, problem) = body(put(tess.clone(), json!(["ct-discounts", "narnia"])).await?).await?;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "queues[1]");
    let (status, queues) =
        body(put(tess.clone(), json!(["ct-recovery", "ct-discounts", "ct-recovery"])).await?).await?;
    assert_eq!(status, 200);
    assert_eq!(queues["queues"], json!(["ct-discounts", "ct-recovery"]));
    let mine: Value = app.get_json("/api/v1/officers/amy/queues", &amy).await?;
    assert_eq!(mine["queues"], json!(["ct-discounts", "ct-recovery"]));
    assert_eq!(app.get("/api/v1/officers/bob/queues", &amy).await?.status(), 403);
    let officers: Value = app.get_json("/api/v1/officers", &tess).await?;
    assert_eq!(officers, json!([{ "user": "amy", "queues": ["ct-discounts", "ct-recovery"] }]));
    app.stop().await
}
