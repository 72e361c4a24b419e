//! The route table. Each module holds one family of endpoints; this file says which path goes
//! where, so the whole API can be read in one screen (and matches `openapi.rs`).

mod admin;
mod analyses;
pub mod areas;
mod basemap;
mod control;
mod diff;
mod editing;
mod events;
mod evidence;
mod export;
pub mod observations;
mod ogc;
mod params;
mod render;
mod system;
mod tiles;
pub mod web;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

use super::error::ApiError;
use super::state::{AppState, Options};

pub fn routes(opts: &Options) -> Router<Arc<AppState>> {
    let evidence_limit = frontline_store::evidence::MAX_EVIDENCE_BYTES + 64 * 1024;
    let web_dir = opts.web_dir.clone().map(Arc::new);
    let web_dir2 = web_dir.clone();
    Router::new()
        .route("/", get(move || web::index(web_dir.clone())))
        .route(
            "/assets/{*file}",
            get(move |f| web::asset(web_dir2.clone(), f)),
        )
        .route("/api/extent", get(web::extent))
        .route("/api/session", get(web::session))
        .route("/api/basemap/{layer}", get(basemap::layer))
        .route("/health", get(system::health))
        .route("/api", get(system::api_index))
        .route("/api/openapi.json", get(system::openapi))
        .route("/api/control", get(control::control))
        .route("/api/area", get(control::area))
        .route("/api/diff", get(diff::diff))
        .route("/api/whois", get(control::whois))
        .route("/api/explain", get(control::explain))
        .route("/api/share", get(analyses::share_of_area))
        .route("/api/sieges", get(analyses::sieges))
        .route("/api/hotspots", get(analyses::hotspots_at))
        .route("/api/trend", get(analyses::trend_of))
        .route("/api/population", get(analyses::population))
        .route("/api/map", get(render::map))
        .route("/api/chart", get(render::chart))
        .route("/api/export/{what}", get(export::export))
        .route("/api/actors", get(control::actors))
        .route("/api/areas", get(areas::list).post(areas::create))
        .route("/api/areas/{code}", get(areas::one).put(areas::correct))
        .route("/api/areas/{code}/retire", post(areas::retire))
        .route(
            "/api/observations",
            get(observations::list).post(observations::create),
        )
        .route(
            "/api/observations/{key}",
            get(observations::get_one).put(observations::correct),
        )
        .route("/api/observations/{key}/retire", post(observations::retire))
        .route("/api/events", get(events::list))
        .route("/tiles/{z}/{x}/{file}", get(tiles::tile))
        .route("/ogc", get(ogc::landing))
        .route("/ogc/conformance", get(ogc::conformance))
        .route("/ogc/collections", get(ogc::collections))
        .route("/ogc/collections/{id}", get(ogc::collection_one))
        .route("/ogc/collections/{id}/items", get(ogc::items))
        .route("/ogc/collections/{id}/items/{fid}", get(ogc::item))
        .route("/api/audit", get(admin::audit))
        .route("/api/tokens", get(admin::tokens))
        .route(
            "/api/observations/{key}/evidence",
            post(evidence::attach)
                .get(evidence::list)
                .layer(DefaultBodyLimit::max(evidence_limit)),
        )
        .route("/api/evidence/{sha256}", get(evidence::fetch))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(opts.max_body_bytes))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no endpoint at {}; see /api/openapi.json",
        uri.path()
    ))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}
