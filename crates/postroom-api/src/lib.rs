//! Postroom HTTP API v1 (axum): routes, problem+json errors, authentication, OpenAPI.
