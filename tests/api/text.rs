//! Text extraction: page counts, PDF text layers, OCR of scanned pages, and what happens when the
//! tools are missing.
//!
//! The OCR tests render scanned-looking pages (text at 200–300 dpi with speckle noise and a
//! slight skew) with `tests/fixtures/make_scans.py` and look for the words in what comes back.
//! They need tesseract-ocr, poppler-utils and Pillow (`scripts/test-services.sh`,
//! `install_text_tools`), so they are ignored in the embedded run; CI runs them.

use std::{path::Path, time::Duration};

use postroom_domain::Role;
use postroom_e2e::TestApp;

/// Renders the fixture pages into a fresh directory.
fn render_scans() -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/make_scans.py");
    let out = std::process::Command::new("python3").arg(&script).arg(dir.path()).output()?;
    anyhow::ensure!(
        out.status.success(),
        "{} failed (is Pillow installed? python3 -m pip install pillow): {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(dir)
}

/// Uploads one file and returns its document once its text has been read.
async fn scan_and_read(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> anyhow::Result<serde_json::Value> {
    let resp = app.post_scans(token, &[(name, bytes)], &[]).await?;
    anyhow::ensure!(resp.status() == 201, "{name}: {}", resp.status());
    let receipt: serde_json::Value = resp.json().await?;
    let corr = receipt["items"][0]["correspondence_id"].as_str().unwrap_or_default().to_owned();
    app.wait_until_quiet(Duration::from_secs(120)).await?;
    let view = app.get_json(&format!("/api/v1/correspondence/{corr}"), token).await?;
    Ok(view["documents"][0].clone())
}

async fn pages(app: &TestApp, token: &str, doc: &serde_json::Value) -> anyhow::Result<Vec<serde_json::Value>> {
    let url = doc["pages_url"].as_str().unwrap_or_default();
    Ok(app.get_json(url, token).await?.as_array().cloned().unwrap_or_default())
}

fn assert_words(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "{w:?} not read from:\n{text}");
    }
}

#[tokio::test]
#[ignore = "needs tesseract-ocr, poppler-utils and Pillow; CI runs it"]
async fn a_scanned_image_is_read_by_ocr() -> anyhow::Result<()> {
    let scans = render_scans()?;
    let app = TestApp::spawn().await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let doc = scan_and_read(&app, &token, "scan.png", &std::fs::read(scans.path().join("scan.png"))?).await?;
    assert_eq!(doc["text_status"], "extracted", "{doc}");
    assert_eq!(doc["page_count"], 1);
    let text = doc["extracted_text"].as_str().unwrap_or_default();
    assert_words(text, &["Council Tax Account Reference", "40012345", "Acacia Avenue", "final bill"]);
    let pages = pages(&app, &token, &doc).await?;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0]["source"], "ocr");
    assert!(pages[0]["confidence"].as_f64().is_some_and(|c| c > 60.0), "{}", pages[0]);
    Ok(())
}

#[tokio::test]
#[ignore = "needs tesseract-ocr, poppler-utils and Pillow; CI runs it"]
async fn an_image_only_pdf_is_rasterised_and_read_page_by_page() -> anyhow::Result<()> {
    let scans = render_scans()?;
    let app = TestApp::spawn().await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let doc = scan_and_read(&app, &token, "scan.pdf", &std::fs::read(scans.path().join("scan.pdf"))?).await?;
    assert_eq!((doc["text_status"].as_str(), doc["page_count"].as_i64()), (Some("extracted"), Some(2)), "{doc}");
    let pages = pages(&app, &token, &doc).await?;
    assert_eq!(pages.len(), 2);
    assert!(pages.iter().all(|p| p["source"] == "ocr"), "{pages:?}");
    assert_words(pages[0]["text"].as_str().unwrap_or_default(), &["40012345", "moved out"]);
    assert_words(pages[1]["text"].as_str().unwrap_or_default(), &["cancel my direct debit", "Thompson"]);
    Ok(())
}

#[tokio::test]
#[ignore = "needs tesseract-ocr, poppler-utils and Pillow; CI runs it"]
async fn a_multi_page_tiff_has_its_pages_counted_and_read() -> anyhow::Result<()> {
    let scans = render_scans()?;
    let app = TestApp::spawn().await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let doc = scan_and_read(&app, &token, "scan.tif", &std::fs::read(scans.path().join("scan.tif"))?).await?;
    assert_eq!((doc["text_status"].as_str(), doc["page_count"].as_i64()), (Some("extracted"), Some(2)), "{doc}");
    let pages = pages(&app, &token, &doc).await?;
    assert_eq!(pages.iter().map(|p| p["page"].as_i64().unwrap_or(0)).collect::<Vec<_>>(), [1, 2]);
    assert_words(pages[0]["text"].as_str().unwrap_or_default(), &["Council Tax", "40012345"]);
    assert_words(pages[1]["text"].as_str().unwrap_or_default(), &["Direct Debit"]);
    Ok(())
}

#[tokio::test]
#[ignore = "needs tesseract-ocr, poppler-utils and Pillow; CI runs it"]
async fn a_born_digital_pdf_keeps_its_text_layer_exactly() -> anyhow::Result<()> {
    let scans = render_scans()?;
    let app = TestApp::spawn().await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let doc = scan_and_read(&app, &token, "letter.pdf", &std::fs::read(scans.path().join("letter.pdf"))?).await?;
    assert_eq!((doc["text_status"].as_str(), doc["page_count"].as_i64()), (Some("extracted"), Some(2)), "{doc}");
    let pages = pages(&app, &token, &doc).await?;
    assert!(pages.iter().all(|p| p["source"] == "text_layer" && p["confidence"].is_null()), "{pages:?}");
    // A text layer is exact: "I" stays "I" (OCR often reads a lone I as "|").
    assert_words(pages[0]["text"].as_str().unwrap_or_default(), &["I moved out of the property on 3 March 2026."]);
    assert_words(pages[1]["text"].as_str().unwrap_or_default(), &["Yours faithfully, Margaret Thompson"]);
    Ok(())
}

#[tokio::test]
#[ignore = "needs tesseract-ocr, poppler-utils and Pillow; CI runs it"]
async fn blank_and_corrupt_scans_reach_triage_flagged_no_text_with_the_reason() -> anyhow::Result<()> {
    let scans = render_scans()?;
    let app = TestApp::spawn().await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let blank = scan_and_read(&app, &token, "blank.png", &std::fs::read(scans.path().join("blank.png"))?).await?;
    assert_eq!(blank["text_status"], "no_text", "{blank}");
    let corrupt = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntruncated here".to_vec();
    let broken = scan_and_read(&app, &token, "broken.pdf", &corrupt).await?;
    assert_eq!(broken["text_status"], "failed", "{broken}");
    assert!(broken["text_problem"].as_str().is_some_and(|p| p.contains("not a readable PDF")), "{broken}");
    let items = app.work_items(&token, "?queue=triage").await?;
    assert_eq!(items.len(), 2, "both still flow to triage");
    for item in items {
        let detail =
            app.get_json(&format!("/api/v1/work-items/{}", item["id"].as_str().unwrap_or_default()), &token).await?;
        assert_eq!(detail["text"], "no_text", "{detail}");
    }
    Ok(())
}

#[tokio::test]
#[ignore = "needs tesseract-ocr, poppler-utils and Pillow; CI runs it"]
async fn a_pdf_attached_to_an_email_is_read_too() -> anyhow::Result<()> {
    let scans = render_scans()?;
    let pdf = std::fs::read(scans.path().join("letter.pdf"))?;
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let raw = format!(
        "From: Margaret Thompson <m.thompson@example.org>\r\nTo: counciltax@council.example\r\n\
         Subject: Moving out\r\nMessage-ID: <attach-1@example.org>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nPlease see my letter attached.\r\n--b1\r\n\
         Content-Type: application/pdf; name=\"letter.pdf\"\r\nContent-Disposition: attachment; filename=\"letter.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b1--\r\n",
        base64_lines(&pdf)
    );
    let resp = app.post_email(&gateway, raw, "").await?;
    assert_eq!(resp.status(), 201);
    let receipt: serde_json::Value = resp.json().await?;
    app.wait_until_quiet(Duration::from_secs(120)).await?;
    let corr = receipt["correspondence_id"].as_str().unwrap_or_default();
    let view = app.get_json(&format!("/api/v1/correspondence/{corr}"), &gateway).await?;
    let docs = view["documents"].as_array().cloned().unwrap_or_default();
    let body = docs.iter().find(|d| d["part"] == "original").cloned().unwrap_or_default();
    let attachment = docs.iter().find(|d| d["part"] == "attachment").cloned().unwrap_or_default();
    assert_eq!(pages(&app, &gateway, &body).await?[0]["source"], "body");
    assert_eq!((attachment["text_status"].as_str(), attachment["page_count"].as_i64()), (Some("extracted"), Some(2)));
    assert_words(
        attachment["extracted_text"].as_str().unwrap_or_default(),
        &["Council Tax Account Reference 40012345"],
    );
    Ok(())
}

fn base64_lines(bytes: &[u8]) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    encoded.as_bytes().chunks(76).map(|l| String::from_utf8_lossy(l).into_owned()).collect::<Vec<_>>().join("\r\n")
}

/// A multi-page TIFF made in the test (tiny grey pages).
fn tiff_pages(n: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut encoder = tiff::encoder::TiffEncoder::new(&mut out)?;
    for page in 0..n {
        let pixels = vec![u8::try_from(200 + page).unwrap_or(255); 16 * 16];
        encoder.write_image::<tiff::encoder::colortype::Gray8>(16, 16, &pixels)?;
    }
    Ok(out.into_inner())
}

#[tokio::test]
async fn without_ocr_installed_a_scan_still_flows_to_triage_flagged_no_text() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.text.tesseract = "/nonexistent/tesseract".into();
        s.text.pdftoppm = "/nonexistent/pdftoppm".into();
    })
    .await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let doc = scan_and_read(&app, &token, "three-pages.tif", &tiff_pages(3)?).await?;
    assert_eq!(doc["text_status"], "unavailable", "{doc}");
    assert_eq!(doc["page_count"], 3, "pages are counted without OCR");
    let problem = doc["text_problem"].as_str().unwrap_or_default();
    assert!(problem.contains("tesseract is not installed"), "{problem}");
    let items = app.work_items(&token, "?queue=triage").await?;
    assert_eq!(items.len(), 1, "the item still flows");
    let detail =
        app.get_json(&format!("/api/v1/work-items/{}", items[0]["id"].as_str().unwrap_or_default()), &token).await?;
    assert_eq!(detail["text"], "no_text");
    assert!(pages(&app, &token, &doc).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn pages_of_an_unknown_document_are_a_404_problem() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let resp = app.get(&format!("/api/v1/documents/{}/pages", uuid::Uuid::new_v4()), &token).await?;
    assert_eq!(resp.status(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    Ok(())
}

#[tokio::test]
async fn slow_ocr_never_holds_up_triage_and_a_page_that_overruns_is_stopped() -> anyhow::Result<()> {
    // A "tesseract" that hangs, as a real one can on a pathological page.
    let tools = tempfile::tempdir()?;
    let hang = tools.path().join("tesseract");
    std::fs::write(&hang, "#!/bin/sh\nsleep 30\n")?;
    std::fs::set_permissions(&hang, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let app = TestApp::spawn_with(postroom::ServeRole::All, |s| {
        s.text.tesseract = hang.clone();
        s.text.page_timeout = Duration::from_secs(3);
    })
    .await?;
    let token = app.token("postroom1", Role::PostRoom)?;
    let started = std::time::Instant::now();
    let resp = app.post_scans(&token, &[("photo.png", &postroom_e2e::png("hanging"))], &[]).await?;
    assert_eq!(resp.status(), 201);
    // The triage item is there while OCR is still running.
    loop {
        let page = app.get_json("/api/v1/work-items?queue=triage", &token).await?;
        if page["items"].as_array().is_some_and(|i| i.len() == 1) {
            break;
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(2), "triage waited for OCR");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let items = app.work_items(&token, "?queue=triage").await?;
    let detail =
        app.get_json(&format!("/api/v1/work-items/{}", items[0]["id"].as_str().unwrap_or_default()), &token).await?;
    assert_eq!(detail["documents"][0]["text_status"], "failed", "{detail}");
    let problem = detail["documents"][0]["text_problem"].as_str().unwrap_or_default();
    assert!(problem.contains("tesseract took longer than 3s and was stopped"), "{problem}");
    assert!(started.elapsed() < Duration::from_secs(20), "the hung tool was killed, not waited for");
    Ok(())
}
