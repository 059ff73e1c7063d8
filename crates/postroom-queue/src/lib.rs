//! Postroom event delivery: the outbox relay and idempotent dispatch to handlers.
//!
//! Changes and the events they cause are written in one transaction (the outbox). The relay
//! reads committed events and delivers them. On the embedded default delivery is in-process:
//! each handler runs in its own transaction that also records `(consumer, event id)` in the
//! processed-events ledger, so an event delivered twice changes nothing. A failed event is
//! retried with a growing delay and, after the configured attempts, set aside as dead.

mod dispatch;
mod relay;

pub use dispatch::{Dispatcher, Event, EventHandler, Prepared};
pub use relay::{OutboxRelay, RelaySettings};

pub mod amqp;
