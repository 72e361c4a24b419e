//! The analyses on the engine's maps and event windows, as every door runs them: the share of an
//! area of interest, enclaves and sieges, people per actor, hotspots and an actor's trend. The
//! doors only parse their parameters into these requests and format the reports.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use frontline_core::analysis::city::{city_area, UrbanArea};
use frontline_core::analysis::enclave::{enclaves, Enclave, EnclaveParams};
use frontline_core::analysis::hotspot::{cell_zone, hotspots, HotspotParams, HotspotReport, Zone};
use frontline_core::analysis::population::{population, PopulationReport};
use frontline_core::analysis::share::{share, ShareReport};
use frontline_core::analysis::trend::{steps, trend, TrendRow};
use frontline_core::geometry::make_valid;
use frontline_core::{ActorId, AoiKind, Event, EventType, Place};
use geo::{BoundingRect, Contains, MultiPolygon};

use super::engine::{Engine, EventWindowKey};
use super::error::{AppError, AppResult};
use super::request::{KnownOn, MapRequest, StepSize};

/// An area of interest resolved to a polygon, with how it was obtained.
#[derive(Debug, Clone)]
pub struct ResolvedAoi {
    pub name: String,
    pub geometry: MultiPolygon<f64>,
    pub how: String,
}

/// How hotspot zones are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zones {
    /// H3 cells at this resolution (5 ≈ 250 km²).
    Cells(u8),
    /// The stored areas of a kind (provinces, countries).
    Areas(AoiKind),
}

/// A hotspot test: the window ending on `date`, its baseline, the zones and which events.
#[derive(Debug, Clone)]
pub struct HotspotRequest {
    pub date: NaiveDate,
    pub params: HotspotParams,
    pub zones: Zones,
    pub actor: Option<ActorId>,
    pub event_type: Option<EventType>,
    pub known_on: KnownOn,
}

impl HotspotRequest {
    /// The defaults every door starts from: 14-day windows, 12 of baseline, H3 res-5 zones.
    pub fn on(date: NaiveDate) -> Self {
        Self {
            date,
            params: HotspotParams::default(),
            zones: Zones::Cells(5),
            actor: None,
            event_type: None,
            known_on: KnownOn::NOW,
        }
    }
}

/// Most windows of baseline (a longer history costs reading more events).
pub const MAX_BASELINE_WINDOWS: u32 = 60;

/// An actor's trend: events per step and its territory at each step's end.
#[derive(Debug, Clone)]
pub struct TrendRequest {
    pub actor: ActorId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub step: StepSize,
    /// The maps' region, known-on time and resolution (their date is each step's end).
    pub map: MapRequest,
    /// Estimate control at each step (km², attacks outside its territory).
    pub with_control: bool,
}

impl Engine {
    /// Resolve an area of interest by code or name: a stored area (its outline repaired as the
    /// importers repair outlines), else a city of the gazetteer (its urban-area polygon from
    /// `urban`, else a disc sized by its population).
    pub fn area_of_interest(&self, name: &str, urban: &[UrbanArea]) -> AppResult<ResolvedAoi> {
        if let Some(area) = self.store().area(name)? {
            let geometry = make_valid(area.geometry().clone())
                .map_err(|e| {
                    AppError::Unprocessable(format!(
                        "the outline of {} is unusable: {e}",
                        area.code
                    ))
                })?
                .geometry;
            return Ok(ResolvedAoi {
                how: format!("{} {} from {}", area.kind, area.code, area.source),
                name: area.name.clone(),
                geometry,
            });
        }
        let places = self.store().places()?;
        let Some((city, people)) = find_city(&places, name) else {
            return Err(AppError::Unprocessable(format!(
                "unknown area of interest {name:?}: neither an area of interest in the store nor a place of the gazetteer (see /api/areas)"
            )));
        };
        let c = city_area(&city.name, city.point, people, urban);
        Ok(ResolvedAoi {
            how: format!(
                "city {} ({}): {} ({:.1} km²)",
                city.name,
                city.id,
                c.method.describe(),
                c.km2
            ),
            name: c.name,
            geometry: c.geometry,
        })
    }

    /// Km² and % of an area of interest per holder on the request's map.
    pub fn share(&self, req: &MapRequest, aoi: &ResolvedAoi) -> AppResult<ShareReport> {
        let map = self.map(req)?;
        Ok(share(map.territory(), &aoi.name, &aoi.geometry)?)
    }

    /// Every enclave of the request's map with its perimeter and whether it is encircled.
    pub fn sieges(&self, req: &MapRequest, params: &EnclaveParams) -> AppResult<Vec<Enclave>> {
        let map = self.map(req)?;
        Ok(enclaves(map.territory(), params))
    }

    /// People per holder, each settlement of the gazetteer counted once, optionally within an
    /// area of interest.
    pub fn population(
        &self,
        req: &MapRequest,
        within: Option<&MultiPolygon<f64>>,
    ) -> AppResult<(PopulationReport, PopulationBasis)> {
        let map = self.map(req)?;
        let places = self.store().places()?;
        let canonical = frontline_store::places::canonical_places(&places);
        let report = population(map.territory(), &canonical, within);
        let basis = PopulationBasis {
            gazetteer_entries: places.len(),
            settlements: canonical.len(),
        };
        Ok((report, basis))
    }

    /// Zones whose events in the window exceed their own baseline.
    pub fn hotspots(&self, req: &HotspotRequest) -> AppResult<HotspotReport> {
        let p = &req.params;
        if p.window_days == 0 || p.window_days > super::request::WindowDays::MAX {
            return Err(AppError::Unprocessable(format!(
                "window_days: a window of 1 to {} days",
                super::request::WindowDays::MAX
            )));
        }
        if p.baseline_windows > MAX_BASELINE_WINDOWS {
            return Err(AppError::Unprocessable(format!(
                "baseline_windows: at most {MAX_BASELINE_WINDOWS} windows"
            )));
        }
        if !(p.alpha > 0.0 && p.alpha < 1.0) {
            return Err(AppError::Unprocessable(
                "alpha: a level between 0 and 1".into(),
            ));
        }
        let span = i64::from(p.window_days) * (i64::from(p.baseline_windows) + 1);
        let events = self.events(&EventWindowKey {
            from: req.date - Duration::days(span),
            to: req.date,
            actor: req.actor.clone(),
            event_type: req.event_type,
            known_on: req.known_on,
        })?;
        match req.zones {
            Zones::Cells(res) => {
                let res = h3o::Resolution::try_from(res)
                    .ok()
                    .filter(|r| u8::from(*r) <= 9)
                    .ok_or_else(|| {
                        AppError::Unprocessable("res: the zones' H3 resolution is 0–9".into())
                    })?;
                Ok(hotspots(&events.0, req.date, p, cell_zone(res))?)
            }
            Zones::Areas(kind) => {
                let zone = self.area_zones(kind)?;
                Ok(hotspots(&events.0, req.date, p, zone)?)
            }
        }
    }

    /// Zones from the store's areas of a kind (point in polygon, bounding boxes first).
    fn area_zones(&self, kind: AoiKind) -> AppResult<impl Fn(&Event) -> Option<Zone>> {
        let areas = self.store().areas(Some(kind))?;
        if areas.is_empty() {
            return Err(AppError::Unprocessable(format!(
                "no areas of kind {kind} in the store: import boundaries first"
            )));
        }
        let boxed: Vec<_> = areas
            .into_iter()
            .filter_map(|a| a.geometry().bounding_rect().map(|r| (r, a)))
            .collect();
        Ok(move |e: &Event| {
            let p = e.location.point();
            boxed
                .iter()
                .find(|(r, a)| r.contains(&p) && a.geometry().contains(&p))
                .map(|(_, a)| Zone::Area(format!("{} {}", a.code, a.name)))
        })
    }

    /// Per step, the actor's events (duplicates counted once), their spread, attacks outside its
    /// territory and its km² at the step's end.
    pub fn trend(&self, req: &TrendRequest, max_steps: usize) -> AppResult<Vec<TrendRow>> {
        let steps = steps(req.from, req.to, req.step)?;
        if steps.len() > max_steps {
            return Err(AppError::Unprocessable(format!(
                "{} steps: at most {max_steps} per request (use a longer step)",
                steps.len()
            )));
        }
        let events = self.events(&EventWindowKey {
            from: req.from,
            to: req.to,
            actor: Some(req.actor.clone()),
            event_type: None,
            known_on: req.map.known_on,
        })?;
        let maps = if req.with_control {
            steps
                .iter()
                .map(|s| self.map(&req.map.with_date(s.to)))
                .collect::<AppResult<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let provinces = self.store().areas(Some(AoiKind::Province))?;
        let boxed: Vec<_> = provinces
            .iter()
            .filter_map(|a| a.geometry().bounding_rect().map(|r| (r, a)))
            .collect();
        Ok(trend(
            &events.0,
            &req.actor,
            &steps,
            |i| maps.get(i).map(|m| m.territory()),
            |p| {
                let pt = p.point();
                boxed
                    .iter()
                    .find(|(r, a)| r.contains(&pt) && a.geometry().contains(&pt))
                    .map(|(_, a)| a.code.clone())
            },
        ))
    }
}

/// What a population figure rests on.
#[derive(Debug, Clone, Copy)]
pub struct PopulationBasis {
    pub gazetteer_entries: usize,
    pub settlements: usize,
}

/// The place named `name` (or with it as an alternate name), from the settlement with the most
/// people: its own name and point, and the settlement's population (the gazetteer deduplicated,
/// so the two GeoNames Mosuls give one city of the larger figure).
pub fn find_city(places: &[Place], name: &str) -> Option<(Place, Option<u64>)> {
    let n = frontline_core::names::normalize(name);
    let matches = |p: &Place| {
        frontline_core::names::normalize(&p.name) == n
            || p.alternate_names
                .iter()
                .any(|a| frontline_core::names::normalize(a) == n)
    };
    frontline_store::places::settlements(places)
        .into_iter()
        .filter_map(|s| {
            let hit = s.members.iter().copied().find(|&i| matches(&places[i]))?;
            let pop = places[s.canonical].population.as_ref().map(|p| p.count);
            Some((places[hit].clone(), pop))
        })
        .max_by_key(|(_, pop)| pop.unwrap_or(0))
}

/// A shared handle, for doors that hand the engine to worker threads.
pub type SharedEngine = Arc<Engine>;
