//! The accounts API: search by reference, UPRN, postcode, name or address; an account with its
//! adjustments by kind; its history after a completion changed it.

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, SeedItem, TestApp};
use serde_json::{Value, json};

const ACACIA: SeedAccount<'static> = postroom_e2e::ACACIA_AVENUE;

const MILL: SeedAccount<'static> = SeedAccount {
    reference: "1000055555",
    service: "business_rates",
    address: "Unit 2, Mill Lane Trading Estate, Barchester",
    postcode: "BC3 7ML",
    uprn: Some(100_055_555),
    party: "Acacia Holdings Ltd",
    recovery_stage: Some("summons"),
    vulnerable: false,
};

async fn refs(app: &TestApp, token: &str, q: &str) -> anyhow::Result<Vec<String>> {
    let url =
        format!("/api/v1/accounts?q={}", percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC));
    let found: Value = app.get_json(&url, token).await?;
    Ok(found.as_array().into_iter().flatten().filter_map(|a| a["reference"].as_str().map(str::to_owned)).collect())
}

#[tokio::test]
async fn accounts_are_found_by_reference_uprn_postcode_name_or_address() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    app.seed_account(MILL).await?;
    let amy = app.token("amy", Role::Officer)?;
    assert_eq!(refs(&app, &amy, "5000012345").await?, ["5000012345"]);
    assert_eq!(refs(&app, &amy, "50000").await?, ["5000012345"], "a reference's first digits");
    assert_eq!(refs(&app, &amy, "100055555").await?, ["1000055555"], "a UPRN");
    assert_eq!(refs(&app, &amy, "bc1 4aa").await?, ["5000012345"], "a postcode");
    assert_eq!(refs(&app, &amy, "acacia").await?, ["1000055555", "5000012345"], "a name or an address");
    assert_eq!(refs(&app, &amy, "jane doe").await?, ["5000012345"]);
    assert!(refs(&app, &amy, "zebra").await?.is_empty());
    assert_eq!(app.get("/api/v1/accounts?q=a", &amy).await?.status(), 400, "too short to search");
    assert_eq!(app.get("/api/v1/accounts/9999999999", &amy).await?.status(), 404);
    let mill: Value = app.get_json("/api/v1/accounts/1000055555", &amy).await?;
    assert_eq!(mill["service"], "business_rates");
    assert_eq!(mill["recovery_stage"], "summons");
    assert_eq!(mill["property"]["postcode"], "BC3 7ML");
    assert_eq!(mill["parties"][0]["name"], "Acacia Holdings Ltd");
    app.stop().await
}

#[tokio::test]
async fn an_accounts_history_shows_each_change_with_before_and_after() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    app.set_queues("amy", &["ct-discounts"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let id = app
        .seed_item(SeedItem {
            workflow: "ct-single-person-discount",
            queue: "ct-discounts",
            accounts: &[ACACIA.reference],
            ..SeedItem::default()
        })
        .await?;
    let today = postroom_domain::london_date(chrono::Utc::now());
    let item: Value = app.post_json("/api/v1/work-items/next", &amy, &json!({})).await?.json().await?;
    assert_eq!(item["id"], id.to_string());
    let completion = json!({
        "version": item["version"],
        "changes": [
            { "kind": "discount_grant", "account": ACACIA.reference, "discount": "single_person", "from": today },
            { "kind": "note", "account": ACACIA.reference, "text": "not allowed by this workflow" },
        ],
        "outcome": "granted",
    });
    let resp = app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?;
    assert_eq!(resp.status(), 422, "note is not a change this workflow allows");
    let history: Value = app.get_json(&format!("/api/v1/accounts/{}/history", ACACIA.reference), &amy).await?;
    assert_eq!(history, json!([]), "nothing applied");
    let completion = json!({
        "version": item["version"],
        "changes": [{ "kind": "discount_grant", "account": ACACIA.reference, "discount": "single_person", "from": today }],
        "outcome": "granted",
    });
    let resp = app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?;
    assert_eq!(resp.status(), 200, "{}", resp.text().await?);
    let history: Value = app.get_json(&format!("/api/v1/accounts/{}/history", ACACIA.reference), &amy).await?;
    assert_eq!(history[0]["kind"], "discount_grant");
    assert_eq!(history[0]["actor"], "amy");
    assert_eq!(history[0]["before"], json!([]));
    assert_eq!(history[0]["after"][0]["from"], today.to_string());
    assert_eq!(history[0]["work_item_id"], id.to_string());
    let account: Value = app.get_json(&format!("/api/v1/accounts/{}", ACACIA.reference), &amy).await?;
    assert_eq!(account["adjustments"]["discounts"][0]["code"], "single_person");
    assert_eq!(account["version"], 2, "the completion moved the account's version on");
    app.stop().await
}
