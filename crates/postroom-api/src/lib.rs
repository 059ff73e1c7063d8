//! Postroom HTTP API v1 (axum).
//!
//! Every `/api/v1` route requires `Authorization: Bearer <token>`; every error is
//! `application/problem+json`; every request carries an `x-request-id` (the client's, or a new
//! UUID) that appears in logs and in the events the request causes. The OpenAPI document is
//! generated from the handlers (`/api/openapi.json`, browsable at `/docs`).

pub mod error;
pub mod extract;
pub mod middleware;
mod nul;
pub mod routes;
pub mod slots;
pub mod state;

use std::time::Duration;

use axum::{
    Router,
    extract::{DefaultBodyLimit, MatchedPath},
    http::Request,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use error::{ApiError, Problem};
pub use state::AppState;

/// The request-id header.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(OpenApi)]
#[openapi(
    info(title = "Postroom API", description = "Correspondence workflow for council Revenues teams."),
    modifiers(&BearerAuth),
    components(schemas(error::Problem, error::FieldError)),
    tags(
        (name = "intake", description = "Receiving post and email"),
        (name = "work items", description = "Work and its deadlines"),
        (name = "correspondence", description = "What was received"),
        (name = "documents", description = "Stored originals"),
        (name = "operations", description = "Health and readiness"),
        (name = "administration", description = "Dead letters and other admin tasks"),
        (name = "workflows", description = "The catalogue of correspondence types"),
        (name = "replies", description = "Replies to customers and the print room's batches"),
        (name = "team leaders", description = "Dashboard, deadlines at risk, SLA reports and the daily digest"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The OpenAPI document and the API routes.
fn api_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::intake::router())
        .merge(routes::emails::router())
        .merge(routes::work_items::router())
        .merge(routes::work_actions::router())
        .merge(routes::oversight::router())
        .merge(routes::completion::router())
        .merge(routes::replies::router())
        .merge(routes::officers::router())
        .merge(routes::accounts::router())
        .merge(routes::correspondence::router())
        .merge(routes::documents::router())
        .merge(routes::admin::router())
        .merge(routes::tokens::router())
        .merge(routes::workflows::router())
        .split_for_parts()
}

/// The OpenAPI document (for tools and tests).
#[must_use]
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_routes().1
}

/// Only `/healthz` and `/readyz`, for processes that run workers without the API.
pub fn ops_router(state: AppState) -> Router {
    let (router, _) = OpenApiRouter::new().merge(routes::health::router()).split_for_parts();
    router.fallback(middleware::not_found).with_state(state)
}

/// The whole HTTP application: API, docs, health, and `pages` (the web UI's routes, or an empty
/// router), with request ids, tracing, body limit, timeout and panic handling.
pub fn router(state: AppState, request_timeout: Duration, pages: Router) -> Router {
    let (api, openapi) = api_routes();
    let body_limit = state.max_body_bytes;
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/docs").url("/api/openapi.json", openapi))
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
        .merge(pages)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let request_id =
                        req.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
                    // The route's pattern, never the path: paths carry account references
                    // (`/api/v1/accounts/{reference}`). The path itself only at DEBUG.
                    let route = req.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str);
                    let span = tracing::info_span!(
                        "http",
                        method = %req.method(),
                        route,
                        path = tracing::field::Empty,
                        request_id,
                        user = tracing::field::Empty,
                    );
                    if tracing::enabled!(tracing::Level::DEBUG) {
                        span.record("path", req.uri().path());
                    }
                    span
                }))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(axum::middleware::from_fn(middleware::problem_for_bare_errors))
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, request_timeout)),
        )
}
