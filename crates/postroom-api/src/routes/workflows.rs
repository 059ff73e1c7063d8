//! `GET /api/v1/workflows`: the catalogue.

use axum::{Json, extract::State};
use utoipa_axum::{router::OpenApiRouter, routes};

use postroom_workflows::Workflow;

use crate::{
    error::{ApiError, Problem},
    extract::Caller,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_workflows))
}

/// The workflow catalogue: every correspondence type with its service, queue, priority, target,
/// the account changes an officer may apply, whether approval is needed, and its reply
/// templates. Any role.
#[utoipa::path(get, path = "/api/v1/workflows", tag = "workflows",
    responses((status = 200, body = [Workflow]),
        (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn list_workflows(State(state): State<AppState>, _caller: Caller) -> Result<Json<Vec<Workflow>>, ApiError> {
    Ok(Json(state.catalogue.workflows().to_vec()))
}
