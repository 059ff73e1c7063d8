//! `classifier_examples`: a letter and the workflow a person chose for it (a manual index or a
//! team leader's re-route), a labelled example the classifier's model learns from. It never
//! leaves the council's database.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "classifier_examples")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub work_item_id: Uuid,
    /// The item's version the decision was made on: of two decisions about one item, the
    /// higher is the later.
    pub item_version: i32,
    pub workflow: String,
    /// The letter's subject and text as the classifier read them.
    pub text: String,
    /// `indexed` or `rerouted`.
    pub source: String,
    pub decided_by: String,
    pub decided_at: DateTimeUtc,
    /// The model version that first learned from it; none: waiting for the next version.
    pub model_version: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
