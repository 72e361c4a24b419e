//! A computed control map and everything derived from it that more than one door serves: the
//! dissolved per-actor polygons (clipped to the region, low-confidence ground split off — the
//! same features for `frontline control`, the maps, `/api/control`, OGC items and exports), the
//! area table, the analyses' territory, the GeoJSON body and the vector tiles. Derived values are
//! made on first use and kept with the map, so their cost is paid once per map.

use std::sync::OnceLock;

use chrono::NaiveDate;
use frontline_core::analysis::Territory;
use frontline_core::control_map::{AreaTable, ControlFeature, ControlMap, DissolveOptions};
use frontline_core::render::control::LOW_CONFIDENCE_BELOW;
use frontline_core::ActorId;
use serde_json::{json, Value};

use super::cache::{ByteCache, Weigh};
use super::encoded::Encoded;
use super::error::AppResult;
use super::request::KnownOn;

/// The dissolve every door uses: clipped to the region (drawn area equals counted area), with
/// cells under the low-confidence threshold as features of their own.
pub fn dissolve_options() -> DissolveOptions {
    DissolveOptions {
        actor: None,
        clip: true,
        low_confidence_below: Some(LOW_CONFIDENCE_BELOW),
    }
}

/// Which map, resolved: what the engine's caches are keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MapKey {
    pub date: NaiveDate,
    pub known_on: KnownOn,
    /// The region's stored codes, upper-case, sorted, comma-joined.
    pub region: String,
    pub resolution: u8,
}

/// A vector tile of a map: zoom, x, y, the layers asked for and the events' window in days.
pub type TileKey = (u8, u32, u32, u8, u32);

/// Most bytes of vector tiles kept per map.
const TILE_BUDGET: usize = 24 * 1024 * 1024;

/// A control map with its features and lazily derived views.
pub struct MapProduct {
    pub key: MapKey,
    pub map: ControlMap,
    /// Per (actor, status, other party, low confidence), clipped to the region.
    pub features: Vec<ControlFeature>,
    territory: OnceLock<Territory>,
    areas: OnceLock<AreaTable>,
    geojson: OnceLock<Encoded>,
    values: OnceLock<Vec<Value>>,
    /// Encoded vector tiles of this map.
    pub tiles: ByteCache<TileKey>,
}

impl MapProduct {
    pub fn new(key: MapKey, map: ControlMap) -> AppResult<Self> {
        let features = map.dissolve(&dissolve_options())?;
        Ok(Self {
            key,
            map,
            features,
            territory: OnceLock::new(),
            areas: OnceLock::new(),
            geojson: OnceLock::new(),
            values: OnceLock::new(),
            tiles: ByteCache::new(TILE_BUDGET),
        })
    }

    /// The analyses' view of the map (who holds each cell).
    pub fn territory(&self) -> &Territory {
        self.territory
            .get_or_init(|| Territory::from_control_map(&self.map))
    }

    /// Km² and share per actor (a shared cell counts half to each party).
    pub fn areas(&self) -> &AreaTable {
        self.areas.get_or_init(|| self.map.areas())
    }

    /// All features as a GeoJSON FeatureCollection, encoded once.
    pub fn geojson(&self) -> &Encoded {
        self.geojson
            .get_or_init(|| Encoded::new(features_geojson(&self.features, &self.key, |_| true)))
    }

    /// Every feature as a GeoJSON feature value (id, geometry, properties), made once: what
    /// `/api/control`, the OGC items and the exports carry.
    pub fn feature_values(&self) -> &[Value] {
        self.values.get_or_init(|| {
            self.features
                .iter()
                .enumerate()
                .map(|(i, f)| feature_value(i, f, self.key.date))
                .collect()
        })
    }

    /// One actor's features as GeoJSON (ids stay those of the whole list).
    pub fn geojson_of(&self, actor: &ActorId) -> Vec<u8> {
        features_geojson(&self.features, &self.key, |f| &f.actor == actor)
    }
}

impl Weigh for MapProduct {
    fn weight(&self) -> usize {
        // Cells (state and grid share), the polygons' coordinates, the GeoJSON in both forms,
        // and the tile budget it may fill.
        let cells = self.map.grid().len() * 48;
        let coords: usize = self
            .features
            .iter()
            .map(|f| {
                f.geometry
                    .0
                    .iter()
                    .map(|p| {
                        p.exterior().0.len()
                            + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()
                    })
                    .sum::<usize>()
            })
            .sum();
        // Coordinates: the polygons, the feature values and the GeoJSON text (plain and gzip).
        cells * 2 + coords * 16 * 6 + TILE_BUDGET
    }
}

/// A feature id stable within one map: its position in the dissolved list, from 1.
pub fn feature_id(i: usize) -> u64 {
    i as u64 + 1
}

/// Round to 3 decimals (what every door prints of km² and confidences).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The properties of a control feature, the same through every door.
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

/// Coordinates to 6 decimals (0.1 m), as RFC 7946 advises: far below a cell's size, and it
/// halves the body.
pub fn rounded(mp: &geo::MultiPolygon<f64>) -> geo::MultiPolygon<f64> {
    use geo::MapCoords;
    let r = |v: f64| (v * 1e6).round() / 1e6;
    mp.map_coords(|c| geo::coord! { x: r(c.x), y: r(c.y) })
}

/// The `i`-th feature of a map as a GeoJSON feature.
pub fn feature_value(i: usize, f: &ControlFeature, date: NaiveDate) -> Value {
    json!({
        "type": "Feature",
        "id": feature_id(i),
        "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&rounded(&f.geometry))),
        "properties": feature_properties(f, date),
    })
}

/// The features `keep` selects as a GeoJSON FeatureCollection, with the map's date, known-on
/// time and region as foreign members.
pub fn features_geojson(
    features: &[ControlFeature],
    key: &MapKey,
    keep: impl Fn(&ControlFeature) -> bool,
) -> Vec<u8> {
    let feats: Vec<Value> = features
        .iter()
        .enumerate()
        .filter(|(_, f)| keep(f))
        .map(|(i, f)| feature_value(i, f, key.date))
        .collect();
    let fc = json!({
        "type": "FeatureCollection",
        "date": key.date.to_string(),
        "known_on": key.known_on.label(),
        "region": key.region,
        "features": feats,
    });
    serde_json::to_vec(&fc).expect("JSON values serialise")
}
