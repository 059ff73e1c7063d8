//! Postroom intake: receive originals, sniff, store, and record correspondence with its outbox event.
