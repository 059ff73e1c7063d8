//! Named sequences, safe under concurrency on both backends (one upsert statement).

use sea_orm::{
    ActiveValue::Set,
    ConnectionTrait, DbErr, EntityTrait,
    sea_query::{Expr, OnConflict},
};

use crate::entities::counter;

/// Increments counter `name` (creating it at 1) and returns the new value.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(conn))]
pub async fn next(conn: &impl ConnectionTrait, name: &str) -> Result<i64, DbErr> {
    let row = counter::ActiveModel { name: Set(name.to_owned()), value: Set(1) };
    let model = counter::Entity::insert(row)
        .on_conflict(
            OnConflict::column(counter::Column::Name)
                .value(counter::Column::Value, Expr::col((counter::Entity, counter::Column::Value)).add(1))
                .to_owned(),
        )
        .exec_with_returning(conn)
        .await?;
    Ok(model.value)
}
