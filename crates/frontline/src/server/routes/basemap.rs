//! `GET /api/basemap/{layer}.geojson`: the base map the web map draws under the control areas,
//! from the Natural Earth data compiled into the binary (countries, land borders, rivers, lakes,
//! populated places), so that no map tile is ever fetched from elsewhere. Open to everyone: it is
//! public reference data and the map draws it before anyone logs in.

use crate::server::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;
use std::sync::OnceLock;

use super::control::GEOJSON;
use crate::server::error::{ApiError, ApiResult};
use crate::server::payload::{respond, Encoded};

/// The layers, in the order the map stacks them.
pub const LAYERS: [&str; 5] = ["countries", "lakes", "rivers", "borders", "places"];

/// Each layer as a ready body (with its gzip copy and ETag), made on first request: the
/// countries alone are over 600 kB of GeoJSON.
fn payload(name: &str) -> ApiResult<Option<&'static Encoded>> {
    static CACHE: [OnceLock<Encoded>; LAYERS.len()] = [const { OnceLock::new() }; LAYERS.len()];
    let Some(i) = LAYERS.iter().position(|l| *l == name) else {
        return Ok(None);
    };
    if let Some(p) = CACHE[i].get() {
        return Ok(Some(p));
    }
    let bytes = match LAYERS[i] {
        "places" => {
            let v = crate::basemap::places_geojson()
                .map_err(|e| ApiError::internal(format!("{e:#}")))?;
            serde_json::to_vec(&v).map_err(ApiError::internal)?
        }
        other => crate::basemap::layer_geojson(other)
            .ok_or_else(|| ApiError::internal(format!("bundled layer {other} missing")))?
            .as_bytes()
            .to_vec(),
    };
    Ok(Some(CACHE[i].get_or_init(|| Encoded::new(bytes))))
}

pub async fn layer(Path(file): Path<String>, headers: HeaderMap) -> ApiResult<Response> {
    let name = file.strip_suffix(".geojson").unwrap_or(&file);
    let body = payload(name)?.ok_or_else(|| {
        ApiError::not_found(format!(
            "no base map layer {file:?}: one of {}",
            LAYERS.map(|l| format!("{l}.geojson")).join(", ")
        ))
    })?;
    Ok(respond(body, &headers, GEOJSON, "public, max-age=86400"))
}
