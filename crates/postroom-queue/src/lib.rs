//! Postroom outbox relay and event dispatch: in-process by default, RabbitMQ when configured.
