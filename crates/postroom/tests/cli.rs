//! The `postroom` binary as an operator uses it: token, config, migrate, serve and SIGTERM, and
//! the workflow catalogue it serves (built in, extended or replaced by `workflows.dir`).

use std::{
    io::{BufRead, BufReader, Lines},
    path::Path,
    process::{Child, ChildStderr, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;

fn postroom(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_postroom"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("POSTROOM_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// A `postroom serve` child, up and listening.
struct Served {
    child: Child,
    address: String,
    lines: Lines<BufReader<ChildStderr>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve` from `cmd` on a free port and waits until it logs the address it listens on.
fn serve(mut cmd: Command) -> anyhow::Result<Served> {
    let mut child = cmd
        .arg("serve")
        .env("POSTROOM_SERVER__BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().context("stderr is piped")?;
    let mut served = Served { child, address: String::new(), lines: BufReader::new(stderr).lines() };
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    while served.address.is_empty() && Instant::now() < deadline {
        let Some(line) = served.lines.next() else { break };
        let line = line?;
        if line.contains("postroom listening") {
            served.address = line
                .split("address=")
                .nth(1)
                .map(|a| a.split_whitespace().next().unwrap_or_default().to_owned())
                .unwrap_or_default();
        }
        seen.push(line);
    }
    anyhow::ensure!(!served.address.is_empty(), "serve did not start:\n{}", seen.join("\n"));
    Ok(served)
}

/// Runs `serve` from `cmd` expecting it to stop at start-up; its stderr.
fn serve_fails(mut cmd: Command) -> anyhow::Result<String> {
    let out = cmd.arg("serve").env("POSTROOM_SERVER__BIND", "127.0.0.1:0").output()?;
    anyhow::ensure!(!out.status.success(), "serve started: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stderr)?)
}

/// A bearer token from `postroom token` run in `dir` (the key is kept in its data directory).
fn token(dir: &Path) -> anyhow::Result<String> {
    let out = postroom(dir).args(["token", "--user", "tess", "--role", "team_leader"]).output()?;
    anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// `GET /api/v1/workflows` from a served binary: (id, title) of each workflow.
fn workflows(served: &Served, token: &str) -> anyhow::Result<Vec<(String, String)>> {
    let url = format!("http://{}/api/v1/workflows", served.address);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let list: serde_json::Value = runtime.block_on(async {
        let resp = reqwest::Client::new().get(&url).bearer_auth(token).send().await?.error_for_status()?;
        resp.json().await
    })?;
    let list = list.as_array().context("a JSON array")?;
    Ok(list
        .iter()
        .map(|w| (w["id"].as_str().unwrap_or_default().to_owned(), w["title"].as_str().unwrap_or_default().to_owned()))
        .collect())
}

/// The ids of the shipped workflows: the file names in the repository's `workflows/`.
fn shipped_ids() -> anyhow::Result<Vec<String>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows");
    let mut ids: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".toml")).map(str::to_owned))
        .filter(|id| id != "escalation" && id != "safeguarding")
        .collect();
    ids.sort();
    Ok(ids)
}

/// A council's workflow directory: `ct-refund` retitled and a workflow of its own.
fn council_workflows(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir.join("templates"))?;
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/ct-refund.toml"))?;
    std::fs::write(dir.join("ct-refund.toml"), shipped.replace("Council Tax: refund", "Refunds (Northby)"))?;
    std::fs::write(
        dir.join("ct-garden-waste.toml"),
        "id = \"ct-garden-waste\"\ntitle = \"Garden waste subscription\"\nservice = \"cross\"\n\
         queue = \"ct-enquiries\"\npriority = \"P4\"\ntemplates = [\"garden-waste\"]\n[target]\nworking_days = 10\n\
         [match]\nkeywords = [\"brown bin\"]\n",
    )?;
    let template = "Subject: Your brown bin subscription — {{ item.reference }}\n\nDear {{ account.name if account else \"Sir or Madam\" }},\n";
    std::fs::write(dir.join("templates/garden-waste.email.j2"), template)?;
    std::fs::write(dir.join("templates/garden-waste.letter.j2"), template)?;
    Ok(())
}

#[test]
fn serve_from_an_empty_directory_serves_the_built_in_catalogue() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let token = token(dir.path())?;
    let served = serve(postroom(dir.path()))?;
    let mut ids: Vec<String> = workflows(&served, &token)?.into_iter().map(|(id, _)| id).collect();
    ids.sort();
    assert_eq!(ids, shipped_ids()?);
    assert_eq!(ids.len(), 49);
    assert!(!dir.path().join("workflows").exists());
    Ok(())
}

#[test]
fn workflows_dir_extends_the_built_in_catalogue() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    council_workflows(&dir.path().join("council"))?;
    let token = token(dir.path())?;
    let mut cmd = postroom(dir.path());
    cmd.env("POSTROOM_WORKFLOWS__DIR", "council");
    let served = serve(cmd)?;
    let list = workflows(&served, &token)?;
    assert_eq!(list.len(), shipped_ids()?.len() + 1);
    let title = |id: &str| list.iter().find(|(i, _)| i == id).map(|(_, t)| t.as_str());
    assert_eq!(title("ct-refund"), Some("Refunds (Northby)"), "the council's file replaces the built-in one");
    assert_eq!(title("ct-garden-waste"), Some("Garden waste subscription"), "and adds its own");
    assert_eq!(title("ct-moving-out"), Some("Council Tax: moving out, forwarding address"), "the rest stay");
    Ok(())
}

#[test]
fn workflows_dir_in_replace_mode_is_the_whole_catalogue() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let council = dir.path().join("council");
    council_workflows(&council)?;
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows/triage.toml"), council.join("triage.toml"))?;
    for variant in ["email", "letter"] {
        std::fs::copy(
            format!("{}/../../workflows/templates/refund-issued.{variant}.j2", env!("CARGO_MANIFEST_DIR")),
            council.join(format!("templates/refund-issued.{variant}.j2")),
        )?;
    }
    std::fs::write(dir.path().join("postroom.toml"), "[workflows]\ndir = \"council\"\nmode = \"replace\"\n")?;
    let token = token(dir.path())?;
    let served = serve(postroom(dir.path()))?;
    let ids: Vec<String> = workflows(&served, &token)?.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, ["ct-garden-waste", "ct-refund", "triage"]);
    Ok(())
}

#[test]
fn a_bad_workflow_override_stops_serve_naming_the_file_key_and_reason() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let council = dir.path().join("council");
    council_workflows(&council)?;
    let refund = std::fs::read_to_string(council.join("ct-refund.toml"))?;
    std::fs::write(council.join("ct-refund.toml"), refund.replace("queue = ", "queueue = \"x\"\nqueue = "))?;
    let mut cmd = postroom(dir.path());
    cmd.env("POSTROOM_WORKFLOWS__DIR", "council");
    let err = serve_fails(cmd)?;
    assert!(err.contains("workflows.dir = council (workflows.mode = extend) is not usable"), "{err}");
    assert!(err.contains("council/ct-refund.toml: unknown field `queueue`"), "{err}");
    // In replace mode the same directory is the whole catalogue, and it has no triage workflow.
    let mut cmd = postroom(dir.path());
    cmd.env("POSTROOM_WORKFLOWS__DIR", "council").env("POSTROOM_WORKFLOWS__MODE", "replace");
    let err = serve_fails(cmd)?;
    assert!(err.contains("no workflow has id \"triage\""), "{err}");
    let missing = serve_fails({
        let mut cmd = postroom(dir.path());
        cmd.env("POSTROOM_WORKFLOWS__DIR", "nowhere");
        cmd
    })?;
    assert!(missing.contains("nowhere: cannot be read"), "{missing}");
    Ok(())
}

#[test]
fn a_template_reading_an_unknown_merge_field_stops_serve_naming_the_file_and_field() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let council = dir.path().join("council");
    council_workflows(&council)?;
    let email = council.join("templates/garden-waste.email.j2");
    let text = std::fs::read_to_string(&email)?;
    std::fs::write(&email, format!("{text}\nYou owe {{{{ amount }}}}.\n"))?;
    let mut cmd = postroom(dir.path());
    cmd.env("POSTROOM_WORKFLOWS__DIR", "council");
    let err = serve_fails(cmd)?;
    assert!(err.contains("the reply templates of workflows.dir = council are not usable"), "{err}");
    assert!(
        err.contains("council/templates/garden-waste.email.j2: unknown merge field \"amount\" (known: account, "),
        "{err}"
    );
    assert_eq!(err.matches("unknown merge field").count(), 1, "only the bad template is named: {err}");
    Ok(())
}

#[test]
fn serve_help_says_what_serve_runs() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let out = postroom(dir.path()).args(["serve", "--help"]).output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let help = String::from_utf8(out.stdout)?;
    for expected in [
        "/api/v1",
        "/healthz and /readyz",
        "RabbitMQ",
        "classify",
        "IMAP",
        "built into this binary",
        "workflows.dir extends or replaces it",
        "POSTROOM_*",
        "api:",
        "worker:",
        "all:",
        "the web UI at /",
        "postroom user add",
    ] {
        assert!(help.contains(expected), "{expected:?} not in:\n{help}");
    }
    Ok(())
}

#[test]
fn token_prints_a_jwt_and_keeps_the_key_in_the_data_directory() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let out = postroom(dir.path()).args(["token", "--user", "pat", "--role", "post_room"]).output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout)?;
    assert_eq!(token.trim().split('.').count(), 3, "{token}");
    assert!(dir.path().join("postroom-data/auth/token.key").exists());
    let bad = postroom(dir.path()).args(["token", "--user", "pat", "--role", "root"]).output()?;
    assert!(!bad.status.success());
    Ok(())
}

#[test]
fn unknown_configuration_keys_stop_the_binary_with_the_key_named() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("postroom.toml"), "[server]\nbnid = \"0.0.0.0:1\"\n")?;
    let out = postroom(dir.path()).arg("config").output()?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bnid") && err.contains("postroom.toml"), "{err}");
    Ok(())
}

#[test]
fn config_prints_the_effective_configuration_without_secrets() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let out = postroom(dir.path())
        .arg("config")
        .env("POSTROOM_DATABASE__URL", "postgres://u:hunter2@db/x")
        .env("POSTROOM_AUTH__SIGNING_KEY", "a-very-long-signing-key-of-32-chars!")
        .output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout)?;
    assert!(text.contains("[server]") && text.contains("REDACTED"), "{text}");
    assert!(!text.contains("hunter2") && !text.contains("a-very-long"), "{text}");
    Ok(())
}

#[test]
fn migrate_applies_then_reverts_on_request() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let up = postroom(dir.path()).arg("migrate").output()?;
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let text = String::from_utf8(up.stdout)?;
    assert!(text.lines().count() >= 4 && text.lines().all(|l| l.starts_with("applied ")), "{text}");
    let down = postroom(dir.path()).args(["migrate", "--down", "1"]).output()?;
    let text = String::from_utf8(down.stdout)?;
    assert_eq!(text.lines().filter(|l| l.starts_with("pending ")).count(), 1, "{text}");
    Ok(())
}

#[cfg(unix)]
#[test]
fn serve_answers_and_stops_cleanly_on_sigterm() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut served = serve(postroom(dir.path()))?;
    let health = std::net::TcpStream::connect(&served.address).map(|_| ());
    assert!(health.is_ok(), "nothing listens on {}", served.address);
    let status = Command::new("kill").args(["-TERM", &served.child.id().to_string()]).status()?;
    assert!(status.success());
    let mut stopped = false;
    for line in served.lines.by_ref().map_while(Result::ok) {
        stopped |= line.contains("postroom stopped");
    }
    let exit = served.child.wait()?;
    assert!(exit.success(), "exit status {exit}");
    assert!(stopped, "the service logs a clean stop");
    Ok(())
}

/// The `POSTROOM_*` settings `docker/` gives the service: compose's `environment` (commented
/// examples included) and the Dockerfile's `ENV`, as (name, value).
fn docker_settings() -> anyhow::Result<Vec<(String, String)>> {
    let docker = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docker");
    let mut found = Vec::new();
    for line in std::fs::read_to_string(format!("{docker}/compose.yaml"))?.lines() {
        let line = line.trim().trim_start_matches('#').trim();
        if let Some((name, value)) = line.split_once(": ")
            && name.starts_with("POSTROOM_")
        {
            let value = value.split(" #").next().unwrap_or_default().trim().trim_matches('"');
            let value =
                if value.starts_with("${POSTROOM_AUTH__SIGNING_KEY") { "k".repeat(40) } else { value.to_owned() };
            found.push((name.to_owned(), value));
        }
    }
    for line in std::fs::read_to_string(format!("{docker}/Dockerfile"))?.lines() {
        let line = line.trim().trim_start_matches("ENV ").trim_end_matches('\\').trim();
        if let Some((name, value)) = line.split_once('=')
            && name.starts_with("POSTROOM_")
        {
            found.push((name.to_owned(), value.to_owned()));
        }
    }
    Ok(found)
}

#[test]
fn docker_files_name_only_real_settings() -> anyhow::Result<()> {
    let settings = docker_settings()?;
    let names: Vec<&str> = settings.iter().map(|(n, _)| n.as_str()).collect();
    for expected in ["POSTROOM_DATABASE__URL", "POSTROOM_AMQP__URL", "POSTROOM_STORAGE__URL", "POSTROOM_DATA_DIR"] {
        assert!(names.contains(&expected), "{expected} not in docker/: {names:?}");
    }
    let dir = tempfile::tempdir()?;
    let out = postroom(dir.path()).arg("config").envs(settings.iter().map(|(n, v)| (n, v))).output()?;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "docker/ names a setting Postroom does not have: {err}");
    let config: toml::Value = toml::from_str(&String::from_utf8(out.stdout)?)?;
    assert_eq!(config["data_dir"].as_str(), Some("/var/lib/postroom"));
    assert_eq!(config["server"]["bind"].as_str(), Some("0.0.0.0:8080"));
    assert_eq!(config["amqp"]["url"].as_str(), Some("[REDACTED]"), "compose sends events through RabbitMQ");
    assert_eq!(config["storage"]["url"].as_str(), Some("s3://postroom"));
    assert_eq!(config["workflows"]["dir"].as_str(), Some("/etc/postroom/workflows"), "the commented example");
    Ok(())
}

#[test]
fn compose_publishes_ports_on_loopback_only() -> anyhow::Result<()> {
    let compose = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docker/compose.yaml"))?;
    let mut in_ports = false;
    let mut published = Vec::new();
    for line in compose.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
        if line == "ports:" {
            in_ports = true;
        } else if in_ports && let Some(port) = line.strip_prefix("- ") {
            published.push(port.split(" #").next().unwrap_or_default().trim().trim_matches('"').to_owned());
        } else {
            in_ports = false;
        }
    }
    assert!(published.contains(&"127.0.0.1:8080:8080".to_owned()), "{published:?}");
    for port in &published {
        assert!(port.starts_with("127.0.0.1:"), "{port} is published on every interface");
    }
    Ok(())
}
