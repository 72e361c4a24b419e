//! `frontline hotspots`: zones (H3 cells at a coarser resolution, or provinces/countries from
//! the store) where events in the window ending on `--date` exceed the zone's own baseline —
//! Poisson tail probability with Bonferroni correction, and z-score (see
//! `frontline_core::analysis::hotspot`).

use std::path::Path;

use anyhow::{bail, Context};
use chrono::{Duration, NaiveDate};
use frontline_core::analysis::dedup::{find_duplicates, DedupParams};
use frontline_core::analysis::hotspot::{cell_zone, hotspots, HotspotParams, HotspotReport, Zone};
use frontline_core::{ActorId, AoiKind, Event, EventType};
use frontline_store::{EventFilter, Store};
use geo::{BoundingRect, Contains};

use super::analysis_ctx::{open, parse_date};

#[derive(Debug, clap::Args)]
pub struct HotspotsArgs {
    /// Last day of the window.
    #[arg(long, value_parser = parse_date)]
    pub date: NaiveDate,
    /// Window length: e.g. 14d, 2w, 30d.
    #[arg(long, default_value = "14d", value_parser = parse_days)]
    pub window: u32,
    /// Number of preceding windows forming each zone's baseline.
    #[arg(long, default_value_t = 12)]
    pub baseline: u32,
    /// Zones: H3 cells (`cell`) or areas of interest of a kind (`province`, `country`).
    #[arg(long, default_value = "cell", value_parser = ["cell", "province", "country"])]
    pub by: String,
    /// H3 resolution of the zones with `--by cell` (5 ≈ 250 km², 4 ≈ 1,770 km²).
    #[arg(long, default_value_t = 5)]
    pub zone_resolution: u8,
    /// Family-wise significance level (Bonferroni over the zones tested).
    #[arg(long, default_value_t = 0.01)]
    pub alpha: f64,
    #[arg(long, default_value_t = 3)]
    pub min_events: u32,
    #[arg(long)]
    pub actor: Option<ActorId>,
    #[arg(long = "type")]
    pub event_type: Option<EventType>,
    /// Show every tested zone, not only hotspots.
    #[arg(long)]
    pub all: bool,
    /// Accepted for symmetry with the other `--date` commands: events are not versioned by
    /// recording time here, so this only refuses a time before the events were imported.
    #[arg(long, value_parser = super::analysis_ctx::parse_known_on)]
    pub known_on: Option<chrono::DateTime<chrono::Utc>>,
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
}

fn parse_days(s: &str) -> Result<u32, String> {
    match s.parse::<frontline_core::analysis::trend::StepSize>() {
        Ok(frontline_core::analysis::trend::StepSize::Days(n)) => Ok(n),
        Ok(_) => Err(format!("{s:?}: give the window in days or weeks (14d, 2w)")),
        Err(e) => Err(e.to_string()),
    }
}

/// The events (store-linked duplicates hidden, cross-dataset reports merged) the test needs.
pub fn load_events(
    store: &Store,
    date: NaiveDate,
    params: &HotspotParams,
    actor: Option<ActorId>,
    event_type: Option<EventType>,
    known_on: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<Vec<Event>> {
    let span = i64::from(params.window_days) * (i64::from(params.baseline_windows) + 1);
    let filter = EventFilter {
        from: Some(date - Duration::days(span)),
        to: Some(date),
        actor,
        event_type,
        ..EventFilter::default()
    };
    let stored = store.stored_events(&filter).context("reading events")?;
    let events: Vec<Event> = stored
        .into_iter()
        .filter(|s| known_on.is_none_or(|k| s.recorded_at <= k))
        .map(|s| s.event)
        .collect();
    let d = find_duplicates(&events, &DedupParams::default());
    Ok(d.deduplicated(&events))
}

/// Zones from the store's areas of a kind (point in polygon, bounding boxes first).
pub fn area_zones(store: &Store, kind: AoiKind) -> anyhow::Result<impl Fn(&Event) -> Option<Zone>> {
    let areas = store.areas(Some(kind)).context("reading areas")?;
    if areas.is_empty() {
        bail!("no areas of kind {kind} in the store: import boundaries first");
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

pub fn report(store: &Store, args: &HotspotsArgs) -> anyhow::Result<HotspotReport> {
    let params = HotspotParams {
        window_days: args.window,
        baseline_windows: args.baseline,
        alpha: args.alpha,
        min_events: args.min_events,
    };
    let events = load_events(
        store,
        args.date,
        &params,
        args.actor.clone(),
        args.event_type,
        args.known_on,
    )?;
    Ok(match args.by.as_str() {
        "cell" => {
            let res = h3o::Resolution::try_from(args.zone_resolution)
                .map_err(|_| anyhow::anyhow!("--zone-resolution must be 0–15"))?;
            hotspots(&events, args.date, &params, cell_zone(res))?
        }
        "province" => hotspots(
            &events,
            args.date,
            &params,
            area_zones(store, AoiKind::Province)?,
        )?,
        _ => hotspots(
            &events,
            args.date,
            &params,
            area_zones(store, AoiKind::Country)?,
        )?,
    })
}

pub fn run(db: &Path, args: HotspotsArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let r = report(&store, &args)?;
    let shown: Vec<_> = r.zones.iter().filter(|z| args.all || z.hotspot).collect();
    if args.format == "csv" {
        println!(
            "zone,lat,lon,events,rows,fatalities,baseline_total,baseline_rate,p_value,z,hotspot"
        );
        for z in shown {
            println!(
                "{},{:.4},{:.4},{},{},{},{},{:.4},{:.3e},{:.2},{}",
                super::share::csv_field(&z.zone.label()),
                z.centre.lat(),
                z.centre.lon(),
                z.count,
                z.rows,
                z.fatalities,
                z.baseline_total,
                z.baseline_rate,
                z.p_value,
                z.z,
                z.hotspot
            );
        }
        return Ok(());
    }
    println!(
        "Window {} … {} ({} days) against {} … {} ({} windows).",
        r.window.0,
        r.window.1,
        r.params.window_days,
        r.baseline.0,
        r.baseline.1,
        r.params.baseline_windows
    );
    println!(
        "Statistic: P(X ≥ x) for X ~ Poisson(λ), λ = (baseline occurrences + 0.5) / {}; z = (x − λ)/√λ; \
         hotspot if x ≥ {} and p < {} / {} zones = {:.2e}.",
        r.params.baseline_windows, r.params.min_events, r.params.alpha, r.zones_tested, r.threshold
    );
    if r.excluded_imprecise > 0 {
        println!(
            "{} events left out: their date is too coarse for a {}-day window (e.g. UCDP rows with a year only).",
            r.excluded_imprecise, r.params.window_days
        );
    }
    println!(
        "{} zones tested, {} hotspots.",
        r.zones_tested,
        r.hotspots().count()
    );
    println!(
        "{:<22} {:>15} {:>7} {:>9} {:>10} {:>10} {:>7} {:>5}",
        "zone", "centre", "events", "baseline", "λ/window", "p", "z", "dead"
    );
    for z in shown {
        println!(
            "{:<22} {:>7.3},{:<7.3} {:>7} {:>9} {:>10.2} {:>10.2e} {:>7.1} {:>5}{}",
            z.zone.label(),
            z.centre.lat(),
            z.centre.lon(),
            z.count,
            z.baseline_total,
            z.baseline_rate,
            z.p_value,
            z.z,
            z.fatalities,
            if z.hotspot { "  HOTSPOT" } else { "" }
        );
    }
    Ok(())
}
