use postroom::ServeRole;
use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};

#[tokio::test]
async fn an_event_committed_before_a_stop_is_dispatched_after_restart() -> anyhow::Result<()> {
    // The API alone records the scan and its outbox event; no worker runs to deliver it.
    let mut app = TestApp::spawn_with(ServeRole::Api, |_| {}).await?;
    let token = app.token("pat", Role::PostRoom)?;
    let letter = pdf("held in the outbox");
    let receipt: serde_json::Value = app.post_scans(&token, &[("a.pdf", &letter)], &[]).await?.json().await?;
    let ready: serde_json::Value = app.client.get(app.url("/readyz")).send().await?.json().await?;
    assert_eq!(ready["outbox_pending"], 1);
    let page = app.get_json("/api/v1/work-items", &token).await?;
    assert!(page["items"].as_array().unwrap().is_empty(), "no worker, no item yet");

    // Restart with workers: the pending event is delivered and the item appears, once.
    app.restart(ServeRole::All).await?;
    let items = app.work_items(&token, "").await?;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["correspondence_id"], receipt["items"][0]["correspondence_id"]);

    // Everything survives another restart: the item, the document and its bytes.
    app.restart(ServeRole::All).await?;
    assert_eq!(app.work_items(&token, "").await?.len(), 1);
    let doc = receipt["items"][0]["document_id"].as_str().unwrap();
    let bytes = app.get(&format!("/api/v1/documents/{doc}/content"), &token).await?.bytes().await?;
    assert_eq!(bytes.as_ref(), letter.as_slice());
    Ok(())
}

#[tokio::test]
async fn a_worker_only_process_serves_health_but_not_the_api() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(ServeRole::Worker, |_| {}).await?;
    assert_eq!(app.client.get(app.url("/readyz")).send().await?.status(), 200);
    let token = app.token("pat", Role::Admin)?;
    assert_eq!(app.get("/api/v1/work-items", &token).await?.status(), 404);
    Ok(())
}
