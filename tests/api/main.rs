//! End-to-end API tests.
