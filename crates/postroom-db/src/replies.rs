//! Replies and print batches: inserting a draft, reading, and conditional updates that move a
//! reply on only from the state (and version) its caller saw, so two writers never both win.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::{
    entities::{
        print_batch,
        reply::{self, Column},
    },
    storable,
};

/// A print batch letters still join.
pub const BATCH_OPEN: &str = "open";
/// A print batch the print room has printed.
pub const BATCH_PRINTED: &str = "printed";

/// A reply as drafted at completion.
#[derive(Debug, Clone)]
pub struct NewReply {
    pub work_item_id: Uuid,
    pub correspondence_id: Option<Uuid>,
    pub template: String,
    pub channel: String,
    pub recipient_name: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub needs_team_leader: bool,
    pub author: String,
    pub in_reply_to: Option<String>,
    pub references: Option<String>,
}

/// Inserts a draft.
///
/// # Errors
/// The database failing.
#[tracing::instrument(skip_all, fields(work_item_id = %new.work_item_id))]
pub async fn insert(db: &impl ConnectionTrait, new: NewReply, now: DateTime<Utc>) -> Result<reply::Model, DbErr> {
    let row = reply::ActiveModel {
        id: Set(Uuid::now_v7()),
        work_item_id: Set(new.work_item_id),
        correspondence_id: Set(new.correspondence_id),
        template: Set(new.template),
        channel: Set(new.channel),
        recipient_name: Set(storable(new.recipient_name)),
        recipient: Set(storable(new.recipient)),
        subject: Set(storable(new.subject)),
        body: Set(storable(new.body)),
        status: Set("draft".to_owned()),
        version: Set(1),
        needs_team_leader: Set(new.needs_team_leader),
        author: Set(new.author),
        created_at: Set(now),
        updated_at: Set(now),
        updated_by: Set(None),
        approved_by: Set(None),
        approved_at: Set(None),
        message_id: Set(None),
        in_reply_to: Set(new.in_reply_to.map(storable)),
        references: Set(new.references.map(storable)),
        stored_key: Set(None),
        attempts: Set(0),
        sending_since: Set(None),
        sent_at: Set(None),
        server_response: Set(None),
        last_error: Set(None),
        print_batch_id: Set(None),
    };
    reply::Entity::insert(row).exec_with_returning(db).await
}

/// The reply `id`.
///
/// # Errors
/// The database failing.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<reply::Model>, DbErr> {
    reply::Entity::find_by_id(id).one(db).await
}

/// The replies of a work item, oldest first.
///
/// # Errors
/// The database failing.
pub async fn for_item(db: &impl ConnectionTrait, work_item_id: Uuid) -> Result<Vec<reply::Model>, DbErr> {
    reply::Entity::find()
        .filter(Column::WorkItemId.eq(work_item_id))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The reply we sent with Message-ID `message_id`, if any (a customer answering it threads back).
///
/// # Errors
/// The database failing.
pub async fn by_message_ids(db: &impl ConnectionTrait, message_ids: &[String]) -> Result<Vec<reply::Model>, DbErr> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    reply::Entity::find().filter(Column::MessageId.is_in(message_ids.iter().cloned())).all(db).await
}

/// Writes `changes` to reply `id` only while its status is one of `from` (and its version is
/// `version`, when given). Whether it did.
///
/// # Errors
/// The database failing.
#[tracing::instrument(skip_all, fields(reply = %id))]
pub async fn update_if(
    db: &impl ConnectionTrait,
    id: Uuid,
    from: &[&str],
    version: Option<i32>,
    changes: reply::ActiveModel,
) -> Result<bool, DbErr> {
    let mut update = reply::Entity::update_many()
        .set(changes)
        .filter(Column::Id.eq(id))
        .filter(Column::Status.is_in(from.iter().map(|s| (*s).to_owned())));
    if let Some(version) = version {
        update = update.filter(Column::Version.eq(version));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// The letters of a print batch, in the order they joined it.
///
/// # Errors
/// The database failing.
pub async fn in_batch(db: &impl ConnectionTrait, batch: Uuid) -> Result<Vec<reply::Model>, DbErr> {
    reply::Entity::find()
        .filter(Column::PrintBatchId.eq(batch))
        .order_by_asc(Column::SentAt)
        .order_by_asc(Column::Id)
        .all(db)
        .await
}

/// The open print batch of `day`, made if there is none yet, locked (PostgreSQL) until `db`'s
/// transaction ends: a batch being marked printed meanwhile is waited for and then no longer
/// found open, so a letter never joins a batch as it is printed.
///
/// # Errors
/// The database failing.
#[tracing::instrument(skip_all, fields(%day))]
pub async fn open_batch(
    db: &impl ConnectionTrait,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<print_batch::Model, DbErr> {
    let find = || print_batch::Entity::find().filter(print_batch::Column::OpenDay.eq(day)).lock_exclusive();
    if let Some(open) = find().one(db).await? {
        return Ok(open);
    }
    let row = print_batch::ActiveModel {
        id: Set(Uuid::now_v7()),
        day: Set(day),
        status: Set(BATCH_OPEN.to_owned()),
        open_day: Set(Some(day)),
        created_at: Set(now),
        printed_at: Set(None),
        printed_by: Set(None),
    };
    // Another worker may make it first (one open batch a day): then theirs is the one.
    print_batch::Entity::insert(row)
        .on_conflict(OnConflict::column(print_batch::Column::OpenDay).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    find().one(db).await?.ok_or_else(|| DbErr::RecordNotFound(format!("open print batch of {day}")))
}

/// Locks print batch `id` (PostgreSQL) until `db`'s transaction ends, and reads it.
///
/// # Errors
/// The database failing.
pub async fn lock_batch(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<print_batch::Model>, DbErr> {
    print_batch::Entity::find_by_id(id).lock_exclusive().one(db).await
}

/// A print batch and how many letters it holds.
#[derive(Debug, Clone)]
pub struct BatchSummary {
    pub batch: print_batch::Model,
    pub letters: u64,
}

/// Print batches, newest day first, `limit` of them.
///
/// # Errors
/// The database failing.
pub async fn batches(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<BatchSummary>, DbErr> {
    let found = print_batch::Entity::find()
        .order_by_desc(print_batch::Column::Day)
        .order_by_desc(print_batch::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for batch in found {
        let letters = reply::Entity::find().filter(Column::PrintBatchId.eq(batch.id)).count(db).await?;
        out.push(BatchSummary { batch, letters });
    }
    Ok(out)
}

/// The print batch `id`.
///
/// # Errors
/// The database failing.
pub async fn find_batch(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<print_batch::Model>, DbErr> {
    print_batch::Entity::find_by_id(id).one(db).await
}

/// Marks an open batch printed by `by`. Whether it was open.
///
/// # Errors
/// The database failing.
pub async fn mark_printed(db: &impl ConnectionTrait, id: Uuid, by: &str, now: DateTime<Utc>) -> Result<bool, DbErr> {
    let changes = print_batch::ActiveModel {
        status: Set(BATCH_PRINTED.to_owned()),
        open_day: Set(None),
        printed_at: Set(Some(now)),
        printed_by: Set(Some(by.to_owned())),
        ..Default::default()
    };
    let done = print_batch::Entity::update_many()
        .set(changes)
        .filter(print_batch::Column::Id.eq(id))
        .filter(print_batch::Column::Status.eq(BATCH_OPEN))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
