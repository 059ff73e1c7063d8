//! `token_revocations`: signed tokens that no longer count (one by its `jti`, or a user's up to
//! `issued_before`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "token_revocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The one token revoked; `None` for every token of the user issued up to `issued_before`.
    pub jti: Option<String>,
    pub user_name: String,
    pub issued_before: Option<DateTimeUtc>,
    /// When every token it covers has expired (the row can go then).
    pub expires_at: DateTimeUtc,
    pub revoked_at: DateTimeUtc,
    pub revoked_by: String,
    pub reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
