//! Revenues accounts, a first cut: properties, accounts, parties and the append-only history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Properties::Table)
                    .col(pk_uuid(Properties::Id))
                    .col(big_integer_null(Properties::Uprn).unique_key())
                    .col(text(Properties::Address))
                    .col(string_null(Properties::Postcode))
                    .col(string_null(Properties::CouncilTaxBand))
                    .col(big_integer_null(Properties::RateableValuePence))
                    .col(timestamp_with_time_zone(Properties::CreatedAt))
                    .col(timestamp_with_time_zone(Properties::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_properties_postcode")
                    .table(Properties::Table)
                    .col(Properties::Postcode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .col(pk_uuid(Accounts::Id))
                    .col(string_uniq(Accounts::Reference))
                    .col(string(Accounts::Service))
                    .col(uuid_null(Accounts::PropertyId))
                    .col(string(Accounts::Status))
                    .col(integer(Accounts::Version).default(1))
                    .col(timestamp_with_time_zone(Accounts::CreatedAt))
                    .col(timestamp_with_time_zone(Accounts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_accounts_property")
                            .from(Accounts::Table, Accounts::PropertyId)
                            .to(Properties::Table, Properties::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Parties::Table)
                    .col(pk_uuid(Parties::Id))
                    .col(uuid(Parties::AccountId))
                    .col(string(Parties::Name))
                    .col(string(Parties::PartyRole))
                    .col(date_null(Parties::LiableFrom))
                    .col(date_null(Parties::LiableTo))
                    .col(string_null(Parties::Email))
                    .col(string_null(Parties::Phone))
                    .col(text_null(Parties::PostalAddress))
                    .col(timestamp_with_time_zone(Parties::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_parties_account")
                            .from(Parties::Table, Parties::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_parties_account").table(Parties::Table).col(Parties::AccountId).to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_parties_name").table(Parties::Table).col(Parties::Name).to_owned())
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountHistory::Table)
                    .col(pk_uuid(AccountHistory::Id))
                    .col(uuid(AccountHistory::AccountId))
                    .col(timestamp_with_time_zone(AccountHistory::OccurredAt))
                    .col(string(AccountHistory::Actor))
                    .col(string(AccountHistory::ChangeKind))
                    .col(text_null(AccountHistory::Before))
                    .col(text_null(AccountHistory::After))
                    .col(uuid_null(AccountHistory::WorkItemId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_history_account")
                            .from(AccountHistory::Table, AccountHistory::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_history_account")
                    .table(AccountHistory::Table)
                    .col(AccountHistory::AccountId)
                    .col(AccountHistory::OccurredAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AccountHistory::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Parties::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Accounts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Properties::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Properties {
    Table,
    Id,
    Uprn,
    Address,
    Postcode,
    CouncilTaxBand,
    RateableValuePence,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Reference,
    Service,
    PropertyId,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Parties {
    Table,
    Id,
    AccountId,
    Name,
    PartyRole,
    LiableFrom,
    LiableTo,
    Email,
    Phone,
    PostalAddress,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccountHistory {
    Table,
    Id,
    AccountId,
    OccurredAt,
    Actor,
    ChangeKind,
    Before,
    After,
    WorkItemId,
}
