//! One engine for every door: the command line and the HTTP API give the same answers on the
//! demo database (the bundled real data, loaded as `frontline demo` loads it). Each test asks the
//! same question through both doors and compares the figures: km² per actor, low-confidence
//! areas, hotspots zone by zone, trend counts, the control polygons and the exports.

mod common;
mod server_support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use frontline::server::{router, AppState, Options};
use server_support::{get, send, with_json};

/// The demo database, loaded once for the tests of this file.
fn demo_db() -> &'static Path {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("frontline.db");
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
        cli(
            &db,
            &[
                "demo",
                "--load-only",
                "--data",
                data.to_str().unwrap(),
                "--out",
                dir.path().join("out").to_str().unwrap(),
            ],
        );
        (dir, db)
    })
    .1
}

/// Run `frontline --db <db> args…` and require success.
fn cli(db: &Path, args: &[&str]) -> String {
    common::ok(db, args)
}

fn api() -> axum::Router {
    let opts = Options {
        public: true,
        ..Options::new(demo_db())
    };
    router(AppState::open(&opts).unwrap(), &opts)
}

async fn json(app: &axum::Router, uri: &str) -> serde_json::Value {
    let r = send(app, get(uri, None)).await;
    assert_eq!(r.status, 200, "{uri}: {}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// Rows of a CSV with a header, as maps from column name to value.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let head = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            head.iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

#[tokio::test]
async fn km2_per_actor_agree_on_the_seed_dates() {
    let app = api();
    for date in ["2016-02-01", "2017-06-05"] {
        let cli_rows = csv_rows(&cli(
            demo_db(),
            &["area", "--date", date, "--format", "csv"],
        ));
        let api_rows = json(&app, &format!("/api/area?date={date}")).await;
        let api_rows = api_rows["rows"].as_array().unwrap();
        assert_eq!(cli_rows.len(), api_rows.len(), "{date}: actors");
        assert!(cli_rows.len() > 3, "{date}: several actors hold ground");
        for row in &cli_rows {
            let a = api_rows
                .iter()
                .find(|r| r["actor"] == row["actor"].as_str())
                .unwrap_or_else(|| panic!("{date}: {} missing over HTTP", row["actor"]));
            let (c, h) = (num(&row["area_km2"]), a["area_km2"].as_f64().unwrap());
            // The CLI prints one decimal.
            assert!(
                (c - h).abs() <= 0.051,
                "{date} {}: {c} vs {h}",
                row["actor"]
            );
        }
    }
}

/// Km² of low-confidence features per actor.
fn low_confidence(features: impl Iterator<Item = (String, bool, f64)>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (actor, low, km2) in features {
        if low {
            *out.entry(actor).or_insert(0.0) += km2;
        }
    }
    out
}

#[tokio::test]
async fn low_confidence_areas_agree_and_exist_on_1_feb_2016() {
    let app = api();
    let rows = csv_rows(&cli(
        demo_db(),
        &["control", "--date", "2016-02-01", "--format", "csv"],
    ));
    let by_cli = low_confidence(rows.iter().map(|r| {
        (
            r["actor"].clone(),
            r["low_confidence"] == "true",
            num(&r["area_km2"]),
        )
    }));
    let fc = json(&app, "/api/control?date=2016-02-01").await;
    let by_api = low_confidence(fc["features"].as_array().unwrap().iter().map(|f| {
        let p = &f["properties"];
        (
            p["actor"].as_str().unwrap().to_owned(),
            p["low_confidence"].as_bool().unwrap(),
            p["area_km2"].as_f64().unwrap(),
        )
    }));
    assert!(
        by_api.values().sum::<f64>() > 1000.0,
        "the 2016 map has low-confidence ground: {by_api:?}"
    );
    assert_eq!(
        by_cli.keys().collect::<Vec<_>>(),
        by_api.keys().collect::<Vec<_>>()
    );
    for (actor, km2) in &by_cli {
        // Each CLI row is rounded to 0.1 km².
        assert!(
            (km2 - by_api[actor]).abs() < 0.05 * rows.len() as f64,
            "{actor}: {km2} vs {}",
            by_api[actor]
        );
    }
    // The GeoJSON the CLI writes is the API's, byte for byte.
    let geojson = cli(demo_db(), &["control", "--date", "2016-02-01"]);
    let cli_fc: serde_json::Value = serde_json::from_str(&geojson).unwrap();
    assert_eq!(cli_fc["features"], fc["features"]);
}

#[tokio::test]
async fn hotspots_agree_zone_by_zone() {
    let app = api();
    let rows = csv_rows(&cli(
        demo_db(),
        &[
            "hotspots",
            "--date",
            "2015-06-15",
            "--window",
            "30d",
            "--format",
            "csv",
        ],
    ));
    let by_cli: BTreeMap<String, u64> = rows
        .iter()
        .map(|r| (r["zone"].clone(), num(&r["events"]) as u64))
        .collect();
    let report = json(&app, "/api/hotspots?date=2015-06-15&window_days=30").await;
    let by_api: BTreeMap<String, u64> = report["zones"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|z| z["hotspot"] == true)
        .map(|z| {
            (
                z["zone"].as_str().unwrap().to_owned(),
                z["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(!by_cli.is_empty(), "June 2015 has hotspots");
    assert_eq!(by_cli, by_api);
}

#[tokio::test]
async fn trend_counts_agree() {
    let app = api();
    let rows = csv_rows(&cli(
        demo_db(),
        &[
            "trend",
            "--actor",
            "islamic-state",
            "--from",
            "2015-01-01",
            "--to",
            "2016-12-31",
            "--step",
            "1y",
            "--format",
            "csv",
        ],
    ));
    let t = json(
        &app,
        "/api/trend?actor=islamic-state&from=2015-01-01&to=2016-12-31&step=1y",
    )
    .await;
    let api_rows = t["rows"].as_array().unwrap();
    assert_eq!(rows.len(), api_rows.len());
    assert!(rows.iter().any(|r| num(&r["events"]) > 0.0));
    for (c, h) in rows.iter().zip(api_rows) {
        assert_eq!(c["from"], h["from"].as_str().unwrap());
        for (col, key) in [
            ("events", "events"),
            ("attacks", "attacks"),
            ("fatalities", "fatalities"),
        ] {
            assert_eq!(
                num(&c[col]),
                h[key].as_f64().unwrap(),
                "{} {col}",
                c["from"]
            );
        }
        assert!((num(&c["km2"]) - h["km2"].as_f64().unwrap()).abs() <= 0.051);
    }
}

#[tokio::test]
async fn control_polygons_are_clipped_so_their_area_is_their_km2() {
    let app = api();
    let fc = json(&app, "/api/control?date=2017-06-05").await;
    let items = json(
        &app,
        "/ogc/collections/control/items?datetime=2017-06-05&limit=1000",
    )
    .await;
    assert_eq!(
        fc["features"], items["features"],
        "OGC items are /api/control's features"
    );
    let mut drawn = 0.0;
    let mut counted = 0.0;
    for f in fc["features"].as_array().unwrap() {
        let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
        let mp = match geo::Geometry::<f64>::try_from(g).unwrap() {
            geo::Geometry::MultiPolygon(mp) => mp,
            geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
            other => panic!("{other:?}"),
        };
        drawn += frontline_core::geometry::geodesic_area_km2(&mp);
        counted += f["properties"]["area_km2"].as_f64().unwrap();
    }
    assert!(
        (drawn - counted).abs() / counted < 0.002,
        "drawn {drawn:.0} km² vs counted {counted:.0} km²"
    );
}

/// Column name → declared type of a GeoPackage's `control` table.
fn gpkg_columns(path: &Path) -> BTreeMap<String, String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn.prepare("PRAGMA table_info(control)").unwrap();
    let cols = stmt
        .query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .unwrap()
        .collect::<Result<BTreeMap<_, _>, _>>()
        .unwrap();
    cols
}

#[tokio::test]
async fn exports_have_the_same_geometry_and_field_types() {
    let app = api();
    let dir = tempfile::tempdir().unwrap();
    let from_cli = dir.path().join("cli.gpkg");
    cli(
        demo_db(),
        &[
            "control",
            "--date",
            "2017-06-05",
            "--format",
            "gpkg",
            "--out",
            from_cli.to_str().unwrap(),
        ],
    );
    let r = send(
        &app,
        get("/api/export/control?date=2017-06-05&format=gpkg", None),
    )
    .await;
    assert_eq!(r.status, 200);
    let from_api = dir.path().join("api.gpkg");
    std::fs::write(&from_api, &r.body).unwrap();
    let (c, a) = (gpkg_columns(&from_cli), gpkg_columns(&from_api));
    assert_eq!(c, a);
    assert_eq!(c["date"], "DATE", "{c:?}");
    let rows = |p: &Path| -> (i64, f64) {
        let conn = rusqlite::Connection::open(p).unwrap();
        conn.query_row("SELECT count(*), sum(area_km2) FROM control", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
    };
    assert_eq!(rows(&from_cli), rows(&from_api));
}

#[tokio::test]
async fn overlapping_region_parts_are_counted_once() {
    let app = api();
    let iraq = json(&app, "/api/area?date=2017-06-05&region=IRQ").await;
    let both = json(&app, "/api/area?date=2017-06-05&region=IRQ,IQ-NI").await;
    let (a, b) = (
        iraq["total_km2"].as_f64().unwrap(),
        both["total_km2"].as_f64().unwrap(),
    );
    // The union, not the sum: Ninawa's outline (geoBoundaries) pokes a few km² beyond Natural
    // Earth's Iraq, so the union is a hair larger than Iraq; counted twice it would be 37,000
    // km² larger.
    assert!(
        b >= a - 1.0 && (b - a) / a < 0.001,
        "Iraq {a} km², Iraq with Ninawa {b} km²"
    );
    let cli_rows = csv_rows(&cli(
        demo_db(),
        &[
            "area",
            "--date",
            "2017-06-05",
            "--region",
            "IRQ,IQ-NI",
            "--format",
            "csv",
        ],
    ));
    let total: f64 = cli_rows.iter().map(|r| num(&r["area_km2"])).sum();
    assert!((total - b).abs() < 1.0, "CLI {total} km², API {b} km²");
}

#[tokio::test]
async fn a_bowtie_posted_as_an_area_is_repaired_and_measured_alike_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("copy.db");
    std::fs::copy(demo_db(), &db).unwrap();
    let token = cli(
        &db,
        &["token", "create", "--role", "analyst", "--label", "t"],
    );
    let token = token.trim().to_owned();
    let opts = Options::new(&db);
    let app = router(AppState::open(&opts).unwrap(), &opts);
    // A figure-eight: two triangles meeting at (40.5, 35.5), written as one crossing ring.
    let body = r#"{"code":"bow","name":"Bow","source":"test","geometry":{"type":"Polygon","coordinates":[[[40,35],[41,36],[41,35],[40,36],[40,35]]]}}"#;
    let r = send(&app, with_json("POST", "/api/areas", Some(&token), body)).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    let share = send(
        &app,
        get("/api/share?date=2017-06-05&aoi=bow", Some(&token)),
    )
    .await;
    assert_eq!(
        share.status,
        200,
        "{}",
        String::from_utf8_lossy(&share.body)
    );
    let area = send(
        &app,
        get("/api/area?date=2017-06-05&region=bow", Some(&token)),
    )
    .await;
    assert_eq!(area.status, 200);
    let (s, a) = (
        share.json()["aoi_km2"].as_f64().unwrap(),
        area.json()["total_km2"].as_f64().unwrap(),
    );
    assert!(
        s > 4000.0 && (s - a).abs() / s < 0.05,
        "share {s} km², area {a} km²"
    );
}

#[tokio::test]
async fn an_unknown_actor_is_refused_by_name_with_the_known_ones() {
    let app = api();
    let r = send(&app, get("/api/control?date=2017-06-05&actor=nobody", None)).await;
    assert_eq!(r.status, 422);
    let msg = r.error();
    assert!(
        msg.contains("nobody") && msg.contains("islamic-state"),
        "{msg}"
    );
    assert!(!msg.contains("ActorId"), "{msg}");
}
