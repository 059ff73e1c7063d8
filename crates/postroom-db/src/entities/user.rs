//! `users`: the local accounts that sign in to the web UI.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// 1-64 letters, digits, '.', '_', '-', '@' (the rule for a token's user).
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_name: String,
    /// The role's wire name (`officer`, `team_leader`, ...).
    pub role: String,
    pub display_name: Option<String>,
    /// Argon2id, as a PHC string.
    pub password_hash: String,
    pub disabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// The hash stays out of logs.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("user_name", &self.user_name)
            .field("role", &self.role)
            .field("display_name", &self.display_name)
            .field("password_hash", &"[REDACTED]")
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
