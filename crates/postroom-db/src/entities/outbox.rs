//! `outbox`: events written in the same transaction as the change that caused them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_type: String,
    pub payload: String,
    pub occurred_at: DateTimeUtc,
    pub correlation_id: Option<String>,
    pub priority: Option<i16>,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub dead_at: Option<DateTimeUtc>,
    /// In-process delivery: the work queue this copy of an event is for (`None`: the event itself).
    pub lane: Option<String>,
    /// In-process delivery: the event a lane copy was made from.
    pub source_event_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The id handlers see: the original event's, for lane copies too, so the processed-events
    /// ledger keeps every consumer idempotent whichever row delivered it.
    #[must_use]
    pub fn event_id(&self) -> Uuid {
        self.source_event_id.unwrap_or(self.id)
    }
}
