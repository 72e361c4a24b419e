//! The analyses over HTTP: share of an area held, sieges and enclaves, hotspots, an actor's
//! trend, and population per actor. Each calls the core's analysis on the cached control map
//! (and on events from the store), so the figures are the CLI's.

use axum::extract::State;
use axum::Json;
use frontline_core::analysis::enclave::EnclaveParams;
use frontline_core::analysis::AnalysisError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::params::{self, MapParams, MapQuery};
use crate::app::analyses::{HotspotRequest, TrendRequest, Zones};
use crate::app::product::round3;
use crate::app::request::parse_step;
use crate::app::{KnownOn, MapRequest};
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::state::AppState;

impl From<AnalysisError> for ApiError {
    fn from(e: AnalysisError) -> Self {
        ApiError::unprocessable(e.to_string())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareQuery {
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    /// Code or name of a stored area of interest.
    aoi: Option<String>,
}

/// `GET /api/share?date=D&aoi=CODE`: km² and % of an area of interest per holder.
pub async fn share_of_area(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<ShareQuery>,
) -> ApiResult<Json<Value>> {
    let req = MapParams {
        date: q.date,
        known_on: q.known_on,
        region: q.region,
    }
    .request(&state)?;
    let name = q.aoi.ok_or_else(|| {
        ApiError::bad_request("missing query parameter aoi (an area code or name, see /api/areas)")
    })?;
    let date = req.date;
    let report = state
        .app(move |e| {
            let aoi = e.area_of_interest(&name, &[])?;
            e.share(&req, &aoi)
        })
        .await?;
    Ok(Json(json!({
        "date": date.to_string(),
        "aoi": report.aoi,
        "aoi_km2": round3(report.aoi_km2),
        "assessed_km2": round3(report.assessed_km2),
        "cells": report.cells,
        "rows": report.rows.iter().map(|r| json!({
            "holder": r.holder.label(),
            "km2": round3(r.km2),
            "pct": round3(r.pct),
            "pct_of_assessed": r.pct_of_assessed.map(round3),
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiegeQuery {
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    /// Share of the perimeter held by hostile actors from which an enclave is encircled (0–1).
    threshold: Option<f64>,
    /// Smallest enclave reported, km².
    min_km2: Option<f64>,
    /// Only encircled enclaves.
    encircled: Option<bool>,
}

/// `GET /api/sieges?date=D[&threshold=0.75][&min_km2=0][&encircled=true]`: every enclave with
/// its km², perimeter shares and whether it is encircled.
pub async fn sieges(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<SiegeQuery>,
) -> ApiResult<Json<Value>> {
    let req = MapParams {
        date: q.date,
        known_on: q.known_on,
        region: q.region,
    }
    .request(&state)?;
    let date = req.date;
    let mut prm = EnclaveParams::default();
    if let Some(t) = q.threshold {
        if !(0.0..=1.0).contains(&t) {
            return Err(ApiError::unprocessable("threshold must be between 0 and 1"));
        }
        prm.threshold = t;
    }
    if let Some(m) = q.min_km2 {
        if !(m.is_finite() && m >= 0.0) {
            return Err(ApiError::unprocessable(
                "min_km2 must be a non-negative number",
            ));
        }
        prm.min_km2 = m;
    }
    let only = q.encircled.unwrap_or(false);
    let list = state.app(move |e| e.sieges(&req, &prm)).await?;
    let out: Vec<Value> = list
        .iter()
        .filter(|e| !only || e.encircled)
        .map(|e| json!({
            "actor": e.actor.as_str(),
            "km2": round3(e.km2),
            "cells": e.cells.len(),
            "perimeter_km": round3(e.perimeter_km),
            "hostile_pct": round3(e.hostile_pct),
            "encircled": e.encircled,
            "surrounded_by": e.surrounding().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            "besieged_cells": e.besieged_cells,
            "reason": e.reason,
            "centre": {"lat": e.centre.lat(), "lon": e.centre.lon()},
            "perimeter": e.perimeter.iter().map(|p| json!({
                "neighbour": p.neighbour.label(), "km": round3(p.km), "pct": round3(p.pct), "hostile": p.hostile,
            })).collect::<Vec<_>>(),
        }))
        .collect();
    Ok(Json(json!({"date": date.to_string(), "enclaves": out})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotspotQuery {
    date: Option<String>,
    window_days: Option<u32>,
    baseline_windows: Option<u32>,
    alpha: Option<f64>,
    /// H3 resolution of the zones (default 5, ≈ 250 km²).
    res: Option<u8>,
}

/// `GET /api/hotspots?date=D[&window_days=14][&baseline_windows=12][&alpha=0.01][&res=5]`.
pub async fn hotspots_at(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<HotspotQuery>,
) -> ApiResult<Json<Value>> {
    let date = params::required_date(&state, "date", q.date.as_deref())?;
    let mut req = HotspotRequest::on(date);
    if let Some(w) = q.window_days {
        req.params.window_days = w;
    }
    if let Some(b) = q.baseline_windows {
        req.params.baseline_windows = b;
    }
    if let Some(a) = q.alpha {
        req.params.alpha = a;
    }
    if let Some(r) = q.res {
        req.zones = Zones::Cells(r);
    }
    let report = state.app(move |e| e.hotspots(&req)).await?;
    Ok(Json(json!({
        "date": date.to_string(),
        "window": [report.window.0.to_string(), report.window.1.to_string()],
        "baseline": [report.baseline.0.to_string(), report.baseline.1.to_string()],
        "statistic": "one-sided Poisson tail p = P(X >= x | lambda = (baseline + 0.5) / windows), Bonferroni-corrected; z = (x - lambda) / sqrt(lambda)",
        "zones_tested": report.zones_tested,
        "threshold": report.threshold,
        "excluded_imprecise": report.excluded_imprecise,
        "zones": report.zones.iter().take(500).map(|z| json!({
            "zone": z.zone.label(),
            "lat": z.centre.lat(), "lon": z.centre.lon(),
            "count": z.count, "rows": z.rows, "fatalities": z.fatalities,
            "baseline_total": z.baseline_total, "baseline_rate": z.baseline_rate,
            "baseline_fatalities_mean": z.baseline_fatalities_mean,
            "p_value": z.p_value, "z": z.z, "hotspot": z.hotspot,
        })).collect::<Vec<_>>(),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrendQuery {
    actor: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// e.g. 14d, 2w, 1mo (default), 1y.
    step: Option<String>,
    region: Option<String>,
}

/// Most steps whose territory is estimated in one request.
const MAX_TREND_STEPS: usize = 36;

/// `GET /api/trend?actor=ID&from=D1&to=D2[&step=1mo]`: per step, the actor's events by type,
/// fatalities, provinces and countries attacked, attacks outside its territory, and its km².
pub async fn trend_of(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<TrendQuery>,
) -> ApiResult<Json<Value>> {
    let actor = params::actor(
        &state,
        Some(
            q.actor
                .as_deref()
                .ok_or_else(|| ApiError::bad_request("missing query parameter actor"))?,
        ),
    )
    .await?
    .expect("an actor was given");
    let from = params::date(
        &state,
        "from",
        q.from
            .as_deref()
            .ok_or_else(|| ApiError::bad_request("missing query parameter from"))?,
    )?;
    let to = params::date(
        &state,
        "to",
        q.to.as_deref()
            .ok_or_else(|| ApiError::bad_request("missing query parameter to"))?,
    )?;
    let step = parse_step("step", q.step.as_deref().unwrap_or("1mo"))?;
    let req = TrendRequest {
        actor,
        from,
        to,
        step,
        map: MapRequest {
            date: to,
            known_on: KnownOn::NOW,
            region: params::region(q.region.as_deref())?,
            resolution: None,
        },
        with_control: true,
    };
    let rows = state.app(move |e| e.trend(&req, MAX_TREND_STEPS)).await?;
    let km2 = rows.iter().map(|r| r.km2.unwrap_or(0.0));
    Ok(Json(json!({
        "rows": rows.iter().zip(km2).map(|(r, km2)| json!({
            "from": r.from.to_string(), "to": r.to.to_string(),
            "events": r.events, "attacks": r.attacks, "fatalities": r.fatalities,
            "events_by_type": r.events_by_type.iter().map(|(t, n)| (t.as_str().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
            "countries": r.countries, "provinces": r.provinces,
            "attacks_located": r.attacks_located, "attacks_outside": r.attacks_outside,
            "imprecise": r.imprecise, "km2": round3(km2),
        })).collect::<Vec<_>>(),
    })))
}

/// `GET /api/population?date=D`: people per actor, each settlement of the gazetteer counted
/// once (the store's settlement deduplication) and given to the holder of its cell.
pub async fn population(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    MapQuery(req): MapQuery,
) -> ApiResult<Json<Value>> {
    let date = req.date;
    let (report, _) = state.app(move |e| e.population(&req, None)).await?;
    Ok(Json(json!({
        "date": date.to_string(),
        "total": report.people,
        "settlements": report.places,
        "rows": report.rows.iter().map(|r| json!({
            "actor": r.holder.label(), "population": r.people, "settlements": r.places,
            "share_pct": round3(r.pct),
        })).collect::<Vec<_>>(),
    })))
}
