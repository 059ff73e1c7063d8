//! End-to-end tests that boot the real Postroom service on SQLite or PostgreSQL.
