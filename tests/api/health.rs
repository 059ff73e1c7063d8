use postroom_e2e::TestApp;

#[tokio::test]
async fn healthz_and_readyz_report_database_and_storage() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let health = app.client.get(app.url("/healthz")).send().await?;
    assert_eq!(health.status(), 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let body = loop {
        let ready = app.client.get(app.url("/readyz")).send().await?;
        assert_eq!(ready.status(), 200);
        let body: serde_json::Value = ready.json().await?;
        if body["status"] == "ready" || std::time::Instant::now() > deadline {
            break body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["storage"], "ok");
    let broker = if app.settings.amqp.url.is_some() { "ok" } else { "not configured" };
    assert_eq!(body["broker"], broker);
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

#[tokio::test]
async fn start_up_fails_fast_naming_an_unreachable_database_or_store() -> anyhow::Result<()> {
    let db = postroom_e2e::TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.database.url = Some(postroom_config::SecretString::from("postgres://u:hunter2@127.0.0.1:1/none"));
        s.database.connect_timeout = Some(std::time::Duration::from_secs(1));
    })
    .await;
    let err = format!("{:#}", db.err().expect("an unreachable database must stop start-up"));
    assert!(err.contains("cannot connect to the database at postgres://u:***@127.0.0.1:1/none"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    let store = postroom_e2e::TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.storage.url = Some("s3://no-such-bucket".to_owned());
        s.storage.endpoint = Some("http://127.0.0.1:1".to_owned());
        s.storage.allow_http = true;
        s.storage.max_retries = 0;
        s.storage.access_key_id = Some("k".to_owned());
        s.storage.secret_access_key = Some(postroom_config::SecretString::from("s"));
    })
    .await;
    let err = format!("{:#}", store.err().expect("unreachable storage must stop start-up"));
    assert!(err.contains("object storage (s3 bucket no-such-bucket) is not usable"), "{err}");
    Ok(())
}
