//! Local user accounts for signing in to the web UI: a name (the same rule as a token's user:
//! 1-64 letters, digits, '.', '_', '-', '@'), a role (its wire name), an optional display name,
//! an Argon2id password hash (a PHC string) and whether the account is disabled.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("users"))
                    .if_not_exists()
                    .col(string_len(Alias::new("user_name"), 64).primary_key())
                    .col(string(Alias::new("role")))
                    .col(string_null(Alias::new("display_name")))
                    .col(text(Alias::new("password_hash")))
                    .col(boolean(Alias::new("disabled")).default(false))
                    .col(timestamp_with_time_zone(Alias::new("created_at")))
                    .col(timestamp_with_time_zone(Alias::new("updated_at")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("users")).to_owned()).await
    }
}
