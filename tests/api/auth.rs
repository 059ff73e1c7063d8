use postroom_auth::HmacKeys;
use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};

async fn assert_unauthorized(resp: reqwest::Response) -> anyhow::Result<()> {
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    assert!(resp.headers().contains_key("www-authenticate"));
    let body: serde_json::Value = resp.json().await?;
    assert_eq!(body["type"], "/problems/unauthorized");
    assert_eq!(body["status"], 401);
    Ok(())
}

#[tokio::test]
async fn api_routes_refuse_requests_without_a_token() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    for path in ["/api/v1/work-items", "/api/v1/work-items/00000000-0000-0000-0000-000000000000"] {
        assert_unauthorized(app.client.get(app.url(path)).send().await?).await?;
    }
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(pdf("x")).file_name("x.pdf"));
    assert_unauthorized(app.client.post(app.url("/api/v1/intake/scans")).multipart(form).send().await?).await?;
    Ok(())
}

#[tokio::test]
async fn malformed_forged_and_wrongly_prefixed_tokens_are_refused() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let forged =
        HmacKeys::from_secret(&[9u8; 32])?.issue("mallory", Role::Admin, std::time::Duration::from_secs(60))?;
    let good = app.token("alice", Role::Officer)?;
    for header in
        ["Bearer not-a-token".to_owned(), format!("Bearer {forged}"), format!("Basic {good}"), "Bearer ".to_owned()]
    {
        let resp = app.client.get(app.url("/api/v1/work-items")).header("authorization", header).send().await?;
        assert_unauthorized(resp).await?;
    }
    assert_eq!(app.get("/api/v1/work-items", &good).await?.status(), 200);
    Ok(())
}

#[tokio::test]
async fn roles_that_may_not_upload_scans_get_403() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    for role in [Role::Officer, Role::TeamLeader, Role::Auditor] {
        let resp = app.post_scans(&app.token("u1", role)?, &[("a.pdf", &pdf("a"))], &[]).await?;
        assert_eq!(resp.status(), 403, "{role}");
        let body: serde_json::Value = resp.json().await?;
        assert_eq!(body["type"], "/problems/forbidden");
    }
    for role in [Role::PostRoom, Role::Admin, Role::Service] {
        let resp =
            app.post_scans(&app.token("u2", role)?, &[(&format!("{role}.pdf"), &pdf(role.as_str()))], &[]).await?;
        assert_eq!(resp.status(), 201, "{role}");
    }
    Ok(())
}

#[tokio::test]
async fn the_token_command_key_is_the_key_the_service_verifies_with() -> anyhow::Result<()> {
    // `postroom token` and `postroom serve` share the key kept in the data directory.
    let app = TestApp::spawn().await?;
    let key_file = HmacKeys::default_path(&app.data_dir());
    assert!(key_file.exists(), "the embedded default keeps its key in the data directory");
    let token = HmacKeys::load_or_create(&key_file)?.issue("bob", Role::Auditor, std::time::Duration::from_secs(60))?;
    assert_eq!(app.get("/api/v1/work-items", &token).await?.status(), 200);
    Ok(())
}

async fn revoke(app: &TestApp, admin: &str, body: serde_json::Value) -> anyhow::Result<(u16, serde_json::Value)> {
    let resp = app.post_json("/api/v1/admin/tokens/revoke", admin, &body).await?;
    Ok((resp.status().as_u16(), resp.json().await?))
}

#[tokio::test]
async fn a_revoked_token_and_every_token_of_a_revoked_user_get_401_at_once() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.token("root", Role::Admin)?;
    let (lost, kept) = (app.token("amy", Role::Officer)?, app.token("amy", Role::Officer)?);
    let other = app.token("bob", Role::Officer)?;

    let (status, done) = revoke(&app, &admin, serde_json::json!({"token": lost, "reason": "laptop lost"})).await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["user"], "amy");
    let refused = app.get("/api/v1/work-items", &lost).await?;
    let problem = refused.text().await?;
    assert!(problem.contains("revoked"), "{problem}");
    assert_eq!(app.get("/api/v1/work-items", &kept).await?.status(), 200, "her other token still works");

    // A leaver: every token of the user issued until now, and only theirs.
    let (status, done) = revoke(&app, &admin, serde_json::json!({"user": "amy"})).await?;
    assert_eq!(status, 200, "{done}");
    assert_unauthorized(app.get("/api/v1/work-items", &kept).await?).await?;
    assert_eq!(app.get("/api/v1/work-items", &other).await?.status(), 200);
    // A token issued afterwards (the next second: tokens carry whole seconds) works.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.get("/api/v1/work-items", &app.token("amy", Role::Officer)?).await?.status(), 200);

    // Only admins revoke; exactly one of token and user; only our tokens.
    assert_eq!(revoke(&app, &other, serde_json::json!({"user": "amy"})).await?.0, 403);
    assert_eq!(revoke(&app, &admin, serde_json::json!({})).await?.0, 422);
    assert_eq!(revoke(&app, &admin, serde_json::json!({"token": other, "user": "bob"})).await?.0, 422);
    let forged = HmacKeys::from_secret(&[9u8; 32])?.issue("bob", Role::Officer, std::time::Duration::from_secs(60))?;
    assert_eq!(revoke(&app, &admin, serde_json::json!({"token": forged})).await?.0, 422);
    Ok(())
}

#[tokio::test]
async fn no_token_lives_longer_than_the_configured_maximum() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let keys = postroom::app::signing_keys(&app.settings)?;
    assert_eq!(keys.max_lifetime(), postroom_auth::DEFAULT_MAX_LIFETIME, "90 days unless configured");
    let thousand_years = std::time::Duration::from_secs(1000 * 365 * 24 * 3600);
    let refused = keys.issue("root", Role::Admin, thousand_years);
    assert!(refused.is_err_and(|e| e.to_string().contains("at most 90 days")));
    // Signed with the same key for longer (an old setting, a leaked key): refused.
    let unlimited = postroom_auth::HmacKeys::load_or_create(&HmacKeys::default_path(&app.settings.data_dir))?
        .with_max_lifetime(thousand_years)
        .issue("root", Role::Admin, thousand_years)?;
    assert_unauthorized(app.get("/api/v1/work-items", &unlimited).await?).await?;
    Ok(())
}
