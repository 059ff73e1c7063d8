//! The Bacs rule through the service (`domain.md` §4.3, §4.4, §6): each line of a Bacs report
//! is an item placed by the report it is on and its reason code, due before its account's next
//! Direct Debit collection, worked out from the account's instalment schedule.

use postroom::ServeRole;
use postroom_config::Settings;
use postroom_db::entities::direct_debit_mandate;
use postroom_domain::Role;
use postroom_e2e::TestApp;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::Value;
use uuid::Uuid;

/// Northby's Band D for 2026/27, the year of the reports below, which the gateway received in
/// November 2026 (`received_at`: however long ago that is when the test runs).
async fn spawn() -> anyhow::Result<TestApp> {
    let toml = "[charges]\ncouncil = \"Northby\"\n[charges.band_d.Northby]\n\"2026/27\" = \"2,280.00\"\n";
    let charges = Settings::from_toml(toml)?.charges;
    TestApp::spawn_with(ServeRole::All, move |s| {
        s.charges = charges;
        s.intake.max_date_age = std::time::Duration::from_secs(100 * 365 * 24 * 60 * 60);
    })
    .await
}

/// A Council Tax account paying by Direct Debit on `collection_day`, its property in `band`.
async fn seed(db: &DatabaseConnection, reference: &str, band: Option<&str>, collection_day: i32) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let account = postroom_e2e::BilledAccount {
        reference,
        service: "council_tax",
        address: format!("{} Acacia Avenue, Northby", &reference[7..]),
        postcode: "NB1 1AA",
        band,
        rateable_value: None,
        billing_authority: None,
        retail_hospitality_leisure: false,
        party: "Jane Doe",
        email: None,
        liable_from: None,
    };
    let account_id = postroom_e2e::seed_billed_account(db, &account).await?;
    direct_debit_mandate::Entity::insert(direct_debit_mandate::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        reference: Set(format!("PR{reference}")),
        payer_name: Set("Jane Doe".to_owned()),
        sort_code: Set("200000".to_owned()),
        account_number: Set("55779911".to_owned()),
        collection_day: Set(collection_day),
        status: Set("active".to_owned()),
        lodge: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Each item of the report, by account reference: (priority, due_on, classification).
async fn items_by_account(app: &TestApp, token: &str) -> anyhow::Result<Vec<(String, String, String, Value)>> {
    let mut out = Vec::new();
    for item in app.work_items(token, "").await? {
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), token).await?;
        out.push((
            detail["accounts"][0]["reference"].as_str().unwrap_or_default().to_owned(),
            detail["priority"].as_str().unwrap_or_default().to_owned(),
            detail["due_on"].as_str().unwrap_or_default().to_owned(),
            detail["classification"].clone(),
        ));
    }
    out.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
    Ok(out)
}

/// Bacs ADDACS D (advance notice disputed): P1, do not collect, due the day received. Every other
/// advice is due before the account's next collection: account 500123456 collects on the 26th,
/// so its ADDACS B received on Monday 23 November 2026 is due Wednesday 25th, not the 5-working-day
/// target of Monday 30th. Code 0 on the ARUDD report is an unpaid collection, not a cancellation.
#[tokio::test]
async fn bacs_lines_take_priority_and_deadline_from_their_report_reason_code_and_next_collection() -> anyhow::Result<()>
{
    let app = spawn().await?;
    let db = app.database().await?;
    seed(&db, "500123456", Some("D"), 26).await?;
    seed(&db, "500999888", Some("D"), 1).await?;
    // No band: no schedule, so the mandate's collection day (15 December) is the next collection.
    seed(&db, "500777666", None, 15).await?;
    db.close().await?;
    let raw = "From: reports@bacs.co.uk\r\nTo: revenues@council.example\r\nSubject: Bacs reports 23/11/2026\r\n\
Message-ID: <bacs-lines-1@bacs.co.uk>\r\nDate: Mon, 23 Nov 2026 06:00:00 +0000\r\n\r\n\
ADDACS REPORT - AUTOMATED DIRECT DEBIT AMENDMENT AND CANCELLATION SERVICE\r\n\
PAYER NAME        REFERENCE    REASON CODE\r\n\
J DOE             500123456    B\r\n\
A DOE             500999888    D\r\n\
\r\n\
ARUDD REPORT - AUTOMATED RETURN OF UNPAID DIRECT DEBITS\r\n\
PAYER NAME        REFERENCE    REASON CODE\r\n\
B DOE             500777666    0\r\n";
    let token = app.token("gateway", Role::Service)?;
    assert_eq!(app.post_email(&token, raw, "?received_at=2026-11-23T06:00:00Z").await?.status(), 201);
    let items = items_by_account(&app, &token).await?;
    assert_eq!(items.len(), 3, "{items:#?}");

    let (_, priority, due, c) = &items[0];
    assert_eq!((priority.as_str(), due.as_str()), ("P2", "2026-11-25"), "{c:#}");
    assert_eq!(c["bacs"]["report"], "ADDACS");
    assert_eq!(c["bacs"]["code"], "B");
    assert_eq!(c["bacs"]["next_collection"]["on"], "2026-11-26", "{c:#}");
    assert!(c["bacs"]["next_collection"]["from"].as_str().is_some_and(|f| f.contains("2026/27 schedule")), "{c:#}");
    assert!(c["due"].as_str().is_some_and(|d| d.starts_with("the last working day before the next Direct Debit")));

    let (_, priority, due, c) = &items[2];
    assert_eq!((priority.as_str(), due.as_str()), ("P1", "2026-11-23"), "{c:#}");
    assert_eq!((c["bacs"]["report"].as_str(), c["bacs"]["code"].as_str()), (Some("ADDACS"), Some("D")));
    assert_eq!(c["bacs"]["collection"], "do not collect until resolved");
    assert_eq!(c["bacs"]["stop_collection"], true);

    let (_, priority, due, c) = &items[1];
    assert_eq!((priority.as_str(), due.as_str()), ("P2", "2026-11-30"), "{c:#}");
    assert_eq!(c["bacs"]["report"], "ARUDD", "ARUDD 0 is read under its own header: {c:#}");
    assert!(c["bacs"]["meaning"].as_str().is_some_and(|m| m.contains("returned unpaid")), "{c:#}");
    assert_eq!(c["bacs"]["next_collection"]["on"], "2026-12-15", "{c:#}");

    // A one-line ARUDD 4 (advance notice disputed) for an account with an open Bacs item is an
    // item of its own, P1 and due the day it arrives: it is not merged into the open one.
    let single = "From: reports@bacs.co.uk\r\nTo: revenues@council.example\r\nSubject: ARUDD report 24/11/2026\r\n\
Message-ID: <bacs-lines-2@bacs.co.uk>\r\nDate: Tue, 24 Nov 2026 06:00:00 +0000\r\n\r\n\
ARUDD REPORT - AUTOMATED RETURN OF UNPAID DIRECT DEBITS\r\n\
J DOE             500123456    4\r\n";
    assert_eq!(app.post_email(&token, single, "?received_at=2026-11-24T06:00:00Z").await?.status(), 201);
    let items = items_by_account(&app, &token).await?;
    let disputed: Vec<_> = items.iter().filter(|i| i.0 == "500123456" && i.1 == "P1").collect();
    assert_eq!(disputed.len(), 1, "{items:#?}");
    assert_eq!(disputed[0].2, "2026-11-24");
    assert_eq!(disputed[0].3["bacs"]["report"], "ARUDD");
    assert_eq!(disputed[0].3["report_line"]["reason_code"], "4");
    Ok(())
}
