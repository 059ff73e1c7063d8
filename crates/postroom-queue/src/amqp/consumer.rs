//! Consumers: manual ack after the database commit, retries through delay queues, then the
//! dead-letter exchange. A consumer whose stream ends returns an error so the supervisor
//! reconnects and consumes again.

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use lapin::{
    BasicProperties, Channel, Confirmation,
    message::Delivery,
    options::{
        BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
        ConfirmSelectOptions,
    },
    types::{AMQPValue, FieldTable, LongString},
};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use postroom_db::dead_letters::{self, NewDeadLetter};
use postroom_domain::Priority;

use super::{
    ATTEMPT_HEADER, DEAD_LETTER_ID_HEADER, ERROR_HEADER, MessageHandler, RetryPolicy, SOURCE_HEADER, topology::Topology,
};
use crate::{Dispatcher, Event};

/// What a consumer does with each message.
pub(super) enum Work {
    /// Postroom events, run through the handlers of this queue.
    Events(Dispatcher),
    /// Foreign messages (bucket notifications).
    Foreign(Arc<dyn MessageHandler>),
    /// Dead letters, recorded in the database.
    DeadLetters,
}

pub(super) struct Consumer {
    pub db: DatabaseConnection,
    pub queue: String,
    pub work: Work,
    pub topology: Topology,
    pub retry: RetryPolicy,
    pub prefetch: u16,
}

impl Consumer {
    /// Consumes until cancelled. Finishes the message in hand before returning.
    ///
    /// # Errors
    /// When the channel fails or the broker cancels the consumer.
    pub async fn run(self, ch: Channel, cancel: CancellationToken) -> anyhow::Result<()> {
        ch.basic_qos(self.prefetch, BasicQosOptions::default()).await?;
        ch.confirm_select(ConfirmSelectOptions::default()).await?;
        let tag = format!("{}.{}", self.queue, Uuid::new_v4().simple());
        let mut stream = ch
            .basic_consume(
                self.queue.as_str().into(),
                tag.as_str().into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .with_context(|| format!("consuming {}", self.queue))?;
        tracing::info!(queue = %self.queue, "consumer started");
        loop {
            let next = tokio::select! {
                biased;
                () = cancel.cancelled() => return Ok(()),
                next = stream.next() => next,
            };
            match next {
                None => anyhow::bail!("the consumer of {} was cancelled by the broker", self.queue),
                Some(Err(e)) => return Err(anyhow::Error::new(e).context(format!("consuming {}", self.queue))),
                Some(Ok(delivery)) => self.handle(&ch, delivery).await?,
            }
        }
    }

    #[tracing::instrument(skip_all, fields(queue = %self.queue, message_id = message_id(&delivery.properties)))]
    async fn handle(&self, ch: &Channel, delivery: Delivery) -> anyhow::Result<()> {
        let attempt = header_u32(&delivery.properties, ATTEMPT_HEADER).unwrap_or(1);
        let outcome = match &self.work {
            Work::Events(dispatcher) => match event_from(&delivery) {
                Ok(event) => dispatcher.dispatch(&self.db, &event).await.map_err(Failure::Retry),
                Err(e) => Err(Failure::Poison(e)),
            },
            Work::Foreign(handler) => handler.handle(&delivery.data).await.map_err(Failure::Retry),
            Work::DeadLetters => {
                if let Err(e) = record_dead_letter(&self.db, &delivery).await {
                    // The database is unavailable: put it back and slow down.
                    tracing::warn!(error = %format!("{e:#}"), "cannot record a dead letter; requeued");
                    delivery.nack(BasicNackOptions { requeue: true, ..BasicNackOptions::default() }).await?;
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    return Ok(());
                }
                Ok(())
            }
        };
        match outcome {
            Ok(()) => {}
            Err(Failure::Retry(e)) => {
                let error = format!("{e:#}");
                match self.retry.delay_after(attempt) {
                    Some(delay) => {
                        tracing::warn!(attempt, error = %error, retry_in = ?delay, "message failed; will retry");
                        let retry_queue = self.topology.retry_queue(&self.queue, delay);
                        let props = with_headers(&delivery.properties, attempt.saturating_add(1), &error, None);
                        publish_confirmed(ch, "", &retry_queue, &delivery.data, props).await?;
                    }
                    None => self.dead_letter(ch, &delivery, attempt, &error).await?,
                }
            }
            Err(Failure::Poison(e)) => {
                self.dead_letter(ch, &delivery, attempt, &format!("unreadable message: {e:#}")).await?
            }
        }
        delivery.ack(BasicAckOptions::default()).await?;
        Ok(())
    }

    async fn dead_letter(&self, ch: &Channel, delivery: &Delivery, attempt: u32, error: &str) -> anyhow::Result<()> {
        tracing::error!(attempt, error, "message failed for the last time; dead-lettered");
        let props = with_headers(&delivery.properties, attempt, error, Some(&self.queue));
        let exchange = self.topology.dead_letter_exchange();
        publish_confirmed(ch, &exchange, delivery.routing_key.as_str(), &delivery.data, props).await
    }
}

enum Failure {
    Retry(anyhow::Error),
    Poison(anyhow::Error),
}

async fn publish_confirmed(
    ch: &Channel,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    props: BasicProperties,
) -> anyhow::Result<()> {
    let confirm =
        ch.basic_publish(exchange.into(), routing_key.into(), BasicPublishOptions::default(), body, props).await?;
    match confirm.await? {
        Confirmation::Nack(_) => anyhow::bail!("the broker refused a publish to {exchange:?}/{routing_key}"),
        Confirmation::Ack(_) | Confirmation::NotRequested => Ok(()),
    }
}

/// The event a delivery carries.
///
/// # Errors
/// When it has no valid message id, no type, or a body that is not JSON.
pub(super) fn event_from(d: &Delivery) -> anyhow::Result<Event> {
    let id = d.properties.message_id().as_ref().context("no message_id")?;
    let id = Uuid::parse_str(id.as_str()).context("message_id is not a UUID")?;
    let event_type = d.properties.kind().as_ref().context("no type")?.as_str().to_owned();
    let payload = serde_json::from_slice(&d.data).context("body is not JSON")?;
    let occurred_at = d
        .properties
        .timestamp()
        .and_then(|t| i64::try_from(t).ok())
        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
        .unwrap_or_else(Utc::now);
    Ok(Event {
        id,
        event_type,
        payload,
        occurred_at,
        correlation_id: d.properties.correlation_id().as_ref().map(|c| c.as_str().to_owned()),
        priority: d.properties.priority().and_then(Priority::from_amqp).map(Priority::rank),
    })
}

/// Records a message from the dead-letter queue (idempotent on its dead-letter id).
async fn record_dead_letter(db: &DatabaseConnection, d: &Delivery) -> anyhow::Result<()> {
    let p = &d.properties;
    let death = first_death(p);
    let letter = NewDeadLetter {
        id: header_str(p, DEAD_LETTER_ID_HEADER).and_then(|s| Uuid::parse_str(&s).ok()),
        event_id: message_id(p).and_then(|s| Uuid::parse_str(&s).ok()).unwrap_or_else(Uuid::now_v7),
        event_type: p.kind().as_ref().map_or_else(|| d.routing_key.as_str().to_owned(), |k| k.as_str().to_owned()),
        source: header_str(p, SOURCE_HEADER)
            .or_else(|| death.as_ref().and_then(|t| table_str(t, "queue")))
            .unwrap_or_else(|| "unknown".to_owned()),
        payload: String::from_utf8_lossy(&d.data).into_owned(),
        correlation_id: p.correlation_id().as_ref().map(|c| c.as_str().to_owned()),
        priority: p.priority().and_then(Priority::from_amqp).map(Priority::rank),
        reason: header_str(p, ERROR_HEADER).or_else(|| death.as_ref().and_then(|t| table_str(t, "reason"))),
        attempts: i32::try_from(header_u32(p, ATTEMPT_HEADER).unwrap_or(1)).unwrap_or(i32::MAX),
    };
    dead_letters::record(db, letter, Utc::now()).await?;
    Ok(())
}

fn with_headers(p: &BasicProperties, attempt: u32, error: &str, source: Option<&str>) -> BasicProperties {
    let mut headers = p.headers().clone().unwrap_or_default();
    headers.insert(ATTEMPT_HEADER.into(), AMQPValue::LongUInt(attempt));
    let error: String = error.chars().take(1000).collect();
    headers.insert(ERROR_HEADER.into(), AMQPValue::LongString(LongString::from(error.into_bytes())));
    if let Some(source) = source {
        headers.insert(SOURCE_HEADER.into(), AMQPValue::LongString(LongString::from(source.as_bytes().to_vec())));
        let id = Uuid::now_v7().to_string();
        headers.insert(DEAD_LETTER_ID_HEADER.into(), AMQPValue::LongString(LongString::from(id.into_bytes())));
    }
    p.clone().with_headers(headers)
}

fn message_id(p: &BasicProperties) -> Option<String> {
    p.message_id().as_ref().map(|m| m.as_str().to_owned())
}

fn header(p: &BasicProperties, name: &str) -> Option<AMQPValue> {
    p.headers().as_ref()?.inner().get(name).cloned()
}

fn header_u32(p: &BasicProperties, name: &str) -> Option<u32> {
    match header(p, name)? {
        AMQPValue::LongUInt(v) => Some(v),
        AMQPValue::LongInt(v) => u32::try_from(v).ok(),
        AMQPValue::LongLongInt(v) => u32::try_from(v).ok(),
        AMQPValue::ShortUInt(v) => Some(u32::from(v)),
        AMQPValue::ShortShortUInt(v) => Some(u32::from(v)),
        _ => None,
    }
}

fn header_str(p: &BasicProperties, name: &str) -> Option<String> {
    value_str(&header(p, name)?)
}

fn value_str(v: &AMQPValue) -> Option<String> {
    match v {
        AMQPValue::LongString(s) => Some(s.to_string()),
        AMQPValue::ShortString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

fn first_death(p: &BasicProperties) -> Option<FieldTable> {
    match header(p, "x-death")? {
        AMQPValue::FieldArray(a) => a.as_slice().iter().find_map(|v| match v {
            AMQPValue::FieldTable(t) => Some(t.clone()),
            _ => None,
        }),
        _ => None,
    }
}

fn table_str(t: &FieldTable, key: &str) -> Option<String> {
    value_str(t.inner().get(key)?)
}
