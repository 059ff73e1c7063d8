//! The `Browser` helpers themselves, against three small pages served here (not the app): a
//! form, a keyboard shortcut, and a page axe-core must reject.

use std::collections::HashMap;

use axum::extract::Query;
use axum::response::Html;
use axum::routing::get;
use futures::FutureExt;

use crate::support::{Browser, Key, WINDOW};

const FORM: &str = r#"<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Find an account</title></head>
<body><main>
<h1>Find an account</h1>
<form action="/result" method="get">
  <label for="name">Name</label> <input id="name" name="name" value="typed over">
  <button type="submit">Search</button>
</form>
<label for="search">Quick search (press /)</label> <input id="search" type="search">
<p id="shortcut" aria-live="polite"></p>
<script>
document.addEventListener('keydown', (e) => {
  if (e.key === '/' && document.activeElement === document.body) {
    e.preventDefault();
    document.getElementById('search').focus();
  }
  if (e.key === 'k' && e.ctrlKey) {
    e.preventDefault();
    document.getElementById('shortcut').textContent = 'Ctrl+K pressed';
  }
});
</script>
</main></body></html>"#;

/// An input without a label: axe-core's `label` rule (critical).
const UNLABELLED: &str = r#"<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Unlabelled</title></head>
<body><main><h1>Unlabelled</h1><input id="nickname" name="nickname"></main></body></html>"#;

async fn result(Query(query): Query<HashMap<String, String>>) -> Html<String> {
    let name = query.get("name").map(String::as_str).unwrap_or("").replace('&', "&amp;").replace('<', "&lt;");
    Html(format!(
        r#"<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Result</title></head>
<body><main><h1 id="result">Hello, {name}</h1></main></body></html>"#
    ))
}

async fn serve() -> anyhow::Result<String> {
    let app = axum::Router::new()
        .route("/form", get(|| async { Html(FORM) }))
        .route("/result", get(result))
        .route("/unlabelled", get(|| async { Html(UNLABELLED) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{address}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_browser_helpers_fill_click_press_keys_check_accessibility_and_screenshot() -> anyhow::Result<()> {
    let base = serve().await?;
    let browser = Browser::start(&base).await?;

    // A 1366x768 window.
    assert_eq!(browser.client().get_window_size().await?, (u64::from(WINDOW.0), u64::from(WINDOW.1)));

    browser.goto("/form").await?;
    let shot = browser.page("harness-form").await?;
    assert!(shot.ends_with("01-harness-form.png"), "{}", shot.display());
    assert!(std::fs::read(&shot)?.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", shot.display());

    browser.fill("#name", "Ada & <Bo>").await?;
    browser.click("button[type=submit]").await?;
    assert_eq!(browser.text("#result").await?, "Hello, Ada & <Bo>");
    assert_eq!(browser.current_path().await?, "/result");
    assert_eq!(browser.current_query().await?.as_deref(), Some("name=Ada+%26+%3CBo%3E"));
    assert_eq!(browser.title().await?, "Result");

    browser.goto("/form").await?;
    assert!(!browser.is_focused("#search").await?);
    browser.press_key('/').await?;
    assert!(browser.is_focused("#search").await?, "/ moves the focus to the quick search");
    browser.press_chord(&[Key::Control.into(), 'k']).await?;
    assert_eq!(browser.text("#shortcut").await?, "Ctrl+K pressed");
    browser.press_key(Key::Tab).await?;
    assert!(!browser.is_focused("#search").await?, "Tab moves the focus on");

    browser.goto("/unlabelled").await?;
    let violations = browser.axe_violations().await?;
    assert_eq!(violations[0]["id"], "label", "{violations}");
    assert_eq!(violations[0]["targets"][0], "#nickname", "{violations}");
    let failed = std::panic::AssertUnwindSafe(browser.assert_accessible("unlabelled")).catch_unwind().await;
    let message = match failed {
        Ok(result) => panic!("assert_accessible passed a page with an unlabelled input: {result:?}"),
        Err(panic) => panic.downcast_ref::<String>().cloned().unwrap_or_default(),
    };
    for expected in
        ["unlabelled (/unlabelled) fails WCAG 2.2 AA", "label (critical)", "on: #nickname", "dequeuniversity.com"]
    {
        assert!(message.contains(expected), "{expected:?} missing from:\n{message}");
    }
    let shot = browser.screenshot("harness-unlabelled").await?;
    assert!(shot.ends_with("02-harness-unlabelled.png"), "{}", shot.display());

    browser.close().await?;
    Ok(())
}
