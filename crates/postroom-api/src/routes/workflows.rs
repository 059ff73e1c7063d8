//! `GET /api/v1/workflows`: the catalogue; `GET /api/v1/classifier`: the learned model's versions.

use axum::{Json, extract::State};
use utoipa_axum::{router::OpenApiRouter, routes};

use postroom_workflows::Workflow;

use crate::{
    error::{ApiError, Problem},
    extract::Caller,
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_workflows)).routes(routes!(classifier))
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

/// One version of the classifier's learned model.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ModelVersion {
    pub version: i64,
    pub trained_at: chrono::DateTime<chrono::Utc>,
    /// Letters of the corpus shipped with Postroom.
    pub shipped_examples: i32,
    /// The council's own decisions (manual indexes and re-routes; one per item) it learned from.
    pub council_examples: i32,
    /// `start-up` or `schedule`.
    pub trained_by: String,
}

/// The classifier's learned model: the version in use (the newest) and each earlier one, and how
/// many decisions wait for the next.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ClassifierView {
    /// Newest first; empty while the model is switched off (`classifier.model = false`) and never
    /// ran.
    pub versions: Vec<ModelVersion>,
    /// Items decided (indexed or re-routed) since the newest version, waiting for the next.
    pub pending_examples: usize,
}

/// The classifier's model versions and the decisions waiting for the next. Any role.
#[utoipa::path(get, path = "/api/v1/classifier", tag = "workflows",
    responses((status = 200, body = ClassifierView),
        (status = 401, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
#[tracing::instrument(skip_all)]
pub async fn classifier(State(state): State<AppState>, _caller: Caller) -> Result<Json<ClassifierView>, ApiError> {
    let rows = postroom_db::classifier::models(&state.db).await?;
    let pending_examples = postroom_db::classifier::pending_items(&state.db).await?;
    let versions = rows
        .into_iter()
        .map(|r| ModelVersion {
            version: r.version,
            trained_at: r.trained_at,
            shipped_examples: r.shipped_examples,
            council_examples: r.council_examples,
            trained_by: r.trained_by,
        })
        .collect();
    Ok(Json(ClassifierView { versions, pending_examples }))
}
