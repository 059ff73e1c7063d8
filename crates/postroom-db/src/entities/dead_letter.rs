//! `dead_letters`: events that failed every attempt.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dead_letters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    /// `outbox` for in-process delivery, else the broker queue it died in.
    pub source: String,
    pub payload: String,
    pub correlation_id: Option<String>,
    pub priority: Option<i16>,
    pub reason: Option<String>,
    pub attempts: i32,
    pub died_at: DateTimeUtc,
    pub retry_requested_at: Option<DateTimeUtc>,
    pub retry_requested_by: Option<String>,
    pub retried_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
