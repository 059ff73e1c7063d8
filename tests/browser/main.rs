//! Browser tests: the real service (SQLite, or PostgreSQL when `TEST_POSTGRES_URL` is set)
//! driven through headless Chromium at 1366x768, every page of a journey checked against
//! WCAG 2.2 AA with axe-core and screenshotted (see `support`). They need `chromium` and
//! `chromedriver` (`scripts/test-services.sh install_chromium`) and fail without them.

mod harness;
mod journeys;
mod support;

use postroom_e2e::TestApp;
use support::Browser;

/// The harness, chromedriver, Chromium and the service together: the Swagger UI that the API
/// serves at /docs renders the OpenAPI document's title. Swagger UI is third-party, so it is
/// not held to the accessibility checks that the service's own pages are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_docs_render_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let browser = Browser::for_app(&app).await?;
    browser.goto("/docs/").await?;
    assert_eq!(browser.title().await?, "Swagger UI");
    // Swagger UI renders the document after fetching /api/openapi.json: wait for its heading.
    let heading = browser.text(".information-container h2.title").await?;
    assert!(heading.starts_with("Postroom API"), "heading: {heading:?}");
    browser.wait_for(".opblock-tag-section").await?;
    assert_eq!(browser.current_path().await?, "/docs/");
    let shot = browser.screenshot("api-docs").await?;
    let png = std::fs::read(&shot)?;
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", shot.display());
    browser.close().await?;
    Ok(())
}
