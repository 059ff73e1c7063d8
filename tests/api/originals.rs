//! Serving originals safely: only the types the viewer shows are `inline` (PDF, images, UTF-8
//! plain text); anything else, an HTML attachment above all, is an `attachment` of
//! `application/octet-stream`. Every original has `nosniff`, a restrictive
//! `Content-Security-Policy` and `Cache-Control: private, no-store`, and keeps its `ETag`.

use base64::Engine;
use postroom_domain::Role;
use postroom_e2e::{TestApp, pdf};
use serde_json::Value;

const BOUNDARY: &str = "originals-boundary";

/// A message with an HTML attachment, a PDF and a plain-text note with a non-ASCII name.
fn message() -> Vec<u8> {
    let html = "<html><body><script>alert(document.cookie)</script>Pay here</body></html>";
    let pdf = base64::engine::general_purpose::STANDARD.encode(pdf("Council tax bill"));
    format!(
        "From: Resident <resident@example.org>\r\nTo: revenues@barchester.gov.uk\r\n\
         Subject: My documents\r\nMessage-ID: <originals@example.org>\r\nDate: Mon, 7 Dec 2026 09:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{BOUNDARY}\"\r\n\r\n\
         --{BOUNDARY}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease see attached.\r\n\
         --{BOUNDARY}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Disposition: attachment; filename=\"invoice \\\"final\\\".html\"\r\n\r\n{html}\r\n\
         --{BOUNDARY}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"bill.pdf\"\r\n\r\n{pdf}\r\n\
         --{BOUNDARY}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Disposition: attachment; filename*=utf-8''Zo%C3%AB%20note.txt\r\n\r\nA note from Zo\u{eb}.\r\n\
         --{BOUNDARY}--\r\n"
    )
    .into_bytes()
}

/// The received document of `media_type`.
fn document<'a>(receipt: &'a Value, media_type: &str) -> &'a Value {
    receipt["documents"]
        .as_array()
        .and_then(|docs| docs.iter().find(|d| d["media_type"] == media_type))
        .unwrap_or_else(|| panic!("no {media_type} document in {receipt}"))
}

async fn headers_of(app: &TestApp, token: &str, doc: &Value) -> anyhow::Result<reqwest::header::HeaderMap> {
    let resp = app.get(&format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap_or_default()), token).await?;
    assert_eq!(resp.status(), 200);
    Ok(resp.headers().clone())
}

#[track_caller]
fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} in {headers:?}"))
}

#[tokio::test]
async fn an_html_attachment_is_a_download_and_a_pdf_is_shown_neither_cached() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let gateway = app.token("mail-gateway", Role::Service)?;
    let resp = app
        .client
        .post(app.url("/api/v1/intake/emails"))
        .bearer_auth(&gateway)
        .header("content-type", "message/rfc822")
        .body(message())
        .send()
        .await?;
    assert_eq!(resp.status(), 201);
    let receipt: Value = resp.json().await?;
    let officer = app.token("amy", Role::Officer)?;

    let html = headers_of(&app, &officer, document(&receipt, "text/html")).await?;
    assert_eq!(header(&html, "content-type"), "application/octet-stream", "never served as text/html");
    assert_eq!(
        header(&html, "content-disposition"),
        "attachment; filename=\"invoice _final_.html\"; filename*=UTF-8''invoice%20%22final%22.html"
    );
    assert_eq!(header(&html, "content-security-policy"), "default-src 'none'; sandbox");

    let pdf = headers_of(&app, &officer, document(&receipt, "application/pdf")).await?;
    assert_eq!(header(&pdf, "content-type"), "application/pdf");
    assert_eq!(header(&pdf, "content-disposition"), "inline; filename=\"bill.pdf\"");
    assert!(header(&pdf, "content-security-policy").starts_with("default-src 'none'"));
    assert!(!header(&pdf, "content-security-policy").contains("sandbox"), "Chromium shows no PDF when sandboxed");

    let note = receipt["documents"]
        .as_array()
        .and_then(|docs| docs.iter().find(|d| d["filename"] == "Zoë note.txt"))
        .unwrap_or_else(|| panic!("no note in {receipt}"));
    let text = headers_of(&app, &officer, note).await?;
    assert_eq!(header(&text, "content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        header(&text, "content-disposition"),
        "inline; filename=\"Zo_ note.txt\"; filename*=UTF-8''Zo%C3%AB%20note.txt"
    );

    let original = headers_of(&app, &officer, document(&receipt, "message/rfc822")).await?;
    assert_eq!(header(&original, "content-type"), "application/octet-stream");
    assert!(header(&original, "content-disposition").starts_with("attachment; filename=\"document-"));
    assert!(header(&original, "content-disposition").ends_with(".eml\""));

    for headers in [&html, &pdf, &text, &original] {
        assert_eq!(header(headers, "x-content-type-options"), "nosniff");
        assert_eq!(header(headers, "cache-control"), "private, no-store");
        assert!(header(headers, "etag").starts_with('"'));
    }
    Ok(())
}
