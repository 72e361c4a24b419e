//! Areas of interest: list and read them (readers), and add, correct and retire them
//! (analysts) — a city's outline for "how much of Mosul is back in government hands", a zone
//! to watch. Edits are version-checked and audited like observations'; a changed country or
//! province outline changes the grids built from it, so every area write also makes the
//! server rebuild its grids.

use crate::server::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontline_core::{AoiKind, AreaOfInterest};
use frontline_store::StoredArea;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::control::GEOJSON;
use super::editing::{editor, etag, expected_version, stale, Retirement};
use crate::server::auth::{Analyst, Reader};
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::{Json as JsonBody, Query};
use crate::server::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreasQuery {
    kind: Option<String>,
}

fn summary(a: &AreaOfInterest) -> Value {
    json!({"code": a.code, "name": a.name, "kind": a.kind, "country": a.country, "source": a.source})
}

/// `GET /api/areas[?kind=country]`: areas of interest (code, name, kind, country), without
/// geometry; `/api/areas/{code}` has the geometry.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<AreasQuery>,
) -> ApiResult<Json<Value>> {
    let kind = q.kind.as_deref().map(str::parse::<AoiKind>).transpose()?;
    let areas = state.db.run(move |db| db.store.areas(kind)).await??;
    let list: Vec<Value> = areas.iter().map(summary).collect();
    Ok(Json(json!({ "areas": list })))
}

fn feature(s: &StoredArea) -> Value {
    let mut props = summary(&s.area);
    props["version"] = json!(s.version);
    props["recorded_at"] = json!(s.recorded_at);
    props["retired"] = json!(s.retired);
    json!({
        "type": "Feature",
        "id": s.area.code,
        "geometry": geojson::Geometry::new(geojson::GeometryValue::from(s.area.geometry())),
        "properties": props,
    })
}

fn written(status: StatusCode, s: &StoredArea) -> Response {
    let mut res = (status, [(header::CONTENT_TYPE, GEOJSON)], Json(feature(s))).into_response();
    res.headers_mut().insert(header::ETAG, etag(s.version));
    res
}

/// `GET /api/areas/{code}` (a code, or a name): the current version as a GeoJSON feature with
/// its `history` (version, time, retired); `ETag` is the version.
pub async fn one(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    let lookup = code.clone();
    let history = state
        .db
        .run(move |db| -> ApiResult<Vec<StoredArea>> {
            let Some(area) = db.store.area(&lookup)? else {
                return Ok(vec![]);
            };
            Ok(db.store.area_history(&area.code)?)
        })
        .await??;
    let current = history
        .last()
        .ok_or_else(|| ApiError::not_found(format!("no area {code:?}")))?;
    let mut f = feature(current);
    f["properties"]["history"] = history
        .iter()
        .map(|h| json!({"version": h.version, "recorded_at": h.recorded_at, "retired": h.retired, "name": h.area.name}))
        .collect();
    let mut res = ([(header::CONTENT_TYPE, GEOJSON)], Json(f)).into_response();
    res.headers_mut()
        .insert(header::ETAG, etag(current.version));
    Ok(res)
}

/// What an analyst sends to add or correct an area.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaInput {
    /// Only on create (required there).
    code: Option<String>,
    name: String,
    /// country, province, city or custom (default custom).
    kind: Option<AoiKind>,
    /// ISO3 code of the country it lies in.
    country: Option<String>,
    /// Where the outline comes from.
    source: String,
    /// GeoJSON Polygon or MultiPolygon (lon/lat).
    geometry: geojson::Geometry,
    /// The version being corrected (alternative to `If-Match`).
    expected_version: Option<u32>,
}

impl AreaInput {
    /// The area this body describes, validated as the API does on create and correct (public
    /// for the fuzz target that feeds it arbitrary bodies).
    pub fn into_area(self, code: &str) -> ApiResult<AreaOfInterest> {
        if self.source.trim().is_empty() {
            return Err(ApiError::unprocessable(
                "source must not be empty: say where the outline comes from",
            ));
        }
        let shape = frontline_core::geojson_to_geo(self.geometry)
            .map_err(|e| ApiError::unprocessable(format!("geometry: {e}")))?;
        let shape = match shape {
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(mp) => mp,
            _ => {
                return Err(ApiError::unprocessable(
                    "geometry must be a Polygon or MultiPolygon",
                ))
            }
        };
        // Repaired at the edge, as the boundary importer repairs outlines: a bowtie is stored
        // as the two triangles it draws, not as sent.
        let shape = crate::app::request::outline("geometry", shape)?;
        Ok(AreaOfInterest::new(
            code,
            &self.name,
            self.kind.unwrap_or(AoiKind::Custom),
            self.country.filter(|c| !c.trim().is_empty()),
            shape,
            self.source.trim(),
        )?)
    }
}

/// Codes are what URLs and `region=` name: keep them to letters, digits, `-` and `_`.
pub fn check_code(code: &str) -> ApiResult<()> {
    let ok = !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::unprocessable(
            "code must be 1-64 letters, digits, '-' or '_'",
        ))
    }
}

/// `POST /api/areas` (analyst): add an area; 201 with it as GeoJSON.
pub async fn create(
    State(state): State<Arc<AppState>>,
    Analyst(caller): Analyst,
    JsonBody(input): JsonBody<AreaInput>,
) -> ApiResult<Response> {
    if input.expected_version.is_some() {
        return Err(ApiError::unprocessable(
            "expected_version is for corrections (PUT), not for a new area",
        ));
    }
    let code = input
        .code
        .clone()
        .ok_or_else(|| ApiError::unprocessable("code is required for a new area"))?;
    check_code(&code)?;
    let area = input.into_area(&code)?;
    let stored = state
        .db
        .run(move |db| -> ApiResult<StoredArea> {
            if let Some(existing) = db.store.area(&area.code)? {
                return Err(ApiError::conflict(format!(
                    "area {} already exists: correct it with PUT /api/areas/{}",
                    existing.code, existing.code
                )));
            }
            Ok(db.store.add_area(&area, &editor(&caller))?)
        })
        .await??;
    state.areas_changed();
    let mut res = written(StatusCode::CREATED, &stored);
    if let Ok(loc) = format!("/api/areas/{}", stored.area.code).parse() {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(res)
}

/// `PUT /api/areas/{code}` (analyst): correct an area (the whole new version); refused if
/// someone else changed it first.
pub async fn correct(
    State(state): State<Arc<AppState>>,
    Analyst(caller): Analyst,
    Path(code): Path<String>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<AreaInput>,
) -> ApiResult<Response> {
    let (expected, via_header) = expected_version(&headers, input.expected_version)?;
    if input
        .code
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case(&code))
    {
        return Err(ApiError::unprocessable(
            "the code in the body differs from the code in the path",
        ));
    }
    let stored = state
        .db
        .run(move |db| -> ApiResult<StoredArea> {
            let current = db.require_area(&code)?;
            let area = input.into_area(&current.code)?;
            db.store
                .supersede_area(expected, &area, &editor(&caller))
                .map_err(|e| stale(e.into(), via_header))
        })
        .await??;
    state.areas_changed();
    Ok(written(StatusCode::OK, &stored))
}

/// `POST /api/areas/{code}/retire` (analyst): retire an area (a new version marked retired).
pub async fn retire(
    State(state): State<Arc<AppState>>,
    Analyst(caller): Analyst,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let r = Retirement::parse(&headers, &body)?;
    let (code, version) = state
        .db
        .run(move |db| -> ApiResult<(String, u32)> {
            let current = db.require_area(&code)?;
            let v = db
                .store
                .retire_area(
                    &current.code,
                    r.expected,
                    &editor(&caller),
                    r.reason.as_deref(),
                )
                .map_err(|e| r.stale(e.into()))?;
            Ok((current.code, v))
        })
        .await??;
    state.areas_changed();
    Ok(Json(
        json!({"code": code, "version": version, "retired": true}),
    ))
}
