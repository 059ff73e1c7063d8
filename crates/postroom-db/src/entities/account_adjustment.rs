//! `account_adjustments`: a discount, exemption, premium, relief or disabled band reduction an
//! account has for a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_adjustments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// `discount`, `exemption`, `premium`, `relief` or `disabled_band_reduction`.
    pub category: String,
    /// Which one, e.g. `single_person` or `class_c`.
    pub code: String,
    pub valid_from: Date,
    /// The last day it applies (inclusive); open-ended when absent.
    pub valid_to: Option<Date>,
    /// Anything else the kind needs (percentages, evidence), as JSON.
    pub details: Option<String>,
    pub work_item_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
