//! Classification end to end: a letter's text picks its workflow, queue, priority and due date,
//! with the evidence on the item; what does not match stays in triage with the candidates.

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, TestApp};

/// Emails need no text tools, so these run on any machine.
async fn email(app: &TestApp, token: &str, id: &str, date: &str, body: &str) -> anyhow::Result<()> {
    let raw = format!(
        "From: Jane Citizen <jane@example.org>\r\nTo: ctax@council.example\r\nSubject: My account\r\n\
         Message-ID: <{id}@example.org>\r\nDate: {date}\r\n\r\n{body}\r\n"
    );
    // The gateway passes when it received the message; deadlines run from then.
    let received_at = chrono::DateTime::parse_from_rfc2822(date)?.to_utc().to_rfc3339();
    let resp = app.post_email(token, raw, &format!("?received_at={}", received_at.replace('+', "%2B"))).await?;
    anyhow::ensure!(resp.status() == 201, "{}", resp.status());
    Ok(())
}

async fn only_item(app: &TestApp, token: &str) -> anyhow::Result<serde_json::Value> {
    let items = app.work_items(token, "").await?;
    anyhow::ensure!(items.len() == 1, "expected one item: {items:?}");
    app.get_json(&format!("/api/v1/work-items/{}", items[0]["id"].as_str().unwrap_or_default()), token).await
}

#[tokio::test]
async fn a_moving_out_letter_leaves_triage_for_its_queue_and_says_why() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    let token = app.token("gateway", Role::Service)?;
    let body = "Account 500123456. I moved out on 3 November. My forwarding address is 2 Mill Lane. \
                Please send the final bill.";
    email(&app, &token, "moving-1", "Fri, 20 Nov 2026 09:00:00 +0000", body).await?;
    let item = only_item(&app, &token).await?;
    assert_eq!(item["workflow"], "ct-moving-out", "{item}");
    assert_eq!((item["queue"].as_str(), item["status"].as_str()), (Some("ct-changes"), Some("ready")));
    assert_eq!(item["priority"], "P2");
    assert_eq!(item["due_on"], "2026-11-27", "5 working days after Friday 20 November");
    let fired: Vec<String> = item["classification"]["candidates"][0]["fired"]
        .as_array()
        .map(|f| f.iter().map(|r| r["value"].as_str().unwrap_or_default().to_owned()).collect())
        .unwrap_or_default();
    assert!(fired.contains(&"forwarding address".to_owned()), "{fired:?}");
    assert!(item["history"].as_array().is_some_and(|h| h.iter().any(|e| e["action"] == "classified")));
    assert_eq!(
        item["accounts"],
        serde_json::json!([{"reference": "500123456", "service": "council_tax", "matched_by": "reference"}])
    );
    Ok(())
}

const ACACIA: SeedAccount<'static> = SeedAccount {
    reference: "500123456",
    service: "council_tax",
    address: "14 Acacia Avenue, Anytown",
    postcode: "AN1 2BC",
    uprn: Some(100_023_336_956),
    party: "Jane Citizen",
    recovery_stage: None,
    vulnerable: false,
};

#[tokio::test]
async fn without_a_known_account_a_council_tax_letter_stays_in_triage_with_the_candidates() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    app.seed_account(SeedAccount {
        reference: "500999888",
        address: "16 Acacia Avenue, Anytown",
        party: "Sam Other",
        uprn: None,
        ..ACACIA
    })
    .await?;
    let token = app.token("gateway", Role::Service)?;
    // A reference nobody has, and a postcode two accounts share with no name to tell them apart.
    let body = "My reference is 599999999. I moved out of my flat in AN1 2BC last week; please send the final bill \
                to my forwarding address.";
    email(&app, &token, "unknown-1", "Fri, 20 Nov 2026 09:00:00 +0000", body).await?;
    let item = only_item(&app, &token).await?;
    assert_eq!(item["status"], "triage", "{item}");
    let accounts = &item["classification"]["accounts"];
    assert_eq!(accounts["unknown_references"], serde_json::json!(["599999999"]));
    assert_eq!(accounts["candidates"], serde_json::json!(["500123456", "500999888"]));
    assert!(
        item["classification"]["reason"].as_str().is_some_and(|r| r.contains("ct-moving-out needs an account")),
        "{item}"
    );
    Ok(())
}

#[tokio::test]
async fn a_postcode_and_the_liable_partys_name_find_the_account() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    app.seed_account(SeedAccount {
        reference: "500999888",
        address: "16 Acacia Avenue, Anytown",
        party: "Sam Other",
        uprn: None,
        ..ACACIA
    })
    .await?;
    let token = app.token("gateway", Role::Service)?;
    let body = "I have moved out of 14 Acacia Avenue, AN1 2BC. Forwarding address: 2 Mill Lane. Final bill please. \
                Jane Citizen";
    email(&app, &token, "named-1", "Fri, 20 Nov 2026 09:00:00 +0000", body).await?;
    let item = only_item(&app, &token).await?;
    assert_eq!(item["workflow"], "ct-moving-out", "{item}");
    assert_eq!(item["accounts"][0]["reference"], "500123456");
    assert_eq!(item["accounts"][0]["matched_by"], "postcode_and_name");
    Ok(())
}

#[tokio::test]
async fn an_unrecognised_letter_stays_in_triage_but_escalation_words_still_raise_it() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("gateway", Role::Service)?;
    let body = "Please help. The bailiffs are at my door this morning and I do not know what to do.";
    email(&app, &token, "help-1", "Mon, 23 Nov 2026 08:00:00 +0000", body).await?;
    let item = only_item(&app, &token).await?;
    assert_eq!(item["priority"], "P1", "{item}");
    let raises = item["classification"]["raises"].as_array().cloned().unwrap_or_default();
    assert!(raises.iter().any(|r| r["word"] == "bailiffs"), "{raises:?}");
    Ok(())
}

#[tokio::test]
async fn the_catalogue_is_listed() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("olly", Role::Officer)?;
    let list = app.get_json("/api/v1/workflows", &token).await?;
    let sar = list.as_array().and_then(|l| l.iter().find(|w| w["id"] == "subject-access-request")).cloned();
    let sar = sar.ok_or_else(|| anyhow::anyhow!("no subject-access-request in {list}"))?;
    assert_eq!(sar["target"], serde_json::json!({"calendar_months": 1}));
    assert_eq!(sar["clock"], "statutory", "UK GDPR art. 12(3): council closure days do not stop the month");
    assert_eq!(sar["service"], "cross");
    Ok(())
}

#[tokio::test]
async fn post_room_staff_index_a_triage_item_and_it_moves_to_its_queue() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("gateway", Role::Service)?;
    email(&app, &gateway, "vague-1", "Fri, 20 Nov 2026 09:00:00 +0000", "Please see attached, thanks.").await?;
    let postroom = app.token("pat", Role::PostRoom)?;
    let item = only_item(&app, &postroom).await?;
    assert_eq!(item["status"], "triage");
    let id = item["id"].as_str().unwrap_or_default().to_owned();
    let version = item["version"].as_i64().unwrap_or_default();
    let index = |token: String, body: serde_json::Value| {
        let app = &app;
        let id = id.clone();
        async move {
            app.client
                .post(app.url(&format!("/api/v1/work-items/{id}/index")))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
        }
    };
    // Officers do not index; unknown workflows and stale versions are refused.
    let officer = app.token("olly", Role::Officer)?;
    assert_eq!(index(officer, serde_json::json!({"version": version, "workflow": "ct-refund"})).await?.status(), 403);
    let unknown = index(postroom.clone(), serde_json::json!({"version": version, "workflow": "ct-nonsense"})).await?;
    assert_eq!(unknown.status(), 422);
    let stale = index(postroom.clone(), serde_json::json!({"version": version + 7, "workflow": "ct-refund"})).await?;
    assert_eq!(stale.status(), 409);
    let ok =
        index(postroom.clone(), serde_json::json!({"version": version, "workflow": "subject-access-request"})).await?;
    assert_eq!(ok.status(), 200);
    let indexed: serde_json::Value = ok.json().await?;
    assert_eq!(
        (indexed["queue"].as_str(), indexed["status"].as_str()),
        (Some("information-governance"), Some("ready"))
    );
    assert_eq!(indexed["due_on"], "2026-12-21", "one calendar month from the received date (20 December is a Sunday)");
    // Once indexed it is no longer in triage.
    let again =
        index(postroom.clone(), serde_json::json!({"version": indexed["version"], "workflow": "ct-refund"})).await?;
    assert_eq!(again.status(), 409);
    let problem: serde_json::Value = again.json().await?;
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("is ready, not in triage")), "{problem}");
    let detail = app.get_json(&format!("/api/v1/work-items/{id}"), &postroom).await?;
    assert!(
        detail["history"].as_array().is_some_and(|h| h.iter().any(|e| e["action"] == "indexed" && e["actor"] == "pat"))
    );
    Ok(())
}

#[tokio::test]
async fn another_letter_of_the_same_kind_about_the_same_account_joins_the_open_item() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    let token = app.token("gateway", Role::Service)?;
    let first = "Account 500123456. I moved out on 3 November; forwarding address 2 Mill Lane. Final bill please.";
    email(&app, &token, "same-1", "Fri, 20 Nov 2026 09:00:00 +0000", first).await?;
    let second =
        "Further to my letter: account 500123456, I have moved out, the final bill should go to my forwarding address.";
    email(&app, &token, "same-2", "Mon, 23 Nov 2026 09:00:00 +0000", second).await?;
    let items = app.work_items(&token, "").await?;
    let open: Vec<_> = items.iter().filter(|i| i["status"] != "cancelled").collect();
    let merged: Vec<_> = items.iter().filter(|i| i["status"] == "cancelled").collect();
    assert_eq!((open.len(), merged.len()), (1, 1), "{items:?}");
    let detail =
        app.get_json(&format!("/api/v1/work-items/{}", open[0]["id"].as_str().unwrap_or_default()), &token).await?;
    assert_eq!(detail["documents"].as_array().map(Vec::len), Some(2), "both letters are on the open item");
    let linked =
        detail["history"].as_array().and_then(|h| h.iter().find(|e| e["action"] == "correspondence_linked")).cloned();
    assert_eq!(
        linked.map(|e| e["details"]["matched_by"].clone()),
        Some(serde_json::json!("same_account_and_workflow"))
    );
    Ok(())
}

#[tokio::test]
async fn the_accounts_state_raises_priority_with_the_reason() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(SeedAccount { recovery_stage: Some("liability_order"), ..ACACIA }).await?;
    app.seed_account(SeedAccount {
        reference: "500999888",
        address: "16 Acacia Avenue",
        uprn: None,
        vulnerable: true,
        ..ACACIA
    })
    .await?;
    let token = app.token("gateway", Role::Service)?;
    // A general enquiry is P3; at liability order it is at least P2; a vulnerable customer is P1.
    email(
        &app,
        &token,
        "state-1",
        "Mon, 23 Nov 2026 09:00:00 +0000",
        "Please send me a copy bill for account 500123456.",
    )
    .await?;
    email(
        &app,
        &token,
        "state-2",
        "Mon, 23 Nov 2026 09:05:00 +0000",
        "Please send me a copy bill for account 500999888.",
    )
    .await?;
    let items = app.work_items(&token, "").await?;
    let mut priorities = Vec::new();
    for item in &items {
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &token).await?;
        let reasons: Vec<String> = detail["classification"]["raises"]
            .as_array()
            .map(|r| r.iter().map(|x| x["reason"].as_str().unwrap_or_default().to_owned()).collect())
            .unwrap_or_default();
        priorities.push((
            detail["accounts"][0]["reference"].as_str().unwrap_or_default().to_owned(),
            detail["priority"].clone(),
            reasons,
        ));
    }
    priorities.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(priorities[0].1, "P2", "{priorities:?}");
    assert!(priorities[0].2.iter().any(|r| r.contains("recovery stage liability_order")), "{priorities:?}");
    assert_eq!(priorities[1].1, "P1", "{priorities:?}");
    assert!(priorities[1].2.iter().any(|r| r.contains("vulnerable")), "{priorities:?}");
    Ok(())
}

#[tokio::test]
async fn a_bacs_report_listing_several_payers_yields_one_item_per_line_with_its_reason_code() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    app.seed_account(ACACIA).await?;
    app.seed_account(SeedAccount { reference: "500999888", address: "16 Acacia Avenue", uprn: None, ..ACACIA }).await?;
    let raw = "From: reports@bacs.co.uk\r\nTo: revenues@council.example\r\nSubject: ADDACS report 23/11/2026\r\n\
Message-ID: <addacs-1@bacs.co.uk>\r\nDate: Mon, 23 Nov 2026 06:00:00 +0000\r\n\r\n\
ADDACS REPORT - AUTOMATED DIRECT DEBIT AMENDMENT AND CANCELLATION SERVICE\r\n\
PAYER NAME        REFERENCE    REASON CODE\r\n\
J CITIZEN         500123456    1\r\n\
S OTHER           500999888    B\r\n\
X UNKNOWN         512345678    1\r\n";
    let token = app.token("gateway", Role::Service)?;
    let resp = app.post_email(&token, raw, "").await?;
    assert_eq!(resp.status(), 201);
    let items = app.work_items(&token, "").await?;
    assert_eq!(items.len(), 2, "{items:?}");
    let mut lines = Vec::new();
    for item in &items {
        assert_eq!((item["workflow"].as_str(), item["status"].as_str()), (Some("ct-bacs-report"), Some("ready")));
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &token).await?;
        let line = &detail["classification"]["report_line"];
        lines.push((detail["accounts"][0]["reference"].clone(), line["reason_code"].clone()));
    }
    // The line whose reference no account has is shown, not dropped.
    let unknown: Vec<serde_json::Value> = {
        let mut all = Vec::new();
        for item in &items {
            let detail = app
                .get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &token)
                .await?;
            all.push(detail["classification"]["unknown_references"].clone());
        }
        all
    };
    assert!(unknown.contains(&serde_json::json!(["512345678"])), "{unknown:?}");
    lines.sort_by_key(|(r, _)| r.as_str().unwrap_or_default().to_owned());
    assert_eq!(
        lines,
        [
            (serde_json::json!("500123456"), serde_json::json!("1")),
            (serde_json::json!("500999888"), serde_json::json!("B"))
        ]
    );
    Ok(())
}
