//! The HTTP API tested through the router without a socket (`oneshot`): every endpoint, and
//! every class of error (auth, bad input, stale edits, unknown things, limits).

mod server_support;

use axum::http::StatusCode;
use server_support::*;

#[tokio::test]
async fn health_and_openapi_answer_without_a_token() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let r = send(&app, get("/health", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let r = send(&app, get("/api/openapi.json", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(doc["paths"]["/api/control"]["get"].is_object());
}

#[tokio::test]
async fn control_geojson_has_per_actor_polygons_with_the_cli_properties() {
    let fx = Fixture::new();
    let app = fx.app(false);
    let r = send(&app, get("/api/control?date=2017-06-01", Some(&fx.viewer))).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.header("content-type"), "application/geo+json");
    let fc = r.json();
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
        assert!(matches!(
            f["geometry"]["type"].as_str(),
            Some("MultiPolygon")
        ));
    }
    // The area table agrees with the polygons.
    let r = send(&app, get("/api/area?date=2017-06-01", Some(&fx.viewer))).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.json();
    let rows = t["rows"].as_array().unwrap();
    let share: f64 = rows.iter().map(|r| r["share_pct"].as_f64().unwrap()).sum();
    assert!((share - 100.0).abs() < 0.01, "shares sum to {share}");
    let is_row = rows.iter().find(|r| r["actor"] == "islamic-state").unwrap();
    assert!((is_row["area_km2"].as_f64().unwrap() - is).abs() / is < 0.01);
}
