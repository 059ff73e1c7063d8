//! A headless Chromium driven through chromedriver (fantoccini), for the web UI's journeys.
//!
//! Each [`Browser`] starts its own chromedriver, in its own process group and with its own
//! `TMPDIR`, and one Chromium session with a 1366x768 window (a council laptop). Dropping the
//! `Browser` kills the whole process group, so a test that fails half-way leaves no Chromium
//! behind; [`Browser::close`] ends the session cleanly first. Without `chromedriver` or
//! `chromium` the tests fail (never skip): `scripts/test-services.sh install_chromium`.
//!
//! Every helper that looks for an element waits for it (up to [`WAIT`]), so a journey reads
//! like a person using the page:
//!
//! ```ignore
//! let app = TestApp::spawn().await?;
//! let browser = Browser::for_app(&app).await?;
//! browser.goto("/signin").await?;
//! browser.page("signin").await?;                 // axe (WCAG 2.2 AA) + screenshot
//! browser.fill("#username", "officer").await?;
//! browser.click("button[type=submit]").await?;
//! assert_eq!(browser.current_path().await?, "/");
//! browser.press_key('/').await?;                 // a keyboard shortcut
//! browser.close().await?;
//! ```
//!
//! Screenshots go to `$TEST_SCREENSHOTS` (relative to the workspace root if relative), else
//! `<workspace root>/target/screenshots`, as `<backend>/<NN>-<page name>.png`: `backend` is
//! `postgres` when `TEST_POSTGRES_URL` is set, else `sqlite`; `NN` counts this browser's
//! screenshots from 01. Two browsers of one run writing the same file is an error, so give pages
//! names that are distinct across the journeys (e.g. `signin`, `signin-wrong-password`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use postroom_e2e::{POSTGRES_ENV, TestApp};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub use fantoccini::key::Key;

/// How long the helpers wait for an element to appear.
pub const WAIT: Duration = Duration::from_secs(10);
/// The window: the issue asks for the UI to be usable on a 1366x768 council laptop.
pub const WINDOW: (u32, u32) = (1366, 768);
/// The accessibility standard the pages are held to: WCAG 2.2 A and AA (axe-core's tags).
pub const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

const INSTALL_HINT: &str = "run scripts/test-services.sh install_chromium (apt-get install chromium chromium-driver)";
/// axe-core 4.14.1, vendored from npm (MPL-2.0, licence beside it).
const AXE: &str = include_str!("../fixtures/axe.min.js");

/// Screenshot files written by this test binary: a second writer of one file is an error.
static SCREENSHOTS_TAKEN: LazyLock<Mutex<HashSet<PathBuf>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// A headless Chromium session against the app at `base`.
pub struct Browser {
    // Dropped in this order: the session, then chromedriver's process group, then the TMPDIR.
    client: Client,
    _driver: Driver,
    _tmp: tempfile::TempDir,
    base: String,
    screenshots: PathBuf,
    taken: AtomicU32,
}

impl Browser {
    /// A browser pointed at `app`.
    pub async fn for_app(app: &TestApp) -> anyhow::Result<Self> {
        Self::start(&app.address).await
    }

    /// A browser whose [`goto`](Self::goto) paths are relative to `base` (e.g. `http://127.0.0.1:1234`).
    pub async fn start(base: &str) -> anyhow::Result<Self> {
        let tmp = tempfile::tempdir().context("a TMPDIR for chromedriver and Chromium")?;
        let driver = Driver::start(tmp.path()).await?;
        let chromium = find_on_path("chromium").ok_or_else(|| anyhow!("chromium not found on PATH: {INSTALL_HINT}"))?;
        let caps = json!({ "browserName": "chrome", "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--lang=en-GB", format!("--window-size={},{}", WINDOW.0, WINDOW.1),
                     format!("--user-data-dir={}", tmp.path().join("profile").display())] } });
        let caps = caps.as_object().cloned().unwrap_or_default();
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&driver.url)
            .await
            .with_context(|| format!("starting a Chromium session through chromedriver at {}", driver.url))?;
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(Duration::from_secs(30)),
                Some(Duration::from_secs(30)),
                Some(Duration::ZERO), // the helpers wait explicitly
            ))
            .await
            .context("setting the WebDriver timeouts")?;
        Ok(Self {
            client,
            _driver: driver,
            _tmp: tmp,
            base: base.trim_end_matches('/').to_owned(),
            screenshots: screenshot_dir(),
            taken: AtomicU32::new(0),
        })
    }

    /// The fantoccini client, for anything the helpers don't cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Open `path` (e.g. `/signin`) on the app; returns once the page has loaded.
    pub async fn goto(&self, path: &str) -> anyhow::Result<()> {
        let url = format!("{}{path}", self.base);
        self.client.goto(&url).await.with_context(|| format!("opening {url}"))
    }

    /// Wait up to [`WAIT`] for an element matching `css` and return it.
    pub async fn wait_for(&self, css: &str) -> anyhow::Result<Element> {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(element) => Ok(element),
            Err(e) => {
                let at = self.current_path().await.unwrap_or_else(|_| "?".to_owned());
                Err(anyhow!(e).context(format!("no element matches `{css}` on {at} after {} s", WAIT.as_secs())))
            }
        }
    }

    /// Replace the value of the field matching `css` with `text`, as typed.
    pub async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let field = self.wait_for(css).await?;
        field.clear().await.with_context(|| format!("clearing `{css}`"))?;
        field.send_keys(text).await.with_context(|| format!("typing into `{css}`"))
    }

    /// Click the element matching `css` (a navigation it starts has loaded when this returns).
    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.wait_for(css).await?.click().await.with_context(|| format!("clicking `{css}`"))
    }

    /// Choose the option with `value` in the `<select>` matching `css`.
    pub async fn select(&self, css: &str, value: &str) -> anyhow::Result<()> {
        self.wait_for(css).await?.select_by_value(value).await.with_context(|| format!("choosing {value:?} in `{css}`"))
    }

    /// The rendered text of the element matching `css`.
    pub async fn text(&self, css: &str) -> anyhow::Result<String> {
        self.wait_for(css).await?.text().await.with_context(|| format!("reading the text of `{css}`"))
    }

    /// The page's `<title>`.
    pub async fn title(&self) -> anyhow::Result<String> {
        self.client.title().await.context("reading the page title")
    }

    /// The current URL's path, e.g. `/work` (without the query: see [`current_query`](Self::current_query)).
    pub async fn current_path(&self) -> anyhow::Result<String> {
        Ok(self.client.current_url().await.context("reading the current URL")?.path().to_owned())
    }

    /// The current URL's query string without the `?`, if it has one.
    pub async fn current_query(&self) -> anyhow::Result<Option<String>> {
        Ok(self.client.current_url().await.context("reading the current URL")?.query().map(str::to_owned))
    }

    /// Press and release one key, sent to whatever has focus (a keyboard shortcut): a character
    /// such as `'/'` or `'j'`, or a [`Key`] such as `Key::Enter`, `Key::Escape`, `Key::Tab`.
    pub async fn press_key(&self, key: impl Into<char>) -> anyhow::Result<()> {
        self.press_chord(&[key.into()]).await
    }

    /// Hold the keys down in order, then release them in reverse: e.g.
    /// `press_chord(&[Key::Control.into(), 'k'])` for Ctrl+K, `&[Key::Shift.into(), Key::Tab.into()]`.
    pub async fn press_chord(&self, keys: &[char]) -> anyhow::Result<()> {
        let mut actions = KeyActions::new("keyboard".to_owned());
        for &value in keys {
            actions = actions.then(KeyAction::Down { value });
        }
        for &value in keys.iter().rev() {
            actions = actions.then(KeyAction::Up { value });
        }
        self.client.perform_actions(actions).await.with_context(|| format!("pressing {}", describe_keys(keys)))?;
        self.client.release_actions().await.context("releasing the keys")
    }

    /// Whether the element matching `css` has the keyboard focus.
    pub async fn is_focused(&self, css: &str) -> anyhow::Result<bool> {
        let focused = self
            .client
            .execute(
                "return document.activeElement !== null && document.activeElement.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .with_context(|| format!("checking whether `{css}` has the focus"))?;
        Ok(focused == Value::Bool(true))
    }

    /// Run axe-core on the current page against WCAG 2.2 A/AA ([`WCAG_TAGS`]) and panic with
    /// every violation (rule, impact, elements, help) if there is any. `page_name` names the
    /// page in the message.
    pub async fn assert_accessible(&self, page_name: &str) -> anyhow::Result<()> {
        let violations = self.axe_violations().await?;
        let Some(list) = violations.as_array() else {
            bail!("axe-core on {page_name} answered {violations}");
        };
        if list.is_empty() {
            return Ok(());
        }
        let path = self.current_path().await.unwrap_or_else(|_| "?".to_owned());
        let mut report = format!("{page_name} ({path}) fails WCAG 2.2 AA: {} axe-core violation(s)\n", list.len());
        for v in list {
            let targets: Vec<&str> =
                v["targets"].as_array().map(|t| t.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            report.push_str(&format!(
                "  - {} ({}): {}\n      on: {}\n      see {}\n",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("no impact given"),
                v["help"].as_str().unwrap_or("?"),
                targets.join(" | "),
                v["helpUrl"].as_str().unwrap_or("?"),
            ));
        }
        panic!("{report}");
    }

    /// axe-core's violations on the current page as JSON: `[{id, impact, help, helpUrl, targets}]`.
    pub async fn axe_violations(&self) -> anyhow::Result<Value> {
        // A navigation drops the script: inject it again when the page hasn't got it.
        let loaded = self.client.execute("return typeof window.axe === 'object';", vec![]).await?;
        if loaded != Value::Bool(true) {
            self.client.execute(AXE, vec![]).await.context("injecting axe-core")?;
        }
        let options = json!({ "runOnly": { "type": "tag", "values": WCAG_TAGS }, "resultTypes": ["violations"] });
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, arguments[0])
                   .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                         helpUrl: v.helpUrl, targets: v.nodes.map(n => n.target.join(' ')) }))))
                   .catch(e => done({ error: String(e) }));",
                vec![options],
            )
            .await
            .context("running axe-core")?;
        if let Some(error) = result.get("error") {
            bail!("axe-core failed: {error}");
        }
        Ok(result)
    }

    /// Save what the 1366x768 window shows as `<dir>/<backend>/<NN>-<page_name>.png` and
    /// return the file's path.
    pub async fn screenshot(&self, page_name: &str) -> anyhow::Result<PathBuf> {
        let png = self.client.screenshot().await.with_context(|| format!("taking a screenshot of {page_name}"))?;
        let n = self.taken.fetch_add(1, Ordering::Relaxed) + 1;
        let dir = self.screenshots.join(backend());
        let file = dir.join(format!("{n:02}-{}.png", file_name(page_name)));
        let fresh = SCREENSHOTS_TAKEN.lock().unwrap_or_else(PoisonError::into_inner).insert(file.clone());
        if !fresh {
            bail!(
                "{} was already written by another browser in this run: give the page `{page_name}` a name no other journey uses",
                file.display()
            );
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(&file, png).with_context(|| format!("writing {}", file.display()))?;
        Ok(file)
    }

    /// The check every page of a journey gets: [`assert_accessible`](Self::assert_accessible)
    /// then [`screenshot`](Self::screenshot).
    pub async fn page(&self, page_name: &str) -> anyhow::Result<PathBuf> {
        self.assert_accessible(page_name).await?;
        self.screenshot(page_name).await
    }

    /// End the session (Chromium quits); chromedriver goes when the `Browser` is dropped.
    pub async fn close(self) -> anyhow::Result<()> {
        self.client.close().await.context("closing the WebDriver session")
    }
}

/// chromedriver in its own process group: dropping it kills the group, Chromium included
/// (killing chromedriver alone leaves the browser running).
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(tmp: &Path) -> anyhow::Result<Self> {
        let mut child = Command::new("chromedriver")
            .arg("--port=0")
            .process_group(0)
            // A killed Chromium leaves org.chromium.Chromium.* directories in TMPDIR.
            .env("TMPDIR", tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => anyhow!("chromedriver not found: {INSTALL_HINT}"),
                _ => anyhow!(e).context("starting chromedriver"),
            })?;
        let stdout = child.stdout.take().context("chromedriver's stdout")?;
        let mut driver = Self { child, url: String::new() };
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(port) = line.strip_prefix("ChromeDriver was started successfully on port ") {
                    return Ok(Some(port.trim_end_matches('.').to_owned()));
                }
            }
            Ok::<_, std::io::Error>(None)
        })
        .await;
        match ready {
            Ok(Ok(Some(port))) => {
                // Keep reading, so that chromedriver never blocks on a full pipe.
                tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
                driver.url = format!("http://127.0.0.1:{port}");
                Ok(driver)
            }
            Ok(Ok(None)) => bail!("chromedriver exited before it was ready ({:?})", driver.child.try_wait()),
            Ok(Err(e)) => Err(anyhow!(e).context("reading chromedriver's output")),
            Err(_) => bail!("chromedriver did not say it was ready within 30 s"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(program)).find(|path| path.is_file())
}

/// `$TEST_SCREENSHOTS`, else `<workspace root>/target/screenshots`.
fn screenshot_dir() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf();
    match std::env::var_os("TEST_SCREENSHOTS").filter(|dir| !dir.is_empty()) {
        Some(dir) => root.join(dir), // an absolute `dir` replaces `root`
        None => root.join("target").join("screenshots"),
    }
}

/// The backend the harness runs the app on (see `TestApp`).
fn backend() -> &'static str {
    if std::env::var(POSTGRES_ENV).is_ok() { "postgres" } else { "sqlite" }
}

/// `page_name` as a file name: letters, digits, `-` and `_`; anything else becomes `-`.
fn file_name(page_name: &str) -> String {
    page_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

fn describe_keys(keys: &[char]) -> String {
    keys.iter().map(|k| format!("U+{:04X}", u32::from(*k))).collect::<Vec<_>>().join("+")
}
