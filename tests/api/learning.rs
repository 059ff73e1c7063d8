//! The classifier's learned model end to end: each classification records the model version
//! that read the letter, with its candidates and the words that weighed most; the post room's
//! manual indexes become labelled examples; the worker trains the next version once enough have
//! been made, and letters after it are read by it.

use std::time::Duration;

use postroom::ServeRole;
use postroom_domain::Role;
use postroom_e2e::TestApp;
use sea_orm::EntityTrait;
use serde_json::json;

async fn email(app: &TestApp, id: &str, body: &str) -> anyhow::Result<()> {
    let token = app.token("gateway", Role::Service)?;
    let raw = format!(
        "From: Sam Resident <sam@example.org>\r\nTo: ctax@council.example\r\nSubject: Hello\r\n\
         Message-ID: <{id}@example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n{body}\r\n"
    );
    let resp = app.post_email(&token, raw, "").await?;
    anyhow::ensure!(resp.status() == 201, "{}", resp.status());
    Ok(())
}

/// The newest item's detail.
async fn newest(app: &TestApp, token: &str) -> anyhow::Result<serde_json::Value> {
    app.wait_until_quiet(Duration::from_secs(30)).await?;
    let items = app.all_work_items(token).await?;
    let newest = items
        .iter()
        .max_by_key(|i| i["reference"].as_str().unwrap_or_default().to_owned())
        .ok_or_else(|| anyhow::anyhow!("no items"))?;
    app.get_json(&format!("/api/v1/work-items/{}", newest["id"].as_str().unwrap_or_default()), token).await
}

/// A person's decision about `item`: the post room indexes it when in triage, otherwise a team
/// leader re-routes it; either is a labelled example.
async fn teach(app: &TestApp, item: &serde_json::Value) -> anyhow::Result<()> {
    let id = item["id"].as_str().unwrap_or_default();
    let (user, role, action, workflow) = if item["status"] == "triage" {
        ("pat", Role::PostRoom, "index", "information-only")
    } else if item["workflow"] == "information-only" {
        ("tess", Role::TeamLeader, "reroute", "complaint")
    } else {
        ("tess", Role::TeamLeader, "reroute", "information-only")
    };
    let mut body = json!({"version": item["version"], "workflow": workflow});
    if action == "reroute" {
        body["reason"] = json!("the letter is about something else");
    }
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/work-items/{id}/{action}")))
        .bearer_auth(app.token(user, role)?)
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(resp.status() == 200, "{action}: {}", resp.text().await?);
    Ok(())
}

#[tokio::test]
async fn the_post_rooms_decisions_train_the_next_model_version() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(ServeRole::All, |s| {
        s.classifier.retrain_every = Duration::from_millis(300);
        s.classifier.retrain_min_examples = 2;
    })
    .await?;
    let pat = app.token("pat", Role::PostRoom)?;
    let first = app.get_json("/api/v1/classifier", &pat).await?;
    assert_eq!(first["versions"].as_array().map(Vec::len), Some(1), "{first}");
    assert_eq!(first["versions"][0]["version"], 1);
    assert_eq!(first["versions"][0]["council_examples"], 0);
    assert!(first["versions"][0]["shipped_examples"].as_i64().unwrap_or_default() >= 400, "{first}");
    assert_eq!(first["pending_examples"], 0);

    // A letter is read by version 1: the model's reading is on the item beside the rules'.
    email(&app, "learn-1", "Greetings. Enclosed is the thing we talked about on the phone, the blue form.").await?;
    let item = newest(&app, &pat).await?;
    let model = &item["classification"]["model"];
    assert_eq!(model["version"], 1, "{item}");
    assert!(["rules", "agreement", "model", "triage"].contains(&model["settled_by"].as_str().unwrap_or_default()));
    assert!(model["candidates"].as_array().is_some_and(|c| !c.is_empty()), "{model}");
    assert!(model["confidence"].as_f64().is_some_and(|c| (c - 2.0).abs() < 1e-6), "{model}");

    // Two decisions (an index, or a team leader's re-route where the model already settled the
    // letter) are two labelled examples; the worker trains version 2 on them.
    for (i, text) in
        ["the blue form for the garage we discussed", "another blue form, for the shed this time"].iter().enumerate()
    {
        email(&app, &format!("teach-{i}"), text).await?;
        teach(&app, &newest(&app, &pat).await?).await?;
    }
    let db = app.database().await?;
    let examples = postroom_db::entities::classifier_example::Entity::find().all(&db).await?;
    assert_eq!(examples.len(), 2, "each decision is recorded as a labelled example");
    assert!(examples.iter().all(|e| e.text.contains("blue form")), "the letter's text is kept with it");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let view = loop {
        let view = app.get_json("/api/v1/classifier", &pat).await?;
        if view["versions"][0]["version"] == 2 {
            break view;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "no version 2: {view}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(view["versions"][0]["trained_by"], "schedule");
    assert!(view["versions"][0]["council_examples"].as_i64().unwrap_or_default() >= 2, "{view}");
    assert_eq!(view["pending_examples"], 0, "{view}");
    let examples = postroom_db::entities::classifier_example::Entity::find().all(&db).await?;
    assert!(examples.iter().all(|e| e.model_version == Some(2)), "both are version 2's own: {examples:?}");

    // The next letter is read by version 2.
    email(&app, "learn-2", "Please find the blue form attached.").await?;
    let item = newest(&app, &pat).await?;
    assert_eq!(item["classification"]["model"]["version"], 2, "{item}");
    Ok(())
}

#[tokio::test]
async fn with_the_model_switched_off_the_rules_alone_decide() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(ServeRole::All, |s| s.classifier.model = false).await?;
    let pat = app.token("pat", Role::PostRoom)?;
    email(&app, "off-1", "I would like a refund of the overpayment on my council tax account please").await?;
    let item = newest(&app, &pat).await?;
    assert!(item["classification"]["model"].is_null(), "{item}");
    let view = app.get_json("/api/v1/classifier", &pat).await?;
    assert_eq!(view["versions"], json!([]), "{view}");
    Ok(())
}
