use postroom_e2e::TestApp;

#[tokio::test]
async fn healthz_and_readyz_report_database_and_storage() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let health = app.client.get(app.url("/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await?;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await?;
    assert_eq!(body["status"], "ready");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["storage"], "ok");
    Ok(())
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_the_clients() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let generated = app.client.get(app.url("/healthz")).send().await?;
    let id = generated.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_owned());
    assert!(id.is_some_and(|id| uuid::Uuid::parse_str(&id).is_ok()));
    let echoed = app.client.get(app.url("/healthz")).header("x-request-id", "abc-123").send().await?;
    assert_eq!(echoed.headers()["x-request-id"], "abc-123");
    Ok(())
}

#[tokio::test]
async fn openapi_document_and_docs_are_served() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let doc: serde_json::Value = app.client.get(app.url("/api/openapi.json")).send().await?.json().await?;
    for path in
        ["/api/v1/intake/scans", "/api/v1/work-items", "/api/v1/work-items/{id}", "/api/v1/documents/{id}/content"]
    {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
    let docs = app.client.get(app.url("/docs/")).send().await?;
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await?.contains("swagger"));
    Ok(())
}
