//! Downloads: the control polygons of a date, the observations and the events as GeoJSON, CSV
//! or GeoPackage (`/api/export/{control|observations|events}?format=...`), with the same
//! filters as the read endpoints. CSV carries points as `lat,lon` and polygons as WKT.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use frontline_core::ActorId;
use frontline_store::EventFilter;
use rusqlite::types::Value as Sql;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;

use super::observations::{self, ObservationFilter};
use super::{events, params};
use crate::gpkg::{self, ColumnType, Geometry};
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::maps::{feature_id, feature_properties};
use crate::server::routes::params::MapParams;
use crate::server::state::AppState;

/// Most rows one export carries.
const MAX_ROWS: usize = 500_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<String>,
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
    bbox: Option<String>,
    actor: Option<String>,
}

/// `GET /api/export/{control|observations|events}?format=geojson|csv|gpkg&...`.
pub async fn export(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Path(what): Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let format = q.format.clone().unwrap_or_else(|| "geojson".into());
    if !matches!(format.as_str(), "geojson" | "csv" | "gpkg") {
        return Err(ApiError::bad_request(format!(
            "format must be geojson, csv or gpkg, got {format:?}"
        )));
    }
    let actor = q.actor.as_deref().map(ActorId::new).transpose()?;
    let (features, stem) = match what.as_str() {
        "control" => {
            let key = MapParams {
                date: q.date.clone(),
                known_on: q.known_on.clone(),
                region: q.region.clone(),
            }
            .key(&state)?;
            let map = state.cache.control(&state, &key).await?;
            let f: Vec<Value> = map
                .features
                .iter()
                .enumerate()
                .filter(|(_, f)| actor.as_ref().is_none_or(|a| f.actor == *a))
                .map(|(i, f)| json!({
                    "type": "Feature",
                    "id": feature_id(i),
                    "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&f.geometry)),
                    "properties": feature_properties(f, key.date),
                }))
                .collect();
            (f, format!("control_{}", key.date))
        }
        "observations" => {
            let filter = ObservationFilter {
                from: params::opt_date(&state, "from", q.from.as_deref())?,
                to: params::opt_date(&state, "to", q.to.as_deref())?,
                bbox: params::bbox(q.bbox.as_deref())?,
                actor,
                ..Default::default()
            };
            let known_on = params::opt_date(&state, "known_on", q.known_on.as_deref())?;
            let known = state.cache.observations(&state, known_on).await?;
            let f = known
                .stored
                .iter()
                .filter(|s| filter.matches(&s.observation))
                .map(observations::feature)
                .collect();
            (f, "observations".to_owned())
        }
        "events" => {
            let filter = EventFilter {
                from: params::opt_date(&state, "from", q.from.as_deref())?,
                to: params::opt_date(&state, "to", q.to.as_deref())?,
                bbox: params::bbox(q.bbox.as_deref())?,
                actor,
                ..Default::default()
            };
            let (f, _) = events::events_page(&state, filter, MAX_ROWS, 0).await?;
            (f, "events".to_owned())
        }
        other => {
            return Err(ApiError::not_found(format!(
                "nothing to export as {other:?}: use control, observations or events"
            )))
        }
    };
    let (bytes, media, ext) = tokio::task::spawn_blocking(
        move || -> ApiResult<(Vec<u8>, &'static str, &'static str)> {
            match format.as_str() {
                "csv" => Ok((to_csv(&features)?, "text/csv; charset=utf-8", "csv")),
                "gpkg" => Ok((
                    to_gpkg(&features, stem_layer(&what))?,
                    "application/geopackage+sqlite3",
                    "gpkg",
                )),
                _ => Ok((
                    serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features}))
                        .map_err(ApiError::internal)?,
                    super::control::GEOJSON,
                    "geojson",
                )),
            }
        },
    )
    .await
    .map_err(ApiError::internal)??;
    let mut res = ([(header::CONTENT_TYPE, media)], bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{stem}.{ext}\""))
            .map_err(ApiError::internal)?,
    );
    Ok(res)
}

fn stem_layer(what: &str) -> &'static str {
    match what {
        "control" => "control",
        "observations" => "observations",
        _ => "events",
    }
}

/// The union of the features' property names, in first-seen order.
fn columns(features: &[Value]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for f in features {
        if let Some(p) = f["properties"].as_object() {
            for k in p.keys() {
                if !cols.iter().any(|c| c == k) {
                    cols.push(k.clone());
                }
            }
        }
    }
    cols
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn to_csv(features: &[Value]) -> ApiResult<Vec<u8>> {
    let cols = columns(features);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["id"];
    header.extend(cols.iter().map(String::as_str));
    header.extend(["lat", "lon", "wkt"]);
    w.write_record(&header).map_err(ApiError::internal)?;
    let empty = Map::new();
    for f in features {
        let props = f["properties"].as_object().unwrap_or(&empty);
        let mut row = vec![text(&f["id"])];
        row.extend(
            cols.iter()
                .map(|c| text(props.get(c).unwrap_or(&Value::Null))),
        );
        let g = &f["geometry"];
        if g["type"] == "Point" {
            row.push(text(&g["coordinates"][1]));
            row.push(text(&g["coordinates"][0]));
            row.push(String::new());
        } else {
            row.extend([String::new(), String::new(), wkt(g)]);
        }
        w.write_record(&row).map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

/// WKT of a GeoJSON Polygon or MultiPolygon.
fn wkt(g: &Value) -> String {
    let ring = |r: &Value| {
        let pts: Vec<String> = r
            .as_array()
            .map(|a| a.iter().map(|p| format!("{} {}", p[0], p[1])).collect())
            .unwrap_or_default();
        format!("({})", pts.join(", "))
    };
    let poly = |p: &Value| {
        let rings: Vec<String> = p
            .as_array()
            .map(|a| a.iter().map(ring).collect())
            .unwrap_or_default();
        format!("({})", rings.join(", "))
    };
    match g["type"].as_str() {
        Some("Polygon") => format!("POLYGON {}", poly(&g["coordinates"])),
        Some("MultiPolygon") => {
            let polys: Vec<String> = g["coordinates"]
                .as_array()
                .map(|a| a.iter().map(poly).collect())
                .unwrap_or_default();
            format!("MULTIPOLYGON ({})", polys.join(", "))
        }
        _ => String::new(),
    }
}

fn to_gpkg(features: &[Value], layer: &str) -> ApiResult<Vec<u8>> {
    let cols = columns(features);
    let types: Vec<ColumnType> = cols
        .iter()
        .map(|c| {
            let vals = features
                .iter()
                .map(|f| &f["properties"][c])
                .filter(|v| !v.is_null());
            let mut t = None;
            for v in vals {
                let this = match v {
                    Value::Number(n) if n.is_i64() || n.is_u64() => ColumnType::Integer,
                    Value::Number(_) => ColumnType::Real,
                    Value::Bool(_) => ColumnType::Integer,
                    _ => ColumnType::Text,
                };
                t = Some(match (t, this) {
                    (None, x) => x,
                    (Some(ColumnType::Integer), ColumnType::Real)
                    | (Some(ColumnType::Real), ColumnType::Integer) => ColumnType::Real,
                    (Some(a), b) if a == b => a,
                    _ => ColumnType::Text,
                });
            }
            t.unwrap_or(ColumnType::Text)
        })
        .collect();
    let spec: Vec<(&str, ColumnType)> = cols
        .iter()
        .map(String::as_str)
        .zip(types.iter().copied())
        .collect();
    let mut rows = Vec::with_capacity(features.len());
    for f in features {
        let geom: geo::Geometry<f64> =
            serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                .map_err(ApiError::internal)?
                .try_into()
                .map_err(ApiError::internal)?;
        let g = match geom {
            geo::Geometry::Point(p) => Geometry::Point(p),
            geo::Geometry::Polygon(p) => Geometry::MultiPolygon(geo::MultiPolygon(vec![p])),
            geo::Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(mp),
            _ => continue,
        };
        let values = cols
            .iter()
            .zip(&types)
            .map(|(c, t)| match (&f["properties"][c], t) {
                (Value::Null, _) => Sql::Null,
                (Value::Bool(b), _) => Sql::Integer(i64::from(*b)),
                (Value::Number(n), ColumnType::Integer) => {
                    Sql::Integer(n.as_i64().unwrap_or_default())
                }
                (Value::Number(n), ColumnType::Real) => Sql::Real(n.as_f64().unwrap_or_default()),
                (v, _) => Sql::Text(text(v)),
            })
            .collect();
        rows.push((g, values));
    }
    let dir = tempfile::tempdir().map_err(ApiError::internal)?;
    let path = dir.path().join("export.gpkg");
    gpkg::write(
        &path,
        &gpkg::Layer {
            name: layer,
            description: "Frontline export",
            columns: &spec,
            rows,
        },
    )
    .map_err(ApiError::internal)?;
    std::fs::read(&path).map_err(ApiError::internal)
}
