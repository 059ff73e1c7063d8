//! The fuller account model: a property's billing authority and retail/hospitality/leisure use,
//! the account's instalment plan, parties' preferred channel and forwarding address, Direct
//! Debit mandates, and the search terms that make account search an index lookup.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, col) in [
            ("properties", string_null(Alias::new("billing_authority"))),
            ("properties", boolean(Alias::new("retail_hospitality_leisure")).default(false).to_owned()),
            ("accounts", integer(Alias::new("instalments")).default(10).to_owned()),
            ("parties", string_null(Alias::new("preferred_channel"))),
            ("parties", text_null(Alias::new("forwarding_address"))),
        ] {
            manager.alter_table(Table::alter().table(Alias::new(table)).add_column(col).to_owned()).await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("ix_accounts_property")
                    .table(Alias::new("accounts"))
                    .col(Alias::new("property_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Mandates::Table)
                    .col(pk_uuid(Mandates::Id))
                    .col(uuid_uniq(Mandates::AccountId))
                    .col(string(Mandates::Reference))
                    .col(string(Mandates::PayerName))
                    .col(string(Mandates::SortCode))
                    .col(string(Mandates::AccountNumber))
                    .col(integer(Mandates::CollectionDay))
                    .col(string(Mandates::Status))
                    .col(string(Mandates::Lodge))
                    .col(timestamp_with_time_zone(Mandates::CreatedAt))
                    .col(timestamp_with_time_zone(Mandates::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_direct_debit_mandates_account")
                            .from(Mandates::Table, Mandates::AccountId)
                            .to(Alias::new("accounts"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // Bacs: a reference is unique per service user number + sort code + account.
        manager
            .create_index(
                Index::create()
                    .name("ux_direct_debit_mandates_bank_reference")
                    .table(Mandates::Table)
                    .col(Mandates::SortCode)
                    .col(Mandates::AccountNumber)
                    .col(Mandates::Reference)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SearchTerms::Table)
                    .col(string(SearchTerms::Term))
                    .col(uuid(SearchTerms::AccountId))
                    .primary_key(Index::create().col(SearchTerms::Term).col(SearchTerms::AccountId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_search_terms_account")
                            .from(SearchTerms::Table, SearchTerms::AccountId)
                            .to(Alias::new("accounts"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Testing one account's terms (search walking accounts in reference order) reads this
        // index alone.
        manager
            .create_index(
                Index::create()
                    .name("ix_account_search_terms_account")
                    .table(SearchTerms::Table)
                    .col(SearchTerms::AccountId)
                    .col(SearchTerms::Term)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(SearchTerms::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Mandates::Table).to_owned()).await?;
        manager.drop_index(Index::drop().name("ix_accounts_property").table(Alias::new("accounts")).to_owned()).await?;
        for (table, col) in [
            ("parties", "forwarding_address"),
            ("parties", "preferred_channel"),
            ("accounts", "instalments"),
            ("properties", "retail_hospitality_leisure"),
            ("properties", "billing_authority"),
        ] {
            manager
                .alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(col)).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Mandates {
    #[sea_orm(iden = "direct_debit_mandates")]
    Table,
    Id,
    AccountId,
    Reference,
    PayerName,
    SortCode,
    AccountNumber,
    CollectionDay,
    Status,
    Lodge,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SearchTerms {
    #[sea_orm(iden = "account_search_terms")]
    Table,
    Term,
    AccountId,
}
