//! The control map endpoints: per-actor polygons, km² and share per actor, who holds a point
//! and why (explain), plus the list of actors they name.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::params::{self, MapParams};
use crate::app::encoded::Encoded;
use crate::app::product::round3;
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::payload::respond;
use crate::server::state::AppState;

pub const GEOJSON: &str = "application/geo+json";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlQuery {
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    actor: Option<String>,
}

/// `GET /api/control?date=D[&known_on=T][&region=SYR,IRQ][&actor=ID]`: GeoJSON, one feature
/// per (actor, status, other party, low confidence) with `area_km2`, `mean_confidence`,
/// `cells`, clipped to the region — the features `frontline control` writes.
pub async fn control(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    headers: HeaderMap,
    Query(q): Query<ControlQuery>,
) -> ApiResult<Response> {
    let req = MapParams {
        date: q.date,
        known_on: q.known_on,
        region: q.region,
    }
    .request(&state)?;
    let actor = params::actor(&state, q.actor.as_deref()).await?;
    let body = state
        .app(move |e| {
            let m = e.map(&req)?;
            Ok(match actor {
                None => m.geojson().clone(),
                Some(a) => Encoded::once(m.geojson_of(&a)),
            })
        })
        .await?;
    // Maps change when observations are written: clients revalidate (cheaply, by ETag).
    Ok(respond(&body, &headers, GEOJSON, "no-cache"))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaQuery {
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    /// `country`: one table per region part.
    by: Option<String>,
}

/// `GET /api/area?date=D[&by=country]`: km² and share per actor (`actor` is the id or
/// `unassessed`), like `frontline area`.
pub async fn area(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<AreaQuery>,
) -> ApiResult<Json<Value>> {
    let req = MapParams {
        date: q.date,
        known_on: q.known_on,
        region: q.region,
    }
    .request(&state)?;
    let by_country = match q.by.as_deref() {
        None => false,
        Some("country") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "by must be country, got {other:?}"
            )))
        }
    };
    let rows = |t: &frontline_core::control_map::AreaTable| -> Vec<Value> {
        t.rows
            .iter()
            .map(|r| {
                json!({
                    "actor": r.actor.as_ref().map_or("unassessed", |a| a.as_str()),
                    "area_km2": round3(r.area_km2),
                    "share_pct": round3(r.share_pct),
                })
            })
            .collect()
    };
    // The whole region's table alone does not need the map's polygons (the chart asks for
    // many dates): the per-country tables need its cells.
    let (key, total, parts) = state
        .app(move |e| {
            let key = e.key(&req)?;
            let total = e.areas(&req)?;
            let parts = match by_country {
                true => Some(e.map(&req)?.map.areas_by_part()),
                false => None,
            };
            Ok((key, total, parts))
        })
        .await?;
    let mut out = json!({
        "date": key.date.to_string(),
        "known_on": key.known_on.label(),
        "region": key.region,
    });
    out["total_km2"] = json!(round3(total.total_km2));
    out["rows"] = json!(rows(&total));
    if let Some(parts) = parts {
        out["countries"] = parts
            .iter()
            .map(|(code, t)| json!({"country": code, "total_km2": round3(t.total_km2), "rows": rows(t)}))
            .collect();
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointQuery {
    date: Option<String>,
    known_on: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// `GET /api/whois?date=D&lat=..&lon=..`: who holds the point, with status and confidence
/// (actor `unassessed` when nothing reaches it).
pub async fn whois(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<PointQuery>,
) -> ApiResult<Json<Value>> {
    let (out, _) = point_estimate(&state, q, false).await?;
    Ok(Json(out))
}

/// `GET /api/explain?date=D&lat=..&lon=..`: the estimate at the point and the observations
/// that decided it, with weights, dates, sources, grading and evidence files.
pub async fn explain(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<PointQuery>,
) -> ApiResult<Json<Value>> {
    let (mut out, keys) = point_estimate(&state, q, true).await?;
    // Evidence files attached to the deciding observations (the provenance's attachments).
    let files = state
        .db
        .run(move |db| -> ApiResult<Vec<(String, Value)>> {
            let mut v = Vec::new();
            for k in keys {
                let a = db.store.attachments(&k)?;
                v.push((k, json!(a)));
            }
            Ok(v)
        })
        .await??;
    if let Some(obs) = out["observations"].as_array_mut() {
        for o in obs {
            let key = o["key"].as_str().unwrap_or_default().to_owned();
            if let Some((_, f)) = files.iter().find(|(k, _)| *k == key) {
                o["evidence_files"] = f.clone();
            }
        }
    }
    Ok(Json(out))
}

async fn point_estimate(
    state: &Arc<AppState>,
    q: PointQuery,
    detail: bool,
) -> ApiResult<(Value, Vec<String>)> {
    let date = params::required_date(state, "date", q.date.as_deref())?;
    let known_on = params::known_on(q.known_on.as_deref())?;
    let p = params::point(q.lat, q.lon)?;
    state.app(move |engine| engine.with_day(date, known_on, |day, known| {
        let obs = &known.observations;
        let est = day.at(p);
        let mut out = json!({
            "date": date.to_string(),
            "known_on": known_on.label(),
            "lat": p.lat(),
            "lon": p.lon(),
            "actor": est.actor.as_ref().map_or("unassessed", |a| a.as_str()),
            "actor2": est.actor2.as_ref().map(|a| a.as_str()),
            "status": if est.actor.is_some() { Some(est.status.as_str()) } else { None },
            "confidence": round3(est.confidence),
        });
        let mut keys = Vec::new();
        if detail {
            let describe = |state_index: u32| {
                let d = &day.states[state_index as usize];
                json!({
                    "label": d.label,
                    "lat": d.location.lat(),
                    "lon": d.location.lon(),
                    "is_area": d.is_area,
                    "reach_km": round3(d.reach_km),
                    "actor": d.state.actor.as_str(),
                    "actor2": d.state.actor2.as_ref().map(|a| a.as_str()),
                    "status": d.state.status.as_str(),
                    "confidence": round3(d.state.confidence),
                    "basis": d.state.basis.as_str(),
                    "observations": d.state.observations.iter().map(|&i| obs[i as usize].key.as_str()).collect::<Vec<_>>(),
                })
            };
            out["decided_by_area"] = est.area.map(describe).into();
            out["contributions"] = est
                .contributions
                .iter()
                .map(|c| {
                    let mut v = describe(c.state);
                    v["distance_km"] = json!(round3(c.distance_km));
                    v["weight"] = json!(c.weight);
                    v["share"] = json!(round3(c.share));
                    v
                })
                .collect();
            let mut used: Vec<u32> = est
                .area
                .into_iter()
                .chain(est.contributions.iter().map(|c| c.state))
                .flat_map(|s| day.states[s as usize].state.observations.clone())
                .collect();
            used.sort_unstable();
            used.dedup();
            out["observations"] = used
                .iter()
                .map(|&i| {
                    let o = &obs[i as usize];
                    keys.push(o.key.as_str().to_owned());
                    json!({
                        "key": o.key.as_str(),
                        "label": o.label,
                        "actor": o.actor.as_str(),
                        "actor2": o.actor2.as_ref().map(|a| a.as_str()),
                        "status": o.status.as_str(),
                        "feature": o.feature.as_str(),
                        "observed": o.observed.to_string(),
                        "source": o.source,
                        "grading": o.grading.map(|g| g.to_string()),
                        "evidence": o.evidence,
                        "analyst": o.analyst,
                        "recorded_at": o.recorded_at.to_rfc3339(),
                    })
                })
                .collect();
        }
        (out, keys)
    }))
    .await
}

/// `GET /api/actors`: every actor with its name, aliases and colour.
pub async fn actors(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
) -> ApiResult<Json<Value>> {
    let actors = state.db.run(|db| db.store.actors()).await??;
    Ok(Json(json!({ "actors": actors })))
}
