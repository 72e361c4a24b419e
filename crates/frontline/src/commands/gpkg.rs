//! `frontline control --format gpkg`: the dissolved control polygons as one GeoPackage layer,
//! `control`, written by the shared writer in [`frontline::gpkg`] (the server's exports use it
//! too).

use chrono::NaiveDate;
use frontline::gpkg::{self, ColumnType, Geometry, GpkgError, Layer};
use frontline_core::control_map::ControlFeature;
use rusqlite::types::Value;
use std::path::Path;

const COLUMNS: &[(&str, ColumnType)] = &[
    ("actor", ColumnType::Text),
    ("actor2", ColumnType::Text),
    ("status", ColumnType::Text),
    ("date", ColumnType::Text),
    ("area_km2", ColumnType::Real),
    ("mean_confidence", ColumnType::Real),
    ("cells", ColumnType::Integer),
];

/// Write `features` to a new GeoPackage at `path` (an existing file is replaced).
pub fn write(path: &Path, features: &[ControlFeature], date: NaiveDate) -> Result<(), GpkgError> {
    if path.exists() {
        std::fs::remove_file(path)
            .map_err(|e| GpkgError::Sqlite(rusqlite::Error::ToSqlConversionFailure(Box::new(e))))?;
    }
    let rows = features
        .iter()
        .map(|f| {
            let values = vec![
                Value::Text(f.actor.as_str().to_owned()),
                f.actor2
                    .as_ref()
                    .map_or(Value::Null, |a| Value::Text(a.as_str().to_owned())),
                Value::Text(f.status.as_str().to_owned()),
                Value::Text(date.to_string()),
                Value::Real(f.area_km2),
                Value::Real(f.mean_confidence),
                Value::Integer(f.cells as i64),
            ];
            (Geometry::MultiPolygon(f.geometry.clone()), values)
        })
        .collect();
    let description = format!("Frontline control estimate on {date}");
    gpkg::write(
        path,
        &Layer {
            name: "control",
            description: &description,
            columns: COLUMNS,
            rows,
        },
    )
}
