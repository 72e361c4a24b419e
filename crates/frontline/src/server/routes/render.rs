//! Rendered maps and charts: `/api/map` draws the control map of a date (or two dates side by
//! side) as PNG or SVG with the bundled base map, `/api/chart` the km² per actor over time.
//! Both draw the engine's maps with the core's renderer and its layers, as `frontline map` and
//! `frontline chart` do, so they match the published figures.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use frontline_core::analysis::trend::steps;
use frontline_core::render::{
    self, chart_scene, layers_from_features, map_scene, AreaChart, Basemap, Fonts, Format, GeoBox,
    MapSpec, Panel, PanelContent, Rgba, Series,
};
use frontline_core::Actor;
use geo::BoundingRect;
use serde::Deserialize;
use std::sync::{Arc, OnceLock};

use super::params::{self, MapParams};
use crate::app::product::MapProduct;
use crate::app::request::parse_step;
use crate::app::{AppResult, KnownOn, MapRequest};
use crate::server::auth::Reader;
use crate::server::error::{ApiError, ApiResult};
use crate::server::extract::Query;
use crate::server::state::AppState;

const CREDIT: &str = "Frontline estimate from dated, graded observations; base map Natural Earth";

/// The base map and fonts, parsed once for the life of the server.
fn assets() -> ApiResult<&'static (Basemap, Fonts)> {
    static ASSETS: OnceLock<Result<(Basemap, Fonts), String>> = OnceLock::new();
    ASSETS
        .get_or_init(|| {
            crate::basemap::middle_east()
                .map(|b| (b, Fonts::embedded()))
                .map_err(|e| format!("{e:#}"))
        })
        .as_ref()
        .map_err(ApiError::internal)
}

fn format(f: Option<&str>) -> ApiResult<(Format, &'static str)> {
    match f.unwrap_or("png") {
        "png" => Ok((Format::Png, "image/png")),
        "svg" => Ok((Format::Svg, "image/svg+xml")),
        other => Err(ApiError::bad_request(format!(
            "format must be png or svg, got {other:?}"
        ))),
    }
}

fn image(bytes: Vec<u8>, media: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, media),
            // SVG is drawn by us, but a locked-down policy costs nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
        ],
        bytes,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapQuery {
    date: Option<String>,
    /// A second date: two panels side by side.
    date2: Option<String>,
    known_on: Option<String>,
    region: Option<String>,
    format: Option<String>,
    /// Width in pixels (400–3000, default 1200).
    width: Option<u32>,
}

/// `GET /api/map?date=D[&date2=D2][&format=png|svg][&width=1200]`.
pub async fn map(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<MapQuery>,
) -> ApiResult<Response> {
    let (fmt, media) = format(q.format.as_deref())?;
    let width = q.width.unwrap_or(1200);
    if !(400..=3000).contains(&width) {
        return Err(ApiError::bad_request("width must be between 400 and 3000"));
    }
    let mut reqs = vec![MapParams {
        date: q.date.clone(),
        known_on: q.known_on.clone(),
        region: q.region.clone(),
    }
    .request(&state)?];
    if q.date2.is_some() {
        let second = MapParams {
            date: q.date2.clone(),
            known_on: q.known_on.clone(),
            region: q.region.clone(),
        }
        .request_named(&state, "date2")?;
        reqs.push(second);
    }
    let maps = state
        .app(move |e| reqs.iter().map(|r| e.map(r)).collect::<AppResult<Vec<_>>>())
        .await?;
    let actors = state.db.run(|db| db.store.actors()).await??;
    let bytes = tokio::task::spawn_blocking(move || -> ApiResult<Vec<u8>> {
        let (base, fonts) = assets()?;
        let view = view_of(&maps[0]);
        let panels: Vec<Panel> = maps
            .iter()
            .map(|m| Panel {
                caption: m.map.date().format("%-d %B %Y").to_string(),
                content: PanelContent::Control(layers_from_features(
                    &m.features,
                    m.areas(),
                    &actors,
                )),
            })
            .collect();
        let w = width as f32;
        let aspect = (view.north - view.south)
            / ((view.east - view.west) * ((view.south + view.north) / 2.0).to_radians().cos());
        let map_w = if panels.len() == 2 {
            (f64::from(w) - 56.0) / 2.0
        } else {
            f64::from(w) - 40.0
        };
        let chrome = if panels.len() == 2 { 230.0 } else { 200.0 };
        let spec = MapSpec {
            title: match &panels[..] {
                [one] => format!("Who controls what, {}", one.caption),
                _ => format!("Control on {} and {}", panels[0].caption, panels[1].caption),
            },
            subtitle: Some(
                "Estimated from dated, graded observations; pale areas are low-confidence".into(),
            ),
            width: w,
            height: (map_w * aspect + chrome).round().clamp(300.0, 4000.0) as f32,
            view,
            focus: maps[0]
                .map
                .grid()
                .parts()
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            panels,
            credit: CREDIT.into(),
            counter: None,
        };
        let scene =
            map_scene(&spec, base, fonts).map_err(|e| ApiError::unprocessable(e.to_string()))?;
        render::encode(&scene, fmt, 1.0).map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(image(bytes, media))
}

/// The region's bounding box with a margin.
fn view_of(m: &MapProduct) -> GeoBox {
    match m.map.grid().mask().bounding_rect() {
        Some(r) => {
            let (dx, dy) = (
                (r.max().x - r.min().x) * 0.04,
                (r.max().y - r.min().y) * 0.04,
            );
            GeoBox::new(
                r.min().x - dx,
                (r.min().y - dy).max(-84.0),
                r.max().x + dx,
                (r.max().y + dy).min(84.0),
            )
        }
        None => GeoBox::SYRIA_IRAQ,
    }
}

fn style(id: &str, actors: &[Actor]) -> (String, Rgba) {
    match actors.iter().find(|a| a.id.as_str() == id) {
        Some(a) => (a.name.clone(), Rgba::from(a.colour)),
        None => (id.to_owned(), Rgba::rgb(128, 128, 128)),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChartQuery {
    from: Option<String>,
    to: Option<String>,
    /// e.g. 1mo (default), 2w, 14d.
    step: Option<String>,
    region: Option<String>,
    format: Option<String>,
}

/// Most dates estimated for one chart.
const MAX_CHART_STEPS: usize = 36;

/// `GET /api/chart?from=D1&to=D2[&step=1mo][&format=png|svg]`: km² per actor over time.
pub async fn chart(
    State(state): State<Arc<AppState>>,
    Reader(_): Reader,
    Query(q): Query<ChartQuery>,
) -> ApiResult<Response> {
    let (fmt, media) = format(q.format.as_deref())?;
    let from = params::required_date(&state, "from", q.from.as_deref())?;
    let to = params::required_date(&state, "to", q.to.as_deref())?;
    let size = parse_step("step", q.step.as_deref().unwrap_or("1mo"))?;
    let steps = steps(from, to, size)?;
    if steps.len() + 1 > MAX_CHART_STEPS {
        return Err(ApiError::unprocessable(format!(
            "{} dates: at most {MAX_CHART_STEPS} per chart (use a longer step)",
            steps.len() + 1
        )));
    }
    let mut dates: Vec<NaiveDate> = std::iter::once(from)
        .chain(steps.iter().map(|s| s.to))
        .collect();
    dates.dedup();
    let req = MapRequest {
        date: from,
        known_on: KnownOn::NOW,
        region: params::region(q.region.as_deref())?,
        resolution: None,
    };
    let points: Vec<(NaiveDate, Vec<(String, f64)>)> = state
        .app(move |e| e.area_series(&req, &dates))
        .await?
        .into_iter()
        .map(|(d, t)| {
            let rows = t
                .rows
                .iter()
                .filter_map(|r| r.actor.as_ref().map(|a| (a.to_string(), r.area_km2)))
                .collect();
            (d, rows)
        })
        .collect();
    let actors = state.db.run(|db| db.store.actors()).await??;
    let bytes = tokio::task::spawn_blocking(move || -> ApiResult<Vec<u8>> {
        let (_, fonts) = assets()?;
        let mut ids: Vec<String> = points
            .iter()
            .flat_map(|(_, r)| r.iter().map(|(a, _)| a.clone()))
            .collect();
        ids.sort();
        ids.dedup();
        let series = ids
            .iter()
            .map(|id| {
                let (name, colour) = style(id, &actors);
                Series {
                    name,
                    colour,
                    points: points
                        .iter()
                        .map(|(d, r)| (*d, r.iter().find(|(a, _)| a == id).map_or(0.0, |x| x.1)))
                        .collect(),
                }
            })
            .collect();
        let chart = AreaChart {
            title: "Area held per actor, km²".into(),
            subtitle: Some(format!("{from} to {to}")),
            width: 1000.0,
            height: 560.0,
            series,
            marks: Vec::new(),
            credit: CREDIT.into(),
        };
        let scene =
            chart_scene(&chart, fonts).map_err(|e| ApiError::unprocessable(e.to_string()))?;
        render::encode(&scene, fmt, 1.0).map_err(ApiError::internal)
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(image(bytes, media))
}
