//! The Postroom service as a library: [`Application::build`] wires configuration into a
//! running service (database, object storage, authentication, HTTP API, workers), so the
//! binary and the end-to-end tests boot exactly the same thing.

pub mod app;
pub mod cli;
mod components;
pub mod data;
mod replies;
pub mod telemetry;
pub mod users;

pub use app::{Application, ServeRole};
