//! The web UI's journeys in headless Chromium, each page checked with axe-core (WCAG 2.2 AA)
//! and kept as a screenshot: the post room indexes a triage letter, an officer takes it as their
//! next item, reads the PDF, and completes it with a change of address and an email reply; a team
//! leader approves a refund and sees the dashboard move.

use std::time::Duration;

use serde_json::{Value, json};

use postroom_domain::Role;
use postroom_e2e::{BilledAccount, TestApp, seed_billed_account};

use crate::support::Browser;

const PASSWORD: &str = "correct horse battery";

const ANN: BilledAccount<'static> = BilledAccount {
    reference: "5009988776",
    service: "council_tax",
    address: String::new(),
    postcode: "KB1 2AA",
    band: Some("C"),
    rateable_value: None,
    billing_authority: None,
    retail_hospitality_leisure: false,
    party: "Ms Ann Example",
    email: Some("ann.example@example.net"),
    liable_from: None,
};

async fn seed_ann(app: &TestApp) -> anyhow::Result<()> {
    let db = app.database().await?;
    let account = BilledAccount { address: "12 Acacia Avenue, Kingsbridge".to_owned(), ..ANN.clone() };
    seed_billed_account(&db, &account).await?;
    db.close().await?;
    Ok(())
}

/// Ann's account, amy working ct-enquiries, and a ready enquiry about the account.
async fn amy_with_an_enquiry() -> anyhow::Result<(TestApp, uuid::Uuid)> {
    let app = TestApp::spawn().await?;
    seed_ann(&app).await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let seeded = postroom_e2e::SeedItem { accounts: &[ANN.reference], ..postroom_e2e::SeedItem::default() };
    let id = app.seed_item(seeded).await?;
    Ok((app, id))
}

async fn sign_in(browser: &Browser, user: &str) -> anyhow::Result<()> {
    browser.goto("/signin").await?;
    browser.fill("#user", user).await?;
    browser.fill("#password", PASSWORD).await?;
    browser.click("form[action='/signin'] button[type=submit]").await?;
    browser.wait_for("header.top .who").await?;
    Ok(())
}

async fn sign_out(browser: &Browser) -> anyhow::Result<()> {
    browser.click("form[action='/signout'] button").await?;
    browser.wait_for("#password").await?;
    Ok(())
}

/// Waits until the element matching `css` says `needle`. An element swapped in whole by htmx
/// (the reply preview) may be replaced while it is read: such a read just tries again.
async fn wait_for_text(browser: &Browser, css: &str, needle: &str) -> anyhow::Result<()> {
    for _ in 0..50 {
        if browser.text(css).await.is_ok_and(|t| t.contains(needle)) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("{css} never said {needle:?}")
}

/// The page's notice once it says one of `any` (the page before may still show its own).
async fn notice_saying(browser: &Browser, any: &[&str]) -> anyhow::Result<String> {
    for _ in 0..50 {
        if let Ok(text) = browser.text(".notice").await
            && any.iter().any(|a| text.contains(a))
        {
            return Ok(text);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::bail!("the notice never said any of {any:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_post_room_indexes_a_letter_and_an_officer_completes_it_with_a_new_address_and_an_email_reply()
-> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    seed_ann(&app).await?;
    app.add_user("pat", Role::PostRoom, PASSWORD).await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    app.set_queues("amy", &["ct-enquiries"]).await?;
    let letter = postroom_e2e::pdf(
        "To whom it may concern. I have moved house. Please write to me at 4 Mill Lane, Kingsbridge KB2 3CD from now on. Regards, Ann",
    );
    let files = tempfile::tempdir()?;
    let letter_path = files.path().join("letter.pdf");
    std::fs::write(&letter_path, &letter)?;

    let browser = Browser::for_app(&app).await?;
    // Signing in is refused with a wrong password, and says so.
    browser.goto("/signin").await?;
    browser.fill("#user", "pat").await?;
    browser.fill("#password", "not the password").await?;
    browser.click("form[action='/signin'] button[type=submit]").await?;
    assert!(browser.text(".summary").await?.contains("not right"));
    browser.page("sign-in-refused").await?;

    // The post room uploads the morning's scan, with a progress bar, and it lands in triage.
    sign_in(&browser, "pat").await?;
    assert_eq!(browser.current_path().await?, "/triage");
    browser.goto("/upload").await?;
    browser.page("post-room-upload").await?;
    browser.wait_for("#files").await?.send_keys(&letter_path.display().to_string()).await?;
    // The batch is left blank, as it usually is: the intake names one.
    browser.click("form[data-progress] button[type=submit]").await?;
    wait_for_text(&browser, ".notice", ": 1 file received").await?;
    assert_eq!(browser.current_query().await?, None, "sent in the background, the page stayed where it was");
    browser.page("post-room-uploaded").await?;
    app.wait_until_quiet(Duration::from_secs(60)).await?;
    let scanner = app.token("pat", Role::PostRoom)?;
    let triage = app.work_items(&scanner, "?status=triage").await?;
    anyhow::ensure!(triage.len() == 1, "the letter waits in triage: {triage:?}");
    let id = triage[0]["id"].as_str().unwrap_or_default().to_owned();

    // The post room indexes it in a few keystrokes.
    browser.goto("/triage").await?;
    browser.page("post-room-triage").await?;
    browser.click(&format!("a[href='/items/{id}#index']")).await?;
    browser.wait_for("#index-workflow").await?;
    browser.page("post-room-item").await?;
    browser.fill("#index-workflow", "ct-general-enquiry").await?;
    browser.fill("#index-accounts", ANN.reference).await?;
    browser.click("#index button[type=submit]").await?;
    wait_for_text(&browser, ".notice", "Indexed").await?;
    assert!(browser.text("main").await?.contains("Nothing is waiting in triage"));
    sign_out(&browser).await?;

    // The officer takes it as their next item and reads the letter.
    sign_in(&browser, "amy").await?;
    assert_eq!(browser.current_path().await?, "/");
    browser.page("officer-home").await?;
    browser.click("#next-item").await?;
    wait_for_text(&browser, ".notice", "You hold this item").await?;
    assert_eq!(browser.current_path().await?, format!("/items/{id}"));
    let img = browser.wait_for("img[alt^='Page 1']").await?;
    let loaded = browser
        .client()
        .execute("return arguments[0].complete && arguments[0].naturalWidth", vec![serde_json::to_value(&img)?])
        .await?;
    assert!(loaded.as_u64().unwrap_or(0) > 500, "the PDF page is shown as an image: {loaded}");
    assert!(browser.text(".doc .text").await?.contains("Mill Lane"), "the text read from the letter is shown");
    browser.page("officer-item").await?;

    // A change of address and an email reply, previewed, then completed.
    browser.click("details:has([id='apply.name_contact_update']) summary").await?;
    browser.click("[id='apply.name_contact_update']").await?;
    browser.fill("[id='change.name_contact_update.party']", ANN.party).await?;
    browser.fill("[id='change.name_contact_update.postal_address']", "4 Mill Lane\nKingsbridge\nKB2 3CD").await?;
    browser.select("[id='reply.template']", "general-reply").await?;
    browser.select("[id='reply.channel']", "email").await?;
    browser.fill("#outcome", "Postal address changed to 4 Mill Lane").await?;
    browser.click("button[formaction$='/preview']").await?;
    browser.wait_for("#preview h3").await?;
    wait_for_text(&browser, "#preview", "ann.example@example.net").await?;
    // The preview follows what is typed, without pressing the button again.
    browser.fill("[id='reply.notes']", "We have noted your new address.").await?;
    wait_for_text(&browser, "#preview", "We have noted your new address.").await?;
    browser.page("officer-reply-preview").await?;
    browser.click("#complete-button").await?;
    wait_for_text(&browser, ".notice", "Completed").await?;
    browser.page("officer-completed").await?;
    // The drafted reply, read (and editable) on the item, is approved and goes out.
    assert!(browser.text("#replies + .panel").await?.contains("Email to Ms Ann Example — Draft"));
    browser.click("#approve-reply-1").await?;
    wait_for_text(&browser, ".notice", "The reply is approved").await?;
    browser.page("officer-reply-approved").await?;

    let officer = app.token("amy", Role::Officer)?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &officer).await?;
    assert_eq!(item["status"], "done", "{item}");
    assert_eq!(item["replies"][0]["channel"], "email", "{item}");
    let status = item["replies"][0]["status"].as_str().unwrap_or_default().to_owned();
    assert!(["approved", "sending", "sent"].contains(&status.as_str()), "{item}");
    let account = app.get_json(&format!("/api/v1/accounts/{}", ANN.reference), &officer).await?;
    assert_eq!(account["parties"][0]["postal_address"], "4 Mill Lane\nKingsbridge\nKB2 3CD", "{account}");
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_completion_keeps_what_was_entered_and_shows_each_message_beside_its_field() -> anyhow::Result<()> {
    let (app, id) = amy_with_an_enquiry().await?;
    let browser = Browser::for_app(&app).await?;
    sign_in(&browser, "amy").await?;
    browser.click("#next-item").await?;
    wait_for_text(&browser, ".notice", "You hold this item").await?;
    assert_eq!(browser.current_path().await?, format!("/items/{id}"));
    browser.click("details:has([id='apply.name_contact_update']) summary").await?;
    browser.click("[id='apply.name_contact_update']").await?;
    browser.fill("[id='change.name_contact_update.party']", "Somebody Else").await?;
    browser.fill("[id='change.name_contact_update.email']", "not an address").await?;
    browser.fill("#outcome", "tried").await?;
    browser.click("#complete-button").await?;
    browser.wait_for(".summary").await?;
    let form = browser.text("#complete").await?;
    assert!(form.contains("Somebody Else") || form.contains("party"), "the message names the field: {form}");
    let kept = browser.client().execute("return document.getElementById('outcome').value", vec![]).await?;
    assert_eq!(kept, json!("tried"), "what was entered is kept");
    browser.page("officer-completion-refused").await?;
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_leader_approves_a_refund_and_sees_the_dashboard_move() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    seed_ann(&app).await?;
    app.add_user("tess", Role::TeamLeader, PASSWORD).await?;
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    app.set_queues("amy", &["ct-payments"]).await?;
    let seeded = postroom_e2e::SeedItem {
        workflow: "ct-refund",
        queue: "ct-payments",
        accounts: &[ANN.reference],
        ..postroom_e2e::SeedItem::default()
    };
    let id = app.seed_item(seeded).await?.to_string();
    let amy = app.token("amy", Role::Officer)?;
    let claimed = app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?;
    anyhow::ensure!(claimed.status().is_success(), "claim: {}", claimed.text().await?);
    let refund = json!({"version": 2, "outcome": "Refund of £42.00",
        "changes": [{"kind": "refund", "account": ANN.reference, "amount_pence": 4200, "reason": "paid twice"}]});
    let parked = app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &refund).await?;
    anyhow::ensure!(parked.status().is_success(), "complete: {}", parked.text().await?);

    let browser = Browser::for_app(&app).await?;
    sign_in(&browser, "tess").await?;
    assert_eq!(browser.current_path().await?, "/dashboard");
    let open_before: u64 = browser.text("#total-open").await?.trim().parse()?;
    assert!(open_before >= 1, "the refund awaiting approval is open");
    let row = browser.text("#queues tr[data-queue='ct-payments']").await?;
    assert!(row.starts_with("Ct payments 1 "), "the queue's row counts it: {row}");
    assert!(row.ends_with("amy"), "and names who works it: {row}");
    browser.page("team-leader-dashboard").await?;

    browser.goto("/approvals").await?;
    let page = browser.text("main").await?;
    assert!(page.contains("paid twice") && page.contains("£42.00"), "the change asked for is shown: {page}");
    assert!(page.contains(ANN.party), "beside the account as it is: {page}");
    browser.page("team-leader-approvals").await?;
    browser.click("button[name=decision][value=approve]").await?;
    wait_for_text(&browser, ".notice", "Approved").await?;

    browser.goto("/dashboard").await?;
    let open_after: u64 = browser.text("#total-open").await?.trim().parse()?;
    assert_eq!(open_after, open_before - 1, "the approved refund is done");
    let tess = app.token("tess", Role::TeamLeader)?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &tess).await?;
    assert_eq!(item["status"], "done", "{item}");

    // The other team-leader pages: items at risk, and who works which queue.
    browser.goto("/items?at_risk=true").await?;
    browser.page("team-leader-at-risk").await?;
    browser.goto("/officers").await?;
    browser.page("team-leader-officers").await?;
    browser.click("[id='q-amy-ct-enquiries']").await?;
    browser.click("form[action='/officers/amy'] button[type=submit]").await?;
    wait_for_text(&browser, ".notice", "Queues saved").await?;
    let queues: Value = app.get_json("/api/v1/officers/amy/queues", &tess).await?;
    assert_eq!(queues["queues"], json!(["ct-enquiries", "ct-payments"]), "{queues}");
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_takes_and_completes_an_item_from_the_keyboard() -> anyhow::Result<()> {
    use crate::support::Key;
    let (app, id) = amy_with_an_enquiry().await?;
    let browser = Browser::for_app(&app).await?;
    // Signing in: type, Tab, type, Enter.
    browser.goto("/signin").await?;
    assert!(browser.is_focused("#user").await?, "the user name has the focus");
    browser.fill("#user", "amy").await?;
    browser.press_key(Key::Tab).await?;
    assert!(browser.is_focused("#password").await?);
    for c in PASSWORD.chars() {
        browser.press_key(c).await?;
    }
    browser.press_key(Key::Enter).await?;
    browser.wait_for("#next-item").await?;
    // Alt+N: the next item; Alt+C: complete it.
    browser.press_chord(&[Key::Alt.into(), 'n']).await?;
    wait_for_text(&browser, ".notice", "You hold this item").await?;
    assert_eq!(browser.current_path().await?, format!("/items/{id}"));
    browser.fill("#outcome", "Answered by phone").await?;
    browser.press_chord(&[Key::Alt.into(), 'c']).await?;
    wait_for_text(&browser, ".notice", "Completed").await?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &app.token("amy", Role::Officer)?).await?;
    assert_eq!(item["status"], "done", "{item}");
    browser.close().await?;
    Ok(())
}

/// What a newcomer does on the demo district, from the README: seed it, add an officer with a
/// queue, sign in, and press Next item and Complete until the queue is empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_clears_a_demo_district_queue_with_next_item_and_complete() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let options = postroom_demo::DemoOptions { accounts: 200, correspondence: 24, seed: 7 };
    postroom::data::seed_demo(&app.settings, options).await?;
    app.wait_until_quiet(Duration::from_secs(90)).await?;
    let lead = app.token("tess", Role::TeamLeader)?;
    let queue = "ct-payments";
    let waiting = app.work_items(&lead, &format!("?queue={queue}&status=ready")).await?.len();
    assert!(waiting >= 2, "the demo district fills {queue}: {waiting}");
    app.add_user("amy", Role::Officer, PASSWORD).await?;
    app.set_queues("amy", &[queue]).await?;

    let browser = Browser::for_app(&app).await?;
    sign_in(&browser, "amy").await?;
    let mut cleared = 0;
    loop {
        browser.click("#next-item").await?;
        let said = notice_saying(&browser, &["nothing to claim", "You hold this item"]).await?;
        if said.contains("nothing to claim") {
            break;
        }
        browser.fill("#outcome", "Dealt with").await?;
        browser.click("#complete-button").await?;
        notice_saying(&browser, &["Completed", "approval"]).await?;
        cleared += 1;
        anyhow::ensure!(cleared <= waiting, "more items than were waiting");
    }
    assert_eq!(cleared, waiting, "every item of the queue was taken once");
    assert!(app.work_items(&lead, &format!("?queue={queue}&status=ready")).await?.is_empty());
    browser.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_print_room_downloads_a_batch_of_letters_and_marks_it_printed() -> anyhow::Result<()> {
    let (app, id) = amy_with_an_enquiry().await?;
    app.add_user("pat", Role::PostRoom, PASSWORD).await?;
    let amy = app.token("amy", Role::Officer)?;
    let claimed = app.post_json(&format!("/api/v1/work-items/{id}/claim"), &amy, &json!({})).await?;
    anyhow::ensure!(claimed.status().is_success(), "claim: {}", claimed.text().await?);
    let complete = json!({"version": 2, "outcome": "Copy bill sent",
        "reply": {"template": "general-reply", "channel": "letter"}});
    let done = app.post_json(&format!("/api/v1/work-items/{id}/complete"), &amy, &complete).await?;
    anyhow::ensure!(done.status().is_success(), "complete: {}", done.text().await?);
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    let reply = item["replies"][0]["id"].as_str().unwrap_or_default().to_owned();
    let approved = app.post_json(&format!("/api/v1/replies/{reply}/approve"), &amy, &json!({"version": 1})).await?;
    anyhow::ensure!(approved.status().is_success(), "approve: {}", approved.text().await?);
    app.wait_until_quiet(Duration::from_secs(30)).await?;

    let browser = Browser::for_app(&app).await?;
    sign_in(&browser, "pat").await?;
    browser.goto("/print").await?;
    let link = browser.wait_for("a[href$='/pdf'][download]").await?;
    let href = link.attr("href").await?.unwrap_or_default();
    browser.page("print-room").await?;
    // The batch's PDF, as the browser downloads it with the session.
    let pdf = browser
        .client()
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => done(new TextDecoder('latin1').decode(new Uint8Array(b).slice(0, 5))));",
            vec![json!(href)],
        )
        .await?;
    assert_eq!(pdf, json!("%PDF-"), "the batch downloads as a PDF");
    browser.click("form[action$='/printed'] button").await?;
    wait_for_text(&browser, ".notice", "Marked printed").await?;
    let item = app.get_json(&format!("/api/v1/work-items/{id}"), &amy).await?;
    assert_eq!(item["replies"][0]["status"], "printed", "{item}");
    browser.close().await?;
    Ok(())
}
