//! Feature exports shared by every door: GeoJSON features (control polygons, observations,
//! events) written as a GeoJSON FeatureCollection, CSV (points as `lat,lon`, polygons as WKT) or
//! a GeoPackage layer with typed columns (`DATE` for dates, as OGC API – Features gives them).
//! `frontline control --format gpkg` and `/api/export/control?format=gpkg` write the same file.

use rusqlite::types::Value as Sql;
use serde_json::{Map, Value};

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
    encode_each(|| features.iter().cloned(), format, layer, description)
}

/// Like [`encode`], for features made one at a time by `features` (called once or twice: the
/// CSV and GeoPackage columns are the union of every feature's properties): only the encoded
/// file is ever whole in memory, never the features, so a large export costs its output and
/// not several times it.
pub fn encode_each<I: Iterator<Item = Value>>(
    features: impl Fn() -> I,
    format: Format,
    layer: &str,
    description: &str,
) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Csv => to_csv_each(features),
        Format::Gpkg => to_gpkg_each(features, layer, description),
        Format::Geojson => {
            let mut out = br#"{"type":"FeatureCollection","features":["#.to_vec();
            for (i, f) in features().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut out, &f)?;
            }
            out.extend_from_slice(b"]}");
            Ok(out)
        }
    }
}

fn is_date(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// The union of the features' property names, in first-seen order, each with the column type
/// its non-null values share (numbers mixing integers and reals are real, anything else mixed
/// is text; a column of nulls is text).
fn schema(features: impl Iterator<Item = Value>) -> Vec<(String, ColumnType)> {
    let mut cols: Vec<(String, Option<ColumnType>)> = Vec::new();
    for f in features {
        let Some(p) = f["properties"].as_object() else {
            continue;
        };
        for (k, v) in p {
            let i = match cols.iter().position(|(c, _)| c == k) {
                Some(i) => i,
                None => {
                    cols.push((k.clone(), None));
                    cols.len() - 1
                }
            };
            if v.is_null() {
                continue;
            }
            let this = match v {
                Value::Number(n) if n.is_i64() || n.is_u64() => ColumnType::Integer,
                Value::Number(_) => ColumnType::Real,
                Value::Bool(_) => ColumnType::Integer,
                Value::String(s) if is_date(s) => ColumnType::Date,
                _ => ColumnType::Text,
            };
            let t = &mut cols[i].1;
            *t = Some(match (*t, this) {
                (None, x) => x,
                (Some(ColumnType::Integer), ColumnType::Real)
                | (Some(ColumnType::Real), ColumnType::Integer) => ColumnType::Real,
                (Some(a), b) if a == b => a,
                _ => ColumnType::Text,
            });
        }
    }
    cols.into_iter()
        .map(|(c, t)| (c, t.unwrap_or(ColumnType::Text)))
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn to_csv(features: &[Value]) -> Result<Vec<u8>, ExportError> {
    to_csv_each(|| features.iter().cloned())
}

fn to_csv_each<I: Iterator<Item = Value>>(
    features: impl Fn() -> I,
) -> Result<Vec<u8>, ExportError> {
    let cols: Vec<String> = schema(features()).into_iter().map(|(c, _)| c).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = vec!["id"];
    header.extend(cols.iter().map(String::as_str));
    header.extend(["lat", "lon", "wkt"]);
    w.write_record(&header)?;
    let empty = Map::new();
    for f in features() {
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
    to_gpkg_each(|| features.iter().cloned(), layer, description)
}

fn to_gpkg_each<I: Iterator<Item = Value>>(
    features: impl Fn() -> I,
    layer: &str,
    description: &str,
) -> Result<Vec<u8>, ExportError> {
    let schema = schema(features());
    let spec: Vec<(&str, ColumnType)> = schema.iter().map(|(c, t)| (c.as_str(), *t)).collect();
    let rows = features().filter_map(|f| {
        let geom: geo::Geometry<f64> =
            match serde_json::from_value::<geojson::Geometry>(f["geometry"].clone())
                .map_err(ExportError::from)
                .and_then(|g| g.try_into().map_err(ExportError::from))
            {
                Ok(g) => g,
                Err(e) => return Some(Err(e)),
            };
        let g = match geom {
            geo::Geometry::Point(p) => Geometry::Point(p),
            geo::Geometry::Polygon(p) => Geometry::MultiPolygon(geo::MultiPolygon(vec![p])),
            geo::Geometry::MultiPolygon(mp) => Geometry::MultiPolygon(mp),
            _ => return None,
        };
        let values = schema
            .iter()
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
        Some(Ok((g, values)))
    });
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("export.gpkg");
    gpkg::write_rows(&path, layer, description, &spec, rows)?;
    std::fs::read(&path).map_err(ExportError::from)
}
