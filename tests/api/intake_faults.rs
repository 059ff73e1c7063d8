//! Intake that loses nothing and never stalls (#15): NUL characters wherever a sender can put
//! them, a reused Message-ID, dates a sender controls, and a poison message followed by a normal
//! one. Every check runs on SQLite and on PostgreSQL (which cannot store U+0000 in text).

use std::time::Duration;

use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};

const QUIET: Duration = Duration::from_secs(30);

async fn post_email(app: &TestApp, token: &str, raw: &[u8], query: &str) -> anyhow::Result<reqwest::Response> {
    Ok(app
        .client
        .post(app.url(&format!("/api/v1/intake/emails{query}")))
        .bearer_auth(token)
        .header("content-type", "message/rfc822")
        .body(raw.to_vec())
        .send()
        .await?)
}

/// NUL in the sender's name and address, the subject (raw and as an encoded word), the body
/// (raw and base64) and a text attachment (quoted-printable).
pub(crate) fn nul_everywhere() -> Vec<u8> {
    b"From: \"Nul\0Name\" <nul\0@example.org>\r\nTo: ctax@council.example\r\n\
Subject: Bailiffs\0 =?UTF-8?B?YXQAbXkgZG9vcg==?=\r\nMessage-ID: <nul-1@example.org>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8Ad29ybGQ=\r\n--b\r\n\
Content-Type: text/plain; name=\"notes.txt\"\r\nContent-Disposition: attachment; filename=\"no\0tes.txt\"\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nline=00one\0two\r\n--b--\r\n"
        .to_vec()
}

/// An ordinary, urgent letter.
pub(crate) fn bailiffs(n: u32) -> Vec<u8> {
    format!(
        "From: Sam Urgent <sam{n}@example.org>\r\nTo: ctax@council.example\r\nSubject: Bailiffs at my door today\r\n\
         Message-ID: <bailiffs-{n}@example.org>\r\n\r\nThe bailiffs are at my door today about my council tax.\r\n"
    )
    .into_bytes()
}

async fn correspondence(app: &TestApp, token: &str, receipt: &serde_json::Value) -> anyhow::Result<serde_json::Value> {
    let id = receipt["correspondence_id"].as_str().unwrap_or_default();
    app.get_json(&format!("/api/v1/correspondence/{id}"), token).await
}

async fn original_bytes(app: &TestApp, token: &str, corr: &serde_json::Value) -> anyhow::Result<Vec<u8>> {
    let doc = corr["documents"][0]["id"].as_str().unwrap_or_default();
    Ok(app.get(&format!("/api/v1/documents/{doc}/content"), token).await?.bytes().await?.to_vec())
}

#[tokio::test]
async fn nul_characters_are_replaced_and_noted_the_original_kept_and_the_next_message_received() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let poison = nul_everywhere();
    let resp = post_email(&app, &gateway, &poison, "").await?;
    assert_eq!(resp.status(), 201, "{}", resp.text().await?);
    let receipt: serde_json::Value = resp.json().await?;
    let corr = correspondence(&app, &gateway, &receipt).await?;
    assert_eq!(original_bytes(&app, &gateway, &corr).await?, poison, "the original is byte-identical");
    let subject = corr["subject"].as_str().unwrap_or_default();
    assert!(subject.starts_with("Bailiffs\u{FFFD}") && subject.contains("at\u{FFFD}"), "{subject:?}");
    assert!(!corr.to_string().contains("\\u0000"), "no NUL is stored anywhere: {corr}");
    let note = corr["documents"][0]["text_problem"].as_str().unwrap_or_default();
    assert!(note.contains("NUL characters") && note.contains("subject") && note.contains("text"), "{note}");
    let attachment = &corr["documents"][1];
    assert_eq!(attachment["filename"], "notes.txt");
    let pages = app
        .get_json(&format!("/api/v1/documents/{}/pages", attachment["id"].as_str().unwrap_or_default()), &gateway)
        .await?;
    assert!(pages[0]["text"].as_str().is_some_and(|t| t.contains("line\u{FFFD}one\u{FFFD}two")), "{pages}");

    let next = post_email(&app, &gateway, &bailiffs(1), "").await?;
    assert_eq!(next.status(), 201);
    app.wait_until_quiet(QUIET).await?;
    assert_eq!(app.work_items(&gateway, "").await?.len(), 2, "both have a work item");
    Ok(())
}

#[tokio::test]
async fn twenty_different_messages_racing_with_one_message_id_are_all_recorded_and_linked_to_one() -> anyhow::Result<()>
{
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let bodies: Vec<Vec<u8>> = (0..20)
        .map(|n| {
            format!(
                "From: Sender {n} <s{n}@example.org>\r\nTo: ctax@council.example\r\nSubject: Letter {n}\r\n\
                 Message-ID: <reused@example.org>\r\n\r\nA different letter, number {n}.\r\n"
            )
            .into_bytes()
        })
        .collect();
    let posts = bodies.iter().map(|raw| post_email(&app, &gateway, raw, ""));
    let responses = futures::future::join_all(posts).await;
    let mut ids = Vec::new();
    for r in responses {
        let r = r?;
        assert_eq!(r.status(), 201, "every different message is recorded");
        let receipt: serde_json::Value = r.json().await?;
        ids.push(receipt["correspondence_id"].as_str().unwrap_or_default().to_owned());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20);
    let mut firsts = Vec::new();
    let mut linked = Vec::new();
    for id in &ids {
        let c = app.get_json(&format!("/api/v1/correspondence/{id}"), &gateway).await?;
        match c["possible_duplicate_of"].as_str() {
            None => firsts.push(id.clone()),
            Some(first) => linked.push((first.to_owned(), c["status"].clone())),
        }
    }
    assert_eq!(firsts.len(), 1, "exactly one holds the Message-ID");
    assert!(linked.iter().all(|(first, status)| *first == firsts[0] && status == "possible_duplicate"), "{linked:?}");
    Ok(())
}

#[tokio::test]
async fn a_senders_dates_do_not_set_deadlines_and_a_stale_date_stamp_is_refused() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.intake.max_date_age = Duration::from_secs(90 * 24 * 60 * 60);
    })
    .await?;
    let post_room = app.token("pat", Role::PostRoom)?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    for (stamp, needle) in [("0001-01-01", "more than 90 days ago"), ("2999-01-01", "in the future")] {
        let resp = app.post_scans(&post_room, &[("a.pdf", &pdf(stamp))], &[("received_on", stamp)]).await?;
        assert_eq!(resp.status(), 422, "{stamp}");
        let problem: serde_json::Value = resp.json().await?;
        assert!(problem["detail"].as_str().is_some_and(|d| d.contains(needle)), "{problem}");
    }
    let old_gateway_time = post_email(&app, &gateway, &bailiffs(2), "?received_at=1993-06-01T10:00:00Z").await?;
    assert_eq!(old_gateway_time.status(), 422);

    let before = chrono::Utc::now();
    let dated_1993 = b"From: Old Clock <old@example.org>\r\nTo: ctax@council.example\r\nSubject: My bill\r\n\
Message-ID: <old-clock@example.org>\r\nDate: Tue, 1 Jun 1993 10:00:00 +0000\r\n\r\nPlease explain my bill.\r\n";
    let receipt: serde_json::Value = post_email(&app, &gateway, dated_1993, "").await?.json().await?;
    let corr = correspondence(&app, &gateway, &receipt).await?;
    assert_eq!(corr["sent_at"], "1993-06-01T10:00:00Z", "the sender's claim is kept");
    let received: chrono::DateTime<chrono::Utc> = corr["received_at"].as_str().unwrap_or_default().parse()?;
    assert!(received >= before - chrono::Duration::seconds(1), "received when it reached us: {received}");
    app.wait_until_quiet(QUIET).await?;
    let items = app.work_items(&gateway, "").await?;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["overdue"], false, "not overdue the moment it arrives");
    let detail =
        app.get_json(&format!("/api/v1/work-items/{}", items[0]["id"].as_str().unwrap_or_default()), &gateway).await?;
    let notes = detail["notes"].to_string();
    assert!(
        notes.contains("the sender dated it 1993-06-01 10:00 UTC"),
        "the discrepancy is shown on the item: {notes}"
    );
    Ok(())
}
