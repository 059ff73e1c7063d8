//! `direct_debit_mandates`: an account's Direct Debit instruction (one per account).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "direct_debit_mandates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub account_id: Uuid,
    /// The DDI core reference.
    pub reference: String,
    pub payer_name: String,
    pub sort_code: String,
    /// In full, for the Bacs submission only; shown masked everywhere else.
    pub account_number: String,
    pub collection_day: i32,
    /// `pending`, `active`, `suspended`, `rejected` or `cancelled`.
    pub status: String,
    /// AUDDIS instructions still to lodge, comma-separated (`0N`, `0C`), or empty.
    pub lodge: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
