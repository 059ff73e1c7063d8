//! Text read from documents, page by page, and in-process delivery lanes on the outbox.
//!
//! `document_pages` keeps the text of each page and where it came from (the PDF text layer, OCR
//! or an email body). `outbox.lane` marks a copy of an event made for one slow work queue (such
//! as OCR) when delivery is in-process; `outbox.source_event_id` is the event it copies, so
//! handlers see the original id and the processed-events ledger keeps them idempotent.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DocumentPages::Table)
                    .col(uuid(DocumentPages::DocumentId))
                    .col(integer(DocumentPages::Page))
                    .col(string(DocumentPages::Source))
                    .col(text(DocumentPages::Text))
                    .col(float_null(DocumentPages::Confidence))
                    .primary_key(Index::create().col(DocumentPages::DocumentId).col(DocumentPages::Page))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_document_pages_document")
                            .from(DocumentPages::Table, DocumentPages::DocumentId)
                            .to(Alias::new("documents"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("documents"))
                    .add_column(text_null(Alias::new("text_problem")))
                    .to_owned(),
            )
            .await?;
        for col in [string_null(Alias::new("lane")), uuid_null(Alias::new("source_event_id"))] {
            manager.alter_table(Table::alter().table(Alias::new("outbox")).add_column(col).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_outbox_lane_due")
                    .table(Alias::new("outbox"))
                    .col(Alias::new("lane"))
                    .col(Alias::new("published_at"))
                    .col(Alias::new("next_attempt_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_outbox_lane_due").table(Alias::new("outbox")).to_owned()).await?;
        for col in ["source_event_id", "lane"] {
            manager
                .alter_table(Table::alter().table(Alias::new("outbox")).drop_column(Alias::new(col)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter().table(Alias::new("documents")).drop_column(Alias::new("text_problem")).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(DocumentPages::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DocumentPages {
    Table,
    DocumentId,
    Page,
    Source,
    Text,
    Confidence,
}
