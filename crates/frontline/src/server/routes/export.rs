//! Downloads: the control polygons of a date, the observations and the events as GeoJSON, CSV
//! or GeoPackage (`/api/export/{control|observations|events}?format=...`), with the same
//! filters as the read endpoints, encoded by `crate::export` (as the CLI's exports are).
//!
//! An export is the heaviest thing an anonymous reader can ask for (every event, ~62,000 on the
//! demo database), so its memory is bounded three ways: at most [`MAX_ROWS`] rows, features
//! made one at a time while the file is written (only the encoded file is whole in memory),
//! and at most [`CONCURRENT`] exports encoded at once, others waiting up to [`WAIT`] before a
//! 503 with Retry-After. Eight concurrent GeoPackage exports of every event once took the
//! server to 3.7 GB.

use crate::server::extract::Path;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use frontline_store::EventFilter;
use serde::Deserialize;
use std::sync::Arc;

use super::observations::{self, ObservationFilter};
use super::{events, params};
use crate::export;
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::routes::params::MapParams;
use crate::server::state::AppState;

/// Most rows one export carries.
pub const MAX_ROWS: usize = 500_000;

/// Exports encoded at once; more wait their turn.
pub const CONCURRENT: usize = 2;

/// How long an export waits for its turn before it is refused as busy.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(30);

static TURNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(CONCURRENT);

/// What an export's rows are, before they are made into features one at a time.
enum Rows {
    Control(Arc<crate::app::MapProduct>, Option<frontline_core::ActorId>),
    Observations(Arc<crate::app::engine::Known>, ObservationFilter),
    Events(Vec<frontline_store::StoredEvent>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<String>,
    date: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
    bbox: Option<String>,
    actor: Option<String>,
}

/// `GET /api/export/{control|observations|events}?format=geojson|csv|gpkg&...`.
pub async fn export(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Path(what): Path<String>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Response> {
    let name = q.format.as_deref().unwrap_or("geojson");
    let format = export::Format::parse(name).ok_or_else(|| {
        ApiError::bad_request(format!("format must be geojson, csv or gpkg, got {name:?}"))
    })?;
    let actor = params::actor(&state, q.actor.as_deref()).await?;
    // Wait for a turn before anything is read, so that waiting exports hold nothing.
    let _turn = tokio::time::timeout(WAIT, TURNS.acquire())
        .await
        .map_err(|_| ApiError::busy("too many exports are running: try again shortly"))?
        .map_err(ApiError::internal)?;
    let (rows, stem) = match what.as_str() {
        "control" => {
            let req = MapParams {
                date: q.date.clone(),
                known_on: q.known_on.clone(),
                region: q.region.clone(),
            }
            .request(&state)?;
            let date = req.date;
            let map = state.app(move |e| e.map(&req)).await?;
            (Rows::Control(map, actor), format!("control_{date}"))
        }
        "observations" => {
            let filter = ObservationFilter {
                from: params::opt_date(&state, "from", q.from.as_deref())?,
                to: params::opt_date(&state, "to", q.to.as_deref())?,
                bbox: params::bbox(q.bbox.as_deref())?,
                actor,
                ..Default::default()
            };
            let known_on = params::known_on(q.known_on.as_deref())?;
            let known = state.app(move |e| e.known(known_on)).await?;
            (Rows::Observations(known, filter), "observations".to_owned())
        }
        "events" => {
            let filter = EventFilter {
                from: params::opt_date(&state, "from", q.from.as_deref())?,
                to: params::opt_date(&state, "to", q.to.as_deref())?,
                bbox: params::bbox(q.bbox.as_deref())?,
                actor,
                ..Default::default()
            };
            let mut all = state
                .db
                .run(move |db| db.store.stored_events(&filter))
                .await??;
            all.truncate(MAX_ROWS);
            (Rows::Events(all), "events".to_owned())
        }
        other => {
            return Err(ApiError::not_found(format!(
                "nothing to export as {other:?}: use control, observations or events"
            )))
        }
    };
    let layer = stem_layer(&what);
    let bytes = tokio::task::spawn_blocking(move || {
        let d = "Frontline export";
        match &rows {
            Rows::Control(map, actor) => export::encode_each(
                || {
                    map.features
                        .iter()
                        .zip(map.feature_values())
                        .filter(|(f, _)| actor.as_ref().is_none_or(|a| f.actor == *a))
                        .map(|(_, v)| v.clone())
                },
                format,
                layer,
                d,
            ),
            Rows::Observations(known, filter) => export::encode_each(
                || {
                    known
                        .stored
                        .iter()
                        .filter(|s| filter.matches(&s.observation))
                        .take(MAX_ROWS)
                        .map(observations::feature)
                },
                format,
                layer,
                d,
            ),
            Rows::Events(all) => {
                export::encode_each(|| all.iter().map(events::feature), format, layer, d)
            }
        }
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let (media, ext) = (format.media_type(), format.extension());
    let mut res = ([(header::CONTENT_TYPE, media)], bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{stem}.{ext}\""))
            .map_err(ApiError::internal)?,
    );
    Ok(res)
}

fn stem_layer(what: &str) -> &'static str {
    match what {
        "control" => "control",
        "observations" => "observations",
        _ => "events",
    }
}
