//! Change between two dates: km² per actor on each date, gained, lost and net (with %), and the
//! gained and lost areas as polygons — the engine's change (the core's `diff`, as `frontline
//! diff`) of two maps on the region's grid. `unassessed` is a row like the actors, so the rows balance.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::control::GEOJSON;
use super::params::{self, MapParams};
use crate::app::product::round3;
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    /// `geojson`: the gained and lost polygons instead of the table.
    format: Option<String>,
}

/// `GET /api/diff?from=D1&to=D2[&format=geojson]`: km² gained and lost per actor, net and net %,
/// or (with `format=geojson`) the gained and lost areas as polygons.
pub async fn diff(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Response> {
    let from = MapParams {
        date: q.from.clone(),
        known_on: q.known_on.clone(),
        region: q.region.clone(),
    }
    .request_named(&state, "from")?;
    let to = params::required_date(&state, "to", q.to.as_deref())?;
    let polygons = match q.format.as_deref() {
        None | Some("json") => false,
        Some("geojson") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format must be json or geojson, got {other:?}"
            )))
        }
    };
    let body = state
        .app(move |e| {
            let change = e.diff(&from, to)?;
            let d = &change.diff;
            let (from, to) = (change.from.key.date.to_string(), change.to.key.date.to_string());
            if !polygons {
                let rows: Vec<Value> = d
                    .rows
                    .iter()
                    .map(|c| {
                        json!({
                            "actor": c.actor.as_ref().map_or("unassessed", |a| a.as_str()),
                            "before_km2": round3(c.before_km2),
                            "after_km2": round3(c.after_km2),
                            "gained_km2": round3(c.gained_km2),
                            "lost_km2": round3(c.lost_km2),
                            "net_km2": round3(c.net_km2()),
                            "net_pct": c.net_pct().map(round3),
                        })
                    })
                    .collect();
                return Ok(json!({"from": from, "to": to, "region": change.from.key.region, "rows": rows}));
            }
            let feats: Vec<Value> = d
                .polygons()?
                .iter()
                .map(|p| {
                    let actor = p.actor.as_ref().map_or("unassessed", |a| a.as_str());
                    json!({
                        "type": "Feature",
                        "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&p.geometry)),
                        "properties": {"actor": actor, "change": p.kind.as_str(), "km2": round3(p.change_km2),
                                       "cells_km2": round3(p.cells_km2), "from": from, "to": to},
                    })
                })
                .collect();
            Ok(json!({"type": "FeatureCollection", "features": feats}))
        })
        .await?;
    let media = if polygons {
        GEOJSON
    } else {
        "application/json"
    };
    Ok(([(header::CONTENT_TYPE, media)], Json(body)).into_response())
}
