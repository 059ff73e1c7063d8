//! The IMAP ledger: every message Postroom has taken from a mailbox folder, keyed by the folder,
//! its UIDVALIDITY and the message's UID, so nothing is fetched twice or missed across restarts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ImapMessages::Table)
                    .col(string(ImapMessages::Mailbox))
                    .col(big_integer(ImapMessages::UidValidity))
                    .col(big_integer(ImapMessages::Uid))
                    .col(string_null(ImapMessages::MessageId))
                    .col(uuid_null(ImapMessages::CorrespondenceId))
                    .col(string(ImapMessages::Outcome))
                    .col(string_null(ImapMessages::Rule))
                    .col(timestamp_with_time_zone(ImapMessages::RecordedAt))
                    .col(timestamp_with_time_zone_null(ImapMessages::MovedAt))
                    .primary_key(
                        Index::create()
                            .col(ImapMessages::Mailbox)
                            .col(ImapMessages::UidValidity)
                            .col(ImapMessages::Uid),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(ImapMessages::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum ImapMessages {
    Table,
    Mailbox,
    UidValidity,
    Uid,
    MessageId,
    CorrespondenceId,
    Outcome,
    Rule,
    RecordedAt,
    MovedAt,
}
