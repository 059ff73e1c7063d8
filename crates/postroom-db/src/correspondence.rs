//! Queries on correspondence and documents.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    entities::{correspondence, document, document_page},
    storable, storable_opt,
};

/// A correspondence row to insert.
#[derive(Debug, Clone)]
pub struct NewCorrespondence {
    pub id: Uuid,
    pub channel: postroom_domain::Channel,
    pub received_at: DateTime<Utc>,
    /// The sender's own date for it (an email's `Date:`), when it gave one.
    pub sent_at: Option<DateTime<Utc>>,
    pub sender: Option<String>,
    pub subject: Option<String>,
    pub content_hash: String,
    pub message_id: Option<String>,
    /// An earlier, different message with the same Message-ID.
    pub possible_duplicate_of: Option<Uuid>,
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
    /// What went wrong or was changed reading the text.
    pub text_problem: Option<String>,
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

/// The first correspondence recorded with this Message-ID (the one later, different messages
/// with the same Message-ID are linked to), if any.
///
/// # Errors
/// When the database fails.
pub async fn find_by_message_id(
    conn: &impl ConnectionTrait,
    message_id: &str,
) -> Result<Option<correspondence::Model>, DbErr> {
    correspondence::Entity::find()
        .filter(correspondence::Column::MessageId.eq(message_id))
        .filter(correspondence::Column::PossibleDuplicateOf.is_null())
        .one(conn)
        .await
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
        sent_at: Set(new.sent_at),
        sender: Set(storable_opt(new.sender)),
        subject: Set(storable_opt(new.subject)),
        content_hash: Set(new.content_hash),
        message_id: Set(storable_opt(new.message_id)),
        possible_duplicate_of: Set(new.possible_duplicate_of),
        batch_id: Set(storable_opt(new.batch_id)),
        status: Set(new.status),
        status_reason: Set(storable_opt(new.status_reason)),
        created_at: Set(now),
        recipients: Set(storable_opt(new.recipients)),
        in_reply_to: Set(storable_opt(new.in_reply_to)),
        references: Set(storable_opt(new.references)),
    })
    .exec_without_returning(conn)
    .await?;
    for d in docs {
        let body = (d.text_status == postroom_domain::TextStatus::Extracted.as_str())
            .then(|| d.extracted_text.clone())
            .flatten();
        document::Entity::insert(document::ActiveModel {
            id: Set(d.id),
            correspondence_id: Set(id),
            object_key: Set(d.object_key),
            media_type: Set(d.media_type),
            size_bytes: Set(d.size_bytes),
            sha256: Set(d.sha256),
            page_count: Set(d.page_count),
            filename: Set(storable_opt(d.filename)),
            text_status: Set(d.text_status),
            extracted_text: Set(storable_opt(d.extracted_text)),
            created_at: Set(now),
            part: Set(d.part),
            text_problem: Set(storable_opt(d.text_problem)),
        })
        .exec_without_returning(conn)
        .await?;
        if let Some(text) = body {
            let page = PageText { number: 1, source: "body".to_owned(), text, confidence: None };
            insert_pages(conn, d.id, vec![page]).await?;
        }
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

/// Several correspondence rows by id, oldest first.
///
/// # Errors
/// When the database fails.
pub async fn many(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<correspondence::Model>, DbErr> {
    correspondence::Entity::find()
        .filter(correspondence::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(correspondence::Column::ReceivedAt)
        .all(conn)
        .await
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

/// All the text read from `documents`, one document after another, for classification.
#[must_use]
pub fn joined_text(documents: &[document::Model]) -> String {
    documents.iter().filter_map(|d| d.extracted_text.as_deref()).collect::<Vec<_>>().join("\n\n")
}

/// The text of one page, to store.
#[derive(Debug, Clone)]
pub struct PageText {
    pub number: u32,
    /// `text_layer`, `ocr` or `body`.
    pub source: String,
    pub text: String,
    pub confidence: Option<f32>,
}

/// What text extraction found in a document.
#[derive(Debug, Clone)]
pub struct DocumentText {
    pub status: String,
    pub page_count: Option<u32>,
    pub pages: Vec<PageText>,
    /// All the text, for search and classification.
    pub text: Option<String>,
    pub problem: Option<String>,
}

async fn insert_pages(conn: &impl ConnectionTrait, document_id: Uuid, pages: Vec<PageText>) -> Result<(), DbErr> {
    if pages.is_empty() {
        return Ok(());
    }
    document_page::Entity::insert_many(pages.into_iter().map(|p| document_page::ActiveModel {
        document_id: Set(document_id),
        page: Set(i32::try_from(p.number).unwrap_or(i32::MAX)),
        source: Set(p.source),
        text: Set(storable(p.text)),
        confidence: Set(p.confidence),
    }))
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([document_page::Column::DocumentId, document_page::Column::Page])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// Stores what was read from a document still waiting for its text. Returns `false` (and
/// changes nothing) when the document's text was already settled.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn, text), fields(status = %text.status))]
pub async fn record_text(conn: &impl ConnectionTrait, document_id: Uuid, text: DocumentText) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let updated = document::Entity::update_many()
        .col_expr(document::Column::TextStatus, Expr::value(text.status))
        .col_expr(
            document::Column::PageCount,
            Expr::value(text.page_count.map(|n| i32::try_from(n).unwrap_or(i32::MAX))),
        )
        .col_expr(document::Column::ExtractedText, Expr::value(storable_opt(text.text)))
        .col_expr(document::Column::TextProblem, Expr::value(storable_opt(text.problem)))
        .filter(document::Column::Id.eq(document_id))
        .filter(document::Column::TextStatus.eq(postroom_domain::TextStatus::Pending.as_str()))
        .exec(conn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(false);
    }
    insert_pages(conn, document_id, text.pages).await?;
    Ok(true)
}

/// The text of each page of a document, in page order.
///
/// # Errors
/// When the database fails.
pub async fn pages_of(conn: &impl ConnectionTrait, document_id: Uuid) -> Result<Vec<document_page::Model>, DbErr> {
    document_page::Entity::find()
        .filter(document_page::Column::DocumentId.eq(document_id))
        .order_by_asc(document_page::Column::Page)
        .all(conn)
        .await
}
