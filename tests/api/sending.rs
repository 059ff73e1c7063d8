//! Sending replies exactly once: an SMTP outage holds them (retries, then the dead-letter list
//! and a re-drive), a server that drops the connection after DATA gets the message once and the
//! reply is `unconfirmed`, an attempt interrupted mid-send is never repeated, and without a mail
//! server the embedded default writes `.eml` files.

use std::time::Duration;

use chrono::Utc;
use postroom_domain::Role;
use postroom_e2e::{SmtpSink, TestApp};
use serde_json::{Value, json};

use crate::replies::{body, complete_with_reply, only_reply, reply_until};

/// An app whose customer ACCOUNT has an email address on file and prefers email, with a
/// completed item whose approved email reply is on its way: the app and the reply id. `port`
/// is the SMTP server's; a sending lease of 1 s.
async fn approved_email(port: u16, max_attempts: u32) -> anyhow::Result<(TestApp, String)> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.smtp.host = Some("127.0.0.1".to_owned());
        s.smtp.port = Some(port);
        s.smtp.security = postroom_config::SmtpSecurity::Plain;
        s.smtp.timeout = Duration::from_secs(5);
        s.workers.max_attempts = max_attempts;
        s.replies.sending_lease_secs = 1;
    })
    .await?;
    let id = crate::replies::seeded_item(&app).await?;
    let db = app.database().await?;
    use sea_orm::{ConnectionTrait, Statement};
    db.execute(Statement::from_string(
        db.get_database_backend(),
        "UPDATE parties SET email = 'jane.doe@example.net', preferred_channel = 'email'",
    ))
    .await?;
    db.close().await?;
    let (status, done) = complete_with_reply(&app, &id, "ct-enquiries", json!({ "template": "general-reply" })).await?;
    anyhow::ensure!(status == 200, "complete: {done}");
    let reply_id = only_reply(&app, &id).await?;
    let amy = app.token("amy", Role::Officer)?;
    let (status, approved) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), &amy, &json!({ "version": 1 })).await?)
            .await?;
    anyhow::ensure!(status == 200 && approved["channel"] == "email", "approve: {approved}");
    Ok((app, reply_id))
}

async fn dead_letters(app: &TestApp) -> anyhow::Result<Vec<Value>> {
    let admin = app.token("root", Role::Admin)?;
    let listed = app.get_json("/api/v1/admin/dead-letters", &admin).await?;
    Ok(listed.as_array().cloned().unwrap_or_default())
}

#[tokio::test]
async fn an_smtp_outage_holds_the_reply_through_retries_and_the_dead_letter_list_until_re_driven() -> anyhow::Result<()>
{
    // Nothing listens on the port yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let (mut app, reply_id) = approved_email(port, 2).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let dead = loop {
        let found: Vec<Value> =
            dead_letters(&app).await?.into_iter().filter(|d| d["event_type"] == "reply.approved").collect();
        if let Some(d) = found.into_iter().next() {
            break d;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "the reply never reached the dead-letter list");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // Held, not lost: approved, with why it could not go.
    let held = reply_until(&app, &reply_id, |r| r["status"] == "approved" && r["attempts"].as_i64() >= Some(1)).await?;
    assert!(held["last_error"].as_str().unwrap_or_default().contains("did not take it"), "{held}");
    // The server is back; an admin re-drives the dead letter; it is sent once.
    let sink = SmtpSink::start_on(port, &[]).await?;
    let admin = app.token("root", Role::Admin)?;
    let id = dead["id"].as_str().unwrap_or_default();
    let resp =
        app.client.post(app.url(&format!("/api/v1/admin/dead-letters/{id}/retry"))).bearer_auth(&admin).send().await?;
    assert_eq!(resp.status(), 202);
    reply_until(&app, &reply_id, |r| r["status"] == "sent").await?;
    app.wait_for_outbox_drained(Duration::from_secs(30)).await?;
    assert_eq!(sink.messages()?.len(), 1);
    app.stop().await
}

#[tokio::test]
async fn a_server_that_drops_the_connection_after_data_gets_the_reply_once_and_it_is_unconfirmed() -> anyhow::Result<()>
{
    let sink = SmtpSink::start(&["--drop-after-data"]).await?;
    let (mut app, reply_id) = approved_email(sink.port, 3).await?;
    let unconfirmed = reply_until(&app, &reply_id, |r| r["status"] == "unconfirmed").await?;
    let why = unconfirmed["last_error"].as_str().unwrap_or_default();
    let message_id = unconfirmed["message_id"].as_str().unwrap_or_default();
    assert!(why.contains("may have it") && why.contains(message_id), "{unconfirmed}");
    // Later relay rounds send nothing more.
    app.wait_for_outbox_drained(Duration::from_secs(30)).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.messages()?.len(), 1, "sent once: the server has it, we do not know");
    let tl = app.token("tess", Role::TeamLeader)?;
    let item = app
        .get_json(&format!("/api/v1/work-items/{}", unconfirmed["work_item_id"].as_str().unwrap_or_default()), &tl)
        .await?;
    assert!(item["history"].to_string().contains("reply.failed"), "{}", item["history"]);
    // Only a team leader decides to send it again.
    let amy = app.token("amy", Role::Officer)?;
    let (status, _) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/resend"), &amy, &json!({})).await?).await?;
    assert_eq!(status, 403);
    let (status, again) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/resend"), &tl, &json!({})).await?).await?;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["message_id"], message_id, "the same Message-ID, so a copy that did arrive is the same message");
    reply_until(&app, &reply_id, |r| r["status"] == "unconfirmed" && r["attempts"] == 2).await?;
    assert_eq!(sink.messages()?.len(), 2);
    app.stop().await
}

#[tokio::test]
async fn an_attempt_interrupted_while_sending_is_never_repeated() -> anyhow::Result<()> {
    let sink = SmtpSink::start(&[]).await?;
    let (mut app, reply_id) = approved_email(sink.port, 3).await?;
    reply_until(&app, &reply_id, |r| r["status"] == "sent").await?;
    assert_eq!(sink.messages()?.len(), 1);
    // Stage what a crash between the server's answer and the record leaves: `sending`, an
    // old lease, and the event delivered again.
    let db = app.database().await?;
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.get_database_backend();
    let long_ago = Utc::now() - chrono::Duration::hours(1);
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => "UPDATE replies SET status = 'sending', sending_since = $1 WHERE id = $2",
        _ => "UPDATE replies SET status = 'sending', sending_since = ? WHERE id = ?",
    };
    let id: uuid::Uuid = reply_id.parse()?;
    db.execute(Statement::from_sql_and_values(backend, sql, vec![long_ago.into(), id.into()])).await?;
    let reply = postroom_db::replies::find(&db, id).await?.ok_or_else(|| anyhow::anyhow!("reply"))?;
    let payload = postroom_domain::events::ReplyEvent {
        reply_id: id,
        work_item_id: reply.work_item_id,
        work_item: "again".to_owned(),
        channel: "email".to_owned(),
        status: "approved".to_owned(),
        actor: "test".to_owned(),
        message_id: reply.message_id.clone(),
        reason: None,
    };
    let event = postroom_db::outbox::NewEvent::new(postroom_domain::events::REPLY_APPROVED, &payload)?;
    postroom_db::outbox::enqueue(&db, event, Utc::now()).await?;
    db.close().await?;
    let unconfirmed = reply_until(&app, &reply_id, |r| r["status"] == "unconfirmed").await?;
    assert!(unconfirmed["last_error"].as_str().unwrap_or_default().contains("stopped before its outcome was recorded"));
    app.wait_for_outbox_drained(Duration::from_secs(30)).await?;
    assert_eq!(sink.messages()?.len(), 1, "not sent a second time");
    app.stop().await
}

#[tokio::test]
async fn without_a_mail_server_the_embedded_default_writes_the_email_to_the_outbox_directory() -> anyhow::Result<()> {
    let mut app = TestApp::spawn().await?;
    let id = crate::replies::seeded_item(&app).await?;
    let db = app.database().await?;
    use sea_orm::{ConnectionTrait, Statement};
    db.execute(Statement::from_string(db.get_database_backend(), "UPDATE parties SET email = 'jane.doe@example.net'"))
        .await?;
    db.close().await?;
    let (status, done) =
        complete_with_reply(&app, &id, "ct-enquiries", json!({ "template": "general-reply", "channel": "email" }))
            .await?;
    assert_eq!(status, 200, "{done}");
    let reply_id = only_reply(&app, &id).await?;
    let amy = app.token("amy", Role::Officer)?;
    let (status, approved) =
        body(app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), &amy, &json!({ "version": 1 })).await?)
            .await?;
    assert_eq!(status, 200, "{approved}");
    let sent = reply_until(&app, &reply_id, |r| r["status"] == "sent").await?;
    let message_id = sent["message_id"].as_str().unwrap_or_default();
    let file = app.data_dir().join("outbox").join(format!("{message_id}.eml"));
    let eml = std::fs::read_to_string(&file)?;
    assert!(eml.contains(&format!("Message-ID: <{message_id}>")) && eml.contains("jane.doe@example.net"), "{eml}");
    app.stop().await
}
