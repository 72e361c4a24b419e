//! The bundled base map: Natural Earth countries, land borders, rivers, lakes and populated
//! places of the Syria/Iraq region, compiled into the binary (`include_str!`) so that `frontline
//! map` works from any directory and needs no data folder. City display names (newspaper
//! exonyms) and their Arabic spellings come from `assets/place_names.csv`.

use std::collections::HashMap;

use anyhow::Context;
use frontline_core::render::{Basemap, City};

static COUNTRIES: &str =
    include_str!("../../../data/boundaries/ne_10m_admin_0_countries_mideast.geojson");
static BORDERS: &str =
    include_str!("../../../data/boundaries/ne_10m_admin_0_boundary_lines_land_mideast.geojson");
static RIVERS: &str =
    include_str!("../../../data/boundaries/ne_10m_rivers_lake_centerlines_syr_irq.geojson");
static LAKES: &str = include_str!("../../../data/boundaries/ne_10m_lakes_syr_irq.geojson");
static PLACES: &str = include_str!("../../../data/places/ne_10m_populated_places_syr_irq.csv");
static PLACE_NAMES: &str = include_str!("../assets/place_names.csv");
static UKRAINE_COUNTRIES: &str =
    include_str!("../../../data/ukraine/ne_10m_admin_0_countries_ukraine_region.geojson");

/// Natural Earth spells the two rivers several ways along their course (Turkish, Arabic,
/// English); the map names each once, in English.
fn river_name(ne: &str) -> Option<&'static str> {
    match ne {
        "Euphrates" | "Firat" | "Al Furat" => Some("Euphrates"),
        "Tigris" | "Dicle" => Some("Tigris"),
        _ => None,
    }
}

/// The Syria/Iraq base map with labelled cities.
pub fn middle_east() -> anyhow::Result<Basemap> {
    let parse = |s: &str, what: &str| {
        s.parse::<geojson::GeoJson>()
            .with_context(|| format!("bundled {what}"))
    };
    let mut base = Basemap::from_geojson(
        &parse(COUNTRIES, "countries")?,
        &parse(BORDERS, "borders")?,
        &parse(RIVERS, "rivers")?,
        &parse(LAKES, "lakes")?,
        cities()?,
    )?;
    for r in &mut base.rivers {
        if let Some(n) = river_name(&r.name) {
            r.name = n.to_owned();
            r.labelled = true;
            r.major = true;
        }
    }
    Ok(base)
}

/// One layer of the Syria/Iraq base map as the bundled GeoJSON text, for the web map:
/// `countries`, `borders` (land borders), `rivers`, `lakes`; `None` for another name.
pub fn layer_geojson(layer: &str) -> Option<&'static str> {
    match layer {
        "countries" => Some(COUNTRIES),
        "borders" => Some(BORDERS),
        "rivers" => Some(RIVERS),
        "lakes" => Some(LAKES),
        _ => None,
    }
}

/// The labelled cities of the Syria/Iraq base map as a GeoJSON FeatureCollection of points
/// with `name`, `name_ar`, `population` and `capital`, largest first.
pub fn places_geojson() -> anyhow::Result<serde_json::Value> {
    let mut cities = cities()?;
    cities.sort_by_key(|c| std::cmp::Reverse(c.population));
    let features: Vec<serde_json::Value> = cities
        .iter()
        .map(|c| {
            serde_json::json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "name": c.name,
                    "name_ar": c.name_ar,
                    "population": c.population,
                    "capital": c.capital,
                },
            })
        })
        .collect();
    Ok(serde_json::json!({"type": "FeatureCollection", "features": features}))
}

/// The base map for the Ukraine examples (countries only: the bundle has no Ukrainian rivers or
/// places).
pub fn ukraine() -> anyhow::Result<Basemap> {
    let countries = UKRAINE_COUNTRIES
        .parse::<geojson::GeoJson>()
        .context("bundled Ukraine countries")?;
    let empty: geojson::GeoJson = r#"{"type":"FeatureCollection","features":[]}"#.parse()?;
    Ok(Basemap::from_geojson(
        &countries,
        &empty,
        &empty,
        &empty,
        Vec::new(),
    )?)
}

#[derive(serde::Deserialize)]
struct PlaceRow {
    name: String,
    latitude: f64,
    longitude: f64,
    pop_max: f64,
    featurecla: String,
}

#[derive(serde::Deserialize)]
struct NameRow {
    source_name: String,
    name: String,
    name_ar: String,
}

fn cities() -> anyhow::Result<Vec<City>> {
    let mut names = HashMap::new();
    for row in csv::Reader::from_reader(PLACE_NAMES.as_bytes()).deserialize() {
        let row: NameRow = row.context("assets/place_names.csv")?;
        names.insert(row.source_name, (row.name, row.name_ar));
    }
    let mut out = Vec::new();
    for row in csv::Reader::from_reader(PLACES.as_bytes()).deserialize() {
        let row: PlaceRow = row.context("bundled populated places")?;
        let (name, name_ar) = match names.get(&row.name) {
            Some((n, ar)) => (n.clone(), Some(ar.clone()).filter(|a| !a.is_empty())),
            None => (row.name.clone(), None),
        };
        out.push(City {
            name,
            name_ar,
            lon: row.longitude,
            lat: row.latitude,
            population: row.pop_max.max(0.0) as u64,
            capital: row.featurecla == "Admin-0 capital",
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_base_map_has_the_rivers_and_cities_a_newspaper_names() {
        let b = middle_east().unwrap();
        assert_eq!(b.countries.len(), 15);
        for river in ["Euphrates", "Tigris"] {
            assert!(
                b.rivers.iter().any(|r| r.name == river && r.labelled),
                "{river}"
            );
        }
        for city in [
            "Mosul",
            "Raqqa",
            "Deir ez-Zor",
            "Aleppo",
            "Damascus",
            "Baghdad",
            "Palmyra",
            "Ramadi",
        ] {
            let c = b
                .cities
                .iter()
                .find(|c| c.name == city)
                .unwrap_or_else(|| panic!("{city}"));
            assert!(c.name_ar.is_some(), "{city} has an Arabic name");
        }
        let capitals: Vec<_> = b
            .cities
            .iter()
            .filter(|c| c.capital)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(capitals.len(), 2, "{capitals:?}");
    }
}
