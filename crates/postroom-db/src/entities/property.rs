//! `properties`: a dwelling or hereditament.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "properties")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub uprn: Option<i64>,
    pub address: String,
    /// Normalised (`AN1 2BC`).
    pub postcode: Option<String>,
    pub council_tax_band: Option<String>,
    pub rateable_value_pence: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The council that bills it (the configured default when absent).
    pub billing_authority: Option<String>,
    /// Qualifying retail, hospitality or leisure use (Business Rates).
    pub retail_hospitality_leisure: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
