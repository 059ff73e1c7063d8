//! The process rules of casework found by use: who returns a referral, resuming back to the
//! officer, reopening, re-routing, indexing that needs an account, cancelling outside one's
//! queues, approvals recorded on the account, idempotency after a decision, text limits and
//! actions with no body.

use chrono::{Days, Utc};
use postroom_domain::{Role, WorkItemStatus, london_date};
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ACCOUNT: SeedAccount<'static> = SeedAccount {
    reference: "5000024680",
    service: "council_tax",
    address: "12 Cathedral Close, Barchester",
    postcode: "BC1 2CC",
    uprn: Some(100_024_680),
    party: "Ms Eleanor Bold",
    recovery_stage: None,
    vulnerable: false,
};

async fn body(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Value)> {
    let status = resp.status();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

async fn act(app: &TestApp, token: &str, id: &str, action: &str, req: Value) -> anyhow::Result<(StatusCode, Value)> {
    body(app.post_json(&format!("/api/v1/work-items/{id}/{action}"), token, &req).await?).await
}

fn today() -> chrono::NaiveDate {
    london_date(Utc::now())
}

/// The audit entries of `action` on the item.
async fn entries(app: &TestApp, token: &str, id: &str, action: &str) -> anyhow::Result<Vec<Value>> {
    let detail = app.get_json(&format!("/api/v1/work-items/{id}"), token).await?;
    Ok(detail["history"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["action"] == action)
        .collect())
}

#[tokio::test]
async fn a_referral_is_returned_by_the_queue_it_went_to_not_by_the_officer_who_referred_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    app.set_queues("fred", &["fraud"]).await?;
    let (amy, fred) = (app.token("amy", Role::Officer)?, app.token("fred", Role::Officer)?);
    let id = app.seed_item(SeedItem::default()).await?.to_string();
    assert_eq!(act(&app, &amy, &id, "claim", json!({})).await?.0, 200);
    let (status, referred) =
        act(&app, &amy, &id, "refer", json!({"queue": "fraud", "reason": "two names, one bed"})).await?;
    assert_eq!((status, referred["status"].as_str()), (StatusCode::OK, Some("referred")), "{referred}");

    let (status, problem) = act(&app, &amy, &id, "return", json!({})).await?;
    assert_eq!(status, 403, "the referrer cannot take her own referral back: {problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("fraud"), "{problem}");
    let (status, returned) = act(&app, &fred, &id, "return", json!({"reason": "nothing found"})).await?;
    assert_eq!(status, 200, "{returned}");
    assert_eq!((returned["status"].as_str(), returned["queue"].as_str()), (Some("ready"), Some("ct-enquiries")));
    Ok(())
}

#[tokio::test]
async fn resuming_a_pended_item_gives_it_back_to_the_officer_who_held_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let id = app.seed_item(SeedItem::default()).await?.to_string();
    assert_eq!(act(&app, &amy, &id, "claim", json!({})).await?.0, 200);
    let bring_forward = today() + Days::new(14);
    let (status, pended) = act(
        &app,
        &amy,
        &id,
        "pend",
        json!({"reason": "asked for the tenancy agreement", "bring_forward_on": bring_forward}),
    )
    .await?;
    assert_eq!((status, pended["assignee"].as_str()), (StatusCode::OK, Some("amy")), "{pended}");
    let (status, resumed) = act(&app, &amy, &id, "resume", json!({})).await?;
    assert_eq!(status, 200, "{resumed}");
    assert_eq!((resumed["status"].as_str(), resumed["assignee"].as_str()), (Some("in_progress"), Some("amy")));
    assert_eq!(entries(&app, &amy, &id, "resumed").await?[0]["details"]["back_to"], "amy");
    Ok(())
}

#[tokio::test]
async fn a_team_leader_reopens_a_done_item_with_a_reason_and_its_clock_starts_again() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let (amy, tess) = (app.token("amy", Role::Officer)?, app.token("tess", Role::TeamLeader)?);
    let received = Utc::now() - chrono::Duration::days(40);
    let id = app
        .seed_item(SeedItem { received_at: received, due_on: today() - Days::new(20), ..SeedItem::default() })
        .await?
        .to_string();
    assert_eq!(act(&app, &amy, &id, "claim", json!({})).await?.0, 200);
    let (status, done) = act(&app, &amy, &id, "complete", json!({"version": 2, "outcome": "answered"})).await?;
    assert_eq!((status, done["item"]["status"].as_str()), (StatusCode::OK, Some("done")), "{done}");

    assert_eq!(act(&app, &amy, &id, "reopen", json!({"reason": "she wrote back"})).await?.0, 403, "officers do not");
    let (status, problem) = act(&app, &tess, &id, "reopen", json!({"reason": "  "})).await?;
    assert_eq!(status, 422, "a reason is required: {problem}");
    assert_eq!(problem["errors"][0]["field"], "reason");
    let (status, reopened) = act(&app, &tess, &id, "reopen", json!({"reason": "the answer was wrong"})).await?;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!(reopened["status"], "ready");
    assert_eq!((reopened["assignee"].clone(), reopened["completed_by"].clone()), (Value::Null, Value::Null));
    assert_eq!(reopened["overdue"], false, "the deadline counts from the reopening, not the receipt");
    let due: chrono::NaiveDate = serde_json::from_value(reopened["due_on"].clone())?;
    assert!(due > today(), "{due}");
    let audit = entries(&app, &tess, &id, "reopened").await?;
    assert_eq!(audit[0]["details"]["reason"], "the answer was wrong");
    assert_eq!((audit[0]["from_status"].as_str(), audit[0]["actor"].as_str()), (Some("done"), Some("tess")));
    // Open again, it can be claimed and finished again.
    assert_eq!(act(&app, &amy, &id, "claim", json!({})).await?.0, 200);
    assert_eq!(act(&app, &tess, &id, "reopen", json!({"reason": "again"})).await?.0, 409, "only done or cancelled");
    Ok(())
}

#[tokio::test]
async fn an_officer_cancels_only_in_a_queue_they_work() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-discounts"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let elsewhere = app.seed_item(SeedItem::default()).await?.to_string();
    let (status, problem) = act(&app, &amy, &elsewhere, "cancel", json!({"reason": "duplicate"})).await?;
    assert_eq!(status, 403, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("ct-enquiries"), "{problem}");
    let mine = app.seed_item(SeedItem { queue: "ct-discounts", ..SeedItem::default() }).await?.to_string();
    assert_eq!(act(&app, &amy, &mine, "cancel", json!({"reason": "duplicate"})).await?.0, 200);
    Ok(())
}

/// A triage item, as the post room finds it.
async fn triage_item(app: &TestApp) -> anyhow::Result<String> {
    let db = app.database().await?;
    let now = Utc::now();
    let new = postroom_db::work_items::NewWorkItem {
        correspondence_id: None,
        workflow: "triage".to_owned(),
        queue: "triage".to_owned(),
        priority: postroom_domain::Priority::P3,
        status: WorkItemStatus::Triage,
        received_at: now,
        due_on: today() + Days::new(1),
        reason: Some("no account found".to_owned()),
    };
    let item = postroom_db::work_items::create(&db, new, "test", now).await?;
    db.close().await?;
    Ok(item.id.to_string())
}

#[tokio::test]
async fn indexing_a_council_tax_workflow_needs_an_account_and_a_team_leader_reroutes_a_ready_item() -> anyhow::Result<()>
{
    let app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    let (pat, tess, amy) =
        (app.token("pat", Role::PostRoom)?, app.token("tess", Role::TeamLeader)?, app.token("amy", Role::Officer)?);
    let id = triage_item(&app).await?;
    let (status, problem) = act(&app, &pat, &id, "index", json!({"version": 1, "workflow": "ct-moving-out"})).await?;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "accounts");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("needs the account"), "{problem}");
    let (status, still) = body(app.get(&format!("/api/v1/work-items/{id}"), &pat).await?).await?;
    assert_eq!((status, still["status"].as_str()), (StatusCode::OK, Some("triage")), "nothing changed");

    let (status, indexed) = act(
        &app,
        &pat,
        &id,
        "index",
        json!({"version": 1, "workflow": "ct-moving-out", "accounts": [ACCOUNT.reference]}),
    )
    .await?;
    assert_eq!((status, indexed["workflow"].as_str()), (StatusCode::OK, Some("ct-moving-out")), "{indexed}");

    // Wrongly indexed: a team leader re-routes it with a reason; nobody else may.
    let version = indexed["version"].clone();
    let to_spd = json!({"version": version, "workflow": "ct-single-person-discount", "reason": "a discount claim"});
    assert_eq!(act(&app, &amy, &id, "reroute", to_spd.clone()).await?.0, 403);
    let (status, problem) =
        act(&app, &tess, &id, "reroute", json!({"version": version, "workflow": "ct-single-person-discount"})).await?;
    assert_eq!(status, 422, "a reason is required: {problem}");
    let (status, rerouted) = act(&app, &tess, &id, "reroute", to_spd).await?;
    assert_eq!(status, 200, "{rerouted}");
    assert_eq!(
        (rerouted["workflow"].as_str(), rerouted["queue"].as_str(), rerouted["status"].as_str()),
        (Some("ct-single-person-discount"), Some("ct-discounts"), Some("ready"))
    );
    let audit = entries(&app, &tess, &id, "rerouted").await?;
    assert_eq!(
        audit[0]["details"]["workflow"],
        json!({"before": "ct-moving-out", "after": "ct-single-person-discount"})
    );
    Ok(())
}

/// An app with ACCOUNT, amy working ct-payments, and her claimed refund item.
async fn claimed_refund() -> anyhow::Result<(TestApp, String)> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    app.set_queues("amy", &["ct-payments"]).await?;
    let item =
        SeedItem { workflow: "ct-refund", queue: "ct-payments", accounts: &[ACCOUNT.reference], ..SeedItem::default() };
    let id = app.seed_item(item).await?.to_string();
    let amy = app.token("amy", Role::Officer)?;
    anyhow::ensure!(act(&app, &amy, &id, "claim", json!({})).await?.0 == 200, "claim");
    Ok((app, id))
}

fn refund(version: i64) -> Value {
    json!({
        "version": version,
        "changes": [{ "kind": "refund", "account": ACCOUNT.reference, "amount_pence": 4_200, "reason": "overpaid" }],
        "outcome": "Refund of £42.00",
    })
}

#[tokio::test]
async fn an_approved_change_records_its_approver_and_the_item_shows_why_it_waits() -> anyhow::Result<()> {
    let (app, id) = claimed_refund().await?;
    let (amy, tess) = (app.token("amy", Role::Officer)?, app.token("tess", Role::TeamLeader)?);
    let (status, parked) = act(&app, &amy, &id, "complete", refund(2)).await?;
    assert_eq!(status, 200, "{parked}");
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &tess).await?;
    assert_eq!(item["status"], "awaiting_approval");
    assert!(item["approval_reasons"].to_string().contains("refund"), "the item says why: {item}");
    let (status, approved) = act(&app, &tess, &id, "approve", json!({"version": item["version"]})).await?;
    assert_eq!(status, 200, "{approved}");
    assert!(approved["item"].get("approval_reasons").is_none(), "no longer waiting: {approved}");
    let history = app.get_json(&format!("/api/v1/accounts/{}/history", ACCOUNT.reference), &tess).await?;
    let entry = history.as_array().and_then(|h| h.first()).cloned().unwrap_or_default();
    assert_eq!((entry["kind"].as_str(), entry["actor"].as_str()), (Some("refund"), Some("amy")), "{history}");
    assert_eq!(entry["approved_by"], "tess", "{history}");
    Ok(())
}

#[tokio::test]
async fn the_same_idempotency_key_after_a_rejection_is_a_new_completion() -> anyhow::Result<()> {
    let (app, id) = claimed_refund().await?;
    let (amy, tess) = (app.token("amy", Role::Officer)?, app.token("tess", Role::TeamLeader)?);
    let send = |version: i64| {
        app.client
            .post(app.url(&format!("/api/v1/work-items/{id}/complete")))
            .bearer_auth(&amy)
            .header("Idempotency-Key", "refund-form-1")
            .json(&refund(version))
            .send()
    };
    let (status, parked) = body(send(2).await?).await?;
    assert_eq!((status, parked["item"]["status"].as_str()), (StatusCode::OK, Some("awaiting_approval")));
    let version = parked["item"]["version"].as_i64().unwrap_or_default();
    let retried = send(2).await?;
    assert_eq!(retried.headers().get("idempotent-replayed").map(|v| v.as_bytes()), Some(b"true".as_slice()));
    let reason = json!({"version": version, "reason": "ask for the bank statement"});
    let (status, rejected) = act(&app, &tess, &id, "reject", reason).await?;
    assert_eq!(status, 200, "{rejected}");
    // The stored "awaiting approval" is no longer true: the same request is answered afresh,
    // here with the item's real state (back with amy at a new version).
    let (status, problem) = body(send(2).await?).await?;
    assert_eq!(status, 409, "not a stale 200: {problem}");
    let version = rejected["item"]["version"].as_i64().unwrap_or_default();
    let (status, again) = body(send(version).await?).await?;
    assert_eq!((status, again["item"]["status"].as_str()), (StatusCode::OK, Some("awaiting_approval")), "{again}");
    Ok(())
}

#[tokio::test]
async fn free_text_is_bounded_and_the_error_names_the_field() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let id = app.seed_item(SeedItem::default()).await?.to_string();
    assert_eq!(act(&app, &amy, &id, "claim", json!({})).await?.0, 200);
    let long = "x".repeat(postroom_casework::MAX_REASON_CHARS + 1);
    let (status, problem) =
        act(&app, &amy, &id, "pend", json!({"reason": long, "bring_forward_on": today() + Days::new(7)})).await?;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reason");
    let (status, problem) = act(&app, &amy, &id, "complete", json!({"version": 2, "outcome": long})).await?;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "outcome");
    let (status, problem) = act(&app, &amy, &id, "notes", json!({"text": "y".repeat(10_001)})).await?;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("text")));
    Ok(())
}

#[tokio::test]
async fn a_cancelled_triage_item_reopens_in_triage_and_a_pended_item_stays_its_officers() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    app.set_queues("bob", &["ct-enquiries"]).await?;
    app.set_queues("cat", &["ct-discounts"]).await?;
    let (pat, tess) = (app.token("pat", Role::PostRoom)?, app.token("tess", Role::TeamLeader)?);
    let (amy, bob, cat) =
        (app.token("amy", Role::Officer)?, app.token("bob", Role::Officer)?, app.token("cat", Role::Officer)?);

    // Never sorted: reopened, it goes back to be sorted, where the post room can index it.
    let id = triage_item(&app).await?;
    assert_eq!(act(&app, &pat, &id, "cancel", json!({"reason": "sent_in_error"})).await?.0, 200);
    let (status, reopened) = act(&app, &tess, &id, "reopen", json!({"reason": "it was for us after all"})).await?;
    assert_eq!(status, 200, "{reopened}");
    assert_eq!((reopened["status"].as_str(), reopened["queue"].as_str()), (Some("triage"), Some("triage")));

    // Pended by amy: bob (same queue) cannot cancel it, cat (another queue) cannot resume it.
    let item = app.seed_item(SeedItem::default()).await?.to_string();
    assert_eq!(act(&app, &amy, &item, "claim", json!({})).await?.0, 200);
    let pend = json!({"reason": "asked for proof", "bring_forward_on": today() + Days::new(10)});
    assert_eq!(act(&app, &amy, &item, "pend", pend).await?.0, 200);
    let (status, problem) = act(&app, &bob, &item, "cancel", json!({"reason": "duplicate"})).await?;
    assert_eq!(status, 409, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("awaiting_customer, claimed by amy"), "{problem}");
    assert_eq!(act(&app, &cat, &item, "resume", json!({})).await?.0, 403, "not cat's queue");
    let (status, resumed) = act(&app, &bob, &item, "resume", json!({"reason": "customer phoned"})).await?;
    assert_eq!((status, resumed["assignee"].as_str()), (StatusCode::OK, Some("amy")), "{resumed}");

    // Nothing is referred to triage.
    let (status, problem) = act(&app, &amy, &item, "refer", json!({"queue": "triage", "reason": "x"})).await?;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("queue")));
    Ok(())
}

#[tokio::test]
async fn a_rejection_reason_over_the_limit_says_so() -> anyhow::Result<()> {
    let (app, id) = claimed_refund().await?;
    let (amy, tess) = (app.token("amy", Role::Officer)?, app.token("tess", Role::TeamLeader)?);
    let (_, parked) = act(&app, &amy, &id, "complete", refund(2)).await?;
    let long = "r".repeat(postroom_casework::MAX_REASON_CHARS + 1);
    let (status, problem) =
        act(&app, &tess, &id, "reject", json!({"version": parked["item"]["version"], "reason": long})).await?;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["message"], "at most 2000 characters", "{problem}");
    Ok(())
}

#[tokio::test]
async fn indexing_counts_the_account_the_classifier_already_linked() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    let pat = app.token("pat", Role::PostRoom)?;
    let id = triage_item(&app).await?;
    // The classifier found the account but no workflow reached the threshold.
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[ACCOUNT.reference.to_owned()]).await?.remove(0);
    postroom_db::accounts::link_to_item(&db, id.parse()?, account.id, "reference", Utc::now()).await?;
    db.close().await?;
    let (status, indexed) = act(&app, &pat, &id, "index", json!({"version": 1, "workflow": "ct-moving-out"})).await?;
    assert_eq!((status, indexed["status"].as_str()), (StatusCode::OK, Some("ready")), "{indexed}");
    Ok(())
}
