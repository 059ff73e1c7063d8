//! Revised and final bills end to end (SI 1992/613 Sch 1 para 10; SI 1989/1058 Sch 1 para 6): a
//! completion that changes this year's charge records a revised notice on the account, and the
//! charge view shows the first bill's schedule (`original_instalments`), each notice
//! (`revisions`) and the schedule as it stands (`instalments`): instalments already due stand,
//! the difference is spread over those left, and nothing falls due after the end of liability.

use chrono::{Datelike, Utc};
use postroom::ServeRole;
use postroom_config::Settings;
use postroom_domain::{Role, london_date};
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use serde_json::{Value, json};

const HOME: SeedAccount<'static> = SeedAccount {
    reference: "5000077001",
    service: "council_tax",
    address: "7 Plumstead Road, Barchester",
    postcode: "BC1 7PR",
    uprn: Some(100_077_001),
    party: "Mrs Mary Bold",
    recovery_stage: None,
    vulnerable: false,
};

fn today() -> chrono::NaiveDate {
    london_date(Utc::now())
}

/// Band D £2,280 this year; the account in band D, one liable party for the whole year.
async fn spawn() -> anyhow::Result<TestApp> {
    let start = if today().month() >= 4 { today().year() } else { today().year() - 1 };
    let toml = format!(
        "[charges]\ncouncil = \"Northby\"\n[charges.band_d.Northby]\n\"{start}/{:02}\" = \"2,280.00\"\n",
        (start + 1) % 100
    );
    let charges = Settings::from_toml(&toml)?.charges;
    let app = TestApp::spawn_with(ServeRole::All, move |s| s.charges = charges).await?;
    app.seed_account(HOME).await?;
    set_band_d(&app).await?;
    app.set_queues("amy", &["ct-changes", "ct-discounts"]).await?;
    Ok(app)
}

async fn set_band_d(app: &TestApp) -> anyhow::Result<()> {
    use postroom_db::entities::property;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[HOME.reference.to_owned()]).await?.remove(0);
    property::Entity::update_many()
        .col_expr(property::Column::CouncilTaxBand, Expr::value("D"))
        .filter(property::Column::Id.eq(account.property_id))
        .exec(&db)
        .await?;
    db.close().await?;
    Ok(())
}

async fn json_of(resp: reqwest::Response) -> anyhow::Result<(u16, Value)> {
    let status = resp.status().as_u16();
    Ok((status, resp.json().await?))
}

async fn charge(app: &TestApp) -> anyhow::Result<Value> {
    let amy = app.token("amy", Role::Officer)?;
    let (status, body) = json_of(app.get(&format!("/api/v1/accounts/{}/charge", HOME.reference), &amy).await?).await?;
    anyhow::ensure!(status == 200, "charge: {body}");
    Ok(body)
}

/// Completes an item of `workflow` with `changes` as amy, approving it as a team leader when
/// it is parked for approval.
async fn complete(app: &TestApp, workflow: &str, queue: &str, changes: Value) -> anyhow::Result<Value> {
    complete_with(app, workflow, queue, changes, Value::Null).await.map(|(_, done)| done)
}

/// As [`complete`], with `reply` (or none when null); also returns the item's id.
async fn complete_with(
    app: &TestApp,
    workflow: &str,
    queue: &str,
    changes: Value,
    reply: Value,
) -> anyhow::Result<(uuid::Uuid, Value)> {
    let id = app.seed_item(SeedItem { workflow, queue, accounts: &[HOME.reference], ..SeedItem::default() }).await?;
    let amy = app.token("amy", Role::Officer)?;
    let (_, claimed) =
        json_of(app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?).await?;
    let mut completion = json!({ "version": claimed["version"], "changes": changes, "outcome": "Done" });
    if !reply.is_null() {
        completion["reply"] = reply;
    }
    let (status, done) =
        json_of(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await?;
    anyhow::ensure!(status == 200, "complete: {done}");
    if done["item"]["status"] != "awaiting_approval" {
        return Ok((id, done));
    }
    let lead = app.token("tess", Role::TeamLeader)?;
    let approve = json!({ "version": done["item"]["version"] });
    let (status, approved) =
        json_of(app.post_json(&format!("/api/v1/work-items/{id}/approve"), &lead, &approve).await?).await?;
    anyhow::ensure!(status == 200, "approve: {approved}");
    Ok((id, approved))
}

fn sum(instalments: &Value) -> i64 {
    instalments.as_array().map(|a| a.iter().filter_map(|i| i["amount_pence"].as_i64()).sum()).unwrap_or(0)
}

/// The instalments due on or before `day`.
fn due_by(instalments: &Value, day: chrono::NaiveDate) -> Vec<Value> {
    let day = json!(day);
    let due = |i: &&Value| i["due"].as_str() <= day.as_str();
    instalments.as_array().map(|a| a.iter().filter(due).cloned().collect()).unwrap_or_default()
}

#[tokio::test]
async fn a_single_person_discount_from_1_april_keeps_the_instalments_due_and_demands_only_the_charge()
-> anyhow::Result<()> {
    let app = spawn().await?;
    let first = charge(&app).await?;
    assert_eq!(first["total_pence"], 228_000, "{first}");
    assert_eq!(first["revisions"], json!([]), "nothing revised yet: {first}");
    assert_eq!(first["instalments"], first["original_instalments"]);
    let april = first["liability"][0]["from"].clone();
    let (id, _) = complete_with(
        &app,
        "ct-single-person-discount",
        "ct-discounts",
        json!([{ "kind": "discount_grant", "account": HOME.reference, "discount": "single_person", "from": april }]),
        json!({ "template": "discount-decision" }),
    )
    .await?;

    let revised = charge(&app).await?;
    assert_eq!(revised["total_pence"], 171_000, "25% off the whole year: {revised}");
    assert_eq!(revised["original_instalments"], first["instalments"], "the first bill is kept: {revised}");
    assert_eq!(revised["revisions"].as_array().map(Vec::len), Some(1), "{revised}");
    let notice = &revised["revisions"][0];
    assert_eq!((notice["notice"].clone(), notice["recorded"].clone()), (json!(today()), json!(true)), "{notice}");
    assert_eq!(notice["total_pence"], 171_000);
    let now = &revised["instalments"];
    assert_eq!(due_by(now, today()), due_by(&first["instalments"], today()), "instalments already due stand");
    let credit = notice["credit_pence"].as_i64().unwrap_or(-1);
    assert_eq!(credit, (notice["fallen_due_pence"].as_i64().unwrap_or(0) - 171_000).max(0), "{notice}");
    assert_eq!(sum(now), 171_000 + credit, "the total demanded is the charge (or what fell due): {revised}");

    let amy = app.token("amy", Role::Officer)?;
    let (_, view) = json_of(app.get(&format!("/api/v1/accounts/{}", HOME.reference), &amy).await?).await?;
    assert_eq!(view["charge"]["instalments"], revised["instalments"], "the account view shows the same: {view}");

    let tess = app.token("tess", Role::TeamLeader)?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &tess).await?;
    let reply =
        app.get_json(&format!("/api/v1/replies/{}", item["replies"][0]["id"].as_str().unwrap_or("")), &tess).await?;
    let text = reply["text"].as_str().unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- ") && l.contains(": £")).collect();
    let listed: Vec<String> = now
        .as_array()
        .map(|a| a.iter().map(|i| format!("{:.2}", i["amount_pence"].as_f64().unwrap_or(0.0) / 100.0)).collect())
        .unwrap_or_default();
    assert_eq!(lines.len(), listed.len(), "the reply lists the revised schedule: {text}");
    for (line, amount) in lines.iter().zip(&listed) {
        assert!(line.ends_with(&format!("£{amount}")), "{line} is not £{amount}: {text}");
    }
    Ok(())
}

#[tokio::test]
async fn a_customer_who_moved_out_has_no_instalment_after_the_end_of_liability() -> anyhow::Result<()> {
    let app = spawn().await?;
    let first = charge(&app).await?;
    // On 31 March liability to the end of the year is no end of liability: take the day before.
    let last_day = if (today().month(), today().day()) == (3, 31) { today() - chrono::Days::new(1) } else { today() };
    complete(
        &app,
        "ct-moving-out",
        "ct-changes",
        json!([{ "kind": "move_out", "account": HOME.reference, "name": HOME.party, "last_day": last_day,
                 "forwarding_address": "1 New Street, Northby" }]),
    )
    .await?;
    let fin = charge(&app).await?;
    let notice = &fin["revisions"][0];
    assert_eq!(notice["liability_ended"], json!(last_day), "a final bill: {fin}");
    assert_eq!(fin["original_instalments"], first["instalments"]);
    let now = &fin["instalments"];
    assert_eq!(due_by(now, today()), due_by(&first["instalments"], today()), "instalments already due stand");
    let after_end: Vec<&Value> = now
        .as_array()
        .map(|a| a.iter().filter(|i| i["due"].as_str() > json!(last_day).as_str()).collect())
        .unwrap_or_default();
    match notice["outcome"]["outcome"].as_str() {
        Some("single_sum") => assert_eq!(after_end.len(), 1, "only the balance, 14 days after the notice: {fin}"),
        _ => assert!(after_end.is_empty(), "no instalment after the end of liability: {fin}"),
    }
    let credit = notice["credit_pence"].as_i64().unwrap_or(-1);
    assert_eq!(sum(now), fin["total_pence"].as_i64().unwrap_or(0) + credit, "{fin}");
    Ok(())
}

#[tokio::test]
async fn a_change_that_does_not_alter_the_charge_repeats_the_schedule() -> anyhow::Result<()> {
    let app = spawn().await?;
    let first = charge(&app).await?;
    complete(
        &app,
        "ct-moving-out",
        "ct-changes",
        json!([{ "kind": "name_contact_update", "account": HOME.reference, "party": HOME.party,
                 "email": "mary.bold@example.org" }]),
    )
    .await?;
    let after = charge(&app).await?;
    assert_eq!(after["revisions"], json!([]), "no revised notice: {after}");
    assert_eq!(after["instalments"], first["instalments"]);
    assert_eq!(after["original_instalments"], first["instalments"]);
    assert_eq!(after["issued"], first["issued"]);
    Ok(())
}
