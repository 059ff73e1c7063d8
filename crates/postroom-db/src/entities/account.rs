//! `accounts`: a Council Tax or Business Rates account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub reference: String,
    /// `council_tax` or `business_rates`.
    pub service: String,
    pub property_id: Option<Uuid>,
    pub status: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Where recovery stands: `reminder`, `final_notice`, `summons`, `liability_order`,
    /// `enforcement`, … (none while paying).
    pub recovery_stage: Option<String>,
    /// The customer is known to be vulnerable.
    pub vulnerable: bool,
    /// 10 or 12 monthly instalments.
    pub instalments: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
