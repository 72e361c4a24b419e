//! The OpenAPI 3 description, written by hand from the route table (a generator would add a
//! macro layer over every handler for one JSON document; this keeps the routes plain).

use serde_json::{json, Map, Value};

/// (method, path, tag, summary, role needed, query parameters)
type Op = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

#[rustfmt::skip]
const OPS: &[Op] = &[
    ("get", "/health", "system", "Health check: the database answers", "none", &[]),
    ("get", "/api", "system", "Where the API's parts are", "none", &[]),
    ("get", "/api/openapi.json", "system", "This document", "none", &[]),
    ("get", "/", "web", "The web map (the built app of web/dist), or how to build it", "none", &[]),
    ("get", "/api/extent", "web", "What the web map opens with: first and last observed day, today, the default region and its bbox", "viewer", &[]),
    ("get", "/api/session", "web", "Whether reads are public, and the bearer token's label and role (null without a token)", "none", &[]),
    ("get", "/api/basemap/{layer}", "web", "Base map layer as GeoJSON from the bundled Natural Earth data: countries, borders, rivers, lakes or places (.geojson)", "none", &[]),
    ("get", "/api/control", "read", "Control on a date: GeoJSON, one (multi)polygon per actor and status, with area_km2, mean_confidence, cells", "viewer", &["date", "known_on", "region", "actor"]),
    ("get", "/api/area", "read", "Km² and share per actor (and per country with by=country)", "viewer", &["date", "known_on", "region", "by"]),
    ("get", "/api/diff", "read", "Change between two dates: km² gained, lost and net per actor; the polygons with format=geojson", "viewer", &["from", "to", "known_on", "region", "format"]),
    ("get", "/api/whois", "read", "Who holds a point on a date", "viewer", &["date", "known_on", "lat", "lon"]),
    ("get", "/api/explain", "read", "Why: the observations that decided a point, with weights, dates, sources, grading and evidence", "viewer", &["date", "known_on", "lat", "lon"]),
    ("get", "/api/share", "analyses", "Share of an area of interest held per actor (km², %)", "viewer", &["date", "known_on", "region", "aoi"]),
    ("get", "/api/sieges", "analyses", "Enclaves with km², perimeter shares and whether encircled", "viewer", &["date", "known_on", "region", "threshold", "min_km2", "encircled"]),
    ("get", "/api/hotspots", "analyses", "Zones whose events in the window exceed their own baseline (Poisson test)", "viewer", &["date", "window_days", "baseline_windows", "alpha", "res"]),
    ("get", "/api/trend", "analyses", "An actor's events, fatalities, spread and km² per step", "viewer", &["actor", "from", "to", "step", "region"]),
    ("get", "/api/population", "analyses", "People per actor from the deduplicated gazetteer", "viewer", &["date", "known_on", "region"]),
    ("get", "/api/map", "render", "The control map as PNG or SVG for a date, or two dates side by side (date2)", "viewer", &["date", "date2", "known_on", "region", "format", "width"]),
    ("get", "/api/chart", "render", "Chart of km² per actor over time (PNG or SVG)", "viewer", &["from", "to", "step", "region", "format"]),
    ("get", "/api/export/{what}", "export", "Download control (of a date), observations or events as GeoJSON, CSV or GeoPackage", "viewer", &["format", "date", "known_on", "region", "from", "to", "bbox", "actor"]),
    ("get", "/api/actors", "read", "Actors", "viewer", &[]),
    ("get", "/api/areas", "read", "Areas of interest (without geometry)", "viewer", &["kind"]),
    ("post", "/api/areas", "editing", "Add an area of interest (JSON body: code, name, kind, country, source, geometry Polygon/MultiPolygon)", "analyst", &[]),
    ("get", "/api/areas/{code}", "read", "One area of interest as GeoJSON with its history; ETag = version", "viewer", &[]),
    ("put", "/api/areas/{code}", "editing", "Correct an area (If-Match: version, or expected_version in the body); the maps' grids are rebuilt", "analyst", &[]),
    ("post", "/api/areas/{code}/retire", "editing", "Retire an area (a new version; nothing is deleted)", "analyst", &[]),
    ("get", "/api/observations", "read", "Observations as GeoJSON, filtered and paginated", "viewer", &["from", "to", "bbox", "actor", "status", "feature", "known_on", "limit", "offset"]),
    ("post", "/api/observations", "editing", "Add an observation (JSON body: geometry, actor, status, observed, source, grading, ...)", "analyst", &[]),
    ("get", "/api/observations/{key}", "read", "One observation with its history and evidence; ETag = version", "viewer", &[]),
    ("put", "/api/observations/{key}", "editing", "Correct an observation (If-Match: version, or expected_version in the body); 412/409 when stale", "analyst", &[]),
    ("post", "/api/observations/{key}/retire", "editing", "Retire an observation (a new version; nothing is deleted)", "analyst", &[]),
    ("post", "/api/observations/{key}/evidence", "editing", "Attach an evidence file (raw body: PNG, JPEG, PDF, TIFF or WebP, at most 10 MiB)", "analyst", &["name"]),
    ("get", "/api/observations/{key}/evidence", "read", "Evidence files attached to an observation", "viewer", &[]),
    ("get", "/api/evidence/{sha256}", "read", "An evidence file by its SHA-256", "viewer", &[]),
    ("get", "/api/events", "read", "Events as GeoJSON, filtered by date range, bbox, actor, type and dataset, paginated", "viewer", &["from", "to", "bbox", "actor", "type", "dataset", "duplicates", "limit", "offset"]),
    ("get", "/tiles/{z}/{x}/{y}.mvt", "tiles", "Mapbox Vector Tile with layers control (polygons) and events (points in the window ending on the date)", "viewer", &["date", "known_on", "region", "layers", "window_days"]),
    ("get", "/ogc", "ogc", "OGC API – Features landing page", "viewer", &["f"]),
    ("get", "/ogc/conformance", "ogc", "OGC API – Features conformance classes", "viewer", &["f"]),
    ("get", "/ogc/collections", "ogc", "Collections: control, observations, events", "viewer", &["f"]),
    ("get", "/ogc/collections/{collectionId}", "ogc", "One collection", "viewer", &["f"]),
    ("get", "/ogc/collections/{collectionId}/items", "ogc", "Items as GeoJSON with next/prev links (datetime picks the control map's date)", "viewer", &["bbox", "datetime", "limit", "offset", "f"]),
    ("get", "/ogc/collections/{collectionId}/items/{featureId}", "ogc", "One item", "viewer", &["datetime", "f"]),
    ("get", "/api/audit", "admin", "Audit log of writes, newest first", "admin", &["kind", "key", "who", "limit", "offset"]),
    ("get", "/api/tokens", "admin", "API tokens (without secrets)", "admin", &[]),
];

/// Items per page when a request names no `limit`, and the most it may name.
pub const DEFAULT_PAGE: usize = 100;
pub const MAX_PAGE: usize = 10_000;

fn param(name: &str, location: &str) -> Value {
    let (schema, desc) = match name {
        "date" | "from" | "to" | "d1" | "d2" => {
            (json!({"type": "string", "format": "date"}), "YYYY-MM-DD")
        }
        "known_on" => (
            json!({"type": "string", "format": "date"}),
            "Only what had been recorded by this day (reproduces a published map)",
        ),
        "bbox" => (
            json!({"type": "string"}),
            "min_lon,min_lat,max_lon,max_lat (WGS84)",
        ),
        "datetime" => (
            json!({"type": "string"}),
            "RFC 3339 date or interval (a/b, ../b, a/..)",
        ),
        // GDAL and QGIS page OGC items by the declared maximum: without one, GDAL asks for 10
        // at a time.
        "limit" => (
            json!({"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE}),
            "Items per page",
        ),
        "window_days" => (
            json!({"type": "integer", "minimum": 1, "maximum": 366, "default": 30}),
            "Days of events up to the date",
        ),
        "offset" | "z" | "x" | "y" => (json!({"type": "integer", "minimum": 0}), ""),
        "lat" => (
            json!({"type": "number", "minimum": -90, "maximum": 90}),
            "Latitude (WGS84)",
        ),
        "lon" => (
            json!({"type": "number", "minimum": -180, "maximum": 180}),
            "Longitude (WGS84)",
        ),
        _ => (json!({"type": "string"}), ""),
    };
    json!({"name": name, "in": location, "required": location == "path", "schema": schema, "description": desc})
}

/// The document, as JSON text.
pub fn document() -> String {
    let mut paths = Map::new();
    for (method, path, tag, summary, role, query) in OPS {
        let mut params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|p| param(p, "path"))
            .collect();
        params.extend(query.iter().map(|q| param(q, "query")));
        let mut op = json!({
            "tags": [tag],
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK"},
                "4XX": {"description": "The request is wrong; the body says what", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "5XX": {"description": "Server error (details only in the server log)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        });
        if *role != "none" {
            op["security"] = json!([{"bearer": []}]);
            op["description"] = json!(format!(
                "Needs a token with the {role} role{}.",
                if *role == "viewer" {
                    " (or none when the server runs with --public)"
                } else {
                    ""
                }
            ));
        }
        if *method == "post" || *method == "put" {
            op["responses"]["201"] = json!({"description": "Created"});
        }
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    let doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Frontline API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Control of territory, events and analyses; OGC API – Features under /ogc; vector tiles under /tiles.",
            "license": {"name": "Apache-2.0"},
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"type": "object", "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                }}},
            }},
        },
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value always serialises")
}

/// Every (method, path) the document describes, for the test that checks it against the
/// router.
pub fn operations() -> impl Iterator<Item = (&'static str, &'static str)> {
    OPS.iter().map(|op| (op.0, op.1))
}
