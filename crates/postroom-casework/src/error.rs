//! What a use case answers when it cannot do what was asked. The API maps each variant to one
//! problem+json status in one place (`postroom_api::error`).

use sea_orm::DbErr;

/// One invalid field of a request, named as the client sent it (`changes[2].account`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    #[must_use]
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CaseworkError {
    /// No such item (404).
    #[error("{0}")]
    NotFound(String),
    /// The caller's role, or who they are, may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// Not in the item's state, someone else's claim, a stale version, or the item changed
    /// meanwhile (409).
    #[error("{0}")]
    Conflict(String),
    /// The request is well formed but breaks a rule; every broken field is listed (422).
    #[error("{detail}")]
    Invalid { detail: String, errors: Vec<FieldError> },
    /// The database failed (500).
    #[error(transparent)]
    Database(#[from] DbErr),
    /// Something that should not happen (500).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl CaseworkError {
    /// 422 for one field.
    #[must_use]
    pub fn invalid(field: &str, detail: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { detail: detail.into(), errors: vec![FieldError::new(field, message)] }
    }

    /// 409: the work item moved on (another action, a new version) since it was read.
    #[must_use]
    pub fn item_changed(reference: &str) -> Self {
        Self::Conflict(format!("work item {reference} changed meanwhile; read it again"))
    }
}

impl From<serde_json::Error> for CaseworkError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(anyhow::Error::new(e))
    }
}
