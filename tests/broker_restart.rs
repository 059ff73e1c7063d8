//! RabbitMQ stopped and started while scans arrive: intake goes on, the service reconnects and
//! re-declares its topology, and every letter ends as exactly one work item. Needs RabbitMQ
//! (`TEST_AMQP_URL`) and `rabbitmqctl` on this machine; CI runs it with `--include-ignored`.

use std::{process::Command, time::Duration};

use postroom_domain::Role;
use postroom_e2e::TestApp;

/// Starts the broker again even when the test fails half-way.
struct RestartGuard;

impl Drop for RestartGuard {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").args(["-q", "start_app"]).status();
    }
}

fn rabbitmqctl(args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("rabbitmqctl").args(args).status()?;
    anyhow::ensure!(status.success(), "rabbitmqctl {args:?} failed");
    Ok(())
}

#[tokio::test]
#[ignore = "stops the machine's RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn a_broker_restart_mid_stream_loses_and_duplicates_nothing() -> anyhow::Result<()> {
    TestApp::amqp_url()?;
    let app = TestApp::spawn().await?;
    let token = app.token("pat", Role::PostRoom)?;
    let mut letters = app.post_many_scans(&token, 500, 8, "before").await?;

    let guard = RestartGuard;
    rabbitmqctl(&["-q", "stop_app"])?;
    // The API keeps accepting intake; readiness says the broker is down but stays 200.
    letters.extend(app.post_many_scans(&token, 200, 8, "while down").await?);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let ready: serde_json::Value = app.client.get(app.url("/readyz")).send().await?.json().await?;
        if ready["broker"] == "unavailable" {
            assert_eq!(ready["status"], "degraded");
            assert!(ready["outbox_pending"].as_u64().unwrap_or_default() > 0, "{ready}");
            break;
        }
        anyhow::ensure!(std::time::Instant::now() < deadline, "readyz never reported the broker down: {ready}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    rabbitmqctl(&["-q", "start_app"])?;
    drop(guard);

    letters.extend(app.post_many_scans(&token, 300, 8, "after").await?);
    assert_eq!(letters.len(), 1000);
    let items = app.all_work_items(&token).await?;
    assert_eq!(items.len(), letters.len(), "exactly one item per letter");
    let unique: std::collections::HashSet<_> = items.iter().map(|i| i["correspondence_id"].to_string()).collect();
    assert_eq!(unique.len(), letters.len(), "no letter has two items");
    let ready: serde_json::Value = app.client.get(app.url("/readyz")).send().await?.json().await?;
    assert_eq!(ready["broker"], "ok", "the service reconnected: {ready}");
    Ok(())
}
