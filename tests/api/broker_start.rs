//! Start-up with RabbitMQ configured: a broker that is away leaves the service degraded (intake
//! goes on, events wait in the outbox, `/readyz` says so) instead of stopping it; a broker that
//! refuses Postroom, or a URL that does not parse, still stops start-up. The tests marked
//! `ignore` need RabbitMQ (`TEST_AMQP_URL`); CI runs them with `--include-ignored`.

use std::time::Duration;

use postroom::ServeRole;
use postroom_config::SecretString;
use postroom_domain::Role;
use postroom_e2e::TestApp;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// A local port nothing listens on (bound, then released).
async fn closed_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    Ok(listener.local_addr()?.port())
}

/// `url` pointing at `127.0.0.1:port`, credentials and vhost kept.
fn at_port(url: &str, port: u16) -> anyhow::Result<String> {
    let mut url = url::Url::parse(url)?;
    url.set_host(Some("127.0.0.1"))?;
    url.set_port(Some(port)).map_err(|()| anyhow::anyhow!("{url} cannot take a port"))?;
    Ok(url.to_string())
}

fn email(message_id: &str) -> Vec<u8> {
    format!(
        "From: Jane Citizen <jane.citizen@example.com>\r\nTo: revenues@council.example\r\n\
         Subject: Change of address\r\nMessage-ID: <{message_id}@example.com>\r\nDate: {}\r\n\r\n\
         I have moved out of 12 High Street. Please close my Council Tax account.\r\n",
        chrono::Utc::now().to_rfc2822()
    )
    .into_bytes()
}

async fn post_email(app: &TestApp, raw: Vec<u8>) -> anyhow::Result<reqwest::Response> {
    let gateway = app.token("mail-gateway", Role::Service)?;
    Ok(app
        .client
        .post(app.url("/api/v1/intake/emails"))
        .bearer_auth(gateway)
        .header("content-type", "message/rfc822")
        .body(raw)
        .send()
        .await?)
}

async fn readyz(app: &TestApp) -> anyhow::Result<(u16, serde_json::Value)> {
    let resp = app.client.get(app.url("/readyz")).send().await?;
    Ok((resp.status().as_u16(), resp.json().await?))
}

/// Outbox events announcing received correspondence that are not yet delivered.
async fn received_events_waiting(app: &TestApp) -> anyhow::Result<u64> {
    use postroom_db::entities::outbox;
    let db = app.database().await?;
    let n = outbox::Entity::find()
        .filter(outbox::Column::EventType.eq("correspondence.received"))
        .filter(outbox::Column::PublishedAt.is_null())
        .count(&db)
        .await?;
    db.close().await?;
    Ok(n)
}

#[tokio::test]
async fn a_broker_down_at_start_up_leaves_the_service_degraded_and_taking_intake() -> anyhow::Result<()> {
    let port = closed_port().await?;
    let mut app = TestApp::spawn_with(ServeRole::All, |s| {
        s.amqp.url = Some(SecretString::from(format!("amqp://guest:guest@127.0.0.1:{port}/%2f")));
    })
    .await?;

    let (status, ready) = readyz(&app).await?;
    assert_eq!(status, 200, "a broker that is away does not make the service unready: {ready}");
    assert_eq!(ready["status"], "degraded", "{ready}");
    assert_eq!(ready["broker"], "unavailable", "{ready}");
    assert_eq!(ready["database"], "ok", "{ready}");

    let resp = post_email(&app, email("degraded-start")).await?;
    assert_eq!(resp.status(), 201, "intake goes on without the broker: {}", resp.text().await?);
    // The event waits in the outbox: nothing can deliver it while the broker is away.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(received_events_waiting(&app).await?, 1);
    let (_, ready) = readyz(&app).await?;
    assert_eq!(ready["outbox_pending"], 1, "{ready}");
    assert_eq!(ready["status"], "degraded", "{ready}");

    // The broker runner, still trying to connect, stops promptly with the service.
    tokio::time::timeout(Duration::from_secs(15), app.stop()).await.map_err(|_| anyhow::anyhow!("stop hung"))??;
    Ok(())
}

#[tokio::test]
async fn an_amqp_url_that_does_not_parse_stops_start_up_without_showing_it() -> anyhow::Result<()> {
    let started = TestApp::spawn_with(ServeRole::All, |s| {
        s.amqp.url = Some(SecretString::from("amqp://postroom:hunter2@mq.internal:99999/%2f"));
    })
    .await;
    let err = format!("{:#}", started.err().expect("a URL that does not parse is a configuration error"));
    assert!(err.contains("amqp.url is not a valid AMQP URL"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    Ok(())
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn a_broker_that_refuses_the_login_stops_start_up() -> anyhow::Result<()> {
    let mut wrong = url::Url::parse(&TestApp::amqp_url()?)?;
    wrong.set_password(Some("not-the-password")).map_err(|()| anyhow::anyhow!("cannot set a password"))?;
    let started =
        TestApp::spawn_with(ServeRole::All, |s| s.amqp.url = Some(SecretString::from(wrong.to_string()))).await;
    let err = format!("{:#}", started.err().expect("a refused login is a configuration error"));
    assert!(err.contains("RabbitMQ at") && err.contains("is not usable"), "{err}");
    assert!(err.contains("ACCESS"), "the broker's refusal is named: {err}");
    assert!(!err.contains("not-the-password"), "{err}");
    Ok(())
}

/// Forwards connections on `listener` to `upstream` until `stop` fires.
async fn forward(listener: TcpListener, upstream: String, stop: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            () = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((mut inbound, _)) = accepted else { return };
        let (upstream, stop) = (upstream.clone(), stop.clone());
        tokio::spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                tokio::select! {
                    () = stop.cancelled() => {}
                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                }
            }
        });
    }
}

#[tokio::test]
#[ignore = "needs RabbitMQ (TEST_AMQP_URL); CI runs it"]
async fn a_service_started_without_its_broker_delivers_once_the_broker_is_reachable() -> anyhow::Result<()> {
    let real = url::Url::parse(&TestApp::amqp_url()?)?;
    let upstream = format!("{}:{}", real.host_str().unwrap_or("127.0.0.1"), real.port().unwrap_or(5672));
    let port = closed_port().await?;
    let proxied = at_port(real.as_str(), port)?;
    let app = TestApp::spawn_with(ServeRole::All, |s| s.amqp.url = Some(SecretString::from(proxied))).await?;
    let token = app.token("pat", Role::PostRoom)?;
    assert_eq!(post_email(&app, email("before-the-broker")).await?.status(), 201);
    assert_eq!(readyz(&app).await?.1["broker"], "unavailable");

    // The broker becomes reachable: the runner connects and the waiting event is delivered.
    let stop = CancellationToken::new();
    let _stop_guard = stop.clone().drop_guard();
    tokio::spawn(forward(TcpListener::bind(("127.0.0.1", port)).await?, upstream, stop));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (_, ready) = readyz(&app).await?;
        if ready["broker"] == "ok" {
            assert_eq!(ready["status"], "ready", "{ready}");
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "never connected: {ready}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.work_items(&token, "").await?.len(), 1, "the email held back is now a work item");
    Ok(())
}
