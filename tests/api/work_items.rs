use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};

#[tokio::test]
async fn due_dates_skip_bank_holidays_and_configured_closure_days() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.calendar.closure_days = vec!["2025-12-30".parse().unwrap()];
    })
    .await?;
    let token = app.token("pat", Role::PostRoom)?;
    // Received on Christmas Day 2025 (Thursday): Boxing Day and the weekend follow, so it counts
    // from Monday 29th; one working day later is the 30th, a closure day, so the 31st.
    let resp = app.post_scans(&token, &[("xmas.pdf", &pdf("xmas"))], &[("received_on", "2025-12-25")]).await?;
    assert_eq!(resp.status(), 201);
    let items = app.work_items(&token, "").await?;
    assert_eq!(items[0]["due_on"], "2025-12-31");
    Ok(())
}

#[tokio::test]
async fn the_list_filters_by_queue_and_status_and_pages() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    for i in 0..5 {
        app.post_scans(&token, &[(&format!("{i}.pdf"), &pdf(&format!("letter {i}")))], &[]).await?;
    }
    assert_eq!(app.work_items(&token, "?queue=triage").await?.len(), 5);
    assert_eq!(app.work_items(&token, "?status=triage").await?.len(), 5);
    assert!(app.work_items(&token, "?queue=council_tax").await?.is_empty());
    assert!(app.work_items(&token, "?status=done").await?.is_empty());
    let first = app.work_items(&token, "?limit=2").await?;
    let second = app.work_items(&token, "?limit=2&offset=2").await?;
    assert_eq!(first.len(), 2);
    assert_eq!(second.len(), 2);
    assert_ne!(first[0]["id"], second[0]["id"]);
    Ok(())
}

#[tokio::test]
async fn an_item_past_its_due_date_is_overdue() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    app.post_scans(&token, &[("old.pdf", &pdf("old"))], &[("received_on", "2025-01-06")]).await?;
    let items = app.work_items(&token, "").await?;
    assert_eq!(items[0]["due_on"], "2025-01-07");
    assert_eq!(items[0]["overdue"], true);
    Ok(())
}
