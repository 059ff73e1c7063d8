//! `print_batches`: the letters approved on one day, printed together by the print room.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "print_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The day (Europe/London) its letters were approved for sending.
    pub day: Date,
    /// `open` (letters still join it) or `printed`.
    pub status: String,
    /// `day` while open, cleared when printed (one open batch a day).
    pub open_day: Option<Date>,
    pub created_at: DateTimeUtc,
    pub printed_at: Option<DateTimeUtc>,
    pub printed_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
