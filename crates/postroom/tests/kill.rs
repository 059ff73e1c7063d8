//! The service process killed with SIGKILL mid-stream and started again: nothing received is
//! lost and nothing is duplicated. Runs on the embedded default, and on PostgreSQL and RabbitMQ
//! when `TEST_POSTGRES_URL` and `TEST_AMQP_URL` are set.

use std::{
    collections::HashSet,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::StreamExt;
use sea_orm::{ConnectionTrait, Database};

struct Service {
    dir: tempfile::TempDir,
    port: u16,
    env: Vec<(String, String)>,
    prefix: String,
    db_cleanup: Option<(String, String)>,
}

impl Service {
    async fn new() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let prefix = format!("postroom-kill-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let mut env = vec![
            ("POSTROOM_DATA_DIR".to_owned(), dir.path().join("data").display().to_string()),
            ("POSTROOM_SERVER__BIND".to_owned(), format!("127.0.0.1:{port}")),
            ("POSTROOM_WORKERS__OUTBOX_POLL_INTERVAL".to_owned(), "200ms".to_owned()),
        ];
        let mut db_cleanup = None;
        if let Ok(admin) = std::env::var("TEST_POSTGRES_URL") {
            let name = prefix.replace('-', "_");
            let conn = Database::connect(&admin).await?;
            conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            conn.close().await?;
            let mut url = url::Url::parse(&admin)?;
            url.set_path(&format!("/{name}"));
            env.push(("POSTROOM_DATABASE__URL".to_owned(), url.to_string()));
            db_cleanup = Some((admin, name));
        }
        if let Ok(amqp) = std::env::var("TEST_AMQP_URL") {
            env.push(("POSTROOM_AMQP__URL".to_owned(), amqp));
            env.push(("POSTROOM_AMQP__PREFIX".to_owned(), prefix.clone()));
            env.push(("POSTROOM_AMQP__EXCHANGE".to_owned(), format!("{prefix}.events")));
            env.push(("POSTROOM_AMQP__RETRY_DELAYS".to_owned(), "[\"200ms\"]".to_owned()));
        }
        Ok(Self { dir, port, env, prefix, db_cleanup })
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_postroom"));
        cmd.current_dir(self.dir.path());
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("POSTROOM_")) {
            cmd.env_remove(key);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    async fn start(&self) -> anyhow::Result<Child> {
        let child = self.command().arg("serve").stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while reqwest::get(self.url("/healthz")).await.is_err() {
            anyhow::ensure!(Instant::now() < deadline, "the service did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(child)
    }

    fn token(&self) -> anyhow::Result<String> {
        let out = self.command().args(["token", "--user", "pat", "--role", "post_room"]).output()?;
        anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        Ok(String::from_utf8(out.stdout)?.trim().to_owned())
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let db = self.db_cleanup.take();
        let amqp = std::env::var("TEST_AMQP_URL").ok();
        let prefix = self.prefix.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                if let Some((admin, name)) = db
                    && let Ok(conn) = Database::connect(&admin).await
                {
                    let _ = conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
                }
                if let Some(url) = amqp
                    && let Ok(conn) = lapin::Connection::connect(&url, lapin::ConnectionProperties::default()).await
                    && let Ok(ch) = conn.create_channel().await
                {
                    let mut queues = vec![format!("{prefix}.dead-letters"), format!("{prefix}.backoffice")];
                    for q in ["intake", "ocr", "send"] {
                        queues.push(format!("{prefix}.{q}"));
                        queues.push(format!("{prefix}.{q}.retry.200ms"));
                    }
                    for q in queues {
                        let _ = ch.queue_delete(q.as_str().into(), lapin::options::QueueDeleteOptions::default()).await;
                    }
                    for x in [format!("{prefix}.events"), format!("{prefix}.dead-letter")] {
                        let _ = ch
                            .exchange_delete(x.as_str().into(), lapin::options::ExchangeDeleteOptions::default())
                            .await;
                    }
                }
            });
        })
        .join();
    }
}

fn pdf(i: usize) -> Vec<u8> {
    format!("%PDF-1.4\n% letter {i}\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n").into_bytes()
}

/// Posts letters `range`; returns (index, correspondence id) for each accepted one.
async fn post(service: &Service, token: &str, letters: Vec<usize>, accepted: Arc<Mutex<Vec<(usize, String)>>>) {
    let client = reqwest::Client::new();
    futures::stream::iter(letters)
        .for_each_concurrent(8, |i| {
            let (client, accepted) = (client.clone(), accepted.clone());
            async move {
                let form = reqwest::multipart::Form::new()
                    .part("file", reqwest::multipart::Part::bytes(pdf(i)).file_name(format!("{i}.pdf")));
                let Ok(resp) =
                    client.post(service.url("/api/v1/intake/scans")).bearer_auth(token).multipart(form).send().await
                else {
                    return;
                };
                if resp.status().is_success()
                    && let Ok(body) = resp.json::<serde_json::Value>().await
                    && let Some(id) = body["items"][0]["correspondence_id"].as_str()
                    && let Ok(mut a) = accepted.lock()
                {
                    a.push((i, id.to_owned()));
                }
            }
        })
        .await;
}

#[tokio::test]
async fn a_service_killed_mid_stream_loses_and_duplicates_nothing() -> anyhow::Result<()> {
    const LETTERS: usize = 1000;
    let service = Service::new().await?;
    let mut child = service.start().await?;
    let token = service.token()?;
    let accepted = Arc::new(Mutex::new(Vec::new()));

    // Kill the process with SIGKILL while uploads and event handling are in full flow.
    let uploading = post(&service, &token, (0..LETTERS).collect(), accepted.clone());
    let killer = async {
        loop {
            let n = accepted.lock().map(|a| a.len()).unwrap_or_default();
            if n >= LETTERS / 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill()
    };
    let (_, killed) = tokio::join!(uploading, killer);
    killed?;
    child.wait()?;

    // Start again; the uploader re-sends whatever got no answer (a letter that was recorded just
    // before the kill comes back as a duplicate with its first id).
    let mut child = service.start().await?;
    let unanswered = || -> Vec<usize> {
        let answered: HashSet<usize> = accepted.lock().map(|a| a.iter().map(|(i, _)| *i).collect()).unwrap_or_default();
        (0..LETTERS).filter(|i| !answered.contains(i)).collect()
    };
    assert!(!unanswered().is_empty(), "the kill should have cut some uploads short");
    // On a busy machine a re-sent upload can still go unanswered (an error or a dropped connection
    // while the restarted service catches up): it is sent again, as a gateway would, until every
    // letter has an answer.
    for _ in 0..5 {
        let missing = unanswered();
        if missing.is_empty() {
            break;
        }
        post(&service, &token, missing, accepted.clone()).await;
    }
    let ids: HashSet<String> =
        accepted.lock().map(|a| a.iter().map(|(_, id)| id.clone()).collect()).unwrap_or_default();
    assert_eq!(ids.len(), LETTERS, "every letter was recorded exactly once");

    // Every letter ends as exactly one work item.
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    // Items are still being classified (and so reordered) while the pages are read: the list is
    // read until two reads in a row agree.
    let mut previous: Option<Vec<String>> = None;
    let items = loop {
        let mut items = Vec::new();
        loop {
            let page: serde_json::Value = client
                .get(service.url(&format!("/api/v1/work-items?limit=500&offset={}", items.len())))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            let batch = page["items"].as_array().cloned().unwrap_or_default();
            if batch.is_empty() {
                break;
            }
            items.extend(batch);
        }
        let mut snapshot: Vec<String> = items.iter().map(|i| i.to_string()).collect();
        snapshot.sort();
        let settled = previous.as_ref() == Some(&snapshot);
        if (items.len() >= LETTERS && settled) || Instant::now() > deadline {
            break items;
        }
        previous = Some(snapshot);
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let per_letter: HashSet<String> =
        items.iter().filter_map(|i| i["correspondence_id"].as_str().map(str::to_owned)).collect();
    assert_eq!(items.len(), LETTERS, "no item lost and none duplicated");
    assert_eq!(per_letter, ids);
    child.kill()?;
    child.wait()?;
    Ok(())
}
