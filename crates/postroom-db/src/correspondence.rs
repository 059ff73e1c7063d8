//! Queries on correspondence and documents.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::entities::{correspondence, document};

/// A correspondence row to insert.
#[derive(Debug, Clone)]
pub struct NewCorrespondence {
    pub id: Uuid,
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub content_hash: String,
    pub message_id: Option<String>,
    pub batch_id: Option<String>,
    pub status: String,
    pub status_reason: Option<String>,
    /// JSON of `to`, `cc`, `reply_to` (email).
    pub recipients: Option<String>,
    pub in_reply_to: Option<String>,
    /// Space-separated Message-IDs.
    pub references: Option<String>,
}

/// A document row to insert.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub id: Uuid,
    pub object_key: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub page_count: Option<i32>,
    pub filename: Option<String>,
    pub text_status: String,
    pub extracted_text: Option<String>,
    /// `original`, `attachment`, `inline` or `message`.
    pub part: String,
}

/// Correspondence already recorded with these bytes, if any.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn find_by_hash(
    conn: &impl ConnectionTrait,
    content_hash: &str,
) -> Result<Option<correspondence::Model>, DbErr> {
    correspondence::Entity::find().filter(correspondence::Column::ContentHash.eq(content_hash)).one(conn).await
}

/// Correspondence already recorded with this Message-ID, if any.
///
/// # Errors
/// When the database fails.
pub async fn find_by_message_id(
    conn: &impl ConnectionTrait,
    message_id: &str,
) -> Result<Option<correspondence::Model>, DbErr> {
    correspondence::Entity::find().filter(correspondence::Column::MessageId.eq(message_id)).one(conn).await
}

/// Correspondence with any of these Message-IDs.
///
/// # Errors
/// When the database fails.
pub async fn find_by_message_ids(
    conn: &impl ConnectionTrait,
    message_ids: &[String],
) -> Result<Vec<correspondence::Model>, DbErr> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    correspondence::Entity::find()
        .filter(correspondence::Column::MessageId.is_in(message_ids.iter().cloned()))
        .all(conn)
        .await
}

/// Records correspondence and its documents.
///
/// # Errors
/// When the database fails; a duplicate content hash is a unique violation
/// (see [`crate::is_unique_violation`]).
#[tracing::instrument(skip_all, fields(correspondence_id = %new.id, documents = docs.len()))]
pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewCorrespondence,
    docs: Vec<NewDocument>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let id = new.id;
    correspondence::Entity::insert(correspondence::ActiveModel {
        id: Set(new.id),
        channel: Set(new.channel),
        received_at: Set(new.received_at),
        sender: Set(new.sender),
        subject: Set(new.subject),
        content_hash: Set(new.content_hash),
        message_id: Set(new.message_id),
        batch_id: Set(new.batch_id),
        status: Set(new.status),
        status_reason: Set(new.status_reason),
        created_at: Set(now),
        recipients: Set(new.recipients),
        in_reply_to: Set(new.in_reply_to),
        references: Set(new.references),
    })
    .exec_without_returning(conn)
    .await?;
    for d in docs {
        document::Entity::insert(document::ActiveModel {
            id: Set(d.id),
            correspondence_id: Set(id),
            object_key: Set(d.object_key),
            media_type: Set(d.media_type),
            size_bytes: Set(d.size_bytes),
            sha256: Set(d.sha256),
            page_count: Set(d.page_count),
            filename: Set(d.filename),
            text_status: Set(d.text_status),
            extracted_text: Set(d.extracted_text),
            created_at: Set(now),
            part: Set(d.part),
        })
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// One correspondence by id.
///
/// # Errors
/// When the database fails.
pub async fn get(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<correspondence::Model>, DbErr> {
    correspondence::Entity::find_by_id(id).one(conn).await
}

/// The documents of some correspondence, in the order they were stored.
///
/// # Errors
/// When the database fails.
pub async fn documents_of(
    conn: &impl ConnectionTrait,
    correspondence_ids: &[Uuid],
) -> Result<Vec<document::Model>, DbErr> {
    document::Entity::find()
        .filter(document::Column::CorrespondenceId.is_in(correspondence_ids.iter().copied()))
        .order_by_asc(document::Column::CreatedAt)
        .order_by_asc(document::Column::Id)
        .all(conn)
        .await
}

/// One document by id.
///
/// # Errors
/// When the database fails.
pub async fn document(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<document::Model>, DbErr> {
    document::Entity::find_by_id(id).one(conn).await
}
