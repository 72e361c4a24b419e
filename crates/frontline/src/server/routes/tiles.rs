//! Mapbox Vector Tiles: `/tiles/{z}/{x}/{y}.mvt?date=D` with a `control` layer (the cached
//! map's dissolved polygons) and an `events` layer (events in the `window_days` ending on the
//! date). Each tile is encoded once per map and served from memory afterwards.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Duration;
use frontline_store::EventFilter;
use geo::Point;
use serde::Deserialize;
use std::sync::Arc;

use super::params::MapParams;
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::maps::CachedMap;
use crate::server::mvt::{encode_tile, Layer, TileId, Value};
use crate::server::payload::Payload;
use crate::server::state::AppState;

pub const MVT: &str = "application/vnd.mapbox-vector-tile";

const CONTROL: u8 = 1;
const EVENTS: u8 = 2;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TileQuery {
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    /// `control`, `events` or both (default), comma-separated.
    layers: Option<String>,
    /// Days of events shown up to the date (default 30).
    window_days: Option<u32>,
}

/// `GET /tiles/{z}/{x}/{y}.mvt?date=D[&layers=control,events][&window_days=30]`.
pub async fn tile(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Path((z, x, file)): Path<(u8, u32, String)>,
    headers: HeaderMap,
    Query(q): Query<TileQuery>,
) -> ApiResult<Response> {
    let y = file
        .strip_suffix(".mvt")
        .or_else(|| file.strip_suffix(".pbf"))
        .and_then(|y| y.parse::<u32>().ok())
        .ok_or_else(|| ApiError::bad_request(format!("tile must be {{y}}.mvt, got {file:?}")))?;
    let id = TileId::new(z, x, y).ok_or_else(|| {
        ApiError::bad_request(format!("no tile {z}/{x}/{y}: z ≤ 22 and x, y < 2^z"))
    })?;
    let mut layers = 0u8;
    for l in q.layers.as_deref().unwrap_or("control,events").split(',') {
        layers |= match l.trim() {
            "control" => CONTROL,
            "events" => EVENTS,
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown layer {other:?}: use control and/or events"
                )))
            }
        };
    }
    let window = q.window_days.unwrap_or(30);
    if !(1..=366).contains(&window) {
        return Err(ApiError::bad_request(
            "window_days must be between 1 and 366",
        ));
    }
    let key = MapParams {
        date: q.date,
        known_on: q.known_on,
        region: q.region,
    }
    .key(&state)?;
    let map = state.cache.control(&state, &key).await?;
    let tkey = (id, layers, window);
    let bytes = match map.cached_tile(&tkey) {
        Some(b) => b,
        None => {
            let events = if layers & EVENTS != 0 {
                Some(events_for(&state, &map, window).await?)
            } else {
                None
            };
            let m = Arc::clone(&map);
            let b = tokio::task::spawn_blocking(move || {
                Payload::new(encode(&m, id, layers, events.as_ref().map(|v| v.as_slice())).to_vec())
            })
            .await
            .map_err(ApiError::internal)?;
            map.keep_tile(tkey, b.clone());
            b
        }
    };
    Ok(bytes.respond(&headers, MVT, "public, max-age=60"))
}

async fn events_for(
    state: &Arc<AppState>,
    map: &Arc<CachedMap>,
    window: u32,
) -> ApiResult<Arc<Vec<frontline_store::StoredEvent>>> {
    if let Some(e) = map.cached_events(window) {
        return Ok(e);
    }
    let date = map.map.date();
    let filter = EventFilter {
        from: Some(date - Duration::days(i64::from(window) - 1)),
        to: Some(date),
        ..Default::default()
    };
    let events = Arc::new(
        state
            .db
            .run(move |db| db.store.stored_events(&filter))
            .await??,
    );
    map.keep_events(window, Arc::clone(&events));
    Ok(events)
}

fn encode(
    map: &CachedMap,
    id: TileId,
    layers: u8,
    events: Option<&[frontline_store::StoredEvent]>,
) -> Bytes {
    let mut out = Vec::new();
    if layers & CONTROL != 0 {
        let mut l = Layer::new("control", id);
        for (i, f) in map.features.iter().enumerate() {
            let mut props = vec![
                ("actor", Value::String(f.actor.to_string())),
                ("status", Value::String(f.status.as_str().to_owned())),
                ("area_km2", Value::Double(f.area_km2)),
                ("mean_confidence", Value::Double(f.mean_confidence)),
            ];
            if let Some(a2) = &f.actor2 {
                props.push(("actor2", Value::String(a2.to_string())));
            }
            l.add_polygon(Some(i as u64 + 1), &f.geometry, &props);
        }
        out.push(l);
    }
    if let Some(events) = events {
        let mut l = Layer::new("events", id);
        for (i, s) in events.iter().enumerate() {
            let e = &s.event;
            let mut props = vec![
                ("type", Value::String(e.event_type.as_str().to_owned())),
                ("date", Value::String(e.date.to_string())),
                ("count", Value::Int(i64::from(e.count))),
                ("dataset", Value::String(e.key.dataset.clone())),
            ];
            if let Some(f) = e.fatalities {
                props.push(("fatalities", Value::Int(i64::from(f.best()))));
            }
            l.add_point(
                Some(i as u64 + 1),
                Point::new(e.location.lon(), e.location.lat()),
                &props,
            );
        }
        out.push(l);
    }
    Bytes::from(encode_tile(&out))
}
