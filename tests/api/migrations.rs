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

/// Migration 30 fills each existing item's UK receipt and closing days from its timestamps: an
/// item received at 23:30 UTC on 30 June (00:30 on 1 July in London) was received on 1 July.
#[tokio::test]
async fn the_team_leader_migration_fills_the_uk_days_of_existing_items() -> anyhow::Result<()> {
    use sea_orm::{ConnectionTrait, Statement};
    const MIGRATION: &str = "m20261208_000030_add_team_leader_views";
    let mut app = TestApp::spawn().await?;
    let received_at = "2026-06-30T23:30:00Z".parse::<chrono::DateTime<chrono::Utc>>()?;
    let id = app.seed_item(postroom_e2e::SeedItem { received_at, ..postroom_e2e::SeedItem::default() }).await?;
    app.stop().await?;
    let db = postroom::app::connect_database(&app.settings).await?;
    while postroom_db::migration_status(&db).await?.iter().any(|(name, applied)| name == MIGRATION && *applied) {
        postroom_db::rollback(&db, 1).await?;
    }
    // Closed at 23:10 UTC on 25 October 2026 (GMT again: still the 25th in London).
    let backend = db.get_database_backend();
    let closed_at = "2026-10-25T23:10:00Z".parse::<chrono::DateTime<chrono::Utc>>()?;
    let p = |n: usize| if backend == sea_orm::DbBackend::Postgres { format!("${n}") } else { format!("?{n}") };
    db.execute(Statement::from_sql_and_values(
        backend,
        format!("UPDATE work_items SET status = 'done', closed_at = {} WHERE id = {}", p(1), p(2)),
        [closed_at.into(), id.into()],
    ))
    .await?;
    postroom_db::migrate(&db).await?;
    let item = postroom_db::work_items::get(&db, id).await?.ok_or_else(|| anyhow::anyhow!("item gone"))?;
    assert_eq!(item.received_on, Some(chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default()));
    assert_eq!(item.closed_on, Some(chrono::NaiveDate::from_ymd_opt(2026, 10, 25).unwrap_or_default()));
    db.close().await?;
    Ok(())
}
