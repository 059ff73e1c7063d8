//! The learned classifier's rows: the council's labelled examples and the model versions. An
//! example belongs to the first version that learned from it (`model_version`, set in the same
//! transaction that records the version), so a version is the same model in every process that
//! trains it: the shipped corpus plus the examples marked with it or an earlier version.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::entities::{classifier_example, classifier_model};

/// Longest text kept for an example (characters): enough for any letter's words to count.
pub const MAX_EXAMPLE_CHARS: usize = 20_000;

/// A person's decision about a letter, recorded as a labelled example.
#[derive(Debug, Clone)]
pub struct NewExample<'a> {
    pub work_item_id: Uuid,
    /// The item's version the decision was made on.
    pub item_version: i32,
    pub workflow: &'a str,
    pub text: &'a str,
    /// `indexed` or `rerouted`.
    pub source: &'a str,
    pub decided_by: &'a str,
    pub decided_at: DateTime<Utc>,
}

/// Records a labelled example (in the caller's transaction, with the decision itself).
///
/// # Errors
/// Database errors.
#[tracing::instrument(skip_all, fields(work_item = %e.work_item_id, workflow = e.workflow))]
pub async fn record_example(db: &impl ConnectionTrait, e: NewExample<'_>) -> Result<(), DbErr> {
    let text = crate::storable(e.text.chars().take(MAX_EXAMPLE_CHARS).collect());
    classifier_example::Entity::insert(classifier_example::ActiveModel {
        id: Set(Uuid::now_v7()),
        work_item_id: Set(e.work_item_id),
        item_version: Set(e.item_version),
        workflow: Set(e.workflow.to_owned()),
        text: Set(text),
        source: Set(e.source.to_owned()),
        decided_by: Set(e.decided_by.to_owned()),
        decided_at: Set(e.decided_at),
        model_version: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// One per item: its latest decision (the highest item version), so an item indexed and later
/// re-routed teaches the re-route.
#[must_use]
pub fn latest_per_item(rows: Vec<classifier_example::Model>) -> Vec<classifier_example::Model> {
    let mut latest: HashMap<Uuid, classifier_example::Model> = HashMap::new();
    for row in rows {
        match latest.get(&row.work_item_id) {
            Some(kept) if (kept.item_version, kept.id) >= (row.item_version, row.id) => {}
            _ => {
                latest.insert(row.work_item_id, row);
            }
        }
    }
    let mut out: Vec<_> = latest.into_values().collect();
    out.sort_by_key(|e| e.id);
    out
}

/// The examples model `version` learned from: those marked with it or an earlier version, one
/// per item.
///
/// # Errors
/// Database errors.
#[tracing::instrument(skip_all, fields(version))]
pub async fn examples_of(db: &impl ConnectionTrait, version: i64) -> Result<Vec<classifier_example::Model>, DbErr> {
    let rows = classifier_example::Entity::find()
        .filter(classifier_example::Column::ModelVersion.lte(version))
        .all(db)
        .await?;
    Ok(latest_per_item(rows))
}

/// The examples no version has learned from yet (all of them, one row per decision).
///
/// # Errors
/// Database errors.
#[tracing::instrument(skip_all)]
pub async fn pending_examples(db: &impl ConnectionTrait) -> Result<Vec<classifier_example::Model>, DbErr> {
    classifier_example::Entity::find()
        .filter(classifier_example::Column::ModelVersion.is_null())
        .order_by_asc(classifier_example::Column::Id)
        .all(db)
        .await
}

/// The items with decisions no version has learned from yet.
///
/// # Errors
/// Database errors.
pub async fn pending_items(db: &impl ConnectionTrait) -> Result<usize, DbErr> {
    let mut items: Vec<Uuid> = pending_examples(db).await?.into_iter().map(|e| e.work_item_id).collect();
    items.sort_unstable();
    items.dedup();
    Ok(items.len())
}

/// The latest model version.
///
/// # Errors
/// Database errors.
pub async fn latest_model(db: &impl ConnectionTrait) -> Result<Option<classifier_model::Model>, DbErr> {
    classifier_model::Entity::find().order_by_desc(classifier_model::Column::Version).one(db).await
}

/// Every model version, newest first.
///
/// # Errors
/// Database errors.
pub async fn models(db: &impl ConnectionTrait) -> Result<Vec<classifier_model::Model>, DbErr> {
    classifier_model::Entity::find().order_by_desc(classifier_model::Column::Version).all(db).await
}

/// Records a new model version and marks `learned` (the pending examples it was trained on) as
/// its own, in one transaction; `false` (nothing changed) when another process recorded that
/// version first.
///
/// # Errors
/// Database errors other than that conflict.
#[tracing::instrument(skip_all, fields(version = row.version, examples = learned.len()))]
pub async fn record_model(
    db: &impl TransactionTrait,
    row: classifier_model::Model,
    learned: &[Uuid],
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let active = classifier_model::ActiveModel {
        version: Set(row.version),
        trained_at: Set(row.trained_at),
        shipped_examples: Set(row.shipped_examples),
        council_examples: Set(row.council_examples),
        trained_by: Set(row.trained_by),
    };
    match classifier_model::Entity::insert(active).exec_without_returning(&txn).await {
        Ok(_) => {}
        Err(e) if crate::is_unique_violation(&e) => {
            txn.rollback().await?;
            return Ok(false);
        }
        Err(e) => return Err(e),
    }
    for ids in learned.chunks(500) {
        classifier_example::Entity::update_many()
            .col_expr(classifier_example::Column::ModelVersion, Expr::value(row.version))
            .filter(classifier_example::Column::Id.is_in(ids.iter().copied()))
            .filter(classifier_example::Column::ModelVersion.is_null())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(true)
}
