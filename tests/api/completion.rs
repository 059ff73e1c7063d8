//! Completing work items: typed account changes applied with the completion, every invalid
//! change listed, stale versions, idempotent retries, four-eyes approval and the events.

use chrono::{Days, Utc};
use postroom_domain::{Role, london_date};
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ACCOUNT: SeedAccount<'static> = postroom_e2e::ACACIA_AVENUE;

const OTHER: SeedAccount<'static> = SeedAccount {
    reference: "5000067890",
    service: "council_tax",
    address: "9 Elm Road, Barchester",
    postcode: "BC2 9EE",
    uprn: Some(100_067_890),
    party: "Mr John Roe",
    recovery_stage: None,
    vulnerable: false,
};

async fn body(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Value)> {
    let status = resp.status();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

fn today() -> chrono::NaiveDate {
    london_date(Utc::now())
}

/// An app with the two accounts, amy working `queue`, and a claimed item of `workflow` about
/// ACCOUNT; returns the app and the item id.
async fn claimed(workflow: &str, queue: &str) -> anyhow::Result<(TestApp, String)> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    app.seed_account(OTHER).await?;
    app.set_queues("amy", &[queue]).await?;
    let id = app
        .seed_item(SeedItem { workflow, queue, accounts: &[ACCOUNT.reference], ..SeedItem::default() })
        .await?
        .to_string();
    let amy = app.token("amy", Role::Officer)?;
    let resp = app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?;
    anyhow::ensure!(resp.status() == 200, "claim: {}", resp.text().await?);
    Ok((app, id))
}

async fn history(app: &TestApp, reference: &str) -> anyhow::Result<Vec<postroom_db::entities::account_history::Model>> {
    let db = app.database().await?;
    let refs = vec![reference.to_owned()];
    let account = postroom_db::accounts::by_references(&db, &refs).await?.remove(0);
    let h = postroom_db::account_changes::history(&db, account.id).await?;
    db.close().await?;
    Ok(h)
}

#[tokio::test]
async fn completing_applies_the_account_changes_with_the_completion_and_announces_them() -> anyhow::Result<()> {
    let (mut app, id) = claimed("ct-single-person-discount", "ct-discounts").await?;
    let amy = app.token("amy", Role::Officer)?;
    let from = today() - Days::new(5);
    let completion = json!({
        "version": 2,
        "changes": [{ "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person", "from": from }],
        "reply": { "template": "discount-decision" },
        "outcome": "Single person discount granted",
    });
    let (status, done) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["item"]["status"], "done");
    assert_eq!(done["item"]["completed_by"], "amy");
    assert_eq!(done["approval_reasons"], json!([]));
    assert_eq!(done["applied"][0]["kind"], "discount_grant");
    assert_eq!(done["applied"][0]["before"], json!([]));
    assert_eq!(done["applied"][0]["after"][0]["code"], "single_person");

    let h = history(&app, ACCOUNT.reference).await?;
    assert_eq!(h.len(), 1);
    assert_eq!((h[0].actor.as_str(), h[0].change_kind.as_str()), ("amy", "discount_grant"));
    assert_eq!(h[0].work_item_id.map(|u| u.to_string()), Some(id.clone()));
    let completed = app.events("workitem.completed").await?;
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["outcome"], "Single person discount granted");
    assert_eq!(completed[0]["reply"]["template"], "discount-decision");
    let changed = app.events("account.changed").await?;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["account"], ACCOUNT.reference);
    assert_eq!(changed[0]["changed_by"], "amy");

    // Done is done.
    let again = json!({ "version": 3, "outcome": "again" });
    let (status, problem) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &again).await?).await?;
    assert_eq!(status, 409);
    assert!(problem["detail"].as_str().unwrap_or_default().contains("done"), "{problem}");
    app.stop().await
}

#[tokio::test]
async fn an_invalid_completion_applies_nothing_and_lists_every_error() -> anyhow::Result<()> {
    let (mut app, id) = claimed("ct-single-person-discount", "ct-discounts").await?;
    let amy = app.token("amy", Role::Officer)?;
    let completion = json!({
        "version": 2,
        "changes": [
            { "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person", "from": today() },
            { "kind": "discount_end", "account": ACCOUNT.reference, "discount": "class_c", "last_day": today() },
            { "kind": "note", "account": ACCOUNT.reference, "text": "not allowed here" },
            { "kind": "discount_grant", "account": OTHER.reference, "discount": "single_person", "from": today() },
            { "kind": "teleport", "account": ACCOUNT.reference },
            { "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person" },
        ],
        "reply": { "template": "no-such-template", "channel": "email" },
        "outcome": " ",
    });
    let (status, problem) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await?;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    for expected in [
        "outcome",
        "reply.template",
        "changes[1]",
        "changes[2]",
        "changes[3].account",
        "changes[4].kind",
        "changes[5].from",
    ] {
        assert!(fields.contains(&expected), "{expected} missing from {fields:?}");
    }
    assert!(!fields.contains(&"changes[0]"), "the valid change is not an error: {fields:?}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("nothing was applied"), "{problem}");

    assert!(history(&app, ACCOUNT.reference).await?.is_empty(), "nothing half-applied");
    assert!(app.events("account.changed").await?.is_empty());
    let item: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    assert_eq!((item["status"].as_str(), item["version"].as_i64()), (Some("in_progress"), Some(2)));

    // A stale version is refused before anything is checked or applied.
    let valid = json!({ "version": 1, "outcome": "x", "changes": [
        { "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person", "from": today() }] });
    let (status, problem) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &valid).await?).await?;
    assert_eq!(status, 409, "{problem}");
    assert!(history(&app, ACCOUNT.reference).await?.is_empty());
    // Malformed JSON.
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/work-items/{id}/complete")))
        .bearer_auth(&amy)
        .header("content-type", "application/json")
        .body("{\"version\": 2, ")
        .send()
        .await?;
    assert_eq!(resp.status(), 400, "not JSON at all");
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let problem: Value = resp.json().await?;
    assert!(problem["detail"].as_str().unwrap_or_default().contains("line 1"), "{problem}");
    app.stop().await
}

#[tokio::test]
async fn a_retried_completion_with_the_same_idempotency_key_is_applied_once() -> anyhow::Result<()> {
    let (mut app, id) = claimed("ct-single-person-discount", "ct-discounts").await?;
    let amy = app.token("amy", Role::Officer)?;
    let completion = json!({
        "version": 2,
        "changes": [{ "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person", "from": today() }],
        "outcome": "granted",
    });
    let send = |key: &'static str, body: Value| {
        app.client
            .post(app.url(&format!("/api/v1/work-items/{id}/complete")))
            .bearer_auth(&amy)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send("k-1", completion.clone()).await?;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await?;
    let retry = send("k-1", completion.clone()).await?;
    assert_eq!(retry.status(), 200, "the retry gets the same answer, not 409");
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await?;
    assert_eq!(retry, first);
    assert_eq!(history(&app, ACCOUNT.reference).await?.len(), 1, "applied once");
    assert_eq!(app.events("workitem.completed").await?.len(), 1);

    let mut different = completion.clone();
    different["outcome"] = json!("something else");
    let (status, problem) = body(send("k-1", different).await?).await?;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("different request"));
    // Without the key a repeat is simply stale.
    let (status, _) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await?;
    assert_eq!(status, 409);
    app.stop().await
}

#[tokio::test]
async fn four_eyes_a_refund_waits_for_another_team_leader_who_applies_it() -> anyhow::Result<()> {
    let (mut app, id) = claimed("ct-refund", "ct-payments").await?;
    let tess = app.token("tess", Role::TeamLeader)?;
    let tom = app.token("tom", Role::TeamLeader)?;
    let amy = app.token("amy", Role::Officer)?;
    // Tess, a team leader, completes amy's claimed item herself.
    let completion = json!({
        "version": 2,
        "changes": [{ "kind": "refund", "account": ACCOUNT.reference, "amount_pence": 12_550, "reason": "paid twice in May" }],
        "reply": { "template": "refund-issued", "channel": "letter" },
        "outcome": "Refund of £125.50",
    });
    let (status, parked) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &tess, &completion).await?).await?;
    assert_eq!(status, 200, "{parked}");
    assert_eq!(parked["item"]["status"], "awaiting_approval");
    assert_eq!(parked["item"]["completed_by"], "tess");
    let reasons = parked["approval_reasons"].to_string();
    assert!(reasons.contains("ct-refund") && reasons.contains("refund changes need approval"), "{reasons}");
    assert_eq!(parked["applied"], json!([]));
    assert!(history(&app, ACCOUNT.reference).await?.is_empty(), "nothing applied before approval");

    let version = parked["item"]["version"].clone();
    let (status, problem) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/approve"), &tess, &json!({"version": version})).await?)
            .await?;
    assert_eq!(status, 403, "the same person may not approve: {problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("four-eyes"));
    let (status, _) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/approve"), &amy, &json!({"version": version})).await?)
            .await?;
    assert_eq!(status, 403, "officers do not approve");
    let (status, approved) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/approve"), &tom, &json!({"version": version})).await?)
            .await?;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["item"]["status"], "done");
    assert_eq!(approved["applied"][0]["after"]["amount_pence"], 12_550);
    let h = history(&app, ACCOUNT.reference).await?;
    assert_eq!((h.len(), h[0].change_kind.as_str()), (1, "refund"));
    let completed = app.events("workitem.completed").await?;
    assert_eq!(
        (completed[0]["completed_by"].as_str(), completed[0]["approved_by"].as_str()),
        (Some("tess"), Some("tom"))
    );
    assert_eq!(app.events("account.changed").await?[0]["approved_by"], "tom");
    app.stop().await
}

#[tokio::test]
async fn a_backdated_discount_needs_approval_and_a_rejection_returns_it_to_the_officer() -> anyhow::Result<()> {
    let (mut app, id) = claimed("ct-single-person-discount", "ct-discounts").await?;
    let amy = app.token("amy", Role::Officer)?;
    let tess = app.token("tess", Role::TeamLeader)?;
    let completion = json!({
        "version": 2,
        "changes": [{ "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person", "from": today() - Days::new(90) }],
        "outcome": "SPD backdated to when her partner left",
    });
    let (status, parked) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await?;
    assert_eq!(status, 200, "{parked}");
    assert_eq!(parked["item"]["status"], "awaiting_approval");
    assert!(parked["approval_reasons"][0].as_str().unwrap_or_default().contains("backdated 90 days"), "{parked}");
    let version = parked["item"]["version"].clone();
    let (status, _) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/reject"), &tess, &json!({"version": version})).await?)
            .await?;
    assert_eq!(status, 422, "a rejection needs a reason");
    let (status, rejected) = body(
        app.post_json(
            &format!("/api/v1/work-items/{id}/reject"),
            &tess,
            &json!({"version": version, "reason": "ask for proof of the move first"}),
        )
        .await?,
    )
    .await?;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(
        (rejected["item"]["status"].as_str(), rejected["item"]["assignee"].as_str()),
        (Some("in_progress"), Some("amy"))
    );
    assert!(history(&app, ACCOUNT.reference).await?.is_empty());
    // Back with amy, who can complete it differently.
    let version = rejected["item"]["version"].clone();
    let again = json!({
        "version": version,
        "changes": [{ "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person", "from": today() - Days::new(3) }],
        "outcome": "SPD from the date evidenced",
    });
    let (status, done) = body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &again).await?).await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["item"]["status"], "done");
    let detail: Value = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    let rejection = detail["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "rejected")).cloned();
    assert_eq!(rejection.unwrap_or_default()["details"]["reason"], "ask for proof of the move first");
    app.stop().await
}

#[tokio::test]
async fn concurrent_retries_with_one_key_get_one_answer() -> anyhow::Result<()> {
    let (mut app, id) = claimed("ct-single-person-discount", "ct-discounts").await?;
    let amy = app.token("amy", Role::Officer)?;
    let completion = json!({
        "version": 2,
        "changes": [{ "kind": "discount_grant", "account": ACCOUNT.reference, "discount": "single_person", "from": today() }],
        "outcome": "granted",
    });
    let url = app.url(&format!("/api/v1/work-items/{id}/complete"));
    let send =
        || app.client.post(&url).bearer_auth(&amy).header("Idempotency-Key", "double-click").json(&completion).send();
    let (a, b) = tokio::join!(send(), send());
    let (a, b) = (a?, b?);
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    let replayed = [&a, &b].iter().filter(|r| r.headers().contains_key("idempotent-replayed")).count();
    assert_eq!(replayed, 1, "one did the work, the other got its answer");
    let (a, b): (Value, Value) = (a.json().await?, b.json().await?);
    assert_eq!(a, b);
    assert_eq!(history(&app, ACCOUNT.reference).await?.len(), 1, "applied once");
    app.stop().await
}
