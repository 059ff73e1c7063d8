//! `parties`: a person or organisation liable for (or connected with) an account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "parties")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    pub party_role: String,
    pub liable_from: Option<Date>,
    pub liable_to: Option<Date>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postal_address: Option<String>,
    pub created_at: DateTimeUtc,
    /// `email`, `post` or `phone`.
    pub preferred_channel: Option<String>,
    pub forwarding_address: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
