//! Email metadata on correspondence, the part a document is, and links between work items and
//! the correspondence they gather (threading: a reply joins the item it answers).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_correspondence::Correspondence;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for col in [
            text_null(Alias::new("recipients")),
            string_null(Alias::new("in_reply_to")),
            text_null(Alias::new("references")),
        ] {
            manager.alter_table(Table::alter().table(Correspondence::Table).add_column(col).to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("documents"))
                    .add_column(string(Alias::new("part")).default("original"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WorkItemCorrespondence::Table)
                    .col(uuid(WorkItemCorrespondence::WorkItemId))
                    .col(uuid(WorkItemCorrespondence::CorrespondenceId))
                    .col(string(WorkItemCorrespondence::Reason))
                    .col(timestamp_with_time_zone(WorkItemCorrespondence::LinkedAt))
                    .primary_key(
                        Index::create()
                            .col(WorkItemCorrespondence::WorkItemId)
                            .col(WorkItemCorrespondence::CorrespondenceId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_wic_item")
                            .from(WorkItemCorrespondence::Table, WorkItemCorrespondence::WorkItemId)
                            .to(Alias::new("work_items"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_wic_correspondence")
                            .from(WorkItemCorrespondence::Table, WorkItemCorrespondence::CorrespondenceId)
                            .to(Correspondence::Table, Correspondence::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_wic_correspondence")
                    .table(WorkItemCorrespondence::Table)
                    .col(WorkItemCorrespondence::CorrespondenceId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_correspondence_in_reply_to")
                    .table(Correspondence::Table)
                    .col(Alias::new("in_reply_to"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("ix_correspondence_in_reply_to").table(Correspondence::Table).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(WorkItemCorrespondence::Table).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Alias::new("documents")).drop_column(Alias::new("part")).to_owned())
            .await?;
        for col in ["references", "in_reply_to", "recipients"] {
            manager
                .alter_table(Table::alter().table(Correspondence::Table).drop_column(Alias::new(col)).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum WorkItemCorrespondence {
    Table,
    WorkItemId,
    CorrespondenceId,
    Reason,
    LinkedAt,
}
