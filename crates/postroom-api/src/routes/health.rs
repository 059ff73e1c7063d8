//! Liveness and readiness.

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_healthz)).routes(routes!(get_readyz))
}

/// Liveness: the process is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Readiness: each dependency's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `unavailable`.
    pub status: &'static str,
    /// `ok`, or what is wrong.
    pub database: String,
    /// `ok`, or what is wrong.
    pub storage: String,
    /// `ok`, `unavailable` (events wait in the outbox meanwhile), or `not configured`.
    pub broker: &'static str,
    /// Events written but not yet delivered.
    pub outbox_pending: Option<u64>,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn get_healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database and object storage answer (503 when either does not). A configured broker that
/// is away makes the status `degraded` but not unready: intake goes on, the outbox holds events.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn get_readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match postroom_db::ping(&state.db).await {
        Ok(()) => "ok".to_owned(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: database unavailable");
            "unavailable".to_owned()
        }
    };
    let storage = match state.storage.check().await {
        Ok(()) => "ok".to_owned(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: storage unavailable");
            "unavailable".to_owned()
        }
    };
    let broker = match &state.broker {
        None => "not configured",
        Some(b) if b.is_up() => "ok",
        Some(_) => "unavailable",
    };
    let outbox_pending = postroom_db::outbox::pending_count(&state.db).await.ok();
    // The broker is not required to be ready: the outbox holds events while it is away, so
    // intake goes on; `status` says `degraded` instead.
    let ready = database == "ok" && storage == "ok";
    let (status, word) = match (ready, broker) {
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        (true, "unavailable") => (StatusCode::OK, "degraded"),
        (true, _) => (StatusCode::OK, "ready"),
    };
    (status, Json(Readiness { status: word, database, storage, broker, outbox_pending }))
}
