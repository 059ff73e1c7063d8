//! `imap_messages`: the IMAP ledger, one row per message taken from a mailbox folder.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imap_messages")]
pub struct Model {
    /// `user@host:port/folder`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub mailbox: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub uid_validity: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub uid: i64,
    pub message_id: Option<String>,
    pub correspondence_id: Option<Uuid>,
    /// `received`, `duplicate`, `skipped` (by a mail rule) or `empty`.
    pub outcome: String,
    /// The mail rule that decided, if any.
    pub rule: Option<String>,
    pub recorded_at: DateTimeUtc,
    /// When it was moved to the processed folder (or flagged).
    pub moved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
