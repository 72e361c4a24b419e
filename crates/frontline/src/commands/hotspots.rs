//! `frontline hotspots`: zones (H3 cells at a coarser resolution, or provinces/countries from
//! the store) where events in the window ending on `--date` exceed the zone's own baseline —
//! Poisson tail probability with Bonferroni correction, and z-score (see
//! `frontline_core::analysis::hotspot`).

use std::path::Path;

use chrono::NaiveDate;
use frontline::app::analyses::{HotspotRequest, Zones};
use frontline::app::KnownOn;
use frontline_core::analysis::hotspot::HotspotParams;
use frontline_core::{ActorId, AoiKind, EventType};

use super::args::{open_engine, parse_date, parse_known_on, parse_window};

#[derive(Debug, clap::Args)]
pub struct HotspotsArgs {
    /// Last day of the window.
    #[arg(long, value_parser = parse_date)]
    pub date: NaiveDate,
    /// Window length: e.g. 14d, 2w, 30d.
    #[arg(long, default_value = "14d", value_parser = parse_window)]
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
    #[arg(long, value_parser = parse_known_on)]
    pub known_on: Option<KnownOn>,
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
}

/// The hotspot test these arguments name (the request `/api/hotspots` makes too).
pub fn request(args: &HotspotsArgs) -> anyhow::Result<HotspotRequest> {
    let zones = match args.by.as_str() {
        "cell" => Zones::Cells(args.zone_resolution),
        "province" => Zones::Areas(AoiKind::Province),
        _ => Zones::Areas(AoiKind::Country),
    };
    Ok(HotspotRequest {
        date: args.date,
        params: HotspotParams {
            window_days: args.window,
            baseline_windows: args.baseline,
            alpha: args.alpha,
            min_events: args.min_events,
        },
        zones,
        actor: args.actor.clone(),
        event_type: args.event_type,
        known_on: args.known_on.unwrap_or_default(),
    })
}

pub fn run(db: &Path, args: HotspotsArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let r = engine.hotspots(&request(&args)?)?;
    let shown: Vec<_> = r.zones.iter().filter(|z| args.all || z.hotspot).collect();
    if args.format == "csv" {
        println!(
            "zone,lat,lon,events,rows,fatalities,baseline_total,baseline_rate,p_value,z,hotspot"
        );
        for z in shown {
            println!(
                "{},{:.4},{:.4},{},{},{},{},{:.4},{:.3e},{:.2},{}",
                super::args::csv_field(&z.zone.label()),
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
