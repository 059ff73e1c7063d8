//! HTTP resources; each module has a `router()` and `<verb>_<resource>` handlers.

pub mod accounts;
pub mod admin;
pub mod completion;
pub mod correspondence;
pub mod documents;
pub mod emails;
pub mod health;
pub mod intake;
pub mod officers;
pub mod oversight;
pub mod replies;
pub mod tokens;
pub mod views;
pub mod work_actions;
pub mod work_items;
pub mod workflows;

/// Most items a list may skip (`offset`): a page further on is not something a person reads, and
/// skipping costs the database as much as reading.
pub(crate) const MAX_OFFSET: u64 = 100_000;

/// The `offset` of a list, 0 when not given.
///
/// # Errors
/// 400 past [`MAX_OFFSET`].
pub(crate) fn offset(offset: Option<u64>) -> Result<u64, crate::error::ApiError> {
    match offset.unwrap_or(0) {
        o if o <= MAX_OFFSET => Ok(o),
        _ => Err(crate::error::ApiError::BadRequest(format!("offset must be between 0 and {MAX_OFFSET}"))),
    }
}
