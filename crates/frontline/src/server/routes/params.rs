//! Parsing and checking of the query parameters many endpoints share: dates (never in the
//! future), known-on days, regions, points, bounding boxes and pages.

use chrono::NaiveDate;
use frontline_core::LatLon;
use serde::Deserialize;

use crate::server::error::{ApiError, ApiResult};
use crate::server::maps::{normalise_region, MapKey};
use crate::server::state::AppState;

/// Parse `YYYY-MM-DD` and refuse days after today.
pub fn date(state: &AppState, name: &str, value: &str) -> ApiResult<NaiveDate> {
    let bad = || ApiError::bad_request(format!("{name} must be a date YYYY-MM-DD, got {value:?}"));
    let v = value.trim();
    if v.len() != 10 {
        return Err(bad());
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| bad())?;
    let today = (state.today)();
    if d > today {
        return Err(ApiError::unprocessable(format!(
            "{name} {d} is in the future (today is {today})"
        )));
    }
    Ok(d)
}

pub fn opt_date(state: &AppState, name: &str, value: Option<&str>) -> ApiResult<Option<NaiveDate>> {
    value.map(|v| date(state, name, v)).transpose()
}

/// The parameters naming a map.
#[derive(Debug, Deserialize)]
pub struct MapParams {
    pub date: Option<String>,
    pub known_on: Option<String>,
    pub region: Option<String>,
}

impl MapParams {
    pub fn key(&self, state: &AppState) -> ApiResult<MapKey> {
        let date = self
            .date
            .as_deref()
            .ok_or_else(|| ApiError::bad_request("missing query parameter date=YYYY-MM-DD"))?;
        let date = self::date(state, "date", date)?;
        let known_on = opt_date(state, "known_on", self.known_on.as_deref())?;
        let region = match &self.region {
            Some(r) => normalise_region(r)?,
            None => state.default_region.clone(),
        };
        if region.is_empty() {
            return Err(ApiError::unprocessable(
                "no region: the database has no countries; import boundaries or pass region=CODE",
            ));
        }
        Ok(MapKey {
            date,
            known_on,
            region,
        })
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
