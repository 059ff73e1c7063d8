//! `classifier_models`: each version of the classifier's model, what it was trained on and when.
//! Every process that classifies trains the latest version from the same rows: the shipped
//! corpus and the examples marked with this version or an earlier one.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "classifier_models")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub version: i64,
    pub trained_at: DateTimeUtc,
    /// Letters of the corpus shipped with Postroom.
    pub shipped_examples: i32,
    /// The council's own examples it learned from (one per item: its latest decision): those
    /// marked with this version or an earlier one.
    pub council_examples: i32,
    /// `start-up` (the first) or `schedule`.
    pub trained_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
