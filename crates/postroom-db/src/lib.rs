//! Postroom persistence: connection set-up, entities and named queries (sea-orm, SQLite or PostgreSQL).
