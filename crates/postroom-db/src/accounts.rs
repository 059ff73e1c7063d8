//! Queries on accounts, properties and parties, and the accounts a work item concerns.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, sea_query::OnConflict,
};
use uuid::Uuid;

use crate::entities::{account, party, property, work_item_account};

/// Accounts with these references.
///
/// # Errors
/// When the database fails.
pub async fn by_references(conn: &impl ConnectionTrait, references: &[String]) -> Result<Vec<account::Model>, DbErr> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    account::Entity::find()
        .filter(account::Column::Reference.is_in(references.iter().cloned()))
        .order_by_asc(account::Column::Reference)
        .all(conn)
        .await
}

/// Accounts at properties with these UPRNs or postcodes, with the property.
///
/// # Errors
/// When the database fails.
pub async fn at_properties(
    conn: &impl ConnectionTrait,
    uprns: &[i64],
    postcodes: &[String],
) -> Result<Vec<(account::Model, property::Model)>, DbErr> {
    if uprns.is_empty() && postcodes.is_empty() {
        return Ok(Vec::new());
    }
    let properties = property::Entity::find()
        .filter(
            property::Column::Uprn
                .is_in(uprns.iter().copied())
                .or(property::Column::Postcode.is_in(postcodes.iter().cloned())),
        )
        .all(conn)
        .await?;
    let accounts = account::Entity::find()
        .filter(account::Column::PropertyId.is_in(properties.iter().map(|p| p.id)))
        .order_by_asc(account::Column::Reference)
        .all(conn)
        .await?;
    Ok(accounts
        .into_iter()
        .filter_map(|a| {
            let p = properties.iter().find(|p| Some(p.id) == a.property_id)?.clone();
            Some((a, p))
        })
        .collect())
}

/// The parties of these accounts.
///
/// # Errors
/// When the database fails.
pub async fn parties_of(conn: &impl ConnectionTrait, account_ids: &[Uuid]) -> Result<Vec<party::Model>, DbErr> {
    if account_ids.is_empty() {
        return Ok(Vec::new());
    }
    party::Entity::find().filter(party::Column::AccountId.is_in(account_ids.iter().copied())).all(conn).await
}

/// Links an account to a work item (idempotent).
///
/// # Errors
/// When the database fails.
pub async fn link_to_item(
    conn: &impl ConnectionTrait,
    work_item_id: Uuid,
    account_id: Uuid,
    matched_by: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    work_item_account::Entity::insert(work_item_account::ActiveModel {
        work_item_id: Set(work_item_id),
        account_id: Set(account_id),
        matched_by: Set(matched_by.to_owned()),
        linked_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([work_item_account::Column::WorkItemId, work_item_account::Column::AccountId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// The accounts a work item concerns, with how each was matched.
///
/// # Errors
/// When the database fails.
pub async fn of_item(conn: &impl ConnectionTrait, work_item_id: Uuid) -> Result<Vec<(account::Model, String)>, DbErr> {
    let links = work_item_account::Entity::find()
        .filter(work_item_account::Column::WorkItemId.eq(work_item_id))
        .all(conn)
        .await?;
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(links.iter().map(|l| l.account_id)))
        .order_by_asc(account::Column::Reference)
        .all(conn)
        .await?;
    Ok(accounts
        .into_iter()
        .filter_map(|a| {
            let how = links.iter().find(|l| l.account_id == a.id)?.matched_by.clone();
            Some((a, how))
        })
        .collect())
}

/// An account with its property and parties, as search and the account view show it.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub account: account::Model,
    pub property: Option<property::Model>,
    pub parties: Vec<party::Model>,
}

/// Accounts whose reference starts with, or whose property's UPRN is, the digits of `q`; whose
/// property has the postcode `q`; or whose liable party's name or property's address contains
/// `q` (case-insensitive). At most `limit`, by reference.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn search(conn: &impl ConnectionTrait, q: &str, limit: u64) -> Result<Vec<AccountRecord>, DbErr> {
    use sea_orm::{
        QuerySelect,
        sea_query::{Expr, Func},
    };
    let q = q.trim();
    let digits: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    let mut ids: Vec<Uuid> = Vec::new();
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        ids.extend(
            account::Entity::find()
                .filter(account::Column::Reference.starts_with(digits.as_str()))
                .order_by_asc(account::Column::Reference)
                .limit(limit)
                .all(conn)
                .await?
                .into_iter()
                .map(|a| a.id),
        );
        if let Ok(uprn) = digits.parse::<i64>() {
            ids.extend(at_properties(conn, &[uprn], &[]).await?.into_iter().map(|(a, _)| a.id));
        }
    } else {
        let postcode = q.to_uppercase();
        // Wildcards in the query are searched as nothing rather than escaped (no escape character
        // is common to SQLite and PostgreSQL).
        let pattern = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
        let properties = property::Entity::find()
            .filter(
                property::Column::Postcode
                    .eq(postcode.as_str())
                    .or(Expr::expr(Func::lower(Expr::col(property::Column::Address))).like(pattern.as_str())),
            )
            .limit(limit)
            .all(conn)
            .await?;
        ids.extend(
            account::Entity::find()
                .filter(account::Column::PropertyId.is_in(properties.iter().map(|p| p.id)))
                .all(conn)
                .await?
                .into_iter()
                .map(|a| a.id),
        );
        ids.extend(
            party::Entity::find()
                .filter(Expr::expr(Func::lower(Expr::col(party::Column::Name))).like(pattern.as_str()))
                .limit(limit)
                .all(conn)
                .await?
                .into_iter()
                .map(|p| p.account_id),
        );
    }
    ids.sort();
    ids.dedup();
    let accounts = account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .order_by_asc(account::Column::Reference)
        .limit(limit)
        .all(conn)
        .await?;
    records(conn, accounts).await
}

/// The account with this reference, with its property and parties.
///
/// # Errors
/// When the database fails.
pub async fn record(conn: &impl ConnectionTrait, reference: &str) -> Result<Option<AccountRecord>, DbErr> {
    let found = account::Entity::find().filter(account::Column::Reference.eq(reference)).one(conn).await?;
    Ok(records(conn, found.into_iter().collect()).await?.into_iter().next())
}

async fn records(conn: &impl ConnectionTrait, accounts: Vec<account::Model>) -> Result<Vec<AccountRecord>, DbErr> {
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.id).collect();
    let parties = parties_of(conn, &ids).await?;
    let properties = property::Entity::find()
        .filter(property::Column::Id.is_in(accounts.iter().filter_map(|a| a.property_id)))
        .all(conn)
        .await?;
    Ok(accounts
        .into_iter()
        .map(|a| AccountRecord {
            property: properties.iter().find(|p| Some(p.id) == a.property_id).cloned(),
            parties: parties.iter().filter(|p| p.account_id == a.id).cloned().collect(),
            account: a,
        })
        .collect())
}
