//! Why a work item has its workflow and priority (the classifier's scores, the rules that fired,
//! priority raises, as JSON), and the accounts a work item concerns.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("work_items"))
                    .add_column(text_null(Alias::new("classification")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WorkItemAccounts::Table)
                    .col(uuid(WorkItemAccounts::WorkItemId))
                    .col(uuid(WorkItemAccounts::AccountId))
                    .col(string(WorkItemAccounts::MatchedBy))
                    .col(timestamp_with_time_zone(WorkItemAccounts::LinkedAt))
                    .primary_key(Index::create().col(WorkItemAccounts::WorkItemId).col(WorkItemAccounts::AccountId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_wia_item")
                            .from(WorkItemAccounts::Table, WorkItemAccounts::WorkItemId)
                            .to(Alias::new("work_items"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_wia_account")
                            .from(WorkItemAccounts::Table, WorkItemAccounts::AccountId)
                            .to(Alias::new("accounts"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_wia_account")
                    .table(WorkItemAccounts::Table)
                    .col(WorkItemAccounts::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(WorkItemAccounts::Table).to_owned()).await?;
        manager
            .alter_table(
                Table::alter().table(Alias::new("work_items")).drop_column(Alias::new("classification")).to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum WorkItemAccounts {
    Table,
    WorkItemId,
    AccountId,
    MatchedBy,
    LinkedAt,
}
