//! Dead letters: events that failed every attempt, kept where an admin can see and re-drive them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DeadLetters::Table)
                    .col(pk_uuid(DeadLetters::Id))
                    .col(uuid(DeadLetters::EventId))
                    .col(string(DeadLetters::EventType))
                    .col(string(DeadLetters::Source))
                    .col(text(DeadLetters::Payload))
                    .col(string_null(DeadLetters::CorrelationId))
                    .col(small_integer_null(DeadLetters::Priority))
                    .col(text_null(DeadLetters::Reason))
                    .col(integer(DeadLetters::Attempts))
                    .col(timestamp_with_time_zone(DeadLetters::DiedAt))
                    .col(timestamp_with_time_zone_null(DeadLetters::RetryRequestedAt))
                    .col(string_null(DeadLetters::RetryRequestedBy))
                    .col(timestamp_with_time_zone_null(DeadLetters::RetriedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dead_letters_retry")
                    .table(DeadLetters::Table)
                    .col(DeadLetters::RetriedAt)
                    .col(DeadLetters::RetryRequestedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(DeadLetters::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum DeadLetters {
    Table,
    Id,
    EventId,
    EventType,
    /// `outbox` (in-process delivery) or the broker queue the message died in.
    Source,
    Payload,
    CorrelationId,
    Priority,
    Reason,
    Attempts,
    DiedAt,
    RetryRequestedAt,
    RetryRequestedBy,
    RetriedAt,
}
