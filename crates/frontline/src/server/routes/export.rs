//! Downloads: the control polygons of a date, the observations and the events as GeoJSON, CSV
//! or GeoPackage (`/api/export/{control|observations|events}?format=...`), with the same
//! filters as the read endpoints, encoded by `crate::export` (as the CLI's exports are).

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
const MAX_ROWS: usize = 500_000;

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
    let (features, stem) = match what.as_str() {
        "control" => {
            let req = MapParams {
                date: q.date.clone(),
                known_on: q.known_on.clone(),
                region: q.region.clone(),
            }
            .request(&state)?;
            let date = req.date;
            let f = state
                .app(move |e| Ok(export::control_features(&*e.map(&req)?, actor.as_ref())))
                .await?;
            (f, format!("control_{date}"))
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
            let f = known
                .stored
                .iter()
                .filter(|s| filter.matches(&s.observation))
                .map(observations::feature)
                .collect();
            (f, "observations".to_owned())
        }
        "events" => {
            let filter = EventFilter {
                from: params::opt_date(&state, "from", q.from.as_deref())?,
                to: params::opt_date(&state, "to", q.to.as_deref())?,
                bbox: params::bbox(q.bbox.as_deref())?,
                actor,
                ..Default::default()
            };
            let (f, _) = events::events_page(&state, filter, MAX_ROWS, 0).await?;
            (f, "events".to_owned())
        }
        other => {
            return Err(ApiError::not_found(format!(
                "nothing to export as {other:?}: use control, observations or events"
            )))
        }
    };
    let layer = stem_layer(&what);
    let bytes = tokio::task::spawn_blocking(move || {
        export::encode(&features, format, layer, "Frontline export")
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
