//! Bill revisions: for each account and financial year, the bill as first issued (`seq` 0: its
//! issue date and total) and each revised or final notice after it (`seq` 1, 2, …: the notice
//! date, the revised total and, for a final bill, the last day of liability), so the schedule
//! shown is the original revised by each notice in turn (SI 1992/613 Sch 1 para 10; SI 1989/1058
//! Sch 1 para 6) and a reply can quote both.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("bill_revisions"))
                    .col(uuid(Alias::new("id")).primary_key())
                    .col(uuid(Alias::new("account_id")))
                    .col(string(Alias::new("year")))
                    .col(integer(Alias::new("seq")))
                    .col(date(Alias::new("notice")))
                    .col(big_integer(Alias::new("total_pence")))
                    .col(date_null(Alias::new("liability_ended")))
                    .col(uuid_null(Alias::new("work_item_id")))
                    .col(timestamp_with_time_zone(Alias::new("created_at")))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bill_revisions_account")
                            .from(Alias::new("bill_revisions"), Alias::new("account_id"))
                            .to(Alias::new("accounts"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One row per step: two completions revising the same bill at once cannot both be the next.
        manager
            .create_index(
                Index::create()
                    .name("ux_bill_revisions_account_year_seq")
                    .table(Alias::new("bill_revisions"))
                    .col(Alias::new("account_id"))
                    .col(Alias::new("year"))
                    .col(Alias::new("seq"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("bill_revisions")).to_owned()).await
    }
}
