//! Casework: who approved each account change (four-eyes), and which work item a stored
//! Idempotency-Key response belongs to (so that deciding the item forgets a stale answer).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("account_history"))
                    .add_column(string_null(Alias::new("approved_by")))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("idempotency_keys"))
                    .add_column(uuid_null(Alias::new("work_item_id")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_keys_work_item")
                    .table(Alias::new("idempotency_keys"))
                    .col(Alias::new("work_item_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop().name("ix_idempotency_keys_work_item").table(Alias::new("idempotency_keys")).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Alias::new("idempotency_keys")).drop_column(Alias::new("work_item_id")).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table(Alias::new("account_history")).drop_column(Alias::new("approved_by")).to_owned(),
            )
            .await
    }
}
