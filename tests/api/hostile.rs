//! The hostile set (`postroom_e2e::hostile`) through every email channel: the HTTP intake, the
//! `inbox/email/` drop folder and IMAP (against Dovecot, ignored in the embedded run like the
//! other IMAP tests). For each message: no 5xx, the original kept byte for byte, a work item.
//! Then an ordinary letter is received, to show the channel carries on. All failures are
//! reported together, by message name.

use std::time::Duration;

use postroom_domain::Role;
use postroom_e2e::{
    TestApp,
    dovecot::Dovecot,
    hostile::{
        self, Hostile,
        check::{Expected, Failures, eventually, work_items_keep_originals},
    },
};

/// How long a channel may take over the whole set before what is left counts as stuck.
const SET_TIMEOUT: Duration = Duration::from_secs(300);

/// The hostile set plus the ordinary letter after it, as `channel` must keep them.
fn expected(set: &[Hostile], normal: &[u8]) -> Vec<Expected> {
    let mut all: Vec<Expected> =
        set.iter().map(|m| Expected { name: m.name.clone(), original: m.raw.clone() }).collect();
    all.push(Expected { name: "normal-letter-after-the-set".to_owned(), original: normal.to_vec() });
    all
}

/// How long one request may take: generous, for a loaded 2-core CI machine.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// Posts `raw` to the HTTP email intake; the status and body.
async fn post_email(
    client: &reqwest::Client,
    app: &TestApp,
    token: &str,
    raw: &[u8],
) -> Result<(reqwest::StatusCode, String), reqwest::Error> {
    let resp = client
        .post(app.url("/api/v1/intake/emails"))
        .bearer_auth(token)
        .header("content-type", "message/rfc822")
        .body(raw.to_vec())
        .send()
        .await?;
    let status = resp.status();
    Ok((status, resp.text().await?))
}

#[tokio::test]
async fn every_hostile_message_through_the_http_intake() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let set = hostile::messages();
    let normal = hostile::normal("http");
    let mut failures = Failures::new("HTTP intake");
    let mut refused = Vec::new();
    let client = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build()?;
    for message in &set {
        let started = std::time::Instant::now();
        let answer = post_email(&client, &app, &gateway, &message.raw).await;
        let took = started.elapsed();
        if took > Duration::from_secs(5) {
            eprintln!("{}: answered in {took:?}", message.name);
        }
        let (status, body) = match answer {
            Ok(answer) => answer,
            Err(e) => {
                failures.push(&message.name, format!("no answer: {e} after {took:?}"));
                refused.push(message.name.clone());
                continue;
            }
        };
        if status.is_server_error() {
            failures.push(&message.name, format!("{status} {body}"));
        } else if status.is_client_error() {
            // Over a limit, the gateway is told no (413 too large, 422 too many attachments or
            // too deep) and still holds the message; nothing else may be refused.
            let limit_answer = matches!(status.as_u16(), 413 | 422);
            if !message.over_limit || !limit_answer {
                failures.push(&message.name, format!("refused: {status} {body}"));
            }
            refused.push(message.name.clone());
        }
    }
    let (status, body) = post_email(&client, &app, &gateway, &normal).await?;
    if status != 201 {
        failures.push("normal-letter-after-the-set", format!("{status} {body}"));
    }
    let expected: Vec<Expected> = expected(&set, &normal).into_iter().filter(|e| !refused.contains(&e.name)).collect();
    work_items_keep_originals(&app, &gateway, &expected, &mut failures).await?;
    failures.finish(set.len())
}

#[tokio::test]
async fn every_hostile_message_through_the_email_drop_folder() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.drop_folders.poll_interval = Duration::from_millis(100);
        s.drop_folders.stable_for = Duration::ZERO;
    })
    .await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let set = hostile::messages();
    let normal = hostile::normal("drop");
    let mut failures = Failures::new("drop folder inbox/email/");
    for (n, message) in set.iter().enumerate() {
        app.put_object(&format!("inbox/email/{n:03}-{}.eml", message.name), message.raw.clone()).await?;
    }
    if !eventually(SET_TIMEOUT, || async { Ok(app.object_keys("inbox/email/").await?.is_empty()) }).await? {
        for key in app.object_keys("inbox/email/").await? {
            failures.push(&key, format!("still in the drop folder after {SET_TIMEOUT:?}"));
        }
    }
    for key in app.object_keys("inbox/rejected/").await? {
        if key.ends_with(".reason.txt") {
            failures.push(&key, String::from_utf8_lossy(&app.object(&key).await?));
        }
    }
    app.put_object("inbox/email/zzz-normal.eml", normal.clone()).await?;
    if !eventually(SET_TIMEOUT, || async { Ok(app.object_keys("inbox/email/").await?.is_empty()) }).await? {
        failures.push("normal-letter-after-the-set", "not taken from the drop folder: the channel stopped");
    }
    work_items_keep_originals(&app, &token, &expected(&set, &normal), &mut failures).await?;
    failures.finish(set.len())
}

#[tokio::test]
#[ignore = "needs Dovecot (scripts/test-services.sh install_dovecot); CI runs it"]
async fn every_hostile_message_through_imap() -> anyhow::Result<()> {
    let server = Dovecot::start()?;
    let set = hostile::messages();
    let normal = hostile::normal("imap");
    let mut failures = Failures::new("IMAP");
    let mut delivered = Vec::new();
    for message in &set {
        match server.deliver("INBOX", &message.raw) {
            Ok(()) => delivered.push(message),
            Err(e) => failures.push(&message.name, format!("Dovecot would not take it: {e:#}")),
        }
    }
    // What an IMAP client is served is the original this channel receives.
    let served = server.served("INBOX").await?;
    anyhow::ensure!(served.len() == delivered.len(), "Dovecot holds {} of {} messages", served.len(), delivered.len());
    let mut expected: Vec<Expected> =
        delivered.iter().zip(served).map(|(m, original)| Expected { name: m.name.clone(), original }).collect();
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| crate::imap::mailbox(s, &server)).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let total = u32::try_from(expected.len())?;
    if !eventually(SET_TIMEOUT, || async { Ok(server.count("Processed")? == total) }).await? {
        let moved = server.count("Processed")?;
        failures.push("(mailbox)", format!("{moved} of {total} moved to Processed after {SET_TIMEOUT:?}"));
    }
    server.deliver("INBOX", &normal)?;
    if !eventually(SET_TIMEOUT, || async { Ok(server.count("Processed")? == total + 1) }).await? {
        failures.push("normal-letter-after-the-set", "not taken from INBOX: the channel stopped");
    }
    // An ordinary CRLF letter is served as delivered.
    expected.push(Expected { name: "normal-letter-after-the-set".to_owned(), original: normal });
    work_items_keep_originals(&app, &token, &expected, &mut failures).await?;
    failures.finish(set.len())
}
