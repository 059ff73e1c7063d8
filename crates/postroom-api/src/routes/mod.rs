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
pub mod views;
pub mod work_actions;
pub mod work_items;
pub mod workflows;
