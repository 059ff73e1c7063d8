//! `work_item_correspondence`: which correspondence a work item gathers, and why.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_item_correspondence")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_item_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub correspondence_id: Uuid,
    /// `opened` (the item was opened for it), `reference_in_subject`, `in_reply_to`, …
    pub reason: String,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
