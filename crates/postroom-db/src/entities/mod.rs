//! sea-orm entities: the storage shape of each table.

pub mod account;
pub mod account_adjustment;
pub mod account_history;
pub mod account_search_term;
pub mod bill_revision;
pub mod classifier_example;
pub mod classifier_model;
pub mod correspondence;
pub mod counter;
pub mod dead_letter;
pub mod direct_debit_mandate;
pub mod document;
pub mod document_page;
pub mod idempotency_key;
pub mod imap_message;
pub mod outbox;
pub mod party;
pub mod print_batch;
pub mod processed_event;
pub mod property;
pub mod queue_member;
pub mod reply;
pub mod work_item;
pub mod work_item_account;
pub mod work_item_correspondence;
pub mod work_item_event;
