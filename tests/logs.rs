//! No personal data in the logs (#21, point 7): a full demo run on the real service — seed-demo,
//! a scan dropped into the drop folder under a file name carrying a demo person's name and
//! account reference, an email from another, every item classified, an item completed with a
//! reply that is approved and sent, accounts and items searched by name — with every log line
//! at INFO captured, then searched for every demo party's name, email address, account
//! reference, sort code and bank account number, and for the dropped file's name.
//!
//! Its own binary: the capture is the process's global `tracing` subscriber, so it sees the
//! workers' threads and blocking tasks too, and no other test's lines.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use postroom::data::seed_demo;
use postroom_db::accounts::NewAccount;
use postroom_demo::DemoOptions;
use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};
use reqwest::StatusCode;
use serde_json::{Value, json};

const OPTIONS: DemoOptions = DemoOptions { accounts: 200, correspondence: 24, seed: 21 };

/// Every line written by the process's `tracing` subscriber.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capture as the global subscriber at INFO (the default `log.filter`), as the
/// service's own telemetry does but without times (their digits are not bank details).
fn capture() -> anyhow::Result<Capture> {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_ansi(false)
        .without_time()
        .with_writer(move || writer.clone())
        .try_init()
        .map_err(|e| anyhow::anyhow!("a subscriber was already installed: {e}"))?;
    Ok(capture)
}

/// What must never be logged, with what it is.
fn personal_data(district: &[NewAccount], dropped: &str) -> Vec<(String, String)> {
    let mut needles = vec![(dropped.to_owned(), "the dropped file's name".to_owned())];
    for account in district {
        needles.push((account.reference.clone(), format!("account reference of {}", account.reference)));
        for party in &account.parties {
            needles.push((party.name.clone(), format!("party name on {}", account.reference)));
            if let Some(email) = &party.email {
                needles.push((email.clone(), format!("email address on {}", account.reference)));
            }
        }
        if let Some(mandate) = &account.mandate {
            needles.push((mandate.payer_name.clone(), format!("payer name on {}", account.reference)));
            needles.push((mandate.sort_code.clone(), format!("sort code on {}", account.reference)));
            let sc = &mandate.sort_code;
            if sc.len() == 6 {
                needles.push((
                    format!("{}-{}-{}", &sc[..2], &sc[2..4], &sc[4..]),
                    format!("sort code on {}", account.reference),
                ));
            }
            needles.push((mandate.account_number.clone(), format!("bank account number on {}", account.reference)));
        }
    }
    needles
}

/// Where `needle` occurs in `text`: names and addresses anywhere, case-insensitively, also with
/// `_` or `%20` for a space (as in a key made safe or a URL); numbers only as a whole number
/// (not inside a longer run of letters and digits, such as an id).
fn hits(text: &str, needles: &[(String, String)]) -> Vec<String> {
    let text = text.replace("%20", " ").replace('_', " ");
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    for (needle, what) in needles {
        let n = needle.to_ascii_lowercase();
        let numeric = n.chars().all(|c| c.is_ascii_digit() || c == '-');
        let mut from = 0;
        while let Some(at) = lower[from..].find(&n).map(|i| i + from) {
            let end = at + n.len();
            let bounded = !numeric
                || (!lower[..at].chars().next_back().is_some_and(char::is_alphanumeric)
                    && !lower[end..].chars().next().is_some_and(char::is_alphanumeric));
            if bounded {
                let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let line_end = text[end..].find('\n').map_or(text.len(), |i| i + end);
                found.push(format!("{what} ({needle:?}): {}", &text[line..line_end]));
                break;
            }
            from = end;
        }
    }
    found
}

async fn body(resp: reqwest::Response) -> anyhow::Result<(StatusCode, Value)> {
    let status = resp.status();
    let text = resp.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_demo_run_logs_no_names_emails_bank_details_or_file_names() -> anyhow::Result<()> {
    let capture = capture()?;
    let mut app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.drop_folders.poll_interval = Duration::from_millis(100);
        s.drop_folders.stable_for = Duration::ZERO;
    })
    .await?;
    seed_demo(&app.settings, OPTIONS).await?;
    let district = postroom_demo::district(OPTIONS.accounts, OPTIONS.seed);
    let mut with_mandate = district.iter().filter(|a| a.mandate.is_some() && !a.parties.is_empty());
    let (Some(scanned), Some(writer)) = (with_mandate.next(), with_mandate.find(|a| a.parties[0].email.is_some()))
    else {
        anyhow::bail!("the demo district has no accounts with a mandate and an email address");
    };

    // A scan whose file name carries a name and an account reference, as scanners' do.
    let person = &scanned.parties[0].name;
    let dropped = format!("{person} {}.pdf", scanned.reference);
    let letter = pdf(&format!("Dear Sir, I am {person} of account {} and I am moving out.", scanned.reference));
    app.put_object(&format!("inbox/scans/{dropped}"), letter).await?;
    // One that is not a scan, rejected with a reason that names the file.
    let rejected = format!("{person} bank statement {}.zip", scanned.reference);
    app.put_object(&format!("inbox/scans/{rejected}"), b"PK\x03\x04 not a scan".to_vec()).await?;

    // An email giving bank details for a Direct Debit.
    let party = &writer.parties[0];
    let (email, mandate) = (party.email.clone().unwrap_or_default(), writer.mandate.clone());
    let mandate = mandate.ok_or_else(|| anyhow::anyhow!("no mandate"))?;
    let raw = format!(
        "From: {name} <{email}>\r\nTo: revenues@council.example\r\nSubject: Direct Debit for {name}, account {reference}\r\n\
         Message-ID: <logs-1@example.net>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0000\r\nContent-Type: text/plain; \
         charset=utf-8\r\n\r\nPlease collect my Council Tax from sort code {sort_code}, account number {number}.\r\n\
         {name}\r\nAccount {reference}\r\n",
        name = party.name,
        reference = writer.reference,
        sort_code = mandate.sort_code,
        number = mandate.account_number,
    );
    let gateway = app.token("gateway", Role::Service)?;
    let (status, receipt) = body(app.post_email(&gateway, raw, "").await?).await?;
    anyhow::ensure!(status.is_success(), "intake: {receipt}");
    // A scan uploaded by the post room under the writer's name.
    let uploaded = format!("{} {}.pdf", party.name, writer.reference);
    let post_room = app.token("postroom1", Role::PostRoom)?;
    let letter = pdf(&format!("Letter from {} about {}", party.name, writer.reference));
    let resp = app.post_scans(&post_room, &[(uploaded.as_str(), letter.as_slice())], &[]).await?;
    anyhow::ensure!(resp.status().is_success(), "upload: {}", resp.text().await?);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !app.object_keys("inbox/scans/").await?.is_empty() {
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the dropped scan was never taken");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.wait_until_quiet(Duration::from_secs(120)).await?;

    // Reading and searching by name, reference and postcode (paths and query strings).
    let tl = app.token("tess", Role::TeamLeader)?;
    let items = app.all_work_items(&tl).await?;
    assert_eq!(items.len(), OPTIONS.correspondence + 3, "every piece of correspondence has its item");
    let q = percent_encoding::utf8_percent_encode(&party.name, percent_encoding::NON_ALPHANUMERIC).to_string();
    app.get_json(&format!("/api/v1/accounts?q={q}"), &tl).await?;
    app.get_json(&format!("/api/v1/accounts/{}", writer.reference), &tl).await?;
    app.get_json(&format!("/api/v1/work-items?q={q}"), &tl).await?;
    app.get(&format!("/items?q={q}"), &tl).await?;

    // The emailed item, indexed to a general enquiry on the writer's account, completed with a
    // reply that is approved and sent (written as a file: no SMTP host).
    let item = items
        .iter()
        .find(|i| i["correspondence_id"] == receipt["correspondence_id"])
        .ok_or_else(|| anyhow::anyhow!("the emailed item is not found: {receipt}"))?;
    let id = item["id"].as_str().unwrap_or_default().to_owned();
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &tl).await?;
    if item["workflow"] != "ct-general-enquiry" || item["status"] != "ready" {
        let resp = if item["status"] == "triage" {
            let index =
                json!({ "version": item["version"], "workflow": "ct-general-enquiry", "accounts": [writer.reference] });
            app.post_json(&format!("/api/v1/work-items/{id}/index"), &tl, &index).await?
        } else {
            let reroute = json!({ "version": item["version"], "workflow": "ct-general-enquiry", "reason": "test" });
            app.post_json(&format!("/api/v1/work-items/{id}/reroute"), &tl, &reroute).await?
        };
        anyhow::ensure!(resp.status() == 200, "index: {}", resp.text().await?);
    }
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let amy = app.token("amy", Role::Officer)?;
    let (status, claimed) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?).await?;
    anyhow::ensure!(status == 200, "claim: {claimed}");
    let completion = json!({
        "version": claimed["version"],
        "reply": { "template": "general-reply", "notes": format!("Thank you {}, we have your bank details.", party.name) },
        "outcome": "Answered the customer",
    });
    let (status, done) =
        body(app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &completion).await?).await?;
    anyhow::ensure!(status == 200, "complete: {done}");
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &tl).await?;
    let reply_id = item["replies"][0]["id"].as_str().unwrap_or_default().to_owned();
    let reply = app.get_json(&format!("/api/v1/replies/{reply_id}"), &amy).await?;
    let (status, approved) = body(
        app.post_json(&format!("/api/v1/replies/{reply_id}/approve"), &amy, &json!({ "version": reply["version"] }))
            .await?,
    )
    .await?;
    anyhow::ensure!(status == 200, "approve: {approved}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let reply = app.get_json(&format!("/api/v1/replies/{reply_id}"), &tl).await?;
        if reply["status"] == "sent" {
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "the reply was never sent: {reply}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await?;

    let text = capture.text();
    eprintln!("{text}"); // shown with --nocapture
    let lines = text.lines().count();
    assert!(lines >= 20, "the capture saw the service's logs ({lines} lines):\n{text}");
    for expected in
        ["drop-folder file received and archived", "drop-folder file rejected", "email received", "item classified"]
    {
        assert!(text.contains(expected), "the capture holds {expected:?}:\n{text}");
    }
    let mut needles = personal_data(&district, &dropped);
    needles.push((rejected.clone(), "the rejected file's name".to_owned()));
    needles.push((uploaded.clone(), "the uploaded file's name".to_owned()));
    let found = hits(&text, &needles);
    assert!(found.is_empty(), "{} pieces of personal data logged at INFO:\n{}", found.len(), found.join("\n"));

    // The check itself catches a name and a sort code logged.
    tracing::info!(party = %person, sort_code = %mandate.sort_code, "self-check");
    let found = hits(&capture.text(), &needles);
    assert!(found.len() >= 2, "the check missed what was logged on purpose: {found:?}");
    Ok(())
}
