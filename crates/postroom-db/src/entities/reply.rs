//! `replies`: a reply to the customer, from the draft rendered at completion to sent or printed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "replies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub work_item_id: Uuid,
    /// The customer's correspondence it answers, if any.
    pub correspondence_id: Option<Uuid>,
    pub template: String,
    /// `email` or `letter`.
    pub channel: String,
    pub recipient_name: String,
    /// The email address, or the postal address lines separated by newlines.
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `draft`, `approved`, `sending`, `sent`, `failed`, `unconfirmed`, `batched` or `printed`.
    pub status: String,
    pub version: i32,
    /// Whether a team leader other than the author must approve it.
    pub needs_team_leader: bool,
    pub author: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub updated_by: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    /// Our Message-ID (email), recorded at approval, before any attempt to send.
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
    /// The `.eml` or `.pdf` in object storage.
    pub stored_key: Option<String>,
    pub attempts: i32,
    /// When the attempt now sending began (a lease: an older one was interrupted).
    pub sending_since: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    pub server_response: Option<String>,
    pub last_error: Option<String>,
    pub print_batch_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
