//! Cross-cutting HTTP behaviour: fallbacks and turning bare error responses from the framework
//! (timeouts, method not allowed, panics) into problem+json.

use std::any::Any;

use axum::{
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::error::{ApiError, Problem, problem_response};

/// 404 for unknown paths.
pub async fn not_found(req: Request) -> ApiError {
    ApiError::NotFound(format!("no resource at {}", req.uri().path()))
}

/// 405 for a known path with the wrong method.
pub async fn method_not_allowed(req: Request) -> Response {
    problem_response(Problem {
        kind: "/problems/method-not-allowed".to_owned(),
        title: "Method not allowed".to_owned(),
        status: StatusCode::METHOD_NOT_ALLOWED.as_u16(),
        detail: Some(format!("{} is not allowed on {}", req.method(), req.uri().path())),
        errors: Vec::new(),
    })
}

/// A panic in a handler: logged, answered 500 with nothing internal.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    ApiError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}

/// Error responses with no body type (e.g. a 408 from the timeout layer) get a problem body.
pub async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if (status.is_client_error() || status.is_server_error()) && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        let (parts, _) = response.into_parts();
        let mut fresh = problem_response(Problem {
            kind: format!("/problems/http-{}", status.as_u16()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
        });
        for (name, value) in &parts.headers {
            if name != header::CONTENT_LENGTH {
                fresh.headers_mut().insert(name.clone(), value.clone());
            }
        }
        return fresh;
    }
    response
}
