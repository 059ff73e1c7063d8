//! The postroom binary: serve, migrate, token.
