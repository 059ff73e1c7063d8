//! Replies: the drafts rendered when an item is completed, their approval and sending, and the
//! daily print batches letters are collected into.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("print_batches"))
                    .col(uuid(Alias::new("id")).primary_key())
                    .col(date(Alias::new("day")))
                    .col(string(Alias::new("status")))
                    .col(date_null(Alias::new("open_day")))
                    .col(timestamp_with_time_zone(Alias::new("created_at")))
                    .col(timestamp_with_time_zone_null(Alias::new("printed_at")))
                    .col(string_null(Alias::new("printed_by")))
                    .to_owned(),
            )
            .await?;
        // One open batch a day (`open_day` is cleared when it is printed): two workers adding the
        // day's first letter agree on it.
        manager
            .create_index(
                Index::create()
                    .name("ux_print_batches_open_day")
                    .table(Alias::new("print_batches"))
                    .col(Alias::new("open_day"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("replies"))
                    .col(uuid(Alias::new("id")).primary_key())
                    .col(uuid(Alias::new("work_item_id")))
                    .col(uuid_null(Alias::new("correspondence_id")))
                    .col(string(Alias::new("template")))
                    .col(string(Alias::new("channel")))
                    .col(string(Alias::new("recipient_name")))
                    .col(text(Alias::new("recipient")))
                    .col(text(Alias::new("subject")))
                    .col(text(Alias::new("body")))
                    .col(string(Alias::new("status")))
                    .col(integer(Alias::new("version")))
                    .col(boolean(Alias::new("needs_team_leader")))
                    .col(string(Alias::new("author")))
                    .col(timestamp_with_time_zone(Alias::new("created_at")))
                    .col(timestamp_with_time_zone(Alias::new("updated_at")))
                    .col(string_null(Alias::new("updated_by")))
                    .col(string_null(Alias::new("approved_by")))
                    .col(timestamp_with_time_zone_null(Alias::new("approved_at")))
                    .col(string_null(Alias::new("message_id")))
                    .col(string_null(Alias::new("in_reply_to")))
                    .col(text_null(Alias::new("references")))
                    .col(string_null(Alias::new("stored_key")))
                    .col(integer(Alias::new("attempts")))
                    .col(timestamp_with_time_zone_null(Alias::new("sending_since")))
                    .col(timestamp_with_time_zone_null(Alias::new("sent_at")))
                    .col(text_null(Alias::new("server_response")))
                    .col(text_null(Alias::new("last_error")))
                    .col(uuid_null(Alias::new("print_batch_id")))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_replies_work_item")
                            .from(Alias::new("replies"), Alias::new("work_item_id"))
                            .to(Alias::new("work_items"), Alias::new("id")),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_replies_print_batch")
                            .from(Alias::new("replies"), Alias::new("print_batch_id"))
                            .to(Alias::new("print_batches"), Alias::new("id")),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_replies_work_item", "work_item_id"),
            ("ix_replies_print_batch", "print_batch_id"),
            ("ix_replies_message_id", "message_id"),
        ] {
            manager
                .create_index(
                    Index::create().name(name).table(Alias::new("replies")).col(Alias::new(column)).to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("replies")).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("print_batches")).to_owned()).await
    }
}
