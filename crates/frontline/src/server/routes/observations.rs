//! Observations: listing and reading (GeoJSON), and the analyst's edits — add, correct,
//! retire — each version-checked, audited, and invalidating the cached maps. Nothing is
//! deleted: a correction is a new version, a retirement is a new version marked retired.

use crate::server::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, Utc};
use frontline_core::{
    ActorId, ControlStatus, Evidence, FeatureType, Footprint, Grading, Observation, ObservationKey,
    ObservedDate, Source,
};
use frontline_store::StoredObservation;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::control::GEOJSON;
use super::editing::{editor, etag, expected_version, stale, Retirement};
use super::params;
use crate::server::auth::{Analyst, Caller, Reader};
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::{Json as JsonBody, Query};
use crate::server::openapi::{DEFAULT_PAGE, MAX_PAGE};
use crate::server::state::{AppState, Db};

/// An observation as GeoJSON: the footprint as geometry, every field and the version as
/// properties, the key as id.
pub fn feature(s: &StoredObservation) -> Value {
    let o = &s.observation;
    json!({
        "type": "Feature",
        "id": o.key.as_str(),
        "geometry": o.footprint,
        "properties": properties(s),
    })
}

pub fn properties(s: &StoredObservation) -> Value {
    let o = &s.observation;
    json!({
        "key": o.key.as_str(),
        "version": s.version,
        "retired": s.retired,
        "label": o.label,
        "feature": o.feature.as_str(),
        "actor": o.actor.as_str(),
        "actor2": o.actor2.as_ref().map(|a| a.as_str()),
        "status": o.status.as_str(),
        "observed": o.observed.to_string(),
        "observed_first": o.observed.first_day().to_string(),
        "observed_last": o.observed.last_day().to_string(),
        "precision": o.observed.precision().as_str(),
        "source": o.source.citation,
        "source_url": o.source.url,
        "evidence": serde_json::to_string(&o.evidence).unwrap_or_default(),
        "grading": o.grading.map(|g| g.to_string()),
        "analyst": o.analyst,
        "note": o.note,
        "recorded_at": o.recorded_at.to_rfc3339(),
    })
}

/// Filters shared by the observations list and the OGC collection.
#[derive(Debug, Default, Clone)]
pub struct ObservationFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub bbox: Option<[f64; 4]>,
    pub actor: Option<ActorId>,
    pub status: Option<ControlStatus>,
    pub feature: Option<FeatureType>,
}

impl ObservationFilter {
    pub fn matches(&self, o: &Observation) -> bool {
        let first = o.observed.first_day();
        let last = o.observed.last_day();
        if self.from.is_some_and(|f| last < f) || self.to.is_some_and(|t| first > t) {
            return false;
        }
        if let Some(a) = &self.actor {
            if o.actor != *a && o.actor2.as_ref() != Some(a) {
                return false;
            }
        }
        if self.status.is_some_and(|s| s != o.status)
            || self.feature.is_some_and(|f| f != o.feature)
        {
            return false;
        }
        if let Some([x0, y0, x1, y1]) = self.bbox {
            use geo::BoundingRect;
            let (min, max) = match &o.footprint {
                Footprint::Point(p) => ((p.lon(), p.lat()), (p.lon(), p.lat())),
                Footprint::Area(mp) => match mp.bounding_rect() {
                    Some(r) => ((r.min().x, r.min().y), (r.max().x, r.max().y)),
                    None => return false,
                },
            };
            if max.0 < x0 || min.0 > x1 || max.1 < y0 || min.1 > y1 {
                return false;
            }
        }
        true
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    from: Option<String>,
    to: Option<String>,
    bbox: Option<String>,
    actor: Option<String>,
    status: Option<String>,
    feature: Option<String>,
    known_on: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /api/observations?from=&to=&bbox=&actor=&status=&feature=&known_on=&limit=&offset=`:
/// current observations (as known on `known_on`) as a GeoJSON FeatureCollection page, with
/// `numberMatched`, `numberReturned` and `next`/`prev` links.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    uri: axum::http::Uri,
    Query(q): Query<ListQuery>,
) -> ApiResult<Response> {
    let filter = ObservationFilter {
        from: params::opt_date(&state, "from", q.from.as_deref())?,
        to: params::opt_date(&state, "to", q.to.as_deref())?,
        bbox: params::bbox(q.bbox.as_deref())?,
        actor: params::actor(&state, q.actor.as_deref()).await?,
        status: q.status.as_deref().map(str::parse).transpose()?,
        feature: q.feature.as_deref().map(str::parse).transpose()?,
    };
    let (limit, offset) = params::page(q.limit, q.offset, DEFAULT_PAGE, MAX_PAGE)?;
    let known_on = params::known_on(q.known_on.as_deref())?;
    let known = state.app(move |e| e.known(known_on)).await?;
    let matched: Vec<&StoredObservation> = known
        .stored
        .iter()
        .filter(|s| filter.matches(&s.observation))
        .collect();
    let page: Vec<Value> = matched
        .iter()
        .skip(offset)
        .take(limit)
        .map(|s| feature(s))
        .collect();
    let body = json!({
        "type": "FeatureCollection",
        "numberMatched": matched.len(),
        "numberReturned": page.len(),
        "links": page_links("", &uri, matched.len(), limit, offset, GEOJSON),
        "features": page,
    });
    Ok(([(header::CONTENT_TYPE, GEOJSON)], Json(body)).into_response())
}

/// `next`/`prev`/`self` links for a page, keeping the request's other parameters.
pub fn page_links(
    origin: &str,
    uri: &axum::http::Uri,
    matched: usize,
    limit: usize,
    offset: usize,
    media: &str,
) -> Vec<Value> {
    let base: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url_pairs(q)
                .filter(|(k, _)| k != "offset" && k != "limit")
                .collect()
        })
        .unwrap_or_default();
    let href = |off: usize| {
        let mut pairs = base.clone();
        pairs.push(("limit".into(), limit.to_string()));
        pairs.push(("offset".into(), off.to_string()));
        let qs: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{origin}{}?{}", uri.path(), qs.join("&"))
    };
    let mut links = vec![json!({"rel": "self", "type": media, "href": href(offset)})];
    if offset + limit < matched {
        links.push(json!({"rel": "next", "type": media, "href": href(offset + limit)}));
    }
    if offset > 0 {
        links.push(
            json!({"rel": "prev", "type": media, "href": href(offset.saturating_sub(limit))}),
        );
    }
    links
}

/// Split and percent-decode a query string.
pub fn url_pairs(q: &str) -> impl Iterator<Item = (String, String)> + '_ {
    q.split('&').filter(|p| !p.is_empty()).map(|p| {
        let (k, v) = p.split_once('=').unwrap_or((p, ""));
        (decode(k), decode(v))
    })
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /api/observations/{key}`: the current version as GeoJSON, with every version in
/// `history` and the evidence files; `ETag` is the current version (send it back as
/// `If-Match` to correct or retire).
pub async fn get_one(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Path(key): Path<String>,
) -> ApiResult<Response> {
    let k = ObservationKey::new(&key)?;
    let (history, files) = state
        .db
        .run(move |db| -> ApiResult<_> {
            let h = db.store.observation_history(&k)?;
            let f = db.store.attachments(k.as_str())?;
            Ok((h, f))
        })
        .await??;
    let current = history
        .last()
        .ok_or_else(|| ApiError::not_found(format!("no observation {key}")))?;
    let mut f = feature(current);
    f["history"] = history.iter().map(properties).collect();
    f["evidence_files"] = json!(files);
    let mut res = ([(header::CONTENT_TYPE, GEOJSON)], Json(f)).into_response();
    res.headers_mut()
        .insert(header::ETAG, etag(current.version));
    Ok(res)
}

/// What an analyst sends to add or correct an observation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationInput {
    /// Only on create; a key is made up when absent.
    key: Option<String>,
    label: Option<String>,
    /// GeoJSON Point, Polygon or MultiPolygon (lon/lat).
    geometry: Footprint,
    feature: Option<FeatureType>,
    actor: ActorId,
    actor2: Option<ActorId>,
    status: Option<ControlStatus>,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    observed: String,
    source: String,
    source_url: Option<String>,
    #[serde(default)]
    evidence: Vec<Evidence>,
    grading: Option<Grading>,
    note: Option<String>,
    /// The version being corrected (alternative to `If-Match`).
    expected_version: Option<u32>,
}

impl ObservationInput {
    /// The observation this body describes, validated as the API does on create and correct
    /// (public for the fuzz target that feeds it arbitrary bodies).
    pub fn into_observation(
        self,
        key: ObservationKey,
        caller: &Caller,
        today: NaiveDate,
    ) -> ApiResult<Observation> {
        let observed = ObservedDate::parse(&self.observed)
            .map_err(|e| ApiError::unprocessable(format!("observed: {e}")))?
            .not_after(today)
            .map_err(|e| ApiError::unprocessable(format!("observed: {e}")))?;
        if self.source.trim().is_empty() {
            return Err(ApiError::unprocessable(
                "source must not be empty: cite where the claim comes from",
            ));
        }
        let feature = self.feature.unwrap_or(match self.geometry {
            Footprint::Area(_) => FeatureType::Area,
            Footprint::Point(_) => FeatureType::Town,
        });
        // An analyst's polygon is repaired as the importers repair outlines.
        let footprint = match self.geometry {
            Footprint::Area(mp) => Footprint::Area(crate::app::request::outline("geometry", mp)?),
            point => point,
        };
        let o = Observation {
            key,
            label: self.label.filter(|l| !l.trim().is_empty()),
            footprint,
            feature,
            actor: self.actor,
            actor2: self.actor2,
            status: self.status.unwrap_or(ControlStatus::Held),
            observed,
            source: Source {
                citation: self.source.trim().to_owned(),
                url: self.source_url.filter(|u| !u.trim().is_empty()),
            },
            evidence: self.evidence,
            grading: self.grading,
            analyst: Some(caller.who.clone()),
            note: self.note.filter(|n| !n.trim().is_empty()),
            recorded_at: Utc::now(),
        };
        o.validate()?;
        Ok(o)
    }
}

/// Unknown actors are refused: an observation must name an actor the store knows.
fn check_actors(db: &Db, o: &Observation) -> ApiResult<()> {
    let known = db.store.actors()?;
    for a in std::iter::once(&o.actor).chain(o.actor2.as_ref()) {
        if !known.iter().any(|k| k.id == *a) {
            let ids: Vec<&str> = known.iter().map(|k| k.id.as_str()).collect();
            return Err(ApiError::unprocessable(format!(
                "unknown actor {:?}; known actors: {}",
                a.as_str(),
                ids.join(", ")
            )));
        }
    }
    Ok(())
}

fn written(status: StatusCode, s: &StoredObservation) -> Response {
    let mut res = (status, [(header::CONTENT_TYPE, GEOJSON)], Json(feature(s))).into_response();
    res.headers_mut().insert(header::ETAG, etag(s.version));
    if let Ok(loc) = HeaderValue::from_str(&format!(
        "/api/observations/{}",
        encode(s.observation.key.as_str())
    )) {
        res.headers_mut().insert(header::LOCATION, loc);
    }
    res
}

/// `POST /api/observations` (analyst): add an observation; 201 with it as GeoJSON.
pub async fn create(
    State(state): State<Arc<AppState>>,
    Analyst(caller): Analyst,
    JsonBody(input): JsonBody<ObservationInput>,
) -> ApiResult<Response> {
    if input.expected_version.is_some() {
        return Err(ApiError::unprocessable(
            "expected_version is for corrections (PUT), not for a new observation",
        ));
    }
    let key = match &input.key {
        Some(k) => ObservationKey::new(k)?,
        None => ObservationKey::hashed(
            "api",
            &[
                &caller.who,
                &Utc::now().to_rfc3339(),
                &input.observed,
                input.actor.as_str(),
                &rand_suffix(),
            ],
        ),
    };
    let o = input.into_observation(key, &caller, state.today())?;
    let stored = state
        .db
        .run(move |db| -> ApiResult<StoredObservation> {
            check_actors(db, &o)?;
            Ok(db.store.add_observation(&o, &editor(&caller))?)
        })
        .await??;
    state.bump_generation();
    Ok(written(StatusCode::CREATED, &stored))
}

fn rand_suffix() -> String {
    use rand::Rng;
    format!("{:016x}", rand::rng().random::<u64>())
}

/// `PUT /api/observations/{key}` (analyst): correct an observation. The body is the whole
/// corrected observation; the edit is refused if someone else changed it first.
pub async fn correct(
    State(state): State<Arc<AppState>>,
    Analyst(caller): Analyst,
    Path(key): Path<String>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<ObservationInput>,
) -> ApiResult<Response> {
    let (expected, via_header) = expected_version(&headers, input.expected_version)?;
    let k = ObservationKey::new(&key)?;
    if input.key.as_deref().is_some_and(|b| b != k.as_str()) {
        return Err(ApiError::unprocessable(
            "the key in the body differs from the key in the path",
        ));
    }
    let o = input.into_observation(k, &caller, state.today())?;
    let stored = state
        .db
        .run(move |db| -> ApiResult<StoredObservation> {
            db.require_observation(o.key.as_str())?;
            check_actors(db, &o)?;
            db.store
                .supersede_observation(expected, &o, &editor(&caller))
                .map_err(|e| stale(e.into(), via_header))
        })
        .await??;
    state.bump_generation();
    Ok(written(StatusCode::OK, &stored))
}

/// `POST /api/observations/{key}/retire` (analyst): retire an observation (a new version
/// marked retired; the old versions stay).
pub async fn retire(
    State(state): State<Arc<AppState>>,
    Analyst(caller): Analyst,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Json<Value>> {
    let r = Retirement::parse(&headers, &body)?;
    let k = ObservationKey::new(&key)?;
    let version = state
        .db
        .run(move |db| -> ApiResult<u32> {
            db.require_observation(k.as_str())?;
            db.store
                .retire_observation(&k, r.expected, &editor(&caller), r.reason.as_deref())
                .map_err(|e| r.stale(e.into()))
        })
        .await??;
    state.bump_generation();
    Ok(Json(
        json!({"key": key, "version": version, "retired": true}),
    ))
}
