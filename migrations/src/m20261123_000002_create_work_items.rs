//! Work items, their audit trail, and the counters behind human references.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_create_correspondence::Correspondence;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WorkItems::Table)
                    .col(pk_uuid(WorkItems::Id))
                    .col(string_uniq(WorkItems::Reference))
                    .col(uuid_null(WorkItems::CorrespondenceId))
                    .col(string(WorkItems::Workflow))
                    .col(string(WorkItems::Queue))
                    .col(small_integer(WorkItems::Priority))
                    .col(string(WorkItems::Status))
                    .col(timestamp_with_time_zone(WorkItems::ReceivedAt))
                    .col(date(WorkItems::DueOn))
                    .col(string_null(WorkItems::Assignee))
                    .col(integer(WorkItems::Version).default(1))
                    .col(timestamp_with_time_zone(WorkItems::CreatedAt))
                    .col(timestamp_with_time_zone(WorkItems::UpdatedAt))
                    .col(timestamp_with_time_zone_null(WorkItems::ClaimedAt))
                    .col(timestamp_with_time_zone_null(WorkItems::ClosedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_work_items_correspondence")
                            .from(WorkItems::Table, WorkItems::CorrespondenceId)
                            .to(Correspondence::Table, Correspondence::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // Claim-next and queue views: by queue and status, then priority, due date, receipt.
        manager
            .create_index(
                Index::create()
                    .name("ix_work_items_queue_status_order")
                    .table(WorkItems::Table)
                    .col(WorkItems::Queue)
                    .col(WorkItems::Status)
                    .col(WorkItems::Priority)
                    .col(WorkItems::DueOn)
                    .col(WorkItems::ReceivedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_work_items_status_due")
                    .table(WorkItems::Table)
                    .col(WorkItems::Status)
                    .col(WorkItems::DueOn)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_work_items_correspondence")
                    .table(WorkItems::Table)
                    .col(WorkItems::CorrespondenceId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WorkItemEvents::Table)
                    .col(pk_uuid(WorkItemEvents::Id))
                    .col(uuid(WorkItemEvents::WorkItemId))
                    .col(timestamp_with_time_zone(WorkItemEvents::OccurredAt))
                    .col(string(WorkItemEvents::Actor))
                    .col(string(WorkItemEvents::Action))
                    .col(string_null(WorkItemEvents::FromStatus))
                    .col(string_null(WorkItemEvents::ToStatus))
                    .col(text_null(WorkItemEvents::Details))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_work_item_events_item")
                            .from(WorkItemEvents::Table, WorkItemEvents::WorkItemId)
                            .to(WorkItems::Table, WorkItems::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_work_item_events_item")
                    .table(WorkItemEvents::Table)
                    .col(WorkItemEvents::WorkItemId)
                    .col(WorkItemEvents::OccurredAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Counters::Table)
                    .col(string(Counters::Name).primary_key())
                    .col(big_integer(Counters::Value))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Counters::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WorkItemEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(WorkItems::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum WorkItems {
    Table,
    Id,
    Reference,
    CorrespondenceId,
    Workflow,
    Queue,
    Priority,
    Status,
    ReceivedAt,
    DueOn,
    Assignee,
    Version,
    CreatedAt,
    UpdatedAt,
    ClaimedAt,
    ClosedAt,
}

#[derive(DeriveIden)]
enum WorkItemEvents {
    Table,
    Id,
    WorkItemId,
    OccurredAt,
    Actor,
    Action,
    FromStatus,
    ToStatus,
    Details,
}

#[derive(DeriveIden)]
enum Counters {
    Table,
    Name,
    Value,
}
