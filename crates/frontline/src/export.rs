//! Feature exports shared by every door: GeoJSON features (control polygons, observations,
//! events) written as a GeoJSON FeatureCollection, CSV (points as `lat,lon`, polygons as WKT) or
//! a GeoPackage layer with typed columns (`DATE` for dates, as OGC API – Features gives them).
//! `frontline control --format gpkg` and `/api/export/control?format=gpkg` write the same file.

use rusqlite::types::Value as Sql;
use serde_json::{json, Map, Value};

use crate::app::product::MapProduct;
use crate::gpkg::{self, ColumnType, Geometry};
use frontline_core::ActorId;

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing CSV: {0}")]
    CsvInto(String),
    #[error(transparent)]
    Gpkg(#[from] gpkg::GpkgError),
    #[error("a feature's geometry: {0}")]
    Geometry(String),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<csv::IntoInnerError<csv::Writer<Vec<u8>>>> for ExportError {
    fn from(e: csv::IntoInnerError<csv::Writer<Vec<u8>>>) -> Self {
        Self::CsvInto(e.to_string())
    }
}

impl From<geojson::Error> for ExportError {
    fn from(e: geojson::Error) -> Self {
        Self::Geometry(e.to_string())
    }
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Geojson,
    Csv,
    Gpkg,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "geojson" => Some(Self::Geojson),
            "csv" => Some(Self::Csv),
            "gpkg" => Some(Self::Gpkg),
            _ => None,
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Self::Geojson => "application/geo+json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Gpkg => "application/geopackage+sqlite3",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Geojson => "geojson",
            Self::Csv => "csv",
            Self::Gpkg => "gpkg",
        }
    }
}

/// The map's control features (optionally one actor's) as GeoJSON feature values: the ids,
/// geometry and properties `/api/control` serves.
pub fn control_features(map: &MapProduct, actor: Option<&ActorId>) -> Vec<Value> {
    map.features
        .iter()
        .zip(map.feature_values())
        .filter(|(f, _)| actor.is_none_or(|a| f.actor == *a))
        .map(|(_, v)| v.clone())
        .collect()
}

/// `features` in `format`; `layer` names the GeoPackage table.
pub fn encode(
    features: &[Value],
    format: Format,
    layer: &str,
    description: &str,
) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Csv => to_csv(features),
        Format::Gpkg => to_gpkg(features, layer, description),
        Format::Geojson => Ok(serde_json::to_vec(
            &json!({"type": "FeatureCollection", "features": features}),
        )?),
    }
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The union of the features' property names, in first-seen order.
fn columns(features: &[Value]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for f in features {
        if let Some(p) = f["properties"].as_object() {
            for k in p.keys() {
                if !cols.iter().any(|c| c == k) {
                    cols.push(k.clone());
                }
            }
        }
    }
    cols
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn to_csv(features: &[Value]) -> Result<Vec<u8>, ExportError> {
    let cols = columns(features);
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["id"];
    header.extend(cols.iter().map(String::as_str));
    header.extend(["lat", "lon", "wkt"]);
    w.write_record(&header)?;
    let empty = Map::new();
    for f in features {
        let props = f["properties"].as_object().unwrap_or(&empty);
        let mut row = vec![text(&f["id"])];
        row.extend(
            cols.iter()
                .map(|c| text(props.get(c).unwrap_or(&Value::Null))),
        );
        let g = &f["geometry"];
        if g["type"] == "Point" {
            row.push(text(&g["coordinates"][1]));
            row.push(text(&g["coordinates"][0]));
            row.push(String::new());
        } else {
            row.extend([String::new(), String::new(), wkt(g)]);
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(ExportError::from)
}

/// WKT of a GeoJSON Polygon or MultiPolygon.
fn wkt(g: &Value) -> String {
    let ring = |r: &Value| {
        let pts: Vec<String> = r
            .as_array()
            .map(|a| a.iter().map(|p| format!("{} {}", p[0], p[1])).collect())
            .unwrap_or_default();
        format!("({})", pts.join(", "))
    };
    let poly = |p: &Value| {
        let rings: Vec<String> = p
            .as_array()
            .map(|a| a.iter().map(ring).collect())
            .unwrap_or_default();
        format!("({})", rings.join(", "))
    };
    match g["type"].as_str() {
        Some("Polygon") => format!("POLYGON {}", poly(&g["coordinates"])),
        Some("MultiPolygon") => {
            let polys: Vec<String> = g["coordinates"]
                .as_array()
                .map(|a| a.iter().map(poly).collect())
                .unwrap_or_default();
            format!("MULTIPOLYGON ({})", polys.join(", "))
        }
        _ => String::new(),
    }
}

pub fn to_gpkg(features: &[Value], layer: &str, description: &str) -> Result<Vec<u8>, ExportError> {
    let cols = columns(features);
    let types: Vec<ColumnType> = cols
        .iter()
        .map(|c| {
            let vals = features
                .iter()
                .map(|f| &f["properties"][c])
                .filter(|v| !v.is_null());
            let mut t = None;
            for v in vals {
                let this = match v {
                    Value::Number(n) if n.is_i64() || n.is_u64() => ColumnType::Integer,
                    Value::Number(_) => ColumnType::Real,
                    Value::Bool(_) => ColumnType::Integer,
                    Value::String(s) if is_date(s) => ColumnType::Date,
                    _ => ColumnType::Text,
                };
                t = Some(match (t, this) {
                    (None, x) => x,
                    (Some(ColumnType::Integer), ColumnType::Real)
                    | (Some(ColumnType::Real), ColumnType::Integer) => ColumnType::Real,
                    (Some(a), b) if a == b => a,
                    _ => ColumnType::Text,
                });
            }
            t.unwrap_or(ColumnType::Text)
        })
        .collect();
    let spec: Vec<(&str, ColumnType)> = cols
        .iter()
        .map(String::as_str)
        .zip(types.iter().copied())
        .collect();
    let mut rows = Vec::with_capacity(features.len());
    for f in features {
        let geom: geo::Geometry<f64> =
            serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())?.try_into()?;
        let g = match geom {
            geo::Geometry::Point(p) => Geometry::Point(p),
            geo::Geometry::Polygon(p) => Geometry::MultiPolygon(geo::MultiPolygon(vec![p])),
            geo::Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(mp),
            _ => continue,
        };
        let values = cols
            .iter()
            .zip(&types)
            .map(|(c, t)| match (&f["properties"][c], t) {
                (Value::Null, _) => Sql::Null,
                (Value::Bool(b), _) => Sql::Integer(i64::from(*b)),
                (Value::Number(n), ColumnType::Integer) => {
                    Sql::Integer(n.as_i64().unwrap_or_default())
                }
                (Value::Number(n), ColumnType::Real) => Sql::Real(n.as_f64().unwrap_or_default()),
                (v, _) => Sql::Text(text(v)),
            })
            .collect();
        rows.push((g, values));
    }
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("export.gpkg");
    gpkg::write(
        &path,
        &gpkg::Layer {
            name: layer,
            description,
            columns: &spec,
            rows,
        },
    )?;
    std::fs::read(&path).map_err(ExportError::from)
}
