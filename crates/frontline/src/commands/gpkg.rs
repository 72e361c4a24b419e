//! A minimal GeoPackage 1.3 writer for `frontline control --format gpkg`: one feature table
//! `control` (MultiPolygon, EPSG:4326) with the map's per-actor features. Written with rusqlite:
//! the required metadata tables (gpkg_spatial_ref_sys, gpkg_contents, gpkg_geometry_columns) and
//! geometries as GeoPackage binary (header + envelope + little-endian WKB).

use std::path::Path;

use chrono::NaiveDate;
use frontline_core::control_map::ControlFeature;
use geo::{BoundingRect, MultiPolygon};
use rusqlite::{params, Connection};

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#;

/// Little-endian WKB of a MultiPolygon.
pub fn wkb_multipolygon(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let mut b = Vec::new();
    b.push(1u8);
    b.extend(6u32.to_le_bytes());
    b.extend((mp.0.len() as u32).to_le_bytes());
    for poly in &mp.0 {
        b.push(1u8);
        b.extend(3u32.to_le_bytes());
        let rings: Vec<_> = std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .collect();
        b.extend((rings.len() as u32).to_le_bytes());
        for ring in rings {
            b.extend((ring.0.len() as u32).to_le_bytes());
            for c in &ring.0 {
                b.extend(c.x.to_le_bytes());
                b.extend(c.y.to_le_bytes());
            }
        }
    }
    b
}

/// GeoPackage binary: "GP", version 0, flags (little-endian, xy envelope), srs id, envelope, WKB.
pub fn gpkg_geometry(mp: &MultiPolygon<f64>, srs_id: i32) -> Vec<u8> {
    let mut b = vec![b'G', b'P', 0u8];
    match mp.bounding_rect() {
        Some(r) => {
            b.push(0b0000_0011); // envelope [minx, maxx, miny, maxy], little endian
            b.extend(srs_id.to_le_bytes());
            for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
                b.extend(v.to_le_bytes());
            }
        }
        None => {
            b.push(0b0001_0001); // empty, no envelope, little endian
            b.extend(srs_id.to_le_bytes());
        }
    }
    b.extend(wkb_multipolygon(mp));
    b
}

/// Write `features` to a new GeoPackage at `path` (an existing file is replaced).
pub fn write(path: &Path, features: &[ControlFeature], date: NaiveDate) -> rusqlite::Result<()> {
    if path.exists() {
        let _ = std::fs::remove_file(path);
    }
    let mut conn = Connection::open(path)?;
    conn.execute_batch(
        "PRAGMA application_id = 1196444487;
         PRAGMA user_version = 10300;
         CREATE TABLE gpkg_spatial_ref_sys (
           srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
         CREATE TABLE gpkg_contents (
           table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
           description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
           table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
           srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
         CREATE TABLE control (
           fid INTEGER PRIMARY KEY AUTOINCREMENT, geom MULTIPOLYGON, actor TEXT NOT NULL, actor2 TEXT,
           status TEXT NOT NULL, date TEXT NOT NULL, area_km2 REAL NOT NULL,
           mean_confidence REAL NOT NULL, cells INTEGER NOT NULL);",
    )?;
    let tx = conn.transaction()?;
    tx.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        params![WGS84_WKT],
    )?;
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in features {
        if let Some(r) = f.geometry.bounding_rect() {
            bbox = [
                bbox[0].min(r.min().x),
                bbox[1].min(r.min().y),
                bbox[2].max(r.max().x),
                bbox[3].max(r.max().y),
            ];
        }
    }
    let finite = bbox.iter().all(|v| v.is_finite());
    tx.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id)
         VALUES ('control', 'features', 'control', ?1, ?2, ?3, ?4, ?5, 4326)",
        params![
            format!("Frontline control estimate on {date}"),
            finite.then_some(bbox[0]),
            finite.then_some(bbox[1]),
            finite.then_some(bbox[2]),
            finite.then_some(bbox[3])
        ],
    )?;
    tx.execute(
        "INSERT INTO gpkg_geometry_columns VALUES ('control', 'geom', 'MULTIPOLYGON', 4326, 0, 0)",
        [],
    )?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO control (geom, actor, actor2, status, date, area_km2, mean_confidence, cells)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for f in features {
            stmt.execute(params![
                gpkg_geometry(&f.geometry, 4326),
                f.actor.as_str(),
                f.actor2.as_ref().map(|a| a.as_str()),
                f.status.as_str(),
                date.to_string(),
                f.area_km2,
                f.mean_confidence,
                f.cells as i64
            ])?;
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn geometry_blobs_have_the_geopackage_header_and_wkb() {
        let mp = MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 0.)],
        ]);
        let b = gpkg_geometry(&mp, 4326);
        assert_eq!(&b[..4], &[b'G', b'P', 0, 3]);
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 4326);
        // After 8 header bytes and a 32-byte envelope: WKB little endian, type 6.
        assert_eq!(b[40], 1);
        assert_eq!(u32::from_le_bytes(b[41..45].try_into().unwrap()), 6);
        assert_eq!(b.len(), 40 + 1 + 4 + 4 + 1 + 4 + 4 + 4 + 4 * 16);
    }
}
