//! `frontline trend`: per step, an actor's events by type, fatalities, the spread of its attacks
//! (countries, provinces, H3 res-4 cells), its attacks outside the territory it held, and its km²
//! — "attacks spread while territory shrinks", seen or refuted in one table.

use std::path::Path;

use anyhow::Context;
use chrono::NaiveDate;
use frontline_core::analysis::dedup::{find_duplicates, DedupParams};
use frontline_core::analysis::trend::{steps, trend, StepSize, TrendRow};
use frontline_core::analysis::Territory;
use frontline_core::{ActorId, AoiKind, EventType};
use frontline_store::{EventFilter, Store};
use geo::{BoundingRect, Contains};

use super::analysis_ctx::{open, parse_date, Estimator, MapOpts};

#[derive(Debug, clap::Args)]
pub struct TrendArgs {
    #[arg(long)]
    pub actor: ActorId,
    #[arg(long, value_parser = parse_date)]
    pub from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    pub to: NaiveDate,
    /// 14d, 2w, 1mo, 3mo, 1y.
    #[arg(long, default_value = "1mo")]
    pub step: String,
    /// Skip the control estimates (no km², no attacks-outside column): much faster.
    #[arg(long)]
    pub no_control: bool,
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
    #[command(flatten)]
    pub map: MapOpts,
}

/// The trend rows, estimating control at each step's end unless `no_control`.
pub fn rows(store: &Store, args: &TrendArgs) -> anyhow::Result<Vec<TrendRow>> {
    let size: StepSize = args.step.parse().context("--step")?;
    let steps = steps(args.from, args.to, size)?;
    let filter = EventFilter {
        from: Some(args.from),
        to: Some(args.to),
        actor: Some(args.actor.clone()),
        ..EventFilter::default()
    };
    let events: Vec<_> = store
        .stored_events(&filter)
        .context("reading events")?
        .into_iter()
        .filter(|s| args.map.known_on.is_none_or(|k| s.recorded_at <= k))
        .map(|s| s.event)
        .collect();
    let events = find_duplicates(&events, &DedupParams::default()).deduplicated(&events);
    let territories: Vec<Territory> = if args.no_control {
        Vec::new()
    } else {
        let est = Estimator::load(store, &args.map)?;
        let prepared = est.prepared();
        let bar = super::analysis_ctx::progress(steps.len() as u64, "estimating control per step");
        let out = steps
            .iter()
            .map(|s| {
                bar.inc(1);
                Territory::from_control_map(&prepared.on(s.to).estimate(&est.grid))
            })
            .collect();
        bar.finish_and_clear();
        out
    };
    let provinces = store
        .areas(Some(AoiKind::Province))
        .context("reading provinces")?;
    let boxed: Vec<_> = provinces
        .iter()
        .filter_map(|a| a.geometry().bounding_rect().map(|r| (r, a)))
        .collect();
    Ok(trend(
        &events,
        &args.actor,
        &steps,
        |i| territories.get(i),
        |p| {
            let pt = p.point();
            boxed
                .iter()
                .find(|(r, a)| r.contains(&pt) && a.geometry().contains(&pt))
                .map(|(_, a)| a.code.clone())
        },
    ))
}

pub fn run(db: &Path, args: TrendArgs) -> anyhow::Result<()> {
    let store = open(db)?;
    let rows = rows(&store, &args)?;
    let types: Vec<EventType> = EventType::ALL
        .into_iter()
        .filter(|t| rows.iter().any(|r| r.events_by_type.contains_key(t)))
        .collect();
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:.0}"));
    if args.format == "csv" {
        let mut head = vec![
            "from",
            "to",
            "events",
            "attacks",
            "fatalities",
            "countries",
            "provinces",
            "cells_r4",
            "attacks_located",
            "attacks_outside",
            "km2",
            "imprecise",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
        head.extend(EventType::ALL.iter().map(|t| t.as_str().to_owned()));
        println!("{}", head.join(","));
        for r in &rows {
            let mut cols = vec![
                r.from.to_string(),
                r.to.to_string(),
                r.events.to_string(),
                r.attacks.to_string(),
                r.fatalities.to_string(),
                r.countries.to_string(),
                r.provinces.to_string(),
                r.cells_r4.to_string(),
                r.attacks_located.to_string(),
                r.attacks_outside.map_or(String::new(), |x| x.to_string()),
                r.km2.map_or(String::new(), |x| format!("{x:.1}")),
                r.imprecise.to_string(),
            ];
            cols.extend(
                EventType::ALL
                    .iter()
                    .map(|t| r.events_by_type.get(t).copied().unwrap_or(0).to_string()),
            );
            println!("{}", cols.join(","));
        }
        return Ok(());
    }
    println!(
        "Trend of {} from {} to {} by {}",
        args.actor, args.from, args.to, args.step
    );
    print!(
        "{:<10} {:>7} {:>7} {:>6} {:>4} {:>5} {:>6} {:>8} {:>10} {:>7}",
        "from", "events", "attacks", "dead", "ctry", "prov", "cells4", "outside", "km²", "undated"
    );
    for t in &types {
        print!(" {:>9}", &t.as_str()[..t.as_str().len().min(9)]);
    }
    println!();
    for r in &rows {
        print!(
            "{:<10} {:>7} {:>7} {:>6} {:>4} {:>5} {:>6} {:>8} {:>10} {:>7}",
            r.from.to_string(),
            r.events,
            r.attacks,
            r.fatalities,
            r.countries,
            r.provinces,
            r.cells_r4,
            r.attacks_outside.map_or(String::new(), |x| x.to_string()),
            opt(r.km2),
            r.imprecise
        );
        for t in &types {
            print!(" {:>9}", r.events_by_type.get(t).copied().unwrap_or(0));
        }
        println!();
    }
    if rows.iter().any(|r| r.imprecise > 0) {
        println!(
            "undated: events of the actor overlapping the step whose date is too coarse to place in it \
             (the bundled UCDP rows have a year only: use --step 1y for them)."
        );
    }
    println!("provinces: only where province outlines are in the store (the bundled data has Iraq's governorates only).");
    Ok(())
}
