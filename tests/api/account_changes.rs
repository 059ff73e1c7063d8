//! Typed account changes end to end: an officer completes an item with them, the account's rows
//! and history change (or a 422 says why not and nothing changes), on both backends.

use chrono::{Datelike, Days, Months, NaiveDate, Utc};
use postroom_domain::{Role, WorkingCalendar, london_date};
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const ACCOUNT: SeedAccount<'static> = SeedAccount {
    reference: "5000054321",
    service: "council_tax",
    address: "12 Cathedral Close, Barchester",
    postcode: "BC1 2CC",
    uprn: Some(100_054_321),
    party: "Mr Septimus Harding",
    recovery_stage: None,
    vulnerable: false,
};

const NEIGHBOUR: SeedAccount<'static> = SeedAccount {
    reference: "5000054322",
    service: "council_tax",
    address: "14 Cathedral Close, Barchester",
    postcode: "BC1 2CC",
    uprn: Some(100_054_322),
    party: "Mrs Eleanor Bold",
    recovery_stage: None,
    vulnerable: false,
};

fn today() -> NaiveDate {
    london_date(Utc::now())
}

async fn body(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Value)> {
    let status = resp.status();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

async fn app_with_accounts() -> anyhow::Result<TestApp> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    app.seed_account(NEIGHBOUR).await?;
    app.set_queues("amy", &["ct-changes", "ct-payments", "ct-recovery", "ct-discounts", "ct-enquiries"]).await?;
    Ok(app)
}

/// Opens an item of `workflow` about `account`, claims it as amy and completes it with
/// `changes`; returns the answer.
async fn complete(
    app: &TestApp,
    workflow: &str,
    queue: &str,
    account: &str,
    changes: Value,
) -> anyhow::Result<(StatusCode, Value)> {
    let id = app.seed_item(SeedItem { workflow, queue, accounts: &[account], ..SeedItem::default() }).await?;
    let amy = app.token("amy", Role::Officer)?;
    let (status, claimed) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?).await?;
    anyhow::ensure!(status == 200, "claim: {claimed}");
    let completion = json!({ "version": claimed["version"], "changes": changes, "outcome": "Done" });
    body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await
}

fn messages(problem: &Value) -> String {
    problem["errors"].as_array().map(|e| e.iter().map(|e| e["message"].to_string()).collect()).unwrap_or_default()
}

async fn history(app: &TestApp, reference: &str) -> anyhow::Result<Vec<postroom_db::entities::account_history::Model>> {
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[reference.to_owned()]).await?.remove(0);
    let h = postroom_db::account_changes::history(&db, account.id).await?;
    db.close().await?;
    Ok(h)
}

async fn mandate(app: &TestApp, reference: &str) -> anyhow::Result<postroom_db::entities::direct_debit_mandate::Model> {
    use postroom_db::entities::direct_debit_mandate as m;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[reference.to_owned()]).await?.remove(0);
    let row = m::Entity::find().filter(m::Column::AccountId.eq(account.id)).one(&db).await?;
    db.close().await?;
    row.ok_or_else(|| anyhow::anyhow!("no mandate on {reference}"))
}

/// The first day at least 10 working days ahead whose day of the month is 28 or less.
fn first_collection() -> NaiveDate {
    let mut day = WorkingCalendar::england_and_wales().add_working_days(today(), 10);
    while day.day() > 28 {
        day = day + Days::new(1);
    }
    day
}

#[tokio::test]
async fn a_move_out_and_a_move_in_change_who_is_liable_and_search_finds_the_newcomer() -> anyhow::Result<()> {
    let app = app_with_accounts().await?;
    let last_day = today() - Days::new(3);
    let (status, done) = complete(
        &app,
        "ct-moving-out",
        "ct-changes",
        ACCOUNT.reference,
        json!([{ "kind": "move_out", "account": ACCOUNT.reference, "name": ACCOUNT.party,
                 "last_day": last_day, "forwarding_address": "3 Hiram's Hospital, Barchester BC1 9HH" }]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["applied"][0]["after"][0]["liable_to"], json!(last_day));

    // A move in by someone already liable that day is refused, and nothing is applied.
    let (status, problem) = complete(
        &app,
        "ct-moving-in",
        "ct-changes",
        ACCOUNT.reference,
        json!([
            { "kind": "move_in", "account": ACCOUNT.reference, "name": "Dr Theophilus Grantly",
              "from": today(), "email": "grantly@example.org", "preferred_channel": "email" },
            { "kind": "move_in", "account": ACCOUNT.reference, "name": "Dr Theophilus Grantly", "from": today() },
        ]),
    )
    .await?;
    assert_eq!(status, 422, "{problem}");
    assert!(messages(&problem).contains("Grantly"), "{problem}");
    let (status, found) = body(app.get("/api/v1/accounts?q=grantly", &app.token("amy", Role::Officer)?).await?).await?;
    assert_eq!(status, 200);
    assert_eq!(found.as_array().map(Vec::len), Some(0), "{found}");

    let (status, done) = complete(
        &app,
        "ct-moving-in",
        "ct-changes",
        ACCOUNT.reference,
        json!([{ "kind": "move_in", "account": ACCOUNT.reference, "name": "Dr Theophilus Grantly",
                 "from": last_day + Days::new(1), "email": "grantly@example.org", "preferred_channel": "email" }]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["applied"][0]["after"].as_array().map(Vec::len), Some(2), "{done}");
    let (_, found) = body(app.get("/api/v1/accounts?q=grantly", &app.token("amy", Role::Officer)?).await?).await?;
    assert_eq!(found[0]["reference"], ACCOUNT.reference, "{found}");

    let kinds: Vec<String> = history(&app, ACCOUNT.reference).await?.into_iter().map(|h| h.change_kind).collect();
    assert_eq!(kinds, vec!["move_out", "move_in"]);
    Ok(())
}

#[tokio::test]
async fn a_direct_debit_is_set_up_moved_by_addacs_3_without_a_0c_and_cancelled() -> anyhow::Result<()> {
    let app = app_with_accounts().await?;
    let first = first_collection();
    let setup = |account: &str, reference: Option<&str>| {
        json!([{ "kind": "direct_debit_setup", "account": account, "payer_name": "S HARDING",
                 "sort_code": "20-00-00", "account_number": "55779911", "reference": reference,
                 "collection_day": first.day(), "first_collection": first }])
    };
    let (status, done) =
        complete(&app, "ct-direct-debit-instruction", "ct-payments", ACCOUNT.reference, setup(ACCOUNT.reference, None))
            .await?;
    assert_eq!(status, 200, "{done}");
    let stored = mandate(&app, ACCOUNT.reference).await?;
    assert_eq!((stored.status.as_str(), stored.lodge.as_str()), ("pending", "0N"));
    assert_eq!((stored.sort_code.as_str(), stored.account_number.as_str()), ("200000", "55779911"));
    // The full account number is kept for the Bacs submission and shown nowhere else.
    assert_eq!(done["applied"][0]["after"]["account_number"], "******11", "{done}");
    assert!(!done.to_string().contains("55779911"), "{done}");
    assert!(history(&app, ACCOUNT.reference).await?.iter().all(|h| !format!("{h:?}").contains("55779911")));

    // The same reference on the same bank account for another account is refused.
    let (status, problem) = complete(
        &app,
        "ct-direct-debit-instruction",
        "ct-payments",
        NEIGHBOUR.reference,
        setup(NEIGHBOUR.reference, Some(stored.reference.as_str())),
    )
    .await?;
    assert_eq!(status, 422, "{problem}");
    assert!(messages(&problem).contains("already used"), "{problem}");

    // ADDACS 3 with the new bank's details: continue on them with a 0N, never a 0C to the old bank.
    let (status, done) = complete(
        &app,
        "ct-bacs-report",
        "ct-payments",
        ACCOUNT.reference,
        json!([{ "kind": "direct_debit_amend", "account": ACCOUNT.reference, "sort_code": "40-11-22",
                 "account_number": "12345678", "advice": { "report": "addacs", "code": "3" } }]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    let moved = mandate(&app, ACCOUNT.reference).await?;
    assert_eq!((moved.sort_code.as_str(), moved.account_number.as_str()), ("401122", "12345678"));
    assert_eq!(moved.reference, stored.reference, "a Bacs reference is never amended");
    assert_eq!(moved.lodge, "0N");

    // ADDACS 1 cannot be an amendment: the payer cancelled.
    let (status, problem) = complete(
        &app,
        "ct-bacs-report",
        "ct-payments",
        ACCOUNT.reference,
        json!([{ "kind": "direct_debit_amend", "account": ACCOUNT.reference, "advice": { "report": "addacs", "code": "1" } }]),
    )
    .await?;
    assert_eq!(status, 422, "{problem}");
    assert!(messages(&problem).contains("direct_debit_cancel"), "{problem}");
    let (status, done) = complete(
        &app,
        "ct-bacs-report",
        "ct-payments",
        ACCOUNT.reference,
        json!([{ "kind": "direct_debit_cancel", "account": ACCOUNT.reference, "reason": "Cancelled by the payer",
                 "advice": { "report": "addacs", "code": "1" } }]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    let cancelled = mandate(&app, ACCOUNT.reference).await?;
    assert_eq!(
        (cancelled.status.as_str(), cancelled.lodge.as_str()),
        ("cancelled", ""),
        "the bank already cancelled it"
    );
    Ok(())
}

#[tokio::test]
async fn a_band_increase_is_never_backdated_and_a_backdated_reduction_needs_approval() -> anyhow::Result<()> {
    let app = app_with_accounts().await?;
    set_band(&app, ACCOUNT.reference, "D").await?;
    let altered = today() - Days::new(2);
    let (status, problem) = complete(
        &app,
        "ct-voa-schedule",
        "ct-changes",
        ACCOUNT.reference,
        json!([{ "kind": "band_change", "account": ACCOUNT.reference, "band": "E",
                 "effective_from": altered - Days::new(30), "list_altered_on": altered }]),
    )
    .await?;
    assert_eq!(status, 422, "{problem}");
    assert!(messages(&problem).contains("backdated"), "{problem}");

    let from = today().checked_sub_months(Months::new(6)).unwrap_or(today());
    let (status, parked) = complete(
        &app,
        "ct-voa-schedule",
        "ct-changes",
        ACCOUNT.reference,
        json!([{ "kind": "band_change", "account": ACCOUNT.reference, "band": "C",
                 "effective_from": from, "list_altered_on": altered }]),
    )
    .await?;
    assert_eq!(status, 200, "{parked}");
    assert_eq!(parked["item"]["status"], "awaiting_approval", "{parked}");
    let id = parked["item"]["id"].as_str().unwrap_or_default().to_owned();
    let lead = app.token("tess", Role::TeamLeader)?;
    let (status, approved) = body(
        app.post_json(
            &format!("/api/v1/work-items/{id}/approve"),
            &lead,
            &json!({ "version": parked["item"]["version"] }),
        )
        .await?,
    )
    .await?;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["applied"][0]["before"]["band"], "D", "{approved}");
    assert_eq!(approved["applied"][0]["after"]["band"], "C", "{approved}");
    Ok(())
}

const SHOP: SeedAccount<'static> = SeedAccount {
    reference: "6000054321",
    service: "business_rates",
    address: "Unit 3, High Street, Barchester",
    postcode: "BC1 3HS",
    uprn: Some(100_054_399),
    party: "Barchester Books Ltd",
    recovery_stage: None,
    vulnerable: false,
};

/// A rateable value increase takes effect from the Valuation Officer's effective date, before
/// the list was altered (SI 2009/2268; `domain.md` §5 "NNDR list alterations": rebill from the
/// effective date with a backdated demand); the no-backdating rule is Council Tax's only.
#[tokio::test]
async fn a_rateable_value_increase_is_backdated_to_the_valuation_officers_effective_date() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(SHOP).await?;
    app.set_queues("amy", &["business-rates"]).await?;
    set_rateable_value(&app, SHOP.reference, 13_500).await?;
    let amy = app.token("amy", Role::Officer)?;
    let charge_path = format!("/api/v1/accounts/{}/charge", SHOP.reference);
    let first = app.get_json(&charge_path, &amy).await?;
    let altered = today() - Days::new(2);
    let effective = altered - Days::new(20);
    let (status, done) = complete(
        &app,
        "br-voa-alteration",
        "business-rates",
        SHOP.reference,
        json!([{ "kind": "rateable_value_change", "account": SHOP.reference, "rateable_value": 20_000,
                 "effective_from": effective, "list_altered_on": altered }]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["item"]["status"], "done", "a backdated demand within the policy needs no approval: {done}");
    assert_eq!(done["applied"][0]["before"]["rateable_value"], 13_500, "{done}");
    assert_eq!(done["applied"][0]["after"]["rateable_value"], 20_000, "{done}");
    let recorded = history(&app, SHOP.reference).await?;
    assert!(recorded.iter().any(|h| h.after.as_deref().is_some_and(|a| a.contains("20000"))), "{recorded:?}");
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[SHOP.reference.to_owned()]).await?.remove(0);
    let state = postroom_db::account_changes::state_of(&db, &account).await?;
    db.close().await?;
    assert_eq!(state.rateable_value_on(effective), Some(20_000), "from the effective date");
    assert_eq!(state.rateable_value_on(effective - Days::new(1)), Some(13_500));

    // Rebilled from the effective date: a revised notice today for the higher charge.
    let revised = app.get_json(&charge_path, &amy).await?;
    let (before, after) = (first["total_pence"].as_i64().unwrap_or(0), revised["total_pence"].as_i64().unwrap_or(0));
    assert!(after > before, "{first} then {revised}");
    if json!(effective).as_str() > revised["liability"][0]["from"].as_str() {
        assert_eq!(revised["lines"][1]["from"], json!(effective), "20,000 from the effective date: {revised}");
    }
    assert_eq!(revised["revisions"][0]["notice"], json!(today()), "{revised}");
    assert_eq!(revised["revisions"][0]["total_pence"], after);
    assert_eq!(revised["revisions"][0]["recorded"], true);
    Ok(())
}

async fn set_rateable_value(app: &TestApp, reference: &str, pounds: i64) -> anyhow::Result<()> {
    use postroom_db::entities::property;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[reference.to_owned()]).await?.remove(0);
    property::Entity::update_many()
        .col_expr(property::Column::RateableValuePence, Expr::value(pounds * 100))
        .filter(property::Column::Id.eq(account.property_id))
        .exec(&db)
        .await?;
    db.close().await?;
    Ok(())
}

async fn set_band(app: &TestApp, reference: &str, band: &str) -> anyhow::Result<()> {
    use postroom_db::entities::property;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[reference.to_owned()]).await?.remove(0);
    property::Entity::update_many()
        .col_expr(property::Column::CouncilTaxBand, Expr::value(band))
        .filter(property::Column::Id.eq(account.property_id))
        .exec(&db)
        .await?;
    db.close().await?;
    Ok(())
}

#[tokio::test]
async fn breathing_space_holds_recovery_until_it_is_released() -> anyhow::Result<()> {
    let app = app_with_accounts().await?;
    let (status, done) = complete(
        &app,
        "ct-insolvency",
        "ct-recovery",
        ACCOUNT.reference,
        json!([{ "kind": "recovery_hold", "account": ACCOUNT.reference, "reason": "breathing_space",
                 "from": today() - Days::new(5) }]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["applied"][0]["after"][0]["to"], json!(today() + Days::new(54)), "{done}");

    let notice = json!([{ "kind": "recovery_stage", "account": ACCOUNT.reference, "stage": "final_notice",
                          "on": today() }]);
    let (status, problem) = complete(&app, "ct-insolvency", "ct-recovery", ACCOUNT.reference, notice.clone()).await?;
    assert_eq!(status, 422, "{problem}");
    assert!(messages(&problem).contains("breathing_space"), "{problem}");

    let (status, done) = complete(
        &app,
        "ct-insolvency",
        "ct-recovery",
        ACCOUNT.reference,
        json!([{ "kind": "recovery_release", "account": ACCOUNT.reference, "reason": "breathing_space",
                 "last_day": today() - Days::new(1) }]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    // A summons cannot skip the final notice (SI 1992/613 reg 33): refused naming the rule.
    let summons = json!([{ "kind": "recovery_stage", "account": ACCOUNT.reference, "stage": "summons",
                           "on": today(), "sum_due_from": today() }]);
    let (status, problem) = complete(&app, "ct-insolvency", "ct-recovery", ACCOUNT.reference, summons).await?;
    assert_eq!(status, 422, "{problem}");
    assert!(messages(&problem).contains("SI 1992/613 regs 23, 33 and 34(1)"), "{problem}");
    let (status, done) = complete(&app, "ct-insolvency", "ct-recovery", ACCOUNT.reference, notice).await?;
    assert_eq!(status, 200, "{done}");
    Ok(())
}

#[tokio::test]
async fn two_changes_to_one_account_in_one_completion_both_stand() -> anyhow::Result<()> {
    let app = app_with_accounts().await?;
    let (status, done) = complete(
        &app,
        "ct-enforcement-agent",
        "ct-recovery",
        ACCOUNT.reference,
        json!([
            { "kind": "vulnerability_flag", "account": ACCOUNT.reference, "vulnerable": true, "reason": "Recently bereaved" },
            { "kind": "recovery_stage", "account": ACCOUNT.reference, "stage": "reminder", "on": today() },
        ]),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    let db = app.database().await?;
    let account = postroom_db::accounts::by_references(&db, &[ACCOUNT.reference.to_owned()]).await?.remove(0);
    db.close().await?;
    assert!(account.vulnerable, "the second change must not undo the first");
    assert_eq!(account.recovery_stage.as_deref(), Some("reminder"));
    assert_eq!(done["applied"][1]["before"], json!({ "recovery_stage": null }), "{done}");
    Ok(())
}
