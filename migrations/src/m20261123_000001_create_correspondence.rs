//! Correspondence (what was received) and its documents (the stored originals).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Correspondence::Table)
                    .col(pk_uuid(Correspondence::Id))
                    .col(string(Correspondence::Channel))
                    .col(timestamp_with_time_zone(Correspondence::ReceivedAt))
                    .col(string_null(Correspondence::Sender))
                    .col(text_null(Correspondence::Subject))
                    .col(string_uniq(Correspondence::ContentHash))
                    .col(string_null(Correspondence::MessageId))
                    .col(string_null(Correspondence::BatchId))
                    .col(string(Correspondence::Status))
                    .col(text_null(Correspondence::StatusReason))
                    .col(timestamp_with_time_zone(Correspondence::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_correspondence_message_id")
                    .table(Correspondence::Table)
                    .col(Correspondence::MessageId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_correspondence_batch")
                    .table(Correspondence::Table)
                    .col(Correspondence::BatchId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Documents::Table)
                    .col(pk_uuid(Documents::Id))
                    .col(uuid(Documents::CorrespondenceId))
                    .col(string(Documents::ObjectKey))
                    .col(string(Documents::MediaType))
                    .col(big_integer(Documents::SizeBytes))
                    .col(string(Documents::Sha256))
                    .col(integer_null(Documents::PageCount))
                    .col(string_null(Documents::Filename))
                    .col(string(Documents::TextStatus))
                    .col(text_null(Documents::ExtractedText))
                    .col(timestamp_with_time_zone(Documents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_documents_correspondence")
                            .from(Documents::Table, Documents::CorrespondenceId)
                            .to(Correspondence::Table, Correspondence::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_documents_correspondence")
                    .table(Documents::Table)
                    .col(Documents::CorrespondenceId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Documents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Correspondence::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
pub enum Correspondence {
    Table,
    Id,
    Channel,
    ReceivedAt,
    Sender,
    Subject,
    ContentHash,
    MessageId,
    BatchId,
    Status,
    StatusReason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Documents {
    Table,
    Id,
    CorrespondenceId,
    ObjectKey,
    MediaType,
    SizeBytes,
    Sha256,
    PageCount,
    Filename,
    TextStatus,
    ExtractedText,
    CreatedAt,
}
