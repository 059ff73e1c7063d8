//! Revoked tokens: one signed token (by its `jti`), or every token of a user issued up to a
//! moment (signing a person out everywhere). A row can go once every token it covers has expired.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("token_revocations"))
                    .if_not_exists()
                    .col(uuid(Alias::new("id")).primary_key())
                    .col(string_len_null(Alias::new("jti"), 64))
                    .col(string_len(Alias::new("user_name"), 64))
                    .col(timestamp_with_time_zone_null(Alias::new("issued_before")))
                    .col(timestamp_with_time_zone(Alias::new("expires_at")))
                    .col(timestamp_with_time_zone(Alias::new("revoked_at")))
                    .col(string_len(Alias::new("revoked_by"), 64))
                    .col(string_null(Alias::new("reason")))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [("ix_token_revocations_jti", "jti"), ("ix_token_revocations_user", "user_name")] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new("token_revocations"))
                        .col(Alias::new(column))
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("token_revocations")).to_owned()).await
    }
}
