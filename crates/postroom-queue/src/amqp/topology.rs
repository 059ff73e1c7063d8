//! Names and declarations of exchanges and queues. Declaring is idempotent, so every
//! (re)connection declares everything again.

use std::time::Duration;

use lapin::{
    Channel, ExchangeKind,
    options::{ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions},
    types::{AMQPValue, FieldTable, LongString},
};

use postroom_domain::events::{ACCOUNT_CHANGED, CORRESPONDENCE_RECEIVED, REPLY_APPROVED, TEXT_EXTRACTED};

use super::{INTAKE_QUEUE, OCR_QUEUE, SEND_QUEUE};

/// Work queues and the event types bound to each.
pub const WORK_QUEUES: &[(&str, &[&str])] = &[
    (INTAKE_QUEUE, &[CORRESPONDENCE_RECEIVED, TEXT_EXTRACTED]),
    (OCR_QUEUE, &[CORRESPONDENCE_RECEIVED]),
    (SEND_QUEUE, &[REPLY_APPROVED]),
];

/// Routing keys bound to the back-office queue.
pub const BACKOFFICE_BINDINGS: &[&str] = &["workitem.#", ACCOUNT_CHANGED, REPLY_APPROVED];

/// Highest AMQP priority on work queues (P1 → 4 … P4 → 1).
pub const MAX_PRIORITY: u8 = 5;

/// The names Postroom declares, from the configured prefix and exchange.
#[derive(Debug, Clone)]
pub struct Topology {
    pub prefix: String,
    pub exchange: String,
    pub retry_delays: Vec<Duration>,
    pub backoffice_ttl: Duration,
}

impl Topology {
    /// `<prefix>.<name>`, the queue a work-queue name stands for.
    #[must_use]
    pub fn queue(&self, name: &str) -> String {
        format!("{}.{name}", self.prefix)
    }

    /// The retry queue of `queue` for `delay`.
    #[must_use]
    pub fn retry_queue(&self, queue: &str, delay: Duration) -> String {
        format!("{queue}.retry.{}ms", delay.as_millis())
    }

    #[must_use]
    pub fn dead_letter_exchange(&self) -> String {
        format!("{}.dead-letter", self.prefix)
    }

    #[must_use]
    pub fn dead_letter_queue(&self) -> String {
        format!("{}.dead-letters", self.prefix)
    }

    #[must_use]
    pub fn backoffice_queue(&self) -> String {
        format!("{}.backoffice", self.prefix)
    }

    /// Declares everything; `extra_queues` are foreign queues consumed as they are (declared
    /// durable with no arguments) and given retry queues of their own.
    ///
    /// # Errors
    /// When the broker refuses a declaration (e.g. an existing queue with other arguments).
    pub async fn declare(&self, ch: &Channel, extra_queues: &[String]) -> Result<(), lapin::Error> {
        let durable = ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() };
        ch.exchange_declare(self.exchange.as_str().into(), ExchangeKind::Topic, durable, FieldTable::default()).await?;
        let dlx = self.dead_letter_exchange();
        ch.exchange_declare(dlx.as_str().into(), ExchangeKind::Fanout, durable, FieldTable::default()).await?;
        let dlq = self.dead_letter_queue();
        ch.queue_declare(dlq.as_str().into(), QueueDeclareOptions::durable(), FieldTable::default()).await?;
        ch.queue_bind(
            dlq.as_str().into(),
            dlx.as_str().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;

        for (name, bindings) in WORK_QUEUES {
            let queue = self.queue(name);
            let mut args = FieldTable::default();
            args.insert("x-max-priority".into(), AMQPValue::ShortShortUInt(MAX_PRIORITY));
            args.insert("x-dead-letter-exchange".into(), long(&dlx));
            ch.queue_declare(queue.as_str().into(), QueueDeclareOptions::durable(), args).await?;
            for key in *bindings {
                ch.queue_bind(
                    queue.as_str().into(),
                    self.exchange.as_str().into(),
                    (*key).into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
            }
            self.declare_retry_queues(ch, &queue).await?;
        }
        for queue in extra_queues {
            ch.queue_declare(queue.as_str().into(), QueueDeclareOptions::durable(), FieldTable::default()).await?;
            self.declare_retry_queues(ch, queue).await?;
        }

        let backoffice = self.backoffice_queue();
        let mut args = FieldTable::default();
        args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(millis(self.backoffice_ttl)));
        ch.queue_declare(backoffice.as_str().into(), QueueDeclareOptions::durable(), args).await?;
        for key in BACKOFFICE_BINDINGS {
            ch.queue_bind(
                backoffice.as_str().into(),
                self.exchange.as_str().into(),
                (*key).into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await?;
        }
        Ok(())
    }

    /// One queue per retry delay: messages wait out the TTL, then dead-letter back to `queue`
    /// through the default exchange.
    async fn declare_retry_queues(&self, ch: &Channel, queue: &str) -> Result<(), lapin::Error> {
        for delay in &self.retry_delays {
            let mut args = FieldTable::default();
            args.insert("x-message-ttl".into(), AMQPValue::LongLongInt(millis(*delay)));
            args.insert("x-dead-letter-exchange".into(), long(""));
            args.insert("x-dead-letter-routing-key".into(), long(queue));
            let name = self.retry_queue(queue, *delay);
            ch.queue_declare(name.as_str().into(), QueueDeclareOptions::durable(), args).await?;
        }
        Ok(())
    }
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.as_bytes().to_vec()))
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_prefix() {
        let t = Topology {
            prefix: "pr".into(),
            exchange: "pr.events".into(),
            retry_delays: vec![Duration::from_secs(2)],
            backoffice_ttl: Duration::from_secs(60),
        };
        assert_eq!(t.queue("intake"), "pr.intake");
        assert_eq!(t.retry_queue("pr.intake", Duration::from_secs(2)), "pr.intake.retry.2000ms");
        assert_eq!(t.dead_letter_queue(), "pr.dead-letters");
    }
}
