//! Encoding the model types to stored rows and back, the same for every backend: a row is its
//! key, the SHA-256 of its content, the query columns kept beside the payload, and the payload
//! (JSON). Recording times are fixed-width UTC text so that text order is time order.

use chrono::{DateTime, Utc};
use frontline_core::{Actor, AoiKind, AreaOfInterest, EventKey, Observation, Place};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{NewEvent, StoreError, StoredArea, StoredObservation};

/// Recording times are stored as fixed-width UTC text so that text order is time order.
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";
/// Later than any recording time: "as known now".
pub(crate) const END_OF_TIME: &str = "9999-12-31T23:59:59.999999Z";

pub(crate) fn format_time(t: DateTime<Utc>) -> String {
    t.format(TIME_FORMAT).to_string()
}

pub(crate) fn parse_time(
    table: &'static str,
    key: &str,
    s: &str,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Decode {
            table,
            key: key.to_owned(),
            source: Box::new(e),
        })
}

/// A query column's value, independent of the backend's own value type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Text(String),
    Real(f64),
}

/// A row to write: its key, content hash, query columns and payload.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub key: String,
    pub hash: String,
    pub extra: Vec<Cell>,
    pub payload: String,
}

/// One stored version of a record, as read back.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub version: u32,
    pub recorded_at: String,
    pub retired: bool,
    pub payload: String,
}

pub(crate) fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    hex::encode(h.finalize())
}

pub(crate) fn encode<T: Serialize>(what: &'static str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode(what, e))
}

pub(crate) fn decode<T: for<'de> Deserialize<'de>>(
    table: &'static str,
    key: &str,
    payload: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(payload).map_err(|e| StoreError::Decode {
        table,
        key: key.to_owned(),
        source: Box::new(e),
    })
}

pub(crate) fn actor_row(actor: &Actor) -> Result<Row, StoreError> {
    let payload = encode("actor", actor)?;
    Ok(Row {
        key: actor.id.to_string(),
        hash: sha256_hex(&[&payload]),
        extra: vec![],
        payload,
    })
}

/// Observations are stored with `recorded_at` zeroed in the payload (the column holds it), so
/// that the content hash does not depend on when a row was recorded.
pub(crate) fn observation_row(obs: &Observation) -> Result<Row, StoreError> {
    let mut content = obs.clone();
    content.recorded_at = DateTime::<Utc>::UNIX_EPOCH;
    let payload = encode("observation", &content)?;
    Ok(Row {
        key: obs.key.to_string(),
        hash: sha256_hex(&[&payload]),
        extra: vec![
            Cell::Text(obs.actor.to_string()),
            Cell::Text(obs.observed.first_day().to_string()),
            Cell::Text(obs.observed.last_day().to_string()),
        ],
        payload,
    })
}

pub(crate) fn place_row(place: &Place) -> Result<Row, StoreError> {
    let payload = encode("place", place)?;
    Ok(Row {
        key: place.id.to_string(),
        hash: sha256_hex(&[&payload]),
        extra: vec![
            Cell::Text(place.name.clone()),
            Cell::Text(place.country.clone()),
        ],
        payload,
    })
}

/// The stored form of an area of interest (the model type keeps its geometry private).
#[derive(Serialize, Deserialize)]
struct AreaPayload {
    code: String,
    name: String,
    kind: AoiKind,
    country: Option<String>,
    source: String,
    geometry: geojson::Geometry,
}

pub(crate) fn area_row(area: &AreaOfInterest) -> Result<Row, StoreError> {
    let p = AreaPayload {
        code: area.code.clone(),
        name: area.name.clone(),
        kind: area.kind,
        country: area.country.clone(),
        source: area.source.clone(),
        geometry: geojson::Geometry::new(geojson::GeometryValue::from(area.geometry())),
    };
    let payload = encode("area", &p)?;
    Ok(Row {
        key: area.code.clone(),
        hash: sha256_hex(&[&payload]),
        extra: vec![
            Cell::Text(area.name.clone()),
            Cell::Text(area.kind.as_str().to_owned()),
        ],
        payload,
    })
}

pub(crate) fn decode_area(key: &str, payload: &str) -> Result<AreaOfInterest, StoreError> {
    let p: AreaPayload = decode("areas", key, payload)?;
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| StoreError::Decode {
        table: "areas",
        key: key.to_owned(),
        source: e,
    };
    let geometry: geo::Geometry<f64> = p.geometry.try_into().map_err(|e| bad(Box::new(e)))?;
    let mp = match geometry {
        geo::Geometry::MultiPolygon(mp) => mp,
        geo::Geometry::Polygon(p) => geo::MultiPolygon(vec![p]),
        _ => return Err(bad("area geometry is not a polygon".into())),
    };
    AreaOfInterest::new(&p.code, &p.name, p.kind, p.country, mp, &p.source)
        .map_err(|e| bad(Box::new(e)))
}

/// The key of an event in the `events` table.
pub fn event_key_text(key: &EventKey) -> String {
    format!("{}/{}", key.dataset, key.id)
}

/// The inverse of [`event_key_text`].
pub(crate) fn parse_event_key(text: &str) -> Option<EventKey> {
    text.split_once('/').map(|(dataset, id)| EventKey {
        dataset: dataset.to_owned(),
        id: id.to_owned(),
    })
}

pub(crate) fn event_row(new: &NewEvent) -> Result<Row, StoreError> {
    let e = &new.event;
    let payload = encode("event", e)?;
    let dup = new.duplicate_of.as_ref().map(event_key_text);
    let mut actors: Vec<&str> = e
        .side_a
        .iter()
        .chain(&e.side_b)
        .filter_map(|p| p.actor.as_ref().map(|a| a.as_str()))
        .collect();
    actors.sort_unstable();
    actors.dedup();
    let actors = if actors.is_empty() {
        String::new()
    } else {
        format!(",{},", actors.join(","))
    };
    Ok(Row {
        key: event_key_text(&e.key),
        hash: sha256_hex(&[&payload, dup.as_deref().unwrap_or("")]),
        extra: vec![
            Cell::Text(e.key.dataset.clone()),
            Cell::Text(e.key.id.clone()),
            Cell::Text(e.date.first_day().to_string()),
            Cell::Text(e.date.last_day().to_string()),
            Cell::Real(e.location.lat()),
            Cell::Real(e.location.lon()),
            Cell::Text(e.event_type.as_str().to_owned()),
            Cell::Text(actors),
            dup.map_or(Cell::Null, Cell::Text),
        ],
        payload,
    })
}

pub(crate) fn observation_of(key: &str, v: &Version) -> Result<StoredObservation, StoreError> {
    let mut observation: Observation = decode("observations", key, &v.payload)?;
    observation.recorded_at = parse_time("observations", key, &v.recorded_at)?;
    Ok(StoredObservation {
        observation,
        version: v.version,
        retired: v.retired,
    })
}

pub(crate) fn area_of(key: &str, v: &Version) -> Result<StoredArea, StoreError> {
    Ok(StoredArea {
        area: decode_area(key, &v.payload)?,
        version: v.version,
        recorded_at: parse_time("areas", key, &v.recorded_at)?,
        retired: v.retired,
    })
}
