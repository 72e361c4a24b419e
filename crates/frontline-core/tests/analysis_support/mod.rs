//! Real data for the analysis tests, read straight from the bundled files (the core has no
//! importers): Natural Earth country outlines, the Wikipedia control snapshot mapped through
//! marks.csv, the coalition air strikes and the urban areas.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::grid::RegionPart;
use frontline_core::{
    ActorId, ControlStatus, DatePrecision, Event, EventKey, EventParty, EventType, FeatureType,
    Footprint, LatLon, LocationPrecision, Observation, ObservationKey, ObservedDate, Source,
};
use geo::{MultiPolygon, Polygon};

pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(path)
}

fn geometry(g: geojson::Geometry) -> MultiPolygon<f64> {
    match geo::Geometry::<f64>::try_from(g).unwrap() {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(mp) => mp,
        other => panic!("unexpected geometry {other:?}"),
    }
}

/// Natural Earth 10m outlines of the given ISO3 countries.
pub fn countries(codes: &[&str]) -> Vec<RegionPart> {
    let text = std::fs::read_to_string(data("boundaries/ne_10m_admin_0_countries_mideast.geojson"))
        .unwrap();
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    codes
        .iter()
        .map(|code| {
            let f = fc
                .features
                .iter()
                .find(|f| f.property("iso_a3").and_then(|v| v.as_str()) == Some(code))
                .unwrap_or_else(|| panic!("{code} not in the file"));
            RegionPart {
                code: (*code).to_owned(),
                name: f.property("name").unwrap().as_str().unwrap().to_owned(),
                shape: geometry(f.geometry.clone().unwrap()),
            }
        })
        .collect()
}

/// Natural Earth 1:50m urban areas with their `area_sqkm`.
pub fn urban_areas() -> Vec<frontline_core::analysis::city::UrbanArea> {
    let text =
        std::fs::read_to_string(data("boundaries/ne_50m_urban_areas_syr_irq.geojson")).unwrap();
    let fc: geojson::FeatureCollection = text
        .parse::<geojson::GeoJson>()
        .unwrap()
        .try_into()
        .unwrap();
    let mut out = Vec::new();
    for f in fc.features {
        let km2 = f.property("area_sqkm").and_then(|v| v.as_f64());
        for p in geometry(f.geometry.unwrap()).0 {
            out.push(frontline_core::analysis::city::UrbanArea {
                geometry: p,
                source_km2: km2,
            });
        }
    }
    out
}

fn recorded() -> DateTime<Utc> {
    "2026-11-26T00:00:00Z".parse().unwrap()
}

/// The Wikipedia snapshot (Syria and Iraq modules) as observations dated 2017-07 (month
/// precision), as MARKS.md says; icons and border-crossing marks are left out.
pub fn snapshot() -> Vec<Observation> {
    let mut marks: Vec<(String, String, String, Option<String>, ControlStatus)> = Vec::new();
    let mut rdr = csv::Reader::from_path(data("control/marks.csv")).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        let a2 = (!r[3].is_empty()).then(|| r[3].to_owned());
        marks.push((
            r[0].to_owned(),
            r[1].to_owned(),
            r[2].to_owned(),
            a2,
            r[4].parse().unwrap(),
        ));
    }
    let observed = ObservedDate::parse("2017-07").unwrap();
    let mut out = Vec::new();
    for (module, file) in [
        ("syria", "control/wiki_syria_2017.csv"),
        ("iraq", "control/wiki_iraq_2017.csv"),
    ] {
        let mut rdr = csv::Reader::from_path(data(file)).unwrap();
        for (line, r) in rdr.records().enumerate() {
            let r = r.unwrap();
            let mark = &r[2];
            if !mark.starts_with("m.") || mark.starts_with("m.pass") {
                continue;
            }
            let Some(m) = marks
                .iter()
                .filter(|m| {
                    m.0 == module && (mark == m.1 || mark.starts_with(&format!("{}_", m.1)))
                })
                .max_by_key(|m| m.1.len())
            else {
                continue;
            };
            let feature: FeatureType = mark[m.1.len()..]
                .trim_start_matches('_')
                .parse()
                .unwrap_or(FeatureType::Town);
            let (Ok(lat), Ok(lon)) = (r[0].parse::<f64>(), r[1].parse::<f64>()) else {
                continue;
            };
            let Ok(p) = LatLon::new(lat, lon) else {
                continue;
            };
            out.push(Observation {
                key: ObservationKey::new(&format!("{module}:{line}")).unwrap(),
                label: (!r[3].is_empty()).then(|| r[3].to_owned()),
                footprint: Footprint::Point(p),
                feature,
                actor: ActorId::new(&m.2).unwrap(),
                actor2: m.3.as_deref().map(|a| ActorId::new(a).unwrap()),
                status: m.4,
                observed,
                source: Source::default(),
                evidence: vec![],
                grading: None,
                analyst: None,
                note: None,
                recorded_at: recorded(),
            });
        }
    }
    out
}

/// The Guardian and Information air-strike compilations as day-precision air-strike events of
/// the US-led coalition (rows without coordinates left out).
pub fn airstrikes() -> Vec<Event> {
    let coalition = ActorId::new("us-led-coalition").unwrap();
    let mut out = Vec::new();
    for (dataset, file, place_col) in [
        (
            "guardian-airstrikes",
            "events/coalition_airstrikes_guardian_2014_2016.csv",
            "place",
        ),
        (
            "informeren-airstrikes",
            "events/coalition_airstrikes_iraq_syria_2014_2015_informeren.csv",
            "location",
        ),
    ] {
        let mut rdr = csv::Reader::from_path(data(file)).unwrap();
        let h = rdr.headers().unwrap().clone();
        let col = |n: &str| h.iter().position(|x| x == n).unwrap();
        let (d, pl, la, lo, st) = (
            col("date"),
            col(place_col),
            col("lat"),
            col("lon"),
            col("strikes"),
        );
        for (line, r) in rdr.records().enumerate() {
            let r = r.unwrap();
            let (Ok(lat), Ok(lon)) = (r[la].parse::<f64>(), r[lo].parse::<f64>()) else {
                continue;
            };
            let date: NaiveDate = r[d].parse().unwrap();
            out.push(Event {
                key: EventKey {
                    dataset: dataset.into(),
                    id: (line + 2).to_string(),
                },
                date: ObservedDate::new(date, DatePrecision::Day),
                location: LatLon::new(lat, lon).unwrap(),
                location_precision: LocationPrecision::Exact,
                place: Some(r[pl].to_owned()),
                country: None,
                event_type: EventType::AirStrike,
                side_a: vec![EventParty {
                    name: "US-led coalition".into(),
                    actor: Some(coalition.clone()),
                }],
                side_b: vec![],
                fatalities: None,
                count: r[st].parse().unwrap(),
                source: Source::default(),
            });
        }
    }
    out
}

/// A point as a tiny polygon-free helper for city lookups.
pub fn point(lat: f64, lon: f64) -> LatLon {
    LatLon::new(lat, lon).unwrap()
}

pub fn poly_count(mp: &MultiPolygon<f64>) -> usize {
    mp.0.iter().map(Polygon::interiors).count()
}
