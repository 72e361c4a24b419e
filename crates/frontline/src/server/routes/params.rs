//! The query parameters many endpoints share, parsed by the application layer's rules (the
//! CLI's): dates (never in the future), known-on times, regions, points, bounding boxes and
//! pages. [`MapQuery`] is the extractor of endpoints that take nothing but a map's parameters.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::NaiveDate;
use frontline_core::LatLon;
use serde::Deserialize;

use crate::app::request::{parse_date, KnownOn, MapRequest, Region};
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::state::AppState;

/// Parse `YYYY-MM-DD` and refuse days after today.
pub fn date(state: &AppState, name: &'static str, value: &str) -> ApiResult<NaiveDate> {
    let d = parse_date(name, value)?;
    let today = state.today();
    if d > today {
        return Err(ApiError::unprocessable(format!(
            "{name} {d} is in the future (today is {today})"
        )));
    }
    Ok(d)
}

/// A required date parameter.
pub fn required_date(
    state: &AppState,
    name: &'static str,
    value: Option<&str>,
) -> ApiResult<NaiveDate> {
    let v = value.ok_or_else(|| {
        ApiError::bad_request(format!("missing query parameter {name}=YYYY-MM-DD"))
    })?;
    date(state, name, v)
}

pub fn opt_date(
    state: &AppState,
    name: &'static str,
    value: Option<&str>,
) -> ApiResult<Option<NaiveDate>> {
    value.map(|v| date(state, name, v)).transpose()
}

/// `known_on`: `YYYY-MM-DD` (end of that day, UTC) or an RFC 3339 time.
pub fn known_on(value: Option<&str>) -> ApiResult<KnownOn> {
    Ok(value
        .map(|v| KnownOn::parse("known_on", v))
        .transpose()?
        .unwrap_or_default())
}

/// `region`: codes or names of stored areas, comma-separated.
pub fn region(value: Option<&str>) -> ApiResult<Option<Region>> {
    Ok(value.map(|v| Region::parse("region", v)).transpose()?)
}

/// The parameters naming a map.
#[derive(Debug, Default, Deserialize)]
pub struct MapParams {
    pub date: Option<String>,
    pub known_on: Option<String>,
    pub region: Option<String>,
}

impl MapParams {
    /// The map request these parameters name (the date is required).
    pub fn request(&self, state: &AppState) -> ApiResult<MapRequest> {
        self.request_named(state, "date")
    }

    /// The same, with the date parameter called `name` (e.g. `from`).
    pub fn request_named(&self, state: &AppState, name: &'static str) -> ApiResult<MapRequest> {
        Ok(MapRequest {
            date: required_date(state, name, self.date.as_deref())?,
            known_on: known_on(self.known_on.as_deref())?,
            region: region(self.region.as_deref())?,
            resolution: None,
        })
    }
}

/// The extractor of endpoints whose only parameters are `date`, `known_on` and `region`:
/// anything else is refused by name.
pub struct MapQuery(pub MapRequest);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OnlyMapParams {
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
}

impl FromRequestParts<std::sync::Arc<AppState>> for MapQuery {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &std::sync::Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let Query(q) = Query::<OnlyMapParams>::from_request_parts(parts, state).await?;
        let p = MapParams {
            date: q.date,
            known_on: q.known_on,
            region: q.region,
        };
        Ok(Self(p.request(state)?))
    }
}

/// A point from `lat` and `lon`, range-checked.
pub fn point(lat: Option<f64>, lon: Option<f64>) -> ApiResult<LatLon> {
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return Err(ApiError::bad_request(
            "missing query parameters lat and lon",
        ));
    };
    Ok(LatLon::new(lat, lon)?)
}

/// `min_lon,min_lat,max_lon,max_lat` in WGS84.
pub fn bbox(value: Option<&str>) -> ApiResult<Option<[f64; 4]>> {
    let Some(v) = value else { return Ok(None) };
    let nums: Vec<f64> = v
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ApiError::bad_request(format!(
                "bbox must be four numbers min_lon,min_lat,max_lon,max_lat, got {v:?}"
            ))
        })?;
    // OGC allows a 6-number (3D) bbox; the heights are ignored.
    let b = match nums.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        [a, b, _, c, d, _] => [*a, *b, *c, *d],
        _ => {
            return Err(ApiError::bad_request(format!(
                "bbox must have 4 numbers, got {}",
                nums.len()
            )))
        }
    };
    let lon_ok = |x: f64| x.is_finite() && (-180.0..=180.0).contains(&x);
    let lat_ok = |y: f64| y.is_finite() && (-90.0..=90.0).contains(&y);
    if !(lon_ok(b[0]) && lon_ok(b[2]) && lat_ok(b[1]) && lat_ok(b[3])) {
        return Err(ApiError::unprocessable(format!(
            "bbox {v} is outside lon [-180, 180] / lat [-90, 90]"
        )));
    }
    if b[0] > b[2] || b[1] > b[3] {
        return Err(ApiError::unprocessable(format!(
            "bbox {v} has min above max"
        )));
    }
    Ok(Some(b))
}

/// A page: `limit` (1..=max, default `default`) and `offset`.
pub fn page(
    limit: Option<usize>,
    offset: Option<usize>,
    default: usize,
    max: usize,
) -> ApiResult<(usize, usize)> {
    let limit = limit.unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {max}"
        )));
    }
    Ok((limit, offset.unwrap_or(0)))
}

/// Refuse an actor id that names no stored actor, listing the known ones (reads of an unknown
/// actor would otherwise answer an empty, misleading 200).
pub async fn known_actor(
    state: &std::sync::Arc<AppState>,
    actor: &frontline_core::ActorId,
) -> ApiResult<()> {
    let actors = state.db.run(|db| db.store.actors()).await??;
    if actors.iter().any(|a| &a.id == actor) {
        return Ok(());
    }
    let known: Vec<&str> = actors.iter().map(|a| a.id.as_str()).collect();
    Err(ApiError::unprocessable(format!(
        "unknown actor {:?}: the known actors are {}",
        actor.as_str(),
        known.join(", ")
    )))
}

/// An `actor` parameter: a valid id of a stored actor (reads naming an unknown actor would
/// otherwise answer an empty 200).
pub async fn actor(
    state: &std::sync::Arc<AppState>,
    value: Option<&str>,
) -> ApiResult<Option<frontline_core::ActorId>> {
    let Some(v) = value else { return Ok(None) };
    let id = frontline_core::ActorId::new(v)?;
    known_actor(state, &id).await?;
    Ok(Some(id))
}
