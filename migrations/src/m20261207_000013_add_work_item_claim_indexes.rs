//! Partial indexes that keep claim-next and the queue counts index-driven however many items
//! there are: ready items per queue in claim order, and open items per queue, status and due
//! date. Their predicates are written exactly as `postroom_db::casework::claim_next` and
//! `postroom_db::queues::counts` write theirs (literal statuses, not bound parameters), so both
//! SQLite and PostgreSQL (whose generic plans cannot prove a partial index from a parameter) use
//! them. Also an index for listing by assignee.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(name, create statement)`; the same SQL on SQLite and PostgreSQL.
const INDEXES: [(&str, &str); 3] = [
    (
        "ix_work_items_ready_claim",
        "CREATE INDEX ix_work_items_ready_claim ON work_items (queue, priority, due_on, received_at, id) \
         WHERE status = 'ready'",
    ),
    (
        "ix_work_items_open_counts",
        "CREATE INDEX ix_work_items_open_counts ON work_items (queue, status, due_on) \
         WHERE status NOT IN ('done', 'cancelled')",
    ),
    ("ix_work_items_assignee", "CREATE INDEX ix_work_items_assignee ON work_items (assignee, status)"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        for (_, create) in INDEXES {
            conn.execute_unprepared(create).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES.iter().rev() {
            manager.drop_index(Index::drop().name(*name).table(Alias::new("work_items")).to_owned()).await?;
        }
        Ok(())
    }
}
