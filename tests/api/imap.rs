//! IMAP polling against a real Dovecot (started per test; `install_dovecot` in
//! `scripts/test-services.sh`). Ignored in the embedded run; CI runs them.

use std::time::Duration;

use postroom_config::{ImapSecurity, MailRuleAction, MailRuleSettings, SecretString, Settings};
use postroom_domain::Role;
use postroom_e2e::{
    TestApp,
    dovecot::{self, Dovecot},
};

const WAIT: Duration = Duration::from_secs(30);

/// Settings that watch `server`'s INBOX (plain IMAP on loopback, quick polling, no IDLE).
pub(crate) fn mailbox(s: &mut Settings, server: &Dovecot) {
    s.imap.host = Some("127.0.0.1".to_owned());
    s.imap.port = Some(server.port);
    s.imap.security = ImapSecurity::Plain;
    s.imap.username = dovecot::USER.to_owned();
    s.imap.password = Some(SecretString::from(dovecot::PASSWORD));
    s.imap.processed_folder = Some("Processed".to_owned());
    s.imap.poll_interval = Duration::from_millis(200);
    s.imap.idle = false;
    s.imap.reconnect_max_delay = Duration::from_secs(1);
}

fn letter(n: u32) -> Vec<u8> {
    format!(
        "From: Customer {n} <customer{n}@example.org>\r\nTo: ctax@council.example\r\nSubject: Council Tax letter {n}\r\n\
         Message-ID: <imap-{n}@example.org>\r\nDate: Fri, 20 Nov 2026 09:{n:02}:00 +0000\r\n\r\nPlease update my account, letter {n}.\r\n"
    )
    .into_bytes()
}

async fn ledger(app: &TestApp) -> anyhow::Result<Vec<(i64, i64, String, Option<String>)>> {
    let db = app.database().await?;
    Ok(postroom_db::imap_ledger::entries(&db, "alice@")
        .await?
        .into_iter()
        .map(|e| (e.uid_validity, e.uid, e.outcome, e.rule))
        .collect())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn mail_is_received_once_moved_to_processed_and_recorded_in_the_ledger() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    let auto_reply =
        b"From: Pat <pat@example.org>\r\nTo: ctax@council.example\r\nSubject: Automatic reply: your bill\r\n\
Auto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@example.org>\r\n\r\nI am out of the office until Monday.\r\n";
    let bounce = b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\nTo: ctax@council.example\r\n\
Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.example.org>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n--r\r\n\
Content-Type: text/plain\r\n\r\nThe message could not be delivered.\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.example.org\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n--r--\r\n";
    server.deliver("INBOX", &letter(1))?;
    server.deliver("INBOX", auto_reply)?;
    server.deliver("INBOX", bounce)?;
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| mailbox(s, &server)).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    server.wait_count("Processed", 3, WAIT).await?;
    assert_eq!(server.count("INBOX")?, 0, "moved, never deleted");
    // Through RabbitMQ the items are still being opened and classified: wait, then read them all
    // (a letter the rules recognise leaves triage).
    app.wait_until_quiet(WAIT).await?;
    let items = app.all_work_items(&token).await?;
    assert_eq!(items.len(), 3, "{items:?}");
    let mut statuses = Vec::new();
    for item in &items {
        let corr = item["correspondence_id"].as_str().unwrap_or_default();
        let view = app.get_json(&format!("/api/v1/correspondence/{corr}"), &token).await?;
        assert_eq!(view["channel"], "imap");
        statuses.push((view["status"].as_str().unwrap_or_default().to_owned(), view["sent_at"].clone()));
    }
    statuses.sort_by(|a, b| a.0.cmp(&b.0));
    let kinds: Vec<&str> = statuses.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(kinds, ["auto_reply", "bounce", "received"], "auto-replies and bounces are recorded as such");
    assert_eq!(statuses[2].1, "2026-11-20T09:01:00Z", "sent_at is the message's own date");
    let rows = ledger(&app).await?;
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|(_, _, outcome, _)| outcome == "received"), "{rows:?}");
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn across_a_restart_nothing_is_fetched_twice_or_missed() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    for n in 1..=2 {
        server.deliver("INBOX", &letter(n))?;
    }
    let mut app = TestApp::spawn_with(postroom::ServeRole::All, |s| mailbox(s, &server)).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    server.wait_count("Processed", 2, WAIT).await?;
    app.stop().await?;
    for n in 3..=5 {
        server.deliver("INBOX", &letter(n))?;
    }
    app.restart(postroom::ServeRole::All).await?;
    server.wait_count("Processed", 5, WAIT).await?;
    assert_eq!(app.work_items(&token, "").await?.len(), 5);
    let rows = ledger(&app).await?;
    assert_eq!(rows.iter().map(|r| r.1).collect::<Vec<_>>(), [1, 2, 3, 4, 5], "{rows:?}");
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn flagged_in_place_then_a_rebuilt_mailbox_records_each_message_once() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    server.deliver("INBOX", &letter(1))?;
    server.deliver("INBOX", &letter(2))?;
    // The mail server delivered letter 2 twice: the same Message-ID is recorded once.
    server.deliver("INBOX", &letter(2))?;
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        mailbox(s, &server);
        s.imap.processed_folder = None;
    })
    .await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let until_ledger = |n: usize| {
        let app = &app;
        async move {
            let deadline = tokio::time::Instant::now() + WAIT;
            loop {
                let rows = ledger(app).await?;
                if rows.len() == n {
                    return anyhow::Ok(rows);
                }
                anyhow::ensure!(tokio::time::Instant::now() < deadline, "ledger has {} rows, not {n}", rows.len());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let rows = until_ledger(3).await?;
    let outcomes: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(outcomes, ["received", "received", "duplicate"]);
    assert_eq!(server.count("INBOX")?, 3, "flagged, left in place");
    // The mailbox is rebuilt: new UIDVALIDITY, flags gone. Every message is new to the ledger,
    // and each is recognised and recorded once.
    server.rebuild("INBOX", 4242)?;
    let rows = until_ledger(6).await?;
    assert!(rows[3..].iter().all(|r| r.0 == 4242 && r.2 == "duplicate"), "{rows:?}");
    assert_eq!(app.work_items(&token, "").await?.len(), 2);
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn mail_rules_skip_and_record_and_oversize_mail_is_kept_and_triaged() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    let newsletter =
        b"From: News <news@lists.example.com>\r\nTo: ctax@council.example\r\nSubject: [Newsletter] November\r\n\
Message-ID: <news-1@lists.example.com>\r\n\r\nThis month's news.\r\n";
    let big = format!(
        "From: Bob <bob@example.org>\r\nSubject: Long letter\r\nMessage-ID: <big-1@example.org>\r\n\r\n{}\r\n",
        "Please read all of this. ".repeat(100)
    );
    server.deliver("INBOX", newsletter)?;
    server.deliver("INBOX", big.as_bytes())?;
    server.deliver("INBOX", &letter(1))?;
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        mailbox(s, &server);
        s.imap.skipped_folder = Some("Skipped".to_owned());
        s.intake.max_email_bytes = 1000;
        s.imap.rules = vec![MailRuleSettings {
            name: "newsletters".to_owned(),
            from: Some("@lists\\.example\\.com".to_owned()),
            to: None,
            subject: Some("^\\[newsletter\\]".to_owned()),
            action: MailRuleAction::Skip,
        }];
    })
    .await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    server.wait_count("Processed", 2, WAIT).await?;
    server.wait_count("Skipped", 1, WAIT).await?;
    let rows = ledger(&app).await?;
    assert!(rows.iter().any(|r| r.2 == "skipped" && r.3.as_deref() == Some("newsletters")), "{rows:?}");
    let items = app.work_items(&token, "?queue=triage").await?;
    assert_eq!(items.len(), 2, "the newsletter opens no item");
    let mut reasons = Vec::new();
    for item in &items {
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &token).await?;
        reasons.push(detail["history"][0]["details"]["reason"].as_str().unwrap_or_default().to_owned());
    }
    assert!(reasons.iter().any(|r| r.contains("at most 1000 are accepted")), "{reasons:?}");
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn with_idle_new_mail_is_taken_within_seconds() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    server.create_folder("Processed")?;
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        mailbox(s, &server);
        s.imap.idle = true;
        s.imap.poll_interval = Duration::from_secs(3600); // only IDLE can explain a quick pick-up
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.deliver("INBOX", &letter(7))?;
    server.wait_count("Processed", 1, Duration::from_secs(10)).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    assert_eq!(app.work_items(&token, "").await?.len(), 1);
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn a_wrong_password_stops_start_up_naming_the_mailbox() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    let failed = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        mailbox(s, &server);
        s.imap.password = Some(SecretString::from("wrong"));
    })
    .await;
    let message = format!("{:#}", failed.err().ok_or_else(|| anyhow::anyhow!("start-up should fail"))?);
    assert!(message.contains("IMAP") && message.contains("refused"), "{message}");
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn imaps_is_trusted_through_the_councils_own_ca_and_refused_without_it() -> anyhow::Result<()> {
    let server = Dovecot::start_tls()?;
    server.deliver("INBOX", &letter(1))?;
    let tls = |s: &mut Settings| {
        mailbox(s, &server);
        s.imap.host = Some("localhost".to_owned());
        s.imap.security = ImapSecurity::Tls;
    };
    // The certificate is signed by a CA the system does not know: start-up stops, naming TLS.
    let untrusted = TestApp::spawn_with(postroom::ServeRole::All, tls).await;
    let message = format!("{:#}", untrusted.err().ok_or_else(|| anyhow::anyhow!("start-up should fail"))?);
    assert!(message.contains("TLS with IMAP server localhost failed"), "{message}");
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        tls(s);
        s.imap.ca_file = Some(server.ca_file());
    })
    .await?;
    server.wait_count("Processed", 1, WAIT).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    assert_eq!(app.work_items(&token, "").await?.len(), 1);
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn a_poison_message_never_stops_the_mailbox_the_urgent_letter_after_it_is_taken() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    server.deliver("INBOX", &crate::intake_faults::nul_everywhere())?;
    server.deliver("INBOX", &crate::intake_faults::bailiffs(1))?;
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| mailbox(s, &server)).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    server.wait_count("Processed", 2, WAIT).await?;
    assert_eq!(server.count("INBOX")?, 0);
    app.wait_until_quiet(WAIT).await?;
    let items = app.work_items(&token, "").await?;
    assert_eq!(items.len(), 2, "{items:?}");
    let rows = ledger(&app).await?;
    assert!(rows.iter().all(|(_, _, outcome, _)| outcome == "received"), "{rows:?}");
    Ok(())
}

/// A message whose original cannot be stored: a file stands where the directory of its original
/// would be, so storing that one message fails while the database and store answer. The rule
/// does not depend on the kind of store, so this uses a directory of its own.
fn blocked_store(stuck: &[u8]) -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let shelf = dir.path().join(postroom_domain::ContentHash::of(stuck).original_key());
    let parent = shelf.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
    std::fs::create_dir_all(parent.parent().unwrap_or(&parent))?;
    std::fs::write(&parent, b"a file where a directory should be")?;
    Ok(dir)
}

async fn set_aside_with(rejected_folder: &str) -> anyhow::Result<(Dovecot, TestApp)> {
    let server = Dovecot::start()?;
    let stuck = letter(1);
    let store = blocked_store(&stuck)?;
    server.deliver("INBOX", &stuck)?;
    server.deliver("INBOX", &crate::intake_faults::bailiffs(2))?;
    let url = format!("file://{}", store.path().display());
    let folder = rejected_folder.to_owned();
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        mailbox(s, &server);
        s.storage = postroom_config::StorageSettings { url: Some(url), ..Default::default() };
        s.imap.rejected_folder = Some(folder);
        s.intake.max_attempts = 2;
    })
    .await?;
    server.wait_count("Processed", 1, WAIT).await?;
    app.wait_until_quiet(WAIT).await?;
    let admin = app.token("ada", Role::Admin)?;
    let deadline = tokio::time::Instant::now() + WAIT;
    while ledger(&app).await?.len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rows = ledger(&app).await?;
    let mut outcomes: Vec<&str> = rows.iter().map(|(_, _, o, _)| o.as_str()).collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["received", "rejected"], "the mailbox carried on past it");
    let letters = app.get_json("/api/v1/admin/dead-letters", &admin).await?;
    let letters = letters.as_array().cloned().unwrap_or_default();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(letters[0]["reason"].as_str().is_some_and(|r| r.contains("failed 2 times")), "{letters:?}");
    let retry = app
        .client
        .post(app.url(&format!("/api/v1/admin/dead-letters/{}/retry", letters[0]["id"].as_str().unwrap_or_default())))
        .bearer_auth(&admin)
        .send()
        .await?;
    assert_eq!(retry.status(), 409, "an IMAP message is tried again by moving it back, not re-driven");
    drop(store);
    Ok((server, app))
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn a_message_that_keeps_failing_is_set_aside_in_the_rejected_folder_with_a_dead_letter() -> anyhow::Result<()> {
    let (server, _app) = set_aside_with("Rejected").await?;
    server.wait_count("Rejected", 1, WAIT).await?;
    assert_eq!(server.count("INBOX")?, 0);
    Ok(())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn a_rejected_folder_the_server_refuses_leaves_the_message_flagged_in_place_and_the_mailbox_going()
-> anyhow::Result<()> {
    // A control character: the server refuses to create a folder of that name, so the move fails.
    let (server, _app) = set_aside_with("Rej\tected").await?;
    assert_eq!(server.count("INBOX")?, 1, "the message set aside stays, flagged");
    Ok(())
}
