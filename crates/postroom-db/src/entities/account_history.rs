//! `account_history`: the append-only record of every change to an account, before and after.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_history")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub actor: String,
    pub change_kind: String,
    /// The affected state before the change (JSON).
    pub before: Option<String>,
    /// The affected state after the change (JSON).
    pub after: Option<String>,
    pub work_item_id: Option<Uuid>,
    /// The team leader who approved the change (four-eyes), if it needed approval.
    pub approved_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
