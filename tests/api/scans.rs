use postroom_domain::Role;
use postroom_e2e::{TestApp, jpeg, pdf, png, tiff};

#[tokio::test]
async fn a_scanned_letter_becomes_a_triage_item_due_one_working_day_after_the_date_stamp() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let post_room = app.token("pat", Role::PostRoom)?;
    let officer = app.token("olly", Role::Officer)?;
    let letter = pdf("I moved out on 3 March");
    // Friday 20 November 2026: one working day later is Monday 23rd.
    let resp = app
        .post_scans(
            &post_room,
            &[("letter.pdf", &letter)],
            &[("received_on", "2026-11-20"), ("batch", "PR-2026-11-20/1")],
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let receipt: serde_json::Value = resp.json().await?;
    assert_eq!(receipt["duplicate"], false);
    assert_eq!(receipt["batch"], "PR-2026-11-20/1");
    let item = &receipt["items"][0];
    assert_eq!(item["media_type"], "application/pdf");
    assert_eq!(item["filename"], "letter.pdf");
    assert_eq!(item["size_bytes"], letter.len());

    let items = app.work_items(&officer, "?queue=triage&status=triage").await?;
    assert_eq!(items.len(), 1);
    let wi = &items[0];
    assert_eq!(wi["status"], "triage");
    assert_eq!(wi["queue"], "triage");
    assert_eq!(wi["due_on"], "2026-11-23");
    assert_eq!(wi["received_at"], "2026-11-20T00:00:00Z");
    assert_eq!(wi["correspondence_id"], item["correspondence_id"]);
    assert!(wi["reference"].as_str().is_some_and(|r| r.starts_with("WI-")));

    let detail = app.get_json(&format!("/api/v1/work-items/{}", wi["id"].as_str().unwrap()), &officer).await?;
    assert_eq!(detail["documents"][0]["id"], item["document_id"]);
    assert_eq!(detail["history"][0]["action"], "created");

    let content = app.get(detail["documents"][0]["content_url"].as_str().unwrap(), &officer).await?;
    assert_eq!(content.status(), 200);
    assert_eq!(content.headers()["content-type"], "application/pdf");
    assert_eq!(content.bytes().await?.as_ref(), letter.as_slice(), "the original comes back byte for byte");

    let corr = app
        .get_json(&format!("/api/v1/correspondence/{}", item["correspondence_id"].as_str().unwrap()), &officer)
        .await?;
    assert_eq!(corr["channel"], "scan");
    assert_eq!(corr["batch_id"], "PR-2026-11-20/1");
    assert_eq!(corr["work_items"][0]["id"], wi["id"]);
    Ok(())
}

#[tokio::test]
async fn the_same_file_again_is_a_duplicate_and_creates_nothing() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let letter = pdf("single person discount");
    let first: serde_json::Value = app.post_scans(&token, &[("a.pdf", &letter)], &[]).await?.json().await?;
    let again = app.post_scans(&token, &[("renamed.pdf", &letter)], &[]).await?;
    assert_eq!(again.status(), 200);
    let again: serde_json::Value = again.json().await?;
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["items"][0]["duplicate"], true);
    assert_eq!(again["items"][0]["correspondence_id"], first["items"][0]["correspondence_id"]);
    assert_eq!(app.work_items(&token, "").await?.len(), 1, "one item for one letter");
    Ok(())
}

#[tokio::test]
async fn an_upload_with_several_files_records_each_and_reports_duplicates_per_file() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let old = pdf("already here");
    app.post_scans(&token, &[("old.pdf", &old)], &[]).await?;
    let resp = app
        .post_scans(
            &token,
            &[("a.png", &png("1")), ("b.jpg", &jpeg("2")), ("c.tif", &tiff("3")), ("old.pdf", &old)],
            &[],
        )
        .await?;
    assert_eq!(resp.status(), 201);
    let receipt: serde_json::Value = resp.json().await?;
    let types: Vec<&str> =
        receipt["items"].as_array().unwrap().iter().map(|i| i["media_type"].as_str().unwrap()).collect();
    assert_eq!(types, ["image/png", "image/jpeg", "image/tiff", "application/pdf"]);
    let dups: Vec<bool> =
        receipt["items"].as_array().unwrap().iter().map(|i| i["duplicate"].as_bool().unwrap()).collect();
    assert_eq!(dups, [false, false, false, true]);
    assert_eq!(receipt["duplicate"], false);
    assert_eq!(app.work_items(&token, "?queue=triage").await?.len(), 4);
    Ok(())
}

#[tokio::test]
async fn other_file_types_are_refused_with_415_and_nothing_is_recorded() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let zip = b"PK\x03\x04\x14\0\0\0\x08\0payload".to_vec();
    // A good PDF alongside: the whole upload is refused, so nothing half-arrives.
    let resp = app.post_scans(&token, &[("ok.pdf", &pdf("fine")), ("evil.pdf", &zip)], &[]).await?;
    assert_eq!(resp.status(), 415);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = resp.json().await?;
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("file 2") && detail.contains("evil.pdf") && detail.contains("application/zip"), "{detail}");
    let text = app.post_scans(&token, &[("note.pdf", b"just text pretending")], &[]).await?;
    assert_eq!(text.status(), 415);
    assert!(app.work_items(&token, "").await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn malformed_uploads_get_clear_problems() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let letter = pdf("x");
    type Case<'a> = (Vec<(&'a str, &'a [u8])>, Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (vec![], vec![("received_on", "2026-11-20")], 422, "no files"),
        (vec![("a.pdf", &letter)], vec![("received_on", "20/11/2026")], 422, "YYYY-MM-DD"),
        (vec![("a.pdf", &letter)], vec![("received_on", "2999-01-01")], 422, "future"),
        (vec![("a.pdf", &letter)], vec![("colour", "blue")], 422, "unknown form field"),
        (vec![("a.pdf", &letter)], vec![("batch", "../../etc")], 200, ""),
        (vec![("empty.pdf", b"")], vec![], 422, "empty"),
    ];
    for (files, fields, status, needle) in cases {
        let resp = app.post_scans(&token, &files, &fields).await?;
        if status == 200 {
            assert!(resp.status().is_success(), "batch names with path characters are plain text: {}", resp.status());
            continue;
        }
        assert_eq!(resp.status(), status, "{needle}");
        let body: serde_json::Value = resp.json().await?;
        assert!(body["detail"].as_str().unwrap().contains(needle), "{needle}: {body}");
    }
    let not_multipart = app
        .client
        .post(app.url("/api/v1/intake/scans"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await?;
    assert_eq!(not_multipart.status(), 415);
    Ok(())
}

#[tokio::test]
async fn uploads_over_the_size_limit_get_413() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| s.server.max_body_bytes = 64 * 1024).await?;
    let token = app.token("pat", Role::PostRoom)?;
    let mut big = pdf("big");
    big.resize(200 * 1024, b' ');
    let resp = app.post_scans(&token, &[("big.pdf", &big)], &[]).await?;
    assert_eq!(resp.status(), 413);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    assert!(app.work_items(&token, "").await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn sender_file_names_never_become_paths() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let resp = app.post_scans(&token, &[("../../../../tmp/owned.pdf", &pdf("traversal"))], &[]).await?;
    assert_eq!(resp.status(), 201);
    let receipt: serde_json::Value = resp.json().await?;
    assert_eq!(receipt["items"][0]["filename"], "owned.pdf");
    assert!(!std::path::Path::new("/tmp/owned.pdf").exists());
    if app.uses_local_storage() {
        let objects: Vec<_> = walk(&app.data_dir().join("objects"));
        assert!(objects.iter().any(|p| p.contains("/originals/sha256/")), "{objects:?}");
        assert!(objects.iter().all(|p| p.contains("/originals/sha256/") || p.contains("/.postroom/")), "{objects:?}");
    }
    Ok(())
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}
