//! RabbitMQ delivery: topology, the confirmed outbox publisher, consumers with retries and
//! dead letters, and a supervisor that reconnects.
//!
//! Topology (names use the configured prefix, `postroom` by default; all durable):
//!
//! | name | kind | what |
//! |---|---|---|
//! | `postroom.events` | topic exchange | every event, routing key = event type |
//! | `postroom.intake` | queue, max priority 5 | `correspondence.received` → classification |
//! | `postroom.ocr` | queue, max priority 5 | `document.ocr_requested` → OCR |
//! | `postroom.send` | queue, max priority 5 | `reply.approved` → outbound sending |
//! | `postroom.backoffice` | queue, TTL | `workitem.#`, `account.changed`, `reply.approved` for back-office subscribers |
//! | `postroom.<queue>.retry.<ms>ms` | queue per delay | holds a failed message for the delay, then returns it to `<queue>` |
//! | `postroom.dead-letter` | fanout exchange | messages that failed every attempt |
//! | `postroom.dead-letters` | queue | recorded into the database, where admins see and re-drive them |
//!
//! Messages are persistent, carry `message_id` = event id, `type` = event type,
//! `correlation_id` = the request id, `timestamp`, the AMQP `priority` (0–4) where the work's
//! priority is known, and an `x-postroom-attempt` header.

mod consumer;
mod publisher;
mod supervisor;
mod topology;

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;

pub use supervisor::{Broker, BrokerSettings, BrokerStatus, InvalidUrl, is_refusal};
pub use topology::{Topology, WORK_QUEUES};

/// The work queue for classification of received correspondence.
pub const INTAKE_QUEUE: &str = "intake";
/// The work queue for OCR.
pub const OCR_QUEUE: &str = "ocr";
/// The work queue for outbound sending.
pub const SEND_QUEUE: &str = "send";

/// Header carrying the delivery attempt (1 for the first).
pub const ATTEMPT_HEADER: &str = "x-postroom-attempt";
/// Header carrying the last error of a retried or dead message.
pub const ERROR_HEADER: &str = "x-postroom-error";
/// Header naming the queue a dead message came from.
pub const SOURCE_HEADER: &str = "x-postroom-source-queue";
/// Header carrying the id the dead letter is recorded under (idempotent recording).
pub const DEAD_LETTER_ID_HEADER: &str = "x-postroom-dead-letter-id";

/// Handles messages that are not Postroom events (e.g. bucket notifications).
#[async_trait]
pub trait MessageHandler: Send + Sync {
    /// A name for logs.
    fn name(&self) -> &'static str;
    /// Handles one message body. Must be idempotent: a message may arrive more than once.
    ///
    /// # Errors
    /// Any error retries the message, then dead-letters it.
    async fn handle(&self, body: &[u8]) -> anyhow::Result<()>;
}

/// A foreign queue to consume with a [`MessageHandler`].
#[derive(Clone)]
pub struct ForeignQueue {
    pub queue: String,
    pub handler: Arc<dyn MessageHandler>,
}

/// Retry policy: the delay before each retry; after the last, the message is dead.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub delays: Vec<Duration>,
}

impl RetryPolicy {
    /// The delay before retrying after failed attempt `attempt` (1-based), or `None` when the
    /// message has used up its attempts.
    #[must_use]
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
        self.delays.get(index).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_delays_then_stop() {
        let p = RetryPolicy { delays: vec![Duration::from_secs(1), Duration::from_secs(10)] };
        assert_eq!(p.delay_after(1), Some(Duration::from_secs(1)));
        assert_eq!(p.delay_after(2), Some(Duration::from_secs(10)));
        assert_eq!(p.delay_after(3), None);
        assert_eq!(p.delay_after(0), None);
    }
}
