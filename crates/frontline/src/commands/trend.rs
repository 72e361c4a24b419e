//! `frontline trend`: per step, an actor's events by type, fatalities, the spread of its attacks
//! (countries, provinces, H3 res-4 cells), its attacks outside the territory it held, and its km²
//! — "attacks spread while territory shrinks", seen or refuted in one table.

use std::path::Path;

use chrono::NaiveDate;
use frontline::app::analyses::TrendRequest;
use frontline::app::StepSize;
use frontline_core::{ActorId, EventType};

use super::args::{open_engine, parse_date, parse_step, BasisArgs};

#[derive(Debug, clap::Args)]
pub struct TrendArgs {
    #[arg(long)]
    pub actor: ActorId,
    #[arg(long, value_parser = parse_date)]
    pub from: NaiveDate,
    #[arg(long, value_parser = parse_date)]
    pub to: NaiveDate,
    /// 14d, 2w, 1mo, 3mo, 1y.
    #[arg(long, default_value = "1mo", value_parser = parse_step)]
    pub step: StepSize,
    /// Skip the control estimates (no km², no attacks-outside column): much faster.
    #[arg(long)]
    pub no_control: bool,
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
    #[command(flatten)]
    pub map: BasisArgs,
}

pub fn run(db: &Path, args: TrendArgs) -> anyhow::Result<()> {
    let engine = open_engine(db)?;
    let req = TrendRequest {
        actor: args.actor.clone(),
        from: args.from,
        to: args.to,
        step: args.step,
        map: args.map.request(args.to),
        with_control: !args.no_control,
    };
    let rows = engine.trend(&req, usize::MAX)?;
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
