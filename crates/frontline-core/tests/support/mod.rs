//! Test support: read the bundled real data (Wikipedia snapshot marks, dated control changes,
//! Natural Earth boundaries) straight from `data/` into core types, without the store.
//! The importers in the `frontline` crate are the product's way in; this is only for tests and
//! benches of the pure core.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use frontline_core::grid::RegionPart;
use frontline_core::names::normalize;
use frontline_core::{
    ActorId, ControlStatus, DatePrecision, FeatureType, Footprint, LatLon, Observation,
    ObservationKey, ObservedDate, Source,
};
use geo::MultiPolygon;

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn recorded() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap()
}

/// The snapshot's date per data/control/MARKS.md: 2017-07-20, month precision.
pub fn snapshot_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 7, 20).unwrap()
}

struct MarkRule {
    prefix: String,
    actor: ActorId,
    actor2: Option<ActorId>,
    status: ControlStatus,
}

fn mark_rules() -> HashMap<String, Vec<MarkRule>> {
    let mut rdr = csv::Reader::from_path(data_dir().join("control/marks.csv")).unwrap();
    let mut out: HashMap<String, Vec<MarkRule>> = HashMap::new();
    for row in rdr.records() {
        let row = row.unwrap();
        out.entry(row[0].to_owned()).or_default().push(MarkRule {
            prefix: row[1].to_owned(),
            actor: ActorId::new(&row[2]).unwrap(),
            actor2: (!row[3].is_empty()).then(|| ActorId::new(&row[3]).unwrap()),
            status: row[4].parse().unwrap(),
        });
    }
    for rules in out.values_mut() {
        rules.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
    }
    out
}

/// Snapshot marks of one module (`syria` or `iraq`) as observations; skips non-control marks and
/// out-of-range coordinates.
pub fn wiki_observations(module: &str) -> Vec<Observation> {
    let rules = mark_rules();
    let rules = &rules[module];
    let file = data_dir().join(format!("control/wiki_{module}_2017.csv"));
    let mut rdr = csv::Reader::from_path(file).unwrap();
    let mut out = Vec::new();
    for (line, row) in rdr.records().enumerate() {
        let row = row.unwrap();
        let (lat, lon, mark, label) = (&row[0], &row[1], &row[2], &row[3]);
        let Some(rule) = rules.iter().find(|r| {
            mark.strip_prefix(r.prefix.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('_'))
        }) else {
            continue;
        };
        let rest = &mark[rule.prefix.len()..];
        let Ok(feature) = rest.trim_start_matches('_').parse::<FeatureType>() else {
            continue;
        };
        let (Ok(lat), Ok(lon)) = (lat.parse::<f64>(), lon.parse::<f64>()) else {
            continue;
        };
        let Ok(p) = LatLon::new(lat, lon) else {
            continue;
        };
        out.push(Observation {
            key: ObservationKey::hashed("wiki", &[module, &line.to_string()]),
            label: (!label.is_empty()).then(|| label.to_owned()),
            footprint: Footprint::Point(p),
            feature,
            actor: rule.actor.clone(),
            actor2: rule.actor2.clone(),
            status: rule.status,
            observed: ObservedDate::new(snapshot_date(), DatePrecision::Month),
            source: Source {
                citation: format!("Wikipedia {module} detailed map"),
                url: None,
            },
            evidence: Vec::new(),
            grading: Some("B3".parse().unwrap()),
            analyst: None,
            note: None,
            recorded_at: recorded(),
        });
    }
    out
}

pub fn snapshot() -> Vec<Observation> {
    let mut v = wiki_observations("syria");
    v.extend(wiki_observations("iraq"));
    v
}

fn controller(name: &str, country: &str) -> Option<ActorId> {
    let id = match name {
        "Islamic State" => "islamic-state",
        "Iraqi government" | "Kurdish Peshmerga and Iraqi government" => "iraqi-government",
        "Syrian government" | "YPG and Syrian government" => "syrian-government",
        "SDF" | "YPG" => "sdf",
        "Kurdish Peshmerga" => "kurdistan-region",
        "Turkish-backed opposition" | "Syrian opposition" => "syrian-opposition",
        "Hay'at Tahrir al-Sham" => "hts",
        _ => return None,
    };
    let _ = country;
    ActorId::new(id).ok()
}

/// The dated control changes with coordinates (given, or resolved by exact normalised name
/// against the snapshot labels of the same country), one observation per row with the note
/// "{change} (from {previous})", as the `frontline import changes` importer writes them; a
/// capture also gives an observation of the previous holder on the day before.
pub fn changes() -> Vec<Observation> {
    let labels: HashMap<(String, String), LatLon> = {
        let mut m = HashMap::new();
        for (module, c) in [("syria", "SYR"), ("iraq", "IRQ")] {
            for o in wiki_observations(module) {
                if let (Some(l), Footprint::Point(p)) = (&o.label, &o.footprint) {
                    m.entry((c.to_owned(), normalize(l))).or_insert(*p);
                }
            }
        }
        m
    };
    let mut rdr =
        csv::Reader::from_path(data_dir().join("control/is_control_changes_2014_2017.csv"))
            .unwrap();
    let mut out = Vec::new();
    for (line, row) in rdr.records().enumerate() {
        let row = row.unwrap();
        let precision: DatePrecision = row[1].parse().unwrap();
        let date = ObservedDate::parse_with_precision(&row[0], precision).unwrap();
        let (place, country) = (&row[2], &row[3]);
        let given = !row[4].is_empty();
        let point = match (row[4].parse::<f64>(), row[5].parse::<f64>()) {
            (Ok(lat), Ok(lon)) => LatLon::new(lat, lon).ok(),
            _ => labels.get(&(country.to_owned(), normalize(place))).copied(),
        };
        let Some(point) = point else { continue };
        let (Some(new), prev) = (controller(&row[6], country), controller(&row[7], country)) else {
            continue;
        };
        let change = &row[8];
        let (actor, actor2, status) = match change {
            "besieged" => match &prev {
                Some(p) => (p.clone(), Some(new.clone()), ControlStatus::Besieged),
                None => continue,
            },
            "contested" => match &prev {
                Some(p) if *p != new => (new.clone(), Some(p.clone()), ControlStatus::Contested),
                _ => continue,
            },
            _ => (new.clone(), None, ControlStatus::Held),
        };
        let base = |key: &str, actor, actor2, status, observed| Observation {
            key: ObservationKey::hashed("changes", &[&line.to_string(), key]),
            label: Some(place.to_owned()),
            footprint: Footprint::Point(point),
            feature: FeatureType::Town,
            actor,
            actor2,
            status,
            observed,
            source: Source {
                citation: "is_control_changes_2014_2017".into(),
                url: Some(row[9].to_owned()),
            },
            evidence: Vec::new(),
            grading: Some("C3".parse().unwrap()),
            analyst: None,
            note: Some(format!("{change} (from {})", &row[7])),
            recorded_at: recorded(),
        };
        // As the importer does: a capture at the file's coordinates also says who held the
        // place the day before.
        if let (Some(p), "captured" | "recaptured") = (&prev, change) {
            if *p != new && given {
                let day = date.first_day().pred_opt().unwrap();
                let mut b = base(
                    "before",
                    p.clone(),
                    None,
                    ControlStatus::Held,
                    ObservedDate::new(day, DatePrecision::Day),
                );
                b.note = Some(format!("held until the change of {}", &row[0]));
                out.push(b);
            }
        }
        out.push(base("after", actor, actor2, status, date));
    }
    out
}

fn read_geojson(path: PathBuf) -> geojson::FeatureCollection {
    let text = if path.extension().is_some_and(|e| e == "gz") {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    } else {
        std::fs::read_to_string(&path).unwrap()
    };
    text.parse::<geojson::GeoJson>()
        .map(|g| geojson::FeatureCollection::try_from(g).unwrap())
        .unwrap()
}

fn to_multipolygon(f: &geojson::Feature) -> MultiPolygon<f64> {
    let g: geo::Geometry<f64> = f.geometry.clone().unwrap().try_into().unwrap();
    match g {
        geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
        geo::Geometry::MultiPolygon(mp) => mp,
        other => panic!("not a polygon: {other:?}"),
    }
}

/// Countries from Natural Earth 10m by ISO alpha-3 code.
pub fn countries(codes: &[&str]) -> Vec<RegionPart> {
    let fc = read_geojson(data_dir().join("boundaries/ne_10m_admin_0_countries_mideast.geojson"));
    codes
        .iter()
        .map(|code| {
            let f = fc
                .features
                .iter()
                .find(|f| f.property("iso_a3").and_then(|v| v.as_str()) == Some(code))
                .unwrap();
            RegionPart {
                code: (*code).to_owned(),
                name: f.property("name").unwrap().as_str().unwrap().to_owned(),
                shape: to_multipolygon(f),
            }
        })
        .collect()
}

/// One region file feature by ISO code from the Ukraine region file.
pub fn ukraine_region_country(code: &str) -> MultiPolygon<f64> {
    let fc =
        read_geojson(data_dir().join("ukraine/ne_10m_admin_0_countries_ukraine_region.geojson"));
    let f = fc
        .features
        .iter()
        .find(|f| f.property("iso_a3").and_then(|v| v.as_str()) == Some(code))
        .unwrap();
    to_multipolygon(f)
}

/// The bundled DeepStateMap daily polygons: (date, multipolygon).
pub fn deepstatemap() -> Vec<(NaiveDate, MultiPolygon<f64>)> {
    let dir = data_dir().join("ukraine/deepstatemap");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            let digits = &name["deepstatemap_data_".len().."deepstatemap_data_".len() + 8];
            let date = NaiveDate::parse_from_str(digits, "%Y%m%d").unwrap();
            let fc = read_geojson(p.clone());
            let mut mp = MultiPolygon(Vec::new());
            for f in &fc.features {
                mp.0.extend(to_multipolygon(f).0);
            }
            (date, mp)
        })
        .collect()
}
