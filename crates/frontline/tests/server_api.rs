//! The HTTP API tested through the router without a socket (`oneshot`): every endpoint, and
//! every class of error (auth, bad input, stale edits, unknown things, limits, internal errors
//! that must not leak).

mod server_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use server_support::*;
use std::sync::LazyLock;

/// One database and router for the read-only tests (maps are computed once for all of them).
static READ: LazyLock<(Fixture, axum::Router)> = LazyLock::new(|| {
    let fx = Fixture::shared("server_api_read");
    let app = fx.app(false);
    (fx, app)
});

fn read() -> (&'static axum::Router, &'static str) {
    (&READ.1, READ.0.viewer.as_str())
}

async fn get_json(uri: &str) -> Value {
    let (app, token) = read();
    let r = send(app, get(uri, Some(token))).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

const NEW_OBS: &str = r#"{"label": "Test hill", "geometry": {"type": "Point", "coordinates": [38.5, 35.0]},
    "feature": "hill", "actor": "sdf", "status": "held", "observed": "2017-05-30",
    "source": "analyst report", "grading": "B2", "note": "seen on imagery"}"#;

// ---------------------------------------------------------------- system

#[tokio::test]
async fn health_and_openapi_answer_without_a_token() {
    let (app, _) = read();
    let r = send(app, get("/health", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let r = send(app, get("/api/openapi.json", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["paths"]["/api/control"]["get"].is_object());
    let r = send(app, get("/api", None)).await;
    assert_eq!(r.json()["openapi"], "/api/openapi.json");
}

#[tokio::test]
async fn every_documented_path_is_routed() {
    let (app, token) = read();
    for (method, path) in frontline::server::openapi::operations() {
        let concrete = path
            .replace("{key}", "wiki-syria:5")
            .replace("{sha256}", &"0".repeat(64))
            .replace("{code}", "SYR")
            .replace("{layer}", "countries.geojson")
            .replace("{collectionId}", "observations")
            .replace("{featureId}", "x")
            .replace("{what}", "events")
            .replace("{z}/{x}/{y}", "0/0/0");
        let req = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&concrete)
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        let r = send(app, req).await;
        let routed = !(r.status == StatusCode::NOT_FOUND
            && String::from_utf8_lossy(&r.body).contains("no endpoint"))
            && r.status != StatusCode::METHOD_NOT_ALLOWED;
        assert!(
            routed,
            "{method} {concrete} is documented but not routed ({})",
            r.status
        );
    }
}

// ---------------------------------------------------------------- control

#[tokio::test]
async fn control_geojson_has_per_actor_polygons_with_the_cli_properties() {
    let fc = get_json("/api/control?date=2017-06-01").await;
    let feats = fc["features"].as_array().unwrap();
    assert!(feats.len() >= 5, "{} features", feats.len());
    let is: f64 = feats
        .iter()
        .filter(|f| f["properties"]["actor"] == "islamic-state")
        .map(|f| f["properties"]["area_km2"].as_f64().unwrap())
        .sum();
    assert!(is > 5_000.0, "IS holds {is} km² of Syria in June 2017");
    for f in feats {
        let p = &f["properties"];
        for k in ["actor", "status", "area_km2", "mean_confidence", "cells"] {
            assert!(!p[k].is_null(), "{k} missing in {p}");
        }
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
    }
    // The area table agrees with the polygons.
    let t = get_json("/api/area?date=2017-06-01&by=country").await;
    let rows = t["rows"].as_array().unwrap();
    let share: f64 = rows.iter().map(|r| r["share_pct"].as_f64().unwrap()).sum();
    assert!((share - 100.0).abs() < 0.01, "shares sum to {share}");
    let is_row = rows.iter().find(|r| r["actor"] == "islamic-state").unwrap();
    assert!((is_row["area_km2"].as_f64().unwrap() - is).abs() / is < 0.01);
    assert_eq!(t["countries"][0]["country"], "SYR");
    // One actor only.
    let only = get_json("/api/control?date=2017-06-01&actor=islamic-state").await;
    assert!(only["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["actor"] == "islamic-state"));
}

#[tokio::test]
async fn cached_maps_are_sent_gzipped_and_revalidated_by_etag() {
    let (app, token) = read();
    let uri = "/api/control?date=2017-06-01";
    let plain = send(app, get(uri, Some(token))).await;
    let etag = plain.header("etag").to_owned();
    assert!(etag.starts_with('"'), "{etag}");
    let req = |extra: (&str, &str)| {
        axum::http::Request::get(uri)
            .header("authorization", format!("Bearer {token}"))
            .header(extra.0, extra.1)
            .body(Body::empty())
            .unwrap()
    };
    let z = send(app, req(("accept-encoding", "gzip, deflate"))).await;
    assert_eq!(z.status, StatusCode::OK);
    assert_eq!(z.header("content-encoding"), "gzip");
    assert!(
        z.body.len() * 2 < plain.body.len(),
        "{} vs {}",
        z.body.len(),
        plain.body.len()
    );
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&z.body[..]), &mut back).unwrap();
    assert_eq!(back, plain.body);
    let again = send(app, req(("if-none-match", etag.as_str()))).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // Tiles too.
    let tile = "/tiles/6/38/25.mvt?date=2017-06-01&layers=control";
    let t = send(app, get(tile, Some(token))).await;
    assert_eq!(t.status, StatusCode::OK);
    let tag = t.header("etag").to_owned();
    let r = axum::http::Request::get(tile)
        .header("authorization", format!("Bearer {token}"))
        .header("if-none-match", tag.as_str())
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(app, r).await.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn diff_between_two_dates_balances_and_is_antisymmetric() {
    let d = get_json("/api/diff?from=2016-06-01&to=2017-06-01").await;
    let rows = d["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for r in rows {
        let f = |k: &str| r[k].as_f64().unwrap();
        assert!(
            (f("after_km2") - f("before_km2") - (f("gained_km2") - f("lost_km2"))).abs() < 0.01,
            "{r}"
        );
    }
    let back = get_json("/api/diff?from=2017-06-01&to=2016-06-01").await;
    for r in rows {
        let b = back["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["actor"] == r["actor"])
            .unwrap();
        assert!((r["net_km2"].as_f64().unwrap() + b["net_km2"].as_f64().unwrap()).abs() < 0.01);
        assert_eq!(r["gained_km2"], b["lost_km2"]);
    }
    let fc = get_json("/api/diff?from=2016-06-01&to=2017-06-01&format=geojson").await;
    assert!(fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["change"] == "gained" || f["properties"]["change"] == "lost"));
    let (app, token) = read();
    let r = send(app, get("/api/diff?from=2017-06-01", Some(token))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("to"));
}

#[tokio::test]
async fn whois_and_explain_name_the_holder_and_the_deciding_observations() {
    // Mayadin, held by the Islamic State in mid-2017.
    let w = get_json("/api/whois?date=2017-06-01&lat=35.02&lon=40.45").await;
    assert_eq!(w["actor"], "islamic-state", "{w}");
    assert!(w["confidence"].as_f64().unwrap() > 0.0);
    let e = get_json("/api/explain?date=2017-06-01&lat=35.02&lon=40.45").await;
    assert_eq!(e["actor"], "islamic-state");
    let obs = e["observations"].as_array().unwrap();
    assert!(!obs.is_empty(), "{e}");
    assert!(obs
        .iter()
        .all(|o| o["grading"] == "B2" && o["source"]["citation"].is_string()));
    let c = &e["contributions"][0];
    assert!(
        c["weight"].as_f64().unwrap() > 0.0 && c["distance_km"].is_number(),
        "{c}"
    );
    // In the empty desert of the Iraq border nothing reaches.
    let far = get_json("/api/whois?date=2017-06-01&lat=33.6&lon=38.6").await;
    assert!(far["actor"].is_string());
}

#[tokio::test]
async fn actors_and_areas_are_listed() {
    let a = get_json("/api/actors").await;
    assert!(a["actors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == "islamic-state"));
    let areas = get_json("/api/areas?kind=country").await;
    assert_eq!(areas["areas"][0]["code"], "SYR");
    let syr = get_json("/api/areas/SYR").await;
    assert_eq!(syr["geometry"]["type"], "MultiPolygon");
    let (app, token) = read();
    let r = send(app, get("/api/areas/XXX", Some(token))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    r.error();
}

// ---------------------------------------------------------------- observations and events

#[tokio::test]
async fn observations_are_filtered_and_paginated_with_links() {
    let page = get_json("/api/observations?actor=islamic-state&limit=10").await;
    assert_eq!(page["numberReturned"], 10);
    let matched = page["numberMatched"].as_u64().unwrap();
    assert!(matched > 100, "{matched}");
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        next.contains("offset=10") && next.contains("actor=islamic-state"),
        "{next}"
    );
    let second = get_json(&next).await;
    assert_ne!(second["features"][0]["id"], page["features"][0]["id"]);
    assert!(second["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["actor"] == "islamic-state"
            || f["properties"]["actor2"] == "islamic-state"));
    // A bbox around Raqqa.
    let raqqa = get_json("/api/observations?bbox=38.9,35.9,39.1,36.0&limit=1000").await;
    for f in raqqa["features"].as_array().unwrap() {
        let c = &f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!((38.9..=39.1).contains(&lon) && (35.9..=36.0).contains(&lat));
    }
    assert!(raqqa["numberMatched"].as_u64().unwrap() >= 1);
    // Dates: nothing observed before 2017.
    let none = get_json("/api/observations?to=2016-12-31").await;
    assert_eq!(none["numberMatched"], 0);
    let one = get_json("/api/observations/wiki-syria:5").await;
    assert_eq!(one["properties"]["version"], 1);
    assert_eq!(one["history"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn events_are_filtered_by_date_type_actor_and_bbox() {
    let all = get_json("/api/events?from=2017-05-01&to=2017-05-31").await;
    assert_eq!(all["numberMatched"], 31);
    let f = &all["features"][0];
    assert_eq!(f["properties"]["type"], "air_strike");
    assert_eq!(f["geometry"]["type"], "Point");
    let day =
        get_json("/api/events?from=2017-05-20&to=2017-05-20&type=air_strike&actor=islamic-state")
            .await;
    assert_eq!(day["numberMatched"], 1);
    assert_eq!(day["features"][0]["properties"]["count"], 3);
    let elsewhere = get_json("/api/events?bbox=36,33,37,34").await;
    assert_eq!(elsewhere["numberMatched"], 0);
    let paged = get_json("/api/events?limit=5&offset=30").await;
    assert_eq!(paged["numberReturned"], 1);
    assert!(paged["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "prev"));
}

// ---------------------------------------------------------------- analyses

#[tokio::test]
async fn analyses_answer_on_the_cached_map() {
    let s = get_json("/api/share?date=2017-06-01&aoi=SYR").await;
    let pct: f64 = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pct"].as_f64().unwrap())
        .sum();
    assert!((pct - 100.0).abs() < 0.5, "share rows sum to {pct}");
    let sieges = get_json("/api/sieges?date=2017-06-01").await;
    let list = sieges["enclaves"].as_array().unwrap();
    assert!(!list.is_empty());
    for e in list {
        let p: f64 = e["perimeter"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pct"].as_f64().unwrap())
            .sum();
        assert!((p - 100.0).abs() < 0.5, "perimeter shares sum to {p}");
    }
    let h = get_json("/api/hotspots?date=2017-05-31&window_days=14").await;
    assert!(h["zones_tested"].as_u64().unwrap() >= 1, "{h}");
    assert_eq!(
        h["zones"][0]["count"], 16,
        "14 days of strikes with 3 on the 20th"
    );
    let pop = get_json("/api/population?date=2017-06-01").await;
    let total = pop["total"].as_u64().unwrap();
    assert_eq!(total, 220_488 + 2_132_100, "Raqqa counted once: {pop}");
    let t = get_json("/api/trend?actor=islamic-state&from=2017-05-01&to=2017-05-31&step=1mo").await;
    let row = &t["rows"][0];
    assert_eq!(
        row["events"], 33,
        "31 rows, the 20th standing for 3 strikes"
    );
    assert!(row["km2"].as_f64().unwrap() > 1000.0);
}

// ---------------------------------------------------------------- tiles and OGC

#[tokio::test]
async fn vector_tiles_carry_the_control_and_event_layers() {
    let (app, token) = read();
    // z6 tile over Raqqa (x 38, y 25).
    let r = send(app, get("/tiles/6/38/25.mvt?date=2017-05-31", Some(token))).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(
        r.header("content-type"),
        "application/vnd.mapbox-vector-tile"
    );
    assert_eq!(r.body[0], 0x1a, "a Tile starts with its first layer");
    let text = String::from_utf8_lossy(&r.body);
    assert!(text.contains("control") && text.contains("events") && text.contains("islamic-state"));
    // The same tile again is the same bytes (cached).
    let again = send(app, get("/tiles/6/38/25.mvt?date=2017-05-31", Some(token))).await;
    assert_eq!(again.body, r.body);
    // A tile over the Atlantic is empty.
    let empty = send(app, get("/tiles/6/20/25.mvt?date=2017-05-31", Some(token))).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.is_empty());
    for bad in [
        "/tiles/6/64/0.mvt?date=2017-05-31",
        "/tiles/6/1/1.png?date=2017-05-31",
        "/tiles/6/1/1.mvt?date=2017-05-31&layers=roads",
    ] {
        let r = send(app, get(bad, Some(token))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        r.error();
    }
}

#[tokio::test]
async fn ogc_api_features_serves_qgis_style_requests_with_the_right_links() {
    let (app, token) = read();
    let req = |uri: &str| {
        Request::get(uri)
            .header("host", "gis.example:8080")
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap()
    };
    let landing = send(app, req("/ogc")).await.json();
    let rels: Vec<&str> = landing["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["rel"].as_str().unwrap())
        .collect();
    for rel in ["self", "service-desc", "conformance", "data"] {
        assert!(rels.contains(&rel), "{rel} missing in {rels:?}");
    }
    assert!(landing["links"][0]["href"]
        .as_str()
        .unwrap()
        .starts_with("http://gis.example:8080/"));
    let conf = send(app, req("/ogc/conformance")).await.json();
    assert!(conf["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c.as_str().unwrap().ends_with("/conf/geojson")));
    let cols = send(app, req("/ogc/collections?f=json")).await.json();
    let ids: Vec<&str> = cols["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["control", "observations", "events"]);
    let bbox = &cols["collections"][0]["extent"]["spatial"]["bbox"][0];
    assert!(
        bbox[0].as_f64().unwrap() > 35.0 && bbox[2].as_f64().unwrap() < 43.0,
        "{bbox}"
    );
    // QGIS asks for a page with a bbox, then follows `next`.
    let r = send(
        app,
        req("/ogc/collections/observations/items?limit=50&bbox=35.5,32.0,42.5,37.5"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), "application/geo+json");
    let page = r.json();
    assert_eq!(page["type"], "FeatureCollection");
    assert_eq!(page["numberReturned"], 50);
    assert!(page["numberMatched"].as_u64().unwrap() > 50);
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    let href = next["href"].as_str().unwrap();
    assert!(
        href.starts_with("http://gis.example:8080/ogc/collections/observations/items?"),
        "{href}"
    );
    assert!(
        href.contains("offset=50") && href.contains("bbox="),
        "{href}"
    );
    let path = href.trim_start_matches("http://gis.example:8080");
    let second = send(app, req(path)).await.json();
    assert!(second["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "prev"));
    // The control collection for a date, and one of its items.
    let control = send(
        app,
        req("/ogc/collections/control/items?datetime=2017-06-01T00:00:00Z"),
    )
    .await
    .json();
    let first = &control["features"][0];
    assert!(first["geometry"]["coordinates"].is_array());
    let fid = first["id"].as_u64().unwrap();
    let one = send(
        app,
        req(&format!(
            "/ogc/collections/control/items/{fid}?datetime=2017-06-01"
        )),
    )
    .await
    .json();
    assert_eq!(one["properties"], first["properties"]);
    let ev = send(
        app,
        req("/ogc/collections/events/items?datetime=2017-05-20/2017-05-21"),
    )
    .await
    .json();
    assert_eq!(ev["numberMatched"], 2);
    let id = ev["features"][0]["id"]
        .as_str()
        .unwrap()
        .replace('/', "%2F");
    let e1 = send(app, req(&format!("/ogc/collections/events/items/{id}"))).await;
    assert_eq!(
        e1.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&e1.body)
    );
    let o1 = send(app, req("/ogc/collections/observations/items/wiki-syria:5")).await;
    assert_eq!(o1.status, StatusCode::OK);
    for (uri, status) in [
        ("/ogc/collections/roads", StatusCode::NOT_FOUND),
        (
            "/ogc/collections/control/items/99999?datetime=2017-06-01",
            StatusCode::NOT_FOUND,
        ),
        (
            "/ogc/collections/events/items?bbox=1,2,3",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/ogc/collections/events/items?limit=0",
            StatusCode::BAD_REQUEST,
        ),
        ("/ogc/collections?f=xml", StatusCode::NOT_ACCEPTABLE),
    ] {
        let r = send(app, req(uri)).await;
        assert_eq!(r.status, status, "{uri}");
        r.error();
    }
}

// ---------------------------------------------------------------- maps, charts, exports

#[tokio::test]
async fn maps_and_charts_are_rendered_as_png_and_svg() {
    let (app, token) = read();
    let png = send(app, get("/api/map?date=2017-06-01&width=600", Some(token))).await;
    assert_eq!(
        png.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&png.body)
    );
    assert_eq!(png.header("content-type"), "image/png");
    assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    let svg = send(
        app,
        get(
            "/api/map?date=2017-05-01&date2=2017-06-01&format=svg&width=800",
            Some(token),
        ),
    )
    .await;
    assert_eq!(svg.status, StatusCode::OK);
    assert_eq!(svg.header("content-type"), "image/svg+xml");
    let text = String::from_utf8_lossy(&svg.body);
    assert!(
        text.contains("<svg") && text.contains("<path"),
        "{}",
        &text[..200.min(text.len())]
    );
    let chart = send(
        app,
        get(
            "/api/chart?from=2017-04-01&to=2017-06-01&step=1mo",
            Some(token),
        ),
    )
    .await;
    assert_eq!(
        chart.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&chart.body)
    );
    assert!(chart.body.starts_with(b"\x89PNG"));
    for (uri, status) in [
        (
            "/api/map?date=2017-06-01&format=gif",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/map?date=2017-06-01&width=10", StatusCode::BAD_REQUEST),
        (
            "/api/chart?from=2017-06-01&to=2017-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = send(app, get(uri, Some(token))).await;
        assert_eq!(r.status, status, "{uri}");
        r.error();
    }
}

#[tokio::test]
async fn exports_come_as_geojson_csv_and_geopackage() {
    let (app, token) = read();
    let csv = send(
        app,
        get(
            "/api/export/control?date=2017-06-01&format=csv",
            Some(token),
        ),
    )
    .await;
    assert_eq!(
        csv.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&csv.body)
    );
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv
        .header("content-disposition")
        .contains("control_2017-06-01.csv"));
    let text = String::from_utf8(csv.body.clone()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("id,actor,") && header.ends_with(",lat,lon,wkt"),
        "{header}"
    );
    assert!(text.contains("MULTIPOLYGON ((("));
    let obs = send(
        app,
        get("/api/export/observations?format=csv&actor=hts", Some(token)),
    )
    .await;
    let text = String::from_utf8(obs.body).unwrap();
    assert!(text.lines().count() > 10);
    assert!(text.lines().skip(1).all(|l| l.contains("hts")));
    let gpkg = send(app, get("/api/export/events?format=gpkg", Some(token))).await;
    assert_eq!(gpkg.status, StatusCode::OK);
    assert!(gpkg.body.starts_with(b"SQLite format 3\0"));
    let gj = send(
        app,
        get("/api/export/observations?to=2016-01-01", Some(token)),
    )
    .await;
    assert_eq!(gj.json()["features"].as_array().unwrap().len(), 0);
    for (uri, status) in [
        (
            "/api/export/control?date=2017-06-01&format=shp",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/export/roads", StatusCode::NOT_FOUND),
        ("/api/export/control", StatusCode::BAD_REQUEST),
    ] {
        let r = send(app, get(uri, Some(token))).await;
        assert_eq!(r.status, status, "{uri}");
        r.error();
    }
}

// ---------------------------------------------------------------- auth

#[tokio::test]
async fn reads_need_a_token_unless_public_and_writes_need_an_analyst() {
    let (app, _) = read();
    let fx = &READ.0;
    let r = send(app, get("/api/actors", None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.header("www-authenticate").starts_with("Bearer"));
    r.error();
    let r = send(app, get("/api/actors", Some("fl_not_a_token"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        app,
        Request::get("/api/actors")
            .header("authorization", "Basic abc")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        app,
        with_json("POST", "/api/observations", Some(&fx.viewer), NEW_OBS),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.error().contains("analyst"));
    let r = send(app, get("/api/audit", Some(&fx.analyst))).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(app, get("/api/tokens", Some(&fx.admin))).await;
    assert_eq!(r.status, StatusCode::OK);
    let tokens = r.json();
    assert!(tokens["tokens"].as_array().unwrap().len() >= 3);
    assert!(
        !String::from_utf8_lossy(&r.body).contains(&fx.admin),
        "a secret leaked"
    );

    // Public mode: anonymous reads, but writes still need an analyst token.
    let public = fx.app(true);
    let r = send(&public, get("/api/actors", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(
        &public,
        with_json("POST", "/api/observations", None, NEW_OBS),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

// ---------------------------------------------------------------- bad input

#[tokio::test]
async fn bad_query_input_is_a_4xx_that_says_what_is_wrong() {
    let (app, token) = read();
    let cases: &[(&str, StatusCode, &str)] = &[
        ("/api/control", StatusCode::BAD_REQUEST, "date"),
        (
            "/api/control?date=1-2-3",
            StatusCode::BAD_REQUEST,
            "YYYY-MM-DD",
        ),
        (
            "/api/control?date=2999-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "future",
        ),
        (
            "/api/control?date=2017-06-01&known_on=2999-01-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "future",
        ),
        (
            "/api/control?date=2017-06-01&colour=red",
            StatusCode::BAD_REQUEST,
            "colour",
        ),
        (
            "/api/control?date=2017-06-01&region=XXX",
            StatusCode::UNPROCESSABLE_ENTITY,
            "XXX",
        ),
        (
            "/api/control?date=2017-06-01&actor=Islamic%20State",
            StatusCode::UNPROCESSABLE_ENTITY,
            "actor id",
        ),
        (
            "/api/whois?date=2017-06-01&lat=95&lon=39",
            StatusCode::UNPROCESSABLE_ENTITY,
            "latitude",
        ),
        (
            "/api/whois?date=2017-06-01&lat=35&lon=390",
            StatusCode::UNPROCESSABLE_ENTITY,
            "longitude",
        ),
        (
            "/api/whois?date=2017-06-01&lat=abc&lon=39",
            StatusCode::BAD_REQUEST,
            "lat",
        ),
        (
            "/api/whois?date=2017-06-01",
            StatusCode::BAD_REQUEST,
            "lat and lon",
        ),
        (
            "/api/area?date=2017-06-01&by=planet",
            StatusCode::BAD_REQUEST,
            "country",
        ),
        (
            "/api/observations?bbox=1,2,3",
            StatusCode::BAD_REQUEST,
            "bbox",
        ),
        (
            "/api/observations?bbox=10,0,0,10",
            StatusCode::UNPROCESSABLE_ENTITY,
            "min above max",
        ),
        (
            "/api/observations?limit=100000",
            StatusCode::BAD_REQUEST,
            "limit",
        ),
        (
            "/api/observations?status=captured",
            StatusCode::UNPROCESSABLE_ENTITY,
            "status",
        ),
        (
            "/api/events?type=picnic",
            StatusCode::UNPROCESSABLE_ENTITY,
            "event type",
        ),
        (
            "/api/events?from=2017-06-01&to=2017-05-01",
            StatusCode::UNPROCESSABLE_ENTITY,
            "after",
        ),
        (
            "/api/share?date=2017-06-01&aoi=Atlantis",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Atlantis",
        ),
        (
            "/api/trend?actor=islamic-state&from=2010-01-01&to=2017-01-01&step=1d",
            StatusCode::UNPROCESSABLE_ENTITY,
            "steps",
        ),
        (
            "/api/trend?actor=islamic-state&from=2017-01-01&to=2017-02-01&step=1fortnight",
            StatusCode::UNPROCESSABLE_ENTITY,
            "step",
        ),
        (
            "/api/hotspots?date=2017-06-01&alpha=2",
            StatusCode::UNPROCESSABLE_ENTITY,
            "alpha",
        ),
        (
            "/api/sieges?date=2017-06-01&threshold=3",
            StatusCode::UNPROCESSABLE_ENTITY,
            "threshold",
        ),
        ("/api/observations/nope:1", StatusCode::NOT_FOUND, "nope:1"),
        ("/api/evidence/xyz", StatusCode::BAD_REQUEST, "SHA-256"),
        ("/api/nothing-here", StatusCode::NOT_FOUND, "no endpoint"),
    ];
    for (uri, status, says) in cases {
        let r = send(app, get(uri, Some(token))).await;
        assert_eq!(
            r.status,
            *status,
            "{uri}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let msg = r.error();
        assert!(msg.contains(says), "{uri}: {msg:?} should mention {says:?}");
    }
    let r = send(
        app,
        Request::delete("/api/actors")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    r.error();
}

#[tokio::test]
async fn bad_bodies_are_refused_with_the_reason_and_nothing_is_written() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let a = Some(fx.analyst.as_str());
    let with = |field: &str, value: &str| {
        let mut v: Value = serde_json::from_str(NEW_OBS).unwrap();
        v[field] = serde_json::from_str(value).unwrap();
        v.to_string()
    };
    let cases: Vec<(String, StatusCode, &str)> = vec![
        ("{\"label\": ".into(), StatusCode::BAD_REQUEST, "JSON"),
        (
            with("actor", "42"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "actor",
        ),
        (
            with("actor", "\"wagner\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown actor",
        ),
        (
            with(
                "geometry",
                r#"{"type": "Point", "coordinates": [39.0, 95.0]}"#,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "latitude",
        ),
        (
            with(
                "geometry",
                r#"{"type": "LineString", "coordinates": [[39, 35], [40, 36]]}"#,
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Point, Polygon or MultiPolygon",
        ),
        (
            with("observed", "\"2999-01-01\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "future",
        ),
        (
            with("observed", "\"June 2017\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "observed",
        ),
        (
            with("grading", "\"Z9\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "grading",
        ),
        (
            with("status", "\"contested\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "actor2",
        ),
        (
            with("source", "\"  \""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "source",
        ),
        (
            with("colour", "\"red\""),
            StatusCode::UNPROCESSABLE_ENTITY,
            "colour",
        ),
    ];
    for (body, status, says) in &cases {
        let r = send(&app, with_json("POST", "/api/observations", a, body)).await;
        assert_eq!(
            r.status,
            *status,
            "{body}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let msg = r.error();
        assert!(
            msg.contains(says),
            "{body}: {msg:?} should mention {says:?}"
        );
    }
    // No content type.
    let r = send(
        &app,
        Request::post("/api/observations")
            .header("authorization", format!("Bearer {}", fx.analyst))
            .body(Body::from(NEW_OBS))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    r.error();
    // Over the size limit.
    let huge = format!("{{\"note\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let r = send(&app, with_json("POST", "/api/observations", a, &huge)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    r.error();
    // Nothing was written or audited (the fixture's tokens are the only entries).
    let audit = send(&app, get("/api/audit?kind=observation", Some(&fx.admin)))
        .await
        .json();
    assert_eq!(audit["total"], 0);
}

// ---------------------------------------------------------------- editing

#[tokio::test]
async fn analysts_add_correct_and_retire_with_version_checks_and_audit() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let a = Some(fx.analyst.as_str());
    let r = send(&app, with_json("POST", "/api/observations", a, NEW_OBS)).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("etag"), "\"1\"");
    let created = r.json();
    let key = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["properties"]["analyst"], "amira");
    let loc = r.header("location").to_owned();
    let got = send(&app, get(&loc, Some(&fx.viewer))).await;
    assert_eq!(got.status, StatusCode::OK, "{loc}");

    // The same key again is a conflict.
    let dup = serde_json::json!({"key": key}).to_string();
    let mut body: Value = serde_json::from_str(NEW_OBS).unwrap();
    body["key"] = serde_json::from_str::<Value>(&dup).unwrap()["key"].clone();
    let r = send(
        &app,
        with_json("POST", "/api/observations", a, &body.to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    r.error();

    // Correct it with If-Match.
    let uri = format!("/api/observations/{key}");
    let corrected = NEW_OBS.replace("\"sdf\"", "\"islamic-state\"");
    let put = |body: &str, if_match: Option<&str>| {
        let mut b = Request::put(uri.as_str())
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", fx.analyst));
        if let Some(m) = if_match {
            b = b.header("if-match", m);
        }
        b.body(Body::from(body.to_owned())).unwrap()
    };
    let r = send(&app, put(&corrected, Some("\"1\""))).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("etag"), "\"2\"");
    // A second analyst still editing version 1 is refused, never silently lost.
    let r = send(
        &app,
        put(&NEW_OBS.replace("\"sdf\"", "\"hts\""), Some("\"1\"")),
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    assert!(r.error().contains("version 1"));
    let stale_body = {
        let mut v: Value = serde_json::from_str(NEW_OBS).unwrap();
        v["expected_version"] = 1.into();
        v.to_string()
    };
    let r = send(&app, put(&stale_body, None)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    r.error();
    let r = send(&app, put(NEW_OBS, None)).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_REQUIRED);
    r.error();
    let r = send(&app, put(NEW_OBS, Some("soon"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &app,
        with_json("PUT", "/api/observations/none:1", a, &stale_body),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Retire (a new version; the old ones stay).
    let retire = |m: &str| {
        Request::post(format!("{uri}/retire"))
            .header("authorization", format!("Bearer {}", fx.analyst))
            .header("if-match", m)
            .header("content-type", "application/json")
            .body(Body::from("{\"reason\": \"duplicate\"}"))
            .unwrap()
    };
    let r = send(&app, retire("\"1\"")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = send(&app, retire("\"2\"")).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["version"], 3);
    let r = send(&app, retire("\"3\"")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "retiring twice");
    let hist = send(&app, get(&uri, Some(&fx.viewer))).await.json();
    assert_eq!(hist["history"].as_array().unwrap().len(), 3);
    assert_eq!(hist["properties"]["retired"], true);
    let list = send(&app, get("/api/observations?limit=10000", Some(&fx.viewer)))
        .await
        .json();
    assert!(list["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["id"] != key.as_str()));

    // The audit log has who, when, what and the previous version, newest first.
    let audit = send(&app, get("/api/audit?kind=observation", Some(&fx.admin)))
        .await
        .json();
    let entries = audit["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["retire", "correct", "create"]);
    assert!(entries
        .iter()
        .all(|e| e["who"] == "amira" && e["role"] == "analyst" && e["at"].is_string()));
    assert_eq!(entries[1]["previous"]["actor"], "sdf");
    assert_eq!(entries[1]["detail"]["actor"], "islamic-state");
    assert_eq!(entries[0]["detail"]["reason"], "duplicate");
    let only = send(
        &app,
        get(&format!("/api/audit?key={key}&limit=1"), Some(&fx.admin)),
    )
    .await
    .json();
    assert_eq!(
        (
            only["total"].as_u64(),
            only["entries"].as_array().unwrap().len()
        ),
        (Some(3), 1)
    );
}

#[tokio::test]
async fn analysts_add_correct_and_retire_areas_and_maps_use_the_new_outline() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let a = Some(fx.analyst.as_str());
    let square = |east: f64| {
        format!(
            r#"{{"code": "raqqa-box", "name": "Raqqa box", "kind": "city", "country": "SYR",
            "source": "analyst outline", "geometry": {{"type": "Polygon", "coordinates":
            [[[38.9, 35.9], [{east}, 35.9], [{east}, 36.0], [38.9, 36.0], [38.9, 35.9]]]}}}}"#
        )
    };
    // Viewers may not write; bad outlines are refused with the reason.
    let r = send(
        &app,
        with_json("POST", "/api/areas", Some(&fx.viewer), &square(39.1)),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let point = square(39.1).replace(r#""type": "Polygon""#, r#""type": "Point""#);
    let r = send(&app, with_json("POST", "/api/areas", a, &point)).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    r.error();
    let no_source = square(39.1).replace("analyst outline", " ");
    let r = send(&app, with_json("POST", "/api/areas", a, &no_source)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.error().contains("source"));

    let r = send(&app, with_json("POST", "/api/areas", a, &square(39.1))).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("etag"), "\"1\"");
    assert_eq!(r.header("location"), "/api/areas/raqqa-box");
    let r = send(&app, with_json("POST", "/api/areas", a, &square(39.1))).await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The new area is a region the maps can be drawn on.
    let total = |v: &Value| -> f64 {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["area_km2"].as_f64().unwrap())
            .sum()
    };
    let small = send(
        &app,
        get(
            "/api/area?date=2017-06-01&region=raqqa-box",
            Some(&fx.viewer),
        ),
    )
    .await;
    assert_eq!(small.status, StatusCode::OK, "{}", small.error());
    let small = total(&small.json());
    assert!((150.0..250.0).contains(&small), "{small} km²");

    // A corrected outline (twice as wide) is a new version; the grid is rebuilt from it.
    let put = |body: String, m: &str| {
        Request::put("/api/areas/raqqa-box")
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", fx.analyst))
            .header("if-match", m)
            .body(Body::from(body))
            .unwrap()
    };
    let r = send(&app, put(square(39.3), "\"1\"")).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("etag"), "\"2\"");
    let r = send(&app, put(square(39.2), "\"1\"")).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "a stale edit");
    let wide = send(
        &app,
        get(
            "/api/area?date=2017-06-01&region=raqqa-box",
            Some(&fx.viewer),
        ),
    )
    .await
    .json();
    let wide = total(&wide);
    assert!(
        (wide / small - 2.0).abs() < 0.05,
        "{small} km² then {wide} km²"
    );
    let one = send(&app, get("/api/areas/raqqa-box", Some(&fx.viewer))).await;
    assert_eq!(one.header("etag"), "\"2\"");
    assert_eq!(
        one.json()["properties"]["history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Retired: gone from the list, kept in the history and the audit log.
    let retire = Request::post("/api/areas/raqqa-box/retire")
        .header("authorization", format!("Bearer {}", fx.analyst))
        .header("if-match", "\"2\"")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"reason": "drawn for a test"}"#))
        .unwrap();
    let r = send(&app, retire).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["version"], 3);
    let r = send(&app, get("/api/areas/raqqa-box", Some(&fx.viewer))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let audit = send(&app, get("/api/audit?key=raqqa-box", Some(&fx.admin)))
        .await
        .json();
    let entries = audit["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["retire", "correct", "create"]);
    assert!(entries
        .iter()
        .all(|e| e["target_kind"] == "area" && e["who"] == "amira"));
    assert_eq!(entries[0]["detail"]["reason"], "drawn for a test");
    assert_eq!(entries[1]["previous"]["name"], "Raqqa box");
}

#[tokio::test]
async fn a_write_shows_in_the_next_map_read() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let area = |v: &Value, actor: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["actor"] == actor)
            .map_or(0.0, |r| r["area_km2"].as_f64().unwrap())
    };
    let before = send(&app, get("/api/area?date=2017-06-01", Some(&fx.viewer)))
        .await
        .json();
    let tag_before = send(&app, get("/api/control?date=2017-06-01", Some(&fx.viewer)))
        .await
        .header("etag")
        .to_owned();
    // A Turkish-held base in the desert east of Palmyra, where nothing else reaches.
    let obs = NEW_OBS
        .replace("\"sdf\"", "\"turkey\"")
        .replace("[38.5, 35.0]", "[39.2, 34.4]");
    let r = send(
        &app,
        with_json("POST", "/api/observations", Some(&fx.analyst), &obs),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let after = send(&app, get("/api/area?date=2017-06-01", Some(&fx.viewer)))
        .await
        .json();
    assert!(
        area(&after, "turkey") > area(&before, "turkey") + 10.0,
        "{before} / {after}"
    );
    // A client holding the old map gets the new one, not a 304.
    let r = Request::get("/api/control?date=2017-06-01")
        .header("authorization", format!("Bearer {}", fx.viewer))
        .header("if-none-match", tag_before.as_str())
        .body(Body::empty())
        .unwrap();
    let r = send(&app, r).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(r.header("etag"), tag_before);
    // As known on a day before the post, the map is the old one.
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let old = send(
        &app,
        get(
            &format!("/api/area?date=2017-06-01&known_on={yesterday}"),
            Some(&fx.viewer),
        ),
    )
    .await
    .json();
    assert_eq!(area(&old, "turkey"), area(&before, "turkey"));
}

// ---------------------------------------------------------------- evidence

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

fn upload(uri: &str, token: &str, bytes: Vec<u8>) -> Request<Body> {
    Request::post(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/octet-stream")
        .body(Body::from(bytes))
        .unwrap()
}

#[tokio::test]
async fn evidence_files_are_content_addressed_checked_and_served_safely() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let uri = "/api/observations/wiki-syria:5/evidence?name=chip.png";
    let r = send(&app, upload(uri, &fx.analyst, PNG.to_vec())).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let a = r.json();
    let sha = a["attachment"]["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha.len(), 64);
    assert_eq!(a["attachment"]["media_type"], "image/png");
    let f = send(&app, get(&format!("/api/evidence/{sha}"), Some(&fx.viewer))).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(f.body, PNG);
    assert_eq!(f.header("content-type"), "image/png");
    assert_eq!(f.header("x-content-type-options"), "nosniff");
    assert!(f
        .header("content-security-policy")
        .contains("default-src 'none'"));
    assert!(f.header("content-disposition").starts_with("inline"));
    // A PDF is a download, whatever name it was given.
    let r = send(
        &app,
        upload(
            "/api/observations/wiki-syria:5/evidence?name=report.png",
            &fx.analyst,
            b"%PDF-1.7\n%...".to_vec(),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let pdf = r.json()["attachment"]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let f = send(&app, get(&format!("/api/evidence/{pdf}"), Some(&fx.viewer))).await;
    assert_eq!(f.header("content-type"), "application/pdf");
    assert!(f.header("content-disposition").starts_with("attachment"));
    // Listed with the observation and in its provenance.
    let list = send(
        &app,
        get("/api/observations/wiki-syria:5/evidence", Some(&fx.viewer)),
    )
    .await
    .json();
    assert_eq!(list["evidence"].as_array().unwrap().len(), 2);
    let obs = send(
        &app,
        get("/api/observations/wiki-syria:5", Some(&fx.viewer)),
    )
    .await
    .json();
    assert_eq!(obs["evidence_files"].as_array().unwrap().len(), 2);

    // Refused: HTML posing as an image, an empty file, too big, a viewer, an unknown
    // observation, a bad name.
    let cases = [
        (
            upload(
                uri,
                &fx.analyst,
                b"<html><script>alert(1)</script>".to_vec(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            upload(uri, &fx.analyst, vec![]),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            upload(
                uri,
                &fx.analyst,
                [PNG, &vec![0u8; 11 * 1024 * 1024]].concat(),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (upload(uri, &fx.viewer, PNG.to_vec()), StatusCode::FORBIDDEN),
        (
            upload(
                "/api/observations/nope:9/evidence?name=a.png",
                &fx.analyst,
                PNG.to_vec(),
            ),
            StatusCode::NOT_FOUND,
        ),
        (
            upload(
                "/api/observations/wiki-syria:5/evidence?name=..%2Fx",
                &fx.analyst,
                PNG.to_vec(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            upload(
                "/api/observations/wiki-syria:5/evidence",
                &fx.analyst,
                PNG.to_vec(),
            ),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (req, status) in cases {
        let uri = req.uri().to_string();
        let r = send(&app, req).await;
        assert_eq!(
            r.status,
            status,
            "{uri}: {}",
            String::from_utf8_lossy(&r.body)
        );
        r.error();
    }
    let r = send(
        &app,
        get(
            &format!("/api/evidence/{}", "a".repeat(64)),
            Some(&fx.viewer),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Audited.
    let audit = send(&app, get("/api/audit?kind=evidence", Some(&fx.admin)))
        .await
        .json();
    assert_eq!(audit["total"], 2);
}

// ---------------------------------------------------------------- internal errors

#[tokio::test]
async fn internal_errors_are_generic_and_do_not_leak() {
    let fx = Fixture::new();
    let app = fx.app(false);
    // Break the evidence table behind the server's back.
    let conn = rusqlite::Connection::open(&fx.db).unwrap();
    conn.execute_batch("DROP TABLE evidence_link").unwrap();
    let r = send(
        &app,
        get("/api/observations/wiki-syria:5/evidence", Some(&fx.viewer)),
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body = String::from_utf8_lossy(&r.body).to_lowercase();
    for leak in [
        "evidence_link",
        "sqlite",
        "no such table",
        "select",
        "/tmp",
        ".rs",
    ] {
        assert!(!body.contains(leak), "{leak} leaked: {body}");
    }
    assert_eq!(r.json()["error"]["code"], "internal");
}

// ---------------------------------------------------------------- no-op edits

#[tokio::test]
async fn a_correction_identical_to_the_current_version_answers_it_unchanged() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let a = Some(fx.analyst.as_str());
    let r = send(&app, with_json("POST", "/api/observations", a, NEW_OBS)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let key = r.json()["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/observations/{key}");
    let put = Request::put(uri.as_str())
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", fx.analyst))
        .header("if-match", "\"1\"")
        .body(Body::from(NEW_OBS))
        .unwrap();
    let r = send(&app, put).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("etag"), "\"1\"");
    assert_eq!(r.json()["properties"]["version"], 1);
    let got = send(&app, get(&uri, Some(&fx.viewer))).await.json();
    assert_eq!(got["history"].as_array().unwrap().len(), 1);
    let audit = send(&app, get(&format!("/api/audit?key={key}"), Some(&fx.admin)))
        .await
        .json();
    assert_eq!(audit["total"], 1, "only the creation is audited: {audit}");
}

#[tokio::test]
async fn every_error_has_the_json_shape_path_and_length_errors_included() {
    let (app, token) = read();
    // A tile path with letters for numbers.
    let r = send(app, get("/tiles/z/1/2.mvt?date=2017-06-01", Some(token))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.error().contains("/tiles/z/1/2.mvt"));
    // A request target longer than the server takes.
    let long = format!("/api/control?date=2017-06-01&region={}", "A".repeat(9000));
    let r = send(app, get(&long, Some(token))).await;
    assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    assert!(r.error().contains("bytes"));
    // An unknown actor on a read: a 4xx that names the known ones, never `ActorId("…")`.
    for uri in [
        "/api/events?actor=nobody",
        "/api/observations?actor=nobody",
        "/api/control?date=2017-06-01&actor=nobody",
        "/api/export/control?date=2017-06-01&actor=nobody",
    ] {
        let r = send(app, get(uri, Some(token))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        let msg = r.error();
        assert!(
            msg.contains("nobody") && msg.contains("sdf"),
            "{uri}: {msg}"
        );
        assert!(!msg.contains("ActorId"), "{uri}: {msg}");
    }
}

#[tokio::test]
async fn the_openapi_declares_the_default_and_largest_page() {
    let (app, _) = read();
    let doc = send(app, get("/api/openapi.json", None)).await.json();
    let params = doc["paths"]["/ogc/collections/{collectionId}/items"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
    assert_eq!(limit["schema"]["default"], 100);
    assert_eq!(limit["schema"]["maximum"], 10_000);
}
