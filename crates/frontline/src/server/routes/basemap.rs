//! `GET /api/basemap/{layer}.geojson`: the base map the web map draws under the control areas,
//! from the Natural Earth data compiled into the binary (countries, land borders, rivers, lakes,
//! populated places), so that no map tile is ever fetched from elsewhere. Open to everyone: it is
//! public reference data and the map draws it before anyone logs in.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

use super::control::GEOJSON;
use crate::server::error::{ApiError, ApiResult};

/// The layers, in the order the map stacks them.
pub const LAYERS: [&str; 5] = ["countries", "lakes", "rivers", "borders", "places"];

/// The places layer, built once from the bundled CSVs.
fn places() -> ApiResult<&'static [u8]> {
    static PLACES: OnceLock<Vec<u8>> = OnceLock::new();
    if let Some(p) = PLACES.get() {
        return Ok(p);
    }
    let v = crate::basemap::places_geojson().map_err(|e| ApiError::internal(format!("{e:#}")))?;
    let bytes = serde_json::to_vec(&v).map_err(ApiError::internal)?;
    Ok(PLACES.get_or_init(|| bytes))
}

pub async fn layer(Path(file): Path<String>) -> ApiResult<Response> {
    let name = file.strip_suffix(".geojson").unwrap_or(&file);
    let body: &'static [u8] = match name {
        "places" => places()?,
        other => crate::basemap::layer_geojson(other)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "no base map layer {file:?}: one of {}",
                    LAYERS.map(|l| format!("{l}.geojson")).join(", ")
                ))
            })?
            .as_bytes(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
        .into_response())
}
