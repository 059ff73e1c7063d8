//! Database schema migrations for Postroom (sea-orm-migration), for SQLite and PostgreSQL.
//!
//! Each migration is `mYYYYMMDD_HHMMSS_<verb>_<noun>.rs` with an `up` and a working `down`.
//! They run at start-up and with `postroom migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_correspondence;
mod m20261123_000002_create_work_items;
mod m20261123_000003_create_accounts;
mod m20261123_000004_create_outbox;
mod m20261123_000005_create_dead_letters;
mod m20261123_000006_add_email_threading;
mod m20261123_000007_add_text_extraction;
mod m20261123_000008_create_imap_ledger;
mod m20261123_000009_add_classification;
mod m20261123_000010_add_account_state;
mod m20261123_000011_add_officer_work;
mod m20261123_000012_add_account_model;
mod m20261207_000013_add_work_item_claim_indexes;
mod m20261207_000020_add_approval_records;
mod m20261207_000021_add_intake_robustness;
mod m20261207_000022_create_replies;
mod m20261207_000023_create_classifier;
mod m20261207_000024_create_bill_revisions;
mod m20261208_000030_add_team_leader_views;
mod m20261208_000031_create_users;
mod m20261208_000032_create_token_revocations;

/// All of Postroom's migrations, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_correspondence::Migration),
            Box::new(m20261123_000002_create_work_items::Migration),
            Box::new(m20261123_000003_create_accounts::Migration),
            Box::new(m20261123_000004_create_outbox::Migration),
            Box::new(m20261123_000005_create_dead_letters::Migration),
            Box::new(m20261123_000006_add_email_threading::Migration),
            Box::new(m20261123_000007_add_text_extraction::Migration),
            Box::new(m20261123_000008_create_imap_ledger::Migration),
            Box::new(m20261123_000009_add_classification::Migration),
            Box::new(m20261123_000010_add_account_state::Migration),
            Box::new(m20261123_000011_add_officer_work::Migration),
            Box::new(m20261123_000012_add_account_model::Migration),
            Box::new(m20261207_000013_add_work_item_claim_indexes::Migration),
            Box::new(m20261207_000020_add_approval_records::Migration),
            Box::new(m20261207_000021_add_intake_robustness::Migration),
            Box::new(m20261207_000022_create_replies::Migration),
            Box::new(m20261207_000023_create_classifier::Migration),
            Box::new(m20261207_000024_create_bill_revisions::Migration),
            Box::new(m20261208_000030_add_team_leader_views::Migration),
            Box::new(m20261208_000031_create_users::Migration),
            Box::new(m20261208_000032_create_token_revocations::Migration),
        ]
    }
}
