//! Mapbox Vector Tiles: `/tiles/{z}/{x}/{y}.mvt?date=D` with a `control` layer (the engine's
//! features of the map, as `/api/control` serves them) and an `events` layer (events in the
//! `window_days` ending on the date, duplicates counted once, as the analyses count them). Each tile is encoded once per map and served from memory afterwards.

use crate::server::extract::Path;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Duration;
use frontline_core::Event;
use geo::Point;
use serde::Deserialize;
use std::sync::Arc;

use super::params::MapParams;
use crate::app::engine::EventWindowKey;
use crate::app::product::{MapProduct, TileKey};
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::mvt::{encode_tile, Layer, TileId, Value};
use crate::server::payload::{respond, Encoded};
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
    let req = MapParams {
        date: q.date,
        known_on: q.known_on,
        region: q.region,
    }
    .request(&state)?;
    let tkey: TileKey = (z, x, y, layers, window);
    let body = state
        .app(move |e| {
            let map = e.map(&req)?;
            if let Some(b) = map.tiles.get(&tkey) {
                return Ok(b);
            }
            let events = if layers & EVENTS != 0 {
                let date = map.map.date();
                Some(e.events(&EventWindowKey {
                    from: date - Duration::days(i64::from(window) - 1),
                    to: date,
                    actor: None,
                    event_type: None,
                    known_on: req.known_on,
                })?)
            } else {
                None
            };
            let b = Encoded::new(
                encode(&map, id, layers, events.as_ref().map(|v| v.0.as_slice())).to_vec(),
            );
            map.tiles.insert(tkey, b.clone());
            Ok(b)
        })
        .await?;
    Ok(respond(&body, &headers, MVT, "public, max-age=60"))
}

fn encode(map: &MapProduct, id: TileId, layers: u8, events: Option<&[Event]>) -> Bytes {
    let mut out = Vec::new();
    if layers & CONTROL != 0 {
        let mut l = Layer::new("control", id);
        for (i, f) in map.features.iter().enumerate() {
            let mut props = vec![
                ("actor", Value::String(f.actor.to_string())),
                ("status", Value::String(f.status.as_str().to_owned())),
                ("area_km2", Value::Double(f.area_km2)),
                ("mean_confidence", Value::Double(f.mean_confidence)),
                ("low_confidence", Value::Bool(f.low_confidence)),
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
        for (i, e) in events.iter().enumerate() {
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
