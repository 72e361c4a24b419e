//! Change between two dates: km² per actor on each date, gained, lost and net (with %), and the
//! gained and lost areas as polygons. Both maps come from the cache and share the region's
//! grid, so the comparison is cell by cell with the maps' own area shares (a shared cell counts
//! half to each party, as in the area tables).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontline_core::control_map::ControlMap;
use frontline_core::ActorId;
use h3o::geom::SolventBuilder;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::control::GEOJSON;
use super::params::MapParams;
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::maps::round3;
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

#[derive(Default)]
struct Change {
    before: f64,
    after: f64,
    gained: f64,
    lost: f64,
    gained_cells: Vec<usize>,
    lost_cells: Vec<usize>,
}

/// Per cell: each actor's share of it on the map.
fn holders(map: &ControlMap, i: usize) -> Vec<(ActorId, f64)> {
    map.shares(i)
        .into_iter()
        .filter(|(_, s)| *s > 0.0)
        .filter_map(|(a, s)| map.actor(a).map(|id| (id.clone(), s)))
        .collect()
}

fn compare(a: &ControlMap, b: &ControlMap) -> BTreeMap<ActorId, Change> {
    let grid = a.grid();
    let mut out: BTreeMap<ActorId, Change> = BTreeMap::new();
    for i in 0..grid.len() {
        let area = grid.area_km2(i);
        let (before, after) = (holders(a, i), holders(b, i));
        let share =
            |v: &[(ActorId, f64)], id: &ActorId| v.iter().find(|x| x.0 == *id).map_or(0.0, |x| x.1);
        for id in before
            .iter()
            .chain(after.iter())
            .map(|x| x.0.clone())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let (s0, s1) = (share(&before, &id), share(&after, &id));
            let c = out.entry(id).or_default();
            c.before += s0 * area;
            c.after += s1 * area;
            if s1 > s0 {
                c.gained += (s1 - s0) * area;
                c.gained_cells.push(i);
            } else if s0 > s1 {
                c.lost += (s0 - s1) * area;
                c.lost_cells.push(i);
            }
        }
    }
    out
}

/// `GET /api/diff?from=D1&to=D2[&format=geojson]`: km² gained and lost per actor, net and net %,
/// or (with `format=geojson`) the gained and lost areas as polygons.
pub async fn diff(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<DiffQuery>,
) -> ApiResult<Response> {
    let k1 = MapParams {
        date: q.from.clone(),
        known_on: q.known_on.clone(),
        region: q.region.clone(),
    }
    .key(&state)
    .map_err(|e| ApiError::new(e.status, e.code, e.message.replace("date", "from")))?;
    let k2 = MapParams {
        date: q.to.clone(),
        known_on: q.known_on.clone(),
        region: q.region.clone(),
    }
    .key(&state)
    .map_err(|e| ApiError::new(e.status, e.code, e.message.replace("date", "to")))?;
    let polygons = match q.format.as_deref() {
        None | Some("json") => false,
        Some("geojson") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format must be json or geojson, got {other:?}"
            )))
        }
    };
    let (a, b) = (
        state.cache.control(&state, &k1).await?,
        state.cache.control(&state, &k2).await?,
    );
    let body = tokio::task::spawn_blocking(move || -> ApiResult<Value> {
        let changes = compare(&a.map, &b.map);
        if !polygons {
            let rows: Vec<Value> = changes
                .iter()
                .map(|(id, c)| json!({
                    "actor": id.as_str(),
                    "before_km2": round3(c.before),
                    "after_km2": round3(c.after),
                    "gained_km2": round3(c.gained),
                    "lost_km2": round3(c.lost),
                    "net_km2": round3(c.after - c.before),
                    "net_pct": if c.before > 0.0 { Some(round3(100.0 * (c.after - c.before) / c.before)) } else { None },
                }))
                .collect();
            return Ok(json!({"from": k1.date.to_string(), "to": k2.date.to_string(), "region": k1.region, "rows": rows}));
        }
        let grid = a.map.grid();
        let solvent = SolventBuilder::new().build();
        let mut feats = Vec::new();
        for (id, c) in &changes {
            for (kind, cells, km2) in [("gained", &c.gained_cells, c.gained), ("lost", &c.lost_cells, c.lost)] {
                if cells.is_empty() {
                    continue;
                }
                let mp = solvent
                    .dissolve(cells.iter().map(|&i| grid.cell(i)))
                    .map_err(|e| ApiError::internal(format!("dissolve: {e}")))?;
                feats.push(json!({
                    "type": "Feature",
                    "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&mp)),
                    "properties": {"actor": id.as_str(), "change": kind, "km2": round3(km2), "from": k1.date.to_string(), "to": k2.date.to_string()},
                }));
            }
        }
        Ok(json!({"type": "FeatureCollection", "features": feats}))
    })
    .await
    .map_err(ApiError::internal)??;
    let media = if polygons {
        GEOJSON
    } else {
        "application/json"
    };
    Ok(([(header::CONTENT_TYPE, media)], Json(body)).into_response())
}
