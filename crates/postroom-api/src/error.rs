//! The one API error type. Every failure leaves as `application/problem+json` (RFC 9457):
//! 4xx say what to fix; 5xx say nothing internal and are logged here, once.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use postroom_accounts::input::{BodyProblem, FieldProblem};
use serde::Serialize;
use utoipa::ToSchema;

/// Media type of error bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, and what to fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Individual problems, e.g. one per invalid field or file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid input.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// Where: a field name, JSON pointer or file position.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Every error a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Unprocessable { detail: String, errors: Vec<FieldError> },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// 422 with one message.
    #[must_use]
    pub fn unprocessable(detail: impl Into<String>) -> Self {
        Self::Unprocessable { detail: detail.into(), errors: Vec::new() }
    }

    /// 422 naming one field and what is wrong with it.
    #[must_use]
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        let (field, message) = (field.into(), message.into());
        Self::Unprocessable { detail: format!("{field}: {message}"), errors: vec![FieldError { field, message }] }
    }

    /// 409: the work item moved on (another action, a new version) since it was read.
    #[must_use]
    pub fn item_changed(reference: &str) -> Self {
        Self::Conflict(format!("work item {reference} changed meanwhile; read it again"))
    }

    /// The status, problem slug and title of this error.
    #[must_use]
    pub fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "The request is malformed"),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed for your role"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflicts with the current state"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Too large"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
            }
            Self::Unprocessable { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "validation-failed", "The request is not valid")
            }
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Temporarily unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal server error"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.parts();
        let (detail, errors) = match self {
            Self::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "request failed");
                (Some("The server could not complete the request; it has been logged.".to_owned()), Vec::new())
            }
            Self::Unprocessable { detail, errors } => (Some(detail), errors),
            other => (Some(other.to_string()), Vec::new()),
        };
        let unauthorized = status == StatusCode::UNAUTHORIZED;
        let mut response = problem_response(Problem {
            kind: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        });
        if unauthorized {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"postroom\""));
        }
        response
    }
}

/// Serialises a problem with its status and media type.
#[must_use]
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))], body).into_response()
}

/// A JSON body that could not be read: 400 saying where it stops being JSON, or 422 naming the
/// field that is missing, unknown or of the wrong type.
impl From<BodyProblem> for ApiError {
    fn from(problem: BodyProblem) -> Self {
        match problem {
            BodyProblem::Syntax { line, column, message } => {
                Self::BadRequest(format!("the body is not JSON: {message} (line {line}, column {column})"))
            }
            BodyProblem::Field(FieldProblem { field, message }) if field.is_empty() => {
                Self::unprocessable(format!("the body {message}"))
            }
            BodyProblem::Field(FieldProblem { field, message }) => Self::invalid(field, message),
        }
    }
}

/// The one place a database error becomes an HTTP status: a statement the database cancelled
/// (PostgreSQL's `database.statement_timeout` ran out) is a 503 saying so; any other is a 500.
impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        if postroom_db::is_statement_timeout(&e) {
            tracing::warn!(error = %e, "a statement ran past database.statement_timeout and was cancelled");
            return Self::Unavailable(
                "the database took too long to answer and the query was cancelled; narrow the request or try again later"
                    .to_owned(),
            );
        }
        Self::Internal(e.into())
    }
}

/// The one place a use case's refusal becomes an HTTP status.
impl From<postroom_casework::CaseworkError> for ApiError {
    fn from(e: postroom_casework::CaseworkError) -> Self {
        use postroom_casework::CaseworkError as E;
        match e {
            E::NotFound(m) => Self::NotFound(m),
            E::Forbidden(m) => Self::Forbidden(m),
            E::Conflict(m) => Self::Conflict(m),
            E::Invalid { detail, errors } => Self::Unprocessable {
                detail,
                errors: errors.into_iter().map(|f| FieldError { field: f.field, message: f.message }).collect(),
            },
            E::Database(e) => Self::from(e),
            E::Internal(e) => Self::Internal(e),
        }
    }
}

impl From<postroom_storage::StorageError> for ApiError {
    fn from(e: postroom_storage::StorageError) -> Self {
        Self::Internal(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pins the mapping from error to status and problem type.
    #[test]
    fn every_error_maps_to_its_status_and_type() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::BadRequest("x".into()), 400, "/problems/bad-request"),
            (ApiError::Unauthorized("x".into()), 401, "/problems/unauthorized"),
            (ApiError::Forbidden("x".into()), 403, "/problems/forbidden"),
            (ApiError::NotFound("x".into()), 404, "/problems/not-found"),
            (ApiError::Conflict("x".into()), 409, "/problems/conflict"),
            (ApiError::PayloadTooLarge("x".into()), 413, "/problems/payload-too-large"),
            (ApiError::UnsupportedMediaType("x".into()), 415, "/problems/unsupported-media-type"),
            (ApiError::unprocessable("x"), 422, "/problems/validation-failed"),
            (ApiError::Unavailable("x".into()), 503, "/problems/unavailable"),
            (ApiError::Internal(anyhow::anyhow!("secret detail")), 500, "/problems/internal"),
        ];
        for (err, status, kind) in cases {
            let (code, slug, _) = err.parts();
            assert_eq!(code.as_u16(), status);
            assert_eq!(format!("/problems/{slug}"), kind);
            let resp = err.into_response();
            assert_eq!(resp.status().as_u16(), status);
            assert_eq!(resp.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        }
    }

    /// Pins how each refusal of a use case leaves the API.
    #[test]
    fn casework_errors_map_to_their_statuses() {
        use postroom_casework::{CaseworkError as E, FieldError as F};
        let cases: Vec<(E, u16)> = vec![
            (E::NotFound("x".into()), 404),
            (E::Forbidden("x".into()), 403),
            (E::Conflict("x".into()), 409),
            (E::Invalid { detail: "x".into(), errors: vec![F::new("reason", "required")] }, 422),
            (E::Database(sea_orm::DbErr::Custom("x".into())), 500),
            (E::Internal(anyhow::anyhow!("x")), 500),
        ];
        for (err, status) in cases {
            let api = ApiError::from(err);
            assert_eq!(api.parts().0.as_u16(), status, "{api:?}");
            if let ApiError::Unprocessable { errors, .. } = &api {
                assert_eq!(errors[0].field, "reason");
            }
        }
    }

    #[test]
    fn a_body_problem_is_a_400_where_it_is_not_json_and_a_422_naming_the_field() {
        let syntax = BodyProblem::Syntax { line: 2, column: 7, message: "expected value".into() };
        let err = ApiError::from(syntax);
        assert_eq!(err.parts().0, StatusCode::BAD_REQUEST);
        assert_eq!(err.to_string(), "the body is not JSON: expected value (line 2, column 7)");
        let missing = FieldProblem { field: "bring_forward_on".into(), message: "required".into() };
        match ApiError::from(BodyProblem::Field(missing)) {
            ApiError::Unprocessable { detail, errors } => {
                assert_eq!(detail, "bring_forward_on: required");
                assert_eq!((errors[0].field.as_str(), errors[0].message.as_str()), ("bring_forward_on", "required"));
            }
            other => panic!("{other:?}"),
        }
        let whole = FieldProblem { field: String::new(), message: "must be an object, not a list".into() };
        assert_eq!(ApiError::from(BodyProblem::Field(whole)).to_string(), "the body must be an object, not a list");
    }

    /// On PostgreSQL (`TEST_POSTGRES_URL`): a statement the database cancelled at
    /// `statement_timeout` leaves as a 503 problem saying so, not as a 500, also from a use case.
    #[tokio::test]
    async fn a_statement_cancelled_by_the_database_is_a_503_saying_so() -> anyhow::Result<()> {
        use sea_orm::ConnectionTrait;
        let Ok(url) = std::env::var("TEST_POSTGRES_URL") else { return Ok(()) };
        let timeout = Some(std::time::Duration::from_millis(100));
        let db =
            postroom_db::connect(&url, &postroom_db::PoolOptions { statement_timeout: timeout, ..Default::default() })
                .await?;
        let cancelled = || async { db.execute_unprepared("SELECT pg_sleep(3)").await.err() };
        let direct = ApiError::from(cancelled().await.ok_or_else(|| anyhow::anyhow!("pg_sleep was not cancelled"))?);
        assert_eq!(direct.parts().0, StatusCode::SERVICE_UNAVAILABLE, "{direct:?}");
        assert!(direct.to_string().contains("took too long"), "{direct}");
        let from_use_case = ApiError::from(postroom_casework::CaseworkError::Database(
            cancelled().await.ok_or_else(|| anyhow::anyhow!("pg_sleep was not cancelled"))?,
        ));
        let resp = from_use_case.into_response();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(resp.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        Ok(())
    }

    #[tokio::test]
    async fn internal_errors_reveal_nothing() {
        let resp = ApiError::Internal(anyhow::anyhow!("password=hunter2 at db.internal")).into_response();
        let body = http_body_util::BodyExt::collect(resp.into_body()).await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("hunter2") && !text.contains("db.internal"), "{text}");
    }
}
