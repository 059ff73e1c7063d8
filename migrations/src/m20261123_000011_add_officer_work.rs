//! Officer work: the claim's last activity, the SLA pause (paused since, bring-forward date), the
//! queue an item was referred from, a completion waiting for four-eyes approval; the queues each
//! officer may work; idempotency keys for retried completions; and the discounts, exemptions,
//! premiums and reliefs an account has, with their periods.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const WORK_ITEM_COLUMNS: [&str; 6] =
    ["active_at", "paused_on", "bring_forward_on", "home_queue", "pending_completion", "completed_by"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [
            timestamp_with_time_zone_null(Alias::new("active_at")),
            date_null(Alias::new("paused_on")),
            date_null(Alias::new("bring_forward_on")),
            string_null(Alias::new("home_queue")),
            text_null(Alias::new("pending_completion")),
            string_null(Alias::new("completed_by")),
        ] {
            manager.alter_table(Table::alter().table(Alias::new("work_items")).add_column(col).to_owned()).await?;
        }
        // Claim expiry and bring-forward look items up by status and time.
        manager
            .create_index(
                Index::create()
                    .name("ix_work_items_status_active")
                    .table(Alias::new("work_items"))
                    .col(Alias::new("status"))
                    .col(Alias::new("active_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(QueueMembers::Table)
                    .col(string(QueueMembers::UserName))
                    .col(string(QueueMembers::Queue))
                    .col(string(QueueMembers::AddedBy))
                    .col(timestamp_with_time_zone(QueueMembers::AddedAt))
                    .primary_key(Index::create().col(QueueMembers::UserName).col(QueueMembers::Queue))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(string(IdempotencyKeys::UserName))
                    .col(string(IdempotencyKeys::Key))
                    .col(string(IdempotencyKeys::RequestHash))
                    .col(small_integer(IdempotencyKeys::Status))
                    .col(text(IdempotencyKeys::Body))
                    .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                    .primary_key(Index::create().col(IdempotencyKeys::UserName).col(IdempotencyKeys::Key))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountAdjustments::Table)
                    .col(pk_uuid(AccountAdjustments::Id))
                    .col(uuid(AccountAdjustments::AccountId))
                    .col(string(AccountAdjustments::Category))
                    .col(string(AccountAdjustments::Code))
                    .col(date(AccountAdjustments::ValidFrom))
                    .col(date_null(AccountAdjustments::ValidTo))
                    .col(text_null(AccountAdjustments::Details))
                    .col(uuid_null(AccountAdjustments::WorkItemId))
                    .col(timestamp_with_time_zone(AccountAdjustments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_adjustments_account")
                            .from(AccountAdjustments::Table, AccountAdjustments::AccountId)
                            .to(Alias::new("accounts"), Alias::new("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_adjustments_account")
                    .table(AccountAdjustments::Table)
                    .col(AccountAdjustments::AccountId)
                    .col(AccountAdjustments::ValidFrom)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AccountAdjustments::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(QueueMembers::Table).to_owned()).await?;
        manager
            .drop_index(Index::drop().name("ix_work_items_status_active").table(Alias::new("work_items")).to_owned())
            .await?;
        for col in WORK_ITEM_COLUMNS.into_iter().rev() {
            manager
                .alter_table(Table::alter().table(Alias::new("work_items")).drop_column(Alias::new(col)).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum QueueMembers {
    Table,
    UserName,
    Queue,
    AddedBy,
    AddedAt,
}

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    UserName,
    Key,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AccountAdjustments {
    Table,
    Id,
    AccountId,
    /// `discount`, `exemption`, `premium`, `relief` or `disabled_band_reduction`.
    Category,
    /// Which one, e.g. `single_person` or `class_c`.
    Code,
    ValidFrom,
    ValidTo,
    /// Anything else the kind needs (percentages, evidence), as JSON.
    Details,
    WorkItemId,
    CreatedAt,
}
