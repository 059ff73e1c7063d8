//! Replies: drafted when an item is completed, read, edited and approved, sent by a real SMTP
//! server threaded to the customer's message, or printed as a letter in the day's print batch.

use std::time::Duration;

use postroom_domain::Role;
use postroom_e2e::{SeedAccount, SeedItem, SmtpSink, TestApp, pdf_text};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) const ACCOUNT: SeedAccount<'static> = postroom_e2e::ACACIA_AVENUE;

pub(crate) async fn body(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Value)> {
    let status = resp.status();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

/// Polls reply `id` until `done` says so, or fails after 30 s showing the last read.
pub(crate) async fn reply_until(app: &TestApp, id: &str, done: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
    let tl = app.token("tess", Role::TeamLeader)?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let reply = app.get_json(&format!("/api/v1/replies/{id}"), &tl).await?;
        if done(&reply) {
            return Ok(reply);
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "reply {id} never got there: {reply}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Claims item `id` as amy (working `queue`) and completes it with `reply`; the item's reply.
pub(crate) async fn complete_with_reply(
    app: &TestApp,
    id: &str,
    queue: &str,
    reply: Value,
) -> anyhow::Result<(StatusCode, Value)> {
    app.set_queues("amy", &[queue]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let (status, claimed) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?).await?;
    anyhow::ensure!(status == 200, "claim: {claimed}");
    let completion = json!({ "version": claimed["version"], "reply": reply, "outcome": "Answered the customer" });
    body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await
}

/// The id of the only reply of item `id`.
pub(crate) async fn only_reply(app: &TestApp, id: &str) -> anyhow::Result<String> {
    let tl = app.token("tess", Role::TeamLeader)?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &tl).await?;
    let replies = item["replies"].as_array().cloned().unwrap_or_default();
    anyhow::ensure!(replies.len() == 1, "item {id} has replies {replies:?}");
    Ok(replies[0]["id"].as_str().unwrap_or_default().to_owned())
}

/// A seeded, ready `ct-general-enquiry` item about ACCOUNT.
pub(crate) async fn seeded_item(app: &TestApp) -> anyhow::Result<String> {
    app.seed_account(ACCOUNT).await?;
    Ok(app.seed_item(SeedItem { accounts: &[ACCOUNT.reference], ..SeedItem::default() }).await?.to_string())
}

/// The customer's email, received and indexed to `ct-general-enquiry` on ACCOUNT: the item id.
async fn emailed_item(app: &TestApp) -> anyhow::Result<String> {
    app.seed_account(ACCOUNT).await?;
    let gateway = app.token("gateway", Role::Service)?;
    let raw = "From: Jane Doe <jane.doe@example.net>\r\nTo: revenues@council.example\r\nSubject: Question about my \
               bill\r\nMessage-ID: <cust-1@example.net>\r\nReferences: <older@example.net>\r\nDate: Mon, 7 Dec 2026 \
               09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, can you tell me when my \
               instalments are due? Account 5000012345.\r\n";
    let resp = app.post_email(&gateway, raw, "").await?;
    anyhow::ensure!(resp.status() == 201 || resp.status() == 202, "intake: {}", resp.text().await?);
    app.wait_until_quiet(Duration::from_secs(30)).await?;
    let tl = app.token("tess", Role::TeamLeader)?;
    let items = app.all_work_items(&tl).await?;
    anyhow::ensure!(items.len() == 1, "one item expected: {items:?}");
    let id = items[0]["id"].as_str().unwrap_or_default().to_owned();
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &tl).await?;
    if item["workflow"] != "ct-general-enquiry" || item["status"] != "ready" {
        let index =
            json!({ "version": item["version"], "workflow": "ct-general-enquiry", "accounts": [ACCOUNT.reference] });
        let resp = if item["status"] == "triage" {
            app.post_json(&format!("/api/v1/work-items/{id}/index"), &tl, &index).await?
        } else {
            let reroute = json!({ "version": item["version"], "workflow": "ct-general-enquiry", "reason": "test" });
            app.post_json(&format!("/api/v1/work-items/{id}/reroute"), &tl, &reroute).await?
        };
        anyhow::ensure!(resp.status() == 200, "index: {}", resp.text().await?);
    }
    Ok(id)
}

#[tokio::test]
async fn an_emailed_question_gets_an_approved_reply_a_real_smtp_server_receives_threaded() -> anyhow::Result<()> {
    let sink = SmtpSink::start(&[]).await?;
    let mut app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.smtp.host = Some("127.0.0.1".to_owned());
        s.smtp.port = Some(sink.port);
        s.smtp.security = postroom_config::SmtpSecurity::Plain;
        s.replies.from = "Barchester Revenues <revenues@barchester.example>".to_owned();
        s.replies.reply_to = Some("replies@barchester.example".to_owned());
        s.replies.council = "Barchester City Council".to_owned();
    })
    .await?;
    let id = emailed_item(&app).await?;
    // No channel asked: the customer wrote by email, so the reply is an email to them.
    let (status, done) = complete_with_reply(
        &app,
        &id,
        "ct-enquiries",
        json!({ "template": "general-reply", "notes": "Your instalments fall due on the 1st of each month." }),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    let reply_id = only_reply(&app, &id).await?;
    let amy = app.token("amy", Role::Officer)?;
    let draft = app.get_json(&format!("/api/v1/replies/{reply_id}"), &amy).await?;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["channel"], "email");
    assert_eq!(draft["recipient"], json!(["jane.doe@example.net"]));
    assert_eq!(draft["in_reply_to"], "cust-1@example.net");
    let reference = done["item"]["reference"].as_str().unwrap_or_default().to_owned();
    let text = draft["text"].as_str().unwrap_or_default();
    assert!(text.contains("Mrs Jane Doe") && text.contains("1st of each month"), "{text}");
    assert!(draft["subject"].as_str().unwrap_or_default().contains(&reference), "{draft}");
    assert!(draft["html"].as_str().unwrap_or_default().contains("<p>"), "{draft}");

    // The officer edits it (versioned), then approves it.
    let edited = format!("{text}\n\nP.S. Thank you for writing to us.");
    let (status, put) = body(
        app.client
            .put(app.url(&format!("/api/v1/replies/{reply_id}")))
            .bearer_auth(&amy)
            .json(&json!({ "version": draft["version"], "body": edited }))
            .send()
            .await?,
    )
    .await?;
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["version"], 2);
    let (status, stale) = body(
        app.client
            .put(app.url(&format!("/api/v1/replies/{reply_id}")))
            .bearer_auth(&amy)
            .json(&json!({ "version": 1, "body": "x" }))
            .send()
            .await?,
    )
    .await?;
    assert_eq!(status, 409, "{stale}");
    let olly = app.token("olly", Role::Officer)?;
    let (status, _) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), &olly, &json!({ "version": 2 })).await?)
            .await?;
    assert_eq!(status, 403, "another officer may not approve amy's reply");
    let (status, approved) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), &amy, &json!({ "version": 2 })).await?)
            .await?;
    assert_eq!(status, 200, "{approved}");
    let message_id = approved["message_id"].as_str().unwrap_or_default().to_owned();
    assert!(message_id.ends_with("@barchester.example"), "{approved}");
    let (status, _) = body(
        app.client
            .put(app.url(&format!("/api/v1/replies/{reply_id}")))
            .bearer_auth(&amy)
            .json(&json!({ "version": 3, "body": "too late" }))
            .send()
            .await?,
    )
    .await?;
    assert_eq!(status, 409, "an approved reply is no longer edited");

    let sent = reply_until(&app, &reply_id, |r| r["status"] == "sent").await?;
    assert!(sent["server_response"].as_str().unwrap_or_default().contains("250"), "{sent}");
    let received = sink.messages()?;
    assert_eq!(received.len(), 1, "exactly one message reached the server");
    let parsed =
        mail_parser::MessageParser::default().parse(&received[0]).ok_or_else(|| anyhow::anyhow!("unparseable"))?;
    assert_eq!(parsed.message_id(), Some(message_id.as_str()));
    assert_eq!(parsed.in_reply_to().as_text(), Some("cust-1@example.net"));
    let references: Vec<&str> =
        parsed.references().as_text_list().unwrap_or_default().iter().map(AsRef::as_ref).collect();
    assert_eq!(references, vec!["older@example.net", "cust-1@example.net"]);
    assert_eq!(parsed.from().and_then(|f| f.first()).and_then(|a| a.address()), Some("revenues@barchester.example"));
    assert_eq!(parsed.reply_to().and_then(|f| f.first()).and_then(|a| a.address()), Some("replies@barchester.example"));
    assert_eq!(parsed.to().and_then(|f| f.first()).and_then(|a| a.address()), Some("jane.doe@example.net"));
    assert!(parsed.subject().unwrap_or_default().contains(&reference));
    let plain = parsed.body_text(0).unwrap_or_default();
    assert!(plain.contains("Thank you for writing to us"), "{plain}");
    assert!(parsed.body_html(0).unwrap_or_default().contains("Thank you for writing to us"));
    // The sent message is kept and linked to the item.
    let eml = app.get(&format!("/api/v1/replies/{reply_id}/eml"), &amy).await?;
    assert_eq!(eml.status(), 200);
    assert!(String::from_utf8_lossy(&eml.bytes().await?).contains(&message_id));

    // The customer answers our reply: it threads back to the (closed) item and opens new work
    // that says what it answers.
    let gateway = app.token("gateway", Role::Service)?;
    let answer = format!(
        "From: Jane Doe <jane.doe@example.net>\r\nTo: replies@barchester.example\r\nSubject: Re: thanks\r\nMessage-ID: \
         <cust-2@example.net>\r\nIn-Reply-To: <{message_id}>\r\nReferences: <cust-1@example.net> <{message_id}>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nThanks, one more question.\r\n"
    );
    let resp = app.post_email(&gateway, answer, "").await?;
    assert!(resp.status().is_success(), "{}", resp.text().await?);
    app.wait_until_quiet(Duration::from_secs(30)).await?;
    let tl = app.token("tess", Role::TeamLeader)?;
    let old = app.get_json(&format!("/api/v1/work-items/{id}"), &tl).await?;
    assert!(old["history"].to_string().contains("answers_reply"), "{}", old["history"]);
    let items = app.all_work_items(&tl).await?;
    let new = items.iter().find(|i| i["id"] != id.as_str()).ok_or_else(|| anyhow::anyhow!("no new item: {items:?}"))?;
    let new = app.get_json(&format!("/api/v1/work-items/{}", new["id"].as_str().unwrap_or_default()), &tl).await?;
    assert!(new.to_string().contains(&format!("answers our reply on work item {reference}")), "{new}");
    app.stop().await
}

#[tokio::test]
async fn a_letter_reply_is_a_pdf_in_the_days_print_batch_until_printed() -> anyhow::Result<()> {
    let mut app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.replies.council = "Barchester City Council".to_owned();
        s.replies.address = vec!["Guildhall".to_owned(), "Barchester".to_owned(), "BC1 1AA".to_owned()];
    })
    .await?;
    let id = seeded_item(&app).await?;
    let (status, done) = complete_with_reply(
        &app,
        &id,
        "ct-enquiries",
        json!({ "template": "general-reply", "notes": "We have noted your new address." }),
    )
    .await?;
    assert_eq!(status, 200, "{done}");
    let reply_id = only_reply(&app, &id).await?;
    let amy = app.token("amy", Role::Officer)?;
    let draft = app.get_json(&format!("/api/v1/replies/{reply_id}"), &amy).await?;
    assert_eq!(draft["channel"], "letter", "no email on file: {draft}");
    assert_eq!(draft["recipient"], json!(["4 Acacia Avenue", "Barchester", "BC1 4AA"]));
    assert_eq!(draft["html"], Value::Null);
    // The draft's PDF, before approval.
    let preview = app.get(&format!("/api/v1/replies/{reply_id}/pdf"), &amy).await?;
    assert_eq!(preview.status(), 200);
    assert_eq!(preview.headers()["content-type"], "application/pdf");
    let text = pdf_text(&preview.bytes().await?)?;
    for expected in [
        "Barchester City Council",
        "Guildhall",
        "Mrs Jane Doe",
        "4 Acacia Avenue",
        "BC1 4AA",
        "We have noted your new address",
        "Page 1 of",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the letter:\n{text}");
    }
    let (status, approved) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), &amy, &json!({ "version": 1 })).await?)
            .await?;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["message_id"], Value::Null);
    let batched = reply_until(&app, &reply_id, |r| r["status"] == "batched").await?;
    let batch_id = batched["print_batch_id"].as_str().unwrap_or_default().to_owned();

    let post_room = app.token("pat", Role::PostRoom)?;
    let batches = app.get_json("/api/v1/print-batches", &post_room).await?;
    assert_eq!(batches[0]["id"], batch_id.as_str());
    assert_eq!((batches[0]["status"].as_str(), batches[0]["letters"].as_u64()), (Some("open"), Some(1)));
    let combined = app.get(&format!("/api/v1/print-batches/{batch_id}/pdf"), &post_room).await?;
    assert_eq!(combined.status(), 200);
    let etag = combined.headers()["etag"].to_str()?.to_owned();
    let text = pdf_text(&combined.bytes().await?)?;
    assert!(text.contains("We have noted your new address") && text.contains("Mrs Jane Doe"), "{text}");

    let detail = app.get_json(&format!("/api/v1/print-batches/{batch_id}"), &post_room).await?;
    assert_eq!(format!("\"{}\"", detail["version"].as_str().unwrap_or_default()), etag);
    let printed_url = format!("/api/v1/print-batches/{batch_id}/printed");
    let (status, _) = body(app.post_json(&printed_url, &amy, &json!({ "version": etag })).await?).await?;
    assert_eq!(status, 403, "an officer does not mark batches printed");
    let unseen = json!({ "version": "0-0000000000000000" });
    let (status, stale) = body(app.post_json(&printed_url, &post_room, &unseen).await?).await?;
    assert_eq!(status, 409, "letters the print room did not download are not marked printed: {stale}");
    let (status, printed) = body(app.post_json(&printed_url, &post_room, &json!({ "version": etag })).await?).await?;
    assert_eq!(status, 200, "{printed}");
    assert_eq!(printed["batch"]["status"], "printed");
    assert_eq!(printed["letters"][0]["status"], "printed");
    let (status, _) = body(app.post_json(&printed_url, &post_room, &json!({ "version": etag })).await?).await?;
    assert_eq!(status, 409, "printed once");
    let tl = app.token("tess", Role::TeamLeader)?;
    let history = app.get_json(&format!("/api/v1/work-items/{id}"), &tl).await?["history"].to_string();
    for event in ["reply.drafted", "reply.approved", "reply.sent"] {
        assert!(history.contains(event), "{event} missing from {history}");
    }
    app.stop().await
}

#[tokio::test]
async fn a_reply_with_nowhere_to_go_is_refused_naming_what_is_missing() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    // No account, no correspondence: no postal address and no email address.
    let id = app.seed_item(SeedItem::default()).await?.to_string();
    let (status, problem) =
        complete_with_reply(&app, &id, "ct-enquiries", json!({ "template": "general-reply" })).await?;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("postal address"), "{problem}");
    assert_eq!(problem["errors"][0]["field"], "reply.channel");
    let amy = app.token("amy", Role::Officer)?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    assert_eq!(item["status"], "in_progress", "nothing was applied");
    let email = json!({ "version": item["version"], "reply": { "template": "general-reply", "channel": "email" }, "outcome": "x" });
    let (status, problem) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &email).await?).await?;
    assert_eq!(status, 422, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("email address"), "{problem}");
    app.stop().await
}

#[tokio::test]
async fn a_sensitive_workflows_reply_is_approved_by_another_team_leader() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    app.seed_account(ACCOUNT).await?;
    let id = app
        .seed_item(SeedItem {
            workflow: "ct-bereavement",
            queue: "ct-changes",
            accounts: &[ACCOUNT.reference],
            ..SeedItem::default()
        })
        .await?
        .to_string();
    let (status, done) = complete_with_reply(&app, &id, "ct-changes", json!({ "template": "bereavement" })).await?;
    assert_eq!(status, 200, "{done}");
    let reply_id = only_reply(&app, &id).await?;
    let amy = app.token("amy", Role::Officer)?;
    let draft = app.get_json(&format!("/api/v1/replies/{reply_id}"), &amy).await?;
    assert_eq!(draft["needs_team_leader"], true);
    let (status, problem) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), &amy, &json!({ "version": 1 })).await?)
            .await?;
    assert_eq!(status, 403, "{problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("team leader"), "{problem}");
    // A team leader may edit it; then another team leader approves it (four-eyes on the text).
    let tess = app.token("tess", Role::TeamLeader)?;
    let (status, _) = body(
        app.client
            .put(app.url(&format!("/api/v1/replies/{reply_id}")))
            .bearer_auth(&tess)
            .json(&json!({ "version": 1, "subject": "With our condolences" }))
            .send()
            .await?,
    )
    .await?;
    assert_eq!(status, 200);
    let approve = format!("/api/v1/replies/{reply_id}/approve");
    let (status, problem) = body(app.post_json(&approve, &tess, &json!({ "version": 2 })).await?).await?;
    assert_eq!(status, 403, "tess wrote what would go out: {problem}");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("four-eyes"), "{problem}");
    let tom = app.token("tom", Role::TeamLeader)?;
    let (status, approved) = body(app.post_json(&approve, &tom, &json!({ "version": 2 })).await?).await?;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["approved_by"], "tom");
    app.stop().await
}
