//! Control maps for the server, computed once and reused.
//!
//! A map is identified by (date, known-on day, region). The first request computes it — the
//! observations as known on that day from the store, the region's grid, the core's
//! `estimate`, the dissolved per-actor polygons and their GeoJSON — and later requests reuse
//! it: control GeoJSON is served from ready bytes and vector tiles are encoded once per tile.
//! Every write through the API bumps the state's generation; a cached map made at an older
//! generation is recomputed on its next request, so a new observation shows on the next read.
//! Concurrent first requests for the same map wait for one computation instead of racing.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use frontline_core::analysis::Territory;
use frontline_core::control_map::{AreaTable, ControlFeature, ControlMap, DissolveOptions};
use frontline_core::estimate;
use frontline_core::grid::{Grid, RegionPart};
use frontline_core::{AoiKind, Observation};
use frontline_store::{StoredEvent, StoredObservation};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

use super::error::{ApiError, ApiResult};
use super::mvt::TileId;
use super::payload::Payload;
use super::state::AppState;

/// How many maps (dates × known-on × regions) are kept; the oldest is dropped beyond this.
const MAX_MAPS: usize = 32;

/// Which map.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapKey {
    pub date: NaiveDate,
    pub known_on: Option<NaiveDate>,
    /// Region part codes, upper-case, sorted, comma-joined (e.g. `IRQ,SYR`).
    pub region: String,
}

/// A computed map and what is served from it.
pub struct CachedMap {
    pub generation: u64,
    pub map: ControlMap,
    /// Dissolved per (actor, status, other party), as the CLI's `control` writes them.
    pub features: Vec<ControlFeature>,
    /// The features as a GeoJSON FeatureCollection, ready to send.
    pub geojson: Payload,
    /// Encoded vector tiles by (tile, layers, event window in days).
    tiles: Mutex<HashMap<TileKey, Payload>>,
    /// Events of the window ending on the map's date, by window length in days.
    events: Mutex<HashMap<u32, Arc<Vec<StoredEvent>>>>,
    /// The analyses' view of the map, made on first use.
    territory: std::sync::OnceLock<Territory>,
}

/// Which tile of a map: the tile, the layers asked for and the events' window.
pub type TileKey = (TileId, u8, u32);

/// Most tiles kept per map (a map of a region at zooms 0–12 has a few thousand).
const MAX_TILES: usize = 20_000;

impl CachedMap {
    /// A tile's bytes if they were encoded before.
    pub fn cached_tile(&self, key: &TileKey) -> Option<Payload> {
        self.tiles
            .lock()
            .expect("tile cache lock")
            .get(key)
            .cloned()
    }

    pub fn keep_tile(&self, key: TileKey, bytes: Payload) {
        let mut t = self.tiles.lock().expect("tile cache lock");
        if t.len() >= MAX_TILES {
            t.clear();
        }
        t.insert(key, bytes);
    }

    /// The analyses' view of the map (who holds each cell).
    pub fn territory(&self) -> &Territory {
        self.territory
            .get_or_init(|| Territory::from_control_map(&self.map))
    }

    pub fn cached_events(&self, window: u32) -> Option<Arc<Vec<StoredEvent>>> {
        self.events
            .lock()
            .expect("events cache lock")
            .get(&window)
            .cloned()
    }

    pub fn keep_events(&self, window: u32, events: Arc<Vec<StoredEvent>>) {
        self.events
            .lock()
            .expect("events cache lock")
            .insert(window, events);
    }
}

/// Observations as known on a day, shared by the maps and point queries of that day.
pub struct KnownObservations {
    pub generation: u64,
    /// With their versions, ordered by key.
    pub stored: Vec<StoredObservation>,
    /// The same observations, as the estimator takes them.
    pub observations: Vec<Observation>,
}

type Slot<T> = Arc<OnceCell<Arc<T>>>;

/// An area table and the write generation it was computed at.
type GenerationTable = (u64, Arc<AreaTable>);

#[derive(Default)]
pub struct MapCache {
    maps: Mutex<Vec<(MapKey, Slot<CachedMap>)>>,
    observations: Mutex<HashMap<Option<NaiveDate>, Slot<KnownObservations>>>,
    /// Km² per actor of maps that were only asked for their areas (the chart's dates): kept
    /// without their cells and polygons, so that a chart does not push the maps being looked
    /// at out of `maps`.
    areas: Mutex<HashMap<MapKey, Slot<GenerationTable>>>,
    /// By region, with the area generation each grid was built at.
    grids: Mutex<HashMap<String, (u64, Slot<Grid>)>>,
}

/// The JSON properties of a control feature (the same fields as `frontline control`).
pub fn feature_properties(f: &ControlFeature, date: NaiveDate) -> Value {
    json!({
        "actor": f.actor.as_str(),
        "actor2": f.actor2.as_ref().map(|a| a.as_str()),
        "status": f.status.as_str(),
        "low_confidence": f.low_confidence,
        "area_km2": round3(f.area_km2),
        "mean_confidence": round3(f.mean_confidence),
        "cells": f.cells,
        "date": date.to_string(),
    })
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A feature id stable within one map: its position in the dissolved list, from 1.
pub fn feature_id(i: usize) -> u64 {
    i as u64 + 1
}

/// Coordinates to 6 decimals (0.1 m), as RFC 7946 advises: far below a cell's size, and it
/// halves the body.
fn rounded(mp: &geo::MultiPolygon<f64>) -> geo::MultiPolygon<f64> {
    use geo::MapCoords;
    let r = |v: f64| (v * 1e6).round() / 1e6;
    mp.map_coords(|c| geo::coord! { x: r(c.x), y: r(c.y) })
}

/// The features `keep` selects as a GeoJSON FeatureCollection (ids are positions in the whole
/// list, so they are the same whatever is selected).
pub fn geojson_of(
    features: &[ControlFeature],
    key: &MapKey,
    keep: impl Fn(&ControlFeature) -> bool,
) -> Vec<u8> {
    let feats: Vec<Value> = features
        .iter()
        .enumerate()
        .filter(|(_, f)| keep(f))
        .map(|(i, f)| {
            json!({
                "type": "Feature",
                "id": feature_id(i),
                "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&rounded(&f.geometry))),
                "properties": feature_properties(f, key.date),
            })
        })
        .collect();
    let fc = json!({
        "type": "FeatureCollection",
        "date": key.date.to_string(),
        "known_on": key.known_on.map(|d| d.to_string()),
        "region": key.region,
        "features": feats,
    });
    serde_json::to_vec(&fc).expect("JSON values serialise")
}

/// End of a known-on day, as the store's recording-time cut-off.
pub fn known_cutoff(day: NaiveDate) -> chrono::DateTime<Utc> {
    let end = day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"));
    Utc.from_utc_datetime(&end)
}

impl MapCache {
    /// The observations as known on `known_on` (None: now).
    pub async fn observations(
        &self,
        state: &Arc<AppState>,
        known_on: Option<NaiveDate>,
    ) -> ApiResult<Arc<KnownObservations>> {
        let gen = state.generation();
        let slot = {
            let mut m = self.observations.lock().expect("cache lock");
            let stale = m
                .get(&known_on)
                .and_then(|s| s.get())
                .is_some_and(|o| o.generation != gen);
            if stale || m.len() > MAX_MAPS {
                m.remove(&known_on);
            }
            Arc::clone(m.entry(known_on).or_default())
        };
        let db = Arc::clone(&state.db);
        slot.get_or_try_init(|| async move {
            let stored = db
                .run(move |db| db.store.observations(known_on.map(known_cutoff)))
                .await??;
            let observations = stored.iter().map(|s| s.observation.clone()).collect();
            Ok::<_, ApiError>(Arc::new(KnownObservations {
                generation: gen,
                stored,
                observations,
            }))
        })
        .await
        .cloned()
    }

    /// The grid for a region, kept until an area is written (observation writes do not
    /// touch it).
    pub async fn grid(
        &self,
        state: &Arc<AppState>,
        region: &str,
        resolution: u8,
    ) -> ApiResult<Arc<Grid>> {
        let gen = state.area_generation();
        let slot = {
            let mut grids = self.grids.lock().expect("cache lock");
            let entry = grids
                .entry(region.to_owned())
                .or_insert_with(|| (gen, Slot::default()));
            if entry.0 != gen {
                *entry = (gen, Slot::default());
            }
            Arc::clone(&entry.1)
        };
        let db = Arc::clone(&state.db);
        let codes: Vec<String> = region.split(',').map(str::to_owned).collect();
        slot.get_or_try_init(|| async move {
            let parts = db
                .run(move |db| -> ApiResult<Vec<RegionPart>> {
                    let mut parts = Vec::new();
                    for code in &codes {
                        let area = db
                            .store
                            .area(code)?
                            .ok_or_else(|| ApiError::unprocessable(format!(
                                "unknown region part {code:?}: use the code of a stored area (see /api/areas)"
                            )))?;
                        parts.push(RegionPart {
                            code: area.code.clone(),
                            name: area.name.clone(),
                            shape: area.geometry().clone(),
                        });
                    }
                    Ok(parts)
                })
                .await??;
            let grid = tokio::task::spawn_blocking(move || Grid::build(&parts, resolution))
                .await
                .map_err(ApiError::internal)?
                .map_err(|e| ApiError::unprocessable(format!("cannot build the region's grid: {e}")))?;
            Ok::<_, ApiError>(Arc::new(grid))
        })
        .await
        .cloned()
    }

    /// The control map for `key`, computed at most once per generation.
    pub async fn control(&self, state: &Arc<AppState>, key: &MapKey) -> ApiResult<Arc<CachedMap>> {
        let gen = state.generation();
        let slot = {
            let mut maps = self.maps.lock().expect("cache lock");
            if let Some(pos) = maps.iter().position(|(k, _)| k == key) {
                let stale = maps[pos].1.get().is_some_and(|m| m.generation != gen);
                if stale {
                    maps.remove(pos);
                }
            }
            match maps.iter().find(|(k, _)| k == key) {
                Some((_, s)) => Arc::clone(s),
                None => {
                    if maps.len() >= MAX_MAPS {
                        maps.remove(0);
                    }
                    let s: Slot<CachedMap> = Arc::default();
                    maps.push((key.clone(), Arc::clone(&s)));
                    s
                }
            }
        };
        slot.get_or_try_init(|| async {
            let obs = self.observations(state, key.known_on).await?;
            let grid = self.grid(state, &key.region, state.resolution).await?;
            let key = key.clone();
            let params = state.params.clone();
            tokio::task::spawn_blocking(move || -> ApiResult<Arc<CachedMap>> {
                let map = estimate::estimate(&obs.observations, &grid, &params, key.date);
                let features = map
                    .dissolve(&DissolveOptions::default())
                    .map_err(ApiError::internal)?;
                let geojson = Payload::new(geojson_of(&features, &key, |_| true));
                Ok(Arc::new(CachedMap {
                    generation: gen,
                    map,
                    features,
                    geojson,
                    tiles: Mutex::default(),
                    events: Mutex::default(),
                    territory: std::sync::OnceLock::new(),
                }))
            })
            .await
            .map_err(ApiError::internal)?
        })
        .await
        .cloned()
    }
}

/// Most area tables kept (a few hundred bytes each).
const MAX_AREA_TABLES: usize = 4096;

impl MapCache {
    /// Km² and share per actor of the map `key`, computed once per write generation: from the
    /// cached map if there is one, else estimated (cells only: no polygons).
    pub async fn areas(&self, state: &Arc<AppState>, key: &MapKey) -> ApiResult<Arc<AreaTable>> {
        let gen = state.generation();
        let slot = {
            let mut tables = self.areas.lock().expect("cache lock");
            let stale = tables
                .get(key)
                .and_then(|s| s.get())
                .is_some_and(|t| t.0 != gen);
            if stale || tables.len() >= MAX_AREA_TABLES {
                tables.remove(key);
                if tables.len() >= MAX_AREA_TABLES {
                    tables.clear();
                }
            }
            Arc::clone(tables.entry(key.clone()).or_default())
        };
        let table = slot
            .get_or_try_init(|| async {
                let ready = {
                    let maps = self.maps.lock().expect("cache lock");
                    maps.iter()
                        .find(|(k, _)| k == key)
                        .and_then(|(_, s)| s.get())
                        .filter(|m| m.generation == gen)
                        .map(Arc::clone)
                };
                let table = match ready {
                    Some(m) => tokio::task::spawn_blocking(move || m.map.areas()).await,
                    None => {
                        let obs = self.observations(state, key.known_on).await?;
                        let grid = self.grid(state, &key.region, state.resolution).await?;
                        let params = state.params.clone();
                        let date = key.date;
                        tokio::task::spawn_blocking(move || {
                            estimate::estimate(&obs.observations, &grid, &params, date).areas()
                        })
                        .await
                    }
                }
                .map_err(ApiError::internal)?;
                Ok::<_, ApiError>(Arc::new((gen, Arc::new(table))))
            })
            .await?;
        Ok(Arc::clone(&table.1))
    }
}

/// The default region: every stored country among `preferred`, or every stored country.
pub fn default_region(countries: &[(String, AoiKind)], preferred: &[&str]) -> String {
    let have: Vec<&str> = countries
        .iter()
        .filter(|(_, k)| *k == AoiKind::Country)
        .map(|(c, _)| c.as_str())
        .collect();
    let mut chosen: Vec<String> = preferred
        .iter()
        .filter(|p| have.iter().any(|h| h.eq_ignore_ascii_case(p)))
        .map(|p| p.to_ascii_uppercase())
        .collect();
    if chosen.is_empty() {
        chosen = have.iter().map(|h| h.to_ascii_uppercase()).collect();
    }
    chosen.sort();
    chosen.join(",")
}

/// Normalise a region parameter: upper-case codes, sorted, no duplicates.
pub fn normalise_region(s: &str) -> ApiResult<String> {
    let mut codes: Vec<String> = s
        .split(',')
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    if codes.is_empty() {
        return Err(ApiError::bad_request(
            "region must list at least one area code",
        ));
    }
    if codes.iter().any(|c| {
        c.len() > 64
            || !c
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }) {
        return Err(ApiError::bad_request(
            "region codes are letters, digits, '-' and '_' separated by commas",
        ));
    }
    codes.sort();
    codes.dedup();
    Ok(codes.join(","))
}
