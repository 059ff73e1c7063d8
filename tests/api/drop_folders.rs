//! Drop folders: files put under `inbox/scans/` and `inbox/email/` in the object store (the data
//! directory's `objects/` on the embedded default, the bucket with S3) are received once stable
//! and moved to the archive.

use std::time::Duration;

use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};

async fn app(stable_for: Duration, configure: impl FnOnce(&mut postroom_config::Settings)) -> anyhow::Result<TestApp> {
    TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.drop_folders.poll_interval = Duration::from_millis(100);
        s.drop_folders.stable_for = stable_for;
        configure(s);
    })
    .await
}

/// Waits until nothing is left under `prefix`.
async fn until_taken(app: &TestApp, prefix: &str) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let left = app.object_keys(prefix).await?;
        if left.is_empty() {
            return Ok(());
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "still waiting in the drop folder: {left:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_scan_copied_into_the_drop_folder_becomes_a_triage_item_and_is_archived() -> anyhow::Result<()> {
    let app = app(Duration::ZERO, |_| {}).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let letter = pdf("Council Tax correspondence dropped in the scans folder");
    if app.uses_local_storage() {
        // On the embedded default a person simply copies the file in.
        let dir = app.data_dir().join("objects/inbox/scans");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("letter 1.pdf"), &letter)?;
    } else {
        app.put_object("inbox/scans/letter 1.pdf", letter.clone()).await?;
    }
    until_taken(&app, "inbox/scans/").await?;
    let items = app.work_items(&token, "?queue=triage").await?;
    assert_eq!(items.len(), 1);
    let corr = items[0]["correspondence_id"].as_str().unwrap_or_default();
    let view = app.get_json(&format!("/api/v1/correspondence/{corr}"), &token).await?;
    assert_eq!(view["channel"], "drop_folder", "{view}");
    assert_eq!(view["documents"][0]["filename"], "letter 1.pdf");
    let archived = app.object_keys("archive/").await?;
    assert_eq!(archived.len(), 1, "{archived:?}");
    assert!(archived[0].ends_with("-letter_1.pdf"), "{archived:?}");
    assert_eq!(app.object(&archived[0]).await?, letter, "archived as it was");
    Ok(())
}

#[tokio::test]
async fn the_same_file_dropped_twice_is_recorded_once_and_both_copies_archived() -> anyhow::Result<()> {
    let app = app(Duration::ZERO, |_| {}).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let letter = pdf("Council Tax correspondence sent in twice by the scanner");
    app.put_object("inbox/scans/a.pdf", letter.clone()).await?;
    app.put_object("inbox/scans/again/b.pdf", letter).await?;
    until_taken(&app, "inbox/scans/").await?;
    assert_eq!(app.work_items(&token, "").await?.len(), 1);
    assert_eq!(app.object_keys("archive/").await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn an_email_file_is_received_as_email_and_an_oversize_one_is_kept_and_triaged() -> anyhow::Result<()> {
    let app = app(Duration::ZERO, |s| s.intake.max_email_bytes = 400).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let small = b"From: Ann Smith <ann@example.org>\r\nTo: ctax@council.example\r\nSubject: Moving house\r\n\
Message-ID: <drop-1@example.org>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\n\r\nI am moving on 1 December.\r\n";
    let big = format!(
        "From: Bob Jones <bob@example.org>\r\nSubject: Long letter\r\nMessage-ID: <drop-2@example.org>\r\n\r\n{}\r\n",
        "Please read all of this. ".repeat(40)
    );
    app.put_object("inbox/email/one.eml", small.to_vec()).await?;
    app.put_object("inbox/email/two.eml", big.into_bytes()).await?;
    until_taken(&app, "inbox/email/").await?;
    let items = app.work_items(&token, "?queue=triage").await?;
    assert_eq!(items.len(), 2);
    let mut senders = Vec::new();
    let mut reasons = Vec::new();
    for item in &items {
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &token).await?;
        let corr = item["correspondence_id"].as_str().unwrap_or_default();
        let view = app.get_json(&format!("/api/v1/correspondence/{corr}"), &token).await?;
        senders.push(view["sender"].as_str().unwrap_or_default().to_owned());
        reasons.push(detail["history"][0]["details"]["reason"].as_str().unwrap_or_default().to_owned());
    }
    assert!(senders.iter().any(|s| s.contains("ann@example.org")), "{senders:?}");
    assert!(
        reasons.iter().any(|r| r.contains("at most 400 are accepted")),
        "the oversize one carries its reason: {reasons:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_file_that_cannot_be_received_is_moved_aside_with_its_reason() -> anyhow::Result<()> {
    let app = app(Duration::ZERO, |_| {}).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    app.put_object("inbox/scans/notes.zip", b"PK\x03\x04 not a scan at all".to_vec()).await?;
    until_taken(&app, "inbox/scans/").await?;
    let rejected = app.object_keys("inbox/rejected/").await?;
    assert_eq!(rejected.len(), 2, "the file and its reason: {rejected:?}");
    let reason = rejected.iter().find(|k| k.ends_with(".reason.txt")).cloned().unwrap_or_default();
    let reason = String::from_utf8(app.object(&reason).await?)?;
    assert!(reason.contains("inbox/scans/notes.zip") && reason.contains("application/zip"), "{reason}");
    assert!(app.work_items(&token, "").await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_file_still_changing_is_left_until_it_has_been_stable() -> anyhow::Result<()> {
    let app = app(Duration::from_secs(2), |_| {}).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    app.put_object("inbox/scans/slow.pdf", pdf("Council Tax correspondence being copied slowly")).await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.object_keys("inbox/scans/").await?, ["inbox/scans/slow.pdf"], "not taken while fresh");
    until_taken(&app, "inbox/scans/").await?;
    assert_eq!(app.work_items(&token, "").await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn a_poison_email_is_received_like_any_other_and_the_next_file_goes_through() -> anyhow::Result<()> {
    let app = app(Duration::ZERO, |_| {}).await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    app.put_object("inbox/email/poison.eml", crate::intake_faults::nul_everywhere()).await?;
    app.put_object("inbox/email/normal.eml", crate::intake_faults::bailiffs(1)).await?;
    until_taken(&app, "inbox/email/").await?;
    assert!(app.object_keys("inbox/rejected/").await?.is_empty(), "nothing was rejected");
    app.wait_until_quiet(Duration::from_secs(30)).await?;
    assert_eq!(app.work_items(&token, "").await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_file_that_keeps_failing_is_set_aside_with_its_reason_and_the_others_go_on() -> anyhow::Result<()> {
    // The failure is made real on a local directory: a directory stands where the file would be
    // archived, so every move fails while the database and store answer. (The rule does not
    // depend on the kind of store, so this runs on the data directory whatever the suite uses.)
    let app = app(Duration::ZERO, |s| {
        s.storage = postroom_config::StorageSettings::default();
        s.intake.max_attempts = 3;
    })
    .await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let stuck = crate::intake_faults::bailiffs(7);
    let hash = postroom_domain::ContentHash::of(&stuck);
    let today = postroom_domain::london_date(chrono::Utc::now());
    let blocker = app.data_dir().join(format!("objects/archive/{today}/{}-stuck.eml", &hash.as_str()[..16]));
    std::fs::create_dir_all(blocker.join("in-the-way"))?;
    app.put_object("inbox/email/stuck.eml", stuck).await?;
    app.put_object("inbox/email/fine.eml", crate::intake_faults::bailiffs(8)).await?;
    until_taken(&app, "inbox/email/").await?;
    let rejected = app.object_keys("inbox/rejected/").await?;
    assert_eq!(rejected.len(), 2, "the file and its reason: {rejected:?}");
    let reason = rejected.iter().find(|k| k.ends_with(".reason.txt")).cloned().unwrap_or_default();
    let reason = String::from_utf8(app.object(&reason).await?)?;
    assert!(reason.contains("inbox/email/stuck.eml") && reason.contains("failed 3 times"), "{reason}");
    assert_eq!(app.object_keys("archive/").await?.len(), 1, "the other file was archived");
    app.wait_until_quiet(Duration::from_secs(30)).await?;
    assert_eq!(app.work_items(&token, "").await?.len(), 2, "both were recorded: the stuck one is in triage too");
    Ok(())
}
