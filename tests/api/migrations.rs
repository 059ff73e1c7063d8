use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};

#[tokio::test]
async fn every_migration_goes_down_and_up_again_on_this_backend() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.stop().await?;
    let db = postroom::app::connect_database(&app.settings).await?;
    let applied = postroom_db::migration_status(&db).await?;
    assert!(applied.iter().all(|(_, applied)| *applied), "{applied:?}");
    postroom_db::rollback_all(&db).await?;
    assert!(postroom_db::migration_status(&db).await?.iter().all(|(_, applied)| !*applied));
    postroom_db::migrate(&db).await?;
    db.close().await?;
    // The service works on the re-created schema.
    app.restart(postroom::ServeRole::All).await?;
    let token = app.token("pat", Role::PostRoom)?;
    assert_eq!(app.post_scans(&token, &[("a.pdf", &pdf("after down/up"))], &[]).await?.status(), 201);
    assert_eq!(app.work_items(&token, "").await?.len(), 1);
    Ok(())
}
