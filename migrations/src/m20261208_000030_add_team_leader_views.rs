//! What team leaders watch: each work item's UK receipt and closing days (`received_on`,
//! `closed_on`: the SLA figures compare dates, and a timestamp cannot be turned into a UK date
//! the same way on SQLite and PostgreSQL), the indexes the dashboard and the SLA report read,
//! the escalations already raised (`workitem.breach_warning`, `workitem.overdue`: one row per
//! item, threshold and due date, so each is raised once however many workers run and however
//! often they restart), and the daily digests sent.

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{DbBackend, Statement, Value},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(name, create statement)`; the same SQL on SQLite and PostgreSQL. Each covers the columns
/// its statements read, so PostgreSQL can answer from the index alone; those for closed work
/// lead with the status the statements fix (`status = 'done'`), then the closing day, so SQLite,
/// which keeps no statistics, prefers them to an index on the status alone. The open-work predicate
/// is written literally, as the dashboard's statement writes it, so every plan can use it.
const INDEXES: [(&str, &str); 7] = [
    (
        "ix_work_items_open_dashboard",
        "CREATE INDEX ix_work_items_open_dashboard ON work_items (queue, priority, status, due_on, received_on) \
         WHERE status NOT IN ('done', 'cancelled')",
    ),
    (
        "ix_work_items_closed_on",
        "CREATE INDEX ix_work_items_closed_on ON work_items (status, closed_on, queue, workflow, due_on, received_on)",
    ),
    (
        "ix_work_items_done_by",
        "CREATE INDEX ix_work_items_done_by ON work_items (status, closed_on, completed_by, claimed_at, closed_at)",
    ),
    (
        "ix_work_items_open_assignee",
        "CREATE INDEX ix_work_items_open_assignee ON work_items (assignee, status) \
         WHERE status NOT IN ('done', 'cancelled')",
    ),
    (
        "ix_work_items_awaiting_approval",
        "CREATE INDEX ix_work_items_awaiting_approval ON work_items (completed_by) WHERE status = 'awaiting_approval'",
    ),
    (
        "ix_work_items_open_due",
        "CREATE INDEX ix_work_items_open_due ON work_items (due_on, id) WHERE status NOT IN ('done', 'cancelled')",
    ),
    (
        "ix_work_items_received_on",
        "CREATE INDEX ix_work_items_received_on ON work_items (received_on, queue, workflow, status, due_on)",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Each step is safe to run again: SQLite migrations are not one transaction, so one
        // stopped half way is run again from the start.
        for column in ["received_on", "closed_on"] {
            if manager.has_column("work_items", column).await? {
                continue;
            }
            manager
                .alter_table(
                    Table::alter().table(Alias::new("work_items")).add_column(date_null(Alias::new(column))).to_owned(),
                )
                .await?;
        }
        backfill(manager).await?;
        let conn = manager.get_connection();
        for (_, create) in INDEXES {
            conn.execute_unprepared(&create.replacen("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1)).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("work_item_escalations"))
                    .if_not_exists()
                    .col(uuid(Alias::new("work_item_id")))
                    .col(string(Alias::new("threshold")))
                    .col(date(Alias::new("due_on")))
                    .col(timestamp_with_time_zone(Alias::new("raised_at")))
                    .primary_key(
                        Index::create()
                            .col(Alias::new("work_item_id"))
                            .col(Alias::new("threshold"))
                            .col(Alias::new("due_on")),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("digests"))
                    .if_not_exists()
                    .col(date(Alias::new("day")).primary_key())
                    .col(string(Alias::new("status")))
                    .col(text(Alias::new("recipients")))
                    .col(integer(Alias::new("attempts")))
                    .col(timestamp_with_time_zone(Alias::new("created_at")))
                    .col(timestamp_with_time_zone_null(Alias::new("sending_since")))
                    .col(timestamp_with_time_zone_null(Alias::new("sent_at")))
                    .col(text_null(Alias::new("outcome")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("digests")).to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("work_item_escalations")).to_owned()).await?;
        for (name, _) in INDEXES.iter().rev() {
            manager.drop_index(Index::drop().name(*name).table(Alias::new("work_items")).to_owned()).await?;
        }
        for column in ["closed_on", "received_on"] {
            manager
                .alter_table(Table::alter().table(Alias::new("work_items")).drop_column(Alias::new(column)).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Most rows one backfill statement writes.
const BACKFILL_BATCH: usize = 500;

/// Fills the new columns of the items already there with the UK (Europe/London) dates of their
/// timestamps: PostgreSQL converts them itself; SQLite has no time zones, so the rows still
/// without a receipt day are read and written back, 500 to a statement.
async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = manager.get_connection();
    if manager.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared(
            "UPDATE work_items SET received_on = (received_at AT TIME ZONE 'Europe/London')::date, \
             closed_on = (closed_at AT TIME ZONE 'Europe/London')::date",
        )
        .await?;
        return Ok(());
    }
    let rows = conn
        .query_all(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT id, received_at, closed_at FROM work_items WHERE received_on IS NULL",
        ))
        .await?;
    let uk = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&chrono_tz::Europe::London).date_naive();
    for batch in rows.chunks(BACKFILL_BATCH) {
        let (mut received, mut closed, mut ids, mut values) = (String::new(), String::new(), Vec::new(), Vec::new());
        let mut closed_values = Vec::new();
        for row in batch {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let received_at: chrono::DateTime<chrono::Utc> = row.try_get("", "received_at")?;
            let closed_at: Option<chrono::DateTime<chrono::Utc>> = row.try_get("", "closed_at")?;
            received.push_str(" WHEN ? THEN ?");
            values.extend([Value::from(id), Value::from(uk(received_at))]);
            closed.push_str(" WHEN ? THEN ?");
            closed_values.extend([Value::from(id), Value::from(closed_at.map(uk))]);
            ids.push(Value::from(id));
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let sql = format!(
            "UPDATE work_items SET received_on = CASE id{received} END, closed_on = CASE id{closed} END \
             WHERE id IN ({marks})"
        );
        values.extend(closed_values);
        values.extend(ids);
        conn.execute(Statement::from_sql_and_values(DbBackend::Sqlite, sql, values)).await?;
    }
    Ok(())
}
