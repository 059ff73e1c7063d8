//! Postroom's web UI: the pages officers, the post room and team leaders work in.
//!
//! Server-rendered HTML from minijinja templates compiled into the binary, with htmx (vendored,
//! pinned) for the few places that update in place (the reply preview). Every page works
//! without JavaScript. Every asset is embedded: nothing is fetched from another site.
//!
//! The pages are a second adapter beside the HTTP API, over the same use cases: reads go through
//! the API's read functions in-process (so a page shows what the API answers, checked the same
//! way), and every change goes through `postroom_casework`. Signing in issues the same signed
//! token the API accepts, kept in an HttpOnly, SameSite=Strict session cookie; every form carries
//! the session's CSRF token, checked before anything is done.

mod assets;
mod charts;
mod dashboard;
mod documents;
mod error;
mod forms;
mod items;
mod pages;
mod print;
mod replies;
mod session;
mod triage;
mod upload;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    routing::{get, post},
};

use postroom_api::AppState;
use postroom_auth::HmacKeys;

pub use error::WebError;
pub use pages::Pages;

/// How the UI runs (`[web]`).
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// How long a sign-in lasts.
    pub session_lifetime: Duration,
    /// Mark the session cookie `Secure` (serve over TLS, or behind a proxy that does).
    pub secure_cookies: bool,
}

/// What the pages share.
#[derive(Clone)]
pub struct WebState {
    pub api: AppState,
    pub keys: Arc<HmacKeys>,
    pub pages: Arc<Pages>,
    pub forms: Arc<forms::ChangeForms>,
    pub settings: Arc<WebSettings>,
    /// Renders PDF pages as images for the document viewer.
    pub text: Arc<postroom_text::Extractor>,
}

impl WebState {
    /// The UI over `api`, signing sessions with `keys`.
    ///
    /// # Errors
    /// When a template does not compile or the account changes' schema cannot be read.
    pub fn new(
        api: AppState,
        keys: HmacKeys,
        settings: WebSettings,
        text: postroom_text::Extractor,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            api,
            keys: Arc::new(keys),
            pages: Arc::new(Pages::new()?),
            forms: Arc::new(forms::ChangeForms::from_openapi(&postroom_api::openapi())?),
            settings: Arc::new(settings),
            text: Arc::new(text),
        })
    }
}

/// Every queue of the workflow catalogue, and triage, sorted.
pub(crate) fn queue_names(state: &WebState) -> Vec<String> {
    let mut queues: Vec<String> = state.api.catalogue.workflows().iter().map(|w| w.queue.clone()).collect();
    queues.push("triage".to_owned());
    queues.sort();
    queues.dedup();
    queues
}

/// The UI's routes, ready to merge beside the API.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(items::home))
        .route("/signin", get(session::signin_page).post(session::signin))
        .route("/signout", post(session::signout))
        .route("/assets/{name}", get(assets::asset))
        .route("/next", post(items::next_item))
        .route("/items", get(items::list))
        .route("/items/{id}", get(items::show))
        .route("/items/{id}/act/{action}", post(items::act))
        .route("/items/{id}/complete", post(items::complete))
        .route("/items/{id}/preview", post(items::preview))
        .route("/items/{id}/decide", post(dashboard::decide))
        .route("/items/{id}/prioritise", post(dashboard::prioritise))
        .route("/items/{id}/index", post(triage::index))
        .route("/replies/{id}/pdf", get(replies::pdf))
        .route("/replies/{id}/{action}", post(replies::act))
        .route("/documents/{id}/original", get(documents::original))
        .route("/documents/{id}/pages/{page}", get(documents::page_image))
        .route("/print", get(print::list))
        .route("/print/{id}/pdf", get(print::pdf))
        .route("/print/{id}/printed", post(print::printed))
        .route("/triage", get(triage::list))
        .route(
            "/upload",
            get(upload::page)
                .post(upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(state.api.max_body_bytes)),
        )
        .route("/dashboard", get(dashboard::show))
        .route("/approvals", get(dashboard::approvals))
        .route("/reassign", post(dashboard::reassign))
        .route("/officers", get(dashboard::officers))
        .route("/officers/{user}", post(dashboard::set_queues))
        .layer(axum::middleware::from_fn(pages::security_headers))
        .with_state(state)
}
