//! Why a work item has its workflow and priority: the classifier's scores, the rules that fired,
//! and priority raises (JSON).

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
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Alias::new("work_items")).drop_column(Alias::new("classification")).to_owned(),
            )
            .await
    }
}
