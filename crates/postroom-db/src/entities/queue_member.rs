//! `queue_members`: the queues each officer may work, kept by team leaders.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_name: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub queue: String,
    pub added_by: String,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
