//! The `postroom` binary as an operator uses it: token, config, migrate, serve and SIGTERM.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn postroom(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_postroom"));
    cmd.current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("POSTROOM_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("POSTROOM_WORKFLOWS__DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/../../workflows"));
    cmd
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
    let mut child = postroom(dir.path())
        .arg("serve")
        .env("POSTROOM_SERVER__BIND", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().expect("stderr is piped");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut address = None;
    while address.is_none() && Instant::now() < deadline {
        let Some(line) = lines.next() else { break };
        let line = line?;
        if line.contains("postroom listening") {
            address = line.split("address=").nth(1).map(|a| a.split_whitespace().next().unwrap_or_default().to_owned());
        }
    }
    let address = address.expect("serve logs the address it listens on");
    let health = std::net::TcpStream::connect(&address).map(|_| ());
    assert!(health.is_ok(), "nothing listens on {address}");
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status()?;
    assert!(status.success());
    let mut stopped = false;
    for line in lines.map_while(Result::ok) {
        stopped |= line.contains("postroom stopped");
    }
    let exit = child.wait()?;
    assert!(exit.success(), "exit status {exit}");
    assert!(stopped, "the service logs a clean stop");
    Ok(())
}
