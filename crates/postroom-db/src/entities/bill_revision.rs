//! `bill_revisions`: an account's bill for a year as first issued (`seq` 0) and each revised or
//! final notice after it (`seq` 1, 2, …).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bill_revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// The financial year, e.g. `2026/27`.
    pub year: String,
    /// 0 for the bill as first issued, then 1, 2, … for each notice after it.
    pub seq: i32,
    /// The day the bill (`seq` 0) or the revised notice was issued.
    pub notice: Date,
    /// The year's charge the notice demands.
    pub total_pence: i64,
    /// For a final bill, the last day of liability.
    pub liability_ended: Option<Date>,
    /// The work item whose completion changed the charge.
    pub work_item_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
