//! Health, the API index and the OpenAPI description.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use serde_json::json;
use std::sync::Arc;

use crate::server::error::ApiResult;
use crate::server::state::AppState;

/// `GET /health`: 200 with the database reachable, else a 500.
pub async fn health(State(state): State<Arc<AppState>>) -> ApiResult<impl IntoResponse> {
    state.db.run(|db| db.store.check_health()).await??;
    Ok(Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "generation": state.engine.generation(),
    })))
}

/// `GET /api`: where things are.
pub async fn api_index() -> impl IntoResponse {
    Json(json!({
        "name": "Frontline",
        "version": env!("CARGO_PKG_VERSION"),
        "openapi": "/api/openapi.json",
        "ogc_api_features": "/ogc",
        "health": "/health",
    }))
}

/// `GET /api/openapi.json`: the OpenAPI 3 description of every endpoint.
pub async fn openapi() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/vnd.oai.openapi+json;version=3.0",
        )],
        crate::server::openapi::document(),
    )
}
