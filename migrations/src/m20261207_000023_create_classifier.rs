//! The learned classifier: the council's own labelled examples (every manual index and every
//! re-route) and the versions of the model trained on them with the shipped corpus.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("classifier_examples"))
                    .col(uuid(Alias::new("id")).primary_key())
                    .col(uuid(Alias::new("work_item_id")))
                    .col(integer(Alias::new("item_version")))
                    .col(string(Alias::new("workflow")))
                    .col(text(Alias::new("text")))
                    .col(string(Alias::new("source")))
                    .col(string(Alias::new("decided_by")))
                    .col(timestamp_with_time_zone(Alias::new("decided_at")))
                    .col(big_integer_null(Alias::new("model_version")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_classifier_examples_model_version")
                    .table(Alias::new("classifier_examples"))
                    .col(Alias::new("model_version"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("classifier_models"))
                    .col(big_integer(Alias::new("version")).primary_key())
                    .col(timestamp_with_time_zone(Alias::new("trained_at")))
                    .col(integer(Alias::new("shipped_examples")))
                    .col(integer(Alias::new("council_examples")))
                    .col(string(Alias::new("trained_by")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("classifier_models")).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("classifier_examples")).to_owned()).await
    }
}
