//! Business Rates reliefs end to end: an empty listed building pays nothing (SI 2008/386 reg
//! 4(e)), the rateable value exemption is refused as a record (reg 4(g) is automatic), a 2025/26
//! RHL shop gets 40% off, and a 2026/27 charge says which reliefs it is before.

use chrono::Utc;
use postroom_db::entities::account_adjustment;
use postroom_domain::{Role, london_date};
use postroom_e2e::{SeedItem, TestApp};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

/// A Business Rates account for `reference` on a property of `rv`, its party liable throughout.
async fn seed(db: &DatabaseConnection, reference: &str, rv: i64, rhl: bool) -> anyhow::Result<Uuid> {
    let account = postroom_e2e::BilledAccount {
        reference,
        service: "business_rates",
        address: format!("{} Minster Yard, Northby", &reference[8..]),
        postcode: "NB1 2BB",
        band: None,
        rateable_value: Some(rv),
        billing_authority: None,
        retail_hospitality_leisure: rhl,
        party: "Minster Estates Ltd",
        email: Some("rates@minster.example"),
        liable_from: None,
    };
    postroom_e2e::seed_billed_account(db, &account).await
}

/// An empty property relief from `from`, open-ended, with `details`.
async fn empty_since(db: &DatabaseConnection, account_id: Uuid, from: &str, details: Value) -> anyhow::Result<()> {
    account_adjustment::Entity::insert(account_adjustment::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        category: Set("relief".to_owned()),
        code: Set("empty_property".to_owned()),
        valid_from: Set(from.parse()?),
        valid_to: Set(None),
        details: Set(Some(details.to_string())),
        work_item_id: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// SI 2008/386 reg 4(e): a listed building empty since before 2025/26 pays nothing for the whole
/// year, where an unlisted one pays full empty rates (RV £20,000 × 49.9p = £9,980.00).
#[tokio::test]
async fn si_2008_386_reg_4_e_an_empty_listed_building_pays_nothing_for_the_year() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let db = app.database().await?;
    let listed = seed(&db, "1000000501", 20_000, false).await?;
    empty_since(&db, listed, "2024-09-01", json!({ "exemption": "listed_building" })).await?;
    let unlisted = seed(&db, "1000000502", 20_000, false).await?;
    empty_since(&db, unlisted, "2024-09-01", json!({})).await?;
    db.close().await?;
    let amy = app.token("amy", Role::Officer)?;

    let charge = app.get_json("/api/v1/accounts/1000000501/charge?year=2025/26", &amy).await?;
    assert_eq!(charge["total_pence"], 0, "{charge}");
    assert_eq!(charge["lines"].as_array().map(Vec::len), Some(1), "{charge}");
    let line = charge["lines"][0]["description"].as_str().unwrap_or_default();
    assert!(line.contains("empty: exempt while listed building (SI 2008/386 reg 4(e))"), "{line}");
    assert_eq!(charge["lines"][0]["days"], 365);
    assert_eq!(charge["not_included"], json!([]));
    assert!(charge["instalments"].as_array().is_some_and(|i| i.iter().all(|i| i["amount_pence"] == 0)), "{charge}");

    let charged = app.get_json("/api/v1/accounts/1000000502/charge?year=2025/26", &amy).await?;
    assert_eq!(charged["total_pence"], 998_000, "{charged}");
    let view = app.get_json("/api/v1/accounts/1000000501", &amy).await?;
    assert_eq!(view["adjustments"]["reliefs"][0]["details"]["exemption"], "listed_building", "{view}");
    app.stop().await
}

/// 2025/26 RHL relief (40%) on an occupied qualifying shop, and a 2026/27 charge that says it is
/// before the 2026 transitional and supporting small business reliefs.
#[tokio::test]
async fn rhl_relief_in_2025_26_and_the_reliefs_a_2026_27_charge_is_before() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let db = app.database().await?;
    seed(&db, "1000000503", 20_000, true).await?;
    db.close().await?;
    let amy = app.token("amy", Role::Officer)?;
    let charge = app.get_json("/api/v1/accounts/1000000503/charge?year=2025/26", &amy).await?;
    assert_eq!(charge["total_pence"], 598_800, "£9,980.00 less 40%: {charge}");
    let line = charge["lines"][0]["description"].as_str().unwrap_or_default();
    assert!(line.ends_with("retail, hospitality and leisure relief 40%"), "{line}");
    let next = app.get_json("/api/v1/accounts/1000000503/charge?year=2026/27", &amy).await?;
    assert_eq!(next["not_included"], json!(["2026 transitional relief", "supporting small business relief"]));
    assert_eq!(next["total_pence"], 764_000, "20,000 × 38.2p, no 40% relief: {next}");
    app.stop().await
}

/// SI 2008/386 reg 4(g) is applied from the rateable value, so recording it is refused with the
/// rule named, and nothing changes.
#[tokio::test]
async fn recording_the_rateable_value_exemption_is_refused_naming_reg_4_g() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let db = app.database().await?;
    seed(&db, "1000000504", 2_500, false).await?;
    db.close().await?;
    app.set_queues("amy", &["business-rates"]).await?;
    let id = app
        .seed_item(SeedItem {
            workflow: "br-empty-property-relief",
            queue: "business-rates",
            accounts: &["1000000504"],
            ..SeedItem::default()
        })
        .await?;
    let amy = app.token("amy", Role::Officer)?;
    let claimed: Value =
        app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?.json().await?;
    let today = london_date(Utc::now());
    let changes = json!([{ "kind": "relief_grant", "account": "1000000504", "relief": "empty_property",
                           "from": today, "exemption": "rateable_value_below_2900" }]);
    let completion = json!({ "version": claimed["version"], "changes": changes, "outcome": "Done" });
    let resp = app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?;
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await?;
    assert!(problem.to_string().contains("SI 2008/386 reg 4(g)"), "{problem}");
    let view = app.get_json("/api/v1/accounts/1000000504", &amy).await?;
    assert_eq!(view["adjustments"]["reliefs"], json!([]), "{view}");
    app.stop().await
}
