//! Checking what a channel made of the hostile set: for each message, a work item whose
//! correspondence keeps exactly the bytes received as its original. Failures are gathered, not
//! raised one by one, so one run names every message that went wrong and why.

use std::{collections::HashMap, time::Duration};

use anyhow::Context;

use crate::TestApp;

/// A message a channel was given, and the bytes its original must hold (for IMAP, what the
/// server serves, which may differ from what was delivered to it).
#[derive(Debug, Clone)]
pub struct Expected {
    pub name: String,
    pub original: Vec<u8>,
}

/// The failures of one channel's run, each `message name: why`.
#[derive(Debug, Default)]
pub struct Failures {
    channel: String,
    list: Vec<String>,
}

impl Failures {
    #[must_use]
    pub fn new(channel: &str) -> Self {
        Self { channel: channel.to_owned(), list: Vec::new() }
    }

    pub fn push(&mut self, name: &str, why: impl std::fmt::Display) {
        self.list.push(format!("{name}: {why}"));
    }

    /// Fails with every failure listed, or succeeds when there were none.
    ///
    /// # Errors
    /// When any message failed.
    pub fn finish(self, total: usize) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.list.is_empty(),
            "{}: {} failures over {total} hostile messages:\n  {}",
            self.channel,
            self.list.len(),
            self.list.join("\n  ")
        );
        Ok(())
    }
}

/// Waits until the service has handled everything it was given (noting it as a failure if it
/// never does), then checks that each of `expected` has a work item whose original is its bytes.
///
/// # Errors
/// Only when the service cannot be asked at all.
pub async fn work_items_keep_originals(
    app: &TestApp,
    token: &str,
    expected: &[Expected],
    failures: &mut Failures,
) -> anyhow::Result<()> {
    if let Err(e) = app.wait_until_quiet(Duration::from_secs(300)).await {
        failures.push("(service)", format!("events still unhandled: {e:#}"));
    }
    let originals = originals_with_work_items(app, token).await?;
    for message in expected {
        if !originals.contains_key(message.original.as_slice()) {
            failures.push(&message.name, "no work item whose correspondence keeps these exact bytes as its original");
        }
    }
    Ok(())
}

/// The original of every correspondence that has a work item, by its bytes.
async fn originals_with_work_items(app: &TestApp, token: &str) -> anyhow::Result<HashMap<Vec<u8>, String>> {
    // Generous: a loaded 2-core CI machine, and originals of several megabytes.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(300)).build()?;
    let get = |path: String| {
        let client = &client;
        async move {
            let resp =
                client.get(app.url(&path)).bearer_auth(token).send().await.with_context(|| format!("GET {path}"))?;
            anyhow::ensure!(resp.status() == 200, "GET {path}: {}", resp.status());
            resp.bytes().await.with_context(|| format!("GET {path}: reading the body"))
        }
    };
    let mut correspondence = Vec::new();
    loop {
        let page: serde_json::Value = serde_json::from_slice(
            &get(format!("/api/v1/work-items?limit=500&offset={}", correspondence.len())).await?,
        )?;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        correspondence.extend(items.iter().map(|i| i["correspondence_id"].as_str().unwrap_or_default().to_owned()));
    }
    let mut originals = HashMap::new();
    for id in correspondence {
        let view: serde_json::Value = serde_json::from_slice(&get(format!("/api/v1/correspondence/{id}")).await?)?;
        let documents = view["documents"].as_array().cloned().unwrap_or_default();
        let Some(original) = documents.iter().find(|d| d["part"] == "original") else { continue };
        let url = original["content_url"].as_str().unwrap_or_default().to_owned();
        originals.insert(get(url).await?.to_vec(), id);
    }
    Ok(originals)
}

/// Waits up to `timeout` for `done` to hold, polling; false if it never did.
pub async fn eventually<F, Fut>(timeout: Duration, mut done: F) -> anyhow::Result<bool>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if done().await? {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
