//! Finding work: the list's filters (assignee, account, overdue, due date, reference, text) and
//! their refusals, and an account's open work items (a customer who phones is matched to it).

use chrono::{Days, Utc};
use postroom_db::entities::work_item;
use postroom_domain::{Priority, Role, london_date};
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::Value;

const ACACIA: SeedAccount<'static> = postroom_e2e::ACACIA_AVENUE;

const MILL: SeedAccount<'static> = SeedAccount {
    reference: "1000055555",
    service: "business_rates",
    address: "Unit 2, Mill Lane Trading Estate, Barchester",
    postcode: "BC3 7ML",
    uprn: Some(100_055_555),
    party: "Acacia Holdings Ltd",
    recovery_stage: None,
    vulnerable: false,
};

fn today() -> chrono::NaiveDate {
    london_date(Utc::now())
}

/// The references listed under `query`.
async fn refs(app: &TestApp, token: &str, query: &str) -> anyhow::Result<Vec<String>> {
    let page = app.get_json(&format!("/api/v1/work-items{query}"), token).await?;
    Ok(page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["reference"].as_str().map(str::to_owned))
        .collect())
}

/// An email from `from`; returns the reference of the item it opened.
async fn email(app: &TestApp, token: &str, from: &str) -> anyhow::Result<String> {
    let raw = format!(
        "From: {from}\r\nTo: ctax@council.example\r\nSubject: A question\r\nMessage-ID: <q1@example.org>\r\n\
         Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n\r\nPlease call me about my bill.\r\n"
    );
    let resp = app.post_email(token, raw, "").await?;
    anyhow::ensure!(resp.status() == 201, "{}", resp.status());
    let receipt: Value = resp.json().await?;
    let correspondence = receipt["correspondence_id"].as_str().unwrap_or_default().to_owned();
    let items = app.work_items(token, &format!("?correspondence_id={correspondence}")).await?;
    anyhow::ensure!(items.len() == 1, "{items:?}");
    Ok(items[0]["reference"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn the_list_filters_by_assignee_account_overdue_due_date_reference_and_text() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    app.seed_account(MILL).await?;
    let late = SeedItem {
        priority: Priority::P2,
        due_on: today() - Days::new(3),
        accounts: &[ACACIA.reference],
        ..SeedItem::default()
    };
    let soon = SeedItem { due_on: today() + Days::new(5), accounts: &[MILL.reference], ..SeedItem::default() };
    let later = SeedItem { queue: "ct-changes", due_on: today() + Days::new(20), ..SeedItem::default() };
    let db = app.database().await?;
    let mut reference = std::collections::HashMap::new();
    for (name, item) in [("late", &late), ("soon", &soon), ("later", &later)] {
        let id = postroom_e2e::seed_item_on(&db, item).await?;
        let model = work_item::Entity::find_by_id(id).one(&db).await?.ok_or_else(|| anyhow::anyhow!("seeded"))?;
        reference.insert(name, model.reference);
    }
    let post = app.token("gateway", Role::Service)?;
    let mailed = email(&app, &post, "Jane Citizen <jane.citizen@example.org>").await?;
    let amy = app.token("amy", Role::Officer)?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let claim = app.client.post(app.url("/api/v1/work-items/next")).bearer_auth(&amy).send().await?;
    assert_eq!(claim.status(), 200);
    let (late, soon, later) = (&reference["late"], &reference["soon"], &reference["later"]);

    assert_eq!(refs(&app, &amy, "?assignee=amy").await?, [late.as_str()]);
    assert!(refs(&app, &amy, "?assignee=bob").await?.is_empty());
    assert_eq!(refs(&app, &amy, "?account=5000012345").await?, [late.as_str()]);
    assert_eq!(refs(&app, &amy, "?account=1000055555").await?, [soon.as_str()]);
    assert!(refs(&app, &amy, "?account=9999999999").await?.is_empty());
    assert_eq!(refs(&app, &amy, "?overdue=true&queue=ct-enquiries").await?, [late.as_str()]);
    assert_eq!(refs(&app, &amy, "?overdue=false&queue=ct-enquiries").await?, [soon.as_str()]);
    assert_eq!(refs(&app, &amy, "?overdue=true").await?, [late.as_str()], "the email is not overdue");
    let before = today() + Days::new(6);
    let due_soon = refs(&app, &amy, &format!("?due_before={before}")).await?;
    assert!(due_soon.contains(late) && due_soon.contains(soon) && !due_soon.contains(later), "{due_soon:?}");
    assert_eq!(refs(&app, &amy, &format!("?reference={later}")).await?, [later.as_str()]);
    assert_eq!(refs(&app, &amy, &format!("?reference={}", later.to_lowercase())).await?, [later.as_str()]);
    assert!(refs(&app, &amy, "?reference=WI-1999-000001").await?.is_empty());
    // Text: an account reference (in part), the sender, the item reference; any case.
    assert_eq!(refs(&app, &amy, "?q=50000123").await?, [late.as_str()]);
    assert_eq!(refs(&app, &amy, "?q=JANE.CITIZEN").await?, [mailed.as_str()]);
    assert_eq!(refs(&app, &amy, "?q=@example.org").await?, [mailed.as_str()], "the sender's domain");
    assert_eq!(refs(&app, &amy, &format!("?q={}", &soon[3..])).await?, [soon.as_str()]);
    assert!(refs(&app, &amy, "?q=100%25").await?.is_empty(), "% is not a wildcard");
    // Filters combine.
    assert!(refs(&app, &amy, "?assignee=amy&account=1000055555").await?.is_empty());
    assert_eq!(refs(&app, &amy, "?q=5000&overdue=true").await?, [late.as_str()]);
    db.close().await?;
    app.stop().await
}

#[tokio::test]
async fn a_filter_that_is_not_valid_is_refused_naming_the_parameter() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let amy = app.token("amy", Role::Officer)?;
    for (query, field) in [
        ("overdue=maybe", "overdue"),
        ("due_before=31%2F12%2F2026", "due_before"),
        ("due_before=2026-02-30", "due_before"),
        ("reference=42", "reference"),
        ("q=x", "q"),
        ("assignee=", "assignee"),
        ("account=%20", "account"),
    ] {
        let resp = app.get(&format!("/api/v1/work-items?{query}"), &amy).await?;
        assert_eq!(resp.status(), 422, "{query}");
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let problem: Value = resp.json().await?;
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
        assert!(problem["detail"].as_str().unwrap_or_default().contains(field), "{problem}");
    }
    let resp = app.get("/api/v1/work-items?overdue=1&due_before=soon", &amy).await?;
    let problem: Value = resp.json().await?;
    let fields: Vec<&str> =
        problem["errors"].as_array().into_iter().flatten().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["overdue", "due_before"], "every bad parameter is named: {problem}");
    let resp = app.get("/api/v1/work-items?sender=jane", &amy).await?;
    assert_eq!(resp.status(), 400, "an unknown parameter");
    assert!(resp.text().await?.contains("sender"));
    app.stop().await
}

#[tokio::test]
async fn an_account_lists_its_open_work_items() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    app.seed_account(MILL).await?;
    let urgent = SeedItem { priority: Priority::P1, accounts: &[ACACIA.reference], ..SeedItem::default() };
    let routine = SeedItem {
        workflow: "ct-single-person-discount",
        queue: "ct-discounts",
        due_on: today() - Days::new(1),
        accounts: &[ACACIA.reference],
        ..SeedItem::default()
    };
    let finished = SeedItem { accounts: &[ACACIA.reference], ..SeedItem::default() };
    let elsewhere = SeedItem { accounts: &[MILL.reference], ..SeedItem::default() };
    let db = app.database().await?;
    let urgent = postroom_e2e::seed_item_on(&db, &urgent).await?;
    let routine = postroom_e2e::seed_item_on(&db, &routine).await?;
    let finished = postroom_e2e::seed_item_on(&db, &finished).await?;
    postroom_e2e::seed_item_on(&db, &elsewhere).await?;
    work_item::Entity::update_many()
        .col_expr(work_item::Column::Status, Expr::value("done"))
        .filter(work_item::Column::Id.eq(finished))
        .exec(&db)
        .await?;
    let amy = app.token("amy", Role::Officer)?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    assert_eq!(app.client.post(app.url("/api/v1/work-items/next")).bearer_auth(&amy).send().await?.status(), 200);

    let account = app.get_json("/api/v1/accounts/5000012345", &amy).await?;
    let open = account["open_work_items"].as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = open.iter().filter_map(|i| i["id"].as_str()).collect();
    assert_eq!(ids, [urgent.to_string(), routine.to_string()], "open ones only, most urgent first");
    let first = &open[0];
    let stored = work_item::Entity::find_by_id(urgent).one(&db).await?.ok_or_else(|| anyhow::anyhow!("item"))?;
    assert_eq!(first["reference"], stored.reference.as_str());
    assert_eq!(first["workflow"], "ct-general-enquiry");
    assert_eq!(first["status"], "in_progress");
    assert_eq!(first["priority"], "P1");
    assert_eq!(first["due_on"], stored.due_on.to_string());
    assert_eq!(first["assignee"], "amy");
    assert_eq!(first["overdue"], false);
    assert_eq!((open[1]["status"].as_str(), open[1]["assignee"].as_str()), (Some("ready"), None));
    assert_eq!(open[1]["overdue"], true);
    let mill = app.get_json("/api/v1/accounts/1000055555", &amy).await?;
    assert_eq!(mill["open_work_items"].as_array().map(Vec::len), Some(1));
    db.close().await?;
    app.stop().await
}
