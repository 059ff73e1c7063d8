//! Charges: an account's view carries this year's charge, and `…/charge?year=` its breakdown and
//! instalments, from the configured Band D and the engine's rules (domain.md §1.2, §2.1, §3).

use chrono::{Datelike, NaiveDate};
use postroom::ServeRole;
use postroom_config::Settings;
use postroom_db::entities::{account_adjustment, direct_debit_mandate};
use postroom_domain::Role;
use postroom_e2e::TestApp;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

/// The financial year containing today, e.g. `2026/27`.
fn this_year() -> String {
    let today = postroom_domain::london_date(chrono::Utc::now());
    let start = if today.month() >= 4 { today.year() } else { today.year() - 1 };
    format!("{start}/{:02}", (start + 1) % 100)
}

/// Northby's Band D is £2,280.00 in 2025/26 and this year; nothing is configured for Southby.
async fn spawn() -> anyhow::Result<TestApp> {
    let toml = format!(
        "[charges]\ncouncil = \"Northby\"\n[charges.band_d.Northby]\n\"2025/26\" = \"2,280.00\"\n\"{}\" = \"2,280.00\"\n",
        this_year()
    );
    let charges = Settings::from_toml(&toml)?.charges;
    TestApp::spawn_with(ServeRole::All, move |s| s.charges = charges).await
}

/// What to seed: a property, its account and one liable party.
#[derive(Clone, Copy)]
struct Seed<'a> {
    reference: &'a str,
    service: &'a str,
    band: Option<&'a str>,
    rateable_value: Option<i64>,
    billing_authority: Option<&'a str>,
    liable_from: Option<NaiveDate>,
}

async fn seed(db: &DatabaseConnection, s: Seed<'_>) -> anyhow::Result<Uuid> {
    let account = postroom_e2e::BilledAccount {
        reference: s.reference,
        service: s.service,
        address: format!("{} High Street, Northby", &s.reference[7..]),
        postcode: "NB1 1AA",
        band: s.band,
        rateable_value: s.rateable_value,
        billing_authority: s.billing_authority,
        retail_hospitality_leisure: false,
        party: "Jane Doe",
        email: Some("jane@example.org"),
        liable_from: s.liable_from,
    };
    postroom_e2e::seed_billed_account(db, &account).await
}

async fn adjust(
    db: &DatabaseConnection,
    account_id: Uuid,
    category: &str,
    code: &str,
    from: &str,
) -> anyhow::Result<()> {
    account_adjustment::Entity::insert(account_adjustment::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        category: Set(category.to_owned()),
        code: Set(code.to_owned()),
        valid_from: Set(from.parse()?),
        valid_to: Set(None),
        details: Set(None),
        work_item_id: Set(None),
        created_at: Set(chrono::Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn date(s: &str) -> anyhow::Result<NaiveDate> {
    Ok(s.parse()?)
}

#[tokio::test]
async fn a_council_tax_account_with_a_single_person_discount_is_charged_over_ten_instalments() -> anyhow::Result<()> {
    let mut app = spawn().await?;
    let db = app.database().await?;
    let band_d = Seed {
        reference: "5000000101",
        service: "council_tax",
        band: Some("D"),
        rateable_value: None,
        billing_authority: None,
        liable_from: Some(date("2019-06-01")?),
    };
    let id = seed(&db, band_d).await?;
    adjust(&db, id, "discount", "single_person", "2020-04-01").await?;
    // domain.md §1.2 / §2.1: liable from 16 May 2025 with SPD → £1,499.18 over 9 instalments.
    let mover = Seed { reference: "5000000102", liable_from: Some(date("2025-05-16")?), ..band_d };
    let mover_id = seed(&db, mover).await?;
    adjust(&db, mover_id, "discount", "single_person", "2025-05-16").await?;
    db.close().await?;
    let amy = app.token("amy", Role::Officer)?;

    let charge = app.get_json("/api/v1/accounts/5000000101/charge?year=2025/26", &amy).await?;
    assert_eq!(charge["year"], "2025/26");
    assert_eq!(charge["billing_authority"], "Northby");
    assert_eq!(charge["band_d_pence"], 228_000);
    assert_eq!(charge["total_pence"], 171_000, "£2,280 less 25%: {charge}");
    assert_eq!(charge["lines"][0]["description"], "Band D; single person discount 25%");
    assert_eq!(charge["lines"][0]["days"], 365);
    assert_eq!(charge["issued"], "2025-03-01");
    assert_eq!(charge["plan"], "ten_monthly");
    let instalments = charge["instalments"].as_array().cloned().unwrap_or_default();
    assert_eq!(instalments.len(), 10);
    assert!(instalments.iter().all(|i| i["amount_pence"] == 17_100));
    assert_eq!((&instalments[0]["due"], &instalments[9]["due"]), (&json!("2025-04-01"), &json!("2026-01-01")));

    let mover = app.get_json("/api/v1/accounts/5000000102/charge?year=2025-26", &amy).await?;
    assert_eq!(mover["total_pence"], 149_918);
    assert_eq!(mover["liability"], json!([{ "from": "2025-05-16", "to": "2026-03-31" }]));
    assert_eq!(mover["instalments"].as_array().map(Vec::len), Some(9));
    assert_eq!(mover["instalments"][0]["amount_pence"], 16_318);
    assert_eq!(mover["instalments"][1]["amount_pence"], 16_700);

    let view = app.get_json("/api/v1/accounts/5000000101", &amy).await?;
    assert_eq!(view["charge"]["year"], this_year());
    assert_eq!(view["charge"]["total_pence"], 171_000, "{view}");
    assert_eq!(view["charge"]["instalments"].as_array().map(Vec::len), Some(10));
    assert_eq!(view["charge_error"], Value::Null);
    assert_eq!(view["billing_authority"], "Northby");
    assert_eq!(view["property"]["council_tax_band"], "D");
    assert_eq!(view["adjustments"]["discounts"][0]["code"], "single_person");
    assert_eq!(view["adjustments"]["reliefs"], json!([]));
    assert_eq!(view["parties"][0]["preferred_channel"], "email");
    assert_eq!(view["instalments"], 10);
    assert_eq!(view["direct_debit"], Value::Null);
    app.stop().await
}

#[tokio::test]
async fn small_business_rate_relief_at_rv_13500_is_charged_at_half() -> anyhow::Result<()> {
    let mut app = spawn().await?;
    let db = app.database().await?;
    let shop = Seed {
        reference: "1000000201",
        service: "business_rates",
        band: None,
        rateable_value: Some(13_500),
        billing_authority: None,
        liable_from: None,
    };
    let id = seed(&db, shop).await?;
    adjust(&db, id, "relief", "small_business", "2023-04-01").await?;
    db.close().await?;
    let amy = app.token("amy", Role::Officer)?;
    let charge = app.get_json("/api/v1/accounts/1000000201/charge?year=2025/26", &amy).await?;
    // domain.md §3.2: RV £13,500 → 50% relief → £3,368.25 at 49.9p.
    assert_eq!(charge["total_pence"], 336_825, "{charge}");
    assert_eq!(charge["service"], "business_rates");
    assert_eq!(charge["band_d_pence"], Value::Null);
    let line = charge["lines"][0]["description"].as_str().unwrap_or_default();
    assert!(line.contains("49.9p") && line.contains("small business rate relief 50%"), "{line}");
    assert_eq!(charge["instalments"].as_array().map(Vec::len), Some(10));
    let view = app.get_json("/api/v1/accounts/1000000201", &amy).await?;
    assert_eq!(view["property"]["rateable_value"], 13_500);
    assert_eq!(view["adjustments"]["reliefs"][0]["code"], "small_business");
    assert!(view["charge"]["total_pence"].is_i64(), "this year's multipliers are built in: {view}");
    app.stop().await
}

#[tokio::test]
async fn a_charge_that_cannot_be_computed_is_422_naming_why_and_the_view_still_shows() -> anyhow::Result<()> {
    let mut app = spawn().await?;
    let db = app.database().await?;
    let northby = Seed {
        reference: "5000000301",
        service: "council_tax",
        band: Some("C"),
        rateable_value: None,
        billing_authority: None,
        liable_from: None,
    };
    seed(&db, northby).await?;
    seed(&db, Seed { reference: "5000000302", billing_authority: Some("Southby"), ..northby }).await?;
    seed(&db, Seed { reference: "5000000303", band: None, ..northby }).await?;
    db.close().await?;
    let amy = app.token("amy", Role::Officer)?;

    let resp = app.get("/api/v1/accounts/5000000301/charge?year=2030/31", &amy).await?;
    assert_eq!(resp.status(), 422);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let problem: Value = resp.json().await?;
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("no Band D is configured for Northby in 2030/31"), "{detail}");

    let resp = app.get("/api/v1/accounts/5000000301/charge?year=2030/32", &amy).await?;
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await?;
    assert_eq!(problem["errors"][0]["field"], "year", "{problem}");

    let resp = app.get("/api/v1/accounts/9999999999/charge", &amy).await?;
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");

    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await?.json().await?;
    let documented = &doc["paths"]["/api/v1/accounts/{reference}/charge"]["get"];
    assert!(documented["responses"].get("422").is_some(), "the charge endpoint is documented: {documented}");

    let resp = app.get("/api/v1/accounts/5000000303/charge?year=2025/26", &amy).await?;
    assert_eq!(resp.status(), 422);
    let problem: Value = resp.json().await?;
    assert!(problem["detail"].as_str().unwrap_or_default().contains("no Council Tax band"), "{problem}");

    let southby = app.get_json("/api/v1/accounts/5000000302", &amy).await?;
    assert_eq!(southby["billing_authority"], "Southby");
    assert_eq!(southby["charge"], Value::Null);
    let why = southby["charge_error"].as_str().unwrap_or_default();
    assert!(why.contains("no Band D is configured for Southby"), "{why}");
    assert_eq!(southby["reference"], "5000000302");
    app.stop().await
}

#[tokio::test]
async fn the_account_view_never_shows_the_full_bank_account_number() -> anyhow::Result<()> {
    let mut app = spawn().await?;
    let db = app.database().await?;
    let northby = Seed {
        reference: "5000000401",
        service: "council_tax",
        band: Some("B"),
        rateable_value: None,
        billing_authority: None,
        liable_from: None,
    };
    let id = seed(&db, northby).await?;
    let now = chrono::Utc::now();
    direct_debit_mandate::Entity::insert(direct_debit_mandate::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(id),
        reference: Set("PR5000000401".to_owned()),
        payer_name: Set("Jane Doe".to_owned()),
        sort_code: Set("200000".to_owned()),
        account_number: Set("55779911".to_owned()),
        collection_day: Set(15),
        status: Set("active".to_owned()),
        lodge: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&db)
    .await?;
    db.close().await?;
    let amy = app.token("amy", Role::Officer)?;
    let body = app.get("/api/v1/accounts/5000000401", &amy).await?.text().await?;
    assert!(!body.contains("55779911"), "the full account number leaked: {body}");
    let view: Value = serde_json::from_str(&body)?;
    assert_eq!(view["direct_debit"]["account_number"], "******11");
    assert_eq!(view["direct_debit"]["collection_day"], 15);
    assert_eq!(view["direct_debit"]["status"], "active");
    let first_due = view["charge"]["instalments"][0]["due"].as_str().unwrap_or_default().to_owned();
    assert!(first_due.ends_with("-15"), "instalments fall on the Direct Debit day: {view}");
    let charge = app.get_json("/api/v1/accounts/5000000401/charge?year=2025/26", &amy).await?;
    assert_eq!(charge["collection_day"], 15);
    assert_eq!(charge["instalments"][0]["due"], "2025-04-15");
    app.stop().await
}
