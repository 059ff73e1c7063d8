//! The IMAP ledger: which messages of a mailbox folder (per UIDVALIDITY) have been taken.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, OnConflict},
};
use uuid::Uuid;

use crate::entities::imap_message;

/// One message taken from a folder.
#[derive(Debug, Clone)]
pub struct Entry {
    pub mailbox: String,
    pub uid_validity: u32,
    pub uid: u32,
    pub message_id: Option<String>,
    pub correspondence_id: Option<Uuid>,
    pub outcome: String,
    pub rule: Option<String>,
}

/// The UIDs of `mailbox` under `uid_validity` already taken, and of those the ones not yet
/// moved out of the folder (or flagged).
///
/// # Errors
/// When the database fails.
pub async fn taken(
    conn: &impl ConnectionTrait,
    mailbox: &str,
    uid_validity: u32,
) -> Result<(HashSet<u32>, HashSet<u32>), DbErr> {
    let rows: Vec<(i64, Option<DateTime<Utc>>)> = imap_message::Entity::find()
        .select_only()
        .column(imap_message::Column::Uid)
        .column(imap_message::Column::MovedAt)
        .filter(imap_message::Column::Mailbox.eq(mailbox))
        .filter(imap_message::Column::UidValidity.eq(i64::from(uid_validity)))
        .into_tuple()
        .all(conn)
        .await?;
    let all = rows.iter().filter_map(|(uid, _)| u32::try_from(*uid).ok()).collect();
    let unmoved =
        rows.iter().filter(|(_, moved)| moved.is_none()).filter_map(|(uid, _)| u32::try_from(*uid).ok()).collect();
    Ok((all, unmoved))
}

/// Records a message as taken (idempotent: a second record of the same UID changes nothing).
///
/// # Errors
/// When the database fails.
pub async fn record(conn: &impl ConnectionTrait, entry: Entry, now: DateTime<Utc>) -> Result<(), DbErr> {
    imap_message::Entity::insert(imap_message::ActiveModel {
        mailbox: Set(entry.mailbox),
        uid_validity: Set(i64::from(entry.uid_validity)),
        uid: Set(i64::from(entry.uid)),
        // The sender's Message-ID as the rules read it: kept for reference, storable and bounded.
        message_id: Set(crate::storable_opt(entry.message_id).map(|m| m.chars().take(512).collect())),
        correspondence_id: Set(entry.correspondence_id),
        outcome: Set(entry.outcome),
        rule: Set(entry.rule),
        recorded_at: Set(now),
        moved_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([
            imap_message::Column::Mailbox,
            imap_message::Column::UidValidity,
            imap_message::Column::Uid,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// Marks messages moved out of the folder (or flagged).
///
/// # Errors
/// When the database fails.
pub async fn mark_moved(
    conn: &impl ConnectionTrait,
    mailbox: &str,
    uid_validity: u32,
    uids: &[u32],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if uids.is_empty() {
        return Ok(());
    }
    imap_message::Entity::update_many()
        .col_expr(imap_message::Column::MovedAt, Expr::value(now))
        .filter(imap_message::Column::Mailbox.eq(mailbox))
        .filter(imap_message::Column::UidValidity.eq(i64::from(uid_validity)))
        .filter(imap_message::Column::Uid.is_in(uids.iter().map(|u| i64::from(*u))))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Every ledger row of `mailbox` (for operators and tests), oldest first.
///
/// # Errors
/// When the database fails.
pub async fn entries(conn: &impl ConnectionTrait, mailbox_prefix: &str) -> Result<Vec<imap_message::Model>, DbErr> {
    use sea_orm::QueryOrder;
    imap_message::Entity::find()
        .filter(imap_message::Column::Mailbox.starts_with(mailbox_prefix))
        .order_by_asc(imap_message::Column::RecordedAt)
        .order_by_asc(imap_message::Column::Uid)
        .all(conn)
        .await
}
