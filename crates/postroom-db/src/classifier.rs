//! The learned classifier's rows: the council's labelled examples and the model versions.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::entities::{classifier_example, classifier_model};

/// Longest text kept for an example (characters): enough for any letter's words to count.
pub const MAX_EXAMPLE_CHARS: usize = 20_000;

/// A person's decision about a letter, recorded as a labelled example.
#[derive(Debug, Clone)]
pub struct NewExample<'a> {
    pub work_item_id: Uuid,
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
        workflow: Set(e.workflow.to_owned()),
        text: Set(text),
        source: Set(e.source.to_owned()),
        decided_by: Set(e.decided_by.to_owned()),
        decided_at: Set(e.decided_at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The examples decided up to `through` (none with `None`), one per item: its latest
/// decision (an item indexed and later re-routed teaches the re-route).
///
/// # Errors
/// Database errors.
#[tracing::instrument(skip_all)]
pub async fn examples_through(
    db: &impl ConnectionTrait,
    through: Option<DateTime<Utc>>,
) -> Result<Vec<classifier_example::Model>, DbErr> {
    let Some(through) = through else { return Ok(Vec::new()) };
    let rows = classifier_example::Entity::find()
        .filter(classifier_example::Column::DecidedAt.lte(through))
        .order_by_asc(classifier_example::Column::DecidedAt)
        .order_by_asc(classifier_example::Column::Id)
        .all(db)
        .await?;
    let mut latest: HashMap<Uuid, classifier_example::Model> = HashMap::new();
    for row in rows {
        latest.insert(row.work_item_id, row);
    }
    let mut out: Vec<_> = latest.into_values().collect();
    out.sort_by(|a, b| a.decided_at.cmp(&b.decided_at).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// How many examples were decided after `through` (all of them with `None`), and the latest
/// decision's instant.
///
/// # Errors
/// Database errors.
#[tracing::instrument(skip_all)]
pub async fn examples_after(
    db: &impl ConnectionTrait,
    through: Option<DateTime<Utc>>,
) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let mut q = classifier_example::Entity::find();
    if let Some(t) = through {
        q = q.filter(classifier_example::Column::DecidedAt.gt(t));
    }
    let count = q.clone().count(db).await?;
    let last = q.order_by_desc(classifier_example::Column::DecidedAt).one(db).await?.map(|e| e.decided_at);
    Ok((count, last))
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

/// Records a new model version; `false` when another process recorded that version first.
///
/// # Errors
/// Database errors other than that conflict.
#[tracing::instrument(skip_all, fields(version = row.version))]
pub async fn insert_model(db: &impl ConnectionTrait, row: classifier_model::Model) -> Result<bool, DbErr> {
    let active = classifier_model::ActiveModel {
        version: Set(row.version),
        trained_at: Set(row.trained_at),
        shipped_examples: Set(row.shipped_examples),
        council_examples: Set(row.council_examples),
        through: Set(row.through),
        trained_by: Set(row.trained_by),
    };
    match classifier_model::Entity::insert(active).exec_without_returning(db).await {
        Ok(_) => Ok(true),
        Err(e) if crate::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e),
    }
}
