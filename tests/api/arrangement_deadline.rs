//! A payment arrangement answering a reminder is due before the reminder's 7 days run out
//! (SI 1992/613 reg 23(1)), through the service: the reminder is the account's recovery stage,
//! dated by its recorded step (a `recovery_notice`), else by the history entry that set it.

use postroom_db::entities::{account_adjustment, account_history};
use postroom_domain::Role;
use postroom_e2e::{SeedAccount, TestApp};
use sea_orm::{ActiveValue::Set, EntityTrait};

const ACCOUNT: SeedAccount<'static> = SeedAccount {
    reference: "500123456",
    service: "council_tax",
    address: "14 Acacia Avenue, Anytown",
    postcode: "AN1 2BC",
    uprn: None,
    party: "Jane Citizen",
    recovery_stage: Some("reminder"),
    vulnerable: false,
};

/// SI 1992/613 reg 23(1): a reminder issued on Friday 20 November 2026 gives until Friday 27th;
/// an arrangement proposed on Monday 23rd is due Thursday 26th, not the 5-working-day target of
/// Monday 30th, and the item says why.
#[tokio::test]
async fn reg_23_1_a_payment_arrangement_after_a_reminder_is_due_before_its_7_days_run_out() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.intake.max_date_age = std::time::Duration::from_secs(100 * 365 * 24 * 60 * 60);
    })
    .await?;
    app.seed_account(ACCOUNT).await?;
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[ACCOUNT.reference.to_owned()])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no account"))?;
    // The reminder was issued on Friday 20 November and recorded in Postroom on Sunday 22nd: the
    // issue date counts.
    account_adjustment::Entity::insert(account_adjustment::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        account_id: Set(account.id),
        category: Set("recovery_notice".to_owned()),
        code: Set("reminder".to_owned()),
        valid_from: Set("2026-11-20".parse()?),
        valid_to: Set(Some("2026-11-20".parse()?)),
        details: Set(None),
        work_item_id: Set(None),
        created_at: Set("2026-11-22T10:00:00Z".parse()?),
    })
    .exec_without_returning(&db)
    .await?;
    account_history::Entity::insert(account_history::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        account_id: Set(account.id),
        occurred_at: Set("2026-11-22T10:00:00Z".parse()?),
        actor: Set("recovery-run".to_owned()),
        change_kind: Set("recovery_stage".to_owned()),
        before: Set(Some(r#"{"recovery_stage":null}"#.to_owned())),
        after: Set(Some(r#"{"recovery_stage":"reminder"}"#.to_owned())),
        work_item_id: Set(None),
        approved_by: Set(None),
    })
    .exec_without_returning(&db)
    .await?;
    db.close().await?;
    let raw = "From: jane.citizen@example.org\r\nTo: revenues@council.example\r\nSubject: Reminder - account 500123456\r\n\
Message-ID: <arrangement-1@example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n\
I got your reminder but I cannot pay it all in 7 days since I lost my job. Could I set up a payment \
arrangement of £50 a month until the arrears are cleared? My account is 500123456.\r\n\r\nJane Citizen\r\n";
    let token = app.token("gateway", Role::Service)?;
    assert_eq!(app.post_email(&token, raw, "?received_at=2026-11-23T09:00:00Z").await?.status(), 201);
    let items = app.work_items(&token, "").await?;
    assert_eq!(items.len(), 1, "{items:?}");
    let id = items[0]["id"].as_str().unwrap_or_default();
    let detail = app.get_json(&format!("/api/v1/work-items/{id}"), &token).await?;
    assert_eq!(detail["workflow"], "ct-payment-arrangement", "{detail:#}");
    assert_eq!(detail["due_on"], "2026-11-26", "{detail:#}");
    let due = detail["classification"]["due"].as_str().unwrap_or_default();
    assert!(due.contains("reminder of 2026-11-20 runs out at the end of 2026-11-26 (SI 1992/613 reg 23(1)"), "{due}");
    Ok(())
}
