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
    /// Events written but not yet delivered.
    pub outbox_pending: Option<u64>,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn get_healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database and object storage answer. 503 when either does not.
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
    let outbox_pending = postroom_db::outbox::pending_count(&state.db).await.ok();
    let ready = database == "ok" && storage == "ok";
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(Readiness { status: if ready { "ready" } else { "unavailable" }, database, storage, outbox_pending }))
}
