//! Database schema migrations for Postroom (sea-orm-migration).
