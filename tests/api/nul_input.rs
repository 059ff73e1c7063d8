//! The NUL character (U+0000) in what a caller sends is refused before it reaches the database,
//! the same on SQLite and PostgreSQL (which cannot store or compare it): in a path segment or a
//! query parameter with a 400 naming it, in a JSON body with a 422 naming every field.

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ACCOUNT: SeedAccount<'static> = SeedAccount {
    reference: "5000013579",
    service: "council_tax",
    address: "3 Quay Street, Barchester",
    postcode: "BC2 7QS",
    uprn: Some(100_013_579),
    party: "Mr Tom Nul",
    recovery_stage: None,
    vulnerable: false,
};

/// The status and problem document of a refusal, checking it is problem+json.
async fn problem(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Value)> {
    let status = resp.status();
    let media = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body: Value = resp.json().await?;
    assert_eq!(media.as_deref(), Some("application/problem+json"), "{status} {body}");
    Ok((status, body))
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn a_nul_in_a_path_segment_is_a_400_naming_the_segment() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    let officer = app.token("amy", Role::Officer)?;
    for path in [
        "/api/v1/accounts/5000013579%00",
        "/api/v1/accounts/%00/charge",
        "/api/v1/accounts/5000%0013579/history",
        "/api/v1/work-items/WI-2026-000001%00",
    ] {
        let (status, body) = problem(app.get(path, &officer).await?).await?;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["type"], "/problems/bad-request");
        assert!(body["detail"].as_str().unwrap_or_default().contains("NUL"), "{path}: {body}");
    }
    let lead = app.token("tl", Role::TeamLeader)?;
    let resp = app
        .client
        .put(app.url("/api/v1/officers/al%00ice/queues"))
        .bearer_auth(&lead)
        .json(&json!({ "queues": ["ct-enquiries"] }))
        .send()
        .await?;
    let (status, body) = problem(resp).await?;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().unwrap_or_default().contains("{user}"), "names the segment: {body}");
    Ok(())
}

#[tokio::test]
async fn a_nul_in_a_query_parameter_is_a_400_naming_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let officer = app.token("amy", Role::Officer)?;
    for (path, name) in [
        ("/api/v1/accounts?q=smith%00", "q"),
        ("/api/v1/work-items?assignee=amy%00", "assignee"),
        ("/api/v1/work-items?queue=%00triage", "queue"),
        ("/api/v1/work-items?q=WI-2026%00", "q"),
    ] {
        let (status, body) = problem(app.get(path, &officer).await?).await?;
        assert_eq!(status, 400, "{path}: {body}");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(&format!("query parameter {name}")) && detail.contains("NUL"), "{path}: {body}");
    }
    Ok(())
}

#[tokio::test]
async fn a_nul_in_a_json_field_is_a_422_naming_each_field() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let item = app.seed_item(SeedItem { accounts: &[ACCOUNT.reference], ..SeedItem::default() }).await?;
    let lead = app.token("tl", Role::TeamLeader)?;
    let reassign = json!({ "assignee": "amy\u{0}", "reason": "cover\u{0}ing" });
    let (status, body) =
        problem(app.post_json(&format!("/api/v1/work-items/{item}/reassign"), &lead, &reassign).await?).await?;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "/problems/validation-failed");
    assert_eq!(fields(&body), ["assignee", "reason"]);

    let resp = app
        .client
        .put(app.url("/api/v1/officers/amy/queues"))
        .bearer_auth(&lead)
        .json(&json!({ "queues": ["ct-enquiries", "tri\u{0}age"] }))
        .send()
        .await?;
    let (status, body) = problem(resp).await?;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["queues[1]"]);

    let amy = app.token("amy", Role::Officer)?;
    let completion = json!({ "version": 1, "changes": [], "outcome": "Done\u{0}" });
    let (status, body) =
        problem(app.post_json(&format!("/api/v1/work-items/{item}/complete"), &amy, &completion).await?).await?;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["outcome"]);

    let still = app.get_json("/api/v1/officers/amy/queues", &lead).await?;
    assert!(!still.to_string().contains("\\u0000"), "nothing with a NUL was stored: {still}");
    Ok(())
}
