//! Events (battles, air strikes, ...) as GeoJSON, filtered by date range, bounding box, actor,
//! type and dataset, paginated. Rows another compilation already reports are left out unless
//! `duplicates=true`, and are then shown with `duplicate_of`.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use frontline_core::EventType;
use frontline_store::{event_key_text, EventFilter, StoredEvent};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

use super::control::GEOJSON;
use super::observations::page_links;
use super::params;
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::openapi::{DEFAULT_PAGE, MAX_PAGE};
use crate::server::state::AppState;

/// An event as GeoJSON: a point, id `dataset/id`.
pub fn feature(s: &StoredEvent) -> Value {
    let e = &s.event;
    let names = |side: &[frontline_core::EventParty]| {
        side.iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let actors = |side: &[frontline_core::EventParty]| {
        side.iter()
            .filter_map(|p| p.actor.as_ref().map(|a| a.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    };
    json!({
        "type": "Feature",
        "id": event_key_text(&e.key),
        "geometry": {"type": "Point", "coordinates": [e.location.lon(), e.location.lat()]},
        "properties": {
            "key": event_key_text(&e.key),
            "dataset": e.key.dataset,
            "date": e.date.to_string(),
            "date_first": e.date.first_day().to_string(),
            "date_last": e.date.last_day().to_string(),
            "precision": e.date.precision().as_str(),
            "type": e.event_type.as_str(),
            "place": e.place,
            "country": e.country,
            "location_precision": e.location_precision,
            "side_a": names(&e.side_a),
            "side_b": names(&e.side_b),
            "actors_a": actors(&e.side_a),
            "actors_b": actors(&e.side_b),
            "fatalities_best": e.fatalities.map(|f| f.best()),
            "fatalities_low": e.fatalities.map(|f| f.low()),
            "fatalities_high": e.fatalities.map(|f| f.high()),
            "count": e.count,
            "source": e.source.citation,
            "source_url": e.source.url,
            "version": s.version,
            "duplicate_of": s.duplicate_of.as_ref().map(event_key_text),
        },
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    from: Option<String>,
    to: Option<String>,
    bbox: Option<String>,
    actor: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    dataset: Option<String>,
    duplicates: Option<bool>,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// `GET /api/events?from=&to=&bbox=&actor=&type=&dataset=&duplicates=&limit=&offset=`.
pub async fn list(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    uri: axum::http::Uri,
    Query(q): Query<EventsQuery>,
) -> ApiResult<Response> {
    let filter = EventFilter {
        from: params::opt_date(&state, "from", q.from.as_deref())?,
        to: params::opt_date(&state, "to", q.to.as_deref())?,
        bbox: params::bbox(q.bbox.as_deref())?,
        actor: params::actor(&state, q.actor.as_deref()).await?,
        event_type: q
            .event_type
            .as_deref()
            .map(str::parse::<EventType>)
            .transpose()?,
        dataset: q.dataset,
        include_duplicates: q.duplicates.unwrap_or(false),
    };
    if let (Some(f), Some(t)) = (filter.from, filter.to) {
        if f > t {
            return Err(ApiError::unprocessable(format!("from {f} is after to {t}")));
        }
    }
    let (limit, offset) = params::page(q.limit, q.offset, DEFAULT_PAGE, MAX_PAGE)?;
    let (page, matched) = events_page(&state, filter, limit, offset).await?;
    let body = json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": page.len(),
        "links": page_links("", &uri, matched, limit, offset, GEOJSON),
        "features": page,
    });
    Ok(([(header::CONTENT_TYPE, GEOJSON)], Json(body)).into_response())
}

/// One page of events as GeoJSON features, and how many match in all.
pub async fn events_page(
    state: &Arc<AppState>,
    filter: EventFilter,
    limit: usize,
    offset: usize,
) -> ApiResult<(Vec<Value>, usize)> {
    state
        .db
        .run(move |db| -> ApiResult<_> {
            let all = db.store.stored_events(&filter)?;
            let page = all.iter().skip(offset).take(limit).map(feature).collect();
            Ok((page, all.len()))
        })
        .await?
}
