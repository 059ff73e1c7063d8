//! A letter from a person at risk, in ordinary words: P1, the evidence on the item, a
//! `workitem.safeguarding` event, and no closing it without a team leader.

use postroom_domain::Role;
use postroom_e2e::{ACACIA_AVENUE, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn act(app: &TestApp, token: &str, id: &str, action: &str, req: Value) -> anyhow::Result<(StatusCode, Value)> {
    let resp = app.post_json(&format!("/api/v1/work-items/{id}/{action}"), token, &req).await?;
    let status = resp.status();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

#[tokio::test]
async fn a_person_at_risk_is_p1_with_evidence_and_an_officer_cannot_close_it_alone() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.seed_account(ACACIA_AVENUE).await?;
    let gateway = app.token("gateway", Role::Service)?;
    let raw = "From: Jane Doe <jane@example.org>\r\nTo: ctax@council.example\r\nSubject: Moving out\r\n\
               Message-ID: <at-risk-1@example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n\
               Account 5000012345. I moved out of 21 Heather Court on 3 November, forwarding address 2 Mill Lane. \
               Please send the final bill. I'm not saying I'd hurt myself, but I don't see the point any more.\r\n\r\n\
               Kind regards\r\nJane Doe\r\n"
        .to_owned();
    let resp = app.post_email(&gateway, raw, "").await?;
    anyhow::ensure!(resp.status() == 201, "{}", resp.status());
    let items = app.work_items(&gateway, "").await?;
    anyhow::ensure!(items.len() == 1, "expected one item: {items:?}");
    let id = items[0]["id"].as_str().unwrap_or_default().to_owned();
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &gateway).await?;
    assert_eq!(item["workflow"], "ct-moving-out", "{item}");
    assert_eq!(item["priority"], "P1", "{item}");
    assert_eq!(item["safeguarding"], true, "{item}");
    let hits = &item["classification"]["safeguarding"];
    assert_eq!(hits[0]["category"], "suicide_self_harm", "{item}");
    assert_eq!(hits[0]["phrase"], "hurt myself", "{item}");
    let raises = item["classification"]["raises"].as_array().cloned().unwrap_or_default();
    assert!(raises.iter().any(|r| r["to"] == "P1" && r["reason"].as_str().is_some_and(|s| s.contains("risk to life"))));
    // "21 Heather Court" is a street, not court action.
    assert!(!raises.iter().any(|r| r["reason"] == "court action"), "{raises:?}");
    let announced = app.events("workitem.safeguarding").await?;
    assert_eq!(announced.len(), 1, "{announced:?}");
    assert_eq!(announced[0]["work_item_id"], id.as_str());
    assert_eq!(announced[0]["categories"], json!(["suicide_self_harm"]));

    let queue = item["queue"].as_str().unwrap_or_default().to_owned();
    app.set_queues("amy", &[queue.as_str()]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let (status, claimed) = act(&app, &amy, &id, "claim", json!({})).await?;
    assert_eq!(status, 200, "{claimed}");
    // Only a team leader cancels it.
    let (status, problem) = act(&app, &amy, &id, "cancel", json!({"reason": "no_action_needed"})).await?;
    assert_eq!(status, 403, "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("safeguarding")), "{problem}");
    // An officer's completion waits for a team leader.
    let version = claimed["version"].as_i64().unwrap_or_default();
    let (status, done) =
        act(&app, &amy, &id, "complete", json!({"version": version, "outcome": "Moved out; final bill sent"})).await?;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["item"]["status"], "awaiting_approval", "{done}");
    assert!(
        done["approval_reasons"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r.as_str().is_some_and(|s| s.contains("safeguarding")))),
        "{done}"
    );
    app.stop().await
}

#[tokio::test]
async fn a_reply_that_joins_an_open_item_is_read_for_a_person_at_risk_too() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.seed_account(ACACIA_AVENUE).await?;
    let gateway = app.token("gateway", Role::Service)?;
    let first = "From: Jane Doe <jane@example.org>\r\nTo: ctax@council.example\r\nSubject: Direct debit\r\n\
                 Message-ID: <joined-1@example.org>\r\n\r\nAccount 5000012345. Please cancel my direct debit.\r\n";
    anyhow::ensure!(app.post_email(&gateway, first, "").await?.status() == 201);
    app.wait_until_quiet(std::time::Duration::from_secs(30)).await?;
    let items = app.work_items(&gateway, "").await?;
    anyhow::ensure!(items.len() == 1, "expected one item: {items:?}");
    let id = items[0]["id"].as_str().unwrap_or_default().to_owned();
    let before = app.get_json(&format!("/api/v1/work-items/{id}"), &gateway).await?;
    assert_eq!(before["safeguarding"], false, "{before}");
    // Her answer threads to the item (In-Reply-To), so it is not classified on its own.
    let answer = "From: Jane Doe <jane@example.org>\r\nTo: ctax@council.example\r\nSubject: Re: Direct debit\r\n\
                  Message-ID: <joined-2@example.org>\r\nIn-Reply-To: <joined-1@example.org>\r\n\r\n\
                  Thanks.\r\n\r\nSorry, I can't cope with any of this. I have thought about ending my life.\r\n";
    anyhow::ensure!(app.post_email(&gateway, answer, "").await?.status() == 201);
    app.wait_until_quiet(std::time::Duration::from_secs(30)).await?;
    assert_eq!(app.work_items(&gateway, "").await?.len(), 1, "the answer joined the item");
    let after = app.get_json(&format!("/api/v1/work-items/{id}"), &gateway).await?;
    assert_eq!((after["priority"].as_str(), after["safeguarding"].as_bool()), (Some("P1"), Some(true)), "{after}");
    assert!(after["history"].to_string().contains("\"action\":\"safeguarding\""), "{}", after["history"]);
    let announced = app.events("workitem.safeguarding").await?;
    assert_eq!(announced.len(), 1, "{announced:?}");
    assert_eq!(announced[0]["work_item_id"], id.as_str());
    app.stop().await
}
