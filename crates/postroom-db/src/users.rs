//! The local accounts that sign in to the web UI: kept with `postroom user`, read at sign-in.
//! Names are checked by the caller (postroom-auth's `validate_user`), passwords arrive hashed.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, OnConflict},
};

use postroom_domain::Role;

use crate::entities::user;

/// A local user account.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub user_name: String,
    pub role: Role,
    pub display_name: Option<String>,
    /// Argon2id, as a PHC string (check it with postroom-auth's `verify_password`).
    pub password_hash: String,
    /// A disabled user cannot sign in.
    pub disabled: bool,
}

/// The hash stays out of logs.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("user_name", &self.user_name)
            .field("role", &self.role)
            .field("display_name", &self.display_name)
            .field("password_hash", &"[REDACTED]")
            .field("disabled", &self.disabled)
            .finish()
    }
}

impl TryFrom<user::Model> for User {
    type Error = DbErr;

    fn try_from(m: user::Model) -> Result<Self, DbErr> {
        let role =
            m.role.parse::<Role>().map_err(|e| DbErr::Custom(format!("user {}: stored role: {e}", m.user_name)))?;
        Ok(Self {
            user_name: m.user_name,
            role,
            display_name: m.display_name,
            password_hash: m.password_hash,
            disabled: m.disabled,
        })
    }
}

/// Adds `user`, or replaces the role, display name and password hash of the one already there
/// (whether it is disabled is kept).
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(db, password_hash, display_name), fields(role = %role))]
pub async fn upsert(
    db: &impl ConnectionTrait,
    user: &str,
    role: Role,
    display_name: Option<&str>,
    password_hash: &str,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let row = user::ActiveModel {
        user_name: Set(user.to_owned()),
        role: Set(role.as_str().to_owned()),
        display_name: Set(display_name.map(|d| crate::storable(d.to_owned()))),
        password_hash: Set(password_hash.to_owned()),
        disabled: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    };
    user::Entity::insert(row)
        .on_conflict(
            OnConflict::column(user::Column::UserName)
                .update_columns([
                    user::Column::Role,
                    user::Column::DisplayName,
                    user::Column::PasswordHash,
                    user::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// The user called `user`, if any.
///
/// # Errors
/// When the database fails or holds a role this version does not know.
pub async fn find(db: &impl ConnectionTrait, user: &str) -> Result<Option<User>, DbErr> {
    user::Entity::find_by_id(user.to_owned()).one(db).await?.map(User::try_from).transpose()
}

/// Every user, by name.
///
/// # Errors
/// When the database fails or holds a role this version does not know.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<User>, DbErr> {
    user::Entity::find().order_by_asc(user::Column::UserName).all(db).await?.into_iter().map(User::try_from).collect()
}

/// Disables (or enables again) `user`; `false` when there is no such user.
///
/// # Errors
/// When the database fails.
#[tracing::instrument(skip(db))]
pub async fn set_disabled(db: &impl ConnectionTrait, user: &str, disabled: bool) -> Result<bool, DbErr> {
    let done = user::Entity::update_many()
        .col_expr(user::Column::Disabled, Expr::value(disabled))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::UserName.eq(user))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;
    use uuid::Uuid;

    use super::*;

    #[tokio::test]
    async fn users_are_added_replaced_listed_and_disabled() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        users_round_trip(&format!("sqlite://{}/users.db?mode=rwc", dir.path().display())).await?;
        if let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") {
            let name = format!("postroom_users_{}", Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(&admin_url).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            let mut url = url::Url::parse(&admin_url)?;
            url.set_path(&format!("/{name}"));
            let outcome = users_round_trip(url.as_str()).await;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
            outcome?;
        }
        Ok(())
    }

    const MIGRATION: &str = "m20261208_000031_create_users";

    async fn users_round_trip(url: &str) -> anyhow::Result<()> {
        let db = crate::connect(url, &crate::PoolOptions::default()).await?;
        crate::migrate(&db).await?;
        assert_eq!(find(&db, "alice").await?, None);
        assert!(list(&db).await?.is_empty());
        assert!(!set_disabled(&db, "alice", true).await?, "no such user");

        upsert(&db, "zed", Role::Auditor, None, "$argon2id$zed").await?;
        upsert(&db, "alice", Role::Officer, Some("Alice Smith"), "$argon2id$one").await?;
        let alice = find(&db, "alice").await?.ok_or_else(|| anyhow::anyhow!("alice missing"))?;
        assert_eq!(
            alice,
            User {
                user_name: "alice".into(),
                role: Role::Officer,
                display_name: Some("Alice Smith".into()),
                password_hash: "$argon2id$one".into(),
                disabled: false,
            }
        );
        assert!(!format!("{alice:?}").contains("$argon2id$one"), "Debug shows the hash");

        assert!(set_disabled(&db, "alice", true).await?);
        // Adding her again replaces role, name and hash, and keeps her disabled.
        upsert(&db, "alice", Role::TeamLeader, None, "$argon2id$two").await?;
        let names: Vec<_> = list(&db).await?.into_iter().map(|u| (u.user_name, u.role, u.disabled)).collect();
        assert_eq!(names, [("alice".to_owned(), Role::TeamLeader, true), ("zed".to_owned(), Role::Auditor, false)]);
        let alice = find(&db, "alice").await?.ok_or_else(|| anyhow::anyhow!("alice missing"))?;
        assert_eq!((alice.display_name, alice.password_hash.as_str()), (None, "$argon2id$two"));

        assert!(set_disabled(&db, "alice", false).await?);
        assert!(!find(&db, "alice").await?.is_some_and(|u| u.disabled));

        // The migration goes down (the table with it) and up again.
        while crate::migration_status(&db).await?.iter().any(|(name, applied)| name == MIGRATION && *applied) {
            crate::rollback(&db, 1).await?;
        }
        assert!(list(&db).await.is_err(), "the users table is gone");
        crate::migrate(&db).await?;
        assert!(list(&db).await?.is_empty());
        db.close().await?;
        Ok(())
    }
}
