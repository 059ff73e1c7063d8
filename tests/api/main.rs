//! End-to-end tests of the HTTP API against the real service (SQLite, or PostgreSQL when
//! `TEST_POSTGRES_URL` is set).

mod account_changes;
mod accounts;
mod accuracy;
mod auth;
mod broker_start;
mod casework;
mod charges;
mod claims;
mod classify;
mod classify_family;
mod completion;
mod delivery;
mod drop_folders;
mod emails;
mod errors;
mod exhaustion;
mod finding_work;
mod health;
mod hostile;
mod imap;
mod intake_faults;
mod learning;
mod limits;
mod migrations;
mod nul_input;
mod officer_work;
mod originals;
mod outbox_upkeep;
mod replies;
mod restart;
mod safeguarding;
mod scans;
mod sending;
mod text;
mod work_items;
