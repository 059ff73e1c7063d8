//! `POST /api/v1/admin/tokens/revoke`: a signed token, or every token of a user, stops working
//! at once (a lost laptop, a leaver, a leaked service token). `postroom revoke` does the same.

use axum::{Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use postroom_auth::TokenVerifier;
use postroom_db::revocations::{self, Revoked};
use postroom_domain::Role;

use crate::{
    error::{ApiError, Problem},
    extract::{ApiJson, Caller},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(revoke_tokens))
}

/// What to revoke: one token, or every token of a user issued until now. Exactly one of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The token itself (as printed by `postroom token` or sent as a bearer token).
    pub token: Option<String>,
    /// A user name: every token issued to them until now, web sessions included.
    pub user: Option<String>,
    /// Why, for the record (at most 2,000 characters).
    pub reason: Option<String>,
}

/// What was revoked.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevokedView {
    pub user: String,
    /// The token's id (`jti`) when one token was revoked.
    pub token_id: Option<String>,
    /// Tokens issued up to this time no longer work (when a user's tokens were revoked).
    pub issued_before: Option<DateTime<Utc>>,
    pub revoked_at: DateTime<Utc>,
}

/// Revokes what `request` names, recorded as done by `by`.
///
/// # Errors
/// 422 when neither or both of `token` and `user` are given, the token is not one of ours (or
/// already expired), the user name or reason is not valid; the database failing.
pub async fn revoke(
    db: &sea_orm::DatabaseConnection,
    verifier: &dyn TokenVerifier,
    by: &str,
    request: RevokeRequest,
    now: DateTime<Utc>,
) -> Result<RevokedView, ApiError> {
    let reason = request.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > 2000) {
        return Err(ApiError::invalid("reason", "at most 2,000 characters"));
    }
    let (user, what, view_id, view_before) = match (request.token.as_deref(), request.user.as_deref()) {
        (Some(token), None) => {
            let principal = verifier
                .verify(token.trim())
                .map_err(|e| ApiError::invalid("token", format!("not a token that works now ({e})")))?;
            let id = principal.token.ok_or_else(|| ApiError::invalid("token", "this token cannot be revoked"))?;
            let expires_at = DateTime::from_timestamp(id.expires_at, 0).unwrap_or(now);
            (principal.user, Revoked::Token { jti: id.id.clone(), expires_at }, Some(id.id), None)
        }
        (None, Some(user)) => {
            postroom_auth::validate_user(user).map_err(|e| ApiError::invalid("user", e.to_string()))?;
            let lifetime = chrono::Duration::from_std(verifier.max_lifetime()).unwrap_or(chrono::Duration::MAX);
            let expires_at = now.checked_add_signed(lifetime).unwrap_or(DateTime::<Utc>::MAX_UTC);
            (user.to_owned(), Revoked::IssuedBefore { issued_before: now, expires_at }, None, Some(now))
        }
        _ => return Err(ApiError::invalid("token", "give either token or user")),
    };
    revocations::revoke(db, &user, what, by, reason, now).await?;
    tracing::info!(revoked_by = by, "tokens revoked");
    Ok(RevokedView { user, token_id: view_id, issued_before: view_before, revoked_at: now })
}

/// Revokes a token, or every token of a user issued until now (their web sessions too): they
/// get 401 from the next request. Admins.
#[utoipa::path(post, path = "/api/v1/admin/tokens/revoke", tag = "administration",
    request_body = RevokeRequest,
    responses((status = 200, body = RevokedView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Neither or both of token and user, or a token that is not ours", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all, fields(user = caller.user()))]
pub async fn revoke_tokens(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<RevokeRequest>,
) -> Result<Json<RevokedView>, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(Json(revoke(&state.db, state.verifier.as_ref(), caller.user(), request, Utc::now()).await?))
}
