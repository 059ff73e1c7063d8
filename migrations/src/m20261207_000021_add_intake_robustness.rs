//! Intake robustness: only identical bytes are a duplicate. A different message reusing an
//! earlier Message-ID is recorded and linked to the earlier one (`possible_duplicate_of`), so the
//! Message-ID is unique only among messages that are not such repeats. The date an email claims
//! to have been sent is kept apart from when the council received it (`sent_at`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Correspondence {
    Table,
    MessageId,
    PossibleDuplicateOf,
    SentAt,
}

const OLD_UNIQUE: &str = "uq_correspondence_message_id";
const FIRST_OF_MESSAGE_ID: &str = "uq_correspondence_first_message_id";
const ALL_OF_MESSAGE_ID: &str = "ix_correspondence_message_id";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Correspondence::Table)
                    .add_column(uuid_null(Correspondence::PossibleDuplicateOf))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Correspondence::Table)
                    .add_column(timestamp_with_time_zone_null(Correspondence::SentAt))
                    .to_owned(),
            )
            .await?;
        manager.drop_index(Index::drop().name(OLD_UNIQUE).table(Correspondence::Table).to_owned()).await?;
        manager
            .create_index(
                Index::create()
                    .name(ALL_OF_MESSAGE_ID)
                    .table(Correspondence::Table)
                    .col(Correspondence::MessageId)
                    .to_owned(),
            )
            .await?;
        // The first message with a Message-ID holds it; later different messages with the same
        // one are linked to it. Racing first arrivals collide here and the loser is linked.
        manager
            .create_index(
                Index::create()
                    .name(FIRST_OF_MESSAGE_ID)
                    .table(Correspondence::Table)
                    .col(Correspondence::MessageId)
                    .unique()
                    .and_where(Expr::col(Correspondence::PossibleDuplicateOf).is_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(FIRST_OF_MESSAGE_ID).table(Correspondence::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name(ALL_OF_MESSAGE_ID).table(Correspondence::Table).to_owned()).await?;
        for column in [Correspondence::SentAt, Correspondence::PossibleDuplicateOf] {
            manager.alter_table(Table::alter().table(Correspondence::Table).drop_column(column).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name(OLD_UNIQUE)
                    .table(Correspondence::Table)
                    .col(Correspondence::MessageId)
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
