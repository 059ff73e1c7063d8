//! What a request may carry and how it is told what is wrong: the ceiling on money in a change,
//! the approval amount for refunds and write-offs, bounded text, and errors that name the field
//! and what is allowed; an action whose fields are all optional needs no body.

use postroom_config::Settings;
use postroom_domain::Role;
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

const ACCOUNT: SeedAccount<'static> = SeedAccount {
    reference: "5000024680",
    service: "council_tax",
    address: "12 Mill Lane, Barchester",
    postcode: "BC3 2ML",
    uprn: Some(100_024_680),
    party: "Ms Ada Lovelace",
    recovery_stage: None,
    vulnerable: false,
};

async fn body(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Option<String>, Value)> {
    let status = resp.status();
    let media = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let text = resp.text().await?;
    Ok((status, media, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

/// The account, amy working `queue`, and a claimed item of `workflow` about the account.
async fn claimed_on(app: &TestApp, workflow: &str, queue: &str) -> anyhow::Result<String> {
    app.set_queues("amy", &[queue]).await?;
    let id = app
        .seed_item(SeedItem { workflow, queue, accounts: &[ACCOUNT.reference], ..SeedItem::default() })
        .await?
        .to_string();
    let amy = app.token("amy", Role::Officer)?;
    let resp = app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?;
    anyhow::ensure!(resp.status() == 200, "claim: {}", resp.text().await?);
    Ok(id)
}

async fn app_with(configure: impl FnOnce(&mut Settings)) -> anyhow::Result<TestApp> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, configure).await?;
    app.seed_account(ACCOUNT).await?;
    Ok(app)
}

async fn complete(app: &TestApp, id: &str, changes: Value) -> anyhow::Result<(StatusCode, Option<String>, Value)> {
    let amy = app.token("amy", Role::Officer)?;
    let completion = json!({ "version": 2, "changes": changes, "outcome": "Done" });
    body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await
}

/// The one field error of a 422 problem.
#[track_caller]
fn one_error(status: StatusCode, media: Option<&str>, problem: &Value) -> (String, String) {
    assert_eq!(status, 422, "{problem}");
    assert_eq!(media, Some("application/problem+json"));
    let errors = problem["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{problem}");
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (text(&errors[0]["field"]), text(&errors[0]["message"]))
}

#[tokio::test]
async fn money_beyond_the_ceiling_is_refused_naming_the_field() -> anyhow::Result<()> {
    let app = app_with(|_| {}).await?;
    let id = claimed_on(&app, "ct-refund", "ct-payments").await?;
    let refund = |amount: Value| json!([{ "kind": "refund", "account": ACCOUNT.reference, "amount_pence": amount, "reason": "overpaid" }]);

    // 2^63 pence is not a number of pence at all.
    let (status, media, problem) = complete(&app, &id, refund(json!(9_223_372_036_854_775_808_u64))).await?;
    let (field, message) = one_error(status, media.as_deref(), &problem);
    assert_eq!(field, "changes[0].amount_pence", "{problem}");
    assert_eq!(message, "must be a whole number of pence, e.g. 12050 for £120.50, not integer `9223372036854775808`");

    // 2^63 - 1 is, but far beyond the ceiling (£10,000,000 by default); so is the ceiling plus a penny.
    for amount in [i64::MAX, 1_000_000_001] {
        let (status, media, problem) = complete(&app, &id, refund(json!(amount))).await?;
        let (field, message) = one_error(status, media.as_deref(), &problem);
        assert!(field.starts_with("changes[0]"), "{problem}");
        assert!(message.starts_with("amount_pence must be at most 1000000000 (£10,000,000.00)"), "{message}");
    }
    // Nor nothing, nor less.
    let (status, media, problem) = complete(&app, &id, refund(json!(-100))).await?;
    assert_eq!(one_error(status, media.as_deref(), &problem).1, "amount_pence must be more than zero");

    let amy = app.token("amy", Role::Officer)?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    assert_eq!(item["status"], "in_progress", "nothing was parked or applied: {item}");
    Ok(())
}

#[tokio::test]
async fn a_configured_ceiling_holds_in_a_completion() -> anyhow::Result<()> {
    let app = app_with(|s| s.work.max_amount_pence = 500_000).await?;
    let id = claimed_on(&app, "ct-refund", "ct-payments").await?;
    let refund = |amount: i64| json!([{ "kind": "refund", "account": ACCOUNT.reference, "amount_pence": amount, "reason": "overpaid" }]);
    let (status, media, problem) = complete(&app, &id, refund(500_001)).await?;
    let (field, message) = one_error(status, media.as_deref(), &problem);
    assert_eq!(field, "changes[0]", "{problem}");
    assert!(message.starts_with("amount_pence must be at most 500000 (£5,000.00)"), "{message}");
    let (status, _, parked) = complete(&app, &id, refund(500_000)).await?;
    assert_eq!((status, parked["item"]["status"].as_str()), (StatusCode::OK, Some("awaiting_approval")), "{parked}");
    Ok(())
}

#[tokio::test]
async fn refunds_and_write_offs_above_the_approval_amount_wait_for_a_team_leader_whatever_the_kinds()
-> anyhow::Result<()> {
    let app = app_with(|s| {
        s.work.approval_kinds = Vec::new();
        s.work.approval_amount_pence = 50_000;
    })
    .await?;
    let write_off = |amount: i64| json!([{ "kind": "write_off", "account": ACCOUNT.reference, "amount_pence": amount, "reason": "bankruptcy: provable debt" }]);

    // ct-insolvency does not need approval itself: a write-off at the amount is applied at once…
    let small = claimed_on(&app, "ct-insolvency", "ct-recovery").await?;
    let (status, _, done) = complete(&app, &small, write_off(50_000)).await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["item"]["status"], "done", "{done}");
    assert_eq!(done["approval_reasons"], json!([]));

    // …one a penny above it waits, saying why.
    let large = claimed_on(&app, "ct-insolvency", "ct-recovery").await?;
    let (status, _, parked) = complete(&app, &large, write_off(50_001)).await?;
    assert_eq!(status, 200, "{parked}");
    assert_eq!(parked["item"]["status"], "awaiting_approval", "{parked}");
    assert_eq!(
        parked["approval_reasons"],
        json!(["a write-off of £500.01 is more than £500.00, the most an officer may make alone"])
    );
    assert_eq!(parked["applied"], json!([]));

    // A refund above it gives the amount as a reason besides the workflow (not its kind).
    let refund = claimed_on(&app, "ct-refund", "ct-payments").await?;
    let changes =
        json!([{ "kind": "refund", "account": ACCOUNT.reference, "amount_pence": 75_000, "reason": "overpaid" }]);
    let (status, _, parked) = complete(&app, &refund, changes).await?;
    assert_eq!(status, 200, "{parked}");
    assert_eq!(parked["item"]["status"], "awaiting_approval");
    let reasons = parked["approval_reasons"].to_string();
    assert!(reasons.contains("a refund of £750.00 is more than £500.00"), "{reasons}");
    assert!(!reasons.contains("refund changes need approval"), "approval_kinds is empty: {reasons}");
    Ok(())
}

#[tokio::test]
async fn change_errors_name_the_field_and_what_is_allowed() -> anyhow::Result<()> {
    let app = app_with(|_| {}).await?;
    let id = claimed_on(&app, "ct-general-enquiry", "ct-enquiries").await?;

    let (status, media, problem) =
        complete(&app, &id, json!([{ "kind": "teleport", "account": ACCOUNT.reference }])).await?;
    let (field, message) = one_error(status, media.as_deref(), &problem);
    assert_eq!(field, "changes[0].kind", "{problem}");
    assert!(message.starts_with("\"teleport\" is not a kind of account change; use one of move_in, move_out, "));
    assert!(message.ends_with("refund, write_off, note"), "every kind is listed: {message}");

    let bad_date = json!([{ "kind": "third_party_authority_end", "account": ACCOUNT.reference, "name": "Ms Byron", "last_day": "2026-02-30" }]);
    let (status, media, problem) = complete(&app, &id, bad_date).await?;
    let (field, message) = one_error(status, media.as_deref(), &problem);
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("changes[0].last_day", "must be a date as YYYY-MM-DD (e.g. 2026-04-01)")
    );

    let long_note = json!([{ "kind": "note", "account": ACCOUNT.reference, "text": "x".repeat(10_001) }]);
    let (status, media, problem) = complete(&app, &id, long_note).await?;
    let (field, message) = one_error(status, media.as_deref(), &problem);
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("changes[0].text", "must be at most 10000 characters (this has 10001)")
    );
    assert!(problem.to_string().len() < 2_000, "the text is not echoed back");
    Ok(())
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_a_422_naming_the_field() -> anyhow::Result<()> {
    let app = app_with(|_| {}).await?;
    let id = claimed_on(&app, "ct-general-enquiry", "ct-enquiries").await?;
    let amy = app.token("amy", Role::Officer)?;
    let pend = format!("/api/v1/work-items/{id}/pend");

    let (status, media, problem) =
        body(app.post_json(&pend, &amy, &json!({ "reason": "asked for the tenancy agreement" })).await?).await?;
    assert_eq!(one_error(status, media.as_deref(), &problem), ("bring_forward_on".to_owned(), "required".to_owned()));
    assert_eq!(problem["detail"], "bring_forward_on: required");

    let unknown = json!({ "reason": "r", "bring_forward_on": "2027-01-04", "colour": "red" });
    let (status, media, problem) = body(app.post_json(&pend, &amy, &unknown).await?).await?;
    assert_eq!(
        one_error(status, media.as_deref(), &problem),
        ("colour".to_owned(), "unknown field; accepted fields: version, reason, bring_forward_on".to_owned())
    );

    let wrong = json!({ "version": "2", "reason": "r", "bring_forward_on": "2027-01-04" });
    let (status, media, problem) = body(app.post_json(&pend, &amy, &wrong).await?).await?;
    let (field, message) = one_error(status, media.as_deref(), &problem);
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("version", "must be a whole number from -2147483648 to 2147483647, not string \"2\"")
    );

    let bad_date = json!({ "reason": "r", "bring_forward_on": "4 January" });
    let (status, media, problem) = body(app.post_json(&pend, &amy, &bad_date).await?).await?;
    let (field, message) = one_error(status, media.as_deref(), &problem);
    assert_eq!(
        (field.as_str(), message.as_str()),
        ("bring_forward_on", "must be a date as YYYY-MM-DD (e.g. 2026-04-01)")
    );

    // Not JSON at all: 400, saying where.
    let resp = app
        .client
        .post(app.url(&pend))
        .bearer_auth(&amy)
        .header(header::CONTENT_TYPE, "application/json")
        .body("{\"reason\": \"r\",,}")
        .send()
        .await?;
    let (status, media, problem) = body(resp).await?;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(media.as_deref(), Some("application/problem+json"));
    assert!(problem["detail"].as_str().unwrap_or_default().contains("(line 1, column 16)"), "{problem}");
    Ok(())
}

#[tokio::test]
async fn an_action_whose_fields_are_all_optional_needs_no_body() -> anyhow::Result<()> {
    let app = app_with(|_| {}).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let seed = || SeedItem { accounts: &[ACCOUNT.reference], ..SeedItem::default() };

    // No body and no Content-Type: read as {}.
    let id = app.seed_item(seed()).await?;
    let resp = app.client.post(app.url(&format!("/api/v1/work-items/{id}/claim"))).bearer_auth(&amy).send().await?;
    let (status, _, item) = body(resp).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["status"], "in_progress");
    assert_eq!(item["assignee"], "amy");

    // An empty body with some other Content-Type likewise.
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/work-items/{id}/release")))
        .bearer_auth(&amy)
        .header(header::CONTENT_TYPE, "text/plain")
        .send()
        .await?;
    let (status, _, item) = body(resp).await?;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["status"], "ready");

    // A body that is not declared JSON is still refused.
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/work-items/{id}/claim")))
        .bearer_auth(&amy)
        .header(header::CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await?;
    let (status, media, problem) = body(resp).await?;
    assert_eq!(status, 415, "{problem}");
    assert_eq!(media.as_deref(), Some("application/problem+json"));

    // An empty body where fields are required names the missing one.
    let resp = app.client.post(app.url(&format!("/api/v1/work-items/{id}/claim"))).bearer_auth(&amy).send().await?;
    assert_eq!(resp.status(), 200);
    let resp = app.client.post(app.url(&format!("/api/v1/work-items/{id}/pend"))).bearer_auth(&amy).send().await?;
    let (status, media, problem) = body(resp).await?;
    assert_eq!(one_error(status, media.as_deref(), &problem), ("reason".to_owned(), "required".to_owned()));
    Ok(())
}
