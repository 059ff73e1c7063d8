//! `work_item_accounts`: the accounts a work item concerns, and how each was found.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "work_item_accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub work_item_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// `reference`, `uprn`, `postcode_and_name`, or `indexed` (by hand).
    pub matched_by: String,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
