//! The web map's server side: the built app at `/` with cache headers, the page saying how to
//! build it when it is absent, the base map layers from the bundled Natural Earth data, and the
//! extent the app opens with.

mod server_support;

use axum::http::StatusCode;
use frontline::server::{router, AppState};
use server_support::{get, send, Fixture};

fn app_with(fx: &Fixture, web_dir: Option<std::path::PathBuf>) -> axum::Router {
    let opts = frontline::server::Options {
        web_dir,
        ..fx.options(false)
    };
    router(AppState::open(&opts).unwrap(), &opts)
}

#[tokio::test]
async fn the_built_app_is_served_at_the_root_with_cache_headers() {
    let fx = Fixture::new();
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>map</title>",
    )
    .unwrap();
    std::fs::create_dir(dist.path().join("assets")).unwrap();
    std::fs::write(dist.path().join("assets/index-abc.js"), "console.log(1)").unwrap();
    std::fs::write(dist.path().join("secret.txt"), "no").unwrap();
    let app = app_with(&fx, Some(dist.path().to_path_buf()));

    let r = send(&app, get("/", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/html"));
    assert_eq!(r.header("cache-control"), "no-cache");
    assert_eq!(r.body, b"<!doctype html><title>map</title>");

    let r = send(&app, get("/assets/index-abc.js", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").starts_with("text/javascript"));
    assert!(r.header("cache-control").contains("immutable"));

    for bad in [
        "/assets/missing.js",
        "/assets/../secret.txt",
        "/assets/%2e%2e/secret.txt",
    ] {
        let r = send(&app, get(bad, None)).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
        assert!(!String::from_utf8_lossy(&r.body).contains("no\n"), "{bad}");
    }
}

#[tokio::test]
async fn without_a_built_app_the_root_says_how_to_build_it() {
    let fx = Fixture::new();
    let app = app_with(&fx, None);
    let r = send(&app, get("/", None)).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = String::from_utf8(r.body).unwrap();
    assert!(page.contains("make web"), "{page}");
    // The API is still there.
    let r = send(&app, get("/health", None)).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn the_base_map_layers_come_from_the_bundled_natural_earth_data() {
    let fx = Fixture::new();
    let app = app_with(&fx, None);
    for (layer, at_least) in [
        ("countries", 15),
        ("borders", 50),
        ("rivers", 10),
        ("lakes", 5),
        ("places", 40),
    ] {
        // No token: the base map is public reference data.
        let r = send(&app, get(&format!("/api/basemap/{layer}.geojson"), None)).await;
        assert_eq!(r.status, StatusCode::OK, "{layer}");
        assert_eq!(r.header("content-type"), "application/geo+json");
        let fc = r.json();
        let n = fc["features"].as_array().unwrap().len();
        assert!(n >= at_least, "{layer}: {n} features");
    }
    let places = send(&app, get("/api/basemap/places.geojson", None))
        .await
        .json();
    let first = &places["features"][0]["properties"];
    assert_eq!(first["name"], "Baghdad", "largest first: {first}");
    assert!(places["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["properties"]["name"] == "Raqqa"));
    let r = send(&app, get("/api/basemap/roads.geojson", None)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.error().contains("countries.geojson"));
}

#[tokio::test]
async fn the_extent_spans_the_observations_and_boxes_the_region() {
    let fx = Fixture::new();
    let app = app_with(&fx, None);
    let r = send(&app, get("/api/extent", None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "reads need a token");
    let r = send(&app, get("/api/extent", Some(&fx.viewer))).await;
    assert_eq!(r.status, StatusCode::OK);
    let e = r.json();
    // The fixture holds the Syria snapshot of 1 June 2017 only.
    assert_eq!(e["first"], "2017-06-01");
    assert_eq!(e["last"], "2017-06-01");
    assert_eq!(e["region"], "SYR");
    let b: Vec<f64> = e["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // Syria: about 35.7–42.4 °E, 32.3–37.3 °N.
    assert!(
        (35.0..36.5).contains(&b[0]) && (41.5..43.0).contains(&b[2]),
        "{b:?}"
    );
    assert!(
        (32.0..33.0).contains(&b[1]) && (37.0..37.6).contains(&b[3]),
        "{b:?}"
    );
}

#[tokio::test]
async fn the_session_says_whether_reads_are_public_and_the_tokens_role() {
    let fx = Fixture::new();
    let app = app_with(&fx, None);
    let s = send(&app, get("/api/session", None)).await;
    assert_eq!(s.status, StatusCode::OK);
    assert_eq!(
        s.json(),
        serde_json::json!({"public": false, "who": null, "role": null})
    );
    let s = send(&app, get("/api/session", Some(&fx.analyst)))
        .await
        .json();
    assert_eq!(
        (s["who"].as_str(), s["role"].as_str()),
        (Some("amira"), Some("analyst"))
    );
    let s = send(&app, get("/api/session", Some(&fx.viewer)))
        .await
        .json();
    assert_eq!(s["role"], "viewer");
    let r = send(&app, get("/api/session", Some("fl_not_a_token"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let public = fx.options(true);
    let app = router(AppState::open(&public).unwrap(), &public);
    let s = send(&app, get("/api/session", None)).await.json();
    assert_eq!(s["public"], true);
}
