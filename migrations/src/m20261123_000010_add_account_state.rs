//! What the account's state says about urgency: its recovery stage and a vulnerability flag.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in
            [string_null(Alias::new("recovery_stage")), boolean(Alias::new("vulnerable")).default(false).to_owned()]
        {
            manager.alter_table(Table::alter().table(Alias::new("accounts")).add_column(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in ["vulnerable", "recovery_stage"] {
            manager
                .alter_table(Table::alter().table(Alias::new("accounts")).drop_column(Alias::new(col)).to_owned())
                .await?;
        }
        Ok(())
    }
}
