//! Extractors whose rejections are problem+json like every other error, and the caller's
//! identity from the bearer token.

use axum::{
    body::Bytes,
    extract::{
        FromRequest, FromRequestParts, RawPathParams, Request,
        rejection::{PathRejection, QueryRejection},
    },
    http::{HeaderMap, StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;

use postroom_auth::Principal;
use postroom_domain::Role;

use crate::{error::ApiError, nul, state::AppState};

/// `Json` whose rejection is a problem: a body that is not JSON is a 400 saying where (line and
/// column); JSON of the wrong shape is a 422 whose `errors` name the field (`bring_forward_on`:
/// "required"; an unknown field with the accepted ones; a wrong type with the one wanted). An
/// empty body reads as `{}`, whatever its content type, so an action whose fields are all
/// optional needs none; a non-empty body must be `application/json` (or `application/*+json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(req.headers());
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(e.body_text())
            } else {
                ApiError::BadRequest(e.body_text())
            }
        })?;
        if body.is_empty() {
            return Ok(Self(read_json(b"{}")?));
        }
        if !json {
            return Err(ApiError::UnsupportedMediaType("send the body as application/json".to_owned()));
        }
        Ok(Self(read_json(&body)?))
    }
}

/// Reads a JSON body as `T` the way [`ApiJson`] does: 422 naming each field that holds a NUL
/// character, then as [`postroom_accounts::input::from_slice`] (400 where it is not JSON, 422
/// naming the field of the wrong shape).
///
/// # Errors
/// As above.
pub fn read_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    nul::check_json(body)?;
    Ok(postroom_accounts::input::from_slice(body)?)
}

/// Whether the request says its body is JSON: `application/json` or `application/*+json`, with
/// any parameters.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(media) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json"
        || essence.strip_prefix("application/").is_some_and(|sub| sub.ends_with("+json") && sub.len() > "+json".len())
}

/// `Path` whose rejection is a problem; a segment holding a NUL (`%00`) is a 400 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(raw) = RawPathParams::from_request_parts(parts, state).await {
            nul::check_path(&raw)?;
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(ApiError::BadRequest(e.body_text())),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// `Query` whose rejection is a problem; a parameter holding a NUL (`%00`) is a 400 naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(axum::extract::Query(pairs)) = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
        {
            nul::check_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => Err(ApiError::BadRequest(e.body_text())),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// The authenticated caller. Every `/api/v1` handler takes one, so no route is open by mistake.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Caller {
    /// Refuses callers whose role is not in `roles`.
    ///
    /// # Errors
    /// 403 naming the roles allowed.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!("role {} may not do this; allowed: {}", self.0.role, allowed.join(", "))))
        }
    }

    /// The caller's user name.
    #[must_use]
    pub fn user(&self) -> &str {
        &self.0.user
    }

    /// The caller as the work-item use cases see them.
    #[must_use]
    pub fn casework(&self) -> postroom_casework::Caller {
        postroom_casework::Caller::new(self.0.user.clone(), self.0.role)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::Unauthorized("send Authorization: Bearer <token>".to_owned()))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthorized("the Authorization header must be 'Bearer <token>'".to_owned()))?;
        let principal = state.verifier.verify(token).map_err(|e| ApiError::Unauthorized(e.to_string()))?;
        if revoked(&state.db, &principal).await? {
            return Err(ApiError::Unauthorized("the bearer token has been revoked: ask for a new one".to_owned()));
        }
        tracing::Span::current().record("user", principal.user.as_str());
        Ok(Self(principal))
    }
}

/// Whether the principal's signed token is on the revocation list (itself, or all of its user's
/// tokens issued by then).
///
/// # Errors
/// When the database fails.
pub async fn revoked(db: &sea_orm::DatabaseConnection, principal: &Principal) -> Result<bool, ApiError> {
    let Some(token) = &principal.token else { return Ok(false) };
    let issued_at = chrono::DateTime::from_timestamp(token.issued_at, 0).unwrap_or_default();
    Ok(postroom_db::revocations::is_revoked(db, &principal.user, &token.id, issued_at).await?)
}

/// The request id (from `x-request-id`, set by middleware when the client sent none).
#[derive(Debug, Clone, Default)]
pub struct RequestId(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for RequestId {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.headers.get(crate::REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn json_is_application_json_or_a_json_suffix_with_any_parameters() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(v));
            is_json(&h)
        };
        assert!(with("application/json"));
        assert!(with("Application/JSON; charset=utf-8"));
        assert!(with("application/merge-patch+json"));
        assert!(!with("application/+json"));
        assert!(!with("text/plain"));
        assert!(!with("application/jsonx"));
        assert!(!is_json(&HeaderMap::new()));
    }
}
