//! OGC API – Features (Part 1: Core, GeoJSON) under `/ogc`, so that QGIS and GDAL can add
//! Frontline as a layer: the landing page, conformance, the collections `control` (the control
//! polygons on a date), `observations` and `events`, their items with `bbox`, `datetime`,
//! `limit` and `offset` and `next`/`prev` links, and single items.
//!
//! `datetime` on `control` picks the map's date (an instant, or the end of an interval); left
//! out, it is the latest day any observation speaks for. On `observations` and `events` it
//! filters by the observed or event date.

use crate::server::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use frontline_core::Footprint;
use frontline_store::{event_key_text, EventFilter};
use geo::BoundingRect;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::control::GEOJSON;
use super::observations::{self, ObservationFilter};
use super::{events, params};
use crate::app::product::MapProduct;
use crate::app::{KnownOn, MapRequest};
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::openapi::{DEFAULT_PAGE, MAX_PAGE};
use crate::server::state::AppState;

const JSON: &str = "application/json";
const COLLECTIONS: [(&str, &str, &str); 3] = [
    ("control", "Control of territory", "Who controls each part of the region on a date: one (multi)polygon per actor and status, with area_km2 and mean_confidence. Choose the date with datetime."),
    ("observations", "Control observations", "Dated, sourced and graded claims that an actor holds, contests or besieges a place or an area."),
    ("events", "Conflict events", "Battles, air strikes and other events from UCDP, ACLED and the air-strike compilations."),
];

/// Query parameters the OGC endpoints accept (`f` is accepted for clients that send it).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct OgcQuery {
    f: Option<String>,
    bbox: Option<String>,
    #[serde(rename = "bbox-crs")]
    bbox_crs: Option<String>,
    datetime: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

impl OgcQuery {
    fn check_format(&self) -> ApiResult<()> {
        match self.f.as_deref() {
            None | Some("json" | "geojson" | "application/json" | "application/geo+json") => Ok(()),
            Some(other) => Err(ApiError::new(
                axum::http::StatusCode::NOT_ACCEPTABLE,
                "not_acceptable",
                format!("format {other:?} is not offered; use f=json"),
            )),
        }
    }
}

/// `http://host` as the client reached us, for absolute links.
fn base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        })
        .unwrap_or("localhost");
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https")
        .unwrap_or("http");
    format!("{proto}://{host}")
}

fn link(href: String, rel: &str, media: &str, title: &str) -> Value {
    json!({"href": href, "rel": rel, "type": media, "title": title})
}

/// `GET /ogc`: the landing page.
pub async fn landing(
    headers: HeaderMap,
    Reader(_): Reader,
    Query(q): Query<OgcQuery>,
) -> ApiResult<Json<Value>> {
    q.check_format()?;
    let b = base(&headers);
    Ok(Json(json!({
        "title": "Frontline",
        "description": "Control of territory, observations and conflict events (OGC API – Features).",
        "links": [
            link(format!("{b}/ogc"), "self", JSON, "This document"),
            link(format!("{b}/api/openapi.json"), "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition"),
            link(format!("{b}/ogc/conformance"), "conformance", JSON, "Conformance classes"),
            link(format!("{b}/ogc/collections"), "data", JSON, "Collections"),
        ],
    })))
}

/// `GET /ogc/conformance`.
pub async fn conformance(Reader(_): Reader, Query(q): Query<OgcQuery>) -> ApiResult<Json<Value>> {
    q.check_format()?;
    Ok(Json(json!({"conformsTo": [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ]})))
}

/// Spatial and temporal extent of the data: the observations' bounding box and date range.
async fn extent(state: &Arc<AppState>) -> ApiResult<Value> {
    let known = state.app(|e| e.known(KnownOn::NOW)).await?;
    let mut bb: Option<[f64; 4]> = None;
    let (mut first, mut last): (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
    for s in &known.stored {
        let o = &s.observation;
        let r = match &o.footprint {
            Footprint::Point(p) => [p.lon(), p.lat(), p.lon(), p.lat()],
            Footprint::Area(mp) => match mp.bounding_rect() {
                Some(r) => [r.min().x, r.min().y, r.max().x, r.max().y],
                None => continue,
            },
        };
        bb = Some(match bb {
            None => r,
            Some(b) => [
                b[0].min(r[0]),
                b[1].min(r[1]),
                b[2].max(r[2]),
                b[3].max(r[3]),
            ],
        });
        first = first
            .min(Some(o.observed.first_day()))
            .or(Some(o.observed.first_day()));
        last = last.max(Some(o.observed.last_day()));
    }
    let bb = bb.unwrap_or([-180.0, -90.0, 180.0, 90.0]);
    let t = |d: Option<NaiveDate>| d.map(|d| format!("{d}T00:00:00Z"));
    Ok(json!({
        "spatial": {"bbox": [bb], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "temporal": {"interval": [[t(first), t(last)]], "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
    }))
}

fn collection(b: &str, id: &str, title: &str, description: &str, extent: &Value) -> Value {
    json!({
        "id": id,
        "title": title,
        "description": description,
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": extent,
        "links": [
            link(format!("{b}/ogc/collections/{id}"), "self", JSON, title),
            link(format!("{b}/ogc/collections/{id}/items"), "items", GEOJSON, "Items"),
        ],
    })
}

/// `GET /ogc/collections`.
pub async fn collections(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Reader(_): Reader,
    Query(q): Query<OgcQuery>,
) -> ApiResult<Json<Value>> {
    q.check_format()?;
    let b = base(&headers);
    let ext = extent(&state).await?;
    let list: Vec<Value> = COLLECTIONS
        .iter()
        .map(|(id, t, d)| collection(&b, id, t, d, &ext))
        .collect();
    Ok(Json(json!({
        "links": [link(format!("{b}/ogc/collections"), "self", JSON, "Collections")],
        "collections": list,
    })))
}

fn find(id: &str) -> ApiResult<&'static (&'static str, &'static str, &'static str)> {
    COLLECTIONS.iter().find(|c| c.0 == id).ok_or_else(|| {
        ApiError::not_found(format!(
            "no collection {id:?}; there are control, observations and events"
        ))
    })
}

/// `GET /ogc/collections/{id}`.
pub async fn collection_one(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Reader(_): Reader,
    Path(id): Path<String>,
    Query(q): Query<OgcQuery>,
) -> ApiResult<Json<Value>> {
    q.check_format()?;
    let (id, t, d) = find(&id)?;
    let ext = extent(&state).await?;
    Ok(Json(collection(&base(&headers), id, t, d, &ext)))
}

/// An RFC 3339 instant or interval (`a/b`, `../b`, `a/..`) as days.
fn datetime(
    state: &AppState,
    s: Option<&str>,
) -> ApiResult<(Option<NaiveDate>, Option<NaiveDate>)> {
    let Some(s) = s else { return Ok((None, None)) };
    let day = |p: &str| -> ApiResult<Option<NaiveDate>> {
        let p = p.trim();
        if p.is_empty() || p == ".." {
            return Ok(None);
        }
        let d = p.get(..10).unwrap_or(p);
        params::date(state, "datetime", d).map(Some)
    };
    match s.split_once('/') {
        Some((a, b)) => Ok((day(a)?, day(b)?)),
        None => {
            let d = day(s)?;
            Ok((d, d))
        }
    }
}

/// The default date of the control collection: the last day any observation speaks for
/// (never after today).
async fn default_date(state: &Arc<AppState>) -> ApiResult<NaiveDate> {
    let known = state.app(|e| e.known(KnownOn::NOW)).await?;
    let today = state.today();
    Ok(known
        .stored
        .iter()
        .map(|s| s.observation.observed.last_day())
        .max()
        .map_or(today, |d| d.min(today)))
}

/// The control map an OGC request names: its `datetime` (an interval's end), else the default.
async fn control_map(state: &Arc<AppState>, q: &OgcQuery) -> ApiResult<Arc<MapProduct>> {
    let (from, to) = datetime(state, q.datetime.as_deref())?;
    let date = match to.or(from) {
        Some(d) => d,
        None => default_date(state).await?,
    };
    state.app(move |e| e.map(&MapRequest::on(date))).await
}

fn fc(features: Vec<Value>, matched: usize, links: Vec<Value>) -> Response {
    let body = json!({
        "type": "FeatureCollection",
        "timeStamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "numberMatched": matched,
        "numberReturned": features.len(),
        "links": links,
        "features": features,
    });
    ([(header::CONTENT_TYPE, GEOJSON)], Json(body)).into_response()
}

/// `GET /ogc/collections/{id}/items?bbox=&datetime=&limit=&offset=`.
pub async fn items(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Reader(_): Reader,
    Path(id): Path<String>,
    uri: Uri,
    Query(q): Query<OgcQuery>,
) -> ApiResult<Response> {
    q.check_format()?;
    let (id, ..) = find(&id)?;
    if q.bbox_crs.as_deref().is_some_and(|c| !c.ends_with("CRS84")) {
        return Err(ApiError::bad_request("bbox-crs: only CRS84 is offered"));
    }
    let bbox = params::bbox(q.bbox.as_deref())?;
    let (limit, offset) = params::page(q.limit, q.offset, DEFAULT_PAGE, MAX_PAGE)?;
    let b = base(&headers);
    let links_for = |matched: usize| {
        let mut l = observations::page_links(&b, &uri, matched, limit, offset, GEOJSON);
        l.push(link(
            format!("{b}/ogc/collections/{id}"),
            "collection",
            JSON,
            "The collection",
        ));
        l
    };
    match *id {
        "control" => {
            let map = control_map(&state, &q).await?;
            let values = map.feature_values();
            let matching: Vec<usize> = map
                .features
                .iter()
                .enumerate()
                .filter(|(_, f)| {
                    let Some([x0, y0, x1, y1]) = bbox else {
                        return true;
                    };
                    f.geometry.bounding_rect().is_some_and(|r| {
                        r.max().x >= x0 && r.min().x <= x1 && r.max().y >= y0 && r.min().y <= y1
                    })
                })
                .map(|(i, _)| i)
                .collect();
            let page = matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|&i| values[i].clone())
                .collect();
            Ok(fc(page, matching.len(), links_for(matching.len())))
        }
        "observations" => {
            let (from, to) = datetime(&state, q.datetime.as_deref())?;
            let filter = ObservationFilter {
                from,
                to,
                bbox,
                ..Default::default()
            };
            let known = state.app(|e| e.known(KnownOn::NOW)).await?;
            let matching: Vec<_> = known
                .stored
                .iter()
                .filter(|s| filter.matches(&s.observation))
                .collect();
            let page = matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|s| observations::feature(s))
                .collect();
            Ok(fc(page, matching.len(), links_for(matching.len())))
        }
        _ => {
            let (from, to) = datetime(&state, q.datetime.as_deref())?;
            let filter = EventFilter {
                from,
                to,
                bbox,
                ..Default::default()
            };
            let (page, matched) = events::events_page(&state, filter, limit, offset).await?;
            Ok(fc(page, matched, links_for(matched)))
        }
    }
}

/// `GET /ogc/collections/{id}/items/{fid}`.
pub async fn item(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Reader(_): Reader,
    Path((id, fid)): Path<(String, String)>,
    Query(q): Query<OgcQuery>,
) -> ApiResult<Response> {
    q.check_format()?;
    let (id, ..) = find(&id)?;
    let b = base(&headers);
    let missing = || ApiError::not_found(format!("no item {fid:?} in {id}"));
    let mut f = match *id {
        "control" => {
            let map = control_map(&state, &q).await?;
            let i = fid
                .parse::<usize>()
                .ok()
                .filter(|i| (1..=map.features.len()).contains(i))
                .ok_or_else(missing)?;
            map.feature_values()[i - 1].clone()
        }
        "observations" => {
            let known = state.app(|e| e.known(KnownOn::NOW)).await?;
            known
                .stored
                .iter()
                .find(|s| s.observation.key.as_str() == fid)
                .map(observations::feature)
                .ok_or_else(missing)?
        }
        _ => {
            let wanted = fid.clone();
            state
                .db
                .run(move |db| -> ApiResult<Option<Value>> {
                    let all = db.store.stored_events(&EventFilter {
                        include_duplicates: true,
                        ..Default::default()
                    })?;
                    Ok(all
                        .iter()
                        .find(|e| event_key_text(&e.event.key) == wanted)
                        .map(events::feature))
                })
                .await??
                .ok_or_else(missing)?
        }
    };
    f["links"] = json!([
        link(
            format!("{b}/ogc/collections/{id}/items/{}", urlencode(&fid)),
            "self",
            GEOJSON,
            "This feature"
        ),
        link(
            format!("{b}/ogc/collections/{id}"),
            "collection",
            JSON,
            "The collection"
        ),
    ]);
    Ok(([(header::CONTENT_TYPE, GEOJSON)], Json(f)).into_response())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
