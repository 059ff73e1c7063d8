//! The broker session supervisor: connect, declare, publish and consume; on any failure
//! (broker restart, dropped connection, cancelled consumer) report the broker down, wait with a
//! growing delay, and start a fresh session. Messages are acked only after commit, so whatever
//! was in hand when a session died is delivered again and the idempotent handlers skip it.

use std::{sync::Arc, time::Duration};

use anyhow::Context;
use lapin::{Connection, ConnectionProperties, types::LongString};
use sea_orm::DatabaseConnection;
use tokio::{
    sync::{Notify, watch},
    task::JoinSet,
};
use tokio_util::sync::CancellationToken;

use super::{
    ForeignQueue, RetryPolicy, WORK_QUEUES,
    consumer::{Consumer, Work},
    publisher::Publisher,
    topology::Topology,
};
use crate::Dispatcher;

/// How to reach and use the broker.
#[derive(Clone)]
pub struct BrokerSettings {
    /// `amqp://…` (a secret: it may carry a password).
    pub url: String,
    /// Shown in the broker's connection list.
    pub connection_name: String,
    pub topology: Topology,
    pub prefetch: u16,
    pub publish_window: u64,
    pub poll_interval: Duration,
    pub retry: RetryPolicy,
    pub reconnect_max_delay: Duration,
    pub foreign_queues: Vec<ForeignQueue>,
}

/// Whether the broker session is up, for `/readyz`.
#[derive(Clone, Debug)]
pub struct BrokerStatus(watch::Receiver<bool>);

impl BrokerStatus {
    /// True while connected with the topology declared.
    #[must_use]
    pub fn is_up(&self) -> bool {
        *self.0.borrow()
    }

    /// Waits until the broker is up (for tests and start-up ordering).
    pub async fn wait_up(&mut self) {
        let _ = self.0.wait_for(|up| *up).await;
    }
}

/// `amqp.url` does not parse as an AMQP URL.
#[derive(Debug, thiserror::Error)]
#[error("amqp.url is not a valid AMQP URL: {0}")]
pub struct InvalidUrl(String);

/// AMQP reply codes with which a broker turns Postroom away for good: 402 `INVALID_PATH`,
/// 403 `ACCESS_REFUSED` (a wrong user or password), 406 `PRECONDITION_FAILED` (a queue already
/// declared with other arguments), 530 `NOT_ALLOWED` (a vhost the user may not use).
const REFUSALS: [u16; 4] = [402, 403, 406, 530];

/// Whether a failed [`Broker::check`] is a configuration error that waiting will not fix: the
/// URL does not parse, or the broker answered with one of the [`REFUSALS`]. Anything else
/// (refused or timed-out connections, a name that does not resolve, a broker shutting down or
/// out of resources) means the broker is away for now.
#[must_use]
pub fn is_refusal(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause.is::<InvalidUrl>()
            || cause.downcast_ref::<lapin::Error>().is_some_and(
                |e| matches!(e.kind(), lapin::ErrorKind::ProtocolError(amqp) if REFUSALS.contains(&amqp.get_id())),
            )
    })
}

/// Runs Postroom's side of RabbitMQ.
pub struct Broker {
    db: DatabaseConnection,
    dispatcher: Dispatcher,
    settings: BrokerSettings,
    wake: Arc<Notify>,
    status: watch::Sender<bool>,
}

impl Broker {
    /// A broker runner and the status it reports.
    #[must_use]
    pub fn new(
        db: DatabaseConnection,
        dispatcher: Dispatcher,
        settings: BrokerSettings,
        wake: Arc<Notify>,
    ) -> (Self, BrokerStatus) {
        let (status, rx) = watch::channel(false);
        (Self { db, dispatcher, settings, wake, status }, BrokerStatus(rx))
    }

    /// Connects, declares the topology and disconnects: the start-up check. [`is_refusal`]
    /// tells a configuration error from a broker that is away.
    ///
    /// # Errors
    /// When the URL does not parse, the broker is unreachable, or it refuses the login or the
    /// topology.
    pub async fn check(&self) -> anyhow::Result<()> {
        let url = &self.settings.url;
        // lapin reports a URL it cannot parse as an I/O error; tell it apart, without the URL
        // (it may carry a password).
        url.parse::<lapin::uri::AMQPUri>().map_err(|e| InvalidUrl(e.replace(url.as_str(), "(amqp.url)")))?;
        let conn = self.connect().await?;
        let ch = conn.create_channel().await?;
        self.settings.topology.declare(&ch, &self.foreign_queue_names()).await.context("declaring the topology")?;
        conn.close(200, "start-up check done".into()).await?;
        Ok(())
    }

    /// Runs sessions until `cancel` fires.
    pub async fn run(self, cancel: CancellationToken) {
        let mut delay = Duration::from_millis(250);
        while !cancel.is_cancelled() {
            let started = tokio::time::Instant::now();
            match self.session(&cancel).await {
                Ok(()) => break,
                Err(e) => {
                    self.status.send_replace(false);
                    if started.elapsed() > Duration::from_secs(30) {
                        delay = Duration::from_millis(250);
                    }
                    tracing::warn!(error = %format!("{e:#}"), retry_in = ?delay, "broker session ended; reconnecting");
                    tokio::select! {
                        () = cancel.cancelled() => break,
                        () = tokio::time::sleep(delay) => {}
                    }
                    delay = (delay * 2).min(self.settings.reconnect_max_delay);
                }
            }
        }
        self.status.send_replace(false);
        tracing::info!("broker runner stopped");
    }

    async fn connect(&self) -> anyhow::Result<Connection> {
        let props = ConnectionProperties::default()
            .with_connection_name(LongString::from(self.settings.connection_name.as_bytes().to_vec()));
        Connection::connect(&self.settings.url, props).await.context("cannot connect to RabbitMQ")
    }

    fn foreign_queue_names(&self) -> Vec<String> {
        self.settings.foreign_queues.iter().map(|f| f.queue.clone()).collect()
    }

    /// One connection's life. `Ok` only when cancelled.
    async fn session(&self, cancel: &CancellationToken) -> anyhow::Result<()> {
        let conn = self.connect().await?;
        let ch = conn.create_channel().await?;
        self.settings.topology.declare(&ch, &self.foreign_queue_names()).await.context("declaring the topology")?;
        let session = cancel.child_token();
        let mut tasks = JoinSet::new();

        let publisher = Publisher {
            db: self.db.clone(),
            topology: self.settings.topology.clone(),
            window: self.settings.publish_window,
            poll_interval: self.settings.poll_interval,
            wake: self.wake.clone(),
        };
        tasks.spawn(publisher.run(conn.create_channel().await?, session.clone()));

        let mut consumers: Vec<(String, Work, u16)> = Vec::new();
        for (name, _) in WORK_QUEUES {
            let handlers = self.dispatcher.for_queue(name);
            if !handlers.is_empty() {
                // Slow queues (OCR) take several consumers with one message in hand each, so
                // other workers can take the rest.
                let n = handlers.handlers().iter().map(|h| h.concurrency()).max().unwrap_or(1).max(1);
                let prefetch = if n > 1 { 1 } else { self.settings.prefetch };
                for _ in 0..n {
                    consumers.push((self.settings.topology.queue(name), Work::Events(handlers.clone()), prefetch));
                }
            }
        }
        for foreign in &self.settings.foreign_queues {
            consumers.push((foreign.queue.clone(), Work::Foreign(foreign.handler.clone()), self.settings.prefetch));
        }
        consumers.push((self.settings.topology.dead_letter_queue(), Work::DeadLetters, self.settings.prefetch));
        for (queue, work, prefetch) in consumers {
            let consumer = Consumer {
                db: self.db.clone(),
                queue,
                work,
                topology: self.settings.topology.clone(),
                retry: self.settings.retry.clone(),
                prefetch,
            };
            tasks.spawn(consumer.run(conn.create_channel().await?, session.clone()));
        }

        self.status.send_replace(true);
        tracing::info!("broker session up");
        let result = tokio::select! {
            () = cancel.cancelled() => Ok(()),
            ended = tasks.join_next() => match ended {
                Some(Ok(Ok(()))) => Err(anyhow::anyhow!("a broker task stopped")),
                Some(Ok(Err(e))) => Err(e),
                Some(Err(e)) => Err(anyhow::Error::new(e).context("a broker task panicked")),
                None => Err(anyhow::anyhow!("no broker tasks")),
            },
        };
        // Let every task finish the message in hand, then close.
        session.cancel();
        let drain = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(Duration::from_secs(10), drain).await.is_err() {
            tasks.abort_all();
        }
        self.status.send_replace(false);
        let _ = conn.close(200, "postroom session ends".into()).await;
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(code: u16) -> anyhow::Error {
        let amqp = lapin::protocol::AMQPError::from_id(code, "from the broker".into()).expect("a known reply code");
        anyhow::Error::new(lapin::Error::from(lapin::ErrorKind::ProtocolError(amqp)))
            .context("cannot connect to RabbitMQ")
    }

    #[test]
    fn a_refusal_is_told_from_a_broker_that_is_away() {
        for code in [403, 530, 406, 402] {
            assert!(is_refusal(&answered(code)), "{code}");
        }
        // CONNECTION_FORCED (shutting down) and RESOURCE_ERROR pass: wait for the broker.
        for code in [320, 506] {
            assert!(!is_refusal(&answered(code)), "{code}");
        }
        let refused = lapin::Error::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(!is_refusal(&anyhow::Error::new(refused).context("cannot connect to RabbitMQ")));
        assert!(is_refusal(&anyhow::Error::new(InvalidUrl("invalid port number".to_owned()))));
    }
}
