//! `documents`: a stored original (or attachment) and what was read from it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub correspondence_id: Uuid,
    pub object_key: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub page_count: Option<i32>,
    pub filename: Option<String>,
    pub text_status: String,
    pub extracted_text: Option<String>,
    pub created_at: DateTimeUtc,
    /// `original`, `attachment`, `inline` or `message` (a nested email).
    pub part: String,
    /// Why text is missing or incomplete (a tool not installed, a corrupt file, a timeout).
    pub text_problem: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::correspondence::Entity",
        from = "Column::CorrespondenceId",
        to = "super::correspondence::Column::Id"
    )]
    Correspondence,
}

impl Related<super::correspondence::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Correspondence.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
