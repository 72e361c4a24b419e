//! A minimal GeoPackage (OGC 12-128r18) writer: one feature table of points or multipolygons
//! in WGS84 (EPSG:4326) with typed attribute columns. Enough for GDAL and QGIS to open the
//! exports (`ogrinfo -so file.gpkg`); written with rusqlite, which the store already links.

use geo::{BoundingRect, Coord, LineString, MultiPolygon, Point};
use rusqlite::{params_from_iter, Connection};
use std::path::Path;

/// A column's SQL type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    Text,
    Real,
    Integer,
    /// An ISO 8601 calendar date (`YYYY-MM-DD`), stored as text: GDAL reads it as a Date field.
    Date,
}

impl ColumnType {
    fn sql(self) -> &'static str {
        match self {
            Self::Text => "TEXT",
            Self::Real => "REAL",
            Self::Integer => "INTEGER",
            Self::Date => "DATE",
        }
    }
}

/// A geometry of the layer.
#[derive(Debug, Clone)]
pub enum Geometry {
    Point(Point<f64>),
    MultiPolygon(MultiPolygon<f64>),
}

/// A layer to write: its name, columns and rows (each row's values in column order, `Null`
/// for missing).
pub struct Layer<'a> {
    pub name: &'a str,
    pub description: &'a str,
    pub columns: &'a [(&'a str, ColumnType)],
    pub rows: Vec<(Geometry, Vec<rusqlite::types::Value>)>,
}

#[derive(Debug, thiserror::Error)]
pub enum GpkgError {
    #[error("layer and column names must be letters, digits and '_': {0:?}")]
    Name(String),
    #[error("a layer mixes points and polygons")]
    MixedGeometry,
    #[error("writing the GeoPackage failed")]
    Sqlite(#[from] rusqlite::Error),
}

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;

fn check_name(n: &str) -> Result<(), GpkgError> {
    let ok = !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !n.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(GpkgError::Name(n.to_owned()))
    }
}

/// Write `layer` as a new GeoPackage at `path` (which must not exist).
pub fn write(path: &Path, layer: &Layer<'_>) -> Result<(), GpkgError> {
    write_rows(
        path,
        layer.name,
        layer.description,
        layer.columns,
        layer.rows.iter().map(|r| Ok::<_, GpkgError>(r.clone())),
    )
}

/// Write a layer whose rows come one at a time (each row's values in column order), so that a
/// large export never holds all its rows in memory: a new GeoPackage at `path` (which must not
/// exist). The first row's geometry sets the layer's type; a row of the other type is refused.
pub fn write_rows<E: From<GpkgError>>(
    path: &Path,
    name: &str,
    description: &str,
    columns: &[(&str, ColumnType)],
    rows: impl Iterator<Item = Result<(Geometry, Vec<rusqlite::types::Value>), E>>,
) -> Result<(), E> {
    check_name(name)?;
    for (c, _) in columns {
        check_name(c)?;
    }
    let mut rows = rows.peekable();
    let kind = match rows.peek() {
        Some(Ok((Geometry::Point(_), _))) => "POINT",
        _ => "MULTIPOLYGON",
    };
    let sql = |e: rusqlite::Error| E::from(GpkgError::from(e));
    let mut conn = Connection::open(path).map_err(sql)?;
    conn.execute_batch(&format!(
        "PRAGMA application_id = 1196444487;
         PRAGMA user_version = 10300;
         CREATE TABLE gpkg_spatial_ref_sys (
             srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
             organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
             description TEXT);
         CREATE TABLE gpkg_contents (
             table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
             identifier TEXT UNIQUE, description TEXT DEFAULT '',
             last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
             min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
             srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
             table_name TEXT NOT NULL, column_name TEXT NOT NULL,
             geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
             z TINYINT NOT NULL, m TINYINT NOT NULL,
             PRIMARY KEY (table_name, column_name));
         CREATE TABLE \"{name}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {kind}{cols});",
        cols = columns
            .iter()
            .map(|(c, t)| format!(", \"{c}\" {}", t.sql()))
            .collect::<String>(),
    ))
    .map_err(sql)?;
    let tx = conn.transaction().map_err(sql)?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        [WGS84_WKT],
    )
    .map_err(sql)?;
    let mut bounds: Option<[f64; 4]> = None;
    {
        let placeholders = (0..=columns.len())
            .map(|i| format!("?{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let names = columns
            .iter()
            .map(|(c, _)| format!(", \"{c}\""))
            .collect::<String>();
        let mut stmt = tx
            .prepare(&format!(
                "INSERT INTO \"{name}\" (geom{names}) VALUES ({placeholders})"
            ))
            .map_err(sql)?;
        for row in rows {
            let (geom, values) = row?;
            if matches!(
                (&geom, kind),
                (Geometry::Point(_), "MULTIPOLYGON") | (Geometry::MultiPolygon(_), "POINT")
            ) {
                return Err(GpkgError::MixedGeometry.into());
            }
            let (blob, env) = encode(&geom);
            if let Some(e) = env {
                bounds = Some(match bounds {
                    None => e,
                    Some(b) => [
                        b[0].min(e[0]),
                        b[1].min(e[1]),
                        b[2].max(e[2]),
                        b[3].max(e[3]),
                    ],
                });
            }
            let mut row = vec![rusqlite::types::Value::Blob(blob)];
            row.extend(values);
            stmt.execute(params_from_iter(row)).map_err(sql)?;
        }
    }
    let b = bounds.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?1, ?2, ?3, ?4, ?5, ?6, 4326)",
        rusqlite::params![name, description, b[0], b[1], b[2], b[3]],
    )
    .map_err(sql)?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, 4326, 0, 0)",
        rusqlite::params![name, kind],
    )
    .map_err(sql)?;
    tx.commit().map_err(sql)?;
    Ok(())
}

/// The GeoPackage geometry blob (header with an XY envelope, then little-endian WKB) and the
/// envelope as [min_x, min_y, max_x, max_y].
fn encode(g: &Geometry) -> (Vec<u8>, Option<[f64; 4]>) {
    let (wkb, env) = match g {
        Geometry::Point(p) => {
            let mut w = vec![1u8];
            w.extend(1u32.to_le_bytes());
            w.extend(p.x().to_le_bytes());
            w.extend(p.y().to_le_bytes());
            (w, Some([p.x(), p.y(), p.x(), p.y()]))
        }
        Geometry::MultiPolygon(mp) => {
            let mut w = vec![1u8];
            w.extend(6u32.to_le_bytes());
            w.extend((mp.0.len() as u32).to_le_bytes());
            for poly in &mp.0 {
                w.push(1);
                w.extend(3u32.to_le_bytes());
                w.extend((1 + poly.interiors().len() as u32).to_le_bytes());
                for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                    ring_wkb(&mut w, ring);
                }
            }
            let env = mp
                .bounding_rect()
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]);
            (w, env)
        }
    };
    let mut out = vec![b'G', b'P', 0];
    match env {
        // Flags: little-endian (bit 0), envelope [minx, maxx, miny, maxy] (bits 1-3 = 1).
        Some(e) => {
            out.push(0b0000_0011);
            out.extend(4326i32.to_le_bytes());
            for v in [e[0], e[2], e[1], e[3]] {
                out.extend(v.to_le_bytes());
            }
        }
        // Empty geometry (bit 4), no envelope.
        None => {
            out.push(0b0001_0001);
            out.extend(4326i32.to_le_bytes());
        }
    }
    out.extend(wkb);
    (out, env)
}

fn ring_wkb(w: &mut Vec<u8>, ring: &LineString<f64>) {
    w.extend((ring.0.len() as u32).to_le_bytes());
    for Coord { x, y } in &ring.0 {
        w.extend(x.to_le_bytes());
        w.extend(y.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;
    use rusqlite::types::Value;

    #[test]
    fn a_layer_is_written_with_the_gpkg_tables_and_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.gpkg");
        let p = polygon![(x: 38.0, y: 35.0), (x: 39.0, y: 35.0), (x: 39.0, y: 36.0), (x: 38.0, y: 35.0)];
        write(
            &path,
            &Layer {
                name: "control",
                description: "test",
                columns: &[("actor", ColumnType::Text), ("area_km2", ColumnType::Real)],
                rows: vec![(
                    Geometry::MultiPolygon(MultiPolygon(vec![p])),
                    vec![Value::Text("sdf".into()), Value::Real(12.5)],
                )],
            },
        )
        .unwrap();
        let conn = Connection::open(&path).unwrap();
        let app: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, 0x4750_4B47);
        let (blob, actor): (Vec<u8>, String) = conn
            .query_row("SELECT geom, actor FROM control", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(&blob[..2], b"GP");
        assert_eq!(actor, "sdf");
        let bounds: (f64, f64) = conn
            .query_row("SELECT min_x, max_y FROM gpkg_contents", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(bounds, (38.0, 36.0));
        assert!(matches!(
            write(
                &dir.path().join("u.gpkg"),
                &Layer {
                    name: "bad name",
                    description: "",
                    columns: &[],
                    rows: vec![]
                }
            ),
            Err(GpkgError::Name(_))
        ));
    }
}
