//! `correspondence`: one letter, email or file as received.

use postroom_domain::Channel;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "correspondence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub channel: Channel,
    pub received_at: DateTimeUtc,
    pub sender: Option<String>,
    pub subject: Option<String>,
    #[sea_orm(unique)]
    pub content_hash: String,
    pub message_id: Option<String>,
    pub batch_id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    pub created_at: DateTimeUtc,
    /// JSON: `{"to": [...], "cc": [...], "reply_to": [...]}` for email.
    pub recipients: Option<String>,
    pub in_reply_to: Option<String>,
    /// Space-separated Message-IDs from the References header.
    pub references: Option<String>,
    /// A different message that reused this one's Message-ID: the earlier correspondence, for a
    /// person to judge.
    pub possible_duplicate_of: Option<Uuid>,
    /// When the sender's `Date:` header says the email was written (their claim; deadlines run
    /// from `received_at`).
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::document::Entity")]
    Documents,
}

impl Related<super::document::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Documents.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
