//! The UI's one error type: a page that says what went wrong and what to do, with the status
//! the API would have answered; a missing or expired session goes to the sign-in page.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde_json::json;

use postroom_api::ApiError;

use crate::pages;

/// What a person is told when the server failed.
const SORRY: &str = "Postroom could not do this. Nothing was changed. Try again; if it keeps happening, tell your administrator the time it happened.";

/// Everything a page handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Not signed in (or the session expired): sign in, then come back here.
    #[error("sign in first")]
    SignIn(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// What the API or a use case refused or failed with.
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<postroom_casework::CaseworkError> for WebError {
    fn from(e: postroom_casework::CaseworkError) -> Self {
        Self::Api(e.into())
    }
}

impl From<sea_orm::DbErr> for WebError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Api(ApiError::Internal(e.into()))
    }
}

impl WebError {
    /// The status, a heading and what to do, and the fields at fault.
    fn parts(&self) -> (StatusCode, &'static str, String, Vec<(String, String)>) {
        match self {
            Self::SignIn(_) => (StatusCode::UNAUTHORIZED, "Sign in", self.to_string(), Vec::new()),
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, "That could not be read", m.clone(), Vec::new()),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "Not allowed", m.clone(), Vec::new()),
            Self::NotFound(m) => (StatusCode::NOT_FOUND, "Not found", m.clone(), Vec::new()),
            Self::Api(e) => api_parts(e),
            Self::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", SORRY.to_owned(), Vec::new())
            }
        }
    }

    /// The fields at fault and their messages, for showing beside the form's controls.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.parts().3
    }

    /// A one-line summary for the top of a form.
    pub fn summary(&self) -> String {
        self.parts().2
    }
}

fn api_parts(e: &ApiError) -> (StatusCode, &'static str, String, Vec<(String, String)>) {
    let fields = match e {
        ApiError::Unprocessable { errors, .. } => errors.iter().map(|f| (f.field.clone(), f.message.clone())).collect(),
        _ => Vec::new(),
    };
    if let ApiError::Internal(inner) = e {
        tracing::error!(error = %format!("{inner:#}"), "page failed");
        return (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", SORRY.to_owned(), Vec::new());
    }
    let status = e.parts().0;
    let title = match status {
        StatusCode::UNAUTHORIZED => "Sign in",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::CONFLICT => "Someone else changed this, or it has moved on",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        StatusCode::UNPROCESSABLE_ENTITY => "Please check what you entered",
        StatusCode::SERVICE_UNAVAILABLE => "Busy: try again shortly",
        _ => "That could not be done",
    };
    (status, title, e.to_string(), fields)
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Self::SignIn(back) = &self {
            let next = url_encode(back);
            return Redirect::to(&format!("/signin?next={next}")).into_response();
        }
        let (status, title, detail, fields) = self.parts();
        let errors: Vec<_> = fields.iter().map(|(f, m)| json!({"field": f, "message": m})).collect();
        let body = pages::page_or_text(
            "error.html",
            &json!({"status": status.as_u16(), "title": title, "detail": detail, "errors": errors}),
        );
        (status, body).into_response()
    }
}

/// `s` as a query-string value.
pub fn url_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
