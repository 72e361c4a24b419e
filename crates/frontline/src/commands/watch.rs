//! `frontline watch add|check|list`: alerts on areas of interest. `check --date D` evaluates
//! every watch on D against its previous check (or, the first time, against D minus
//! `--lookback`), prints what fired and stores it, so each alert fires once.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use frontline_core::analysis::hotspot::{hotspots, HotspotParams, Zone};
use frontline_core::analysis::share::{share, Holder, ShareReport, ShareRow};
use frontline_core::analysis::watch::{
    activity_spike, control_change, AlertDraft, Trigger, DEFAULT_MIN_PCT_POINTS,
};
use frontline_core::ActorId;
use frontline_store::watch::Watch;
use frontline_store::Store;
use geo::Contains;
use serde_json::json;

use super::analysis_ctx::{open, parse_date, resolve_aoi, Estimator, MapOpts};

#[derive(Debug, clap::Args)]
pub struct WatchArgs {
    #[command(subcommand)]
    pub command: WatchCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum WatchCommand {
    /// Watch an area of interest for a control change or an activity spike.
    Add(AddArgs),
    /// Evaluate every watch on a date; print and store the alerts that fired since the last check.
    Check(CheckArgs),
    /// List the watches and the alerts fired so far.
    List,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// Area of interest: code or name in the store, a city of the gazetteer, or a GeoJSON file.
    #[arg(long)]
    pub aoi: String,
    #[arg(long, value_parser = ["control-change", "activity-spike"])]
    pub on: String,
    /// control-change: smallest share movement, in percentage points.
    #[arg(long, default_value_t = DEFAULT_MIN_PCT_POINTS)]
    pub min_pct_points: f64,
    /// activity-spike: window length in days.
    #[arg(long, default_value_t = 14)]
    pub window_days: u32,
    /// activity-spike: significance level of the Poisson test.
    #[arg(long, default_value_t = 0.01)]
    pub alpha: f64,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[arg(long, value_parser = parse_date)]
    pub date: NaiveDate,
    /// First check of a control-change watch: compare with this many days before --date.
    #[arg(long, default_value_t = 30)]
    pub lookback_days: i64,
    #[arg(long)]
    pub urban_areas: Option<PathBuf>,
    #[command(flatten)]
    pub map: MapOpts,
}

pub fn run(db: &Path, args: WatchArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    match args.command {
        WatchCommand::Add(a) => {
            // Resolve now so that a misspelt area fails at once.
            let aoi = resolve_aoi(&store, &a.aoi, None)?;
            let trigger: Trigger = a.on.parse()?;
            let params = match trigger {
                Trigger::ControlChange => json!({ "min_pct_points": a.min_pct_points }),
                Trigger::ActivitySpike => json!({ "window_days": a.window_days, "alpha": a.alpha }),
            };
            let (w, new) = store
                .add_watch(&a.aoi, trigger, &params)
                .context("storing the watch")?;
            println!(
                "{} watch {} on {} ({}) for {} {}",
                if new { "added" } else { "already have" },
                w.id,
                a.aoi,
                aoi.how,
                trigger,
                params
            );
            Ok(())
        }
        WatchCommand::List => {
            for w in store.watches()? {
                println!(
                    "watch {}: {} on {} {} (since {})",
                    w.id,
                    w.trigger,
                    w.aoi,
                    w.params,
                    w.created_at.to_rfc3339()
                );
                for a in store.alerts(Some(w.id))? {
                    println!("  {} [{}] {}", a.date, a.trigger, a.message);
                }
            }
            Ok(())
        }
        WatchCommand::Check(c) => {
            let fired = check(&store, &c)?;
            if fired.is_empty() {
                println!("no new alerts on {}", c.date);
            }
            for (w, a) in fired {
                println!(
                    "ALERT watch {} ({} on {}): {}",
                    w.id, a.trigger, w.aoi, a.message
                );
            }
            Ok(())
        }
    }
}

fn rows_to_json(r: &ShareReport) -> serde_json::Value {
    let rows: Vec<_> = r
        .rows
        .iter()
        .map(|x| json!({"holder": x.holder.label(), "km2": x.km2, "pct": x.pct, "pct_of_assessed": x.pct_of_assessed}))
        .collect();
    json!({"aoi": r.aoi, "aoi_km2": r.aoi_km2, "assessed_km2": r.assessed_km2, "cells": r.cells, "rows": rows})
}

fn rows_from_json(v: &serde_json::Value) -> Option<ShareReport> {
    let rows = v.get("rows")?.as_array()?;
    let mut out = Vec::new();
    for r in rows {
        let label = r.get("holder")?.as_str()?;
        let holder = match label {
            "unassessed" => Holder::Unassessed,
            "outside-region" => Holder::Outside,
            a => Holder::Actor(ActorId::new(a).ok()?),
        };
        out.push(ShareRow {
            holder,
            km2: r.get("km2")?.as_f64()?,
            pct: r.get("pct")?.as_f64()?,
            pct_of_assessed: r.get("pct_of_assessed").and_then(|p| p.as_f64()),
        });
    }
    Some(ShareReport {
        aoi: v.get("aoi")?.as_str()?.to_owned(),
        aoi_km2: v.get("aoi_km2")?.as_f64()?,
        assessed_km2: v.get("assessed_km2")?.as_f64()?,
        cells: v.get("cells")?.as_u64()? as usize,
        rows: out,
    })
}

/// Evaluate every watch on `args.date`; returns the alerts that fired now.
pub fn check(
    store: &Store,
    args: &CheckArgs,
) -> anyhow::Result<Vec<(Watch, frontline_store::watch::StoredAlert)>> {
    let watches = store.watches()?;
    let mut est: Option<Estimator> = None;
    let mut territories: std::collections::HashMap<NaiveDate, frontline_core::analysis::Territory> =
        Default::default();
    let mut fired = Vec::new();
    for w in watches {
        let aoi = resolve_aoi(store, &w.aoi, args.urban_areas.as_deref())?;
        let last = store.last_check(w.id)?;
        let (drafts, state): (Vec<AlertDraft>, serde_json::Value) = match w.trigger {
            Trigger::ControlChange => {
                if est.is_none() {
                    est = Some(Estimator::load(store, &args.map)?);
                }
                let e = est.as_ref().expect("just loaded");
                let now = share(
                    territory(&mut territories, e, args.date),
                    &aoi.name,
                    &aoi.geometry,
                )?;
                let before = match last
                    .as_ref()
                    .and_then(|c| rows_from_json(&c.state).map(|r| (c.date, r)))
                {
                    Some(prev) => prev,
                    None => {
                        let d0 = args.date - Duration::days(args.lookback_days);
                        (
                            d0,
                            share(territory(&mut territories, e, d0), &aoi.name, &aoi.geometry)?,
                        )
                    }
                };
                let min = w
                    .params
                    .get("min_pct_points")
                    .and_then(|v| v.as_f64())
                    .unwrap_or(DEFAULT_MIN_PCT_POINTS);
                let drafts =
                    control_change(&aoi.name, (before.0, &before.1), (args.date, &now), min)
                        .into_iter()
                        .collect();
                (drafts, rows_to_json(&now))
            }
            Trigger::ActivitySpike => {
                let params = HotspotParams {
                    window_days: w
                        .params
                        .get("window_days")
                        .and_then(|v| v.as_u64())
                        .unwrap_or(14) as u32,
                    alpha: w
                        .params
                        .get("alpha")
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.01),
                    ..HotspotParams::default()
                };
                let events = super::hotspots::load_events(
                    store,
                    args.date,
                    &params,
                    None,
                    None,
                    args.map.known_on,
                )?;
                let zone = Zone::Area(aoi.name.clone());
                let r = hotspots(&events, args.date, &params, |e| {
                    aoi.geometry
                        .contains(&e.location.point())
                        .then(|| zone.clone())
                })?;
                let last_fired = store
                    .alerts(Some(w.id))?
                    .into_iter()
                    .filter(|a| a.trigger == Trigger::ActivitySpike)
                    .map(|a| a.date)
                    .max();
                let drafts = activity_spike(&aoi.name, &r, last_fired)
                    .into_iter()
                    .collect();
                let z = r.zones.first();
                (
                    drafts,
                    json!({"window": [r.window.0, r.window.1], "events": z.map(|z| z.count), "p_value": z.map(|z| z.p_value)}),
                )
            }
        };
        for a in store.record_check(w.id, args.date, args.map.known_on, &state, &drafts)? {
            fired.push((w.clone(), a));
        }
    }
    Ok(fired)
}

fn territory<'a>(
    cache: &'a mut std::collections::HashMap<NaiveDate, frontline_core::analysis::Territory>,
    est: &Estimator,
    date: NaiveDate,
) -> &'a frontline_core::analysis::Territory {
    cache.entry(date).or_insert_with(|| est.territory(date))
}
