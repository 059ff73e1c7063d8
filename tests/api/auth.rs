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
