use postroom_domain::Role;
use postroom_e2e::TestApp;

#[tokio::test]
async fn unknown_routes_and_methods_answer_problem_json() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("alice", Role::Officer)?;
    let resp = app.get("/api/v1/nothing-here", &token).await?;
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let resp = app.client.delete(app.url("/api/v1/work-items")).bearer_auth(&token).send().await?;
    assert_eq!(resp.status(), 405);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    Ok(())
}

#[tokio::test]
async fn bad_ids_and_filters_are_400_and_unknown_ids_404() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("alice", Role::Officer)?;
    for path in [
        "/api/v1/work-items/not-a-uuid",
        "/api/v1/work-items?status=open",
        "/api/v1/work-items?limit=0",
        "/api/v1/work-items?colour=red",
    ] {
        let resp = app.get(path, &token).await?;
        assert_eq!(resp.status(), 400, "{path}");
        assert_eq!(resp.headers()["content-type"], "application/problem+json", "{path}");
    }
    for path in [
        "/api/v1/work-items/00000000-0000-0000-0000-000000000000",
        "/api/v1/documents/00000000-0000-0000-0000-000000000000/content",
        "/api/v1/correspondence/00000000-0000-0000-0000-000000000000",
    ] {
        let resp = app.get(path, &token).await?;
        assert_eq!(resp.status(), 404, "{path}");
        let body: serde_json::Value = resp.json().await?;
        assert_eq!(body["type"], "/problems/not-found");
    }
    Ok(())
}
