//! `document_pages`: the text of one page of a document, and where it came from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "document_pages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub document_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub page: i32,
    /// `text_layer`, `ocr` or `body`.
    pub source: String,
    pub text: String,
    /// Mean OCR word confidence (0–100).
    pub confidence: Option<f32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
